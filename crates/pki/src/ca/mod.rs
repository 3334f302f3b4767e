//! A certificate authority: X.509 v3 certificates (RFC 5280) for Signet's own CA hierarchy,
//! issued with ECDSA P-256 / SHA-256 (`ecdsa-with-SHA256`, RFC 5758 §3.2) or SM2 / SM3
//! (`SM2-with-SM3`, 1.2.156.10197.1.501, GM/T 0015, distinguishing id `1234567812345678`),
//! whichever the issuer's key is.
//!
//! [`issue`] encodes the `TBSCertificate` (RFC 5280 §4.1) by hand, signs its DER with the
//! issuer's [`SigningKey`], and checks the signature with the issuer certificate's public key
//! before returning the certificate (so a key that does not belong to the issuer certificate
//! is refused with [`CaError::KeyMismatch`]). The extensions follow the [`Profile`]:
//!
//! | profile | basicConstraints (§4.2.1.9) | keyUsage (§4.2.1.3, critical) | extendedKeyUsage (§4.2.1.12) | other |
//! |---|---|---|---|---|
//! | [`Profile::RootCa`] | critical, cA | keyCertSign, cRLSign | — | — |
//! | [`Profile::IssuingCa`] | critical, cA, pathLen 0 | digitalSignature, keyCertSign, cRLSign | — | — |
//! | [`Profile::Signer`] | cA false | digitalSignature, nonRepudiation | — | — |
//! | [`Profile::OcspResponder`] | cA false | digitalSignature | id-kp-OCSPSigning | id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1) |
//! | [`Profile::TimeStamping`] | cA false | digitalSignature, nonRepudiation | critical, id-kp-timeStamping only (RFC 3161 §2.3) | — |
//!
//! Every certificate carries a subjectKeyIdentifier (§4.2.1.2, method 1: SHA-1 of the
//! subjectPublicKey BIT STRING contents); certificates that are not self-signed carry an
//! authorityKeyIdentifier (§4.2.1.1) with the issuer's key identifier, and, when [`CaUrls`]
//! gives them, cRLDistributionPoints (§4.2.1.13) and authorityInfoAccess (§4.2.2.1: id-ad-ocsp,
//! id-ad-caIssuers). Validity times are UTCTime through 2049 and GeneralizedTime from 2050
//! (§4.1.2.5), whole seconds.
//!
//! The same error type, [`CaError`], serves the CRL issuer ([`crate::crl`]), the OCSP
//! responder ([`crate::responder`]) and the time-stamping authority ([`crate::tsa`]).

use crate::sign::{KeyAlgorithm, SignError, SigningKey};
use crate::verify::algorithm::{PublicKey, verify_signature};
use crate::verify::{DigestAlgorithm, oid as voi};
use chrono::{DateTime, Datelike as _, Utc};
use der::asn1::{
    BitString, GeneralizedTime, Ia5String, Null, ObjectIdentifier, OctetString, PrintableStringRef,
    UtcTime, Utf8StringRef,
};
use der::{Any, Decode, Encode, Sequence};
use rand::RngCore as _;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::ext::{Extension, Extensions};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

/// Object identifiers used by the CA, the responder and the TSA.
pub(crate) mod oid {
    use der::asn1::ObjectIdentifier;

    /// `id-at-commonName`.
    pub const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
    /// `id-at-serialNumber`.
    pub const SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
    /// `id-at-countryName`.
    pub const C: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
    /// `id-at-organizationName`.
    pub const O: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
    /// `id-at-organizationalUnitName`.
    pub const OU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
    /// `id-ad-caIssuers`.
    pub const AD_CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");
    /// `id-pkix-ocsp-nonce` (RFC 6960 §4.4.1).
    pub const OCSP_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
    /// `id-ce-cRLReasons` (RFC 5280 §5.3.1).
    pub const CRL_REASON: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.21");
}

