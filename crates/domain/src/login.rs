//! Password-login throttling: 5 wrong passwords within 15 minutes lock the account for
//! 15 minutes. The state is stored with the user. Each attempt is counted by the store
//! *before* the password is checked (a conditional update that fails once [`MAX_FAILURES`]
//! were counted in the window), so concurrent guesses cannot exceed the limit; a wrong
//! password that used the last attempt locks the account until now + [`LOCK_DURATION`].

use chrono::{DateTime, Duration, Utc};

pub const MAX_FAILURES: u32 = 5;
pub const FAILURE_WINDOW: Duration = Duration::minutes(15);
pub const LOCK_DURATION: Duration = Duration::minutes(15);

/// What is stored per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginThrottle {
    pub failures: u32,
    pub window_start: Option<DateTime<Utc>>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl LoginThrottle {
    /// `Some(until)` while the account is locked at `now`.
    pub fn locked_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|until| *until > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(min)
    }

    #[test]
    fn locked_only_until_the_end() {
        let s = LoginThrottle {
            failures: MAX_FAILURES,
            window_start: Some(t(0)),
            locked_until: Some(t(0) + LOCK_DURATION),
        };
        assert_eq!(s.locked_at(t(14)), Some(t(15)));
        assert_eq!(s.locked_at(t(15)), None);
        assert_eq!(LoginThrottle::default().locked_at(t(0)), None);
    }
}
