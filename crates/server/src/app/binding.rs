//! Outside CAs' certificates: checked now (chain, validity, key usage, revocation) and proved
//! to be held (a signature over a login challenge).

use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::web;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use signet_api::CertLogin;
use signet_pki::verify::TrustAnchors;
use signet_pki::verify::chain::{ChainInput, Purpose, validate_chain};
use signet_pki::verify::revocation::RevocationStatus;
use signet_store::repo::login_challenges;
use std::sync::Arc;
use x509_cert::Certificate;

/// Checks an outside CA's certificate now: a path to a configured outside CA, validity, key
/// usage for signing, and revocation data fetched from the URLs it names.
pub async fn check_outside(
    anchors: Arc<TrustAnchors>,
    cert: &Certificate,
    policy: crate::revocation::FetchPolicy,
) -> ApiResult<()> {
    if anchors.is_empty() {
        return Err(ApiError::unprocessable("untrusted_certificate"));
    }
    let leaf = cert.clone();
    let report = web::block(move || {
        let material =
            crate::revocation::fetch_revocation(std::slice::from_ref(&leaf), &anchors, policy);
        validate_chain(&ChainInput {
            leaf: &leaf,
            intermediates: &material.certificates,
            anchors: &anchors,
            at: Utc::now(),
            revocation: &material,
            purpose: Purpose::DocumentSigning,
        })
    })
    .await?;
    if report
        .revocation
        .iter()
        .any(|r| matches!(r.status, RevocationStatus::Revoked { .. }))
    {
        return Err(ApiError::conflict("certificate_revoked").param("id", "outside"));
    }
    if !report.trusted {
        return Err(ApiError::unprocessable("untrusted_certificate"));
    }
    Ok(())
}

/// Where the server may fetch revocation data from (`pki.revocation_fetch_private`).
pub fn fetch_policy(state: &AppState) -> crate::revocation::FetchPolicy {
    crate::revocation::FetchPolicy {
        private_addresses: state.settings.pki.revocation_fetch_private,
    }
}

/// The subject's serialNumber when it has the shape of an 18-character ID-card number.
pub fn subject_id_number(subject: &str) -> Option<String> {
    subject
        .split(", ")
        .filter_map(|part| part.strip_prefix("SERIALNUMBER="))
        .map(str::trim)
        .find(|v| {
            v.len() == 18
                && v.bytes().take(17).all(|b| b.is_ascii_digit())
                && v.bytes()
                    .last()
                    .is_some_and(|b| b.is_ascii_digit() || b == b'X' || b == b'x')
        })
        .map(str::to_owned)
}

/// The bytes a client signs for a challenge.
pub fn challenge_text(id: &str, nonce: &str) -> String {
    format!("signet-login\n{id}\n{nonce}")
}

/// Checks a signed challenge (`CertLogin`): the certificate and signature are readable (400
/// otherwise), the challenge exists and is used up by this attempt, right or wrong (401
/// `challenge_expired` when it was used or is too old: no replays, no retries), and the
/// signature over it verifies with the certificate (`bad_signature()` otherwise). Shared by
/// certificate login and certificate binding.
pub async fn proof_of_possession(
    state: &AppState,
    body: &CertLogin,
    bad_signature: impl Fn() -> ApiError,
) -> ApiResult<Certificate> {
    let cert = signet_pki::sign::parse_certificates_pem(&body.certificate)
        .ok()
        .and_then(|c| c.into_iter().next())
        .ok_or_else(|| ApiError::bad_request("invalid_certificate").field("certificate"))?;
    let signature = STANDARD
        .decode(body.signature.trim())
        .map_err(|_| ApiError::bad_request("invalid_signature_encoding").field("signature"))?;
    let challenge = login_challenges::by_id(&state.db, &body.challenge_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("challenge_expired"))?;
    if !login_challenges::consume(&state.db, &challenge.id, Utc::now()).await? {
        return Err(ApiError::unauthorized("challenge_expired"));
    }
    let message = challenge_text(&challenge.id, &challenge.nonce);
    signet_pki::sign::verify_by_certificate(&cert, message.as_bytes(), &signature)
        .map_err(|_| bad_signature())?;
    Ok(cert)
}

#[cfg(test)]
mod tests {
    #[test]
    fn id_numbers_in_subjects() {
        assert_eq!(
            super::subject_id_number("CN=王小明, SERIALNUMBER=11010519900101001X, C=CN").as_deref(),
            Some("11010519900101001X")
        );
        assert_eq!(
            super::subject_id_number("CN=王小明, SERIALNUMBER=SIG-ABC, C=CN"),
            None
        );
        assert_eq!(super::subject_id_number("CN=王小明"), None);
    }
}