/// Why a certificate, CRL, OCSP response or time-stamp could not be made, or a request or
/// response was refused.
#[derive(Debug, thiserror::Error)]
pub enum CaError {
    /// A subject name attribute is empty, too long, or not representable.
    #[error("invalid subject name: {0}")]
    InvalidName(String),
    /// A time is outside what X.509 can express (before 1970, after 9999) or the period is
    /// empty.
    #[error("invalid time or period: {0}")]
    InvalidTime(String),
    /// The subject public key cannot be read or is not ECDSA P-256 or SM2.
    #[error("unsupported or unreadable public key: {0}")]
    BadPublicKey(String),
    /// The issuer certificate may not do what is asked (issue certificates, sign CRLs).
    #[error("the issuer certificate is not authorised: {0}")]
    IssuerNotAuthorized(String),
    /// The private key does not belong to the issuer / responder / TSA certificate.
    #[error("the private key does not match the certificate's public key")]
    KeyMismatch,
    /// Some other argument is unusable (duplicate CRL entries, empty answer list, ...).
    #[error("invalid argument: {0}")]
    Invalid(String),
    /// A request (OCSP, time-stamp) is malformed or asks for something unsupported.
    #[error("malformed request: {0}")]
    BadRequest(String),
    /// A time-stamp response is not a granted one.
    #[error("the time-stamp request was rejected: {0}")]
    Rejected(String),
    /// A time-stamp response does not answer the request (imprint, nonce) or is malformed.
    #[error("the time-stamp response does not answer the request: {0}")]
    BadResponse(String),
    /// Signing failed.
    #[error("signing failed: {0}")]
    Sign(#[from] SignError),
    /// A structure could not be encoded or decoded.
    #[error("ASN.1 DER error: {0}")]
    Der(String),
}

impl From<der::Error> for CaError {
    fn from(e: der::Error) -> Self {
        Self::Der(e.to_string())
    }
}

/// What a certificate is for: decides basicConstraints, keyUsage, extendedKeyUsage and the
/// OCSP no-check extension (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    /// A self-signed root: critical basicConstraints cA (no path length), critical keyUsage
    /// keyCertSign + cRLSign.
    RootCa,
    /// An intermediate that issues end-entity certificates only: critical basicConstraints
    /// cA with pathLenConstraint 0, critical keyUsage digitalSignature + keyCertSign +
    /// cRLSign.
    IssuingCa,
    /// A document signer (user, organisation, platform seal): basicConstraints cA false,
    /// critical keyUsage digitalSignature + nonRepudiation.
    Signer,
    /// A delegated OCSP responder (RFC 6960 §4.2.2.2): keyUsage digitalSignature, EKU
    /// id-kp-OCSPSigning, id-pkix-ocsp-nocheck.
    OcspResponder,
    /// An RFC 3161 TSA: critical keyUsage digitalSignature + nonRepudiation, critical EKU
    /// id-kp-timeStamping only.
    TimeStamping,
}

impl Profile {
    /// Is this a CA profile?
    pub fn is_ca(self) -> bool {
        matches!(self, Self::RootCa | Self::IssuingCa)
    }
}

/// Where relying parties find revocation information and the issuer's certificate. Each
/// `Some` URL goes into the issued certificate: `crl` as a cRLDistributionPoints full-name
/// URI, `ocsp` and `ca_issuers` as authorityInfoAccess entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaUrls {
    /// CRL distribution point (HTTP URL of the DER CRL).
    pub crl: Option<String>,
    /// OCSP responder URL.
    pub ocsp: Option<String>,
    /// URL of the issuer's certificate (DER).
    pub ca_issuers: Option<String>,
}

/// The subject of a certificate. Written in the order C, O, OU, serialNumber, CN, one
/// attribute per RDN; CN, O, OU as UTF8String (Chinese names round-trip), C and serialNumber
/// as PrintableString.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubjectName {
    /// Common name (required, 1..=64 characters).
    pub common_name: String,
    /// Organisation (1..=64 characters).
    pub organization: Option<String>,
    /// Organisational unit (1..=64 characters).
    pub organizational_unit: Option<String>,
    /// Subject serial number (e.g. a unified social credit code), PrintableString
    /// characters, 1..=64.
    pub serial_number: Option<String>,
    /// ISO 3166 two-letter country code, upper case ("CN").
    pub country: Option<String>,
}

/// Upper bound of CN, O, OU and serialNumber (RFC 5280 appendix A, `ub-*` = 64).
const UB_NAME: usize = 64;

