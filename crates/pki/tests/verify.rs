//! Verification (`signet_pki::verify`) against material made independently: OpenSSL's `cms`,
//! `ca`, `ocsp` and `ts` commands, pyHanko (a presigned PDF in the shared corpus), and
//! Signet's own signer. Keys and certificates are made with the `openssl` CLI in temporary
//! directories.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Issue, OpensslCa, one_cert as cert, openssl, read, write};

use std::path::Path;

use chrono::{Duration, Utc};
use der::{Decode, Encode};
use signet_pki::sign::{SigningKey, parse_certificates_pem, sign_detached};
use signet_pki::verify::ocsp::{BasicOcspResponse, CertStatus, OcspRequest, OcspResponse};
use signet_pki::verify::tsp::{MessageImprint, TimeStampReq, TimeStampResp, TstInfo};
use signet_pki::verify::{
    ChainInput, ChainProblem, CmsSignature, DigestAlgorithm, EssCheck, Purpose, RevocationMaterial,
    RevocationSource, RevocationStatus, SignatureAlgorithm, TimestampToken, TrustAnchors,
    VerifyError, crl_urls, ocsp_request_der, ocsp_urls, validate_chain,
};
use x509_cert::Certificate;

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

/// The key types of these tests.
use common::KeyKind as Kind;

const EXTENSIONS: &[(&str, &str)] = &[
    (
        "root.ext",
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n",
    ),
    (
        "ca.ext",
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    ),
    (
        "ee.ext",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nauthorityInfoAccess=OCSP;URI:http://ocsp.example.test/\ncrlDistributionPoints=URI:http://crl.example.test/inter.crl\n",
    ),
    (
        "noca.ext",
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyCertSign,digitalSignature\n",
    ),
    (
        "kenc.ext",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,keyEncipherment\n",
    ),
    (
        "ocsp.ext",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=OCSPSigning\n",
    ),
    (
        "tsa.ext",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,timeStamping\n",
    ),
];

/// A test PKI made by OpenSSL in a temporary directory: `root` → `inter` → `leaf`.
struct Pki {
    ca: OpensslCa,
    root: Certificate,
    inter: Certificate,
    leaf: Certificate,
}

impl Pki {
    fn path(&self) -> &Path {
        self.ca.path()
    }

    fn new(kind: Kind) -> Self {
        let root_ext = EXTENSIONS
            .iter()
            .find(|(name, _)| *name == "root.ext")
            .map(|(_, text)| *text)
            .unwrap();
        let ca = OpensslCa::new(kind, "/O=Signet/CN=Verify Test Root", root_ext);
        for (name, text) in EXTENSIONS {
            ca.write(name, text);
        }
        let issue = |name, subject, issuer, ext| {
            ca.issue(Issue::new(name, subject).issuer(issuer).ext(ext));
            cert(ca.path(), &format!("{name}.pem"))
        };
        let inter = issue(
            "inter",
            "/O=Signet/CN=Verify Test Intermediate",
            "root",
            "ca.ext",
        );
        let leaf = issue("leaf", "/O=Signet/CN=Verify Test Signer", "inter", "ee.ext");
        let root = cert(ca.path(), "root.pem");
        Self {
            ca,
            root,
            inter,
            leaf,
        }
    }

    /// Issues `<name>.pem` (new key `<name>.key`) signed by `<issuer>`.
    fn issue(&self, name: &str, subject: &str, issuer: &str, ext: &str, days: u32) -> Certificate {
        self.ca
            .issue(Issue::new(name, subject).issuer(issuer).ext(ext).days(days));
        cert(self.path(), &format!("{name}.pem"))
    }

    /// As [`issue`](Self::issue) for the existing key `<key>.key`.
    fn issue_for_key(
        &self,
        name: &str,
        key: &str,
        subject: &str,
        issuer: &str,
        ext: &str,
    ) -> Certificate {
        let issue = Issue::new(name, subject).issuer(issuer).ext(ext);
        self.ca.issue(issue.existing_key(key));
        cert(self.path(), &format!("{name}.pem"))
    }

    fn anchors(&self) -> TrustAnchors {
        let mut a = TrustAnchors::new();
        a.push(self.root.clone());
        a
    }
}

fn sha256(data: &[u8]) -> Vec<u8> {
    DigestAlgorithm::Sha256.digest(data)
}

fn chain<'a>(
    leaf: &'a Certificate,
    intermediates: &'a [Certificate],
    anchors: &'a TrustAnchors,
    revocation: &'a RevocationMaterial,
    purpose: Purpose,
) -> ChainInput<'a> {
    ChainInput {
        leaf,
        intermediates,
        anchors,
        at: Utc::now(),
        revocation,
        purpose,
    }
}

// ------------------------------------------------------------------------------------------
// CMS from other producers
// ------------------------------------------------------------------------------------------

