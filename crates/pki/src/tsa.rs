//! An RFC 3161 time-stamping authority, and the client side of the protocol.
//!
//! [`TimestampAuthority::respond`] turns a DER `TimeStampReq` (§2.4.1) into a DER
//! `TimeStampResp` (§2.4.2), always:
//!
//! - granted, with a `TimeStampToken`: a CMS `SignedData` (RFC 5652, version 3 because the
//!   content type is not id-data) whose encapsulated content is the DER `TSTInfo`
//!   (eContentType id-ct-TSTInfo, 1.2.840.113549.1.9.16.1.4). The `TSTInfo` has version 1,
//!   the TSA's policy, the request's imprint, the serial number given by the caller, genTime
//!   in UTC without fractional seconds, accuracy 1 s, ordering false, and the request's
//!   nonce. One `SignerInfo` (version 1, issuerAndSerialNumber) signed by the TSA key — ECDSA
//!   P-256 with SHA-256 or SM2 with SM3 — over the signed attributes content-type,
//!   message-digest and signing-certificate-v2 (RFC 5035; an ESSCertIDv2 of the TSA
//!   certificate with issuerSerial, hashed with SHA-256 for a P-256 TSA, SM3 for an SM2 TSA,
//!   the same digest as the signature's). The TSA certificate and `chain` are included when
//!   the request sets certReq (§2.4.1).
//! - or rejected (status 2) with a statusString and one failInfo bit (§2.4.2): badAlg for
//!   imprint algorithms other than SHA-256/384/512 and SM3 (or with parameters other than
//!   absent/NULL), badDataFormat for bytes that are not a DER request, a version other than
//!   1, an imprint whose length does not match its algorithm or an over-long nonce,
//!   unacceptedPolicy for a reqPolicy other than the TSA's, unacceptedExtension for any
//!   request extension, systemFailure when the TSA itself cannot sign (key and certificate
//!   do not match, certificate not valid now).
//!
//! [`timestamp_request`] and [`token_from_response`] are the client: they build a request
//! and take the token out of a response after checking status, imprint and nonce.

use crate::ca::{CaError, digest_algorithm, sign_checked, signature_algorithm, whole_seconds};
use crate::sign::{EssCertIdV2, IssuerSerial, KeyAlgorithm, SigningCertificateV2, SigningKey};
use crate::verify::DigestAlgorithm;
use crate::verify::TimestampToken;
use crate::verify::oid as voi;
use crate::verify::time::GenTime;
use crate::verify::time::x509_time as cert_time;
use crate::verify::tsp::{
    Accuracy, MessageImprint, PkiStatus, PkiStatusInfo, TimeStampReq, TimeStampResp, TstInfo,
};
use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{BitString, Int, Null, ObjectIdentifier, OctetString, SetOfVec, Uint};
use der::{Any, Decode, Encode};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage};
use x509_cert::serial_number::SerialNumber;

/// Longest request nonce echoed (octets of the INTEGER).
pub const MAX_NONCE_LEN: usize = 32;

/// `PKIFailureInfo` bits (RFC 3161 §2.4.2) the TSA reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureInfo {
    /// `badAlg` (0): unrecognized or unsupported algorithm.
    BadAlg,
    /// `badRequest` (2): transaction not permitted or supported.
    BadRequest,
    /// `badDataFormat` (5): the data submitted has the wrong format.
    BadDataFormat,
    /// `timeNotAvailable` (14): the TSA's time source is not available.
    TimeNotAvailable,
    /// `unacceptedPolicy` (15): the requested TSA policy is not supported.
    UnacceptedPolicy,
    /// `unacceptedExtension` (16): the requested extension is not supported.
    UnacceptedExtension,
    /// `addInfoNotAvailable` (17): the additional information requested is not available.
    AddInfoNotAvailable,
    /// `systemFailure` (25): the request cannot be handled due to system failure.
    SystemFailure,
}

const ALL_FAILURES: [FailureInfo; 8] = [
    FailureInfo::BadAlg,
    FailureInfo::BadRequest,
    FailureInfo::BadDataFormat,
    FailureInfo::TimeNotAvailable,
    FailureInfo::UnacceptedPolicy,
    FailureInfo::UnacceptedExtension,
    FailureInfo::AddInfoNotAvailable,
    FailureInfo::SystemFailure,
];

