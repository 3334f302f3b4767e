//! CMS signatures for PDF documents: PAdES baseline (`ETSI.CAdES.detached`) `SignedData`
//! with ECDSA P-256 (SHA-256) or SM2 (SM3, distinguishing id `1234567812345678`).
//!
//! Signing happens in two steps so that the private key can live elsewhere (an HSM, a
//! user's device, another service):
//!
//! 1. [`prepare`] builds the signed attributes for the digest of the document's byte
//!    ranges. [`PreparedSignature::signed_attributes_der`] are the bytes to sign (or
//!    [`PreparedSignature::to_be_signed_digest`] for a signer that only takes a digest), and
//!    [`PreparedSignature::max_encoded_len`] tells the PDF how much room to reserve.
//! 2. [`PreparedSignature::finish`] checks the signature against the signer certificate and
//!    returns the DER `ContentInfo` to write into the PDF's `/Contents`.
//!
//! [`sign_detached`] does both with a local [`SigningKey`].
//!
//! The signed attributes are exactly content-type, message-digest and
//! signing-certificate-v2; there is no signing-time attribute (PAdES puts the time in the
//! signature dictionary's `/M`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier,
    SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use p256::elliptic_curve::sec1::ToSec1Point as _;
use p256::pkcs8::EncodePublicKey as _;
use sha2_011::Sha256;
use sm2::dsa::signature::{Signer as _, Verifier as _};
use sm3::{Digest as _, Sm3};
use spki::AlgorithmIdentifierOwned;
use std::fmt;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::{GeneralName, GeneralNames};
use x509_cert::serial_number::SerialNumber;
use zeroize::Zeroizing;

/// The SM2 distinguishing identifier used when none is agreed otherwise (GB/T 35276).
pub const SM2_DEFAULT_DISTID: &str = "1234567812345678";

/// The longest DER `ECDSA-Sig-Value` for a 256-bit curve: `SEQUENCE { INTEGER, INTEGER }`
/// with both integers 33 bytes long (a leading zero before a high bit).
const MAX_SIGNATURE_LEN: usize = 72;

/// Object identifiers used here.
mod oid {
    use der::asn1::ObjectIdentifier;

    /// `id-data` (RFC 5652).
    pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
    /// `id-signedData` (RFC 5652).
    pub const ID_SIGNED_DATA: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
    /// `id-contentType` attribute.
    pub const CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
    /// `id-messageDigest` attribute.
    pub const MESSAGE_DIGEST: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
    /// `id-aa-signingCertificateV2` attribute (RFC 5035).
    pub const SIGNING_CERTIFICATE_V2: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
    /// SHA-256.
    pub const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
    /// SM3 (GM/T 0006).
    pub const SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.401");
    /// `ecdsa-with-SHA256`.
    pub const ECDSA_WITH_SHA256: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
    /// SM2 signature with SM3.
    pub const SM2_WITH_SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");
    /// `id-ecPublicKey`.
    pub const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
    /// The SM2 curve (also used by some tools as the key algorithm itself).
    pub const SM2_CURVE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");
    /// `prime256v1` / `secp256r1` (P-256).
    pub const P256_CURVE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
}

/// The key types Signet signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// ECDSA on NIST P-256 with SHA-256.
    EcdsaP256,
    /// SM2 with SM3 (GB/T 32918, GB/T 35276), distinguishing id [`SM2_DEFAULT_DISTID`].
    Sm2,
}

impl KeyAlgorithm {
    /// Length in bytes of the document digest (SHA-256 or SM3: both 32).
    pub fn digest_len(self) -> usize {
        32
    }

    fn digest_algorithm(self) -> AlgorithmIdentifierOwned {
        let oid = match self {
            Self::EcdsaP256 => oid::SHA256,
            Self::Sm2 => oid::SM3,
        };
        AlgorithmIdentifierOwned {
            oid,
            parameters: None,
        }
    }

    fn signature_algorithm(self) -> AlgorithmIdentifierOwned {
        let oid = match self {
            Self::EcdsaP256 => oid::ECDSA_WITH_SHA256,
            Self::Sm2 => oid::SM2_WITH_SM3,
        };
        AlgorithmIdentifierOwned {
            oid,
            parameters: None,
        }
    }
}

/// Why a key, certificate or signature was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The text is not a readable private key.
    #[error(
        "not a readable private key (expected PKCS#8 \"PRIVATE KEY\" or SEC1 \"EC PRIVATE KEY\" PEM)"
    )]
    BadKey,
    /// A key (private, or a certificate's public key) of a type Signet does not sign with.
    #[error("unsupported key: {0} (only ECDSA P-256 and SM2 keys are supported)")]
    UnsupportedKey(String),
    /// A certificate could not be parsed.
    #[error("not a readable X.509 certificate")]
    BadCertificate,
    /// The PEM text holds no certificate.
    #[error("no certificate found in the PEM text")]
    NoCertificate,
    /// The private key does not belong to the signer certificate.
    #[error("the private key does not match the signer certificate's public key")]
    KeyCertMismatch,
    /// The document digest does not have the length of the signature's digest algorithm.
    #[error("the document digest is {actual} bytes long, expected {expected}")]
    BadDigest {
        /// Length of the digest algorithm's output.
        expected: usize,
        /// Length of the digest given.
        actual: usize,
    },
    /// The signature value is not a DER signature of the signed attributes by the signer
    /// certificate's key.
    #[error("the signature does not verify with the signer certificate over the signed attributes")]
    BadSignature,
    /// The signing primitive failed.
    #[error("the signature could not be computed")]
    Signing,
    /// A structure could not be encoded or decoded.
    #[error("ASN.1 DER error: {0}")]
    Der(String),
}

