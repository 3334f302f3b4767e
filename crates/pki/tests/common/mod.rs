//! Helpers shared by the pki integration tests: the PKI fixture ([`signet_testkit::openssl`])
//! and reading and writing its files.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use signet_pki::sign::parse_certificates_pem;
use x509_cert::Certificate;

#[allow(unused_imports)]
pub use signet_testkit::openssl::{DISTID, Issue, KeyKind, OpensslCa, openssl, run};

pub fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

pub fn read_text(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

pub fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path
}

/// The one certificate of a PEM file.
pub fn one_cert(dir: &Path, name: &str) -> Certificate {
    let mut certs = parse_certificates_pem(&read_text(dir, name)).unwrap();
    assert_eq!(certs.len(), 1);
    certs.remove(0)
}
