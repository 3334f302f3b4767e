//! An OCSP responder (RFC 6960), without the lookup: the caller decides each certificate's
//! status from its database.
//!
//! - [`parse_request`] reads a DER `OCSPRequest` (§4.1.1): the CertIDs asked about and the
//!   nonce (§4.4.1; RFC 8954 limits it to 1..=32 octets). Signed requests are accepted but
//!   their signature is ignored (Signet's responder does not require one, §4.1.2).
//! - [`issued_by`] tells whether a CertID names a certificate of a given CA (issuerNameHash
//!   and issuerKeyHash recomputed with the CertID's own hash: SHA-1, SHA-2 or SM3); the serial
//!   number is [`CertId::serial_number`]. CertIDs of other CAs should be answered
//!   [`Status::Unknown`] (or the whole request refused with `unauthorized`, §2.3).
//! - [`respond`] signs a `BasicOCSPResponse` (§4.2.1) inside a successful `OCSPResponse`:
//!   responderID byKey (SHA-1 of the responder's public key), producedAt and every
//!   thisUpdate equal to `produced_at` (whole seconds), optional nextUpdate, the nonce echoed
//!   as a response extension, and `certs` holding the responder certificate and `extra_certs`
//!   (so that relying parties can build the responder's chain). The responder is either the
//!   CA itself or a delegated responder it certified with id-kp-OCSPSigning (§4.2.2.2,
//!   [`crate::ca::Profile::OcspResponder`]).
//! - [`error_response`] is an unsigned `OCSPResponse` with an error status (§2.3).

use crate::ca::{CaError, extension, oid, sign_checked, signature_algorithm, whole_seconds};
use crate::sign::SigningKey;
use crate::verify::DigestAlgorithm;
use crate::verify::oid as voi;
use crate::verify::time::GenTime;
use chrono::{DateTime, Utc};
use der::asn1::{BitString, Null, OctetString};
use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::ext::pkix::crl::CrlReason;

use crate::verify::ocsp::{
    BasicOcspResponse, CertStatus, OcspRequest, OcspResponse, ResponderId, ResponseBytes,
    ResponseData, RevokedInfo, SingleResponse,
};
pub use crate::verify::ocsp::{CertId, OcspResponseStatus};

/// Most CertIDs one request may ask about.
pub const MAX_REQUESTS: usize = 16;

/// Longest nonce accepted (RFC 8954 §2.1).
pub const MAX_NONCE_LEN: usize = 32;

/// What an OCSP request asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedOcspRequest {
    /// The certificates asked about, in request order (1..=[`MAX_REQUESTS`]).
    pub ids: Vec<CertId>,
    /// The nonce octets (the contents of the extension's OCTET STRING), if any.
    pub nonce: Option<Vec<u8>>,
}

/// Reads a DER `OCSPRequest`. Refuses ([`CaError::BadRequest`], answer with
/// `malformedRequest`) anything that is not exactly one DER `OCSPRequest` (trailing bytes
/// included), a version other than v1, an empty request list or more than
/// [`MAX_REQUESTS`] entries, a nonce that is not an OCTET STRING of 1..=32 octets, and
/// unknown critical extensions.
pub fn parse_request(der: &[u8]) -> Result<ParsedOcspRequest, CaError> {
    let req = OcspRequest::from_der(der)
        .map_err(|e| CaError::BadRequest(format!("not a DER OCSPRequest: {e}")))?;
    let tbs = req.tbs_request;
    if tbs.version != 0 {
        return Err(CaError::BadRequest(format!(
            "unsupported version {}",
            tbs.version
        )));
    }
    if tbs.request_list.is_empty() {
        return Err(CaError::BadRequest("empty request list".into()));
    }
    if tbs.request_list.len() > MAX_REQUESTS {
        return Err(CaError::BadRequest(format!(
            "{} certificates asked about (at most {MAX_REQUESTS})",
            tbs.request_list.len()
        )));
    }
    let mut nonce = None;
    for ext in tbs.request_extensions.as_deref().unwrap_or_default() {
        if ext.extn_id == oid::OCSP_NONCE {
            if nonce.is_some() {
                return Err(CaError::BadRequest("two nonces".into()));
            }
            let value = OctetString::from_der(ext.extn_value.as_bytes())
                .map_err(|_| CaError::BadRequest("the nonce is not an OCTET STRING".into()))?;
            let len = value.as_bytes().len();
            if !(1..=MAX_NONCE_LEN).contains(&len) {
                return Err(CaError::BadRequest(format!(
                    "nonce of {len} octets (1 to {MAX_NONCE_LEN})"
                )));
            }
            nonce = Some(value.as_bytes().to_vec());
        } else if ext.critical {
            return Err(CaError::BadRequest(format!(
                "unsupported critical extension {}",
                ext.extn_id
            )));
        }
    }
    let mut ids = Vec::with_capacity(tbs.request_list.len());
    for r in tbs.request_list {
        if r.single_request_extensions
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|e| e.critical)
        {
            return Err(CaError::BadRequest(
                "unsupported critical single-request extension".into(),
            ));
        }
        ids.push(r.req_cert);
    }
    Ok(ParsedOcspRequest { ids, nonce })
}

