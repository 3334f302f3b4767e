//! Server-held private keys, wrapped twice.
//!
//! A user's or organisation's key is encrypted (AES-256-GCM) under a key derived from the
//! holder's PIN with argon2id, and the result is sealed again under the server's master key
//! ([`MasterKey::seal`]). Someone who steals the database needs the master key *and* must then
//! guess the PIN at argon2id's price per guess; someone online is stopped after five wrong
//! PINs by the lockout the server keeps. The platform's own service keys (CA, OCSP, TSA,
//! document signing) have no PIN and are sealed under the master key only.
//!
//! ## Argon2id parameters
//! [`PIN_PARAMS`]: 8 MiB of memory, 3 passes, 1 lane (written into each wrapped key, so a
//! later change keeps older keys openable). A PIN has at most 10^12 values and
//! usually 10^6, so no cost setting makes an offline search of a 6-digit PIN infeasible on its
//! own — that is what the master-key layer and the online lockout are for. The argon2id layer
//! makes each offline guess cost memory-hard work (8 MiB touched three times) instead of one
//! AES operation, while one legitimate check stays cheap enough to sign interactively and to
//! let a 2-core server handle many signings per second: 7–8 ms on this class of machine
//! (`make bench-pki` and `make bench-api` print the measured cost; 2 passes measured 4.7 ms,
//! under the 5–10 ms aimed at). The 8 MiB of working memory is kept per thread and cleared
//! after each check, rather than allocated afresh.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use zeroize::{Zeroize, Zeroizing};

use crate::MasterKey;

const VERSION: u8 = 1;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Master-key purpose of PIN-wrapped keys.
const PURPOSE_PIN: &str = "certificate_key";
/// Master-key purpose of service keys (no PIN).
const PURPOSE_SERVICE: &str = "service_key";

/// argon2id memory (KiB), passes and lanes for PIN-derived keys.
pub const PIN_PARAMS: (u32, u32, u32) = (8 * 1024, 3, 1);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyWrapError {
    /// The PIN does not open the key.
    #[error("wrong PIN")]
    WrongPin,
    /// The wrapped key is damaged, bound to another key id, or sealed under another master key.
    #[error("the wrapped key is damaged or belongs elsewhere")]
    Damaged,
}

/// Largest argon2 memory cost accepted from a stored header (KiB), so a damaged or forged
/// blob cannot make the server allocate without bound.
const MAX_M_KIB: u32 = 256 * 1024;
/// Header: version, m (KiB, u32 BE), t (u8), p (u8).
const HEADER_LEN: usize = 1 + 4 + 1 + 1;

fn pin_key(
    pin: &str,
    salt: &[u8],
    (m, t, p): (u32, u32, u32),
) -> Result<Zeroizing<[u8; 32]>, KeyWrapError> {
    if m > MAX_M_KIB || t == 0 || t > 16 || p == 0 || p > 8 {
        return Err(KeyWrapError::Damaged);
    }
    let params = Params::new(m, t, p, Some(32)).map_err(|_| KeyWrapError::Damaged)?;
    let mut key = Zeroizing::new([0u8; 32]);
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    // The memory is reused by the thread (a fresh 8 MiB allocation per check costs page faults
    // and zero-filling on every call) and cleared after each use: the last blocks determine
    // the key.
    ARGON2_MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        let n = argon.params().block_count();
        if memory.len() != n {
            *memory = vec![argon2::Block::new(); n];
        }
        let result = argon.hash_password_into_with_memory(
            pin.as_bytes(),
            salt,
            key.as_mut(),
            &mut memory[..],
        );
        memory.fill(argon2::Block::new());
        result.map_err(|_| KeyWrapError::Damaged)
    })?;
    Ok(key)
}

thread_local! {
    /// argon2 working memory of this thread, kept between PIN checks.
    static ARGON2_MEMORY: std::cell::RefCell<Vec<argon2::Block>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Wraps `pkcs8` under `pin` and then under the master key, bound to `key_id`.
pub fn wrap_with_pin(
    master: &MasterKey,
    key_id: &str,
    pin: &str,
    pkcs8: &[u8],
) -> Result<Vec<u8>, KeyWrapError> {
    let mut salt = [0u8; SALT_LEN];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let key = pin_key(pin, &salt, PIN_PARAMS)?;
    let cipher = Aes256Gcm::new(key.as_ref().into());
    let ct = cipher
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: pkcs8,
                aad: key_id.as_bytes(),
            },
        )
        .map_err(|_| KeyWrapError::Damaged)?;
    let (m, t, p) = PIN_PARAMS;
    let mut inner = Zeroizing::new(Vec::with_capacity(
        HEADER_LEN + SALT_LEN + NONCE_LEN + ct.len(),
    ));
    inner.push(VERSION);
    inner.extend_from_slice(&m.to_be_bytes());
    inner.push(u8::try_from(t).unwrap_or(u8::MAX));
    inner.push(u8::try_from(p).unwrap_or(u8::MAX));
    inner.extend_from_slice(&salt);
    inner.extend_from_slice(&nonce);
    inner.extend_from_slice(&ct);
    Ok(master.seal(PURPOSE_PIN, key_id.as_bytes(), &inner))
}

