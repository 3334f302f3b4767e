//! Revocation status from OCSP responses and CRLs supplied by the caller (from a PDF's DSS,
//! the CMS `crls` field, or fetched online by the CLI). No network access here.

use super::algorithm::verify_signature;
use super::ber;
use super::name::format_name;
use super::ocsp::{BasicOcspResponse, CertStatus, OcspResponse, OcspResponseStatus, reason_name};
use super::time::x509_time;
use super::{VerifyError, oid};
use chrono::{DateTime, Utc};
use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::{CrlReason, ExtendedKeyUsage};

/// Certificates, OCSP responses and CRLs available for revocation checks.
#[derive(Clone, Debug, Default)]
pub struct RevocationMaterial {
    /// Further certificates: delegated OCSP responders, intermediates.
    pub certificates: Vec<Certificate>,
    /// DER `OCSPResponse`s or bare `BasicOCSPResponse`s.
    pub ocsp_responses: Vec<Vec<u8>>,
    /// DER CRLs.
    pub crls: Vec<Vec<u8>>,
}

/// Where a revocation status came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum RevocationSource {
    /// An OCSP response.
    Ocsp,
    /// A CRL.
    Crl,
}

/// The revocation status of one certificate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum RevocationStatus {
    /// Not revoked, according to a valid response or CRL.
    Good {
        /// The source.
        source: RevocationSource,
        /// When the status was asserted (OCSP `thisUpdate`, CRL `thisUpdate`).
        checked_at: DateTime<Utc>,
    },
    /// Revoked, according to a valid response or CRL.
    Revoked {
        /// The source.
        source: RevocationSource,
        /// When the certificate was revoked.
        revoked_at: DateTime<Utc>,
        /// The reason ("keyCompromise", ...), if given.
        reason: Option<String>,
    },
    /// No usable material about this certificate.
    Unknown,
    /// Material about this certificate is present but cannot be trusted (bad signature,
    /// unauthorised responder, ...).
    Invalid(String),
}

/// The revocation status of one certificate of a chain.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RevocationCheck {
    /// The certificate's subject.
    pub subject: String,
    /// Its status.
    pub status: RevocationStatus,
}

/// Verifies `tbs` (raw) signed with `issuer`'s key.
fn verify_signed(
    signer: &Certificate,
    algorithm: &spki::AlgorithmIdentifierOwned,
    tbs: &[u8],
    signature: &der::asn1::BitString,
) -> Result<(), VerifyError> {
    let sig = signature.as_bytes().ok_or(VerifyError::BadSignature)?;
    verify_signature(
        signer.tbs_certificate().subject_public_key_info(),
        algorithm,
        None,
        tbs,
        sig,
    )
    .map(|_| ())
}

/// Was `cert` issued (name and signature) by `issuer`?
pub(crate) fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    let (Ok(a), Ok(b)) = (
        cert.tbs_certificate().issuer().to_der(),
        issuer.tbs_certificate().subject().to_der(),
    ) else {
        return false;
    };
    if a != b {
        return false;
    }
    let Ok(tbs) = cert.tbs_certificate().to_der() else {
        return false;
    };
    verify_signed(issuer, cert.signature_algorithm(), &tbs, cert.signature()).is_ok()
}

fn within_validity(cert: &Certificate, at: DateTime<Utc>) -> bool {
    let v = cert.tbs_certificate().validity();
    match (x509_time(&v.not_before), x509_time(&v.not_after)) {
        (Some(nb), Some(na)) => nb <= at && at <= na,
        _ => false,
    }
}

/// Checks the signature of a basic OCSP response: by the issuer itself, or by a delegated
/// responder certified by the issuer for OCSP signing.
fn check_ocsp_signer(
    basic_der: &[u8],
    basic: &BasicOcspResponse,
    issuer: &Certificate,
    material: &RevocationMaterial,
) -> Result<(), String> {
    let parts = ber::signed_parts(basic_der, "BasicOCSPResponse").map_err(|e| e.to_string())?;
    let tbs = parts.first().map(|t| t.raw).unwrap_or_default();
    let rid = &basic.tbs_response_data.responder_id;
    if rid.names(issuer) {
        return verify_signed(issuer, &basic.signature_algorithm, tbs, &basic.signature).map_err(
            |_| "the OCSP response signature does not verify with the issuer's key".to_owned(),
        );
    }
    let produced = basic.tbs_response_data.produced_at.0;
    let embedded = basic.certs.as_deref().unwrap_or_default();
    let mut saw_responder = false;
    for responder in embedded.iter().chain(material.certificates.iter()) {
        if !rid.names(responder) {
            continue;
        }
        saw_responder = true;
        let eku_ok = matches!(
            responder.tbs_certificate().get_extension::<ExtendedKeyUsage>(),
            Ok(Some((_, eku))) if eku.0.contains(&oid::KP_OCSP_SIGNING)
        );
        if !eku_ok || !issued_by(responder, issuer) || !within_validity(responder, produced) {
            continue;
        }
        if verify_signed(responder, &basic.signature_algorithm, tbs, &basic.signature).is_ok() {
            return Ok(());
        }
    }
    Err(if saw_responder {
        "the OCSP response is not signed by the issuer or by a responder it authorised (id-kp-OCSPSigning)".to_owned()
    } else {
        "the OCSP responder's certificate is not available".to_owned()
    })
}