/// Does `id` name a certificate issued by `issuer` (issuerNameHash and issuerKeyHash, with
/// the CertID's own hash algorithm)? See [`CertId::is_issued_by`].
pub fn issued_by(id: &CertId, issuer: &Certificate) -> bool {
    id.is_issued_by(issuer)
}

/// The hash algorithm of a CertID, if supported.
pub fn cert_id_hash(id: &CertId) -> Option<DigestAlgorithm> {
    DigestAlgorithm::from_oid(&id.hash_algorithm.oid)
}

/// A certificate's status, as the responder's database knows it (RFC 6960 §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Issued by this CA and not revoked.
    Good,
    /// Revoked at `at` (whole seconds are written) for `reason`.
    Revoked {
        /// Revocation time.
        at: DateTime<Utc>,
        /// Revocation reason, if known.
        reason: Option<CrlReason>,
    },
    /// Not known to this responder (another CA, or no such serial).
    Unknown,
}

/// Signs a successful DER `OCSPResponse` answering `answers` (in order), with
/// `responder_key` whose certificate is `responder_cert` (checked: [`CaError::KeyMismatch`]).
/// `nonce` (from [`ParsedOcspRequest::nonce`]) is echoed; `next_update`, if given, must not
/// be before `produced_at`. At least one and at most 256 answers.
pub fn respond(
    responder_key: &SigningKey,
    responder_cert: &Certificate,
    extra_certs: &[Certificate],
    answers: &[(CertId, Status)],
    nonce: Option<&[u8]>,
    produced_at: DateTime<Utc>,
    next_update: Option<DateTime<Utc>>,
) -> Result<Vec<u8>, CaError> {
    if answers.is_empty() || answers.len() > 256 {
        return Err(CaError::Invalid(format!(
            "{} answers (1 to 256)",
            answers.len()
        )));
    }
    let produced_at = whole_seconds(produced_at);
    let next_update = next_update.map(whole_seconds);
    if next_update.is_some_and(|n| n < produced_at) {
        return Err(CaError::InvalidTime(
            "nextUpdate is before producedAt".into(),
        ));
    }
    let responses: Vec<SingleResponse> = answers
        .iter()
        .map(|(id, status)| SingleResponse {
            cert_id: id.clone(),
            cert_status: match status {
                Status::Good => CertStatus::Good(Null),
                Status::Revoked { at, reason } => CertStatus::Revoked(RevokedInfo {
                    revocation_time: GenTime(whole_seconds(*at)),
                    revocation_reason: *reason,
                }),
                Status::Unknown => CertStatus::Unknown(Null),
            },
            this_update: GenTime(produced_at),
            next_update: next_update.map(GenTime),
            single_extensions: None,
        })
        .collect();
    let response_extensions = match nonce {
        Some(n) => Some(vec![extension(
            oid::OCSP_NONCE,
            false,
            &OctetString::new(n.to_vec())?,
        )?]),
        None => None,
    };
    let rtbs = responder_cert.tbs_certificate();
    let tbs = ResponseData {
        version: 0,
        responder_id: ResponderId::ByKey(OctetString::new(
            DigestAlgorithm::Sha1.digest(
                rtbs.subject_public_key_info()
                    .subject_public_key
                    .raw_bytes(),
            ),
        )?),
        produced_at: GenTime(produced_at),
        responses,
        response_extensions,
    };
    let tbs_der = tbs.to_der()?;
    let signature = sign_checked(responder_key, rtbs.subject_public_key_info(), &tbs_der)?;
    let mut certs = vec![responder_cert.clone()];
    for c in extra_certs {
        if !certs.contains(c) {
            certs.push(c.clone());
        }
    }
    let basic = BasicOcspResponse {
        tbs_response_data: tbs,
        signature_algorithm: signature_algorithm(responder_key.algorithm()),
        signature: BitString::from_bytes(&signature)?,
        certs: Some(certs),
    };
    let response = OcspResponse {
        response_status: OcspResponseStatus::Successful,
        response_bytes: Some(ResponseBytes {
            response_type: voi::OCSP_BASIC,
            response: OctetString::new(basic.to_der()?)?,
        }),
    };
    Ok(response.to_der()?)
}