fn check_text(what: &str, value: &str) -> Result<(), CaError> {
    let chars = value.chars().count();
    if value.trim().is_empty() {
        return Err(CaError::InvalidName(format!("{what} is empty")));
    }
    if chars > UB_NAME {
        return Err(CaError::InvalidName(format!(
            "{what} is {chars} characters long (at most {UB_NAME})"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(CaError::InvalidName(format!(
            "{what} contains control characters"
        )));
    }
    Ok(())
}

fn rdn(oid: ObjectIdentifier, value: Any) -> Result<RelativeDistinguishedName, CaError> {
    Ok(RelativeDistinguishedName::try_from(vec![
        AttributeTypeAndValue { oid, value },
    ])?)
}

impl SubjectName {
    /// A name with only a common name.
    pub fn common(common_name: impl Into<String>) -> Self {
        Self {
            common_name: common_name.into(),
            ..Self::default()
        }
    }

    /// The X.509 `Name`. Refuses ([`CaError::InvalidName`]) empty or over-long values,
    /// control characters, a country that is not two upper-case letters and a serial
    /// number that is not a PrintableString.
    pub fn to_name(&self) -> Result<Name, CaError> {
        let mut seq = RdnSequence::default();
        if let Some(c) = &self.country {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(CaError::InvalidName(format!(
                    "country {c:?} is not a two-letter upper-case ISO 3166 code"
                )));
            }
            seq.push(rdn(
                oid::C,
                Any::encode_from(&PrintableStringRef::new(c)?)?,
            )?);
        }
        let utf8 = |what: &str, v: &str| -> Result<Any, CaError> {
            check_text(what, v)?;
            Ok(Any::encode_from(&Utf8StringRef::new(v)?)?)
        };
        if let Some(o) = &self.organization {
            seq.push(rdn(oid::O, utf8("organization", o)?)?);
        }
        if let Some(ou) = &self.organizational_unit {
            seq.push(rdn(oid::OU, utf8("organizational unit", ou)?)?);
        }
        if let Some(sn) = &self.serial_number {
            check_text("serial number", sn)?;
            let ps = PrintableStringRef::new(sn).map_err(|_| {
                CaError::InvalidName(format!(
                    "serial number {sn:?} has characters outside PrintableString"
                ))
            })?;
            seq.push(rdn(oid::SERIAL_NUMBER, Any::encode_from(&ps)?)?);
        }
        seq.push(rdn(oid::CN, utf8("common name", &self.common_name)?)?);
        Ok(Name::from_der(&seq.to_der()?)?)
    }
}

/// What [`issue`] needs to know about the certificate to make.
#[derive(Clone, Debug)]
pub struct CertificateRequest<'a> {
    /// The subject.
    pub subject: &'a SubjectName,
    /// DER `SubjectPublicKeyInfo` of the subject's key (ECDSA P-256 or SM2), as
    /// [`SigningKey::public_key_spki_der`] writes it.
    pub public_key_spki_der: &'a [u8],
    /// The serial number ([`random_serial`]); unique per issuer.
    pub serial: SerialNumber,
    /// Start of validity (truncated to the second).
    pub not_before: DateTime<Utc>,
    /// End of validity (truncated to the second), after `not_before`.
    pub not_after: DateTime<Utc>,
    /// Extensions profile.
    pub profile: Profile,
    /// Revocation and issuer URLs to embed.
    pub urls: CaUrls,
}

/// A fresh serial number: 16 random bytes from the operating system, the first one with its
/// top bit clear and the next set, so that the DER INTEGER is positive and exactly 16 bytes
/// long (126 random bits, RFC 5280 §4.1.2.2; CA/B Forum asks for at least 64).
pub fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes[0] = (bytes[0] & 0x3f) | 0x40;
    // 16 bytes with the top bit clear always make a valid serial; the fallback is unreachable.
    SerialNumber::new(&bytes).unwrap_or_else(|_| SerialNumber::from(1u8))
}

/// Lower-case hex of the serial number's magnitude, without leading zero bytes ("0" for
/// zero).
pub fn serial_hex(serial: &SerialNumber) -> String {
    let bytes = serial.as_bytes();
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let hex: String = bytes
        .get(start..)
        .unwrap_or_default()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if hex.is_empty() { "0".into() } else { hex }
}

/// An X.509 `Time` for `t` (whole seconds): UTCTime through 2049, GeneralizedTime after
/// (RFC 5280 §4.1.2.5).
pub(crate) fn x509_time(t: DateTime<Utc>) -> Result<Time, CaError> {
    let secs = u64::try_from(t.timestamp())
        .map_err(|_| CaError::InvalidTime(format!("{t} is before 1970")))?;
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(|_| CaError::InvalidTime(format!("{t} is out of range")))?;
    Ok(if t.year() < 2050 {
        Time::UtcTime(UtcTime::from_date_time(dt)?)
    } else {
        Time::GeneralTime(GeneralizedTime::from_date_time(dt))
    })
}

