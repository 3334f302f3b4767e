//! Certificates as the API shows them, their holders (subject names), and who owns one.

use crate::app::certificate_keys::MAX_PIN_ATTEMPTS;
use crate::auth::AuthUser;
use crate::builtin_ca::{self, BuiltinCa, Holder};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use base64::Engine as _;
use chrono::Utc;
use signet_api::CertificateView;
use signet_domain::access::Owner;
use signet_domain::certificate::CertPurpose;
use signet_domain::org::Role;
use signet_pki::ca::SubjectName;
use signet_store::repo::{orgs, pki as repo, users};

/// Who owns a certificate row: its organisation, or the person it was issued to.
pub(crate) fn certificate_owner(row: &signet_store::repo::pki::Certificate) -> Owner<'_> {
    match (row.purpose, &row.org_id, &row.user_id) {
        (CertPurpose::Org, Some(org), _) => Owner::Org(org),
        (_, _, Some(user)) => Owner::Person(user),
        // Not a holder's certificate: owned by nobody a seal can name.
        _ => Owner::Org(""),
    }
}

/// The API view of a stored certificate.
pub fn view(trust: &BuiltinCa, row: &repo::Certificate) -> CertificateView {
    let now = Utc::now();
    let status = if row.revoked_at.is_some() {
        "revoked"
    } else if now > row.not_after {
        "expired"
    } else if row.locked_at.is_some() || row.pin_failures >= MAX_PIN_ATTEMPTS {
        "locked"
    } else {
        "valid"
    };
    let chain = trust.chain_of(&row.ca_id);
    let issuer = trust
        .ca(&row.ca_id)
        .map(|c| signet_pki::verify::CertificateSummary::of(&c.cert).subject)
        .unwrap_or_default();
    let mut chain_pem = String::new();
    for c in &chain {
        if let Ok(der) = der::Encode::to_der(c) {
            chain_pem.push_str(&String::from_utf8_lossy(&pem_of(&der, "CERTIFICATE")));
        }
    }
    CertificateView {
        id: row.id.clone(),
        kind: if row.purpose == CertPurpose::Org {
            "organization"
        } else {
            "personal"
        }
        .into(),
        org_id: row.org_id.clone(),
        algorithm: row.algorithm,
        subject: row.subject.clone(),
        issuer,
        serial: row.serial.clone(),
        not_before: row.not_before,
        not_after: row.not_after,
        status: status.into(),
        pin_attempts_left: (MAX_PIN_ATTEMPTS - row.pin_failures).max(0) as u32,
        key_location: if row.pin_protected {
            "server"
        } else {
            "client"
        }
        .into(),
        revoked_at: row.revoked_at,
        revocation_reason: row.revocation_reason.clone(),
        replaced_by: row.replaced_by.clone(),
        certificate_pem: String::from_utf8_lossy(&pem_of(&row.cert_der, "CERTIFICATE"))
            .into_owned(),
        chain_pem,
    }
}

/// The subject and holder for a new certificate of `kind`, after the identity rules.
pub async fn holder_for<'a>(
    state: &AppState,
    user: &'a AuthUser,
    kind: &str,
    org_id: Option<&'a str>,
) -> ApiResult<Holder<'a>> {
    let u = users::by_id(&state.db, &user.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("invalid_token"))?;
    match kind {
        "personal" => {
            if u.real_name_verified_at.is_none() {
                return Err(ApiError::forbidden("real_name_required"));
            }
            Ok(Holder {
                purpose: CertPurpose::User,
                user_id: &user.user_id,
                org_id: None,
                subject: SubjectName {
                    common_name: u.real_name.clone(),
                    organization: None,
                    organizational_unit: Some("Personal".into()),
                    // A keyed digest of the ID number: stable for the person, not reversible.
                    serial_number: Some(subject_identifier(state, &u.id_card_index)),
                    country: Some("CN".into()),
                },
            })
        }
        "organization" => {
            let org_id =
                org_id.ok_or_else(|| ApiError::bad_request("org_required").field("org_id"))?;
            let m = orgs::membership(&state.db, org_id, &user.user_id)
                .await?
                .ok_or_else(|| ApiError::not_found("org_not_found"))?;
            if m.role != Role::Admin {
                return Err(ApiError::forbidden("not_org_admin"));
            }
            let org = orgs::by_id(&state.db, org_id)
                .await?
                .ok_or_else(|| ApiError::not_found("org_not_found"))?;
            if org.verified_at.is_none() {
                return Err(ApiError::forbidden("org_not_verified"));
            }
            Ok(Holder {
                purpose: CertPurpose::Org,
                user_id: &user.user_id,
                org_id: Some(org_id),
                subject: builtin_ca::org_subject(&org),
            })
        }
        _ => Err(ApiError::bad_request("invalid_certificate_kind").field("kind")),
    }
}

/// The subject serialNumber of a person: HMAC of the ID number's blind index under a purpose
/// of its own, so the certificate never carries the ID number or the database's lookup key.
fn subject_identifier(state: &AppState, id_card_index: &str) -> String {
    let digest = state
        .master
        .blind_index("certificate_subject", id_card_index.as_bytes());
    format!("SIG-{}", digest.get(..32).unwrap_or(&digest).to_uppercase())
}

/// PEM text of DER bytes.
pub fn pem_of(der: &[u8], label: &str) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out.into_bytes()
}