/// The signature of the presigned pyHanko PDF: ByteRange digest, /Contents, signer cert.
#[test]
fn pyhanko_signature_verifies() {
    let pdf = std::fs::read("/work/shared/corpus/pdf/pyhanko-presigned.pdf").unwrap();
    let pem = std::fs::read_to_string("/work/shared/corpus/pdf/pyhanko-presigned.signer-cert.pem")
        .unwrap();
    let signer = parse_certificates_pem(&pem).unwrap().remove(0);

    let find = |hay: &[u8], needle: &[u8], from: usize| -> usize {
        from + hay[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
    };
    let br = find(&pdf, b"/ByteRange", 0);
    let open = find(&pdf, b"[", br);
    let close = find(&pdf, b"]", open);
    let nums: Vec<usize> = std::str::from_utf8(&pdf[open + 1..close])
        .unwrap()
        .split_ascii_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(nums.len(), 4);
    let mut h = DigestAlgorithm::Sha256.hasher();
    h.update(&pdf[nums[0]..nums[0] + nums[1]]);
    h.update(&pdf[nums[2]..nums[2] + nums[3]]);
    let digest = h.finalize();

    // /Contents <hex> is the hole between the two ranges.
    let hole = &pdf[nums[0] + nums[1]..nums[2]];
    assert_eq!(hole.first(), Some(&b'<'));
    assert_eq!(hole.last(), Some(&b'>'));
    let hex = &hole[1..hole.len() - 1];
    let contents: Vec<u8> = hex
        .chunks(2)
        .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
        .collect();
    assert!(contents.ends_with(&[0, 0]), "zero padded");

    let cms = CmsSignature::parse(&contents).unwrap();
    assert_eq!(cms.digest_algorithm().unwrap(), DigestAlgorithm::Sha256);
    assert_eq!(cms.find_signer_certificate(&[]), Some(&signer));
    let check = cms.verify_detached(&digest, &[]);
    assert!(check.ok(), "{:?}", check.problems);
    assert_eq!(
        check.algorithm,
        Some(SignatureAlgorithm::EcdsaP256(DigestAlgorithm::Sha256))
    );
    assert_eq!(check.signer_certificate.as_ref(), Some(&signer));

    let mut wrong = digest.clone();
    wrong[0] ^= 1;
    let check = cms.verify_detached(&wrong, &[]);
    assert!(!check.ok());
    assert!(!check.digest_matches);
    assert!(check.signature_valid);
    assert!(check.problems.iter().any(|p| p.contains("message-digest")));
}

/// `openssl cms -sign` (detached, SHA-256) with the key of `<name>.key` and `<name>.pem`.
fn openssl_cms_sign(d: &Path, name: &str, extra: &[&str]) -> Vec<u8> {
    let signer = format!("{name}.pem");
    let key = format!("{name}.key");
    let out = format!("{name}.p7s");
    let mut args = vec![
        "cms",
        "-sign",
        "-binary",
        "-in",
        "content.bin",
        "-signer",
        &signer,
        "-inkey",
        &key,
        "-outform",
        "DER",
        "-md",
        "sha256",
        "-out",
        &out,
    ];
    args.extend(extra);
    openssl(d, &args);
    read(d, &out)
}

fn cms_roundtrip(kind: Kind, extra: &[&str], expected: SignatureAlgorithm) {
    let pki = Pki::new(kind);
    let d = pki.path();
    let content = b"%PDF-1.7 byte ranges of a document ".repeat(300);
    write(d, "content.bin", &content);
    let der = openssl_cms_sign(d, "leaf", extra);
    let cms = CmsSignature::parse(&der).unwrap();
    let digest = cms.digest_algorithm().unwrap().digest(&content);
    assert_eq!(digest, sha256(&content));
    let check = cms.verify_detached(&digest, &[]);
    assert!(check.ok(), "{kind:?}: {:?}", check.problems);
    assert_eq!(check.algorithm, Some(expected));
    assert!(
        cms.signing_time().is_some(),
        "openssl cms writes signingTime"
    );
    let st = cms.signing_time().unwrap();
    assert!((Utc::now() - st).num_minutes().abs() < 10);
    assert_eq!(
        cms.content_type(),
        der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1")
    );
    assert!(cms.encapsulated_content().is_none());
    assert!(!cms.signature_value().is_empty());

    // A changed content byte: the digest no longer matches.
    let mut changed = content.clone();
    changed[10] ^= 0x20;
    let check = cms.verify_detached(&sha256(&changed), &[]);
    assert!(!check.ok());
    assert!(!check.digest_matches);
    assert!(check.signature_valid);

    // The chain of the signer.
    let anchors = pki.anchors();
    let material = RevocationMaterial::default();
    let report = validate_chain(&chain(
        &pki.leaf,
        cms.certificates(),
        &anchors,
        &material,
        Purpose::DocumentSigning,
    ));
    assert!(!report.trusted, "the intermediate is not embedded");
    let inter = [pki.inter.clone()];
    let report = validate_chain(&chain(
        &pki.leaf,
        &inter,
        &anchors,
        &material,
        Purpose::DocumentSigning,
    ));
    assert!(report.trusted, "{kind:?}: {:?}", report.problems);
}

#[test]
fn openssl_rsa_pkcs1_signature_verifies() {
    cms_roundtrip(
        Kind::Rsa,
        &[],
        SignatureAlgorithm::RsaPkcs1(DigestAlgorithm::Sha256),
    );
}

#[test]
fn openssl_rsa_pss_signature_verifies() {
    cms_roundtrip(
        Kind::Rsa,
        &["-keyopt", "rsa_padding_mode:pss"],
        SignatureAlgorithm::RsaPss {
            digest: DigestAlgorithm::Sha256,
            // OpenSSL's default for signing: the longest salt (256 - 32 - 2).
            salt_len: 222,
        },
    );
}

#[test]
fn openssl_p256_signature_verifies() {
    cms_roundtrip(
        Kind::P256,
        &[],
        SignatureAlgorithm::EcdsaP256(DigestAlgorithm::Sha256),
    );
}

/// A signature whose sid names a certificate with another key (same issuer and serial):
/// found by sid, but the signature does not verify.
#[test]
fn swapped_certificate_gives_an_invalid_signature() {
    for kind in [Kind::Rsa, Kind::P256] {
        let pki = Pki::new(kind);
        let d = pki.path();
        write(d, "content.bin", b"content");
        // Two self-signed certificates with the same name and serial, different keys.
        for name in ["a", "b"] {
            kind.genkey(d, name);
            let key = format!("{name}.key");
            let pem = format!("{name}.pem");
            let mut args = vec![
                "req",
                "-x509",
                "-new",
                "-key",
                &key,
                "-subj",
                "/CN=Twin",
                "-days",
                "5",
                "-set_serial",
                "7",
                "-out",
                &pem,
            ];
            args.extend(kind.sign_args());
            openssl(d, &args);
        }
        let der = openssl_cms_sign(d, "a", &["-nocerts"]);
        let cms = CmsSignature::parse(&der).unwrap();
        assert!(cms.certificates().is_empty());
        let a = cert(d, "a.pem");
        let b = cert(d, "b.pem");
        let digest = sha256(b"content");
        assert!(cms.verify_detached(&digest, std::slice::from_ref(&a)).ok());
        let check = cms.verify_detached(&digest, std::slice::from_ref(&b));
        assert_eq!(check.signer_certificate.as_ref(), Some(&b));
        assert!(check.digest_matches);
        assert!(!check.signature_valid, "{kind:?}");
        assert!(!check.ok());
        // No certificate at all: not found, never guessed.
        let check = cms.verify_detached(&digest, std::slice::from_ref(&pki.leaf));
        assert!(check.signer_certificate.is_none());
        assert!(!check.ok());
    }
}

// ------------------------------------------------------------------------------------------
// Signet's own signatures
// ------------------------------------------------------------------------------------------

#[test]
fn signet_p256_and_sm2_signatures_verify() {
    for (kind, expected, digest_alg) in [
        (
            Kind::P256,
            SignatureAlgorithm::EcdsaP256(DigestAlgorithm::Sha256),
            DigestAlgorithm::Sha256,
        ),
        (Kind::Sm2, SignatureAlgorithm::Sm2Sm3, DigestAlgorithm::Sm3),
    ] {
        let pki = Pki::new(kind);
        let d = pki.path();
        let key = SigningKey::from_pem(&String::from_utf8(read(d, "leaf.key")).unwrap()).unwrap();
        let content = b"document".repeat(100);
        let digest = digest_alg.digest(&content);
        let der = sign_detached(
            &key,
            &pki.leaf,
            &[pki.inter.clone(), pki.root.clone()],
            &digest,
        )
        .unwrap();
        let cms = CmsSignature::parse(&der).unwrap();
        assert_eq!(cms.digest_algorithm().unwrap(), digest_alg);
        assert_eq!(cms.certificates().len(), 3);
        let check = cms.verify_detached(&digest, &[]);
        assert!(check.ok(), "{kind:?}: {:?}", check.problems);
        assert_eq!(check.algorithm, Some(expected));
        assert_eq!(check.ess_certificate, EssCheck::Matches);
        assert!(cms.signing_time().is_none());
        assert!(cms.signature_timestamp().is_none());

        let check = cms.verify_detached(&digest_alg.digest(b"other"), &[]);
        assert!(!check.digest_matches && check.signature_valid && !check.ok());

        // Zero padding as in a PDF /Contents is accepted; other trailing bytes are not.
        let mut padded = der.clone();
        padded.extend([0; 300]);
        assert!(
            CmsSignature::parse(&padded)
                .unwrap()
                .verify_detached(&digest, &[])
                .ok()
        );
        let mut junk = padded.clone();
        junk.push(1);
        assert_eq!(
            CmsSignature::parse(&junk).unwrap_err(),
            VerifyError::TrailingData
        );

        // The chain, with the embedded certificates.
        let anchors = pki.anchors();
        let material = RevocationMaterial::default();
        let report = validate_chain(&chain(
            &pki.leaf,
            cms.certificates(),
            &anchors,
            &material,
            Purpose::DocumentSigning,
        ));
        assert!(report.trusted, "{kind:?}: {:?}", report.problems);
        assert_eq!(report.path.len(), 3);
        assert_eq!(report.path[0].subject, "CN=Verify Test Signer, O=Signet");
        assert_eq!(
            report.path[0].common_name.as_deref(),
            Some("Verify Test Signer")
        );
        assert_eq!(report.path[2].subject, "CN=Verify Test Root, O=Signet");
        assert_eq!(report.revocation.len(), 2);
        assert!(
            report
                .revocation
                .iter()
                .all(|r| r.status == RevocationStatus::Unknown)
        );
        let key_alg = if kind == Kind::Sm2 {
            "SM2"
        } else {
            "ECDSA P-256"
        };
        assert_eq!(report.path[0].key_algorithm, key_alg);
    }
}

/// The ESS signing-certificate-v2 attribute is checked against the certificate the sid
/// names: a second certificate with the same issuer and serial but another key (a swapped
/// certificate) makes both the signature and the ESS check fail. P-256 and SM2, signed by
/// Signet.
#[test]
fn swapped_certificate_fails_signet_signatures() {
    for (kind, digest_alg) in [
        (Kind::P256, DigestAlgorithm::Sha256),
        (Kind::Sm2, DigestAlgorithm::Sm3),
    ] {
        let pki = Pki::new(kind);
        let d = pki.path();
        let key = SigningKey::from_pem(&String::from_utf8(read(d, "leaf.key")).unwrap()).unwrap();
        let digest = digest_alg.digest(b"x");
        let der = sign_detached(&key, &pki.leaf, &[], &digest).unwrap();
        let cms = CmsSignature::parse(&der).unwrap();
        assert!(cms.verify_detached(&digest, &[]).ok());
        // Re-issue the leaf's name and serial for another key.
        kind.genkey(d, "twin");
        let serial = format!(
            "0x{}",
            hex(pki.leaf.tbs_certificate().serial_number().as_bytes())
        );
        pki.ca.issue(
            Issue::new("twin", "/O=Signet/CN=Verify Test Signer")
                .issuer("inter")
                .ext("ee.ext")
                .serial(&serial)
                .existing_key("twin"),
        );
        let twin = cert(d, "twin.pem");
        assert_eq!(
            twin.tbs_certificate().serial_number(),
            pki.leaf.tbs_certificate().serial_number()
        );
        // Without the embedded certificate, the twin is the one the sid names.
        let stripped = strip_certificates(&der);
        let cms2 = CmsSignature::parse(&stripped).unwrap();
        assert!(cms2.certificates().is_empty());
        let check = cms2.verify_detached(&digest, std::slice::from_ref(&twin));
        assert_eq!(check.signer_certificate.as_ref(), Some(&twin));
        assert!(check.digest_matches);
        assert!(!check.signature_valid, "{kind:?}");
        assert_eq!(check.ess_certificate, EssCheck::Mismatch);
        assert!(!check.ok());
        let check = cms2.verify_detached(&digest, std::slice::from_ref(&pki.leaf));
        assert!(check.ok(), "{:?}", check.problems);
    }
}

/// P-384 (ECDSA with SHA-384) and a UTF-8 Chinese subject.
#[test]
fn p384_signature_and_chinese_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-out",
            "k.key",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-utf8",
            "-key",
            "k.key",
            "-subj",
            "/C=CN/O=签名测试有限公司/CN=张三",
            "-days",
            "5",
            "-sha384",
            "-out",
            "k.pem",
        ],
    );
    write(d, "content.bin", b"P-384 content");
    openssl(
        d,
        &[
            "cms",
            "-sign",
            "-binary",
            "-in",
            "content.bin",
            "-signer",
            "k.pem",
            "-inkey",
            "k.key",
            "-outform",
            "DER",
            "-md",
            "sha384",
            "-out",
            "k.p7s",
        ],
    );
    let cms = CmsSignature::parse(&read(d, "k.p7s")).unwrap();
    assert_eq!(cms.digest_algorithm().unwrap(), DigestAlgorithm::Sha384);
    let check = cms.verify_detached(&DigestAlgorithm::Sha384.digest(b"P-384 content"), &[]);
    assert!(check.ok(), "{:?}", check.problems);
    assert_eq!(
        check.algorithm,
        Some(SignatureAlgorithm::EcdsaP384(DigestAlgorithm::Sha384))
    );
    let k = cert(d, "k.pem");
    let summary = signet_pki::verify::CertificateSummary::of(&k);
    assert_eq!(summary.subject, "CN=张三, O=签名测试有限公司, C=CN");
    assert_eq!(summary.common_name.as_deref(), Some("张三"));
    assert_eq!(summary.key_algorithm, "ECDSA P-384");
    // Self-signed, trusted directly, and its own signature checks out.
    let anchors = TrustAnchors::from_der(&k.to_der().unwrap()).unwrap();
    let material = RevocationMaterial::default();
    let report = validate_chain(&chain(
        &k,
        &[],
        &anchors,
        &material,
        Purpose::DocumentSigning,
    ));
    assert!(report.trusted, "{:?}", report.problems);
    assert_eq!(report.path[0].subject, summary.subject);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Removes the `[0] certificates` of a DER ContentInfo(SignedData) (re-encoded with `cms`).
