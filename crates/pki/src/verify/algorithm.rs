//! Digest and signature algorithms, named by X.509 / CMS `AlgorithmIdentifier`s.

use super::{VerifyError, oid};
use der::Sequence;
use der::asn1::ObjectIdentifier;
use sha2_011::Digest as _;
use sm2::dsa::signature::Verifier as _;
use sm2::dsa::signature::hazmat::PrehashVerifier as _;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// The SM2 distinguishing identifier assumed for SM2 signatures (GB/T 35276 default).
pub const SM2_DEFAULT_DISTID: &str = crate::sign::SM2_DEFAULT_DISTID;

/// A message digest algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum DigestAlgorithm {
    /// SHA-1 (only for old material: OCSP CertIDs, ESS v1, legacy signatures).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SM3 (GM/T 0004).
    Sm3,
}

impl DigestAlgorithm {
    /// The algorithm an OID names (the OIDs of the digests themselves, not of signature
    /// algorithms).
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match *oid {
            oid::SHA1 => Self::Sha1,
            oid::SHA256 => Self::Sha256,
            oid::SHA384 => Self::Sha384,
            oid::SHA512 => Self::Sha512,
            oid::SM3 => Self::Sm3,
            _ => return None,
        })
    }

    /// The algorithm's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha1 => oid::SHA1,
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
            Self::Sm3 => oid::SM3,
        }
    }

    /// An `AlgorithmIdentifier` for the algorithm (parameters absent).
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }

    /// The usual name: "SHA-256", "SM3", ...
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
            Self::Sm3 => "SM3",
        }
    }

    /// Length of the digest in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 | Self::Sm3 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = self.hasher();
        h.update(data);
        h.finalize()
    }

    /// An incremental hasher.
    pub fn hasher(self) -> Hasher {
        let inner = match self {
            Self::Sha1 => HasherInner::Sha1(sha1::Sha1::new()),
            Self::Sha256 => HasherInner::Sha256(sha2_011::Sha256::new()),
            Self::Sha384 => HasherInner::Sha384(sha2_011::Sha384::new()),
            Self::Sha512 => HasherInner::Sha512(sha2_011::Sha512::new()),
            Self::Sm3 => HasherInner::Sm3(sm3::Sm3::new()),
        };
        Hasher { inner }
    }
}

/// An incremental digest (see [`DigestAlgorithm::hasher`]).
#[derive(Clone, Debug)]
pub struct Hasher {
    inner: HasherInner,
}

#[derive(Clone, Debug)]
enum HasherInner {
    Sha1(sha1::Sha1),
    Sha256(sha2_011::Sha256),
    Sha384(sha2_011::Sha384),
    Sha512(sha2_011::Sha512),
    Sm3(sm3::Sm3),
}

impl Hasher {
    /// Feeds more bytes.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.inner {
            HasherInner::Sha1(h) => h.update(data),
            HasherInner::Sha256(h) => h.update(data),
            HasherInner::Sha384(h) => h.update(data),
            HasherInner::Sha512(h) => h.update(data),
            HasherInner::Sm3(h) => h.update(data),
        }
    }

    /// The digest.
    pub fn finalize(self) -> Vec<u8> {
        match self.inner {
            HasherInner::Sha1(h) => h.finalize().to_vec(),
            HasherInner::Sha256(h) => h.finalize().to_vec(),
            HasherInner::Sha384(h) => h.finalize().to_vec(),
            HasherInner::Sha512(h) => h.finalize().to_vec(),
            HasherInner::Sm3(h) => h.finalize().to_vec(),
        }
    }
}

/// A signature algorithm as it was verified.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum SignatureAlgorithm {
    /// ECDSA on P-256 with the given digest.
    EcdsaP256(DigestAlgorithm),
    /// ECDSA on P-384 with the given digest.
    EcdsaP384(DigestAlgorithm),
    /// SM2 with SM3 and the default distinguishing id.
    Sm2Sm3,
    /// RSA PKCS#1 v1.5 with the given digest.
    RsaPkcs1(DigestAlgorithm),
    /// RSASSA-PSS, MGF1 with the same digest.
    RsaPss {
        /// Message digest (and MGF1 digest).
        digest: DigestAlgorithm,
        /// Salt length in bytes.
        salt_len: usize,
    },
}