impl From<der::Error> for SignError {
    fn from(e: der::Error) -> Self {
        Self::Der(e.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Private keys
// ---------------------------------------------------------------------------------------------

/// A private signing key: ECDSA P-256 or SM2. `Debug` shows the algorithm only.
pub struct SigningKey {
    inner: KeyInner,
}

enum KeyInner {
    P256(p256::ecdsa::SigningKey),
    Sm2(sm2::dsa::SigningKey),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Loads a private key from PEM: PKCS#8 (`PRIVATE KEY`) with `id-ecPublicKey` on P-256
    /// (prime256v1) or on the SM2 curve (1.2.156.10197.1.301, as `openssl genpkey -algorithm
    /// SM2` writes it), or SEC1 (`EC PRIVATE KEY`, optionally after an `EC PARAMETERS` block as
    /// `openssl ecparam -genkey` writes it). Encrypted keys, RSA and other curves are refused
    /// with [`SignError::UnsupportedKey`]; anything unreadable with [`SignError::BadKey`].
    pub fn from_pem(pem: &str) -> Result<Self, SignError> {
        let blocks = pem_blocks(pem).ok_or(SignError::BadKey)?;
        for (label, der) in &blocks {
            match label.as_str() {
                "PRIVATE KEY" => return Self::from_pkcs8_der(der),
                "EC PRIVATE KEY" => return Self::from_sec1_der(der, None),
                "RSA PRIVATE KEY" => return Err(SignError::UnsupportedKey("RSA".into())),
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(SignError::UnsupportedKey(
                        "encrypted private key (decrypt it first)".into(),
                    ));
                }
                _ => {}
            }
        }
        Err(SignError::BadKey)
    }

    /// A new random key for `alg`, from the operating system's generator.
    pub fn generate(alg: KeyAlgorithm) -> Result<Self, SignError> {
        use p256::elliptic_curve::Generate as _;
        let inner = match alg {
            KeyAlgorithm::EcdsaP256 => KeyInner::P256(
                p256::ecdsa::SigningKey::try_generate().map_err(|_| SignError::Signing)?,
            ),
            KeyAlgorithm::Sm2 => {
                let secret = sm2::SecretKey::try_generate().map_err(|_| SignError::Signing)?;
                KeyInner::Sm2(
                    sm2::dsa::SigningKey::new(SM2_DEFAULT_DISTID, &secret)
                        .map_err(|_| SignError::BadKey)?,
                )
            }
        };
        Ok(Self { inner })
    }

    /// Loads a DER PKCS#8 `PrivateKeyInfo` (as [`to_pkcs8_der`](Self::to_pkcs8_der) writes).
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, SignError> {
        Self::from_pkcs8_der(der)
    }

    /// The key as DER PKCS#8 (`id-ecPublicKey` with the named curve, as OpenSSL writes both
    /// P-256 and SM2 keys), wiped from memory when dropped.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, SignError> {
        use p256::pkcs8::EncodePrivateKey as _;
        let doc = match &self.inner {
            KeyInner::P256(k) => p256::SecretKey::from(k).to_pkcs8_der(),
            KeyInner::Sm2(k) => sm2::SecretKey::from(k.as_nonzero_scalar()).to_pkcs8_der(),
        }
        .map_err(|e| SignError::Der(e.to_string()))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The key as PKCS#8 PEM (`PRIVATE KEY`), for tools such as `openssl`.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, SignError> {
        let der = self.to_pkcs8_der()?;
        let b64 = Zeroizing::new(STANDARD.encode(der.as_slice()));
        let mut out = String::from("-----BEGIN PRIVATE KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(chunk));
            out.push('\n');
        }
        out.push_str("-----END PRIVATE KEY-----\n");
        Ok(Zeroizing::new(out))
    }

    fn from_pkcs8_der(der: &[u8]) -> Result<Self, SignError> {
        let info = p256::pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|_| SignError::BadKey)?;
        let curve = match info.algorithm.oid {
            oid::EC_PUBLIC_KEY => named_curve(info.algorithm.parameters.map(Any::from))?,
            oid::SM2_CURVE => oid::SM2_CURVE,
            other => return Err(SignError::UnsupportedKey(algorithm_name(&other))),
        };
        Self::from_sec1_der(info.private_key.as_bytes(), Some(curve))
    }