fn strip_certificates(der: &[u8]) -> Vec<u8> {
    use cms::content_info::ContentInfo;
    use cms::signed_data::SignedData;
    let ci = ContentInfo::from_der(der).unwrap();
    let mut sd: SignedData = ci.content.decode_as().unwrap();
    sd.certificates = None;
    ContentInfo {
        content_type: ci.content_type,
        content: der::Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap()
}

// ------------------------------------------------------------------------------------------
// Chains
// ------------------------------------------------------------------------------------------

#[test]
fn chains_are_validated() {
    for kind in [Kind::P256, Kind::Rsa, Kind::Sm2] {
        let pki = Pki::new(kind);
        let anchors = pki.anchors();
        let material = RevocationMaterial::default();
        let inter = [pki.inter.clone()];
        let report = validate_chain(&chain(
            &pki.leaf,
            &inter,
            &anchors,
            &material,
            Purpose::DocumentSigning,
        ));
        assert!(report.trusted, "{kind:?}: {:?}", report.problems);
        assert_eq!(report.path.len(), 3);
        assert_eq!(
            report.path[0].issuer,
            "CN=Verify Test Intermediate, O=Signet"
        );
        assert_eq!(
            report.path[0].sha256_hex,
            hex(&sha256(&pki.leaf.to_der().unwrap()))
        );

        // Intermediates in any order, with extras (the root itself, an unrelated cert).
        let other = Pki::new(Kind::P256);
        let pool = [other.leaf.clone(), pki.root.clone(), pki.inter.clone()];
        let report = validate_chain(&chain(
            &pki.leaf,
            &pool,
            &anchors,
            &material,
            Purpose::DocumentSigning,
        ));
        assert!(report.trusted, "{kind:?}: {:?}", report.problems);

        // Another root: no path.
        let wrong = other.anchors();
        let report = validate_chain(&chain(
            &pki.leaf,
            &inter,
            &wrong,
            &material,
            Purpose::DocumentSigning,
        ));
        assert!(!report.trusted);
        assert!(report.problems.contains(&ChainProblem::NoPathToAnchor));
        assert_eq!(
            report.path.len(),
            2,
            "as far as it goes: leaf and intermediate"
        );

        // Missing intermediate: no path either.
        let report = validate_chain(&chain(
            &pki.leaf,
            &[],
            &anchors,
            &material,
            Purpose::DocumentSigning,
        ));
        assert!(report.problems.contains(&ChainProblem::NoPathToAnchor));

        // Expired at a later time, not yet valid at an earlier one.
        let mut input = chain(
            &pki.leaf,
            &inter,
            &anchors,
            &material,
            Purpose::DocumentSigning,
        );
        input.at = Utc::now() + Duration::days(40);
        let report = validate_chain(&input);
        assert!(!report.trusted);
        assert!(report.problems.iter().any(|p| matches!(p, ChainProblem::Expired { subject, .. } if subject.starts_with("CN=Verify Test Signer"))));
        input.at = Utc::now() - Duration::days(2);
        let report = validate_chain(&input);
        assert!(
            report
                .problems
                .iter()
                .any(|p| matches!(p, ChainProblem::NotYetValid { .. }))
        );

        // The leaf as its own anchor (directly trusted).
        let mut direct = TrustAnchors::new();
        direct.push(pki.leaf.clone());
        let report = validate_chain(&chain(
            &pki.leaf,
            &[],
            &direct,
            &material,
            Purpose::DocumentSigning,
        ));
        assert!(report.trusted, "{:?}", report.problems);
        assert!(report.revocation.is_empty());

        // A TSA purpose on a document signing cert.
        let report = validate_chain(&chain(
            &pki.leaf,
            &inter,
            &anchors,
            &material,
            Purpose::Timestamping,
        ));
        assert!(
            report
                .problems
                .iter()
                .any(|p| matches!(p, ChainProblem::ExtendedKeyUsage { .. }))
        );
    }
}

#[test]
fn chain_constraints_are_enforced() {
    let pki = Pki::new(Kind::P256);
    let anchors = pki.anchors();
    let material = RevocationMaterial::default();
    // An intermediate without cA=TRUE that issues a leaf.
    let noca = pki.issue("noca", "/CN=Not A CA", "root", "noca.ext", 30);
    let under = pki.issue("under", "/CN=Under Not A CA", "noca", "ee.ext", 30);
    let report = validate_chain(&chain(
        &under,
        std::slice::from_ref(&noca),
        &anchors,
        &material,
        Purpose::DocumentSigning,
    ));
    assert!(!report.trusted);
    assert!(
        report.problems.contains(&ChainProblem::NotCa {
            subject: "CN=Not A CA".into()
        }),
        "{:?}",
        report.problems
    );

    // A leaf whose key may only encipher keys.
    let kenc = pki.issue("kenc", "/CN=Key Encipherment Only", "inter", "kenc.ext", 30);
    let report = validate_chain(&chain(
        &kenc,
        std::slice::from_ref(&pki.inter),
        &anchors,
        &material,
        Purpose::DocumentSigning,
    ));
    assert!(!report.trusted);
    assert!(report.problems.iter().any(|p| matches!(p, ChainProblem::KeyUsage { subject, .. } if subject == "CN=Key Encipherment Only")));

    // A certificate with a bad signature (its issuer's name but another key).
    let d = pki.path();
    let fake_root = pki.issue_for_key("fakeroot", "root", "/CN=unused", "root", "root.ext");
    let _ = fake_root;
    Kind::P256.genkey(d, "imp");
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "imp.key",
            "-subj",
            "/O=Signet/CN=Verify Test Intermediate",
            "-out",
            "imp.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "imp.csr",
            "-key",
            "imp.key",
            "-days",
            "30",
            "-extfile",
            "ca.ext",
            "-out",
            "imp.pem",
            "-set_serial",
            "99",
        ],
    );
    // imp.pem is self-signed with the intermediate's name; a leaf it signs claims the real
    // intermediate as issuer. Given the impostor as the only candidate, the path stops.
    let imp = cert(d, "imp.pem");
    let victim = pki.issue("victim", "/CN=Victim", "imp", "ee.ext", 30);
    let pool = [imp.clone(), pki.inter.clone()];
    let report = validate_chain(&chain(
        &victim,
        &pool,
        &anchors,
        &material,
        Purpose::DocumentSigning,
    ));
    assert!(!report.trusted);
    assert!(
        report
            .problems
            .iter()
            .any(|p| matches!(p, ChainProblem::BadCertificateSignature { .. }))
            || report.problems.contains(&ChainProblem::NoPathToAnchor),
        "{:?}",
        report.problems
    );
}