impl SignatureAlgorithm {
    /// "ECDSA P-256 / SHA-256", "SM2 / SM3", "RSA PKCS#1 v1.5 / SHA-256", "RSA-PSS / SHA-256".
    pub fn name(&self) -> String {
        match self {
            Self::EcdsaP256(d) => format!("ECDSA P-256 / {}", d.name()),
            Self::EcdsaP384(d) => format!("ECDSA P-384 / {}", d.name()),
            Self::Sm2Sm3 => "SM2 / SM3".into(),
            Self::RsaPkcs1(d) => format!("RSA PKCS#1 v1.5 / {}", d.name()),
            Self::RsaPss { digest, .. } => format!("RSA-PSS / {}", digest.name()),
        }
    }

    /// The message digest algorithm.
    pub fn digest(&self) -> DigestAlgorithm {
        match self {
            Self::EcdsaP256(d) | Self::EcdsaP384(d) | Self::RsaPkcs1(d) => *d,
            Self::RsaPss { digest, .. } => *digest,
            Self::Sm2Sm3 => DigestAlgorithm::Sm3,
        }
    }
}

/// A public key ready to verify.
#[derive(Clone, Debug)]
pub(crate) enum PublicKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Sm2(sm2::dsa::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

impl PublicKey {
    /// Reads a `SubjectPublicKeyInfo`.
    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, VerifyError> {
        let bad = |e: &dyn std::fmt::Display| VerifyError::BadPublicKey(e.to_string());
        let bits = spki.subject_public_key.raw_bytes();
        match spki.algorithm.oid {
            oid::RSA_ENCRYPTION | oid::RSASSA_PSS => {
                use rsa::pkcs1::DecodeRsaPublicKey as _;
                rsa::RsaPublicKey::from_pkcs1_der(bits)
                    .map(Self::Rsa)
                    .map_err(|e| bad(&e))
            }
            oid::SM2_CURVE => sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DEFAULT_DISTID, bits)
                .map(Self::Sm2)
                .map_err(|e| bad(&e)),
            oid::EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                    .ok_or_else(|| {
                        VerifyError::BadPublicKey("EC key without a named curve".into())
                    })?;
                match curve {
                    oid::P256_CURVE => p256::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                        .map(Self::P256)
                        .map_err(|e| bad(&e)),
                    oid::P384_CURVE => p384::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                        .map(Self::P384)
                        .map_err(|e| bad(&e)),
                    oid::SM2_CURVE => {
                        sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DEFAULT_DISTID, bits)
                            .map(Self::Sm2)
                            .map_err(|e| bad(&e))
                    }
                    other => Err(VerifyError::UnsupportedAlgorithm(curve_name(&other))),
                }
            }
            other => Err(VerifyError::UnsupportedAlgorithm(key_algorithm_name(
                &other,
            ))),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::P256(_) => "ECDSA P-256",
            Self::P384(_) => "ECDSA P-384",
            Self::Sm2(_) => "SM2",
            Self::Rsa(_) => "RSA",
        }
    }
}

/// A readable description of the key in `spki`: "ECDSA P-256", "SM2", "RSA 2048",
/// "Ed25519", ...
pub fn describe_public_key(spki: &SubjectPublicKeyInfoOwned) -> String {
    match PublicKey::from_spki(spki) {
        Ok(PublicKey::Rsa(k)) => {
            use rsa::traits::PublicKeyParts as _;
            format!("RSA {}", k.size() * 8)
        }
        Ok(k) => k.kind().to_owned(),
        Err(VerifyError::UnsupportedAlgorithm(name)) => name,
        Err(_) => format!(
            "unreadable key ({})",
            key_algorithm_name(&spki.algorithm.oid)
        ),
    }
}

/// A readable name for a public-key algorithm OID.
pub(crate) fn key_algorithm_name(oid: &ObjectIdentifier) -> String {
    match *oid {
        oid::RSA_ENCRYPTION | oid::RSASSA_PSS => "RSA".into(),
        oid::EC_PUBLIC_KEY => "EC".into(),
        oid::SM2_CURVE => "SM2".into(),
        oid::ED25519 => "Ed25519".into(),
        _ => match oid.to_string().as_str() {
            "1.2.840.10040.4.1" => "DSA".into(),
            "1.3.101.113" => "Ed448".into(),
            other => format!("key algorithm {other}"),
        },
    }
}

