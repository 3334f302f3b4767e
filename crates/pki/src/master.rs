//! The master key: 32 random bytes from configuration. Sub-keys for each purpose are derived
//! with HMAC-SHA256 so that a key used to encrypt is never also used to index.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

const NONCE_LEN: usize = 12;
const VERSION: u8 = 1;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MasterKeyError {
    #[error("the master key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("sealed data is damaged or was sealed under another key")]
    Open,
}

/// The server's master key. Debug output never shows it; it is wiped when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterKey([u8; 32]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl MasterKey {
    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        Self(k)
    }

    pub fn from_base64(s: &str) -> Result<Self, MasterKeyError> {
        let mut bytes = STANDARD
            .decode(s.trim())
            .map_err(|_| MasterKeyError::BadKey)?;
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| MasterKeyError::BadKey)?;
        bytes.zeroize();
        Ok(Self(key))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    fn subkey(&self, purpose: &str) -> [u8; 32] {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(b"signet/master/v1/");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Encrypts `plaintext` for `purpose` (AES-256-GCM, random nonce). `aad` binds the
    /// ciphertext to its context (e.g. the row id) so it cannot be moved to another row.
    pub fn seal(&self, purpose: &str, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let mut key = self.subkey(purpose);
        let cipher = Aes256Gcm::new((&key).into());
        key.zeroize();
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .unwrap_or_default();
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    pub fn open(
        &self,
        purpose: &str,
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Vec<u8>, MasterKeyError> {
        if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != VERSION {
            return Err(MasterKeyError::Open);
        }
        let mut key = self.subkey(purpose);
        let cipher = Aes256Gcm::new((&key).into());
        key.zeroize();
        let (nonce, ct) = sealed[1..].split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| MasterKeyError::Open)?;
        cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: ct, aad })
            .map_err(|_| MasterKeyError::Open)
    }

    /// A keyed, deterministic digest for looking up a secret value without storing it
    /// (a "blind index"), hex-encoded.
    pub fn blind_index(&self, purpose: &str, value: &[u8]) -> String {
        let key = self.subkey(purpose);
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(value);
        let out = mac.finalize().into_bytes();
        out.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_binding() {
        let k = MasterKey::generate();
        let sealed = k.seal("id_card", b"usr_1", b"11010519491231002X");
        assert_eq!(
            k.open("id_card", b"usr_1", &sealed).unwrap(),
            b"11010519491231002X"
        );
        assert_eq!(
            k.open("id_card", b"usr_2", &sealed),
            Err(MasterKeyError::Open)
        );
        assert_eq!(
            k.open("other", b"usr_1", &sealed),
            Err(MasterKeyError::Open)
        );
        assert_eq!(
            MasterKey::generate().open("id_card", b"usr_1", &sealed),
            Err(MasterKeyError::Open)
        );
        let mut bad = sealed.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(k.open("id_card", b"usr_1", &bad), Err(MasterKeyError::Open));
        assert_eq!(
            k.open("id_card", b"usr_1", &sealed[..5]),
            Err(MasterKeyError::Open)
        );
    }

    #[test]
    fn base64_round_trip_and_errors() {
        let k = MasterKey::generate();
        let k2 = MasterKey::from_base64(&k.to_base64()).unwrap();
        assert_eq!(k.blind_index("x", b"v"), k2.blind_index("x", b"v"));
        assert_ne!(k.blind_index("x", b"v"), k.blind_index("y", b"v"));
        assert_eq!(
            MasterKey::from_base64("c2hvcnQ=").unwrap_err(),
            MasterKeyError::BadKey
        );
        assert_eq!(
            MasterKey::from_base64("!!").unwrap_err(),
            MasterKeyError::BadKey
        );
        assert_eq!(format!("{k:?}"), "MasterKey(***)");
    }
}
