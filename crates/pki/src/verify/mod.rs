//! Verification: the other side of [`crate::sign`].
//!
//! - [`algorithm`]: digests and signature primitives (ECDSA P-256/P-384, SM2 with SM3, RSA
//!   PKCS#1 v1.5 and RSA-PSS), driven by X.509/CMS `AlgorithmIdentifier`s.
//! - [`cms`]: CMS `SignedData` as found in a PDF's `/Contents` (detached) or in an RFC 3161
//!   token (attached): the signer certificate, message digest, signature over the signed
//!   attributes as they were encoded, ESS signing-certificate(-v2).
//! - [`tsp`]: RFC 3161 structures and [`TimestampToken`].
//! - [`ocsp`]: RFC 6960 structures, requests, and the OCSP / CRL URLs of a certificate.
//! - [`chain`] and [`revocation`]: path building to configured trust anchors, validity,
//!   constraints and purpose of every certificate, and their revocation status from OCSP
//!   responses and CRLs given by the caller (no network here).
//!
//! Everything here is meant for hostile input: malformed data gives an error or a reported
//! problem, never a panic, and all loops are bounded by the input.

pub mod algorithm;
mod ber;
pub mod chain;
pub mod cms;
mod name;
pub mod ocsp;
pub mod revocation;
pub mod time;
pub mod tsp;

pub use algorithm::{
    DigestAlgorithm, Hasher, SignatureAlgorithm, verify_signature, verify_signature_prehashed,
};
pub use chain::{
    CertificateSummary, ChainInput, ChainProblem, ChainReport, Purpose, TrustAnchors,
    validate_chain,
};
pub use cms::{CmsSignature, EssCheck, SignerCheck};
pub use ocsp::{crl_urls, ocsp_request_der, ocsp_urls};
pub use revocation::{
    RevocationCheck, RevocationMaterial, RevocationSource, RevocationStatus, check_revocation,
};
pub use tsp::TimestampToken;

/// Why a structure could not be read or a signature could not be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The bytes are not the expected ASN.1 structure.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// What was being read ("CMS ContentInfo", "SignerInfo", ...).
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// Bytes other than zero padding follow the DER structure.
    #[error("unexpected data after the end of the DER structure")]
    TrailingData,
    /// A `ContentInfo` whose content is not `SignedData`.
    #[error("not a CMS SignedData (content type {0})")]
    NotSignedData(String),
    /// CMS `SignedData` with no or several `SignerInfo`s.
    #[error("expected exactly one SignerInfo, found {0}")]
    SignerInfoCount(usize),
    /// A `SignedData` that is not an RFC 3161 timestamp token.
    #[error("not an RFC 3161 timestamp token: {0}")]
    NotTimestampToken(String),
    /// An algorithm (digest, signature, key, curve) that is not supported.
    #[error("unsupported algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// A public key that cannot be read.
    #[error("unreadable public key: {0}")]
    BadPublicKey(String),
    /// The signature algorithm does not go with the key (e.g. RSA with an EC key).
    #[error("the signature algorithm {algorithm} does not match the {key} key")]
    AlgorithmMismatch {
        /// The signature algorithm.
        algorithm: String,
        /// The key type.
        key: String,
    },
    /// The signature does not verify (or is not even a well-formed signature value).
    #[error("the signature does not verify")]
    BadSignature,
    /// A structure could not be encoded or decoded.
    #[error("ASN.1 DER error: {0}")]
    Der(String),
}

impl From<der::Error> for VerifyError {
    fn from(e: der::Error) -> Self {
        Self::Der(e.to_string())
    }
}

/// Object identifiers used by the verification code.
pub mod oid {
    use der::asn1::ObjectIdentifier;

