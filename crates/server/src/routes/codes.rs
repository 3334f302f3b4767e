//! Image captchas and SMS verification codes.
//!
//! Security counters (a captcha used up, a wrong SMS code counted) are committed even when
//! the request then fails: that is their purpose. They are the only writes such a request
//! makes, so a failed request still leaves no business data behind.

use actix_web::{HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, Utc};
use rand::Rng;
use signet_api::{CaptchaChallenge, SendSmsCode, SmsCodeSent};
use signet_domain::identity::PhoneNumber;
use signet_domain::sms::{self, SendRefusal, SmsPurpose};
use signet_store::repo::{captchas, sms_codes, users};
use signet_store::sea_orm::TransactionTrait;
use subtle::ConstantTimeEq;

use crate::app::codes::code_digest;
use crate::auth::ClientMeta;
use crate::problem::{ApiError, ApiResult};
use crate::routes::china_midnight;
use crate::state::AppState;

pub const CAPTCHA_TTL: Duration = Duration::minutes(5);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/captcha", web::post().to(new_captcha))
        .route("/sms/send", web::post().to(send_sms_code));
}

/// A new image captcha (4 characters, single use, expires in 5 minutes). Public.
#[utoipa::path(post, path = "/api/v1/captcha", tag = "verification",
    responses((status = 201, body = CaptchaChallenge)))]
pub async fn new_captcha(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let (answer, png) = web::block(|| {
        let mut c = captcha::Captcha::new();
        c.add_chars(4)
            .apply_filter(captcha::filters::Noise::new(0.2))
            .apply_filter(captcha::filters::Wave::new(2.0, 12.0))
            .view(160, 60);
        (c.chars_as_string(), c.as_png())
    })
    .await?;
    let png = png.ok_or_else(|| ApiError::internal(anyhow::anyhow!("captcha rendering failed")))?;
    let now = Utc::now();
    let id = signet_store::new_id("cap");
    captchas::insert(
        &state.db,
        captchas::Captcha {
            id: id.clone(),
            answer: answer.to_uppercase(),
            expires_at: now + CAPTCHA_TTL,
            used_at: None,
            created_at: now,
        },
    )
    .await?;
    // Expired captchas are of no use to anyone: drop them as new ones are made.
    captchas::purge(&state.db, now - Duration::hours(1)).await?;
    Ok(HttpResponse::Created().json(CaptchaChallenge {
        captcha_id: id,
        image: format!("data:image/png;base64,{}", STANDARD.encode(png)),
        expires_at: now + CAPTCHA_TTL,
    }))
}

/// Uses the captcha up (single use, right or wrong) and checks the answer.
pub async fn check_captcha(state: &AppState, id: &str, answer: &str) -> ApiResult<()> {
    let now = Utc::now();
    let expired = || ApiError::bad_request("captcha_expired").field("captcha_answer");
    let cap = captchas::by_id(&state.db, id).await?.ok_or_else(expired)?;
    if !captchas::consume(&state.db, id, now).await? || cap.expires_at <= now {
        return Err(expired());
    }
    let given = answer.trim().to_uppercase();
    if given.as_bytes().ct_eq(cap.answer.as_bytes()).into() {
        Ok(())
    } else {
        Err(ApiError::bad_request("captcha_invalid").field("captcha_answer"))
    }
}

/// Sends a 6-digit code to a phone, after the image captcha. Public; limited to one code a
/// minute and 10 a day per phone, and 20 an hour per client address. Codes for login or
/// password reset are only delivered to registered phones, but the answer is the same either
/// way, so this cannot be used to find out who is registered.
#[utoipa::path(post, path = "/api/v1/sms/send", tag = "verification",
    request_body = SendSmsCode,
    responses(
        (status = 201, body = SmsCodeSent),
        (status = 400, description = "Bad phone, purpose or captcha"),
        (status = 409, description = "Registering a phone that is already registered"),
        (status = 429, description = "Too soon, or a daily or per-address limit"),
        (status = 503, description = "The SMS gateway failed")))]
pub async fn send_sms_code(
    state: web::Data<AppState>,
    meta: ClientMeta,
    body: web::Json<SendSmsCode>,
) -> ApiResult<HttpResponse> {
    let phone = PhoneNumber::parse(&body.phone)?;
    let purpose = SmsPurpose::parse(&body.purpose)
        .ok_or_else(|| ApiError::bad_request("invalid_sms_purpose").field("purpose"))?;
    check_captcha(&state, &body.captcha_id, &body.captcha_answer).await?;

    let registered = users::by_phone(&state.db, phone.as_str()).await?.is_some();
    if purpose == SmsPurpose::Register && registered {
        return Err(ApiError::conflict("phone_taken").field("phone"));
    }
    let deliver = purpose == SmsPurpose::Register || registered;

    let now = Utc::now();
    let last = sms_codes::last_to_phone(&state.db, phone.as_str()).await?;
    let today =
        sms_codes::count_to_phone_since(&state.db, phone.as_str(), china_midnight(now)).await?;
    let from_ip =
        sms_codes::count_from_ip_since(&state.db, &meta.ip, now - Duration::hours(1)).await?;
    match sms::may_send(now, last.map(|c| c.created_at), today, from_ip) {
        Ok(()) => {}
        Err(SendRefusal::TooSoon { retry_after_secs }) => {
            let secs = retry_after_secs.max(1) as u64;
            return Err(ApiError::too_many("sms_too_frequent", secs).param("seconds", secs));
        }
        Err(SendRefusal::DailyLimit) => {
            return Err(ApiError::too_many("sms_daily_limit", 3600));
        }
        Err(SendRefusal::IpLimit) => return Err(ApiError::too_many("sms_ip_limit", 600)),
    }

    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
    let id = signet_store::new_id("sms");
    let expires_at = now + sms::CODE_TTL;
    let txn = state.db.begin().await?;
    sms_codes::insert(
        &txn,
        sms_codes::SmsCode {
            id: id.clone(),
            phone: phone.as_str().to_owned(),
            purpose: purpose.as_str().to_owned(),
            code_hash: code_digest(&state, &id, &code),
            ip: meta.ip.clone(),
            attempts: 0,
            expires_at,
            consumed_at: None,
            created_at: now,
        },
    )
    .await?;
    if deliver {
        let text = format!("【Signet】您的验证码为 {code}，5 分钟内有效，请勿泄露给他人。");
        state.sms.send(phone.as_str(), &text).await.map_err(|e| {
            tracing::warn!(phone = %phone.masked(), error = %e, "SMS gateway failed");
            ApiError::unavailable("sms_send_failed", 30)
        })?;
    }
    txn.commit().await?;
    tracing::info!(phone = %phone.masked(), purpose = purpose.as_str(), delivered = deliver, "SMS code issued");
    Ok(HttpResponse::Created().json(SmsCodeSent {
        expires_at,
        resend_after: sms::RESEND_INTERVAL.num_seconds() as u64,
    }))
}