    /// Decodes an `ECPrivateKey` on `curve` (from PKCS#8) or on the curve it names itself.
    fn from_sec1_der(der: &[u8], curve: Option<ObjectIdentifier>) -> Result<Self, SignError> {
        let ec = sec1::EcPrivateKey::from_der(der).map_err(|_| SignError::BadKey)?;
        let own = ec.parameters.and_then(|p| p.named_curve());
        let curve = match (curve, own) {
            (Some(outer), Some(inner)) if outer != inner => return Err(SignError::BadKey),
            (Some(c), _) | (None, Some(c)) => c,
            (None, None) => {
                return Err(SignError::UnsupportedKey(
                    "EC private key without a named curve".into(),
                ));
            }
        };
        let inner = match curve {
            oid::P256_CURVE => {
                let secret = p256::SecretKey::try_from(ec).map_err(|_| SignError::BadKey)?;
                KeyInner::P256(p256::ecdsa::SigningKey::from(secret))
            }
            oid::SM2_CURVE => {
                let secret = sm2::SecretKey::try_from(ec).map_err(|_| SignError::BadKey)?;
                let key = sm2::dsa::SigningKey::new(SM2_DEFAULT_DISTID, &secret)
                    .map_err(|_| SignError::BadKey)?;
                KeyInner::Sm2(key)
            }
            other => return Err(SignError::UnsupportedKey(curve_name(&other))),
        };
        Ok(Self { inner })
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self.inner {
            KeyInner::P256(_) => KeyAlgorithm::EcdsaP256,
            KeyInner::Sm2(_) => KeyAlgorithm::Sm2,
        }
    }

    /// DER `SubjectPublicKeyInfo` of the public key (`id-ecPublicKey` with the named curve,
    /// uncompressed point), as a certificate for this key carries it.
    pub fn public_key_spki_der(&self) -> Result<Vec<u8>, SignError> {
        let doc = match &self.inner {
            KeyInner::P256(k) => k.verifying_key().to_public_key_der(),
            KeyInner::Sm2(k) => sm2::PublicKey::from(k.verifying_key()).to_public_key_der(),
        };
        doc.map(|d| d.into_vec())
            .map_err(|e| SignError::Der(e.to_string()))
    }