    macro_rules! oids {
        ($($(#[$doc:meta])* $name:ident = $value:literal;)*) => {
            $($(#[$doc])* pub const $name: ObjectIdentifier = ObjectIdentifier::new_unwrap($value);)*
        };
    }

    oids! {
        /// `id-data`.
        ID_DATA = "1.2.840.113549.1.7.1";
        /// `id-signedData`.
        ID_SIGNED_DATA = "1.2.840.113549.1.7.2";
        /// `id-ct-TSTInfo` (RFC 3161).
        ID_CT_TST_INFO = "1.2.840.113549.1.9.16.1.4";
        /// `id-contentType` attribute.
        CONTENT_TYPE = "1.2.840.113549.1.9.3";
        /// `id-messageDigest` attribute.
        MESSAGE_DIGEST = "1.2.840.113549.1.9.4";
        /// `id-signingTime` attribute.
        SIGNING_TIME = "1.2.840.113549.1.9.5";
        /// `id-aa-signingCertificate` (RFC 2634, SHA-1).
        SIGNING_CERTIFICATE = "1.2.840.113549.1.9.16.2.12";
        /// `id-aa-signingCertificateV2` (RFC 5035).
        SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47";
        /// `id-aa-signatureTimeStampToken` (RFC 3161 appendix A).
        SIGNATURE_TIMESTAMP_TOKEN = "1.2.840.113549.1.9.16.2.14";
        /// SHA-1.
        SHA1 = "1.3.14.3.2.26";
        /// SHA-256.
        SHA256 = "2.16.840.1.101.3.4.2.1";
        /// SHA-384.
        SHA384 = "2.16.840.1.101.3.4.2.2";
        /// SHA-512.
        SHA512 = "2.16.840.1.101.3.4.2.3";
        /// SM3.
        SM3 = "1.2.156.10197.1.401";
        /// `rsaEncryption`.
        RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
        /// `sha1WithRSAEncryption`.
        SHA1_WITH_RSA = "1.2.840.113549.1.1.5";
        /// `id-RSASSA-PSS`.
        RSASSA_PSS = "1.2.840.113549.1.1.10";
        /// `id-mgf1`.
        MGF1 = "1.2.840.113549.1.1.8";
        /// `sha256WithRSAEncryption`.
        SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
        /// `sha384WithRSAEncryption`.
        SHA384_WITH_RSA = "1.2.840.113549.1.1.12";
        /// `sha512WithRSAEncryption`.
        SHA512_WITH_RSA = "1.2.840.113549.1.1.13";
        /// `id-ecPublicKey`.
        EC_PUBLIC_KEY = "1.2.840.10045.2.1";
        /// `ecdsa-with-SHA1`.
        ECDSA_WITH_SHA1 = "1.2.840.10045.4.1";
        /// `ecdsa-with-SHA256`.
        ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
        /// `ecdsa-with-SHA384`.
        ECDSA_WITH_SHA384 = "1.2.840.10045.4.3.3";
        /// `ecdsa-with-SHA512`.
        ECDSA_WITH_SHA512 = "1.2.840.10045.4.3.4";
        /// The SM2 curve, also used as a key algorithm.
        SM2_CURVE = "1.2.156.10197.1.301";
        /// `sm2sign` (GM/T 0006): SM2 signature, hash named elsewhere.
        SM2_SIGN = "1.2.156.10197.1.301.1";
        /// SM2 signature with SM3.
        SM2_WITH_SM3 = "1.2.156.10197.1.501";
        /// P-256 (`prime256v1`).
        P256_CURVE = "1.2.840.10045.3.1.7";
        /// P-384 (`secp384r1`).
        P384_CURVE = "1.3.132.0.34";
        /// P-521 (`secp521r1`).
        P521_CURVE = "1.3.132.0.35";
        /// Ed25519.
        ED25519 = "1.3.101.112";
        /// `id-kp-timeStamping`.
        KP_TIME_STAMPING = "1.3.6.1.5.5.7.3.8";
        /// `id-kp-OCSPSigning`.
        KP_OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";
        /// `id-ad-ocsp` (access method in AIA).
        AD_OCSP = "1.3.6.1.5.5.7.48.1";
        /// `id-pkix-ocsp-basic`.
        OCSP_BASIC = "1.3.6.1.5.5.7.48.1.1";
        /// `id-pkix-ocsp-nocheck`.
        OCSP_NOCHECK = "1.3.6.1.5.5.7.48.1.5";
    }
}