/// `t` without its fractional seconds.
pub(crate) fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// The signature `AlgorithmIdentifier` for `alg`'s keys (parameters absent, RFC 5758 §3.2 and
/// GM/T 0015).
pub(crate) fn signature_algorithm(alg: KeyAlgorithm) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: match alg {
            KeyAlgorithm::EcdsaP256 => voi::ECDSA_WITH_SHA256,
            KeyAlgorithm::Sm2 => voi::SM2_WITH_SM3,
        },
        parameters: None,
    }
}

/// The digest that goes with `alg`'s signatures: SHA-256 or SM3.
pub(crate) fn digest_algorithm(alg: KeyAlgorithm) -> DigestAlgorithm {
    match alg {
        KeyAlgorithm::EcdsaP256 => DigestAlgorithm::Sha256,
        KeyAlgorithm::Sm2 => DigestAlgorithm::Sm3,
    }
}

/// Signs `tbs` with `key` and checks the signature with `signer` (the public key that relying
/// parties will use): [`CaError::KeyMismatch`] when they do not belong together.
pub(crate) fn sign_checked(
    key: &SigningKey,
    signer: &SubjectPublicKeyInfoOwned,
    tbs: &[u8],
) -> Result<Vec<u8>, CaError> {
    let alg = signature_algorithm(key.algorithm());
    let signature = key.sign(tbs)?;
    verify_signature(signer, &alg, None, tbs, &signature).map_err(|_| CaError::KeyMismatch)?;
    Ok(signature)
}

