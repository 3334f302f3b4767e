//! Helpers shared by the pki integration tests: running `openssl` in a scratch directory and
//! reading and writing its files.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use signet_pki::sign::parse_certificates_pem;
use x509_cert::Certificate;

/// OpenSSL's option for SM2's default distinguishing id.
pub const DISTID: &str = "distid:1234567812345678";

pub fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

/// Runs `openssl` in `dir` and fails the test if it fails.
pub fn openssl(dir: &Path, args: &[&str]) -> Output {
    let out = run(dir, "openssl", args);
    assert!(
        out.status.success(),
        "openssl {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

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