#[test]
fn trust_anchors_from_pem_and_der() {
    let pki = Pki::new(Kind::P256);
    let d = pki.path();
    let bundle = format!(
        "{}\n{}",
        String::from_utf8(read(d, "root.pem")).unwrap(),
        String::from_utf8(read(d, "inter.pem")).unwrap()
    );
    let anchors = TrustAnchors::from_pem(&bundle).unwrap();
    assert_eq!(anchors.len(), 2);
    assert!(!anchors.is_empty());
    let anchors = TrustAnchors::from_der(&pki.root.to_der().unwrap()).unwrap();
    assert_eq!(anchors.certificates(), std::slice::from_ref(&pki.root));
    assert!(TrustAnchors::from_der(b"junk").is_err());
    assert!(TrustAnchors::from_pem("junk").is_err());
    assert!(TrustAnchors::new().is_empty());
}

// ------------------------------------------------------------------------------------------
// Revocation: CRL and OCSP made by `openssl ca` and `openssl ocsp`
// ------------------------------------------------------------------------------------------

const CA_CNF: &str = "[ ca ]\ndefault_ca = CA_default\n[ CA_default ]\ndir = .\ndatabase = ./index.txt\nnew_certs_dir = ./newcerts\nserial = ./serial\ncrlnumber = ./crlnumber\ncertificate = ./inter.pem\nprivate_key = ./inter.key\ndefault_md = sha256\ndefault_crl_days = 30\npolicy = policy_any\nunique_subject = no\n[ policy_any ]\ncommonName = supplied\n";

