//! Certificate login (数字证书登录): `POST /api/v1/auth/cert/challenge` hands out a single-use
//! nonce (2 minutes); the client signs it with a certificate's key (the panel with a local
//! agent, or any software key) and posts signature + certificate to
//! `POST /api/v1/auth/cert/login`. The server checks the signature, that the built-in CA issued
//! exactly this certificate to a user (the stored certificate, byte for byte), that it is within
//! its validity and not revoked, and logs that user in — or that an outside CA's certificate is
//! bound to a user (`routes::binding`), still chains to a configured outside CA, is valid and
//! is not revoked according to its OCSP responders or CRLs.

use actix_web::{HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use der::Encode;
use rand::RngCore;
use signet_api::{CertChallenge, CertLogin, TokenPair};
use signet_domain::certificate::{BindingStatus, CertPurpose};
use signet_store::repo::{login_challenges, pki as repo, users};
use signet_store::sea_orm::TransactionTrait;

use crate::app::binding::{challenge_text, proof_of_possession};
use crate::auth::issue_pair;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub const CHALLENGE_TTL: Duration = Duration::minutes(2);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/cert/challenge", web::post().to(challenge))
        .route("/auth/cert/login", web::post().to(login));
}

/// A new login challenge. Public.
#[utoipa::path(post, path = "/api/v1/auth/cert/challenge", tag = "accounts",
    responses((status = 201, body = CertChallenge)))]
pub async fn challenge(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let nonce = URL_SAFE_NO_PAD.encode(bytes);
    let now = Utc::now();
    let row = login_challenges::LoginChallenge {
        id: signet_store::new_id("chl"),
        nonce,
        expires_at: now + CHALLENGE_TTL,
        used_at: None,
        created_at: now,
    };
    login_challenges::insert(&state.db, row.clone()).await?;
    Ok(HttpResponse::Created().json(CertChallenge {
        challenge: challenge_text(&row.id, &row.nonce),
        challenge_id: row.id,
        expires_at: row.expires_at,
    }))
}

fn refused() -> ApiError {
    ApiError::unauthorized("certificate_login_failed")
}

/// Logs in with a certificate. Public. Every refusal is 401 `certificate_login_failed` except a
/// used or expired challenge (401 `challenge_expired`), so nothing about who holds which
/// certificate leaks.
#[utoipa::path(post, path = "/api/v1/auth/cert/login", tag = "accounts",
    request_body = CertLogin,
    responses((status = 200, body = TokenPair),
        (status = 400, description = "Malformed certificate or signature"),
        (status = 401, description = "Refused")))]
pub async fn login(
    state: web::Data<AppState>,
    body: web::Json<CertLogin>,
) -> ApiResult<HttpResponse> {
    let trust = state.ca()?;
    let now = Utc::now();
    let cert = proof_of_possession(&state, &body, refused).await?;
    // Issued by one of the built-in CAs, and exactly the certificate stored for a user; or an
    // outside CA's certificate bound to a user and still valid and not revoked.
    let (user_id, via) = match trust
        .cas()
        .iter()
        .find(|ca| signet_pki::verify::chain::signed_by(&cert, &ca.cert))
    {
        Some(ca) => {
            let serial = signet_pki::ca::serial_hex(cert.tbs_certificate().serial_number());
            let row = repo::by_serial(&state.db, &ca.id, &serial)
                .await?
                .ok_or_else(refused)?;
            let der = cert.to_der().map_err(|_| refused())?;
            let holder = match (row.purpose, &row.user_id) {
                (CertPurpose::User, Some(user_id)) if row.cert_der == der => user_id.clone(),
                _ => return Err(refused()),
            };
            if row.revoked_at.is_some() || now < row.not_before || now > row.not_after {
                return Err(refused());
            }
            (holder, row.id)
        }
        None => {
            let fingerprint = signet_pki::verify::CertificateSummary::of(&cert).sha256_hex;
            let binding = signet_store::repo::bound::by_fingerprint(&state.db, &fingerprint)
                .await?
                .filter(|b| b.status == BindingStatus::Active)
                .ok_or_else(refused)?;
            crate::app::binding::check_outside(
                state.outside_cas.clone(),
                &cert,
                crate::app::binding::fetch_policy(&state),
            )
            .await
            .map_err(|_| refused())?;
            (binding.user_id, binding.id)
        }
    };
    let user = users::by_id(&state.db, &user_id)
        .await?
        .ok_or_else(refused)?;
    let txn = state.db.begin().await?;
    let pair = issue_pair(&txn, &state, &user.id, None, now).await?;
    txn.commit().await?;
    tracing::info!(user = %user.id, certificate = %via, "certificate login");
    Ok(HttpResponse::Ok().json(pair))
}