    /// Signs `message` (the DER of the signed attributes): ECDSA with SHA-256 on P-256, SM2
    /// with SM3 and the default distinguishing id on SM2. Returns a DER `ECDSA-Sig-Value`
    /// (`SEQUENCE { r INTEGER, s INTEGER }`), the form CMS carries for both.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        match &self.inner {
            KeyInner::P256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.try_sign(message).map_err(|_| SignError::Signing)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            KeyInner::Sm2(k) => {
                let sig: sm2::dsa::Signature =
                    k.try_sign(message).map_err(|_| SignError::Signing)?;
                Ok(sig.to_der().to_vec())
            }
        }
    }

    /// The public point, SEC1 uncompressed, to compare with a certificate's.
    fn public_point(&self) -> Vec<u8> {
        match &self.inner {
            KeyInner::P256(k) => k.verifying_key().to_sec1_point(false).as_bytes().to_vec(),
            KeyInner::Sm2(k) => k
                .verifying_key()
                .as_affine()
                .to_sec1_point(false)
                .as_bytes()
                .to_vec(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Digests
// ---------------------------------------------------------------------------------------------

/// Streaming digest of the document's signed byte ranges: SHA-256 for P-256, SM3 for SM2.
#[derive(Clone, Debug)]
pub struct DocumentHasher {
    inner: HasherInner,
}

#[derive(Clone, Debug)]
enum HasherInner {
    Sha256(Sha256),
    Sm3(Sm3),
}

impl DocumentHasher {
    /// A hasher for the digest algorithm that goes with `alg`.
    pub fn new(alg: KeyAlgorithm) -> Self {
        let inner = match alg {
            KeyAlgorithm::EcdsaP256 => HasherInner::Sha256(Sha256::new()),
            KeyAlgorithm::Sm2 => HasherInner::Sm3(Sm3::new()),
        };
        Self { inner }
    }

    /// Feeds more bytes.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.inner {
            HasherInner::Sha256(h) => h.update(data),
            HasherInner::Sm3(h) => h.update(data),
        }
    }

    /// The digest (32 bytes).
    pub fn finalize(self) -> Vec<u8> {
        match self.inner {
            HasherInner::Sha256(h) => h.finalize().to_vec(),
            HasherInner::Sm3(h) => h.finalize().to_vec(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------------------------

/// Parses every certificate in a PEM bundle (one or more `CERTIFICATE` blocks), in order.
/// Text between blocks (as `openssl x509 -text` writes) and blocks of other kinds are ignored.
pub fn parse_certificates_pem(pem: &str) -> Result<Vec<Certificate>, SignError> {
    let blocks = pem_blocks(pem).ok_or(SignError::BadCertificate)?;
    let certs = blocks
        .iter()
        .filter(|(label, _)| label == "CERTIFICATE")
        .map(|(_, der)| Certificate::from_der(der).map_err(|_| SignError::BadCertificate))
        .collect::<Result<Vec<_>, _>>()?;
    if certs.is_empty() {
        return Err(SignError::NoCertificate);
    }
    Ok(certs)
}

/// The public key of a signer certificate, ready to verify.
#[derive(Clone, Debug)]
enum CertKey {
    P256(p256::ecdsa::VerifyingKey),
    Sm2(sm2::dsa::VerifyingKey),
}

impl CertKey {
    fn from_certificate(cert: &Certificate) -> Result<Self, SignError> {
        let spki = cert.tbs_certificate().subject_public_key_info();
        let curve = match spki.algorithm.oid {
            oid::EC_PUBLIC_KEY => named_curve(spki.algorithm.parameters.clone())?,
            oid::SM2_CURVE => oid::SM2_CURVE,
            other => return Err(SignError::UnsupportedKey(algorithm_name(&other))),
        };
        let point = spki
            .subject_public_key
            .as_bytes()
            .ok_or(SignError::BadCertificate)?;
        match curve {
            oid::P256_CURVE => p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map(Self::P256)
                .map_err(|_| SignError::BadCertificate),
            oid::SM2_CURVE => sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DEFAULT_DISTID, point)
                .map(Self::Sm2)
                .map_err(|_| SignError::BadCertificate),
            other => Err(SignError::UnsupportedKey(curve_name(&other))),
        }
    }

    fn algorithm(&self) -> KeyAlgorithm {
        match self {
            Self::P256(_) => KeyAlgorithm::EcdsaP256,
            Self::Sm2(_) => KeyAlgorithm::Sm2,
        }
    }

    fn public_point(&self) -> Vec<u8> {
        match self {
            Self::P256(k) => k.to_sec1_point(false).as_bytes().to_vec(),
            Self::Sm2(k) => k.as_affine().to_sec1_point(false).as_bytes().to_vec(),
        }
    }

    /// Verifies a DER signature over `message` and returns it re-encoded canonically.
    fn verify(&self, message: &[u8], signature_der: &[u8]) -> Result<Vec<u8>, SignError> {
        match self {
            Self::P256(k) => {
                let sig = p256::ecdsa::Signature::from_der(signature_der)
                    .map_err(|_| SignError::BadSignature)?;
                k.verify(message, &sig)
                    .map_err(|_| SignError::BadSignature)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Self::Sm2(k) => {
                let sig = sm2::dsa::Signature::from_der(signature_der)
                    .map_err(|_| SignError::BadSignature)?;
                k.verify(message, &sig)
                    .map_err(|_| SignError::BadSignature)?;
                Ok(sig.to_der().to_vec())
            }
        }
    }

    /// The digest a digest-only signer signs: SHA-256(M), or SM3(Z ‖ M) for SM2.
    fn to_be_signed_digest(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::P256(_) => Sha256::digest(message).to_vec(),
            Self::Sm2(k) => {
                let point = k.as_affine().to_sec1_point(false);
                let mut h = Sm3::new();
                h.update(sm2_z(SM2_DEFAULT_DISTID, point.as_bytes()));
                h.update(message);
                h.finalize().to_vec()
            }
        }
    }
}

/// The curve named by `id-ecPublicKey` parameters.
fn named_curve(parameters: Option<Any>) -> Result<ObjectIdentifier, SignError> {
    let parameters = parameters
        .ok_or_else(|| SignError::UnsupportedKey("EC key without a named curve".into()))?;
    parameters
        .decode_as::<ObjectIdentifier>()
        .map_err(|_| SignError::UnsupportedKey("EC key with explicit curve parameters".into()))
}

/// A readable name for a public-key algorithm, for error messages.
fn algorithm_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => "RSA".into(),
        "1.2.840.10040.4.1" => "DSA".into(),
        "1.3.101.112" => "Ed25519".into(),
        "1.3.101.113" => "Ed448".into(),
        other => format!("key algorithm {other}"),
    }
}

/// A readable name for an elliptic curve, for error messages.
fn curve_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.3.132.0.34" => "EC curve P-384 (secp384r1)".into(),
        "1.3.132.0.35" => "EC curve P-521 (secp521r1)".into(),
        "1.3.132.0.10" => "EC curve secp256k1".into(),
        other => format!("EC curve {other}"),
    }
}

/// SM2 curve parameters `a`, `b`, `xG`, `yG` (GB/T 32918.5), for the user hash `Z`.
const SM2_A: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFC,
];
const SM2_B: [u8; 32] = [
    0x28, 0xE9, 0xFA, 0x9E, 0x9D, 0x9F, 0x5E, 0x34, 0x4D, 0x5A, 0x9E, 0x4B, 0xCF, 0x65, 0x09, 0xA7,
    0xF3, 0x97, 0x89, 0xF5, 0x15, 0xAB, 0x8F, 0x92, 0xDD, 0xBC, 0xBD, 0x41, 0x4D, 0x94, 0x0E, 0x93,
];
const SM2_GX: [u8; 32] = [
    0x32, 0xC4, 0xAE, 0x2C, 0x1F, 0x19, 0x81, 0x19, 0x5F, 0x99, 0x04, 0x46, 0x6A, 0x39, 0xC9, 0x94,
    0x8F, 0xE3, 0x0B, 0xBF, 0xF2, 0x66, 0x0B, 0xE1, 0x71, 0x5A, 0x45, 0x89, 0x33, 0x4C, 0x74, 0xC7,
];
const SM2_GY: [u8; 32] = [
    0xBC, 0x37, 0x36, 0xA2, 0xF4, 0xF6, 0x77, 0x9C, 0x59, 0xBD, 0xCE, 0xE3, 0x6B, 0x69, 0x21, 0x53,
    0xD0, 0xA9, 0x87, 0x7C, 0xC6, 0x2A, 0x47, 0x40, 0x02, 0xDF, 0x32, 0xE5, 0x21, 0x39, 0xF0, 0xA0,
];

