//! Certificate login with a key file the user picks (kept in memory only, never uploaded):
//! reading its PEM blocks, telling which key it holds, and turning the browser's raw
//! ECDSA signature into the DER `ECDSA-Sig-Value` the server takes. The signing itself is the
//! browser's WebCrypto (P-256 with SHA-256), so no curve arithmetic ships in the wasm.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// What a key file holds: a PKCS#8 P-256 key and its certificate.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFile {
    pub pkcs8: Vec<u8>,
    pub certificate_pem: String,
}

/// Why a file cannot be used; each is a text key of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFileError {
    /// No `PRIVATE KEY` block.
    NoKey,
    /// No `CERTIFICATE` block.
    NoCertificate,
    /// An encrypted or SEC1 (`EC PRIVATE KEY`) key: convert it to unencrypted PKCS#8.
    NotPkcs8,
    /// An SM2 key: the browser cannot sign with it; use the signing agent.
    Sm2,
    /// Not a P-256 key.
    Curve,
}

impl KeyFileError {
    pub fn key(self) -> &'static str {
        match self {
            Self::NoKey => "keyfile_no_key",
            Self::NoCertificate => "keyfile_no_certificate",
            Self::NotPkcs8 => "keyfile_not_pkcs8",
            Self::Sm2 => "keyfile_sm2",
            Self::Curve => "keyfile_curve",
        }
    }
}

/// The PEM blocks of `text`: label and bytes.
pub fn pem_blocks(text: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = after[..label_end].to_owned();
        let body = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = body.find(&end_marker) else {
            break;
        };
        let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
        if let Ok(bytes) = STANDARD.decode(b64) {
            out.push((label, bytes));
        }
        rest = &body[end + end_marker.len()..];
    }
    out
}

/// OID 1.2.840.10045.3.1.7 (prime256v1), DER-encoded.
const P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// OID 1.2.156.10197.1.301 (SM2), DER-encoded.
const SM2: &[u8] = &[0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d];

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The key and certificate in the picked files (one file may hold both).
pub fn read(texts: &[String]) -> Result<KeyFile, KeyFileError> {
    let blocks: Vec<(String, Vec<u8>)> = texts.iter().flat_map(|t| pem_blocks(t)).collect();
    let key = blocks.iter().find(|(l, _)| l == "PRIVATE KEY");
    let other_key = blocks
        .iter()
        .any(|(l, _)| l == "ENCRYPTED PRIVATE KEY" || l == "EC PRIVATE KEY");
    let pkcs8 = match key {
        Some((_, k)) => k.clone(),
        None if other_key => return Err(KeyFileError::NotPkcs8),
        None => return Err(KeyFileError::NoKey),
    };
    if contains(&pkcs8, SM2) {
        return Err(KeyFileError::Sm2);
    }
    if !contains(&pkcs8, P256) {
        return Err(KeyFileError::Curve);
    }
    let certificate = blocks
        .iter()
        .find(|(l, _)| l == "CERTIFICATE")
        .ok_or(KeyFileError::NoCertificate)?;
    let b64 = STANDARD.encode(&certificate.1);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    Ok(KeyFile {
        pkcs8,
        certificate_pem: pem,
    })
}

/// WebCrypto's ECDSA signature (r ‖ s, 32 bytes each for P-256) as DER
/// `SEQUENCE { INTEGER r, INTEGER s }`.
pub fn der_signature(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.len() != 64 {
        return None;
    }
    fn integer(n: &[u8]) -> Vec<u8> {
        let n = match n.iter().position(|b| *b != 0) {
            Some(i) => &n[i..],
            None => &[0u8][..],
        };
        let mut v = vec![0x02];
        if n[0] & 0x80 != 0 {
            v.push(n.len() as u8 + 1);
            v.push(0);
        } else {
            v.push(n.len() as u8);
        }
        v.extend_from_slice(n);
        v
    }
    let mut body = integer(&raw[..32]);
    body.extend(integer(&raw[32..]));
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    Some(out)
}

pub fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A P-256 PKCS#8 key made by `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`.
    const KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgboZcp+0lG8M+hLci
2y+urLw/S/NWOSUZI0qGAdR1xUmhRANCAARohdMnpHQSbokC3LtagPp1e34RPFPW
bBydYUUn8S53JdzZMG3VsWfho7bCM903rjr9+0eXS98v4nLmE02gQS+e
-----END PRIVATE KEY-----
";
    const CERT: &str = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";

    #[test]
    fn a_file_with_key_and_certificate_or_two_files() {
        let both = read(&[format!("{KEY}{CERT}")]).unwrap();
        assert_eq!(
            both.certificate_pem,
            "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n"
        );
        let two = read(&[CERT.into(), KEY.into()]).unwrap();
        assert_eq!(both, two);
        assert_eq!(read(&[KEY.into()]), Err(KeyFileError::NoCertificate));
        assert_eq!(read(&[CERT.into()]), Err(KeyFileError::NoKey));
        assert_eq!(
            read(&[
                "-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----\n".into()
            ]),
            Err(KeyFileError::NotPkcs8)
        );
        assert_eq!(read(&["garbage".into()]), Err(KeyFileError::NoKey));
    }

    #[test]
    fn sm2_and_other_curves_are_named() {
        let mut sm2 = pem_blocks(KEY).remove(0).1;
        let at = sm2.windows(P256.len()).position(|w| w == P256).unwrap();
        sm2[at..at + SM2.len()].copy_from_slice(SM2);
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n{CERT}",
            STANDARD.encode(&sm2)
        );
        assert_eq!(read(&[pem]), Err(KeyFileError::Sm2));
        let other = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n{CERT}",
            STANDARD.encode([0x30, 0x03, 0x02, 0x01, 0x00])
        );
        assert_eq!(read(&[other]), Err(KeyFileError::Curve));
    }

    #[test]
    fn raw_signatures_become_der() {
        let mut raw = [0u8; 64];
        raw[31] = 1; // r = 1
        raw[32] = 0x80; // s has its high bit set: a leading zero keeps it positive
        let der = der_signature(&raw).unwrap();
        assert_eq!(&der[..5], &[0x30, 0x26, 0x02, 0x01, 0x01]);
        assert_eq!(&der[5..8], &[0x02, 0x21, 0x00]);
        assert_eq!(der.len(), 0x28);
        assert_eq!(der_signature(&[0u8; 63]), None);
    }
}