fn setup_ca(d: &Path) {
    std::fs::create_dir_all(d.join("newcerts")).unwrap();
    write(d, "index.txt", b"");
    write(d, "serial", b"1000\n");
    write(d, "crlnumber", b"1000\n");
    write(d, "ca.cnf", CA_CNF.as_bytes());
}

fn crl_der(d: &Path, name: &str) -> Vec<u8> {
    let pem = format!("{name}.crl.pem");
    let der = format!("{name}.crl.der");
    openssl(d, &["ca", "-config", "ca.cnf", "-gencrl", "-out", &pem]);
    openssl(d, &["crl", "-in", &pem, "-outform", "DER", "-out", &der]);
    read(d, &der)
}

fn ocsp_response(d: &Path, index: &str, signer: &str, extra: &[&str]) -> Vec<u8> {
    let rsigner = format!("{signer}.pem");
    let rkey = format!("{signer}.key");
    let out = format!("resp-{index}-{signer}.der");
    let mut args = vec![
        "ocsp",
        "-index",
        index,
        "-rsigner",
        &rsigner,
        "-rkey",
        &rkey,
        "-CA",
        "inter.pem",
        "-reqin",
        "req.der",
        "-respout",
        &out,
        "-ndays",
        "1",
    ];
    args.extend(extra);
    openssl(d, &args);
    read(d, &out)
}

