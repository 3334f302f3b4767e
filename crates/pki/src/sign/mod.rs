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

mod cades;
mod certificates;
mod digest;
mod key;
mod pem;
mod timestamp;

pub use cades::*;
pub use certificates::*;
pub use digest::*;
pub use key::*;
#[allow(unused_imports)]
use pem::*;
pub use timestamp::*;

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
