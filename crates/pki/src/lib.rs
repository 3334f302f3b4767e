//! Keys and secrets. Today: the server's master key and what is sealed under it (ID numbers
//! at rest, token-signing keys), ES256 signing keys, CMS (PAdES) signatures with P-256 or
//! SM2 keys (`sign`), and their verification (`verify`): CMS signer checks for signatures of
//! any producer (ECDSA P-256/P-384, SM2, RSA PKCS#1 v1.5 and PSS), RFC 3161 timestamp tokens,
//! certificate chains to trust anchors, and revocation from OCSP responses and CRLs. The CA
//! and the TSA come with the PKI issues.

pub mod ca;
pub mod crl;
pub mod keywrap;
pub mod master;
pub mod responder;
pub mod sign;
pub mod tlv;
pub mod token_key;
pub mod tsa;
pub mod verify;

pub use master::{MasterKey, MasterKeyError};