/// An unsigned DER `OCSPResponse` with only an error status (`malformedRequest`,
/// `internalError`, `tryLater`, `sigRequired`, `unauthorized`; RFC 6960 §2.3). `Successful`
/// needs a signed body, so it gives `internalError` here.
pub fn error_response(status: OcspResponseStatus) -> Vec<u8> {
    let status = match status {
        OcspResponseStatus::Successful => OcspResponseStatus::InternalError,
        s => s,
    };
    // SEQUENCE { ENUMERATED status }
    vec![0x30, 0x03, 0x0a, 0x01, status as u8]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::ca::Profile;
    use crate::ca::tests::{leaf, pki};
    use crate::sign::KeyAlgorithm;
    use crate::verify::ocsp::{Request, TbsRequest, ocsp_request_der};
    use crate::verify::{RevocationMaterial, RevocationStatus, check_revocation};
    use chrono::Duration;
    use x509_cert::ext::Extension;

    fn request(ids: Vec<CertId>, nonce: Option<Vec<u8>>) -> Vec<u8> {
        OcspRequest {
            tbs_request: TbsRequest {
                version: 0,
                requestor_name: None,
                request_list: ids
                    .into_iter()
                    .map(|req_cert| Request {
                        req_cert,
                        single_request_extensions: None,
                    })
                    .collect(),
                request_extensions: nonce.map(|n| {
                    vec![Extension {
                        extn_id: oid::OCSP_NONCE,
                        critical: false,
                        extn_value: OctetString::new(n).unwrap(),
                    }]
                }),
            },
            optional_signature: None,
        }
        .to_der()
        .unwrap()
    }

    #[test]
    fn responses_are_accepted_by_the_verifier() {
        for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Sm2] {
            let p = pki(alg);
            let (_, good) = leaf(&p, Profile::Signer, alg);
            let (_, bad) = leaf(&p, Profile::Signer, alg);
            let (rkey, rcert) = leaf(&p, Profile::OcspResponder, alg);
            let now = Utc::now();
            let revoked_at = now - Duration::hours(2);
            for digest in [
                DigestAlgorithm::Sha1,
                DigestAlgorithm::Sha256,
                DigestAlgorithm::Sm3,
            ] {
                let nonce = OctetString::new(vec![7u8; 16]).unwrap().to_der().unwrap();
                let der = request(
                    vec![
                        CertId::new(&good, &p.ca, digest).unwrap(),
                        CertId::new(&bad, &p.ca, digest).unwrap(),
                        CertId::new(&p.ca, &p.root, digest).unwrap(),
                    ],
                    Some(nonce),
                );
                let parsed = parse_request(&der).unwrap();
                assert_eq!(parsed.nonce.as_deref(), Some(&[7u8; 16][..]));
                assert_eq!(parsed.ids.len(), 3);
                assert!(issued_by(&parsed.ids[0], &p.ca));
                assert!(!issued_by(&parsed.ids[2], &p.ca));
                assert!(issued_by(&parsed.ids[2], &p.root));
                assert_eq!(cert_id_hash(&parsed.ids[0]), Some(digest));
                let answers: Vec<(CertId, Status)> = parsed
                    .ids
                    .iter()
                    .map(|id| {
                        let status = if !issued_by(id, &p.ca) {
                            Status::Unknown
                        } else if id.serial_number == *bad.tbs_certificate().serial_number() {
                            Status::Revoked {
                                at: revoked_at,
                                reason: Some(CrlReason::Superseded),
                            }
                        } else {
                            Status::Good
                        };
                        (id.clone(), status)
                    })
                    .collect();
                // Delegated responder, and the CA itself.
                for (key, cert) in [(&rkey, &rcert), (&p.ca_key, &p.ca)] {
                    let resp = respond(
                        key,
                        cert,
                        std::slice::from_ref(&p.ca),
                        &answers,
                        parsed.nonce.as_deref(),
                        now,
                        Some(now + Duration::hours(1)),
                    )
                    .unwrap();
                    let material = RevocationMaterial {
                        ocsp_responses: vec![resp.clone()],
                        ..Default::default()
                    };
                    assert!(
                        matches!(
                            check_revocation(&good, &p.ca, &material),
                            RevocationStatus::Good { .. }
                        ),
                        "{alg:?} {digest:?}"
                    );
                    match check_revocation(&bad, &p.ca, &material) {
                        RevocationStatus::Revoked {
                            revoked_at: at,
                            reason,
                            ..
                        } => {
                            assert_eq!(at, whole_seconds(revoked_at));
                            assert_eq!(reason.as_deref(), Some("superseded"));
                        }
                        other => panic!("{other:?}"),
                    }
                    let outer = OcspResponse::from_der(&resp).unwrap();
                    let basic = BasicOcspResponse::from_der(
                        outer.response_bytes.unwrap().response.as_bytes(),
                    )
                    .unwrap();
                    let exts = basic.tbs_response_data.response_extensions.unwrap();
                    assert_eq!(exts[0].extn_id, oid::OCSP_NONCE);
                    assert_eq!(
                        OctetString::from_der(exts[0].extn_value.as_bytes())
                            .unwrap()
                            .as_bytes(),
                        &[7u8; 16]
                    );
                    assert!(basic.tbs_response_data.responder_id.names(cert));
                }
            }
            // A responder the CA did not authorise (a signer certificate) is not trusted.
            let (skey, scert) = leaf(&p, Profile::Signer, alg);
            let resp = respond(
                &skey,
                &scert,
                &[],
                &[(
                    CertId::new(&good, &p.ca, DigestAlgorithm::Sha1).unwrap(),
                    Status::Good,
                )],
                None,
                now,
                None,
            )
            .unwrap();
            let material = RevocationMaterial {
                ocsp_responses: vec![resp],
                ..Default::default()
            };
            assert!(matches!(
                check_revocation(&good, &p.ca, &material),
                RevocationStatus::Invalid(_)
            ));
            // The wrong key.
            assert!(matches!(
                respond(
                    &skey,
                    &rcert,
                    &[],
                    &answers_one(&good, &p.ca),
                    None,
                    now,
                    None
                ),
                Err(CaError::KeyMismatch)
            ));
        }
    }

    fn answers_one(cert: &Certificate, issuer: &Certificate) -> Vec<(CertId, Status)> {
        vec![(
            CertId::new(cert, issuer, DigestAlgorithm::Sha1).unwrap(),
            Status::Good,
        )]
    }

    #[test]
    fn bad_requests_are_refused() {
        let p = pki(KeyAlgorithm::EcdsaP256);
        let (_, cert) = leaf(&p, Profile::Signer, KeyAlgorithm::EcdsaP256);
        let ok = ocsp_request_der(&cert, &p.ca).unwrap();
        let parsed = parse_request(&ok).unwrap();
        assert_eq!(parsed.ids.len(), 1);
        assert!(parsed.nonce.is_none());
        let mut trailing = ok.clone();
        trailing.push(0);
        assert!(parse_request(&trailing).is_err());
        assert!(parse_request(&ok[..ok.len() - 1]).is_err());
        assert!(parse_request(b"").is_err());
        assert!(parse_request(&request(vec![], None)).is_err());
        let id = CertId::new(&cert, &p.ca, DigestAlgorithm::Sha1).unwrap();
        assert!(parse_request(&request(vec![id.clone(); 16], None)).is_ok());
        assert!(parse_request(&request(vec![id.clone(); 17], None)).is_err());
        // Nonce not an OCTET STRING, empty, too long.
        assert!(parse_request(&request(vec![id.clone()], Some(vec![1, 2, 3]))).is_err());
        let empty = OctetString::new(vec![]).unwrap().to_der().unwrap();
        assert!(parse_request(&request(vec![id.clone()], Some(empty))).is_err());
        let long = OctetString::new(vec![1; 33]).unwrap().to_der().unwrap();
        assert!(parse_request(&request(vec![id.clone()], Some(long))).is_err());
        let max = OctetString::new(vec![1; 32]).unwrap().to_der().unwrap();
        assert!(parse_request(&request(vec![id], Some(max))).is_ok());
    }

    #[test]
    fn error_responses_are_der() {
        for (status, byte) in [
            (OcspResponseStatus::MalformedRequest, 1),
            (OcspResponseStatus::InternalError, 2),
            (OcspResponseStatus::TryLater, 3),
            (OcspResponseStatus::Unauthorized, 6),
            (OcspResponseStatus::Successful, 2),
        ] {
            let der = error_response(status);
            let parsed = OcspResponse::from_der(&der).unwrap();
            assert_eq!(parsed.response_status as u8, byte);
            assert!(parsed.response_bytes.is_none());
            assert_eq!(parsed.to_der().unwrap(), der);
        }
    }
}
