//! What every handler can reach: settings, the database pool, keys and adapters.

use signet_pki::MasterKey;
use signet_store::blob::BlobStore;
use signet_store::sea_orm::DatabaseConnection;
use std::sync::Arc;

use crate::adapters::identity::IdentityVerifier;
use crate::adapters::sms::{DevSms, SmsSender};
use crate::auth::JwtKeys;
use crate::config::Settings;

pub struct AppState {
    pub settings: Settings,
    pub db: DatabaseConnection,
    pub master: MasterKey,
    pub jwt: JwtKeys,
    pub sms: Arc<dyn SmsSender>,
    /// The dev SMS sender's outbox, readable at `/api/v1/dev/sms-outbox` in demo mode.
    pub dev_sms: Option<Arc<DevSms>>,
    pub identity: Arc<dyn IdentityVerifier>,
    pub blobs: Arc<dyn BlobStore>,
}