/// Opens a key wrapped by [`wrap_with_pin`]. The PKCS#8 bytes are wiped when dropped.
pub fn unwrap_with_pin(
    master: &MasterKey,
    key_id: &str,
    pin: &str,
    wrapped: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyWrapError> {
    let inner = Zeroizing::new(
        master
            .open(PURPOSE_PIN, key_id.as_bytes(), wrapped)
            .map_err(|_| KeyWrapError::Damaged)?,
    );
    if inner.len() < HEADER_LEN + SALT_LEN + NONCE_LEN + TAG_LEN || inner[0] != VERSION {
        return Err(KeyWrapError::Damaged);
    }
    let m = u32::from_be_bytes([inner[1], inner[2], inner[3], inner[4]]);
    let params = (m, u32::from(inner[5]), u32::from(inner[6]));
    let salt = &inner[HEADER_LEN..HEADER_LEN + SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&inner[HEADER_LEN + SALT_LEN..HEADER_LEN + SALT_LEN + NONCE_LEN]);
    let ct = &inner[HEADER_LEN + SALT_LEN + NONCE_LEN..];
    let key = pin_key(pin, salt, params)?;
    let cipher = Aes256Gcm::new(key.as_ref().into());
    let plain = cipher
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: ct,
                aad: key_id.as_bytes(),
            },
        )
        .map_err(|_| KeyWrapError::WrongPin)?;
    nonce.zeroize();
    Ok(Zeroizing::new(plain))
}

/// Re-wraps a key under a new PIN (a PIN change): the old PIN must open it.
pub fn rewrap(
    master: &MasterKey,
    key_id: &str,
    old_pin: &str,
    new_pin: &str,
    wrapped: &[u8],
) -> Result<Vec<u8>, KeyWrapError> {
    let pkcs8 = unwrap_with_pin(master, key_id, old_pin, wrapped)?;
    wrap_with_pin(master, key_id, new_pin, &pkcs8)
}

/// Seals a service key (no PIN) under the master key, bound to `key_id`.
pub fn seal_service_key(master: &MasterKey, key_id: &str, pkcs8: &[u8]) -> Vec<u8> {
    master.seal(PURPOSE_SERVICE, key_id.as_bytes(), pkcs8)
}

/// Opens a key sealed by [`seal_service_key`].
pub fn open_service_key(
    master: &MasterKey,
    key_id: &str,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyWrapError> {
    master
        .open(PURPOSE_SERVICE, key_id.as_bytes(), sealed)
        .map(Zeroizing::new)
        .map_err(|_| KeyWrapError::Damaged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_and_master_key_are_both_needed() {
        let master = MasterKey::generate();
        let secret = b"pkcs8 bytes".to_vec();
        let w = wrap_with_pin(&master, "key_1", "123456", &secret).unwrap();
        assert_eq!(
            *unwrap_with_pin(&master, "key_1", "123456", &w).unwrap(),
            secret
        );
        assert_eq!(
            unwrap_with_pin(&master, "key_1", "654321", &w).unwrap_err(),
            KeyWrapError::WrongPin
        );
        // Another master key, or the blob moved to another key id: damaged, not a PIN guess.
        assert_eq!(
            unwrap_with_pin(&MasterKey::generate(), "key_1", "123456", &w).unwrap_err(),
            KeyWrapError::Damaged
        );
        assert_eq!(
            unwrap_with_pin(&master, "key_2", "123456", &w).unwrap_err(),
            KeyWrapError::Damaged
        );
        // The PIN-only layer is not readable without the master key: the blob does not
        // contain the plaintext and two wraps of the same key differ.
        assert!(!w.windows(secret.len()).any(|x| x == secret));
        assert_ne!(
            w,
            wrap_with_pin(&master, "key_1", "123456", &secret).unwrap()
        );
    }

    #[test]
    fn rewrap_changes_the_pin() {
        let master = MasterKey::generate();
        let w = wrap_with_pin(&master, "k", "111111", b"key").unwrap();
        assert_eq!(
            rewrap(&master, "k", "222222", "333333", &w).unwrap_err(),
            KeyWrapError::WrongPin
        );
        let w2 = rewrap(&master, "k", "111111", "222222", &w).unwrap();
        assert_eq!(
            *unwrap_with_pin(&master, "k", "222222", &w2).unwrap(),
            b"key"
        );
        assert_eq!(
            unwrap_with_pin(&master, "k", "111111", &w2).unwrap_err(),
            KeyWrapError::WrongPin
        );
    }

    #[test]
    fn service_keys_are_sealed_for_their_purpose() {
        let master = MasterKey::generate();
        let s = seal_service_key(&master, "svc", b"key");
        assert_eq!(*open_service_key(&master, "svc", &s).unwrap(), b"key");
        assert!(open_service_key(&master, "other", &s).is_err());
        // A service blob is not a PIN-wrapped blob and the other way round.
        assert_eq!(
            unwrap_with_pin(&master, "svc", "123456", &s).unwrap_err(),
            KeyWrapError::Damaged
        );
    }
}
