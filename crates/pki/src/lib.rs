//! Keys and secrets. Today: the server's master key and what is sealed under it (ID numbers
//! at rest, token-signing keys), and ES256 signing keys. The CA, certificates, CMS/PAdES,
//! OCSP and RFC 3161 come with the PKI and PDF-engine issues.

pub mod keys;
pub mod master;

pub use master::{MasterKey, MasterKeyError};
