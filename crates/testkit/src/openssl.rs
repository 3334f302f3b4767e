//! A test PKI made with the `openssl` command line, in a directory of its own: the keys,
//! requests and certificates of a root and what it (or a CA under it) issues, as files named
//! after each entity (`<name>.key`, `<name>.csr`, `<name>.pem`). Independent of Signet's own
//! PKI code on purpose: certificates that OpenSSL made are what Signet's readers and
//! validators are checked against.
//!
//! P-256 (ECDSA with SHA-256), RSA 2048 (SHA-256) and SM2 (SM2 with SM3 and the default
//! distinguishing id, GM/T 0009) keys.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// OpenSSL's option for SM2's default distinguishing id (`1234567812345678`).
pub const DISTID: &str = "distid:1234567812345678";

/// Runs `program` in `dir`; panics when it cannot be started.
pub fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

/// Runs `openssl` in `dir` and panics (fails the test) when it fails.
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

/// A key type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KeyKind {
    P256,
    Rsa,
    Sm2,
}

impl KeyKind {
    /// Makes the key `<name>.key` (PKCS#8 PEM) in `dir`.
    pub fn genkey(self, dir: &Path, name: &str) {
        let out = format!("{name}.key");
        let mut args = vec!["genpkey", "-algorithm"];
        args.extend(match self {
            KeyKind::P256 => ["EC", "-pkeyopt", "ec_paramgen_curve:P-256"].as_slice(),
            KeyKind::Rsa => ["RSA", "-pkeyopt", "rsa_keygen_bits:2048"].as_slice(),
            KeyKind::Sm2 => ["SM2"].as_slice(),
        });
        args.extend(["-out", &out]);
        openssl(dir, &args);
    }

    /// The digest options of a signature made with this key (`req`, `x509`, `ca`).
    pub fn sign_args(self) -> &'static [&'static str] {
        match self {
            KeyKind::Sm2 => &["-sm3", "-sigopt", DISTID],
            _ => &["-sha256"],
        }
    }

    /// The options that check a request signed with this key (`x509 -req`).
    pub fn verify_args(self) -> &'static [&'static str] {
        match self {
            KeyKind::Sm2 => &["-vfyopt", DISTID],
            _ => &[],
        }
    }
}

/// A certificate request signed with `<key>.key` (a key of `kind`) for `subject` (UTF-8),
/// written to `<name>.csr`.
pub fn csr(dir: &Path, name: &str, key: &str, kind: KeyKind, subject: &str) -> PathBuf {
    let (key, out) = (format!("{key}.key"), format!("{name}.csr"));
    let mut args = vec![
        "req", "-new", "-utf8", "-key", &key, "-subj", subject, "-out", &out,
    ];
    args.extend(kind.sign_args());
    openssl(dir, &args);
    dir.join(out)
}

/// What to issue: `<name>.pem` for `subject`, with the extensions of file `ext`, signed by
/// `<issuer>.pem` and `<issuer>.key`.
#[derive(Clone, Debug)]
pub struct Issue<'a> {
    name: &'a str,
    subject: &'a str,
    issuer: &'a str,
    ext: &'a str,
    days: u32,
    serial: Option<&'a str>,
    kind: Option<KeyKind>,
    key: Option<&'a str>,
}

impl<'a> Issue<'a> {
    /// `<name>.pem` for `subject`, by default issued by `root` with the extensions of
    /// `<name>.ext`, 30 days, a serial from the issuer's serial file, and a new key of the
    /// issuer's kind.
    pub fn new(name: &'a str, subject: &'a str) -> Self {
        Self {
            name,
            subject,
            issuer: "root",
            ext: "",
            days: 30,
            serial: None,
            kind: None,
            key: None,
        }
    }

    pub fn issuer(self, issuer: &'a str) -> Self {
        Self { issuer, ..self }
    }

    /// The extensions file.
    pub fn ext(self, ext: &'a str) -> Self {
        Self { ext, ..self }
    }