#[test]
fn crl_and_ocsp_revocation() {
    let pki = Pki::new(Kind::P256);
    let d = pki.path();
    setup_ca(d);
    let anchors = pki.anchors();
    let inter = [pki.inter.clone()];

    // Online helpers.
    assert_eq!(
        ocsp_urls(&pki.leaf),
        vec!["http://ocsp.example.test/".to_owned()]
    );
    assert_eq!(
        crl_urls(&pki.leaf),
        vec!["http://crl.example.test/inter.crl".to_owned()]
    );
    assert!(ocsp_urls(&pki.root).is_empty());
    let req = ocsp_request_der(&pki.leaf, &pki.inter).unwrap();
    write(d, "ours.der", &req);
    let text = openssl(d, &["ocsp", "-reqin", "ours.der", "-req_text"]);
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    assert!(text.contains("Hash Algorithm: sha1"), "{text}");
    let serial_upper = hex(pki.leaf.tbs_certificate().serial_number().as_bytes()).to_uppercase();
    assert!(text.contains(&serial_upper), "{text}");

    // OpenSSL's request, and a delegated OCSP responder.
    openssl(
        d,
        &[
            "ocsp",
            "-issuer",
            "inter.pem",
            "-cert",
            "leaf.pem",
            "-reqout",
            "req.der",
            "-no_nonce",
        ],
    );
    let req_der = read(d, "req.der");
    assert_eq!(
        OcspRequest::from_der(&req_der).unwrap().to_der().unwrap(),
        req_der
    );
    assert_eq!(
        req_der, req,
        "same request as OpenSSL's (SHA-1 CertID, no nonce)"
    );
    pki.issue("responder", "/CN=OCSP Responder", "inter", "ocsp.ext", 30);
    // A responder without the OCSPSigning EKU.
    pki.issue("plain", "/CN=Plain Responder", "inter", "ee.ext", 30);
    Kind::P256.genkey(d, "stranger");
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "stranger.key",
            "-subj",
            "/CN=Stranger",
            "-days",
            "5",
            "-out",
            "stranger.pem",
        ],
    );

    // Good.
    openssl(d, &["ca", "-config", "ca.cnf", "-valid", "leaf.pem"]);
    std::fs::copy(d.join("index.txt"), d.join("index-good.txt")).unwrap();
    let good_ca = ocsp_response(d, "index-good.txt", "inter", &[]);
    let good_delegated = ocsp_response(d, "index-good.txt", "responder", &["-resp_key_id"]);
    let good_crl = crl_der(d, "good");
    // Revoked.
    openssl(
        d,
        &[
            "ca",
            "-config",
            "ca.cnf",
            "-revoke",
            "leaf.pem",
            "-crl_reason",
            "keyCompromise",
        ],
    );
    let revoked_ca = ocsp_response(d, "index.txt", "inter", &[]);
    let revoked_delegated = ocsp_response(d, "index.txt", "responder", &[]);
    let stranger = ocsp_response(d, "index.txt", "stranger", &[]);
    let plain = ocsp_response(d, "index.txt", "plain", &[]);
    let revoked_crl = crl_der(d, "revoked");

    // Structures round-trip.
    for der in [&good_ca, &good_delegated, &revoked_ca] {
        let resp = OcspResponse::from_der(der).unwrap();
        assert_eq!(&resp.to_der().unwrap(), der);
        let basic =
            BasicOcspResponse::from_der(resp.response_bytes.unwrap().response.as_bytes()).unwrap();
        assert_eq!(basic.tbs_response_data.responses.len(), 1);
    }
    let basic_revoked = BasicOcspResponse::from_der(
        OcspResponse::from_der(&revoked_ca)
            .unwrap()
            .response_bytes
            .unwrap()
            .response
            .as_bytes(),
    )
    .unwrap();
    assert!(matches!(
        basic_revoked.tbs_response_data.responses[0].cert_status,
        CertStatus::Revoked(_)
    ));

    let validate = |material: &RevocationMaterial| {
        validate_chain(&chain(
            &pki.leaf,
            &inter,
            &anchors,
            material,
            Purpose::DocumentSigning,
        ))
    };
    let leaf_status =
        |material: &RevocationMaterial| validate(material).revocation[0].status.clone();

    // Nothing: unknown, still trusted (soft fail).
    let report = validate(&RevocationMaterial::default());
    assert!(report.trusted);
    assert_eq!(report.revocation[0].status, RevocationStatus::Unknown);
    assert_eq!(
        report.revocation[0].subject,
        "CN=Verify Test Signer, O=Signet"
    );

    // CRL.
    let m = RevocationMaterial {
        crls: vec![good_crl.clone()],
        ..Default::default()
    };
    assert!(matches!(
        leaf_status(&m),
        RevocationStatus::Good {
            source: RevocationSource::Crl,
            ..
        }
    ));
    assert!(validate(&m).trusted);
    let m = RevocationMaterial {
        crls: vec![revoked_crl.clone()],
        ..Default::default()
    };
    let report = validate(&m);
    assert!(!report.trusted);
    match &report.revocation[0].status {
        RevocationStatus::Revoked { source, reason, .. } => {
            assert_eq!(*source, RevocationSource::Crl);
            assert_eq!(reason.as_deref(), Some("keyCompromise"));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        report
            .problems
            .iter()
            .any(|p| matches!(p, ChainProblem::Revoked { .. }))
    );
    // A revocation after the validation time: reported, not a problem. (The CA database is
    // edited to date the revocation five days ahead.)
    let index = String::from_utf8(read(d, "index.txt")).unwrap();
    let fields: Vec<&str> = index.trim_end().split('\t').collect();
    assert_eq!(fields[0], "R", "{index}");
    let reason = fields[2].split_once(',').unwrap().1;
    let later = (Utc::now() + Duration::days(5))
        .format("%y%m%d%H%M%SZ")
        .to_string();
    let edited = index.replacen(fields[2], &format!("{later},{reason}"), 1);
    write(d, "index.txt", edited.as_bytes());
    let future_crl = crl_der(d, "future");
    write(d, "index.txt", index.as_bytes());
    let m = RevocationMaterial {
        crls: vec![future_crl],
        ..Default::default()
    };
    let report = validate(&m);
    assert!(matches!(
        report.revocation[0].status,
        RevocationStatus::Revoked { .. }
    ));
    assert!(report.trusted, "{:?}", report.problems);
    let mut input = chain(&pki.leaf, &inter, &anchors, &m, Purpose::DocumentSigning);
    input.at = Utc::now() + Duration::days(6);
    assert!(
        validate_chain(&input)
            .problems
            .iter()
            .any(|p| matches!(p, ChainProblem::Revoked { .. }))
    );
    // A CRL signed by another key with the issuer's name is invalid.
    let mut tampered = revoked_crl.clone();
    let n = tampered.len();
    tampered[n - 5] ^= 0x01;
    let m = RevocationMaterial {
        crls: vec![tampered],
        ..Default::default()
    };
    assert!(matches!(leaf_status(&m), RevocationStatus::Invalid(_)));

    // OCSP by the CA itself and by a delegated responder (its certificate in the response).
    for (der, expect_revoked) in [
        (&good_ca, false),
        (&good_delegated, false),
        (&revoked_ca, true),
        (&revoked_delegated, true),
    ] {
        let m = RevocationMaterial {
            ocsp_responses: vec![der.clone()],
            ..Default::default()
        };
        let report = validate(&m);
        match &report.revocation[0].status {
            RevocationStatus::Good { source, checked_at } => {
                assert!(!expect_revoked);
                assert_eq!(*source, RevocationSource::Ocsp);
                assert!((Utc::now() - *checked_at).num_minutes().abs() < 10);
                assert!(report.trusted);
            }
            RevocationStatus::Revoked { source, reason, .. } => {
                assert!(expect_revoked);
                assert_eq!(*source, RevocationSource::Ocsp);
                assert_eq!(reason.as_deref(), Some("keyCompromise"));
                assert!(!report.trusted);
            }
            other => panic!("{other:?}"),
        }
        // The intermediate has no material.
        assert_eq!(report.revocation[1].status, RevocationStatus::Unknown);
    }
    // A bare BasicOCSPResponse works too.
    let bare = OcspResponse::from_der(&good_ca)
        .unwrap()
        .response_bytes
        .unwrap()
        .response
        .as_bytes()
        .to_vec();
    let m = RevocationMaterial {
        ocsp_responses: vec![bare],
        ..Default::default()
    };
    assert!(matches!(leaf_status(&m), RevocationStatus::Good { .. }));

    // Signed by an unrelated key, or by a responder without OCSPSigning: invalid.
    for der in [&stranger, &plain] {
        let m = RevocationMaterial {
            ocsp_responses: vec![der.clone()],
            ..Default::default()
        };
        let report = validate(&m);
        assert!(
            matches!(report.revocation[0].status, RevocationStatus::Invalid(_)),
            "{:?}",
            report.revocation
        );
        assert!(report.trusted, "invalid material is a soft failure");
    }
    // Invalid material does not hide a valid revocation, and revoked wins over good.
    let m = RevocationMaterial {
        ocsp_responses: vec![stranger.clone(), good_ca.clone()],
        crls: vec![revoked_crl.clone()],
        ..Default::default()
    };
    assert!(matches!(leaf_status(&m), RevocationStatus::Revoked { .. }));
}

