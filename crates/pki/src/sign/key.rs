//! Private keys: generated, read from PKCS#8 or PEM, and signing with them.

use super::*;

/// A private signing key: ECDSA P-256 or SM2. `Debug` shows the algorithm only.
pub struct SigningKey {
    inner: KeyInner,
}

pub(crate) enum KeyInner {
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

    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Result<Self, SignError> {
        let info = p256::pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|_| SignError::BadKey)?;
        let curve = match info.algorithm.oid {
            oid::EC_PUBLIC_KEY => named_curve(info.algorithm.parameters.map(Any::from))?,
            oid::SM2_CURVE => oid::SM2_CURVE,
            other => return Err(SignError::UnsupportedKey(algorithm_name(&other))),
        };
        Self::from_sec1_der(info.private_key.as_bytes(), Some(curve))
    }

    /// Decodes an `ECPrivateKey` on `curve` (from PKCS#8) or on the curve it names itself.
    pub(crate) fn from_sec1_der(
        der: &[u8],
        curve: Option<ObjectIdentifier>,
    ) -> Result<Self, SignError> {
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
    pub(crate) fn public_point(&self) -> Vec<u8> {
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
