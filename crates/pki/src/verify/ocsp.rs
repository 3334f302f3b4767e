//! RFC 6960 OCSP structures (encode and decode), OCSP requests, and the revocation URLs of
//! a certificate.

use super::VerifyError;
use super::algorithm::DigestAlgorithm;
use super::oid;
use super::time::GenTime;
use der::asn1::{BitString, Null, ObjectIdentifier, OctetString};
use der::{Choice, Encode, Enumerated, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::crl::CrlDistributionPoints;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlReason};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;

/// `OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT
/// Signature OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct OcspRequest {
    /// The request.
    pub tbs_request: TbsRequest,
    /// Requestor signature (never written by Signet).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub optional_signature: Option<OcspSignature>,
}

/// `TBSRequest ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, requestorName [1]
/// EXPLICIT GeneralName OPTIONAL, requestList SEQUENCE OF Request, requestExtensions [2]
/// EXPLICIT Extensions OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TbsRequest {
    /// 0 (v1), the DEFAULT, omitted in DER.
    #[asn1(
        context_specific = "0",
        tag_mode = "EXPLICIT",
        default = "Default::default"
    )]
    pub version: u8,
    /// Requestor.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub requestor_name: Option<GeneralName>,
    /// The certificates asked about.
    pub request_list: Vec<Request>,
    /// Extensions (e.g. a nonce).
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub request_extensions: Option<Extensions>,
}

/// `Signature ::= SEQUENCE { signatureAlgorithm AlgorithmIdentifier, signature BIT STRING,
/// certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct OcspSignature {
    /// Algorithm.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// Signature.
    pub signature: BitString,
    /// Certificates.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub certs: Option<Vec<Certificate>>,
}

/// `Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions
/// OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct Request {
    /// The certificate asked about.
    pub req_cert: CertId,
    /// Extensions.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub single_request_extensions: Option<Extensions>,
}

/// `CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
/// issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct CertId {
    /// Hash of the two hashes.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// Hash of the issuer's DER `Name`.
    pub issuer_name_hash: OctetString,
    /// Hash of the issuer's public key (the BIT STRING's contents, without the unused-bits
    /// octet).
    pub issuer_key_hash: OctetString,
    /// The certificate's serial number.
    pub serial_number: SerialNumber,
}

impl CertId {
    /// The CertID of `cert` issued by `issuer`, with `digest` (SHA-1 is what responders
    /// expect by default).
    pub fn new(
        cert: &Certificate,
        issuer: &Certificate,
        digest: DigestAlgorithm,
    ) -> Result<Self, VerifyError> {
        let itbs = issuer.tbs_certificate();
        Ok(Self {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: digest.oid(),
                parameters: Some(der::Any::from(Null)),
            },
            issuer_name_hash: OctetString::new(digest.digest(&itbs.subject().to_der()?))?,
            issuer_key_hash: OctetString::new(
                digest.digest(
                    itbs.subject_public_key_info()
                        .subject_public_key
                        .raw_bytes(),
                ),
            )?,
            serial_number: cert.tbs_certificate().serial_number().clone(),
        })
    }

    /// Does this CertID name `cert` issued by `issuer`? (Hashes recomputed with the
    /// CertID's own algorithm.)
    pub fn matches(&self, cert: &Certificate, issuer: &Certificate) -> bool {
        self.serial_number == *cert.tbs_certificate().serial_number() && self.is_issued_by(issuer)
    }

    /// Does this CertID name a certificate issued by `issuer`? Compares `issuerNameHash` and
    /// `issuerKeyHash` recomputed with the CertID's own hash algorithm (SHA-1, SHA-256,
    /// SHA-384, SHA-512 or SM3; any other gives `false`). The serial number is not looked at
    /// (an OCSP responder looks it up in [`serial_number`](Self::serial_number)).
    pub fn is_issued_by(&self, issuer: &Certificate) -> bool {
        let Some(d) = DigestAlgorithm::from_oid(&self.hash_algorithm.oid) else {
            return false;
        };
        let itbs = issuer.tbs_certificate();
        let Ok(name) = itbs.subject().to_der() else {
            return false;
        };
        d.digest(&name) == self.issuer_name_hash.as_bytes()
            && d.digest(
                itbs.subject_public_key_info()
                    .subject_public_key
                    .raw_bytes(),
            ) == self.issuer_key_hash.as_bytes()
    }
}

/// `OCSPResponseStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enumerated)]
#[repr(u8)]
pub enum OcspResponseStatus {
    /// `successful`.
    Successful = 0,
    /// `malformedRequest`.
    MalformedRequest = 1,
    /// `internalError`.
    InternalError = 2,
    /// `tryLater`.
    TryLater = 3,
    /// `sigRequired`.
    SigRequired = 5,
    /// `unauthorized`.
    Unauthorized = 6,
}

/// `OCSPResponse ::= SEQUENCE { responseStatus OCSPResponseStatus, responseBytes [0]
/// EXPLICIT ResponseBytes OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct OcspResponse {
    /// Status.
    pub response_status: OcspResponseStatus,
    /// The response, when successful.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub response_bytes: Option<ResponseBytes>,
}

/// `ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct ResponseBytes {
    /// `id-pkix-ocsp-basic` for a [`BasicOcspResponse`].
    pub response_type: ObjectIdentifier,
    /// The DER response.
    pub response: OctetString,
}