/// A readable name for an elliptic curve OID.
fn curve_name(oid: &ObjectIdentifier) -> String {
    match *oid {
        oid::P521_CURVE => "EC curve P-521".into(),
        _ => match oid.to_string().as_str() {
            "1.3.132.0.10" => "EC curve secp256k1".into(),
            other => format!("EC curve {other}"),
        },
    }
}

/// A readable name for a signature algorithm OID (for reports of unsupported ones).
pub fn signature_algorithm_name(oid: &ObjectIdentifier) -> String {
    match *oid {
        oid::SHA1_WITH_RSA => "sha1WithRSAEncryption".into(),
        oid::SHA256_WITH_RSA => "sha256WithRSAEncryption".into(),
        oid::SHA384_WITH_RSA => "sha384WithRSAEncryption".into(),
        oid::SHA512_WITH_RSA => "sha512WithRSAEncryption".into(),
        oid::RSASSA_PSS => "RSASSA-PSS".into(),
        oid::RSA_ENCRYPTION => "rsaEncryption".into(),
        oid::ECDSA_WITH_SHA1 => "ecdsa-with-SHA1".into(),
        oid::ECDSA_WITH_SHA256 => "ecdsa-with-SHA256".into(),
        oid::ECDSA_WITH_SHA384 => "ecdsa-with-SHA384".into(),
        oid::ECDSA_WITH_SHA512 => "ecdsa-with-SHA512".into(),
        oid::SM2_WITH_SM3 => "SM2-with-SM3".into(),
        oid::ED25519 => "Ed25519".into(),
        _ => match oid.to_string().as_str() {
            "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption".into(),
            "1.2.840.113549.1.1.4" => "md5WithRSAEncryption".into(),
            "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224".into(),
            "1.3.101.113" => "Ed448".into(),
            "1.2.840.10040.4.3" => "dsa-with-sha1".into(),
            other => other.to_owned(),
        },
    }
}

/// `RSASSA-PSS-params` (RFC 4055).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_len: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u32>,
}

/// What a signature `AlgorithmIdentifier` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    Ecdsa(DigestAlgorithm),
    Sm2,
    RsaPkcs1(DigestAlgorithm),
    RsaPss(DigestAlgorithm, usize),
}

fn need_hint(
    hint: Option<DigestAlgorithm>,
    alg: &ObjectIdentifier,
) -> Result<DigestAlgorithm, VerifyError> {
    hint.ok_or_else(|| {
        VerifyError::UnsupportedAlgorithm(format!(
            "{} without a digest algorithm",
            signature_algorithm_name(alg)
        ))
    })
}

fn digest_of(alg: &AlgorithmIdentifierOwned) -> Result<DigestAlgorithm, VerifyError> {
    DigestAlgorithm::from_oid(&alg.oid)
        .ok_or_else(|| VerifyError::UnsupportedAlgorithm(format!("digest {}", alg.oid)))
}