/// `Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA)` for a public key given as a SEC1
/// uncompressed point (`04 ‖ x ‖ y`).
fn sm2_z(distid: &str, uncompressed_point: &[u8]) -> Vec<u8> {
    // The distinguishing id is a short constant here; its bit length fits in 16 bits.
    let entl = u16::try_from(distid.len() * 8).unwrap_or(u16::MAX);
    let mut h = Sm3::new();
    h.update(entl.to_be_bytes());
    h.update(distid.as_bytes());
    h.update(SM2_A);
    h.update(SM2_B);
    h.update(SM2_GX);
    h.update(SM2_GY);
    h.update(uncompressed_point.get(1..).unwrap_or_default());
    h.finalize().to_vec()
}

// ---------------------------------------------------------------------------------------------
// ESS signing-certificate-v2 (RFC 5035)
// ---------------------------------------------------------------------------------------------

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies SEQUENCE OF
/// PolicyInformation OPTIONAL }` (RFC 5035 §3).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    /// The signer certificate first; Signet writes only that one.
    pub certs: Vec<EssCertIdV2>,
    /// Policies (never written by Signet).
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm
/// id-sha256}, certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    /// `None` stands for the DEFAULT, SHA-256, which DER omits; Signet always uses SHA-256.
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// Hash of the certificate's DER.
    pub cert_hash: OctetString,
    /// Issuer and serial number of the certificate.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    /// The issuer's name as a `directoryName`.
    pub issuer: GeneralNames,
    /// The certificate's serial number.
    pub serial_number: SerialNumber,
}

// ---------------------------------------------------------------------------------------------
// Prepare / finish
// ---------------------------------------------------------------------------------------------

/// A signature waiting for its signature value: the output of [`prepare`].
#[derive(Clone, Debug)]
pub struct PreparedSignature {
    key: CertKey,
    sid: SignerIdentifier,
    certificates: CertificateSet,
    signed_attrs: SignedAttributes,
    signed_attrs_der: Vec<u8>,
    max_len: usize,
}

/// The first step of a PAdES signature: builds the signed attributes (content-type id-data,
/// message-digest `document_digest`, signing-certificate-v2 naming `signer`) for the digest
/// of the document's byte ranges, made with [`DocumentHasher`] for the signer's algorithm.
/// `signer` is the signer's certificate (P-256 or SM2 key), `chain` the further certificates
/// to embed (intermediates, root; may be empty; duplicates are dropped).
pub fn prepare(
    signer: &Certificate,
    chain: &[Certificate],
    document_digest: &[u8],
) -> Result<PreparedSignature, SignError> {
    let key = CertKey::from_certificate(signer)?;
    let alg = key.algorithm();
    if document_digest.len() != alg.digest_len() {
        return Err(SignError::BadDigest {
            expected: alg.digest_len(),
            actual: document_digest.len(),
        });
    }
    let tbs = signer.tbs_certificate();
    let signer_der = signer.to_der()?;

    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(Sha256::digest(&signer_der).to_vec())?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            }),
        }],
        policies: None,
    };
    let signed_attrs = SetOfVec::try_from(vec![
        attribute(oid::CONTENT_TYPE, &oid::ID_DATA)?,
        attribute(
            oid::MESSAGE_DIGEST,
            &OctetString::new(document_digest.to_vec())?,
        )?,
        attribute(oid::SIGNING_CERTIFICATE_V2, &ess)?,
    ])?;
    let signed_attrs_der = signed_attrs.to_der()?;

    let mut seen: Vec<Vec<u8>> = vec![signer_der];
    let mut certificates = CertificateSet(SetOfVec::new());
    certificates
        .0
        .insert(CertificateChoices::Certificate(signer.clone()))?;
    for cert in chain {
        let der = cert.to_der()?;
        if !seen.contains(&der) {
            certificates
                .0
                .insert(CertificateChoices::Certificate(cert.clone()))?;
            seen.push(der);
        }
    }

    let mut prepared = PreparedSignature {
        key,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        certificates,
        signed_attrs,
        signed_attrs_der,
        max_len: 0,
    };
    // Every valid signature value is at most MAX_SIGNATURE_LEN bytes, and the encoding grows
    // with the signature, so a placeholder of that length gives the upper bound.
    prepared.max_len = prepared.encode(vec![0; MAX_SIGNATURE_LEN])?.len();
    Ok(prepared)
}

/// An attribute with a single value.
fn attribute(oid: ObjectIdentifier, value: &impl Encode) -> Result<Attribute, SignError> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![Any::from_der(&value.to_der()?)?])?,
    })
}

