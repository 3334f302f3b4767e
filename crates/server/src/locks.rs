//! Per-key async locks within this node (the PIN checks of one key, the view events of one
//! task). Entries nobody holds are dropped as others are taken, so a map stays as small as
//! the keys in use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

type Locks = HashMap<String, Arc<tokio::sync::Mutex<()>>>;

/// A family of locks by key, usable as a `static`.
pub struct KeyedLocks(OnceLock<Mutex<Locks>>);

impl KeyedLocks {
    pub const fn new() -> Self {
        Self(OnceLock::new())
    }

    /// The lock of `key` (lock it with `.lock().await`).
    pub fn get(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self
            .0
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.retain(|_, l| Arc::strong_count(l) > 1);
        map.entry(key.to_owned()).or_default().clone()
    }
}

impl Default for KeyedLocks {
    fn default() -> Self {
        Self::new()
    }
}
