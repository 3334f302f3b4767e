//! The ECDSA P-256 key that signs the server's ES256 access tokens (not a certificate key).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate as _;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not encode the key")]
    Encode,
    #[error("not a PKCS#8 P-256 private key")]
    Decode,
    #[error("the system random number generator failed")]
    Random,
}

/// A P-256 key pair in the PEM forms that JWT libraries and OpenSSL read.
pub struct P256KeyPair {
    pub private_pkcs8_pem: Zeroizing<String>,
    pub public_spki_pem: String,
    /// `x` and `y` of the public point, base64url, for a JWK.
    pub jwk_x: String,
    pub jwk_y: String,
    /// RFC 7638-style thumbprint, used as the key id.
    pub kid: String,
}

impl P256KeyPair {
    pub fn generate() -> Result<Self, KeyError> {
        let key = SigningKey::try_generate().map_err(|_| KeyError::Random)?;
        Self::from_signing_key(&key)
    }

    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        let key = SigningKey::from_pkcs8_pem(pem).map_err(|_| KeyError::Decode)?;
        Self::from_signing_key(&key)
    }

    fn from_signing_key(key: &SigningKey) -> Result<Self, KeyError> {
        let private_pkcs8_pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| KeyError::Encode)?;
        let verifying = key.verifying_key();
        let public_spki_pem = verifying
            .to_public_key_pem(LineEnding::LF)
            .map_err(|_| KeyError::Encode)?;
        let point = verifying.to_sec1_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(KeyError::Encode);
        };
        let jwk_x = URL_SAFE_NO_PAD.encode(x);
        let jwk_y = URL_SAFE_NO_PAD.encode(y);
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{jwk_x}","y":"{jwk_y}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        Ok(Self {
            private_pkcs8_pem: Zeroizing::new(private_pkcs8_pem.to_string()),
            public_spki_pem,
            jwk_x,
            jwk_y,
            kid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_and_reload_keep_the_kid() {
        let a = P256KeyPair::generate().unwrap();
        let b = P256KeyPair::from_pkcs8_pem(&a.private_pkcs8_pem).unwrap();
        assert_eq!(a.kid, b.kid);
        assert_eq!(a.public_spki_pem, b.public_spki_pem);
        assert!(a.public_spki_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(P256KeyPair::from_pkcs8_pem("nope").is_err());
    }
}