impl PreparedSignature {
    /// The signature algorithm, from the signer certificate's public key.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.key.algorithm()
    }

    /// The exact bytes an external signer must sign: the DER of the signed attributes as a
    /// `SET OF` (tag 0x31), per RFC 5652 §5.4. The finished `SignerInfo` carries the same bytes
    /// under the `[0] IMPLICIT` tag.
    pub fn signed_attributes_der(&self) -> &[u8] {
        &self.signed_attrs_der
    }

    /// What a digest-only signer (an HSM) must sign: SHA-256 of the signed attributes for
    /// P-256; for SM2, SM3(Z ‖ signed attributes), with Z from the signer certificate's public
    /// key and [`SM2_DEFAULT_DISTID`].
    pub fn to_be_signed_digest(&self) -> Vec<u8> {
        self.key.to_be_signed_digest(&self.signed_attrs_der)
    }

    /// An upper bound of the DER length of [`finish`](Self::finish)'s output for any valid
    /// signature value, so that the PDF can reserve `/Contents` before signing.
    pub fn max_encoded_len(&self) -> usize {
        self.max_len
    }

    /// The second step: checks that `signature_der` (a DER `ECDSA-Sig-Value`) verifies with the
    /// signer certificate's key over [`signed_attributes_der`](Self::signed_attributes_der)
    /// ([`SignError::BadSignature`] otherwise: another key, other bytes, a raw `r ‖ s`), then
    /// returns the DER of the `ContentInfo` (`SignedData`) to embed in the PDF.
    pub fn finish(&self, signature_der: &[u8]) -> Result<Vec<u8>, SignError> {
        let signature = self.key.verify(&self.signed_attrs_der, signature_der)?;
        self.encode(signature)
    }

    /// Encodes the `ContentInfo` with `signature` as the signature value.
    fn encode(&self, signature: Vec<u8>) -> Result<Vec<u8>, SignError> {
        let alg = self.algorithm();
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: self.sid.clone(),
            digest_alg: alg.digest_algorithm(),
            signed_attrs: Some(self.signed_attrs.clone()),
            signature_algorithm: alg.signature_algorithm(),
            signature: OctetString::new(signature)?,
            unsigned_attrs: None,
        };
        let signed_data = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![alg.digest_algorithm()])?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: oid::ID_DATA,
                econtent: None,
            },
            certificates: Some(self.certificates.clone()),
            crls: None,
            signer_infos: SignerInfos::try_from(vec![signer_info])?,
        };
        let content_info = ContentInfo {
            content_type: oid::ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data)?,
        };
        Ok(content_info.to_der()?)
    }
}

/// Checks a DER `ECDSA-Sig-Value` over `message` with the public key of `cert`: ECDSA P-256
/// with SHA-256, or SM2 with SM3 and [`SM2_DEFAULT_DISTID`] (as [`SigningKey::sign`] makes
/// them). Used for proofs of possession such as certificate login.
pub fn verify_by_certificate(
    cert: &Certificate,
    message: &[u8],
    signature_der: &[u8],
) -> Result<KeyAlgorithm, SignError> {
    let key = CertKey::from_certificate(cert)?;
    key.verify(message, signature_der)?;
    Ok(key.algorithm())
}

/// Signs with a local key: [`prepare`], [`SigningKey::sign`], [`PreparedSignature::finish`].
/// Refuses with [`SignError::KeyCertMismatch`] a key that is not the signer certificate's.
pub fn sign_detached(
    key: &SigningKey,
    signer: &Certificate,
    chain: &[Certificate],
    document_digest: &[u8],
) -> Result<Vec<u8>, SignError> {
    let cert_key = CertKey::from_certificate(signer)?;
    if cert_key.algorithm() != key.algorithm() || cert_key.public_point() != key.public_point() {
        return Err(SignError::KeyCertMismatch);
    }
    let prepared = prepare(signer, chain, document_digest)?;
    let signature = key.sign(prepared.signed_attributes_der())?;
    prepared.finish(&signature)
}

// ---------------------------------------------------------------------------------------------
// PEM
// ---------------------------------------------------------------------------------------------

/// Splits PEM text into its blocks (label, decoded bytes), in order. Lenient about line
/// lengths, line endings and text between blocks; `None` when a block is malformed (no END
/// line, bad base64, RFC 1421 headers).
fn pem_blocks(text: &str) -> Option<Vec<(String, Zeroizing<Vec<u8>>)>> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after_begin = rest.get(start + BEGIN.len()..)?;
        let label_end = after_begin.find(DASHES)?;
        let label = after_begin.get(..label_end)?;
        let body_and_more = after_begin.get(label_end + DASHES.len()..)?;
        let end_line = format!("-----END {label}-----");
        let body_end = body_and_more.find(&end_line)?;
        let body = body_and_more.get(..body_end)?;
        if body.contains(':') {
            return None;
        }
        let b64: Zeroizing<String> =
            Zeroizing::new(body.chars().filter(|c| !c.is_ascii_whitespace()).collect());
        let der = Zeroizing::new(STANDARD.decode(b64.as_bytes()).ok()?);
        blocks.push((label.to_owned(), der));
        rest = body_and_more.get(body_end + end_line.len()..)?;
    }
    Some(blocks)
}

// ---------------------------------------------------------------------------------------------
// Signature timestamps (PAdES B-T)
// ---------------------------------------------------------------------------------------------

/// `id-aa-signatureTimeStampToken` (RFC 3161 appendix A).
const SIGNATURE_TIMESTAMP_TOKEN_OID: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// One DER element of a buffer: its tag and the offsets of its header, contents and end.
#[derive(Clone, Copy, Debug)]
struct DerTlv {
    tag: u8,
    start: usize,
    body: usize,
    end: usize,
}

