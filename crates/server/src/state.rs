//! What every handler can reach: settings, the database pool, keys and adapters.

use signet_pki::MasterKey;
use signet_store::blob::BlobStore;
use signet_store::sea_orm::DatabaseConnection;
use std::sync::Arc;

use crate::adapters::identity::IdentityVerifier;
use crate::adapters::sms::{DevSms, SmsSender};
use crate::auth::JwtKeys;
use crate::builtin_ca::BuiltinCa;
use crate::config::Settings;
use crate::problem::{ApiError, ApiResult};

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
    /// The built-in PKI; `None` until `signet pki init` has run.
    pub ca: Option<Arc<BuiltinCa>>,
    /// Where signature and document timestamps come from: `pki.tsa_url`, else the built-in
    /// TSAs; `None` without either. Decided once at start.
    pub timestamps: Option<crate::app::signing::Timestamps>,
    /// Outside CAs whose certificates users may bind (`pki.outside_ca_files`).
    pub outside_cas: Arc<signet_pki::verify::TrustAnchors>,
    /// Per-IP limit of public verification uploads.
    pub verify_limiter: crate::ratelimit::RateLimiter,
    /// Per-IP limit of password logins.
    pub login_limiter: crate::ratelimit::RateLimiter,
    /// Per-IP limit of registrations.
    pub register_limiter: crate::ratelimit::RateLimiter,
    /// Per-IP limit of the PKI's signing services (CRLs, OCSP, timestamps).
    pub pki_limiter: crate::ratelimit::RateLimiter,
    /// Per-caller limit of signer lookups (添加签署人 by name and phone).
    pub lookup_limiter: crate::ratelimit::RateLimiter,
}

impl AppState {
    /// The PKI, or 503 `pki_not_initialised`.
    pub fn ca(&self) -> ApiResult<&BuiltinCa> {
        self.ca
            .as_deref()
            .ok_or_else(|| ApiError::unavailable("pki_not_initialised", 60))
    }
}
