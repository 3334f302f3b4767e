//! Signer certificates: reading them, their public keys, and SM2's Z value.

use super::*;

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
pub(crate) enum CertKey {
    P256(p256::ecdsa::VerifyingKey),
    Sm2(sm2::dsa::VerifyingKey),
}

impl CertKey {
    pub(crate) fn from_certificate(cert: &Certificate) -> Result<Self, SignError> {
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

    pub(crate) fn algorithm(&self) -> KeyAlgorithm {
        match self {
            Self::P256(_) => KeyAlgorithm::EcdsaP256,
            Self::Sm2(_) => KeyAlgorithm::Sm2,
        }
    }

    pub(crate) fn public_point(&self) -> Vec<u8> {
        match self {
            Self::P256(k) => k.to_sec1_point(false).as_bytes().to_vec(),
            Self::Sm2(k) => k.as_affine().to_sec1_point(false).as_bytes().to_vec(),
        }
    }

    /// Verifies a DER signature over `message` and returns it re-encoded canonically.
    pub(crate) fn verify(
        &self,
        message: &[u8],
        signature_der: &[u8],
    ) -> Result<Vec<u8>, SignError> {
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
    pub(crate) fn to_be_signed_digest(&self, message: &[u8]) -> Vec<u8> {
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
pub(crate) fn named_curve(parameters: Option<Any>) -> Result<ObjectIdentifier, SignError> {
    let parameters = parameters
        .ok_or_else(|| SignError::UnsupportedKey("EC key without a named curve".into()))?;
    parameters
        .decode_as::<ObjectIdentifier>()
        .map_err(|_| SignError::UnsupportedKey("EC key with explicit curve parameters".into()))
}

/// A readable name for a public-key algorithm, for error messages.
pub(crate) fn algorithm_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => "RSA".into(),
        "1.2.840.10040.4.1" => "DSA".into(),
        "1.3.101.112" => "Ed25519".into(),
        "1.3.101.113" => "Ed448".into(),
        other => format!("key algorithm {other}"),
    }
}

/// A readable name for an elliptic curve, for error messages.
pub(crate) fn curve_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.3.132.0.34" => "EC curve P-384 (secp384r1)".into(),
        "1.3.132.0.35" => "EC curve P-521 (secp521r1)".into(),
        "1.3.132.0.10" => "EC curve secp256k1".into(),
        other => format!("EC curve {other}"),
    }
}

/// SM2 curve parameters `a`, `b`, `xG`, `yG` (GB/T 32918.5), for the user hash `Z`.
pub(crate) const SM2_A: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFC,
];
pub(crate) const SM2_B: [u8; 32] = [
    0x28, 0xE9, 0xFA, 0x9E, 0x9D, 0x9F, 0x5E, 0x34, 0x4D, 0x5A, 0x9E, 0x4B, 0xCF, 0x65, 0x09, 0xA7,
    0xF3, 0x97, 0x89, 0xF5, 0x15, 0xAB, 0x8F, 0x92, 0xDD, 0xBC, 0xBD, 0x41, 0x4D, 0x94, 0x0E, 0x93,
];
pub(crate) const SM2_GX: [u8; 32] = [
    0x32, 0xC4, 0xAE, 0x2C, 0x1F, 0x19, 0x81, 0x19, 0x5F, 0x99, 0x04, 0x46, 0x6A, 0x39, 0xC9, 0x94,
    0x8F, 0xE3, 0x0B, 0xBF, 0xF2, 0x66, 0x0B, 0xE1, 0x71, 0x5A, 0x45, 0x89, 0x33, 0x4C, 0x74, 0xC7,
];
pub(crate) const SM2_GY: [u8; 32] = [
    0xBC, 0x37, 0x36, 0xA2, 0xF4, 0xF6, 0x77, 0x9C, 0x59, 0xBD, 0xCE, 0xE3, 0x6B, 0x69, 0x21, 0x53,
    0xD0, 0xA9, 0x87, 0x7C, 0xC6, 0x2A, 0x47, 0x40, 0x02, 0xDF, 0x32, 0xE5, 0x21, 0x39, 0xF0, 0xA0,
];

/// `Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA)` for a public key given as a SEC1
/// uncompressed point (`04 ‖ x ‖ y`).
pub(crate) fn sm2_z(distid: &str, uncompressed_point: &[u8]) -> Vec<u8> {
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
