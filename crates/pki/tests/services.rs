//! Signet's certificate authority, CRL issuer, OCSP responder and TSA (`signet_pki::ca`,
//! `crl`, `responder`, `tsa`) checked by an independent implementation: the `openssl` CLI
//! (`verify`, `x509 -text`, `crl -verify`, `ocsp`, `ts -reply` / `ts -verify`), and, for SM2
//! where OpenSSL 3.0's commands cannot take the SM2 distinguishing id, `openssl pkeyutl
//! -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678` over the signed bytes taken
//! out of the DER by a small TLV walker here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{DISTID, openssl, read, run, write};

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine as _;
use chrono::{Duration, Utc};
use der::Encode;
use signet_pki::ca::{
    CaUrls, CertificateRequest, Profile, SubjectName, issue, random_serial, serial_hex,
};
use signet_pki::crl::{RevokedEntry, build_crl};
use signet_pki::responder::{
    OcspResponseStatus, Status, error_response, issued_by, parse_request, respond,
};
use signet_pki::sign::{KeyAlgorithm, SigningKey};
use signet_pki::tsa::{TimestampAuthority, timestamp_request, token_from_response};
use signet_pki::verify::{
    ChainInput, DigestAlgorithm, Purpose, RevocationMaterial, RevocationStatus, TimestampToken,
    TrustAnchors, check_revocation, validate_chain,
};
use x509_cert::Certificate;
use x509_cert::ext::pkix::crl::CrlReason;

const POLICY: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.2.1");

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

