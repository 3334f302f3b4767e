//! SMS verification codes: checked once, counted before the check, bound to their purpose.

use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use chrono::Utc;
use signet_domain::identity::{PhoneNumber, SmsCode};
use signet_domain::sms::{self, CheckOutcome, IssuedCode, SmsPurpose};
use signet_store::repo::sms_codes;
use subtle::ConstantTimeEq;

pub fn code_digest(state: &AppState, code_id: &str, code: &str) -> String {
    state
        .master
        .blind_index("sms_code", format!("{code_id}:{code}").as_bytes())
}

/// Checks a typed code against the newest code for this phone and purpose. On success
/// returns the code's id, which the caller consumes inside its own transaction.
pub async fn check_sms_code(
    state: &AppState,
    phone: &PhoneNumber,
    purpose: SmsPurpose,
    code: &SmsCode,
) -> ApiResult<String> {
    let now = Utc::now();
    let field = "sms_code";
    let stored = sms_codes::newest(&state.db, phone.as_str(), purpose.as_str()).await?;
    let issued = stored.as_ref().map(|c| IssuedCode {
        expires_at: c.expires_at,
        attempts: c.attempts.max(0) as u32,
        consumed: c.consumed_at.is_some(),
    });
    let outcome = match (sms::admit(issued, now), stored) {
        (Err(refusal), _) => refusal,
        (Ok(()), None) => CheckOutcome::NotFound,
        // Count the attempt first: concurrent guesses cannot exceed MAX_ATTEMPTS.
        (Ok(()), Some(c)) => {
            match sms_codes::take_attempt(&state.db, &c.id, sms::MAX_ATTEMPTS as i32).await? {
                None => CheckOutcome::TooManyAttempts,
                Some(attempts) => {
                    let digest = code_digest(state, &c.id, code.expose());
                    let matches = bool::from(digest.as_bytes().ct_eq(c.code_hash.as_bytes()));
                    match sms::judge(attempts.max(0) as u32, matches) {
                        CheckOutcome::Accepted => return Ok(c.id),
                        other => other,
                    }
                }
            }
        }
    };
    match outcome {
        CheckOutcome::Accepted | CheckOutcome::NotFound => {
            Err(ApiError::bad_request("sms_code_not_found").field(field))
        }
        CheckOutcome::Wrong { attempts } => {
            let remaining = sms::MAX_ATTEMPTS.saturating_sub(attempts);
            if remaining == 0 {
                Err(ApiError::bad_request("sms_code_attempts_exceeded").field(field))
            } else {
                Err(ApiError::bad_request("sms_code_invalid")
                    .field(field)
                    .param("remaining", remaining))
            }
        }
        CheckOutcome::Expired => Err(ApiError::bad_request("sms_code_expired").field(field)),
        CheckOutcome::TooManyAttempts => {
            Err(ApiError::bad_request("sms_code_attempts_exceeded").field(field))
        }
    }
}