fn der_err(what: &str) -> SignError {
    SignError::Der(format!("CMS signature: {what}"))
}

/// Reads the DER element at `at` (single-byte tags, definite lengths only).
fn der_read(der: &[u8], at: usize, limit: usize) -> Result<DerTlv, SignError> {
    let tag = *der.get(at).ok_or_else(|| der_err("truncated"))?;
    if tag & 0x1f == 0x1f {
        return Err(der_err("multi-byte tags are not supported"));
    }
    let first = *der.get(at + 1).ok_or_else(|| der_err("truncated"))?;
    let (len, body) = match first {
        0..=0x7f => (usize::from(first), at + 2),
        0x80 => return Err(der_err("indefinite lengths (BER) are not supported")),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7f);
            let bytes = der
                .get(at + 2..at + 2 + n)
                .ok_or_else(|| der_err("truncated"))?;
            let len = bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (len, at + 2 + n)
        }
        _ => return Err(der_err("length too large")),
    };
    let end = body
        .checked_add(len)
        .filter(|e| *e <= limit)
        .ok_or_else(|| der_err("an element runs past its container"))?;
    Ok(DerTlv {
        tag,
        start: at,
        body,
        end,
    })
}

/// The elements inside a constructed element.
fn der_children(der: &[u8], parent: &DerTlv) -> Result<Vec<DerTlv>, SignError> {
    let mut out = Vec::new();
    let mut at = parent.body;
    while at < parent.end {
        let tlv = der_read(der, at, parent.end)?;
        at = tlv.end;
        out.push(tlv);
    }
    Ok(out)
}