impl FailureInfo {
    /// The bit number.
    pub fn bit(self) -> usize {
        match self {
            Self::BadAlg => 0,
            Self::BadRequest => 2,
            Self::BadDataFormat => 5,
            Self::TimeNotAvailable => 14,
            Self::UnacceptedPolicy => 15,
            Self::UnacceptedExtension => 16,
            Self::AddInfoNotAvailable => 17,
            Self::SystemFailure => 25,
        }
    }

    /// The ASN.1 name ("badAlg", ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::BadAlg => "badAlg",
            Self::BadRequest => "badRequest",
            Self::BadDataFormat => "badDataFormat",
            Self::TimeNotAvailable => "timeNotAvailable",
            Self::UnacceptedPolicy => "unacceptedPolicy",
            Self::UnacceptedExtension => "unacceptedExtension",
            Self::AddInfoNotAvailable => "addInfoNotAvailable",
            Self::SystemFailure => "systemFailure",
        }
    }

    /// The DER named-bit-list `BIT STRING` with only this bit set (trailing zero bits
    /// removed, X.690 §11.2.2).
    fn bit_string(self) -> Vec<u8> {
        let bit = self.bit();
        let mut bytes = vec![0u8; bit / 8 + 1];
        if let Some(b) = bytes.last_mut() {
            *b = 0x80 >> (bit % 8);
        }
        let unused = u8::try_from(7 - bit % 8).unwrap_or(0);
        let mut der = vec![0x03, u8::try_from(bytes.len() + 1).unwrap_or(0), unused];
        der.extend_from_slice(&bytes);
        der
    }

    /// The bits set in a `failInfo`.
    pub fn from_bit_string(bits: &BitString) -> Vec<Self> {
        let raw = bits.raw_bytes();
        ALL_FAILURES
            .into_iter()
            .filter(|f| {
                raw.get(f.bit() / 8)
                    .is_some_and(|b| b & (0x80 >> (f.bit() % 8)) != 0)
            })
            .collect()
    }
}

/// A refusal, before it is encoded.
struct Rejection {
    fail: FailureInfo,
    text: String,
}

fn reject(fail: FailureInfo, text: impl Into<String>) -> Rejection {
    Rejection {
        fail,
        text: text.into(),
    }
}

impl From<CaError> for Rejection {
    fn from(e: CaError) -> Self {
        reject(FailureInfo::SystemFailure, e.to_string())
    }
}

impl From<der::Error> for Rejection {
    fn from(e: der::Error) -> Self {
        reject(FailureInfo::SystemFailure, format!("encoding error: {e}"))
    }
}

/// The DER `TimeStampResp` of a rejection: `SEQUENCE { PKIStatusInfo { rejection,
/// statusString, failInfo } }`.
fn rejection_der(r: &Rejection) -> Vec<u8> {
    let status = PkiStatusInfo {
        status: PkiStatus::Rejection,
        status_string: Some(vec![r.text.clone()]),
        fail_info: BitString::from_der(&r.fail.bit_string()).ok(),
    };
    let resp = TimeStampResp {
        status,
        time_stamp_token: None,
    };
    resp.to_der().unwrap_or_else(|_| {
        // SEQUENCE { SEQUENCE { INTEGER 2 (rejection), BIT STRING systemFailure } }
        vec![
            0x30, 0x0c, 0x30, 0x0a, 0x02, 0x01, 0x02, 0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40,
        ]
    })
}

/// Imprint algorithms the TSA accepts.
fn accepted_imprint(oid: &ObjectIdentifier) -> Option<DigestAlgorithm> {
    match DigestAlgorithm::from_oid(oid)? {
        DigestAlgorithm::Sha1 => None,
        d => Some(d),
    }
}

/// An attribute with a single value.
fn attribute(oid: ObjectIdentifier, value: &impl Encode) -> Result<Attribute, der::Error> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![Any::from_der(&value.to_der()?)?])?,
    })
}