/// An extension with `value`'s DER as `extnValue`.
pub(crate) fn extension(
    oid: ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, CaError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

/// The key identifier of a public key: SHA-1 of the subjectPublicKey BIT STRING contents
/// (RFC 5280 §4.2.1.2, method 1).
pub(crate) fn key_identifier(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    DigestAlgorithm::Sha1.digest(spki.subject_public_key.raw_bytes())
}

/// The key identifier of a certificate: its subjectKeyIdentifier, else computed.
fn certificate_key_identifier(cert: &Certificate) -> Vec<u8> {
    let tbs = cert.tbs_certificate();
    match tbs.get_extension::<SubjectKeyIdentifier>() {
        Ok(Some((_, ski))) => ski.0.as_bytes().to_vec(),
        _ => key_identifier(tbs.subject_public_key_info()),
    }
}

/// `TBSCertificate` (RFC 5280 §4.1) as Signet writes it: v3, no unique ids, extensions.
#[derive(Clone, Debug, Sequence)]
struct TbsCertificate {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT")]
    extensions: Extensions,
}

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }`.
#[derive(Clone, Debug, Sequence)]
struct SignedCertificate {
    tbs_certificate: TbsCertificate,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// Reads a subject public key: only ECDSA P-256 and SM2 keys are certified.
fn subject_key(der: &[u8]) -> Result<SubjectPublicKeyInfoOwned, CaError> {
    let spki = SubjectPublicKeyInfoOwned::from_der(der)
        .map_err(|e| CaError::BadPublicKey(format!("not a DER SubjectPublicKeyInfo: {e}")))?;
    match PublicKey::from_spki(&spki) {
        Ok(PublicKey::P256(_) | PublicKey::Sm2(_)) => Ok(spki),
        Ok(_) => Err(CaError::BadPublicKey(
            "only ECDSA P-256 and SM2 keys are certified".into(),
        )),
        Err(e) => Err(CaError::BadPublicKey(e.to_string())),
    }
}

/// A PKCS#10 certification request (DER) checked for proof of possession: its signature
/// verifies with the public key it carries, which must be ECDSA P-256 or SM2. Returns that
/// key's algorithm and DER `SubjectPublicKeyInfo` (the subject and any requested extensions are ignored:
/// the CA decides them). Trailing bytes are refused.
pub fn check_csr(der: &[u8]) -> Result<(KeyAlgorithm, Vec<u8>), CaError> {
    use x509_cert::request::CertReq;
    let req = CertReq::from_der(der)
        .map_err(|e| CaError::BadRequest(format!("not a DER PKCS#10 request: {e}")))?;
    let spki_der = req.info.public_key.to_der()?;
    let spki = subject_key(&spki_der)?;
    let info = req.info.to_der()?;
    let signature = req
        .signature
        .as_bytes()
        .ok_or_else(|| CaError::BadRequest("the request's signature is not whole bytes".into()))?;
    crate::verify::algorithm::verify_signature(&spki, &req.algorithm, None, &info, signature)
        .map_err(|_| {
            CaError::BadRequest(
                "the request is not signed by the key it carries (no proof of possession)".into(),
            )
        })?;
    let alg = match PublicKey::from_spki(&spki) {
        Ok(PublicKey::Sm2(_)) => KeyAlgorithm::Sm2,
        _ => KeyAlgorithm::EcdsaP256,
    };
    Ok((alg, spki_der))
}

/// Checks that `issuer` is a CA certificate allowed to sign certificates (`crl == false`) or
/// CRLs (`crl == true`).
pub(crate) fn check_issuer(issuer: &Certificate, crl: bool) -> Result<(), CaError> {
    let tbs = issuer.tbs_certificate();
    match tbs.get_extension::<BasicConstraints>() {
        Ok(Some((_, bc))) if bc.ca => {}
        _ => {
            return Err(CaError::IssuerNotAuthorized(
                "basicConstraints does not say cA".into(),
            ));
        }
    }
    match tbs.get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) if crl && !ku.crl_sign() => Err(CaError::IssuerNotAuthorized(
            "keyUsage lacks cRLSign".into(),
        )),
        Ok(Some((_, ku))) if !crl && !ku.key_cert_sign() => Err(CaError::IssuerNotAuthorized(
            "keyUsage lacks keyCertSign".into(),
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(CaError::IssuerNotAuthorized(format!(
            "unreadable keyUsage: {e}"
        ))),
    }
}

fn profile_extensions(
    profile: Profile,
    urls: &CaUrls,
    subject_key_id: Vec<u8>,
    authority_key_id: Option<Vec<u8>>,
) -> Result<Extensions, CaError> {
    use KeyUsages as K;
    let mut exts = Vec::new();
    let (bc, bc_critical) = match profile {
        Profile::RootCa => (
            BasicConstraints {
                ca: true,
                path_len_constraint: None,
            },
            true,
        ),
        Profile::IssuingCa => (
            BasicConstraints {
                ca: true,
                path_len_constraint: Some(0),
            },
            true,
        ),
        _ => (
            BasicConstraints {
                ca: false,
                path_len_constraint: None,
            },
            false,
        ),
    };
    exts.push(extension(
        <BasicConstraints as der::oid::AssociatedOid>::OID,
        bc_critical,
        &bc,
    )?);
    let ku = match profile {
        Profile::RootCa => K::KeyCertSign | K::CRLSign,
        Profile::IssuingCa => K::DigitalSignature | K::KeyCertSign | K::CRLSign,
        Profile::Signer | Profile::TimeStamping => K::DigitalSignature | K::NonRepudiation,
        Profile::OcspResponder => K::DigitalSignature.into(),
    };
    exts.push(extension(
        <KeyUsage as der::oid::AssociatedOid>::OID,
        true,
        &KeyUsage(ku),
    )?);
    match profile {
        Profile::OcspResponder => {
            exts.push(extension(
                <ExtendedKeyUsage as der::oid::AssociatedOid>::OID,
                false,
                &ExtendedKeyUsage(vec![voi::KP_OCSP_SIGNING]),
            )?);
            exts.push(extension(voi::OCSP_NOCHECK, false, &Null)?);
        }
        Profile::TimeStamping => exts.push(extension(
            <ExtendedKeyUsage as der::oid::AssociatedOid>::OID,
            true,
            &ExtendedKeyUsage(vec![voi::KP_TIME_STAMPING]),
        )?),
        _ => {}
    }
    exts.push(extension(
        <SubjectKeyIdentifier as der::oid::AssociatedOid>::OID,
        false,
        &SubjectKeyIdentifier(OctetString::new(subject_key_id)?),
    )?);
    if let Some(aki) = authority_key_id {
        exts.push(extension(
            <AuthorityKeyIdentifier as der::oid::AssociatedOid>::OID,
            false,
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(aki)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        )?);
    }
    if let Some(crl) = &urls.crl {
        exts.push(extension(
            <CrlDistributionPoints as der::oid::AssociatedOid>::OID,
            false,
            &CrlDistributionPoints(vec![DistributionPoint {
                distribution_point: Some(DistributionPointName::FullName(vec![uri(crl)?])),
                reasons: None,
                crl_issuer: None,
            }]),
        )?);
    }
    let mut access = Vec::new();
    if let Some(ocsp) = &urls.ocsp {
        access.push(AccessDescription {
            access_method: voi::AD_OCSP,
            access_location: uri(ocsp)?,
        });
    }
    if let Some(ca) = &urls.ca_issuers {
        access.push(AccessDescription {
            access_method: oid::AD_CA_ISSUERS,
            access_location: uri(ca)?,
        });
    }
    if !access.is_empty() {
        exts.push(extension(
            <AuthorityInfoAccessSyntax as der::oid::AssociatedOid>::OID,
            false,
            &AuthorityInfoAccessSyntax(access),
        )?);
    }
    Ok(exts)
}

fn uri(url: &str) -> Result<GeneralName, CaError> {
    if url.is_empty() || !url.is_ascii() || url.chars().any(|c| c.is_ascii_control() || c == ' ') {
        return Err(CaError::Invalid(format!("{url:?} is not an ASCII URI")));
    }
    Ok(GeneralName::UniformResourceIdentifier(Ia5String::new(url)?))
}

/// Issues a certificate for `req` signed with `issuer_key`.
///
/// `issuer` is the issuing CA's certificate (its subject becomes the issuer name, its key
/// identifier the authorityKeyIdentifier); it must be a CA (basicConstraints cA, keyUsage
/// keyCertSign if present) and `issuer_key` must be its key. `None` makes a self-signed
/// certificate: then the request's public key must be `issuer_key`'s and no
/// authorityKeyIdentifier is written. The result's signature is checked before it is
/// returned ([`CaError::KeyMismatch`] otherwise). The validity is taken as given (whole
/// seconds); it is not clamped to the issuer's.
pub fn issue(
    req: &CertificateRequest<'_>,
    issuer_key: &SigningKey,
    issuer: Option<&Certificate>,
) -> Result<Certificate, CaError> {
    let subject = req.subject.to_name()?;
    let spki = subject_key(req.public_key_spki_der)?;
    let not_before = whole_seconds(req.not_before);
    let not_after = whole_seconds(req.not_after);
    if not_after <= not_before {
        return Err(CaError::InvalidTime(
            "notAfter is not after notBefore".into(),
        ));
    }
    let validity = Validity::new(x509_time(not_before)?, x509_time(not_after)?);
    if req.serial.as_bytes().iter().all(|b| *b == 0) {
        return Err(CaError::Invalid(
            "the serial number must be positive".into(),
        ));
    }
    let (issuer_name, issuer_spki, aki) = match issuer {
        Some(cert) => {
            check_issuer(cert, false)?;
            let tbs = cert.tbs_certificate();
            if req.profile.is_ca()
                && let Ok(Some((_, bc))) = tbs.get_extension::<BasicConstraints>()
                && bc.path_len_constraint == Some(0)
            {
                return Err(CaError::IssuerNotAuthorized(
                    "pathLenConstraint 0 forbids issuing CA certificates".into(),
                ));
            }
            (
                tbs.subject().clone(),
                tbs.subject_public_key_info().clone(),
                Some(certificate_key_identifier(cert)),
            )
        }
        None => {
            let own = issuer_key.public_key_spki_der()?;
            let own = SubjectPublicKeyInfoOwned::from_der(&own)?;
            if own.subject_public_key != spki.subject_public_key {
                return Err(CaError::KeyMismatch);
            }
            (subject.clone(), spki.clone(), None)
        }
    };
    let extensions = profile_extensions(req.profile, &req.urls, key_identifier(&spki), aki)?;
    let signature_alg = signature_algorithm(issuer_key.algorithm());
    let tbs = TbsCertificate {
        version: 2,
        serial_number: req.serial.clone(),
        signature: signature_alg.clone(),
        issuer: issuer_name,
        validity,
        subject,
        subject_public_key_info: spki,
        extensions,
    };
    let tbs_der = tbs.to_der()?;
    let signature = sign_checked(issuer_key, &issuer_spki, &tbs_der)?;
    let cert = SignedCertificate {
        tbs_certificate: tbs,
        signature_algorithm: signature_alg,
        signature: BitString::from_bytes(&signature)?,
    };
    Ok(Certificate::from_der(&cert.to_der()?)?)
}

#[cfg(test)]
pub(crate) mod tests;