    pub fn days(self, days: u32) -> Self {
        Self { days, ..self }
    }

    /// A fixed serial number (decimal or `0x…`).
    pub fn serial(self, serial: &'a str) -> Self {
        Self {
            serial: Some(serial),
            ..self
        }
    }

    /// A new key of this kind (default: the issuer's).
    pub fn kind(self, kind: KeyKind) -> Self {
        Self {
            kind: Some(kind),
            ..self
        }
    }

    /// The subject's existing key `<key>.key` instead of a new one (of `kind`).
    pub fn existing_key(self, key: &'a str) -> Self {
        Self {
            key: Some(key),
            ..self
        }
    }
}

/// A root CA (`root.key`, `root.pem`) in a directory, and what it and the CAs under it issue.
/// Every CA of one `OpensslCa` has keys of one kind.
pub struct OpensslCa {
    dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    kind: KeyKind,
}

impl OpensslCa {
    /// A root of `kind` for `subject` in a new temporary directory, self-signed with the
    /// extensions `root_ext` (the text of an OpenSSL extensions file), serial 1, 30 days.
    pub fn new(kind: KeyKind, subject: &str, root_ext: &str) -> Self {
        let temp = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"));
        let mut ca = Self::new_in(temp.path(), kind, subject, root_ext, 30);
        ca._temp = Some(temp);
        ca
    }

    /// As [`new`](Self::new) in `dir` (which the caller keeps), valid for `days`.
    pub fn new_in(dir: &Path, kind: KeyKind, subject: &str, root_ext: &str, days: u32) -> Self {
        let ca = Self {
            dir: dir.to_path_buf(),
            _temp: None,
            kind,
        };
        ca.write("root.ext", root_ext);
        kind.genkey(dir, "root");
        csr(dir, "root", "root", kind, subject);
        let days = days.to_string();
        let mut args = vec![
            "x509",
            "-req",
            "-in",
            "root.csr",
            "-key",
            "root.key",
            "-days",
            &days,
            "-extfile",
            "root.ext",
            "-set_serial",
            "1",
            "-out",
            "root.pem",
        ];
        args.extend(kind.sign_args());
        args.extend(kind.verify_args());
        openssl(dir, &args);
        ca
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// A file of the directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes a file of the directory (an extensions file, a configuration).
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.file(name);
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        path
    }

    /// A file's bytes.
    pub fn read(&self, name: &str) -> Vec<u8> {
        let path = self.file(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// A file's text (a PEM file).
    pub fn read_text(&self, name: &str) -> String {
        String::from_utf8_lossy(&self.read(name)).into_owned()
    }

    /// Issues `<name>.pem` (and makes `<name>.key` unless an existing key is named); returns
    /// the certificate's path.
    pub fn issue(&self, issue: Issue<'_>) -> PathBuf {
        let d = self.path();
        let kind = issue.kind.unwrap_or(self.kind);
        let key = match issue.key {
            Some(key) => key,
            None => {
                kind.genkey(d, issue.name);
                issue.name
            }
        };
        csr(d, issue.name, key, kind, issue.subject);
        let (csr, pem) = (format!("{}.csr", issue.name), format!("{}.pem", issue.name));
        let (ca, ca_key) = (
            format!("{}.pem", issue.issuer),
            format!("{}.key", issue.issuer),
        );
        let ext = if issue.ext.is_empty() {
            format!("{}.ext", issue.name)
        } else {
            issue.ext.to_owned()
        };
        let days = issue.days.to_string();
        let mut args = vec![
            "x509", "-req", "-in", &csr, "-CA", &ca, "-CAkey", &ca_key, "-days", &days, "-extfile",
            &ext, "-out", &pem,
        ];
        match issue.serial {
            Some(serial) => args.extend(["-set_serial", serial]),
            None => args.push("-CAcreateserial"),
        }
        // The issuer signs with its kind; the request is checked with the subject's.
        args.extend(self.kind.sign_args());
        args.extend(kind.verify_args());
        openssl(d, &args);
        self.file(&pem)
    }
}