fn scheme(
    algorithm: &AlgorithmIdentifierOwned,
    hint: Option<DigestAlgorithm>,
) -> Result<Scheme, VerifyError> {
    use DigestAlgorithm as D;
    let oid = &algorithm.oid;
    Ok(match *oid {
        oid::RSA_ENCRYPTION => Scheme::RsaPkcs1(need_hint(hint, oid)?),
        oid::SHA1_WITH_RSA => Scheme::RsaPkcs1(D::Sha1),
        oid::SHA256_WITH_RSA => Scheme::RsaPkcs1(D::Sha256),
        oid::SHA384_WITH_RSA => Scheme::RsaPkcs1(D::Sha384),
        oid::SHA512_WITH_RSA => Scheme::RsaPkcs1(D::Sha512),
        oid::RSASSA_PSS => {
            let params = match &algorithm.parameters {
                Some(p) => p.decode_as::<PssParams>().map_err(|e| {
                    VerifyError::UnsupportedAlgorithm(format!("RSASSA-PSS parameters: {e}"))
                })?,
                None => PssParams {
                    hash: None,
                    mask_gen: None,
                    salt_len: None,
                    trailer_field: None,
                },
            };
            let digest = match &params.hash {
                Some(h) => digest_of(h)?,
                None => D::Sha1,
            };
            let mgf_digest = match &params.mask_gen {
                Some(m) => {
                    if m.oid != oid::MGF1 {
                        return Err(VerifyError::UnsupportedAlgorithm(format!(
                            "RSASSA-PSS mask generation {}",
                            m.oid
                        )));
                    }
                    let inner = m
                        .parameters
                        .as_ref()
                        .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok())
                        .ok_or_else(|| {
                            VerifyError::UnsupportedAlgorithm(
                                "RSASSA-PSS MGF1 without a digest".into(),
                            )
                        })?;
                    digest_of(&inner)?
                }
                None => D::Sha1,
            };
            if mgf_digest != digest {
                return Err(VerifyError::UnsupportedAlgorithm(
                    "RSASSA-PSS with an MGF1 digest other than the message digest".into(),
                ));
            }
            if params.trailer_field.unwrap_or(1) != 1 {
                return Err(VerifyError::UnsupportedAlgorithm(
                    "RSASSA-PSS trailer field other than 1".into(),
                ));
            }
            let salt = usize::try_from(params.salt_len.unwrap_or(20))
                .map_err(|_| VerifyError::UnsupportedAlgorithm("RSASSA-PSS salt length".into()))?;
            Scheme::RsaPss(digest, salt)
        }
        oid::EC_PUBLIC_KEY => Scheme::Ecdsa(need_hint(hint, oid)?),
        oid::ECDSA_WITH_SHA1 => Scheme::Ecdsa(D::Sha1),
        oid::ECDSA_WITH_SHA256 => Scheme::Ecdsa(D::Sha256),
        oid::ECDSA_WITH_SHA384 => Scheme::Ecdsa(D::Sha384),
        oid::ECDSA_WITH_SHA512 => Scheme::Ecdsa(D::Sha512),
        oid::SM2_WITH_SM3 => Scheme::Sm2,
        oid::SM2_SIGN | oid::SM2_CURVE => match hint {
            None | Some(D::Sm3) => Scheme::Sm2,
            Some(other) => {
                return Err(VerifyError::UnsupportedAlgorithm(format!(
                    "SM2 with {}",
                    other.name()
                )));
            }
        },
        _ => {
            return Err(VerifyError::UnsupportedAlgorithm(signature_algorithm_name(
                oid,
            )));
        }
    })
}

fn mismatch(algorithm: &AlgorithmIdentifierOwned, key: &PublicKey) -> VerifyError {
    VerifyError::AlgorithmMismatch {
        algorithm: signature_algorithm_name(&algorithm.oid),
        key: key.kind().into(),
    }
}

