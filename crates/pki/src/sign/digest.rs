//! Digests of a document's byte ranges, by the algorithm a key signs with.

use super::*;

/// Streaming digest of the document's signed byte ranges: SHA-256 for P-256, SM3 for SM2.
#[derive(Clone, Debug)]
pub struct DocumentHasher {
    inner: HasherInner,
}

#[derive(Clone, Debug)]
pub(crate) enum HasherInner {
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