fn pem(cert: &Certificate) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(cert.to_der().unwrap());
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// stdout and stderr of a command, together.
fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Header length and total length of the DER element at the start of `data`.
fn tlv(data: &[u8]) -> (usize, usize) {
    let first = data[1];
    if first < 0x80 {
        return (2, 2 + usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    let len = data[2..2 + n]
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    (2 + n, 2 + n + len)
}

/// The content of the DER element at the start of `data`.
fn content(data: &[u8]) -> &[u8] {
    let (h, t) = tlv(data);
    &data[h..t]
}

/// The raw elements (tag, length, value) inside a constructed element's content.
fn children(mut value: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !value.is_empty() {
        let (_, t) = tlv(value);
        out.push(&value[..t]);
        value = &value[t..];
    }
    out
}

/// `(tbs, signature)` of a `SEQUENCE { tbs, algorithm, BIT STRING signature, ... }` (a
/// certificate, a CRL, a BasicOCSPResponse).
fn signed_parts(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let parts = children(content(der));
    let bits = content(parts[2]);
    assert_eq!(bits[0], 0, "unused bits in the signature");
    (parts[0].to_vec(), bits[1..].to_vec())
}

/// Verifies an SM2 signature over `message` with `signer`'s key, SM3 and the default
/// distinguishing id, by `openssl pkeyutl`.
fn sm2_verifies(d: &Path, signer: &Certificate, message: &[u8], signature: &[u8]) -> bool {
    write(d, "sm2-signer.pem", pem(signer).as_bytes());
    openssl(
        d,
        &[
            "x509",
            "-in",
            "sm2-signer.pem",
            "-pubkey",
            "-noout",
            "-out",
            "sm2-pub.pem",
        ],
    );
    write(d, "sm2-msg.bin", message);
    write(d, "sm2-sig.bin", signature);
    let out = run(
        d,
        "openssl",
        &[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "sm2-pub.pem",
            "-rawin",
            "-digest",
            "sm3",
            "-pkeyopt",
            DISTID,
            "-in",
            "sm2-msg.bin",
            "-sigfile",
            "sm2-sig.bin",
        ],
    );
    let ok = out.status.success() && text(&out).contains("Signature Verified Successfully");
    if !ok {
        eprintln!("pkeyutl: {}", text(&out));
    }
    ok
}

/// Root → issuing CA, made by Signet, written as `root.pem` and `issuing.pem`.
struct Hierarchy {
    _dir: Option<tempfile::TempDir>,
    path: PathBuf,
    alg: KeyAlgorithm,
    root: Certificate,
    ca_key: SigningKey,
    ca: Certificate,
}

const URLS: &str = "http://pki.example.test";

impl Hierarchy {
    fn new(alg: KeyAlgorithm) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc::now();
        let root_key = SigningKey::generate(alg).unwrap();
        let root_spki = root_key.public_key_spki_der().unwrap();
        let root_name = SubjectName {
            organization: Some("Signet 测试".into()),
            country: Some("CN".into()),
            ..SubjectName::common("Signet Test Root CA")
        };
        let root = issue(
            &CertificateRequest {
                subject: &root_name,
                public_key_spki_der: &root_spki,
                serial: random_serial(),
                not_before: now - Duration::hours(1),
                not_after: now + Duration::days(3650),
                profile: Profile::RootCa,
                urls: CaUrls::default(),
            },
            &root_key,
            None,
        )
        .unwrap();
        let ca_key = SigningKey::generate(alg).unwrap();
        let ca_spki = ca_key.public_key_spki_der().unwrap();
        let ca_name = SubjectName {
            organization: Some("Signet 测试".into()),
            country: Some("CN".into()),
            ..SubjectName::common("Signet Test Issuing CA")
        };
        let ca = issue(
            &CertificateRequest {
                subject: &ca_name,
                public_key_spki_der: &ca_spki,
                serial: random_serial(),
                not_before: now - Duration::hours(1),
                not_after: now + Duration::days(1825),
                profile: Profile::IssuingCa,
                urls: CaUrls {
                    crl: Some(format!("{URLS}/root.crl")),
                    ocsp: None,
                    ca_issuers: Some(format!("{URLS}/root.cer")),
                },
            },
            &root_key,
            Some(&root),
        )
        .unwrap();
        // SERVICES_KEEP=1 keeps the files for a look by hand.
        let (_dir, path) = if std::env::var_os("SERVICES_KEEP").is_some() {
            let p = dir.keep();
            eprintln!("files kept in {}", p.display());
            (None, p)
        } else {
            let p = dir.path().to_owned();
            (Some(dir), p)
        };
        let h = Self {
            _dir,
            path,
            alg,
            root,
            ca_key,
            ca,
        };
        write(h.d(), "root.pem", pem(&h.root).as_bytes());
        write(h.d(), "issuing.pem", pem(&h.ca).as_bytes());
        h
    }

    fn d(&self) -> &Path {
        &self.path
    }

    /// Issues `<file>.pem` for a new key of the hierarchy's algorithm.
    fn issue(
        &self,
        file: &str,
        subject: &SubjectName,
        profile: Profile,
    ) -> (SigningKey, Certificate) {
        let now = Utc::now();
        let key = SigningKey::generate(self.alg).unwrap();
        let spki = key.public_key_spki_der().unwrap();
        let cert = issue(
            &CertificateRequest {
                subject,
                public_key_spki_der: &spki,
                serial: random_serial(),
                not_before: now - Duration::hours(1),
                not_after: now + Duration::days(365),
                profile,
                urls: CaUrls {
                    crl: Some(format!("{URLS}/issuing.crl")),
                    ocsp: Some(format!("{URLS}/ocsp")),
                    ca_issuers: Some(format!("{URLS}/issuing.cer")),
                },
            },
            &self.ca_key,
            Some(&self.ca),
        )
        .unwrap();
        write(self.d(), &format!("{file}.pem"), pem(&cert).as_bytes());
        (key, cert)
    }

    fn is_sm2(&self) -> bool {
        self.alg == KeyAlgorithm::Sm2
    }
}

const ALGS: [KeyAlgorithm; 2] = [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Sm2];

// ------------------------------------------------------------------------------------------
// Certificates
// ------------------------------------------------------------------------------------------

#[test]
fn certificates_verify_and_read_with_openssl() {
    for alg in ALGS {
        let h = Hierarchy::new(alg);
        let d = h.d();
        let signer_name = SubjectName {
            common_name: "张三".into(),
            organization: Some("示例科技有限公司".into()),
            organizational_unit: Some("法务部".into()),
            serial_number: Some("91110000MA01ABCD2X".into()),
            country: Some("CN".into()),
        };
        let (_, signer) = h.issue("signer", &signer_name, Profile::Signer);
        h.issue(
            "ocsp",
            &SubjectName::common("Signet OCSP"),
            Profile::OcspResponder,
        );
        h.issue(
            "tsa",
            &SubjectName::common("Signet TSA"),
            Profile::TimeStamping,
        );

        // `openssl verify` arguments for `leaf` with `purpose`.
        let verify_args = |leaf: &'static str, purpose: Option<&'static str>| {
            let mut args = vec!["verify", "-x509_strict"];
            if h.is_sm2() {
                // OpenSSL 3.0 verifies SM2 certificate signatures with an empty id unless
                // told, and `-vfyopt` only reaches the certificate being verified: check the
                // chain one link at a time, the issuing CA as a partial-chain anchor.
                args.extend(["-vfyopt", DISTID]);
                if leaf == "root.pem" || leaf == "issuing.pem" {
                    args.extend(["-CAfile", "root.pem"]);
                } else {
                    args.extend(["-partial_chain", "-CAfile", "issuing.pem"]);
                }
            } else {
                args.extend(["-CAfile", "root.pem", "-untrusted", "issuing.pem"]);
            }
            if let Some(p) = purpose {
                args.extend(["-purpose", p]);
            }
            args.push(leaf);
            args
        };
        for (leaf, purpose) in [
            ("root.pem", None),
            ("issuing.pem", None),
            ("signer.pem", None),
            ("signer.pem", Some("smimesign")),
            ("ocsp.pem", Some("ocsphelper")),
            ("tsa.pem", Some("timestampsign")),
        ] {
            let out = openssl(d, &verify_args(leaf, purpose));
            assert!(
                text(&out).contains(&format!("{leaf}: OK")),
                "{}",
                text(&out)
            );
        }
        // The checks can fail: a signer is neither a TSA nor a CRL issuer, a TSA not a signer for
        // S/MIME, and the chain must reach the root.
        for (leaf, purpose) in [
            ("signer.pem", "timestampsign"),
            ("signer.pem", "crlsign"),
            ("tsa.pem", "smimesign"),
        ] {
            let bad = run(d, "openssl", &verify_args(leaf, Some(purpose)));
            assert!(!bad.status.success(), "{leaf} {purpose}: {}", text(&bad));
        }
        let bad = run(
            d,
            "openssl",
            &["verify", "-CAfile", "issuing.pem", "signer.pem"],
        );
        assert!(!bad.status.success(), "{}", text(&bad));
        let bad = run(
            d,
            "openssl",
            &[
                "verify",
                "-CAfile",
                "signer.pem",
                "-partial_chain",
                "issuing.pem",
            ],
        );
        assert!(!bad.status.success(), "{}", text(&bad));

        let show = |file: &str| {
            text(&openssl(
                d,
                &[
                    "x509",
                    "-in",
                    file,
                    "-noout",
                    "-text",
                    "-nameopt",
                    "oneline,-esc_msb",
                ],
            ))
        };
        let root = show("root.pem");
        assert!(root.contains("CA:TRUE"), "{root}");
        assert!(root.contains("Certificate Sign, CRL Sign"), "{root}");
        assert!(!root.contains("Authority Key Identifier"), "{root}");
        assert!(!root.contains("pathlen"), "{root}");
        let ca = show("issuing.pem");
        assert!(ca.contains("CA:TRUE, pathlen:0"), "{ca}");
        assert!(ca.contains("X509v3 Authority Key Identifier"), "{ca}");
        assert!(ca.contains(&format!("URI:{URLS}/root.crl")), "{ca}");
        assert!(
            ca.contains(&format!("CA Issuers - URI:{URLS}/root.cer")),
            "{ca}"
        );

        let s = show("signer.pem");
        assert!(s.contains("X509v3 Key Usage: critical"), "{s}");
        assert!(s.contains("Digital Signature, Non Repudiation"), "{s}");
        assert!(s.contains("CA:FALSE"), "{s}");
        assert!(s.contains("X509v3 CRL Distribution Points"), "{s}");
        assert!(s.contains(&format!("URI:{URLS}/issuing.crl")), "{s}");
        assert!(s.contains(&format!("OCSP - URI:{URLS}/ocsp")), "{s}");
        assert!(
            s.contains(&format!("CA Issuers - URI:{URLS}/issuing.cer")),
            "{s}"
        );
        assert!(s.contains("X509v3 Subject Key Identifier"), "{s}");
        assert!(s.contains("X509v3 Authority Key Identifier"), "{s}");
        assert!(
            s.contains("Serial Number:") && s.contains("Version: 3 (0x2)"),
            "{s}"
        );
        let sig_alg = if h.is_sm2() {
            "SM2-with-SM3"
        } else {
            "ecdsa-with-SHA256"
        };
        assert!(
            s.contains(&format!("Signature Algorithm: {sig_alg}")),
            "{s}"
        );

        // The Chinese names round-trip through OpenSSL as UTF-8.
        let subject = text(&openssl(
            d,
            &[
                "x509",
                "-in",
                "signer.pem",
                "-noout",
                "-subject",
                "-nameopt",
                "RFC2253,-esc_msb",
            ],
        ));
        assert!(
            subject.contains(
                "CN=张三,serialNumber=91110000MA01ABCD2X,OU=法务部,O=示例科技有限公司,C=CN"
            ),
            "{subject}"
        );
        let serial = text(&openssl(
            d,
            &["x509", "-in", "signer.pem", "-noout", "-serial"],
        ));
        assert_eq!(
            serial.trim().to_lowercase(),
            format!(
                "serial={}",
                serial_hex(signer.tbs_certificate().serial_number())
            )
        );

        let ocsp = show("ocsp.pem");
        assert!(ocsp.contains("OCSP Signing"), "{ocsp}");
        assert!(ocsp.contains("OCSP No Check"), "{ocsp}");
        assert!(ocsp.contains("Digital Signature"), "{ocsp}");
        let tsa = show("tsa.pem");
        assert!(tsa.contains("X509v3 Extended Key Usage: critical"), "{tsa}");
        assert!(tsa.contains("Time Stamping"), "{tsa}");

        // For SM2, also check the certificate signatures with the explicit distinguishing id.
        if h.is_sm2() {
            for (cert, issuer) in [(&h.ca, &h.root), (&signer, &h.ca), (&h.root, &h.root)] {
                let (tbs, sig) = signed_parts(&cert.to_der().unwrap());
                assert!(sm2_verifies(d, issuer, &tbs, &sig));
                let mut bad = tbs.clone();
                let last = bad.len() - 1;
                bad[last] ^= 1;
                assert!(!sm2_verifies(d, issuer, &bad, &sig));
            }
        }
    }
}

// ------------------------------------------------------------------------------------------
// CRLs
// ------------------------------------------------------------------------------------------

#[test]
fn crls_are_read_and_verified_by_openssl() {
    for alg in ALGS {
        let h = Hierarchy::new(alg);
        let d = h.d();
        let (_, revoked) = h.issue("revoked", &SubjectName::common("Revoked"), Profile::Signer);
        let (_, good) = h.issue("good", &SubjectName::common("Good"), Profile::Signer);
        let now = Utc::now();
        let other = random_serial();
        let der = build_crl(
            &h.ca_key,
            &h.ca,
            &[
                RevokedEntry {
                    serial: revoked.tbs_certificate().serial_number().clone(),
                    revoked_at: now - Duration::hours(1),
                    reason: Some(CrlReason::KeyCompromise),
                },
                RevokedEntry {
                    serial: other.clone(),
                    revoked_at: now - Duration::hours(2),
                    reason: Some(CrlReason::CessationOfOperation),
                },
            ],
            now,
            now + Duration::days(7),
            42,
        )
        .unwrap();
        write(d, "issuing.crl", &der);
        let out = openssl(
            d,
            &[
                "crl",
                "-inform",
                "DER",
                "-in",
                "issuing.crl",
                "-noout",
                "-text",
            ],
        );
        let t = text(&out);
        assert!(t.contains("Version 2 (0x1)"), "{t}");
        for serial in [revoked.tbs_certificate().serial_number(), &other] {
            assert!(
                t.contains(&format!(
                    "Serial Number: {}",
                    serial_hex(serial).to_uppercase()
                )),
                "{t}"
            );
        }
        assert!(t.contains("Key Compromise"), "{t}");
        assert!(t.contains("Cessation Of Operation"), "{t}");
        assert!(t.contains("X509v3 CRL Number"), "{t}");
        assert!(t.contains("42"), "{t}");
        assert!(t.contains("X509v3 Authority Key Identifier"), "{t}");
        assert!(t.contains("Next Update"), "{t}");

        if h.is_sm2() {
            let (tbs, sig) = signed_parts(&der);
            assert!(sm2_verifies(d, &h.ca, &tbs, &sig));
            assert!(!sm2_verifies(d, &h.root, &tbs, &sig));
        } else {
            let out = openssl(
                d,
                &[
                    "crl",
                    "-inform",
                    "DER",
                    "-in",
                    "issuing.crl",
                    "-CAfile",
                    "issuing.pem",
                    "-noout",
                    "-verify",
                ],
            );
            assert!(text(&out).contains("verify OK"), "{}", text(&out));
            // Signed by the root instead: OpenSSL refuses.
            let bad = run(
                d,
                "openssl",
                &[
                    "crl",
                    "-inform",
                    "DER",
                    "-in",
                    "issuing.crl",
                    "-CAfile",
                    "root.pem",
                    "-noout",
                    "-verify",
                ],
            );
            assert!(!text(&bad).contains("verify OK"), "{}", text(&bad));
            // And OpenSSL's verify with CRL checking sees the revocation.
            openssl(
                d,
                &[
                    "crl",
                    "-inform",
                    "DER",
                    "-in",
                    "issuing.crl",
                    "-out",
                    "issuing.crl.pem",
                ],
            );
            let out = run(
                d,
                "openssl",
                &[
                    "verify",
                    "-crl_check",
                    "-CRLfile",
                    "issuing.crl.pem",
                    "-CAfile",
                    "root.pem",
                    "-untrusted",
                    "issuing.pem",
                    "revoked.pem",
                ],
            );
            assert!(text(&out).contains("certificate revoked"), "{}", text(&out));
            let out = openssl(
                d,
                &[
                    "verify",
                    "-crl_check",
                    "-CRLfile",
                    "issuing.crl.pem",
                    "-CAfile",
                    "root.pem",
                    "-untrusted",
                    "issuing.pem",
                    "good.pem",
                ],
            );
            assert!(text(&out).contains("good.pem: OK"), "{}", text(&out));
        }

        // Our own verifier agrees.
        let material = RevocationMaterial {
            crls: vec![der],
            ..Default::default()
        };
        assert!(matches!(
            check_revocation(&revoked, &h.ca, &material),
            RevocationStatus::Revoked { reason: Some(ref r), .. } if r == "keyCompromise"
        ));
        assert!(matches!(
            check_revocation(&good, &h.ca, &material),
            RevocationStatus::Good { .. }
        ));
    }
}

// ------------------------------------------------------------------------------------------
// OCSP
// ------------------------------------------------------------------------------------------

#[test]
fn ocsp_responses_are_accepted_by_openssl() {
    for alg in ALGS {
        let h = Hierarchy::new(alg);
        let d = h.d();
        let (_, good) = h.issue("good", &SubjectName::common("Good"), Profile::Signer);
        let (_, revoked) = h.issue("revoked", &SubjectName::common("Revoked"), Profile::Signer);
        let (rkey, rcert) = h.issue(
            "responder",
            &SubjectName::common("Signet OCSP Responder"),
            Profile::OcspResponder,
        );
        let revoked_at = Utc::now() - Duration::hours(3);

        for (leaf, with_nonce) in [("good", false), ("good", true), ("revoked", true)] {
            let req_file = format!("{leaf}-{with_nonce}.req");
            let mut args = vec![
                "ocsp",
                "-issuer",
                "issuing.pem",
                "-cert",
                if leaf == "good" {
                    "good.pem"
                } else {
                    "revoked.pem"
                },
                "-reqout",
                &req_file,
            ];
            if !with_nonce {
                args.push("-no_nonce");
            }
            openssl(d, &args);
            let parsed = parse_request(&read(d, &req_file)).unwrap();
            assert_eq!(parsed.ids.len(), 1);
            assert_eq!(parsed.nonce.is_some(), with_nonce);
            let id = &parsed.ids[0];
            assert!(issued_by(id, &h.ca));
            assert!(!issued_by(id, &h.root));
            let status = if id.serial_number == *revoked.tbs_certificate().serial_number() {
                Status::Revoked {
                    at: revoked_at,
                    reason: Some(CrlReason::KeyCompromise),
                }
            } else {
                assert_eq!(id.serial_number, *good.tbs_certificate().serial_number());
                Status::Good
            };
            let now = Utc::now();
            let resp = respond(
                &rkey,
                &rcert,
                std::slice::from_ref(&h.ca),
                &[(id.clone(), status)],
                parsed.nonce.as_deref(),
                now,
                Some(now + Duration::hours(4)),
            )
            .unwrap();
            let resp_file = format!("{leaf}-{with_nonce}.resp");
            write(d, &resp_file, &resp);

            // OpenSSL reads the response against the request (nonce) and, for P-256, verifies
            // its signature and the responder's authorisation by the issuing CA.
            let mut args = vec![
                "ocsp",
                "-respin",
                &resp_file,
                "-reqin",
                &req_file,
                "-CAfile",
                "root.pem",
                "-resp_text",
            ];
            if h.is_sm2() {
                args.push("-noverify");
            }
            let out = run(d, "openssl", &args);
            let t = text(&out);
            assert!(out.status.success(), "{t}");
            assert!(t.contains("Response Type: Basic OCSP Response"), "{t}");
            assert!(t.contains("Responder Id: "), "{t}");
            assert!(!t.contains("Nonce Verify error"), "{t}");
            assert_eq!(t.contains("OCSP Nonce"), with_nonce, "{t}");
            if leaf == "good" {
                assert!(t.contains("Cert Status: good"), "{t}");
            } else {
                assert!(t.contains("Cert Status: revoked"), "{t}");
                assert!(t.contains("Revocation Reason: keyCompromise (0x1)"), "{t}");
            }
            if !h.is_sm2() {
                assert!(t.contains("Response verify OK"), "{t}");
            }
            // And the status of the certificate named on the command line.
            let cert_file = format!("{leaf}.pem");
            let mut args = vec![
                "ocsp",
                "-respin",
                &resp_file,
                "-issuer",
                "issuing.pem",
                "-cert",
                &cert_file,
                "-no_nonce",
                "-CAfile",
                "root.pem",
            ];
            if h.is_sm2() {
                args.push("-noverify");
            }
            let t = text(&openssl(d, &args));
            if leaf == "good" {
                assert!(t.contains(&format!("{cert_file}: good")), "{t}");
            } else {
                assert!(t.contains(&format!("{cert_file}: revoked")), "{t}");
                assert!(t.contains("Reason: keyCompromise"), "{t}");
            }
            if h.is_sm2() {
                let outer = children(content(&resp));
                let bytes = children(content(outer[1]));
                let inner = children(content(bytes[0]));
                let basic = content(inner[1]);
                let (tbs, sig) = signed_parts(basic);
                assert!(sm2_verifies(d, &rcert, &tbs, &sig));
                assert!(!sm2_verifies(d, &h.ca, &tbs, &sig));
            }

            // Our own verifier accepts it.
            let material = RevocationMaterial {
                ocsp_responses: vec![resp.clone()],
                ..Default::default()
            };
            let cert = if leaf == "good" { &good } else { &revoked };
            let st = check_revocation(cert, &h.ca, &material);
            match leaf {
                "good" => assert!(matches!(st, RevocationStatus::Good { .. }), "{st:?}"),
                _ => assert!(
                    matches!(st, RevocationStatus::Revoked { ref reason, .. } if reason.as_deref() == Some("keyCompromise")),
                    "{st:?}"
                ),
            }
        }

        // A response with another request's nonce, or signed by a key the CA never
        // authorised, is refused by OpenSSL (P-256).
        if !h.is_sm2() {
            let parsed = parse_request(&read(d, "good-true.req")).unwrap();
            let resp = respond(
                &rkey,
                &rcert,
                std::slice::from_ref(&h.ca),
                &[(parsed.ids[0].clone(), Status::Good)],
                Some(&[9u8; 16]),
                Utc::now(),
                None,
            )
            .unwrap();
            write(d, "other-nonce.resp", &resp);
            let out = run(
                d,
                "openssl",
                &[
                    "ocsp",
                    "-respin",
                    "other-nonce.resp",
                    "-reqin",
                    "good-true.req",
                    "-CAfile",
                    "root.pem",
                ],
            );
            assert!(text(&out).contains("Nonce Verify error"), "{}", text(&out));

            let (skey, scert) = h.issue("rogue", &SubjectName::common("Rogue"), Profile::Signer);
            let parsed = parse_request(&read(d, "good-false.req")).unwrap();
            let resp = respond(
                &skey,
                &scert,
                std::slice::from_ref(&h.ca),
                &[(parsed.ids[0].clone(), Status::Good)],
                None,
                Utc::now(),
                None,
            )
            .unwrap();
            write(d, "rogue.resp", &resp);
            let out = run(
                d,
                "openssl",
                &[
                    "ocsp",
                    "-respin",
                    "rogue.resp",
                    "-issuer",
                    "issuing.pem",
                    "-cert",
                    "good.pem",
                    "-no_nonce",
                    "-CAfile",
                    "root.pem",
                ],
            );
            assert!(!text(&out).contains("Response verify OK"), "{}", text(&out));
        }

        // Error responses are read by OpenSSL.
        write(
            d,
            "malformed.resp",
            &error_response(OcspResponseStatus::MalformedRequest),
        );
        let out = run(
            d,
            "openssl",
            &[
                "ocsp",
                "-respin",
                "malformed.resp",
                "-resp_text",
                "-noverify",
            ],
        );
        assert!(
            text(&out).contains("malformedrequest") || text(&out).contains("malformedRequest"),
            "{}",
            text(&out)
        );
    }
}

// ------------------------------------------------------------------------------------------
// Time stamps
// ------------------------------------------------------------------------------------------

#[test]
fn timestamps_are_accepted_by_openssl() {
    for alg in ALGS {
        let h = Hierarchy::new(alg);
        let d = h.d();
        let (key, cert) = h.issue(
            "tsa",
            &SubjectName::common("Signet TSA"),
            Profile::TimeStamping,
        );
        let chain = [h.ca.clone(), h.root.clone()];
        let tsa = TimestampAuthority {
            key: &key,
            cert: &cert,
            chain: &chain,
            policy: POLICY,
        };
        tsa.check().unwrap();
        let data = "合同 — the document to stamp\n".repeat(100);
        write(d, "data.txt", data.as_bytes());
        for (digest_flag, digest) in [
            ("-sha256", DigestAlgorithm::Sha256),
            ("-sha512", DigestAlgorithm::Sha512),
            ("-sm3", DigestAlgorithm::Sm3),
        ] {
            openssl(
                d,
                &[
                    "ts",
                    "-query",
                    "-data",
                    "data.txt",
                    digest_flag,
                    "-cert",
                    "-out",
                    "q.tsq",
                ],
            );
            let now = Utc::now();
            let resp = tsa.respond(&read(d, "q.tsq"), random_serial(), now);
            write(d, "r.tsr", &resp);
            let reply = text(&openssl(d, &["ts", "-reply", "-in", "r.tsr", "-text"]));
            assert!(reply.contains("Status: Granted."), "{reply}");
            assert!(
                reply.contains("Policy OID: 1.3.6.1.4.1.99999.2.1"),
                "{reply}"
            );
            assert!(reply.contains("Accuracy: 0x01 seconds"), "{reply}");
            assert!(reply.contains("Ordering: no"), "{reply}");
            assert!(!reply.contains("Nonce: unspecified"), "{reply}");
            assert!(
                reply.contains(&now.format("Time stamp: %b %e %H:%M:%S %Y GMT").to_string()),
                "{reply}"
            );

            if h.is_sm2() {
                // OpenSSL 3.0's ts -verify cannot set the SM2 id: check the signature over the
                // signed attributes with pkeyutl, and the imprint with ts -verify's digest.
                let token_der =
                    token_from_response(&resp, &digest.digest(data.as_bytes()), None).unwrap();
                let token = TimestampToken::parse(&token_der).unwrap();
                let attrs = token.cms().signed_attributes_der().unwrap();
                assert!(sm2_verifies(d, &cert, attrs, token.cms().signature_value()));
                assert!(!sm2_verifies(
                    d,
                    &h.ca,
                    attrs,
                    token.cms().signature_value()
                ));
                assert!(token.imprint_matches(data.as_bytes()));
                let check = token.verify(&[]);
                assert!(check.ok(), "{:?}", check.problems);
                let mut anchors = TrustAnchors::new();
                anchors.push(h.root.clone());
                let report = validate_chain(&ChainInput {
                    leaf: &cert,
                    intermediates: token.cms().certificates(),
                    anchors: &anchors,
                    at: token.gen_time(),
                    revocation: &RevocationMaterial::default(),
                    purpose: Purpose::Timestamping,
                });
                assert!(report.trusted, "{:?}", report.problems);
            } else {
                let out = openssl(
                    d,
                    &[
                        "ts",
                        "-verify",
                        "-data",
                        "data.txt",
                        "-in",
                        "r.tsr",
                        "-CAfile",
                        "root.pem",
                        "-untrusted",
                        "issuing.pem",
                    ],
                );
                assert!(text(&out).contains("Verification: OK"), "{}", text(&out));
                // Against the request (nonce, imprint) too.
                let out = openssl(
                    d,
                    &[
                        "ts",
                        "-verify",
                        "-queryfile",
                        "q.tsq",
                        "-in",
                        "r.tsr",
                        "-CAfile",
                        "root.pem",
                        "-untrusted",
                        "issuing.pem",
                    ],
                );
                assert!(text(&out).contains("Verification: OK"), "{}", text(&out));
                // Other data does not verify.
                write(d, "other.txt", b"other data");
                let bad = run(
                    d,
                    "openssl",
                    &[
                        "ts",
                        "-verify",
                        "-data",
                        "other.txt",
                        "-in",
                        "r.tsr",
                        "-CAfile",
                        "root.pem",
                        "-untrusted",
                        "issuing.pem",
                    ],
                );
                assert!(!text(&bad).contains("Verification: OK"), "{}", text(&bad));
            }
        }

        // Our own client side, checked by OpenSSL's reader.
        let imprint = DigestAlgorithm::Sha256.digest(data.as_bytes());
        let req = timestamp_request(
            DigestAlgorithm::Sha256,
            &imprint,
            Some(0x1234_5678_9abc),
            true,
        )
        .unwrap();
        write(d, "ours.tsq", &req);
        let q = text(&openssl(d, &["ts", "-query", "-in", "ours.tsq", "-text"]));
        assert!(q.contains("Hash Algorithm: sha256"), "{q}");
        assert!(q.contains("Nonce: 0x123456789ABC"), "{q}");
        assert!(q.contains("Certificate required: yes"), "{q}");
        let resp = tsa.respond(&req, random_serial(), Utc::now());
        token_from_response(&resp, &imprint, Some(0x1234_5678_9abc)).unwrap();
    }
}

#[test]
fn timestamp_rejections_are_read_by_openssl() {
    let h = Hierarchy::new(KeyAlgorithm::EcdsaP256);
    let d = h.d();
    let (key, cert) = h.issue(
        "tsa",
        &SubjectName::common("Signet TSA"),
        Profile::TimeStamping,
    );
    let tsa = TimestampAuthority {
        key: &key,
        cert: &cert,
        chain: &[],
        policy: POLICY,
    };
    write(d, "data.txt", b"data");
    // SHA-1 is not accepted: badAlg.
    openssl(
        d,
        &[
            "ts", "-query", "-data", "data.txt", "-sha1", "-out", "sha1.tsq",
        ],
    );
    // A SHA-256 request whose imprint is cut short: badDataFormat.
    let good = timestamp_request(DigestAlgorithm::Sha256, &[7; 32], None, false).unwrap();
    let mut short = good.clone();
    // SEQUENCE { INTEGER 1, SEQUENCE { AlgId, OCTET STRING (32) } }: shorten the OCTET STRING.
    let pos = short.windows(2).position(|w| w == [0x04, 32]).unwrap();
    short.remove(pos + 2);
    short[pos + 1] = 31;
    short[1] -= 1;
    short[6] -= 1;
    for (name, req, failure) in [
        (
            "sha1",
            read(d, "sha1.tsq"),
            "unrecognized or unsupported algorithm identifier",
        ),
        ("short", short, "the data submitted has the wrong format"),
        (
            "junk",
            b"\x30\x03\x02\x01\x01".to_vec(),
            "the data submitted has the wrong format",
        ),
    ] {
        let resp = tsa.respond(&req, random_serial(), Utc::now());
        let file = format!("{name}.tsr");
        write(d, &file, &resp);
        let t = text(&openssl(d, &["ts", "-reply", "-in", &file, "-text"]));
        assert!(t.contains("Status: Rejected."), "{name}: {t}");
        assert!(t.contains(failure), "{name}: {t}");
        assert!(t.contains("TST info:\nNot included."), "{name}: {t}");
    }
}