/// A time-stamping authority: its key, certificate (issued with
/// [`crate::ca::Profile::TimeStamping`]), the certificates above it (issuing CA, root; sent
/// when the request asks for certificates) and its policy OID (written into every token).
#[derive(Clone, Copy, Debug)]
pub struct TimestampAuthority<'a> {
    /// The TSA's private key.
    pub key: &'a SigningKey,
    /// The TSA's certificate.
    pub cert: &'a Certificate,
    /// The issuing CA(s) up to the root, sent with the TSA certificate when certReq is set.
    pub chain: &'a [Certificate],
    /// The TSA policy (`TSAPolicyId`).
    pub policy: ObjectIdentifier,
}

impl TimestampAuthority<'_> {
    /// Checks the configuration once (at start-up): the key belongs to the certificate, and
    /// the certificate is a TSA certificate (critical extendedKeyUsage with id-kp-timeStamping
    /// only, RFC 3161 §2.3; keyUsage, if present, with digitalSignature or nonRepudiation).
    pub fn check(&self) -> Result<(), CaError> {
        let tbs = self.cert.tbs_certificate();
        match tbs.get_extension::<ExtendedKeyUsage>() {
            Ok(Some((true, eku))) if eku.0 == [voi::KP_TIME_STAMPING] => {}
            _ => {
                return Err(CaError::IssuerNotAuthorized(
                    "a TSA certificate needs a critical extendedKeyUsage with only id-kp-timeStamping"
                        .into(),
                ));
            }
        }
        if let Ok(Some((_, ku))) = tbs.get_extension::<KeyUsage>()
            && !(ku.digital_signature() || ku.non_repudiation())
        {
            return Err(CaError::IssuerNotAuthorized(
                "the TSA certificate's keyUsage lacks digitalSignature".into(),
            ));
        }
        sign_checked(self.key, tbs.subject_public_key_info(), b"signet tsa check")?;
        Ok(())
    }

    /// Answers a DER `TimeStampReq` with a DER `TimeStampResp`: granted with a token stamped
    /// `now` (whole seconds) with serial number `serial` (unique per TSA, at most 160 bits),
    /// or a rejection (see the module documentation). Never fails: problems of the TSA
    /// itself give a systemFailure rejection.
    pub fn respond(&self, request_der: &[u8], serial: SerialNumber, now: DateTime<Utc>) -> Vec<u8> {
        match self.grant(request_der, &serial, now) {
            Ok(der) => der,
            Err(r) => rejection_der(&r),
        }
    }

    fn grant(
        &self,
        request_der: &[u8],
        serial: &SerialNumber,
        now: DateTime<Utc>,
    ) -> Result<Vec<u8>, Rejection> {
        let req = TimeStampReq::from_der(request_der).map_err(|e| {
            reject(
                FailureInfo::BadDataFormat,
                format!("not a DER TimeStampReq: {e}"),
            )
        })?;
        if req.version != 1 {
            return Err(reject(
                FailureInfo::BadDataFormat,
                format!("unsupported version {}", req.version),
            ));
        }
        let imprint = &req.message_imprint;
        let alg = accepted_imprint(&imprint.hash_algorithm.oid).ok_or_else(|| {
            reject(
                FailureInfo::BadAlg,
                format!(
                    "unsupported imprint algorithm {} (SHA-256, SHA-384, SHA-512 or SM3)",
                    imprint.hash_algorithm.oid
                ),
            )
        })?;
        if let Some(p) = &imprint.hash_algorithm.parameters
            && p.decode_as::<Null>().is_err()
        {
            return Err(reject(
                FailureInfo::BadAlg,
                "imprint algorithm parameters must be absent or NULL",
            ));
        }
        let len = imprint.hashed_message.as_bytes().len();
        if len != alg.output_len() {
            return Err(reject(
                FailureInfo::BadDataFormat,
                format!(
                    "the {} imprint is {len} bytes long, expected {}",
                    alg.name(),
                    alg.output_len()
                ),
            ));
        }
        if let Some(policy) = req.req_policy
            && policy != self.policy
        {
            return Err(reject(
                FailureInfo::UnacceptedPolicy,
                format!(
                    "policy {policy} is not supported (this TSA's: {})",
                    self.policy
                ),
            ));
        }
        if req.extensions.as_ref().is_some_and(|e| !e.is_empty()) {
            return Err(reject(
                FailureInfo::UnacceptedExtension,
                "request extensions are not supported",
            ));
        }
        if req
            .nonce
            .as_ref()
            .is_some_and(|n| n.as_bytes().len() > MAX_NONCE_LEN)
        {
            return Err(reject(
                FailureInfo::BadDataFormat,
                format!("the nonce is longer than {MAX_NONCE_LEN} bytes"),
            ));
        }

        let gen_time = whole_seconds(now);
        let validity = self.cert.tbs_certificate().validity();
        let valid = matches!(
            (cert_time(&validity.not_before), cert_time(&validity.not_after)),
            (Some(nb), Some(na)) if nb <= gen_time && gen_time <= na
        );
        if !valid {
            return Err(reject(
                FailureInfo::SystemFailure,
                "the TSA certificate is not valid now",
            ));
        }

        let info = TstInfo {
            version: 1,
            policy: self.policy,
            message_imprint: MessageImprint {
                hash_algorithm: imprint.hash_algorithm.clone(),
                hashed_message: imprint.hashed_message.clone(),
            },
            serial_number: Int::new(serial.as_bytes())?,
            gen_time: GenTime(gen_time),
            accuracy: Some(Accuracy {
                seconds: Some(1),
                millis: None,
                micros: None,
            }),
            ordering: false,
            nonce: req.nonce.clone(),
            tsa: None,
            extensions: None,
        };
        let token = self.token(&info.to_der()?, req.cert_req)?;
        let resp = TimeStampResp {
            status: PkiStatusInfo {
                status: PkiStatus::Granted,
                status_string: None,
                fail_info: None,
            },
            time_stamp_token: Some(Any::from_der(&token)?),
        };
        Ok(resp.to_der()?)
    }

    /// The `ContentInfo(SignedData)` over `tst_info`.
    fn token(&self, tst_info: &[u8], include_certs: bool) -> Result<Vec<u8>, Rejection> {
        let key_alg = self.key.algorithm();
        let digest = digest_algorithm(key_alg);
        let tbs = self.cert.tbs_certificate();
        let cert_der = self.cert.to_der()?;
        let ess = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                hash_algorithm: match key_alg {
                    KeyAlgorithm::EcdsaP256 => None,
                    KeyAlgorithm::Sm2 => Some(digest.algorithm_identifier()),
                },
                cert_hash: OctetString::new(digest.digest(&cert_der))?,
                issuer_serial: Some(IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                    serial_number: tbs.serial_number().clone(),
                }),
            }],
            policies: None,
        };
        let signed_attrs = SetOfVec::try_from(vec![
            attribute(voi::CONTENT_TYPE, &voi::ID_CT_TST_INFO)?,
            attribute(
                voi::MESSAGE_DIGEST,
                &OctetString::new(digest.digest(tst_info))?,
            )?,
            attribute(voi::SIGNING_CERTIFICATE_V2, &ess)?,
        ])?;
        let signature = sign_checked(
            self.key,
            tbs.subject_public_key_info(),
            &signed_attrs.to_der()?,
        )?;
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer().clone(),
                serial_number: tbs.serial_number().clone(),
            }),
            digest_alg: digest.algorithm_identifier(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: signature_algorithm(key_alg),
            signature: OctetString::new(signature)?,
            unsigned_attrs: None,
        };
        let certificates = if include_certs {
            let mut set = CertificateSet(SetOfVec::new());
            let mut seen = Vec::new();
            for c in std::iter::once(self.cert).chain(self.chain.iter()) {
                let der = c.to_der()?;
                if !seen.contains(&der) {
                    set.0.insert(CertificateChoices::Certificate(c.clone()))?;
                    seen.push(der);
                }
            }
            Some(set)
        } else {
            None
        };
        let signed_data = SignedData {
            version: CmsVersion::V3,
            digest_algorithms: SetOfVec::try_from(vec![digest.algorithm_identifier()])?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: voi::ID_CT_TST_INFO,
                econtent: Some(Any::encode_from(&OctetString::new(tst_info.to_vec())?)?),
            },
            certificates,
            crls: None,
            signer_infos: SignerInfos::try_from(vec![signer_info])?,
        };
        let content_info = ContentInfo {
            content_type: voi::ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data)?,
        };
        Ok(content_info.to_der()?)
    }
}

