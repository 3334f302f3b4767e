//! Real-name check: name + ID-card number + phone against the carrier's records (the "three
//! elements" check the seed platform uses at registration).
//!
//! The dev provider decides by documented rules on the phone number, so every outcome can be
//! tried without a contract with a carrier:
//! - phone ending `0000`: the elements do not match;
//! - phone ending `9999`: the provider answers "unavailable";
//! - phone ending `8888`: the provider is slow (`identity.dev_slow_ms`), longer than the
//!   timeout by default, so the check fails as unavailable;
//! - `identity.dev_mode = "down"`: every check is unavailable;
//! - anything else matches.

use async_trait::async_trait;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Match,
    Mismatch,
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("the identity provider is unavailable")]
    Unavailable,
    #[error("the identity provider did not answer within {0:?}")]
    Timeout(Duration),
}

/// The elements to check. Holds the raw ID number only for the duration of the call.
pub struct IdentityQuery<'a> {
    pub real_name: &'a str,
    pub id_card_number: &'a str,
    pub phone: &'a str,
}

#[async_trait]
pub trait IdentityVerifier: Send + Sync {
    async fn verify(&self, q: &IdentityQuery<'_>) -> Result<Verdict, IdentityError>;
}

/// Wraps a provider with a deadline: a slow provider counts as unavailable.
pub async fn verify_with_timeout(
    provider: &dyn IdentityVerifier,
    q: &IdentityQuery<'_>,
    timeout: Duration,
) -> Result<Verdict, IdentityError> {
    match tokio::time::timeout(timeout, provider.verify(q)).await {
        Ok(r) => r,
        Err(_) => Err(IdentityError::Timeout(timeout)),
    }
}

#[derive(Debug, Clone)]
pub struct DevIdentity {
    pub down: bool,
    pub slow: Duration,
}

#[async_trait]
impl IdentityVerifier for DevIdentity {
    async fn verify(&self, q: &IdentityQuery<'_>) -> Result<Verdict, IdentityError> {
        if self.down || q.phone.ends_with("9999") {
            return Err(IdentityError::Unavailable);
        }
        if q.phone.ends_with("8888") {
            tokio::time::sleep(self.slow).await;
        }
        if q.phone.ends_with("0000") {
            return Ok(Verdict::Mismatch);
        }
        Ok(Verdict::Match)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(phone: &str) -> IdentityQuery<'_> {
        IdentityQuery {
            real_name: "张三",
            id_card_number: "11010519491231002X",
            phone,
        }
    }

    #[tokio::test]
    async fn dev_rules() {
        let p = DevIdentity {
            down: false,
            slow: Duration::from_millis(200),
        };
        let t = Duration::from_millis(50);
        assert_eq!(
            verify_with_timeout(&p, &q("13800138001"), t).await.unwrap(),
            Verdict::Match
        );
        assert_eq!(
            verify_with_timeout(&p, &q("13800130000"), t).await.unwrap(),
            Verdict::Mismatch
        );
        assert!(matches!(
            verify_with_timeout(&p, &q("13800139999"), t).await,
            Err(IdentityError::Unavailable)
        ));
        assert!(matches!(
            verify_with_timeout(&p, &q("13800138888"), t).await,
            Err(IdentityError::Timeout(_))
        ));
        let down = DevIdentity { down: true, ..p };
        assert!(
            verify_with_timeout(&down, &q("13800138001"), t)
                .await
                .is_err()
        );
    }
}