/// Verifies `signature` over `message` with the key in `spki`. `algorithm` is the signature
/// `AlgorithmIdentifier` as found in a certificate or a CMS `SignerInfo`; when it only names
/// the key type (`rsaEncryption`, `id-ecPublicKey`, SM2 `1.2.156.10197.1.301.1`)
/// `digest_hint` (the `SignerInfo`'s `digestAlgorithm`) gives the hash. SM2 uses the default
/// user id `1234567812345678` (SM3(Z ‖ M)). ECDSA and SM2 signatures are DER
/// `ECDSA-Sig-Value`s.
pub fn verify_signature(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    digest_hint: Option<DigestAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm, VerifyError> {
    let scheme = scheme(algorithm, digest_hint)?;
    let key = PublicKey::from_spki(spki)?;
    if scheme == Scheme::Sm2 {
        let PublicKey::Sm2(k) = &key else {
            return Err(mismatch(algorithm, &key));
        };
        let sig =
            sm2::dsa::Signature::from_der(signature).map_err(|_| VerifyError::BadSignature)?;
        k.verify(message, &sig)
            .map_err(|_| VerifyError::BadSignature)?;
        return Ok(SignatureAlgorithm::Sm2Sm3);
    }
    let digest = match scheme {
        Scheme::Ecdsa(d) | Scheme::RsaPkcs1(d) | Scheme::RsaPss(d, _) => d,
        Scheme::Sm2 => DigestAlgorithm::Sm3,
    };
    verify_prehashed(&key, algorithm, scheme, &digest.digest(message), signature)
}

/// Like [`verify_signature`], for a signer that signed a digest directly (a CMS `SignerInfo`
/// without signed attributes): `prehash` is the digest of the message with the signature
/// algorithm's digest. SM2 cannot be checked this way (its digest covers the signer's key
/// too) and gives [`VerifyError::UnsupportedAlgorithm`].
pub fn verify_signature_prehashed(
    spki: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    digest_hint: Option<DigestAlgorithm>,
    prehash: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm, VerifyError> {
    let scheme = scheme(algorithm, digest_hint)?;
    let key = PublicKey::from_spki(spki)?;
    if scheme == Scheme::Sm2 {
        return Err(VerifyError::UnsupportedAlgorithm(
            "SM2 signature over a digest (without signed attributes)".into(),
        ));
    }
    verify_prehashed(&key, algorithm, scheme, prehash, signature)
}

fn verify_prehashed(
    key: &PublicKey,
    algorithm: &AlgorithmIdentifierOwned,
    scheme: Scheme,
    prehash: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm, VerifyError> {
    use DigestAlgorithm as D;
    match (scheme, key) {
        (Scheme::Ecdsa(d), PublicKey::P256(k)) => {
            if prehash.len() != d.output_len() {
                return Err(VerifyError::BadSignature);
            }
            let sig = p256::ecdsa::Signature::from_der(signature).map_err(bad_signature)?;
            k.verify_prehash(prehash, &sig).map_err(bad_signature)?;
            Ok(SignatureAlgorithm::EcdsaP256(d))
        }
        (Scheme::Ecdsa(d), PublicKey::P384(k)) => {
            if prehash.len() != d.output_len() {
                return Err(VerifyError::BadSignature);
            }
            let sig = p384::ecdsa::Signature::from_der(signature).map_err(bad_signature)?;
            k.verify_prehash(prehash, &sig).map_err(bad_signature)?;
            Ok(SignatureAlgorithm::EcdsaP384(d))
        }
        (Scheme::RsaPkcs1(d), PublicKey::Rsa(k)) => {
            let padding = match d {
                D::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                D::Sha256 => rsa::Pkcs1v15Sign::new::<sha2_011::Sha256>(),
                D::Sha384 => rsa::Pkcs1v15Sign::new::<sha2_011::Sha384>(),
                D::Sha512 => rsa::Pkcs1v15Sign::new::<sha2_011::Sha512>(),
                D::Sm3 => {
                    return Err(VerifyError::UnsupportedAlgorithm("RSA with SM3".into()));
                }
            };
            k.verify(padding, prehash, signature)
                .map_err(bad_signature)?;
            Ok(SignatureAlgorithm::RsaPkcs1(d))
        }
        (Scheme::RsaPss(d, salt), PublicKey::Rsa(k)) => {
            let result = match d {
                D::Sha1 => k.verify(
                    rsa::Pss::<sha1::Sha1>::new_with_salt(salt),
                    prehash,
                    signature,
                ),
                D::Sha256 => k.verify(
                    rsa::Pss::<sha2_011::Sha256>::new_with_salt(salt),
                    prehash,
                    signature,
                ),
                D::Sha384 => k.verify(
                    rsa::Pss::<sha2_011::Sha384>::new_with_salt(salt),
                    prehash,
                    signature,
                ),
                D::Sha512 => k.verify(
                    rsa::Pss::<sha2_011::Sha512>::new_with_salt(salt),
                    prehash,
                    signature,
                ),
                D::Sm3 => {
                    return Err(VerifyError::UnsupportedAlgorithm("RSA-PSS with SM3".into()));
                }
            };
            result.map_err(bad_signature)?;
            Ok(SignatureAlgorithm::RsaPss {
                digest: d,
                salt_len: salt,
            })
        }
        _ => Err(mismatch(algorithm, key)),
    }
}

fn bad_signature<E>(_: E) -> VerifyError {
    VerifyError::BadSignature
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode as _;

    #[test]
    fn digests_known_answers() {
        let hex = |b: Vec<u8>| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        assert_eq!(
            hex(DigestAlgorithm::Sha256.digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(DigestAlgorithm::Sm3.digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            hex(DigestAlgorithm::Sha1.digest(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        let mut h = DigestAlgorithm::Sha384.hasher();
        h.update(b"a");
        h.update(b"bc");
        assert_eq!(h.finalize(), DigestAlgorithm::Sha384.digest(b"abc"));
        for d in [
            DigestAlgorithm::Sha1,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
            DigestAlgorithm::Sm3,
        ] {
            assert_eq!(DigestAlgorithm::from_oid(&d.oid()), Some(d));
            assert_eq!(d.digest(b"").len(), d.output_len());
        }
    }

    #[test]
    fn algorithm_and_key_mismatches_are_errors() {
        let secret = p256::SecretKey::from_slice(&[0x42; 32]).unwrap();
        let pem = p256::pkcs8::EncodePrivateKey::to_pkcs8_pem(&secret, Default::default()).unwrap();
        let key = crate::sign::SigningKey::from_pem(&pem).unwrap();
        let spki =
            SubjectPublicKeyInfoOwned::from_der(&key.public_key_spki_der().unwrap()).unwrap();
        let sig = key.sign(b"message").unwrap();
        let ecdsa = AlgorithmIdentifierOwned {
            oid: oid::ECDSA_WITH_SHA256,
            parameters: None,
        };
        assert_eq!(
            verify_signature(&spki, &ecdsa, None, b"message", &sig).unwrap(),
            SignatureAlgorithm::EcdsaP256(DigestAlgorithm::Sha256)
        );
        assert_eq!(
            verify_signature(&spki, &ecdsa, None, b"other", &sig),
            Err(VerifyError::BadSignature)
        );
        assert_eq!(
            verify_signature(&spki, &ecdsa, None, b"message", b"\x30\x00"),
            Err(VerifyError::BadSignature)
        );
        // id-ecPublicKey needs the digest from elsewhere.
        let bare = AlgorithmIdentifierOwned {
            oid: oid::EC_PUBLIC_KEY,
            parameters: None,
        };
        assert!(matches!(
            verify_signature(&spki, &bare, None, b"message", &sig),
            Err(VerifyError::UnsupportedAlgorithm(_))
        ));
        assert!(
            verify_signature(
                &spki,
                &bare,
                Some(DigestAlgorithm::Sha256),
                b"message",
                &sig
            )
            .is_ok()
        );
        let prehash = DigestAlgorithm::Sha256.digest(b"message");
        assert!(verify_signature_prehashed(&spki, &ecdsa, None, &prehash, &sig).is_ok());
        for other in [oid::SHA256_WITH_RSA, oid::SM2_WITH_SM3] {
            let alg = AlgorithmIdentifierOwned {
                oid: other,
                parameters: None,
            };
            assert!(matches!(
                verify_signature(&spki, &alg, None, b"message", &sig),
                Err(VerifyError::AlgorithmMismatch { .. })
            ));
        }
        let ed = AlgorithmIdentifierOwned {
            oid: oid::ED25519,
            parameters: None,
        };
        assert_eq!(
            verify_signature(&spki, &ed, None, b"message", &sig),
            Err(VerifyError::UnsupportedAlgorithm("Ed25519".into()))
        );
        assert_eq!(describe_public_key(&spki), "ECDSA P-256");
    }

    #[test]
    fn pss_defaults_and_names() {
        let alg = AlgorithmIdentifierOwned {
            oid: oid::RSASSA_PSS,
            parameters: None,
        };
        assert_eq!(
            scheme(&alg, None).unwrap(),
            Scheme::RsaPss(DigestAlgorithm::Sha1, 20)
        );
        assert_eq!(SignatureAlgorithm::Sm2Sm3.name(), "SM2 / SM3");
        assert_eq!(
            SignatureAlgorithm::RsaPkcs1(DigestAlgorithm::Sha256).name(),
            "RSA PKCS#1 v1.5 / SHA-256"
        );
        assert_eq!(
            SignatureAlgorithm::RsaPss {
                digest: DigestAlgorithm::Sha256,
                salt_len: 32
            }
            .name(),
            "RSA-PSS / SHA-256"
        );
        assert_eq!(
            SignatureAlgorithm::EcdsaP256(DigestAlgorithm::Sha256).name(),
            "ECDSA P-256 / SHA-256"
        );
    }
}
