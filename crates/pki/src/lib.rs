//! Keys and secrets. Today: the server's master key and what is sealed under it (ID numbers
//! at rest, token-signing keys), ES256 signing keys, and CMS (PAdES) signatures with P-256 or
//! SM2 keys (`sign`). The CA, OCSP and RFC 3161 come with the PKI issues.

pub mod keys;
pub mod master;
pub mod sign;

pub use master::{MasterKey, MasterKeyError};