// ------------------------------------------------------------------------------------------
// Timestamps: `openssl ts`
// ------------------------------------------------------------------------------------------

const TS_CNF: &str = "[ tsa ]\ndefault_tsa = tsa_config1\n[ tsa_config1 ]\ndir = .\nserial = ./tsaserial\ncrypto_device = builtin\nsigner_cert = ./tsa.pem\ncerts = ./inter.pem\nsigner_key = ./tsa.key\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\nother_policies = 1.2.3.4.5.6\ndigests = sha1, sha256, sha384, sha512\naccuracy = secs:1, millisecs:500, microsecs:100\nclock_precision_digits = 3\nordering = yes\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n";

#[test]
fn openssl_timestamp_tokens() {
    for kind in [Kind::P256, Kind::Rsa] {
        let pki = Pki::new(kind);
        let d = pki.path();
        pki.issue(
            "tsa",
            "/O=Signet/CN=Verify Test TSA",
            "inter",
            "tsa.ext",
            30,
        );
        write(d, "ts.cnf", TS_CNF.as_bytes());
        write(d, "tsaserial", b"01\n");
        let data = b"the signature value to be stamped";
        write(d, "data.bin", data);
        openssl(
            d,
            &[
                "ts", "-query", "-data", "data.bin", "-sha256", "-cert", "-out", "req.tsq",
            ],
        );
        openssl(
            d,
            &[
                "ts",
                "-reply",
                "-config",
                "ts.cnf",
                "-queryfile",
                "req.tsq",
                "-out",
                "resp.tsr",
            ],
        );

        // Request and response structures round-trip.
        let req_der = read(d, "req.tsq");
        let req = TimeStampReq::from_der(&req_der).unwrap();
        assert_eq!(req.to_der().unwrap(), req_der);
        assert_eq!(req.version, 1);
        assert!(req.cert_req);
        assert_eq!(req.message_imprint.hashed_message.as_bytes(), sha256(data));
        let resp_der = read(d, "resp.tsr");
        let resp = TimeStampResp::from_der(&resp_der).unwrap();
        assert_eq!(resp.to_der().unwrap(), resp_der);
        let token_der = resp.time_stamp_token.clone().unwrap().to_der().unwrap();
        let token = resp.token().unwrap().unwrap();
        assert_eq!(
            TimestampToken::parse(&token_der).unwrap().gen_time(),
            token.gen_time()
        );
        assert!((Utc::now() - token.gen_time()).num_minutes().abs() < 10);
        assert_eq!(token.imprint_algorithm(), Some(DigestAlgorithm::Sha256));
        assert!(token.imprint_matches(data));
        assert!(!token.imprint_matches(b"something else"));
        assert_eq!(token.info().policy.to_string(), "1.2.3.4.1");
        assert!(token.info().accuracy.is_some());
        // TSTInfo round-trips byte for byte (fractional seconds included).
        let econtent = token.cms().encapsulated_content().unwrap();
        assert_eq!(
            TstInfo::from_der(econtent).unwrap().to_der().unwrap(),
            econtent
        );
        let check = token.verify(&[]);
        assert!(check.ok(), "{kind:?}: {:?}", check.problems);
        assert_eq!(check.ess_certificate, EssCheck::Matches);
        let tsa = check.signer_certificate.clone().unwrap();
        assert_eq!(tsa, cert(d, "tsa.pem"));

        // The TSA's chain, for timestamping.
        let anchors = pki.anchors();
        let material = RevocationMaterial::default();
        let report = validate_chain(&chain(
            &tsa,
            token.cms().certificates(),
            &anchors,
            &material,
            Purpose::Timestamping,
        ));
        assert!(report.trusted, "{kind:?}: {:?}", report.problems);
        // A certificate without the timeStamping EKU.
        let report = validate_chain(&chain(
            &pki.leaf,
            std::slice::from_ref(&pki.inter),
            &anchors,
            &material,
            Purpose::Timestamping,
        ));
        assert!(!report.trusted);
        assert!(
            report
                .problems
                .iter()
                .any(|p| matches!(p, ChainProblem::ExtendedKeyUsage { .. }))
        );

        // Not a token: a detached signature.
        write(d, "content.bin", b"x");
        let sig = openssl_cms_sign(d, "leaf", &[]);
        assert!(matches!(
            TimestampToken::parse(&sig),
            Err(VerifyError::NotTimestampToken(_))
        ));

        // A token tampered with (a byte of the TSTInfo) no longer verifies.
        let pos = token_der
            .windows(econtent.len())
            .position(|w| w == econtent)
            .unwrap();
        let mut bad = token_der.clone();
        bad[pos + econtent.len() - 3] ^= 1;
        if let Ok(t) = TimestampToken::parse(&bad) {
            assert!(!t.verify(&[]).ok());
        }
    }
}

