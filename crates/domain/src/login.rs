//! Password-login throttling: 5 wrong passwords within 15 minutes lock the account for
//! 15 minutes. The state is stored with the user; these functions decide.

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

/// Outcome of recording a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureOutcome {
    /// Still allowed; this many attempts remain in the window.
    Remaining(u32),
    /// This failure locked the account until the given time.
    Locked(DateTime<Utc>),
}

impl LoginThrottle {
    /// `Some(until)` while the account is locked at `now`.
    pub fn locked_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|until| *until > now)
    }

    /// Records one wrong password at `now`, returning the new state and what it means.
    pub fn record_failure(self, now: DateTime<Utc>) -> (Self, FailureOutcome) {
        // A lock that has run out starts a fresh window; callers refuse logins while locked.
        let lock_expired = self.locked_until.is_some_and(|until| until <= now);
        let in_window = !lock_expired
            && self
                .window_start
                .is_some_and(|start| now - start < FAILURE_WINDOW);
        let (failures, window_start) = if in_window {
            (self.failures + 1, self.window_start)
        } else {
            (1, Some(now))
        };
        if failures >= MAX_FAILURES {
            let until = now + LOCK_DURATION;
            let next = Self {
                failures,
                window_start,
                locked_until: Some(until),
            };
            (next, FailureOutcome::Locked(until))
        } else {
            let next = Self {
                failures,
                window_start,
                locked_until: None,
            };
            (next, FailureOutcome::Remaining(MAX_FAILURES - failures))
        }
    }

    /// A successful login clears the counters.
    pub fn record_success(self) -> Self {
        Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(min)
    }

    #[test]
    fn five_failures_in_window_lock_for_fifteen_minutes() {
        let mut s = LoginThrottle::default();
        for i in 0..4 {
            let (n, out) = s.record_failure(t(i));
            assert_eq!(out, FailureOutcome::Remaining(4 - i as u32));
            s = n;
        }
        let (s, out) = s.record_failure(t(4));
        assert_eq!(out, FailureOutcome::Locked(t(19)));
        assert_eq!(s.locked_at(t(18)), Some(t(19)));
        assert_eq!(s.locked_at(t(19)), None);
    }

    #[test]
    fn failures_outside_window_start_over() {
        let mut s = LoginThrottle::default();
        for i in 0..4 {
            s = s.record_failure(t(i)).0;
        }
        let (s, out) = s.record_failure(t(20));
        assert_eq!(out, FailureOutcome::Remaining(4));
        assert_eq!(s.failures, 1);
    }

    #[test]
    fn after_lock_expires_counting_restarts() {
        let mut s = LoginThrottle::default();
        for i in 0..5 {
            s = s.record_failure(t(i)).0;
        }
        let (s, out) = s.record_failure(t(30));
        assert_eq!(out, FailureOutcome::Remaining(4));
        assert_eq!(s.locked_at(t(30)), None);
    }

    #[test]
    fn success_resets() {
        let s = LoginThrottle::default()
            .record_failure(t(0))
            .0
            .record_success();
        assert_eq!(s, LoginThrottle::default());
    }
}