/// The basic response inside an `OCSPResponse` (or a bare `BasicOCSPResponse`).
fn basic_response_der(der: &[u8]) -> Option<Vec<u8>> {
    match OcspResponse::from_der(der) {
        Ok(r) => match (r.response_status, r.response_bytes) {
            (OcspResponseStatus::Successful, Some(rb)) if rb.response_type == oid::OCSP_BASIC => {
                Some(rb.response.as_bytes().to_vec())
            }
            _ => None,
        },
        Err(_) => Some(der.to_vec()),
    }
}

fn crl_reason(ext: &x509_cert::ext::Extension) -> Option<String> {
    CrlReason::from_der(ext.extn_value.as_bytes())
        .ok()
        .map(|r| reason_name(r).to_owned())
}

/// The revocation status of `cert` (issued by `issuer`) from `material`. Every OCSP response
/// and CRL about the certificate is considered: a valid "revoked" wins over a valid "good";
/// material that fails its checks gives [`RevocationStatus::Invalid`] only when nothing valid
/// is found; nothing at all gives [`RevocationStatus::Unknown`].
pub fn check_revocation(
    cert: &Certificate,
    issuer: &Certificate,
    material: &RevocationMaterial,
) -> RevocationStatus {
    let mut found: Vec<RevocationStatus> = Vec::new();
    let mut invalid: Option<String> = None;

    for der in &material.ocsp_responses {
        let Some(basic_der) = basic_response_der(der) else {
            continue;
        };
        let Ok(basic) = BasicOcspResponse::from_der(&basic_der) else {
            continue;
        };
        let matching: Vec<_> = basic
            .tbs_response_data
            .responses
            .iter()
            .filter(|s| s.cert_id.matches(cert, issuer))
            .collect();
        if matching.is_empty() {
            continue;
        }
        if let Err(reason) = check_ocsp_signer(&basic_der, &basic, issuer, material) {
            invalid = Some(reason);
            continue;
        }
        for single in matching {
            match &single.cert_status {
                CertStatus::Good(_) => found.push(RevocationStatus::Good {
                    source: RevocationSource::Ocsp,
                    checked_at: single.this_update.0,
                }),
                CertStatus::Revoked(info) => found.push(RevocationStatus::Revoked {
                    source: RevocationSource::Ocsp,
                    revoked_at: info.revocation_time.0,
                    reason: info.revocation_reason.map(|r| reason_name(r).to_owned()),
                }),
                CertStatus::Unknown(_) => {}
            }
        }
    }

    let issuer_name = issuer.tbs_certificate().subject();
    let serial = cert.tbs_certificate().serial_number();
    for der in &material.crls {
        let Ok(crl) = CertificateList::from_der(der) else {
            continue;
        };
        if crl.tbs_cert_list.issuer != *issuer_name {
            continue;
        }
        let tbs = ber::signed_parts(der, "CRL")
            .ok()
            .and_then(|p| p.first().map(|t| t.raw))
            .unwrap_or_default();
        if verify_signed(issuer, &crl.signature_algorithm, tbs, &crl.signature).is_err() {
            invalid = Some("the CRL signature does not verify with the issuer's key".into());
            continue;
        }
        let Some(this_update) = x509_time(&crl.tbs_cert_list.this_update) else {
            continue;
        };
        let entry = crl
            .tbs_cert_list
            .revoked_certificates
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find(|e| e.serial_number == *serial);
        match entry {
            Some(e) => {
                let reason = e
                    .crl_entry_extensions
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .find(|x| x.extn_id.to_string() == "2.5.29.21")
                    .and_then(crl_reason);
                found.push(RevocationStatus::Revoked {
                    source: RevocationSource::Crl,
                    revoked_at: x509_time(&e.revocation_date).unwrap_or(this_update),
                    reason,
                });
            }
            None => found.push(RevocationStatus::Good {
                source: RevocationSource::Crl,
                checked_at: this_update,
            }),
        }
    }

    let revoked = found
        .iter()
        .filter(|s| matches!(s, RevocationStatus::Revoked { .. }))
        .min_by_key(|s| match s {
            RevocationStatus::Revoked { revoked_at, .. } => Some(*revoked_at),
            _ => None,
        });
    if let Some(r) = revoked {
        return r.clone();
    }
    let good = found
        .iter()
        .filter(|s| matches!(s, RevocationStatus::Good { .. }))
        .max_by_key(|s| match s {
            RevocationStatus::Good { checked_at, .. } => Some(*checked_at),
            _ => None,
        });
    if let Some(g) = good {
        return g.clone();
    }
    match invalid {
        Some(reason) => RevocationStatus::Invalid(reason),
        None => RevocationStatus::Unknown,
    }
}

/// [`check_revocation`] wrapped with the certificate's subject.
pub(crate) fn revocation_check(
    cert: &Certificate,
    issuer: &Certificate,
    material: &RevocationMaterial,
) -> RevocationCheck {
    RevocationCheck {
        subject: format_name(cert.tbs_certificate().subject()),
        status: check_revocation(cert, issuer, material),
    }
}