fn nonce_int(nonce: u64) -> Result<Int, CaError> {
    Ok(Int::from(Uint::try_from(nonce)?))
}

/// A DER `TimeStampReq` (version 1) for `digest` made with `alg` (parameters absent), with an
/// optional nonce and certReq. Refuses a digest whose length does not match `alg`.
pub fn timestamp_request(
    alg: DigestAlgorithm,
    digest: &[u8],
    nonce: Option<u64>,
    cert_req: bool,
) -> Result<Vec<u8>, CaError> {
    if digest.len() != alg.output_len() {
        return Err(CaError::Invalid(format!(
            "a {} digest is {} bytes long, not {}",
            alg.name(),
            alg.output_len(),
            digest.len()
        )));
    }
    let req = TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            hash_algorithm: alg.algorithm_identifier(),
            hashed_message: OctetString::new(digest.to_vec())?,
        },
        req_policy: None,
        nonce: nonce.map(nonce_int).transpose()?,
        cert_req,
        extensions: None,
    };
    Ok(req.to_der()?)
}

/// Takes the `TimeStampToken` (DER `ContentInfo`) out of a DER `TimeStampResp` after checking
/// that the status is granted (or grantedWithMods), that the token's imprint is
/// `request_digest` and, when the request had a nonce, that the token echoes it.
/// [`CaError::Rejected`] for a refusal (with the failInfo names and the status text),
/// [`CaError::BadResponse`] for anything else that is wrong. The token's signature and the
/// TSA's certificate are not checked here (see [`TimestampToken::verify`] and
/// [`crate::verify::validate_chain`]).
pub fn token_from_response(
    response_der: &[u8],
    request_digest: &[u8],
    nonce: Option<u64>,
) -> Result<Vec<u8>, CaError> {
    let resp = TimeStampResp::from_der(response_der)
        .map_err(|e| CaError::BadResponse(format!("not a DER TimeStampResp: {e}")))?;
    match resp.status.status {
        PkiStatus::Granted | PkiStatus::GrantedWithMods => {}
        other => {
            let mut parts = vec![format!("{other:?}")];
            if let Some(bits) = &resp.status.fail_info {
                parts.extend(
                    FailureInfo::from_bit_string(bits)
                        .into_iter()
                        .map(|f| f.name().to_owned()),
                );
            }
            parts.extend(resp.status.status_string.iter().flatten().cloned());
            return Err(CaError::Rejected(parts.join(": ")));
        }
    }
    let token_der = resp
        .time_stamp_token
        .as_ref()
        .ok_or_else(|| CaError::BadResponse("granted without a token".into()))?
        .to_der()?;
    let token =
        TimestampToken::parse(&token_der).map_err(|e| CaError::BadResponse(e.to_string()))?;
    if token.info().message_imprint.hashed_message.as_bytes() != request_digest {
        return Err(CaError::BadResponse(
            "the token's imprint is not the requested digest".into(),
        ));
    }
    if let Some(n) = nonce
        && token.info().nonce.as_ref() != Some(&nonce_int(n)?)
    {
        return Err(CaError::BadResponse(
            "the token does not echo the request's nonce".into(),
        ));
    }
    Ok(token_der)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::ca::tests::{TestPki, leaf, pki};
    use crate::ca::{Profile, random_serial};
    use crate::verify::{ChainInput, Purpose, RevocationMaterial, TrustAnchors, validate_chain};
    use chrono::Duration;
    use spki::AlgorithmIdentifierOwned;

    const POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1.1");

    fn tsa(p: &TestPki, alg: KeyAlgorithm) -> (SigningKey, Certificate) {
        leaf(p, Profile::TimeStamping, alg)
    }

    fn status(der: &[u8]) -> (PkiStatus, Vec<FailureInfo>) {
        let resp = TimeStampResp::from_der(der).unwrap();
        (
            resp.status.status,
            resp.status
                .fail_info
                .as_ref()
                .map(FailureInfo::from_bit_string)
                .unwrap_or_default(),
        )
    }

    #[test]
    fn tokens_verify_with_our_verifier() {
        for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Sm2] {
            let p = pki(alg);
            let (key, cert) = tsa(&p, alg);
            let chain = [p.ca.clone(), p.root.clone()];
            let authority = TimestampAuthority {
                key: &key,
                cert: &cert,
                chain: &chain,
                policy: POLICY,
            };
            authority.check().unwrap();
            for digest in [
                DigestAlgorithm::Sha256,
                DigestAlgorithm::Sha384,
                DigestAlgorithm::Sha512,
                DigestAlgorithm::Sm3,
            ] {
                let data = b"the document";
                let imprint = digest.digest(data);
                let now = Utc::now();
                let serial = random_serial();
                let req = timestamp_request(digest, &imprint, Some(u64::MAX), true).unwrap();
                let resp = authority.respond(&req, serial.clone(), now);
                let token_der = token_from_response(&resp, &imprint, Some(u64::MAX)).unwrap();
                let token = TimestampToken::parse(&token_der).unwrap();
                assert!(token.imprint_matches(data));
                assert_eq!(token.gen_time(), whole_seconds(now));
                assert_eq!(token.info().serial_number.as_bytes(), serial.as_bytes());
                assert_eq!(token.info().policy, POLICY);
                assert_eq!(token.info().accuracy.as_ref().unwrap().seconds, Some(1));
                let check = token.verify(&[]);
                assert!(check.ok(), "{alg:?} {digest:?}: {:?}", check.problems);
                assert_eq!(token.cms().certificates().len(), 3);
                // The TSA certificate chains to the root for timestamping.
                let mut anchors = TrustAnchors::new();
                anchors.push(p.root.clone());
                let report = validate_chain(&ChainInput {
                    leaf: check.signer_certificate.as_ref().unwrap(),
                    intermediates: token.cms().certificates(),
                    anchors: &anchors,
                    at: token.gen_time(),
                    revocation: &RevocationMaterial::default(),
                    purpose: Purpose::Timestamping,
                });
                assert!(report.trusted, "{:?}", report.problems);
                // Nonce and imprint are checked by the client.
                assert!(matches!(
                    token_from_response(&resp, &imprint, Some(1)),
                    Err(CaError::BadResponse(_))
                ));
                assert!(matches!(
                    token_from_response(&resp, &[0; 32], Some(u64::MAX)),
                    Err(CaError::BadResponse(_))
                ));
            }
            // Without certReq, no certificates; the verifier needs them given.
            let imprint = [1u8; 32];
            let req = timestamp_request(DigestAlgorithm::Sha256, &imprint, None, false).unwrap();
            let resp = authority.respond(&req, random_serial(), Utc::now());
            let token = TimestampToken::parse(&token_from_response(&resp, &imprint, None).unwrap())
                .unwrap();
            assert!(token.cms().certificates().is_empty());
            assert!(token.info().nonce.is_none());
            assert!(!token.verify(&[]).ok());
            assert!(token.verify(std::slice::from_ref(&cert)).ok());
        }
    }

    #[test]
    fn bad_requests_are_rejected_with_the_right_failure() {
        let p = pki(KeyAlgorithm::EcdsaP256);
        let (key, cert) = tsa(&p, KeyAlgorithm::EcdsaP256);
        let authority = TimestampAuthority {
            key: &key,
            cert: &cert,
            chain: &[],
            policy: POLICY,
        };
        let now = Utc::now();
        let raw = |alg: AlgorithmIdentifierOwned, imprint: Vec<u8>| TimeStampReq {
            version: 1,
            message_imprint: MessageImprint {
                hash_algorithm: alg,
                hashed_message: OctetString::new(imprint).unwrap(),
            },
            req_policy: None,
            nonce: None,
            cert_req: false,
            extensions: None,
        };
        let sha256 = DigestAlgorithm::Sha256.algorithm_identifier();
        let cases: Vec<(Vec<u8>, FailureInfo)> = vec![
            (b"junk".to_vec(), FailureInfo::BadDataFormat),
            (
                raw(sha256.clone(), vec![0; 31]).to_der().unwrap(),
                FailureInfo::BadDataFormat,
            ),
            (
                raw(DigestAlgorithm::Sha1.algorithm_identifier(), vec![0; 20])
                    .to_der()
                    .unwrap(),
                FailureInfo::BadAlg,
            ),
            (
                raw(
                    AlgorithmIdentifierOwned {
                        oid: ObjectIdentifier::new_unwrap("1.2.840.113549.2.5"),
                        parameters: None,
                    },
                    vec![0; 16],
                )
                .to_der()
                .unwrap(),
                FailureInfo::BadAlg,
            ),
            (
                TimeStampReq {
                    version: 2,
                    ..raw(sha256.clone(), vec![0; 32])
                }
                .to_der()
                .unwrap(),
                FailureInfo::BadDataFormat,
            ),
            (
                TimeStampReq {
                    req_policy: Some(ObjectIdentifier::new_unwrap("1.2.3.4")),
                    ..raw(sha256.clone(), vec![0; 32])
                }
                .to_der()
                .unwrap(),
                FailureInfo::UnacceptedPolicy,
            ),
            (
                TimeStampReq {
                    extensions: Some(vec![x509_cert::ext::Extension {
                        extn_id: ObjectIdentifier::new_unwrap("1.2.3.4"),
                        critical: false,
                        extn_value: OctetString::new(vec![5, 0]).unwrap(),
                    }]),
                    ..raw(sha256.clone(), vec![0; 32])
                }
                .to_der()
                .unwrap(),
                FailureInfo::UnacceptedExtension,
            ),
        ];
        for (req, fail) in cases {
            let resp = authority.respond(&req, random_serial(), now);
            assert_eq!(
                status(&resp),
                (PkiStatus::Rejection, vec![fail]),
                "{fail:?}"
            );
            let err = token_from_response(&resp, &[0; 32], None).unwrap_err();
            assert!(
                matches!(&err, CaError::Rejected(text) if text.contains(fail.name())),
                "{err}"
            );
        }
        // The requested policy, when it is the TSA's, is fine.
        let ok = TimeStampReq {
            req_policy: Some(POLICY),
            ..raw(sha256, vec![0; 32])
        };
        let resp = authority.respond(&ok.to_der().unwrap(), random_serial(), now);
        assert_eq!(status(&resp).0, PkiStatus::Granted);

        // The TSA's own problems: wrong key, certificate not valid now.
        let other = SigningKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let broken = TimestampAuthority {
            key: &other,
            ..authority
        };
        assert!(broken.check().is_err());
        let req = timestamp_request(DigestAlgorithm::Sha256, &[0; 32], None, false).unwrap();
        let resp = broken.respond(&req, random_serial(), now);
        assert_eq!(
            status(&resp),
            (PkiStatus::Rejection, vec![FailureInfo::SystemFailure])
        );
        let resp = authority.respond(&req, random_serial(), now + Duration::days(4000));
        assert_eq!(
            status(&resp),
            (PkiStatus::Rejection, vec![FailureInfo::SystemFailure])
        );
        // A signer certificate is not a TSA certificate.
        let (skey, scert) = leaf(&p, Profile::Signer, KeyAlgorithm::EcdsaP256);
        let not_tsa = TimestampAuthority {
            key: &skey,
            cert: &scert,
            chain: &[],
            policy: POLICY,
        };
        assert!(not_tsa.check().is_err());
        // The client refuses a digest of the wrong length.
        assert!(timestamp_request(DigestAlgorithm::Sha256, &[0; 20], None, false).is_err());
    }

    #[test]
    fn failure_bits_are_der_named_bit_lists() {
        assert_eq!(
            FailureInfo::BadAlg.bit_string(),
            vec![0x03, 0x02, 0x07, 0x80]
        );
        assert_eq!(
            FailureInfo::BadDataFormat.bit_string(),
            vec![0x03, 0x02, 0x02, 0x04]
        );
        assert_eq!(
            FailureInfo::SystemFailure.bit_string(),
            vec![0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40]
        );
        for f in ALL_FAILURES {
            let bits = BitString::from_der(&f.bit_string()).unwrap();
            assert_eq!(FailureInfo::from_bit_string(&bits), vec![f]);
        }
        // The fallback encoding of a rejection is a valid TimeStampResp.
        let fallback = [
            0x30, 0x0c, 0x30, 0x0a, 0x02, 0x01, 0x02, 0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40,
        ];
        assert_eq!(
            status(&fallback),
            (PkiStatus::Rejection, vec![FailureInfo::SystemFailure])
        );
    }
}
