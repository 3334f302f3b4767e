//! SMS verification-code rules: a code lives 5 minutes, allows at most 5 tries, can be
//! re-sent after 60 s, and a phone gets at most 10 codes a day.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub const CODE_TTL: Duration = Duration::minutes(5);
pub const MAX_ATTEMPTS: u32 = 5;
pub const RESEND_INTERVAL: Duration = Duration::seconds(60);
pub const DAILY_LIMIT_PER_PHONE: u64 = 10;
/// Codes requested from one IP address within an hour (across phones).
pub const HOURLY_LIMIT_PER_IP: u64 = 20;

/// What a code is for; a code for one purpose cannot be used for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsPurpose {
    Register,
    Login,
    ResetPassword,
    /// Unlocking a certificate locked by wrong PINs, or replacing its key under a new PIN.
    CertificatePin,
}

impl SmsPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Login => "login",
            Self::ResetPassword => "reset_password",
            Self::CertificatePin => "certificate_pin",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "register" => Some(Self::Register),
            "login" => Some(Self::Login),
            "reset_password" => Some(Self::ResetPassword),
            "certificate_pin" => Some(Self::CertificatePin),
            _ => None,
        }
    }
}

/// Why a code may not be sent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendRefusal {
    /// The last code to this phone was sent less than 60 s ago; retry after this many seconds.
    TooSoon {
        retry_after_secs: i64,
    },
    DailyLimit,
    IpLimit,
}

/// Decides whether a new code may be sent, given the history the store counted.
pub fn may_send(
    now: DateTime<Utc>,
    last_sent_to_phone: Option<DateTime<Utc>>,
    sent_to_phone_today: u64,
    sent_from_ip_last_hour: u64,
) -> Result<(), SendRefusal> {
    if let Some(last) = last_sent_to_phone {
        let next = last + RESEND_INTERVAL;
        if next > now {
            let secs = (next - now).num_seconds().max(1);
            return Err(SendRefusal::TooSoon {
                retry_after_secs: secs,
            });
        }
    }
    if sent_to_phone_today >= DAILY_LIMIT_PER_PHONE {
        return Err(SendRefusal::DailyLimit);
    }
    if sent_from_ip_last_hour >= HOURLY_LIMIT_PER_IP {
        return Err(SendRefusal::IpLimit);
    }
    Ok(())
}

/// The stored state of one issued code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuedCode {
    pub expires_at: DateTime<Utc>,
    pub attempts: u32,
    pub consumed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    /// The code matched: consume it.
    Accepted,
    /// Wrong code; `attempts` have been used (this one included).
    Wrong {
        attempts: u32,
    },
    Expired,
    TooManyAttempts,
    /// No live code (never sent, or already used).
    NotFound,
}

/// A code is checked in two steps so that concurrent guesses cannot exceed [`MAX_ATTEMPTS`]:
/// `admit` decides from the stored state whether the newest code may be tried at all; the
/// caller then counts the attempt atomically (an update that succeeds only while fewer than
/// [`MAX_ATTEMPTS`] were used) *before* comparing, and [`judge`] reads the comparison.
pub fn admit(code: Option<IssuedCode>, now: DateTime<Utc>) -> Result<(), CheckOutcome> {
    let Some(code) = code.filter(|c| !c.consumed) else {
        return Err(CheckOutcome::NotFound);
    };
    if code.expires_at <= now {
        return Err(CheckOutcome::Expired);
    }
    if code.attempts >= MAX_ATTEMPTS {
        return Err(CheckOutcome::TooManyAttempts);
    }
    Ok(())
}

/// The outcome of a counted attempt: `attempts` is the stored count after this attempt was
/// taken; `matches` whether the typed code equals the stored one (compared in constant time).
pub fn judge(attempts: u32, matches: bool) -> CheckOutcome {
    if matches {
        CheckOutcome::Accepted
    } else {
        CheckOutcome::Wrong { attempts }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn resend_interval_and_limits() {
        assert_eq!(may_send(t(0), None, 0, 0), Ok(()));
        assert_eq!(
            may_send(t(30), Some(t(0)), 1, 1),
            Err(SendRefusal::TooSoon {
                retry_after_secs: 30
            })
        );
        assert_eq!(may_send(t(60), Some(t(0)), 1, 1), Ok(()));
        assert_eq!(
            may_send(t(60), Some(t(0)), 10, 1),
            Err(SendRefusal::DailyLimit)
        );
        assert_eq!(
            may_send(t(60), Some(t(0)), 9, 20),
            Err(SendRefusal::IpLimit)
        );
    }

    #[test]
    fn code_checks() {
        let live = IssuedCode {
            expires_at: t(300),
            attempts: 0,
            consumed: false,
        };
        assert_eq!(admit(Some(live), t(10)), Ok(()));
        assert_eq!(judge(1, true), CheckOutcome::Accepted);
        assert_eq!(judge(1, false), CheckOutcome::Wrong { attempts: 1 });
        assert_eq!(admit(Some(live), t(300)), Err(CheckOutcome::Expired));
        let tired = IssuedCode {
            attempts: MAX_ATTEMPTS,
            ..live
        };
        assert_eq!(
            admit(Some(tired), t(10)),
            Err(CheckOutcome::TooManyAttempts)
        );
        let last = IssuedCode {
            attempts: MAX_ATTEMPTS - 1,
            ..live
        };
        assert_eq!(admit(Some(last), t(10)), Ok(()));
        let used = IssuedCode {
            consumed: true,
            ..live
        };
        assert_eq!(admit(Some(used), t(10)), Err(CheckOutcome::NotFound));
        assert_eq!(admit(None, t(10)), Err(CheckOutcome::NotFound));
    }

    #[test]
    fn purposes_round_trip() {
        for p in [
            SmsPurpose::Register,
            SmsPurpose::Login,
            SmsPurpose::ResetPassword,
            SmsPurpose::CertificatePin,
        ] {
            assert_eq!(SmsPurpose::parse(p.as_str()), Some(p));
        }
        assert_eq!(SmsPurpose::parse("other"), None);
    }
}