/// `tag`, DER length, `content`.
fn der_wrap(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// The path to the single `SignerInfo` of a DER `ContentInfo(SignedData)`: ContentInfo,
/// its content type, `[0]`, `SignedData`, `signerInfos`, the `SignerInfo`.
struct SignerInfoPath {
    content_info: DerTlv,
    content_type: DerTlv,
    explicit: DerTlv,
    signed_data: DerTlv,
    signer_infos: DerTlv,
    signer_info: DerTlv,
}

fn locate_signer_info(cms_der: &[u8]) -> Result<SignerInfoPath, SignError> {
    let content_info = der_read(cms_der, 0, cms_der.len())?;
    if content_info.tag != 0x30 {
        return Err(der_err("not a ContentInfo"));
    }
    if cms_der[content_info.end..].iter().any(|b| *b != 0) {
        return Err(der_err("data after the ContentInfo"));
    }
    let [content_type, explicit] = der_children(cms_der, &content_info)?[..] else {
        return Err(der_err("a ContentInfo has two elements"));
    };
    if content_type.tag != 0x06
        || cms_der[content_type.body..content_type.end] != *oid::ID_SIGNED_DATA.as_bytes()
        || explicit.tag != 0xa0
    {
        return Err(der_err("not a SignedData"));
    }
    let [signed_data] = der_children(cms_der, &explicit)?[..] else {
        return Err(der_err("[0] must hold one SignedData"));
    };
    let signer_infos = der_children(cms_der, &signed_data)?
        .last()
        .copied()
        .filter(|s| s.tag == 0x31 && signed_data.tag == 0x30)
        .ok_or_else(|| der_err("no signerInfos"))?;
    let infos = der_children(cms_der, &signer_infos)?;
    let [signer_info] = infos[..] else {
        return Err(der_err(&format!(
            "expected one SignerInfo, found {}",
            infos.len()
        )));
    };
    if signer_info.tag != 0x30 {
        return Err(der_err("a SignerInfo is a SEQUENCE"));
    }
    Ok(SignerInfoPath {
        content_info,
        content_type,
        explicit,
        signed_data,
        signer_infos,
        signer_info,
    })
}

/// The `signature` OCTET STRING of a `SignerInfo` and what follows it.
fn signature_field(
    cms_der: &[u8],
    signer_info: &DerTlv,
) -> Result<(DerTlv, Option<DerTlv>), SignError> {
    let fields = der_children(cms_der, signer_info)?;
    let at = fields
        .iter()
        .position(|f| f.tag == 0x04)
        .ok_or_else(|| der_err("the SignerInfo has no signature value"))?;
    let unsigned = match &fields[at + 1..] {
        [] => None,
        [u] if u.tag == 0xa1 => Some(*u),
        _ => return Err(der_err("unexpected fields after the signature value")),
    };
    Ok((fields[at], unsigned))
}

/// The bytes a signature timestamp covers: the `SignerInfo`'s signature value (the OCTET
/// STRING's contents) of a DER CMS `ContentInfo` with a single `SignerInfo`. Zero padding
/// after the `ContentInfo` (as in a PDF's `/Contents`) is ignored.
pub fn signature_value(cms_der: &[u8]) -> Result<Vec<u8>, SignError> {
    let path = locate_signer_info(cms_der)?;
    let (sig, _) = signature_field(cms_der, &path.signer_info)?;
    Ok(cms_der[sig.body..sig.end].to_vec())
}

/// Adds an RFC 3161 signature timestamp (`id-aa-signatureTimeStampToken`,
/// 1.2.840.113549.1.9.16.2.14) as an unsigned attribute of the single `SignerInfo` of a DER
/// CMS `ContentInfo` and returns the new DER. Only the `SignerInfo`'s unsigned attributes and
/// the lengths of the enclosing elements change: everything signed (and the certificates)
/// stays byte-identical. Existing unsigned attributes are kept. `token_der` must be one DER
/// `ContentInfo` (its contents are not checked here).
pub fn add_signature_timestamp(cms_der: &[u8], token_der: &[u8]) -> Result<Vec<u8>, SignError> {
    let token = der_read(token_der, 0, token_der.len())?;
    if token.tag != 0x30 || token.end != token_der.len() {
        return Err(SignError::Der(
            "the timestamp token is not one DER ContentInfo".into(),
        ));
    }
    let p = locate_signer_info(cms_der)?;
    let (sig, unsigned) = signature_field(cms_der, &p.signer_info)?;

    let mut attr = der_wrap(0x06, SIGNATURE_TIMESTAMP_TOKEN_OID.as_bytes());
    attr.extend_from_slice(&der_wrap(0x31, token_der));
    let attr = der_wrap(0x30, &attr);
    let mut attrs: Vec<&[u8]> = match &unsigned {
        Some(u) => der_children(cms_der, u)?
            .iter()
            .map(|a| &cms_der[a.start..a.end])
            .collect(),
        None => Vec::new(),
    };
    attrs.push(&attr);
    // DER orders a SET OF by the encodings of its elements.
    attrs.sort();
    let unsigned_attrs = der_wrap(0xa1, &attrs.concat());

    let mut info = cms_der[p.signer_info.body..sig.end].to_vec();
    info.extend_from_slice(&unsigned_attrs);
    let info = der_wrap(0x30, &info);
    let infos = der_wrap(0x31, &info);
    let mut sd = cms_der[p.signed_data.body..p.signer_infos.start].to_vec();
    sd.extend_from_slice(&infos);
    let sd = der_wrap(0x30, &sd);
    let explicit = der_wrap(p.explicit.tag, &sd);
    let mut ci = cms_der[p.content_type.start..p.content_type.end].to_vec();
    ci.extend_from_slice(&explicit);
    debug_assert_eq!(p.content_info.start, 0);
    Ok(der_wrap(0x30, &ci))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_round_trip_through_pkcs8() {
        for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Sm2] {
            let key = SigningKey::generate(alg).unwrap();
            assert_eq!(key.algorithm(), alg);
            let der = key.to_pkcs8_der().unwrap();
            let back = SigningKey::from_pkcs8(&der).unwrap();
            assert_eq!(back.public_point(), key.public_point());
            let pem = key.to_pkcs8_pem().unwrap();
            let again = SigningKey::from_pem(&pem).unwrap();
            assert_eq!(again.public_point(), key.public_point());
            assert_ne!(
                SigningKey::generate(alg).unwrap().public_point(),
                key.public_point()
            );
        }
    }

    #[test]
    fn pem_blocks_are_split_in_order_and_bad_ones_refused() {
        let text = "junk\n-----BEGIN A-----\nAAEC\n-----END A-----\ntext\r\n-----BEGIN B C-----\r\nAw==\r\n-----END B C-----\n";
        let blocks = pem_blocks(text).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].0, "A");
        assert_eq!(*blocks[0].1, vec![0, 1, 2]);
        assert_eq!(blocks[1].0, "B C");
        assert_eq!(*blocks[1].1, vec![3]);
        assert!(pem_blocks("-----BEGIN A-----\nAAEC\n").is_none());
        assert!(pem_blocks("-----BEGIN A-----\n!!\n-----END A-----").is_none());
        assert!(pem_blocks("nothing").unwrap().is_empty());
    }

    #[test]
    fn ess_cert_id_omits_the_default_hash_algorithm() {
        let id = EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(vec![7; 32]).unwrap(),
            issuer_serial: None,
        };
        let der = id.to_der().unwrap();
        // SEQUENCE { OCTET STRING (32) } only.
        assert_eq!(&der[..4], &[0x30, 34, 0x04, 32]);
        assert_eq!(EssCertIdV2::from_der(&der).unwrap(), id);
        let sm3 = EssCertIdV2 {
            hash_algorithm: Some(KeyAlgorithm::Sm2.digest_algorithm()),
            ..id.clone()
        };
        assert!(sm3.to_der().unwrap().len() > der.len());
    }

    #[test]
    fn sm2_z_matches_the_sm2_crate() {
        // Sign a message with the sm2 crate (which hashes Z ‖ M itself) and check that our Z
        // gives a digest its prehash verifier accepts.
        use sm2::dsa::signature::hazmat::PrehashVerifier as _;
        let secret = sm2::SecretKey::from_slice(&[0x42; 32]).unwrap();
        let key = sm2::dsa::SigningKey::new(SM2_DEFAULT_DISTID, &secret).unwrap();
        let sig: sm2::dsa::Signature = key.sign(b"message");
        let vk = CertKey::Sm2(key.verifying_key().clone());
        let digest = vk.to_be_signed_digest(b"message");
        key.verifying_key().verify_prehash(&digest, &sig).unwrap();
        let other = vk.to_be_signed_digest(b"other");
        assert!(key.verifying_key().verify_prehash(&other, &sig).is_err());
    }
}