/// `BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData, signatureAlgorithm
/// AlgorithmIdentifier, signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate
/// OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct BasicOcspResponse {
    /// The signed part.
    pub tbs_response_data: ResponseData,
    /// Algorithm.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// Signature over the DER of `tbs_response_data`.
    pub signature: BitString,
    /// Certificates (a delegated responder's).
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub certs: Option<Vec<Certificate>>,
}

/// `ResponseData ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, responderID
/// ResponderID, producedAt GeneralizedTime, responses SEQUENCE OF SingleResponse,
/// responseExtensions [1] EXPLICIT Extensions OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct ResponseData {
    /// 0 (v1), the DEFAULT.
    #[asn1(
        context_specific = "0",
        tag_mode = "EXPLICIT",
        default = "Default::default"
    )]
    pub version: u8,
    /// The responder.
    pub responder_id: ResponderId,
    /// When the response was signed.
    pub produced_at: GenTime,
    /// One per certificate.
    pub responses: Vec<SingleResponse>,
    /// Extensions.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub response_extensions: Option<Extensions>,
}

/// `ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }` (SHA-1 of the responder's
/// public key BIT STRING contents).
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum ResponderId {
    /// By subject name.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", constructed = "true")]
    ByName(Name),
    /// By key hash.
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", constructed = "true")]
    ByKey(OctetString),
}

impl ResponderId {
    /// Does this id name the holder of `cert`?
    pub fn names(&self, cert: &Certificate) -> bool {
        let tbs = cert.tbs_certificate();
        match self {
            Self::ByName(name) => name == tbs.subject(),
            Self::ByKey(hash) => {
                DigestAlgorithm::Sha1
                    .digest(tbs.subject_public_key_info().subject_public_key.raw_bytes())
                    == hash.as_bytes()
            }
        }
    }
}

/// `SingleResponse ::= SEQUENCE { certID CertID, certStatus CertStatus, thisUpdate
/// GeneralizedTime, nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL, singleExtensions [1]
/// EXPLICIT Extensions OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SingleResponse {
    /// The certificate.
    pub cert_id: CertId,
    /// Its status.
    pub cert_status: CertStatus,
    /// When the status was known to be correct.
    pub this_update: GenTime,
    /// When newer information will be available.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub next_update: Option<GenTime>,
    /// Extensions.
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub single_extensions: Option<Extensions>,
}

/// `CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo,
/// unknown [2] IMPLICIT UnknownInfo }`.
#[derive(Clone, Debug, PartialEq, Eq, Choice)]
pub enum CertStatus {
    /// Not revoked.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    Good(Null),
    /// Revoked.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true")]
    Revoked(RevokedInfo),
    /// Unknown to the responder.
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT")]
    Unknown(Null),
}

/// `RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] EXPLICIT
/// CRLReason OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct RevokedInfo {
    /// When.
    pub revocation_time: GenTime,
    /// Why.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub revocation_reason: Option<CrlReason>,
}

/// A DER `OCSPRequest` for `cert` issued by `issuer` (one SHA-1 CertID, unsigned, no nonce),
/// to POST to one of [`ocsp_urls`] with content type `application/ocsp-request`.
pub fn ocsp_request_der(cert: &Certificate, issuer: &Certificate) -> Result<Vec<u8>, VerifyError> {
    let request = OcspRequest {
        tbs_request: TbsRequest {
            version: 0,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: CertId::new(cert, issuer, DigestAlgorithm::Sha1)?,
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    };
    Ok(request.to_der()?)
}

/// The OCSP responder URLs of `cert` (Authority Information Access, `id-ad-ocsp`).
pub fn ocsp_urls(cert: &Certificate) -> Vec<String> {
    match cert
        .tbs_certificate()
        .get_extension::<AuthorityInfoAccessSyntax>()
    {
        Ok(Some((_, aia))) => aia
            .0
            .iter()
            .filter(|ad| ad.access_method == oid::AD_OCSP)
            .filter_map(|ad| match &ad.access_location {
                GeneralName::UniformResourceIdentifier(uri) => Some(uri.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The CRL URLs of `cert` (CRL distribution points with a full name URI).
pub fn crl_urls(cert: &Certificate) -> Vec<String> {
    match cert
        .tbs_certificate()
        .get_extension::<CrlDistributionPoints>()
    {
        Ok(Some((_, dps))) => dps
            .0
            .iter()
            .flat_map(|dp: &DistributionPoint| match &dp.distribution_point {
                Some(DistributionPointName::FullName(names)) => names
                    .iter()
                    .filter_map(|n| match n {
                        GeneralName::UniformResourceIdentifier(uri) => Some(uri.to_string()),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The RFC 5280 name of a CRL / OCSP revocation reason ("keyCompromise", ...).
pub fn reason_name(reason: CrlReason) -> &'static str {
    match reason {
        CrlReason::Unspecified => "unspecified",
        CrlReason::KeyCompromise => "keyCompromise",
        CrlReason::CaCompromise => "cACompromise",
        CrlReason::AffiliationChanged => "affiliationChanged",
        CrlReason::Superseded => "superseded",
        CrlReason::CessationOfOperation => "cessationOfOperation",
        CrlReason::CertificateHold => "certificateHold",
        CrlReason::RemoveFromCRL => "removeFromCRL",
        CrlReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        CrlReason::AaCompromise => "aACompromise",
    }
}