#[test]
fn signature_timestamp_attribute_is_found() {
    // Build a CMS signature with an unsigned signature-timestamp attribute: sign with OpenSSL
    // and add the token with the cms crate.
    use cms::content_info::ContentInfo;
    use cms::signed_data::SignedData;
    let pki = Pki::new(Kind::P256);
    let d = pki.path();
    pki.issue(
        "tsa",
        "/O=Signet/CN=Verify Test TSA",
        "inter",
        "tsa.ext",
        30,
    );
    write(d, "ts.cnf", TS_CNF.as_bytes());
    write(d, "tsaserial", b"01\n");
    write(d, "content.bin", b"document");
    let sig = openssl_cms_sign(d, "leaf", &[]);
    let cms_sig = CmsSignature::parse(&sig).unwrap();
    write(d, "sigvalue.bin", cms_sig.signature_value());
    openssl(
        d,
        &[
            "ts",
            "-query",
            "-data",
            "sigvalue.bin",
            "-sha256",
            "-cert",
            "-out",
            "req.tsq",
        ],
    );
    openssl(
        d,
        &[
            "ts",
            "-reply",
            "-config",
            "ts.cnf",
            "-queryfile",
            "req.tsq",
            "-token_out",
            "-out",
            "token.der",
        ],
    );
    let token_der = read(d, "token.der");

    let ci = ContentInfo::from_der(&sig).unwrap();
    let mut sd: SignedData = ci.content.decode_as().unwrap();
    let mut infos: Vec<_> = sd.signer_infos.0.into_vec();
    let attr = x509_cert::attr::Attribute {
        oid: der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14"),
        values: der::asn1::SetOfVec::try_from(vec![der::Any::from_der(&token_der).unwrap()])
            .unwrap(),
    };
    infos[0].unsigned_attrs = Some(der::asn1::SetOfVec::try_from(vec![attr]).unwrap());
    sd.signer_infos = cms::signed_data::SignerInfos::try_from(infos).unwrap();
    let der = ContentInfo {
        content_type: ci.content_type,
        content: der::Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap();
    let cms = CmsSignature::parse(&der).unwrap();
    assert!(cms.verify_detached(&sha256(b"document"), &[]).ok());
    let token = cms.signature_timestamp().unwrap().unwrap();
    assert!(token.imprint_matches(cms.signature_value()));
    assert!(token.verify(&[]).ok());
}

// ------------------------------------------------------------------------------------------
// Malformed input
// ------------------------------------------------------------------------------------------

#[test]
fn malformed_input_is_refused_without_panic() {
    let pki = Pki::new(Kind::P256);
    let d = pki.path();
    write(d, "content.bin", b"content");
    let der = openssl_cms_sign(d, "leaf", &[]);
    assert!(CmsSignature::parse(&der).is_ok());

    assert!(CmsSignature::parse(&[]).is_err());
    assert!(CmsSignature::parse(&der[..der.len() / 2]).is_err());
    assert!(CmsSignature::parse(&der[..der.len() - 1]).is_err());
    // Random bytes (deterministic generator).
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for len in [1usize, 2, 10, 100, 1000] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        assert!(CmsSignature::parse(&bytes).is_err());
        assert!(TimestampToken::parse(&bytes).is_err());
    }
    // A ContentInfo with id-data.
    let data_ci = [
        0x30, 0x14, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x07,
        0x04, 0x05, b'h', b'e', b'l', b'l', b'o',
    ];
    assert!(matches!(
        CmsSignature::parse(&data_ci),
        Err(VerifyError::NotSignedData(_))
    ));

    // Two SignerInfos.
    kind_key_cert(d, "second");
    openssl(
        d,
        &[
            "cms",
            "-sign",
            "-binary",
            "-in",
            "content.bin",
            "-signer",
            "leaf.pem",
            "-inkey",
            "leaf.key",
            "-signer",
            "second.pem",
            "-inkey",
            "second.key",
            "-outform",
            "DER",
            "-out",
            "two.p7s",
        ],
    );
    assert_eq!(
        CmsSignature::parse(&read(d, "two.p7s")).unwrap_err(),
        VerifyError::SignerInfoCount(2)
    );

    // Truncations and bit flips: parse and verify never panic.
    let digest = sha256(b"content");
    for len in 0..der.len() {
        if let Ok(c) = CmsSignature::parse(&der[..len]) {
            let _ = c.verify_detached(&digest, &[]);
        }
    }
    // Flips in the signed attributes or the signature value never verify (flips in the
    // embedded certificate's unused parts may).
    let cms = CmsSignature::parse(&der).unwrap();
    let attrs = &cms.signed_attributes_der().unwrap()[1..];
    let attrs_at = der.windows(attrs.len()).position(|w| w == attrs).unwrap();
    let sig = cms.signature_value();
    let sig_at = der.windows(sig.len()).position(|w| w == sig).unwrap();
    let protected = |i: usize| {
        (attrs_at..attrs_at + attrs.len()).contains(&i) || (sig_at..sig_at + sig.len()).contains(&i)
    };
    let mut checked = 0;
    for i in 0..der.len() {
        for bit in [0x01u8, 0x80] {
            let mut m = der.clone();
            m[i] ^= bit;
            if let Ok(c) = CmsSignature::parse(&m) {
                let check = c.verify_detached(&digest, &[]);
                if protected(i) {
                    assert!(!check.ok(), "flip at {i} still verifies");
                    checked += 1;
                }
                let _ = c.signing_time();
                let _ = c.signature_timestamp();
                let _ = c.verify_attached(&[]);
            }
        }
    }
    assert!(checked > 100);

    // Hostile chains: certificate garbage and a loop of cross-certified CAs terminate.
    let anchors = TrustAnchors::new();
    let material = RevocationMaterial {
        ocsp_responses: vec![vec![0x30, 0x03, 0x0a, 0x01, 0x00], b"junk".to_vec()],
        crls: vec![b"junk".to_vec(), der.clone()],
        certificates: vec![],
    };
    let report = validate_chain(&chain(
        &pki.leaf,
        &[pki.inter.clone(), pki.leaf.clone()],
        &anchors,
        &material,
        Purpose::DocumentSigning,
    ));
    assert!(!report.trusted);
}

fn kind_key_cert(d: &Path, name: &str) {
    Kind::P256.genkey(d, name);
    let key = format!("{name}.key");
    let pem = format!("{name}.pem");
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            &key,
            "-subj",
            "/CN=Second",
            "-days",
            "5",
            "-out",
            &pem,
        ],
    );
}

#[test]
fn message_imprint_and_ocsp_request_round_trip() {
    let imprint = MessageImprint {
        hash_algorithm: DigestAlgorithm::Sm3.algorithm_identifier(),
        hashed_message: der::asn1::OctetString::new(DigestAlgorithm::Sm3.digest(b"x")).unwrap(),
    };
    let req = TimeStampReq {
        version: 1,
        message_imprint: imprint,
        req_policy: None,
        nonce: Some(der::asn1::Int::new(&[0x01, 0x02, 0x03]).unwrap()),
        cert_req: false,
        extensions: None,
    };
    let der = req.to_der().unwrap();
    assert_eq!(TimeStampReq::from_der(&der).unwrap(), req);
    let with_cert = TimeStampReq {
        cert_req: true,
        ..req.clone()
    };
    assert!(
        with_cert.to_der().unwrap().len() > der.len(),
        "certReq TRUE is encoded, FALSE omitted"
    );

    let pki = Pki::new(Kind::Sm2);
    let req = ocsp_request_der(&pki.leaf, &pki.inter).unwrap();
    let parsed = OcspRequest::from_der(&req).unwrap();
    assert_eq!(parsed.to_der().unwrap(), req);
    let cert_id = &parsed.tbs_request.request_list[0].req_cert;
    assert!(cert_id.matches(&pki.leaf, &pki.inter));
    assert!(!cert_id.matches(&pki.inter, &pki.root));
}
