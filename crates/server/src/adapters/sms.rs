//! Sending text messages. The dev sender keeps messages in an outbox that demo mode exposes
//! at `GET /api/v1/dev/sms-outbox`, so a person trying the demo (and the tests) can read codes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::VecDeque;
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    #[error("the SMS gateway refused or failed: {0}")]
    Gateway(String),
}

#[async_trait]
pub trait SmsSender: Send + Sync {
    async fn send(&self, phone: &str, text: &str) -> Result<(), SmsError>;
}

#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub phone: String,
    pub text: String,
    pub sent_at: DateTime<Utc>,
}

/// Records messages instead of sending them. Keeps the newest 1,000.
#[derive(Debug, Default)]
pub struct DevSms {
    outbox: Mutex<VecDeque<OutboxMessage>>,
}

const OUTBOX_CAP: usize = 1000;

impl DevSms {
    /// Newest first; only messages to `phone` when given.
    pub fn outbox(&self, phone: Option<&str>) -> Vec<OutboxMessage> {
        let Ok(outbox) = self.outbox.lock() else {
            return Vec::new();
        };
        outbox
            .iter()
            .rev()
            .filter(|m| phone.is_none_or(|p| m.phone == p))
            .cloned()
            .collect()
    }
}

#[async_trait]
impl SmsSender for DevSms {
    async fn send(&self, phone: &str, text: &str) -> Result<(), SmsError> {
        let mut outbox = self
            .outbox
            .lock()
            .map_err(|_| SmsError::Gateway("outbox poisoned".into()))?;
        if outbox.len() == OUTBOX_CAP {
            outbox.pop_front();
        }
        outbox.push_back(OutboxMessage {
            phone: phone.to_owned(),
            text: text.to_owned(),
            sent_at: Utc::now(),
        });
        Ok(())
    }
}
