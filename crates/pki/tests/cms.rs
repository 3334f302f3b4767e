//! CMS (PAdES) signatures checked by independent implementations: OpenSSL (`openssl cms
//! -verify` for P-256, `openssl pkeyutl` with SM3 and the SM2 distinguishing id for SM2) and
//! Python's asn1crypto for the structure. Test keys and certificates are made with the
//! `openssl` CLI in temporary directories.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{DISTID, Issue, KeyKind, OpensslCa, one_cert, openssl, read_text as read, run, write};

use std::path::Path;

use der::{Decode, Encode};
use p256::pkcs8::DecodePrivateKey as _;
use signet_pki::sign::{
    DocumentHasher, KeyAlgorithm, SignError, SigningKey, parse_certificates_pem, prepare,
    sign_detached,
};
use x509_cert::Certificate;

// ------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------

/// A test PKI: root CA, intermediate CA (P-256 only), signer, all made by OpenSSL.
struct Pki {
    ca: OpensslCa,
    alg: KeyAlgorithm,
    signer: Certificate,
    chain: Vec<Certificate>,
    key_pem: String,
}

impl Pki {
    fn path(&self) -> &Path {
        self.ca.path()
    }

    fn key(&self) -> SigningKey {
        SigningKey::from_pem(&self.key_pem).unwrap()
    }

    fn digest(&self, content: &[u8]) -> Vec<u8> {
        let mut h = DocumentHasher::new(self.alg);
        let (a, b) = content.split_at(content.len() / 3);
        h.update(a);
        h.update(b);
        h.finalize()
    }

    /// P-256: root → intermediate → signer, all ECDSA with SHA-256.
    fn p256() -> Self {
        let ca = OpensslCa::new(KeyKind::P256, "/CN=Signet Test Root", CA_EXT);
        write_extensions(&ca);
        ca.issue(Issue::new("inter", "/CN=Signet Test Intermediate").ext("ca.ext"));
        ca.issue(
            Issue::new("signer", "/O=Signet/CN=Test Signer")
                .issuer("inter")
                .ext("ee.ext"),
        );
        let d = ca.path();
        let signer = one_cert(d, "signer.pem");
        let chain = vec![one_cert(d, "inter.pem"), one_cert(d, "root.pem")];
        let key_pem = read(d, "signer.key");
        Pki {
            ca,
            alg: KeyAlgorithm::EcdsaP256,
            signer,
            chain,
            key_pem,
        }
    }

    /// SM2: root → signer, SM2 with SM3 and the default distinguishing id.
    fn sm2() -> Self {
        let ca = OpensslCa::new(KeyKind::Sm2, "/CN=Signet SM2 Root", CA_EXT);
        write_extensions(&ca);
        ca.issue(Issue::new("signer", "/O=Signet/CN=SM2 Signer").ext("ee.ext"));
        let d = ca.path();
        openssl(
            d,
            &[
                "verify",
                "-CAfile",
                "root.pem",
                "-vfyopt",
                DISTID,
                "signer.pem",
            ],
        );
        let signer = one_cert(d, "signer.pem");
        let chain = vec![one_cert(d, "root.pem")];
        let key_pem = read(d, "signer.key");
        Pki {
            ca,
            alg: KeyAlgorithm::Sm2,
            signer,
            chain,
            key_pem,
        }
    }
}

const CA_EXT: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n";

fn write_extensions(ca: &OpensslCa) {
    ca.write("ca.ext", CA_EXT);
    ca.write(
        "ee.ext",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n",
    );
}

/// Independent parse of a `ContentInfo` with Python's asn1crypto: writes `attrs.der` (the
/// signed attributes re-encoded as a SET), `sig.bin`, `md.bin` (message-digest attribute),
/// `signer.der` (the certificate the sid names) and returns a `key=value` summary.
const PARSE_PY: &str = r#"
import sys
from asn1crypto import cms, tsp
der = open(sys.argv[1], "rb").read()
ci = cms.ContentInfo.load(der, strict=True)
print("content_type=" + ci["content_type"].dotted)
sd = ci["content"]
print("sd_version=" + sd["version"].native)
print("digest_algorithms=" + ",".join(a["algorithm"].dotted for a in sd["digest_algorithms"]))
eci = sd["encap_content_info"]
print("econtent_type=" + eci["content_type"].dotted)
print("econtent_present=" + str(eci["content"].native is not None))
print("certificates=" + str(len(sd["certificates"])))
print("crls_present=" + str(sd["crls"].native is not None))
print("signer_infos=" + str(len(sd["signer_infos"])))
si = sd["signer_infos"][0]
print("si_version=" + si["version"].native)
print("sid=" + si["sid"].name)
print("si_digest=" + si["digest_algorithm"]["algorithm"].dotted)
print("sig_alg=" + si["signature_algorithm"]["algorithm"].dotted)
print("sig_alg_params=" + repr(si["signature_algorithm"]["parameters"].native))
print("unsigned_attrs=" + str(si["unsigned_attrs"].native is not None))
attrs = si["signed_attrs"]
print("attr_types=" + ",".join(sorted(a["type"].dotted for a in attrs)))
for a in attrs:
    assert len(a["values"]) == 1
    if a["type"].dotted == "1.2.840.113549.1.9.3":
        print("content_type_attr=" + a["values"][0].dotted)
    if a["type"].dotted == "1.2.840.113549.1.9.4":
        open("md.bin", "wb").write(a["values"][0].native)
    if a["type"].dotted == "1.2.840.113549.1.9.16.2.47":
        ess = tsp.SigningCertificateV2.load(a["values"][0].dump(), strict=True)["certs"]
        print("ess_certs=" + str(len(ess)))
        cid = ess[0]
        print("ess_hash_alg=" + cid["hash_algorithm"]["algorithm"].dotted)
        # DER omits the DEFAULT sha256: the first element is the certHash OCTET STRING.
        print("ess_hash_alg_omitted=" + str(cid.contents[0] == 0x04))
        open("ess_hash.bin", "wb").write(cid["cert_hash"].native)
        iss = cid["issuer_serial"]
        print("ess_issuer=" + iss["issuer"][0].chosen.human_friendly)
        print("ess_serial=" + str(iss["serial_number"].native))
open("attrs.der", "wb").write(attrs.untag().dump(force=True))
open("sig.bin", "wb").write(si["signature"].native)
sid = si["sid"].chosen
signer = [c.chosen for c in sd["certificates"] if c.chosen.serial_number == sid["serial_number"].native and c.chosen.issuer == sid["issuer"]]
assert len(signer) == 1
print("signer_subject=" + signer[0].subject.human_friendly)
print("signer_serial=" + str(signer[0].serial_number))
open("signer.der", "wb").write(signer[0].dump())
"#;

/// Parses `sig.der` in `dir` with asn1crypto; returns the `key=value` pairs.
fn asn1crypto_parse(dir: &Path) -> Vec<(String, String)> {
    write(dir, "parse.py", PARSE_PY.as_bytes());
    let out = run(dir, "python3", &["parse.py", "sig.der"]);
    assert!(
        out.status.success(),
        "asn1crypto could not parse the signature (python3 with asn1crypto is required):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn field<'a>(fields: &'a [(String, String)], key: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {key} in {fields:?}"))
}

/// SHA-256 of a certificate's DER, computed by OpenSSL.
fn openssl_cert_sha256(dir: &Path, pem: &str) -> Vec<u8> {
    openssl(
        dir,
        &["x509", "-in", pem, "-outform", "DER", "-out", "cert.der"],
    );
    openssl(
        dir,
        &[
            "dgst",
            "-sha256",
            "-binary",
            "-out",
            "cert.sha256",
            "cert.der",
        ],
    );
    std::fs::read(dir.join("cert.sha256")).unwrap()
}

/// Checks the structure every Signet signature must have, parsed by asn1crypto.
fn check_structure(pki: &Pki, der: &[u8], digest: &[u8]) {
    let d = pki.path();
    write(d, "sig.der", der);
    let f = asn1crypto_parse(d);
    let (digest_oid, sig_oid) = match pki.alg {
        KeyAlgorithm::EcdsaP256 => ("2.16.840.1.101.3.4.2.1", "1.2.840.10045.4.3.2"),
        KeyAlgorithm::Sm2 => ("1.2.156.10197.1.401", "1.2.156.10197.1.501"),
    };
    assert_eq!(field(&f, "content_type"), "1.2.840.113549.1.7.2");
    assert_eq!(field(&f, "sd_version"), "v1");
    assert_eq!(field(&f, "digest_algorithms"), digest_oid);
    assert_eq!(field(&f, "econtent_type"), "1.2.840.113549.1.7.1");
    assert_eq!(field(&f, "econtent_present"), "False");
    assert_eq!(field(&f, "certificates"), (1 + pki.chain.len()).to_string());
    assert_eq!(field(&f, "crls_present"), "False");
    assert_eq!(field(&f, "signer_infos"), "1");
    assert_eq!(field(&f, "si_version"), "v1");
    assert_eq!(field(&f, "sid"), "issuer_and_serial_number");
    assert_eq!(field(&f, "si_digest"), digest_oid);
    assert_eq!(field(&f, "sig_alg"), sig_oid);
    assert_eq!(field(&f, "sig_alg_params"), "None");
    assert_eq!(field(&f, "unsigned_attrs"), "False");
    // Exactly content-type, message-digest, signing-certificate-v2: no signing-time.
    assert_eq!(
        field(&f, "attr_types"),
        "1.2.840.113549.1.9.16.2.47,1.2.840.113549.1.9.3,1.2.840.113549.1.9.4"
    );
    assert_eq!(field(&f, "content_type_attr"), "1.2.840.113549.1.7.1");
    assert_eq!(std::fs::read(d.join("md.bin")).unwrap(), digest);
    assert_eq!(field(&f, "ess_certs"), "1");
    assert_eq!(field(&f, "ess_hash_alg"), "2.16.840.1.101.3.4.2.1");
    assert_eq!(field(&f, "ess_hash_alg_omitted"), "True");
    assert_eq!(
        std::fs::read(d.join("ess_hash.bin")).unwrap(),
        openssl_cert_sha256(d, "signer.pem")
    );
    let signer_der = std::fs::read(d.join("signer.der")).unwrap();
    assert_eq!(signer_der, pki.signer.to_der().unwrap());
    let issuer = pki.signer.tbs_certificate().issuer().to_string();
    let issuer_cn = issuer.rsplit("CN=").next().unwrap();
    assert!(
        field(&f, "ess_issuer").contains(issuer_cn),
        "{f:?} / {issuer}"
    );
    assert_eq!(
        field(&f, "ess_serial"),
        field(&f, "signer_serial"),
        "issuerSerial must name the signer certificate"
    );
}

/// The bytes OpenSSL/asn1crypto see as signed attributes are the ones `prepare` returned,
/// and they appear verbatim (under `[0]`) in the `SignerInfo`.
fn check_signed_attributes(dir: &Path, der: &[u8], signed_attrs: &[u8]) {
    assert_eq!(signed_attrs[0], 0x31, "signed attributes must be a SET");
    let reencoded = std::fs::read(dir.join("attrs.der")).unwrap();
    assert_eq!(
        reencoded, signed_attrs,
        "asn1crypto's DER re-encoding differs"
    );
    let mut tagged = signed_attrs.to_vec();
    tagged[0] = 0xA0;
    assert!(
        der.windows(tagged.len()).any(|w| w == tagged.as_slice()),
        "the [0] signed attributes are not the prepared bytes"
    );
}

// ------------------------------------------------------------------------------------------
// P-256
// ------------------------------------------------------------------------------------------

#[test]
fn p256_signature_verifies_with_openssl_cms() {
    let pki = Pki::p256();
    let d = pki.path();
    let content = b"%PDF-1.7 signed byte ranges ".repeat(500);
    let digest = pki.digest(&content);
    // Our SHA-256 is OpenSSL's.
    write(d, "content.bin", &content);
    openssl(
        d,
        &[
            "dgst",
            "-sha256",
            "-binary",
            "-out",
            "content.sha256",
            "content.bin",
        ],
    );
    assert_eq!(std::fs::read(d.join("content.sha256")).unwrap(), digest);

    let key = pki.key();
    assert_eq!(key.algorithm(), KeyAlgorithm::EcdsaP256);
    let der = sign_detached(&key, &pki.signer, &pki.chain, &digest).unwrap();
    write(d, "sig.der", &der);

    let verify = |content: &str| {
        run(
            d,
            "openssl",
            &[
                "cms",
                "-verify",
                "-inform",
                "DER",
                "-in",
                "sig.der",
                "-binary",
                "-content",
                content,
                "-CAfile",
                "root.pem",
                "-purpose",
                "any",
                "-out",
                "/dev/null",
            ],
        )
    };
    let ok = verify("content.bin");
    assert!(
        ok.status.success(),
        "openssl cms -verify failed: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stderr).contains("Verification successful"));

    let mut changed = content.clone();
    changed[100] ^= 1;
    write(d, "changed.bin", &changed);
    assert!(
        !verify("changed.bin").status.success(),
        "a changed document must not verify"
    );

    let prepared = prepare(&pki.signer, &pki.chain, &digest).unwrap();
    check_structure(&pki, &der, &digest);
    check_signed_attributes(d, &der, prepared.signed_attributes_der());
}

#[test]
fn p256_openssl_verifies_the_signed_attributes_alone() {
    // The signature value is an ECDSA signature of the signed attributes' DER.
    let pki = Pki::p256();
    let d = pki.path();
    let prepared = prepare(&pki.signer, &pki.chain, &[7; 32]).unwrap();
    let sig = pki.key().sign(prepared.signed_attributes_der()).unwrap();
    write(d, "attrs.der", prepared.signed_attributes_der());
    write(d, "attrs.sig", &sig);
    openssl(
        d,
        &[
            "x509",
            "-in",
            "signer.pem",
            "-pubkey",
            "-noout",
            "-out",
            "pub.pem",
        ],
    );
    openssl(
        d,
        &[
            "dgst",
            "-sha256",
            "-verify",
            "pub.pem",
            "-signature",
            "attrs.sig",
            "attrs.der",
        ],
    );
}

#[test]
fn p256_to_be_signed_digest_works_with_a_prehash_signer() {
    use p256::ecdsa::signature::hazmat::PrehashSigner as _;
    let pki = Pki::p256();
    let d = pki.path();
    let prepared = prepare(&pki.signer, &[], &[1; 32]).unwrap();
    assert_eq!(prepared.algorithm(), KeyAlgorithm::EcdsaP256);
    let tbs = prepared.to_be_signed_digest();
    write(d, "attrs.der", prepared.signed_attributes_der());
    openssl(
        d,
        &[
            "dgst",
            "-sha256",
            "-binary",
            "-out",
            "attrs.sha256",
            "attrs.der",
        ],
    );
    assert_eq!(std::fs::read(d.join("attrs.sha256")).unwrap(), tbs);

    let hsm = p256::ecdsa::SigningKey::from_pkcs8_pem(&pki.key_pem).unwrap();
    let sig: p256::ecdsa::Signature = hsm.sign_prehash(&tbs).unwrap();
    let der = prepared.finish(sig.to_der().as_bytes()).unwrap();
    assert!(der.len() <= prepared.max_encoded_len());

    // A prehash signature over another digest is refused.
    let sig: p256::ecdsa::Signature = hsm.sign_prehash(&[9; 32]).unwrap();
    assert!(matches!(
        prepared.finish(sig.to_der().as_bytes()),
        Err(SignError::BadSignature)
    ));
}

// ------------------------------------------------------------------------------------------
// SM2
// ------------------------------------------------------------------------------------------

#[test]
fn sm2_signature_verifies_with_openssl_pkeyutl() {
    let pki = Pki::sm2();
    let d = pki.path();
    let content = "合同正文 — signed byte ranges ".repeat(300).into_bytes();
    let digest = pki.digest(&content);

    let key = pki.key();
    assert_eq!(key.algorithm(), KeyAlgorithm::Sm2);
    let der = sign_detached(&key, &pki.signer, &pki.chain, &digest).unwrap();
    check_structure(&pki, &der, &digest);
    let prepared = prepare(&pki.signer, &pki.chain, &digest).unwrap();
    assert_eq!(prepared.algorithm(), KeyAlgorithm::Sm2);
    check_signed_attributes(d, &der, prepared.signed_attributes_der());

    // As ../shared/tools/sm2-verify.py does: SM3 of the content (by OpenSSL) equals the
    // message-digest attribute, and the signature verifies over the signed attributes with
    // the embedded signer certificate's key and the default distinguishing id.
    write(d, "content.bin", &content);
    openssl(
        d,
        &[
            "dgst",
            "-sm3",
            "-binary",
            "-out",
            "content.sm3",
            "content.bin",
        ],
    );
    assert_eq!(
        std::fs::read(d.join("content.sm3")).unwrap(),
        std::fs::read(d.join("md.bin")).unwrap()
    );
    openssl(
        d,
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            "signer.der",
            "-pubkey",
            "-noout",
            "-out",
            "pub.pem",
        ],
    );
    let pkeyutl = |attrs: &str, sig: &str| {
        run(
            d,
            "openssl",
            &[
                "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-digest", "sm3",
                "-pkeyopt", DISTID, "-in", attrs, "-sigfile", sig,
            ],
        )
    };
    let ok = pkeyutl("attrs.der", "sig.bin");
    assert!(
        ok.status.success(),
        "pkeyutl -verify failed: {}{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
    // The same bytes as signed_attributes_der(), and OpenSSL refuses other bytes.
    write(d, "prepared-attrs.der", prepared.signed_attributes_der());
    assert!(pkeyutl("prepared-attrs.der", "sig.bin").status.success());
    let mut other = prepared.signed_attributes_der().to_vec();
    let last = other.len() - 1;
    other[last] ^= 1;
    write(d, "other-attrs.der", &other);
    assert!(!pkeyutl("other-attrs.der", "sig.bin").status.success());
    // And a changed document has another SM3.
    let mut changed = content.clone();
    changed[0] ^= 1;
    assert_ne!(pki.digest(&changed), digest);
}

#[test]
fn sm2_signature_passes_the_shared_sm2_verify_tool() {
    // Wraps the signature in a minimal PDF-like file (ByteRange + /Contents hole, reserved
    // with max_encoded_len as the PDF engine will) and runs ../shared/tools/sm2-verify.py.
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tools/sm2-verify.py");
    if !signet_testkit::require_file(&tool) {
        return;
    }
    let pki = Pki::sm2();
    let d = pki.path();
    let hole = 2 * prepare(&pki.signer, &pki.chain, &[0; 32])
        .unwrap()
        .max_encoded_len();
    let head_for = |b: usize, c: usize, d: usize| {
        format!(
            "%PDF-1.7\n1 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached \
             /ByteRange [0 {b:010} {c:010} {d:010}] /Contents <"
        )
    };
    let tail = b"> >>\nendobj\ntrailer\n<< >>\n%%EOF\n";
    // The numbers have a fixed width, so the head's length does not depend on them.
    let head_len = head_for(0, 0, 0).len();
    let b = head_len - 1; // the '<'
    let c = head_len + hole + 1; // just after the '>'
    let d_len = tail.len() - 1;
    let head = head_for(b, c, d_len);
    assert_eq!(head.len(), head_len);
    let mut covered = head.as_bytes()[..b].to_vec();
    covered.extend_from_slice(&tail[1..]);
    let mut h = DocumentHasher::new(KeyAlgorithm::Sm2);
    h.update(&covered);
    let digest = h.finalize();
    let der = sign_detached(&pki.key(), &pki.signer, &pki.chain, &digest).unwrap();
    let mut hex: String = der.iter().map(|x| format!("{x:02X}")).collect();
    assert!(hex.len() <= hole);
    hex.extend(std::iter::repeat_n('0', hole - hex.len()));
    let mut pdf = head.into_bytes();
    pdf.extend_from_slice(hex.as_bytes());
    pdf.extend_from_slice(tail);
    write(d, "signed.pdf", &pdf);
    let out = run(
        d,
        "python3",
        &[tool.to_str().unwrap(), "signed.pdf", "root.pem"],
    );
    assert!(
        out.status.success(),
        "sm2-verify.py: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 ok, 0 bad"));

    // Tampering with a covered byte makes the tool fail.
    let mut bad = pdf.clone();
    let pos = bad.len() - 3;
    bad[pos] = b'X';
    write(d, "bad.pdf", &bad);
    let out = run(
        d,
        "python3",
        &[tool.to_str().unwrap(), "bad.pdf", "root.pem"],
    );
    assert!(!out.status.success());
}

#[test]
fn sm2_to_be_signed_digest_works_with_a_prehash_signer() {
    use sm2::dsa::signature::hazmat::PrehashSigner as _;
    let pki = Pki::sm2();
    let prepared = prepare(&pki.signer, &pki.chain, &[3; 32]).unwrap();
    let tbs = prepared.to_be_signed_digest();
    assert_eq!(tbs.len(), 32);
    // Z ‖ M, not M alone.
    let mut plain = DocumentHasher::new(KeyAlgorithm::Sm2);
    plain.update(prepared.signed_attributes_der());
    assert_ne!(tbs, plain.finalize());

    let secret = sm2::SecretKey::from_pkcs8_pem(&pki.key_pem).unwrap();
    let hsm = sm2::dsa::SigningKey::new("1234567812345678", &secret).unwrap();
    let sig: sm2::dsa::Signature = hsm.sign_prehash(&tbs).unwrap();
    let der = prepared.finish(sig.to_der().as_bytes()).unwrap();
    assert!(der.len() <= prepared.max_encoded_len());

    // Raw r ‖ s (what sm2's Signature serialises to) is refused: CMS carries DER.
    assert!(matches!(
        prepared.finish(&sig.to_bytes()),
        Err(SignError::BadSignature)
    ));
    // A signature with another distinguishing id is refused.
    let other_id = sm2::dsa::SigningKey::new("ALICE123@YAHOO.COM", &secret).unwrap();
    let sig: sm2::dsa::Signature =
        sm2::dsa::signature::Signer::sign(&other_id, prepared.signed_attributes_der());
    assert!(matches!(
        prepared.finish(sig.to_der().as_bytes()),
        Err(SignError::BadSignature)
    ));
}

// ------------------------------------------------------------------------------------------
// Refusals and bounds, both algorithms
// ------------------------------------------------------------------------------------------

fn generate_key(dir: &Path, name: &str, args: &[&str]) -> String {
    let file = format!("{name}.key");
    let mut all = args.to_vec();
    all.extend(["-out", &file]);
    openssl(dir, &all);
    read(dir, &file)
}

#[test]
fn finish_refuses_other_keys_and_other_bytes() {
    for pki in [Pki::p256(), Pki::sm2()] {
        let d = pki.path();
        let prepared = prepare(&pki.signer, &pki.chain, &[5; 32]).unwrap();
        let attrs = prepared.signed_attributes_der();
        let good = pki.key().sign(attrs).unwrap();
        prepared.finish(&good).unwrap();

        let other_pem = match pki.alg {
            KeyAlgorithm::EcdsaP256 => generate_key(
                d,
                "other",
                &[
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                ],
            ),
            KeyAlgorithm::Sm2 => generate_key(d, "other", &["genpkey", "-algorithm", "SM2"]),
        };
        let other = SigningKey::from_pem(&other_pem).unwrap();
        assert_eq!(other.algorithm(), pki.alg);
        // Another key over the right bytes.
        assert!(matches!(
            prepared.finish(&other.sign(attrs).unwrap()),
            Err(SignError::BadSignature)
        ));
        // The right key over other bytes.
        let mut other_bytes = attrs.to_vec();
        other_bytes.push(0);
        assert!(matches!(
            prepared.finish(&pki.key().sign(&other_bytes).unwrap()),
            Err(SignError::BadSignature)
        ));
        // A signature for another prepared signature (other document digest).
        let other_doc = prepare(&pki.signer, &pki.chain, &[6; 32]).unwrap();
        assert!(matches!(
            prepared.finish(&pki.key().sign(other_doc.signed_attributes_der()).unwrap()),
            Err(SignError::BadSignature)
        ));
        // Garbage, a truncated signature, trailing bytes.
        assert!(matches!(
            prepared.finish(b"nope"),
            Err(SignError::BadSignature)
        ));
        assert!(matches!(
            prepared.finish(&good[..good.len() - 1]),
            Err(SignError::BadSignature)
        ));
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(matches!(
            prepared.finish(&trailing),
            Err(SignError::BadSignature)
        ));

        // sign_detached checks the key against the certificate first.
        assert!(matches!(
            sign_detached(&other, &pki.signer, &pki.chain, &[5; 32]),
            Err(SignError::KeyCertMismatch)
        ));
    }
}

#[test]
fn sign_detached_refuses_a_key_of_the_other_algorithm() {
    let p256 = Pki::p256();
    let sm2 = Pki::sm2();
    assert!(matches!(
        sign_detached(&sm2.key(), &p256.signer, &[], &[0; 32]),
        Err(SignError::KeyCertMismatch)
    ));
    assert!(matches!(
        sign_detached(&p256.key(), &sm2.signer, &[], &[0; 32]),
        Err(SignError::KeyCertMismatch)
    ));
    // A certificate key is not a signer certificate's if it is a CA's.
    assert!(matches!(
        sign_detached(&p256.key(), &p256.chain[0], &[], &[0; 32]),
        Err(SignError::KeyCertMismatch)
    ));
}

#[test]
fn prepare_refuses_a_digest_of_the_wrong_length() {
    let pki = Pki::p256();
    assert!(matches!(
        prepare(&pki.signer, &[], &[0; 20]),
        Err(SignError::BadDigest {
            expected: 32,
            actual: 20
        })
    ));
}

#[test]
fn max_encoded_len_bounds_the_signature() {
    for pki in [Pki::p256(), Pki::sm2()] {
        let key = pki.key();
        for i in 0..24u8 {
            let digest = [i; 32];
            let prepared = prepare(&pki.signer, &pki.chain, &digest).unwrap();
            let der = sign_detached(&key, &pki.signer, &pki.chain, &digest).unwrap();
            let max = prepared.max_encoded_len();
            assert!(max >= der.len(), "{:?}: {max} < {}", pki.alg, der.len());
            assert!(
                max < der.len() + 16,
                "{:?}: {max} vs {}",
                pki.alg,
                der.len()
            );
            // Deterministic: the same prepared signature, finished twice, gives the same bytes.
            assert_eq!(
                prepared
                    .finish(&key.sign(prepared.signed_attributes_der()).unwrap())
                    .unwrap(),
                der
            );
        }
    }
}

#[test]
fn chain_certificates_are_embedded_once() {
    let pki = Pki::p256();
    let d = pki.path();
    let mut chain = vec![pki.signer.clone()];
    chain.extend(pki.chain.iter().cloned());
    chain.push(pki.chain[0].clone());
    let der = sign_detached(&pki.key(), &pki.signer, &chain, &[2; 32]).unwrap();
    write(d, "sig.der", &der);
    let f = asn1crypto_parse(d);
    assert_eq!(field(&f, "certificates"), "3");

    // Without a chain only the signer is embedded.
    let der = sign_detached(&pki.key(), &pki.signer, &[], &[2; 32]).unwrap();
    write(d, "sig.der", &der);
    let f = asn1crypto_parse(d);
    assert_eq!(field(&f, "certificates"), "1");
    let ci = cms::content_info::ContentInfo::from_der(&der).unwrap();
    let sd: cms::signed_data::SignedData = ci.content.decode_as().unwrap();
    assert_eq!(sd.certificates.unwrap().0.len(), 1);
}

// ------------------------------------------------------------------------------------------
// Keys and certificates
// ------------------------------------------------------------------------------------------

#[test]
fn from_pem_reads_p256_and_sm2_and_refuses_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // PKCS#8 P-256 and SM2; SEC1 P-256 after an EC PARAMETERS block.
    let p256 = generate_key(
        d,
        "p256",
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ],
    );
    assert_eq!(
        SigningKey::from_pem(&p256).unwrap().algorithm(),
        KeyAlgorithm::EcdsaP256
    );
    let sm2 = generate_key(d, "sm2", &["genpkey", "-algorithm", "SM2"]);
    assert_eq!(
        SigningKey::from_pem(&sm2).unwrap().algorithm(),
        KeyAlgorithm::Sm2
    );
    let sec1 = generate_key(d, "sec1", &["ecparam", "-name", "prime256v1", "-genkey"]);
    assert!(sec1.contains("BEGIN EC PARAMETERS") && sec1.contains("BEGIN EC PRIVATE KEY"));
    let sec1_key = SigningKey::from_pem(&sec1).unwrap();
    assert_eq!(sec1_key.algorithm(), KeyAlgorithm::EcdsaP256);
    // The same key as PKCS#8 has the same public key.
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "sec1.key",
            "-out",
            "sec1-p8.key",
        ],
    );
    assert_eq!(
        SigningKey::from_pem(&read(d, "sec1-p8.key"))
            .unwrap()
            .public_key_spki_der()
            .unwrap(),
        sec1_key.public_key_spki_der().unwrap()
    );

    // Debug shows no key material.
    let shown = format!("{:?}", SigningKey::from_pem(&p256).unwrap());
    assert_eq!(shown, "SigningKey { algorithm: EcdsaP256, .. }");

    // Garbage.
    for garbage in [
        "",
        "garbage",
        "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nAAEC\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PUBLIC KEY-----\nAAEC\n-----END PUBLIC KEY-----\n",
    ] {
        assert!(
            matches!(SigningKey::from_pem(garbage), Err(SignError::BadKey)),
            "{garbage:?}"
        );
    }

    // RSA (PKCS#8 and traditional), P-384 (PKCS#8 and SEC1), encrypted: clear refusals.
    let unsupported = |pem: &str, what: &str| match SigningKey::from_pem(pem) {
        Err(e @ SignError::UnsupportedKey(_)) => {
            assert!(e.to_string().contains(what), "{e} should mention {what}");
        }
        other => panic!("expected UnsupportedKey({what}), got {other:?}"),
    };
    let rsa = generate_key(
        d,
        "rsa",
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:1024",
        ],
    );
    unsupported(&rsa, "RSA");
    openssl(
        d,
        &[
            "rsa",
            "-in",
            "rsa.key",
            "-traditional",
            "-out",
            "rsa-trad.key",
        ],
    );
    let rsa_trad = read(d, "rsa-trad.key");
    assert!(rsa_trad.contains("BEGIN RSA PRIVATE KEY"));
    unsupported(&rsa_trad, "RSA");
    let p384 = generate_key(
        d,
        "p384",
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
        ],
    );
    unsupported(&p384, "P-384");
    let p384_sec1 = generate_key(
        d,
        "p384-sec1",
        &["ecparam", "-name", "secp384r1", "-genkey"],
    );
    unsupported(&p384_sec1, "P-384");
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "p256.key",
            "-passout",
            "pass:secret",
            "-out",
            "enc.key",
        ],
    );
    unsupported(&read(d, "enc.key"), "encrypted");
}

#[test]
fn public_key_spki_matches_the_certificate() {
    for pki in [Pki::p256(), Pki::sm2()] {
        let d = pki.path();
        openssl(
            d,
            &[
                "x509",
                "-in",
                "signer.pem",
                "-pubkey",
                "-noout",
                "-out",
                "pub.pem",
            ],
        );
        openssl(
            d,
            &[
                "pkey", "-pubin", "-in", "pub.pem", "-outform", "DER", "-out", "pub.der",
            ],
        );
        let from_openssl = std::fs::read(d.join("pub.der")).unwrap();
        assert_eq!(pki.key().public_key_spki_der().unwrap(), from_openssl);
        let from_cert = pki
            .signer
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap();
        assert_eq!(from_cert, from_openssl);
    }
}

#[test]
fn parse_certificates_pem_reads_bundles_in_order() {
    let pki = Pki::p256();
    let d = pki.path();
    // A bundle with text around the blocks, as `openssl x509 -text` writes.
    let text = openssl(d, &["x509", "-in", "signer.pem", "-text"]).stdout;
    let bundle = format!(
        "{}\n{}{}",
        String::from_utf8(text).unwrap(),
        read(d, "inter.pem"),
        read(d, "root.pem").replace('\n', "\r\n")
    );
    let certs = parse_certificates_pem(&bundle).unwrap();
    assert_eq!(certs.len(), 3);
    assert_eq!(certs[0], pki.signer);
    assert_eq!(certs[1], pki.chain[0]);
    assert_eq!(certs[2], pki.chain[1]);
    // The parsed certificate re-encodes to OpenSSL's DER.
    openssl(
        d,
        &[
            "x509",
            "-in",
            "signer.pem",
            "-outform",
            "DER",
            "-out",
            "signer.der",
        ],
    );
    assert_eq!(
        std::fs::read(d.join("signer.der")).unwrap(),
        certs[0].to_der().unwrap()
    );

    assert!(matches!(
        parse_certificates_pem(""),
        Err(SignError::NoCertificate)
    ));
    assert!(matches!(
        parse_certificates_pem(&read(d, "signer.key")),
        Err(SignError::NoCertificate)
    ));
    assert!(matches!(
        parse_certificates_pem("-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n"),
        Err(SignError::BadCertificate)
    ));
    assert!(matches!(
        parse_certificates_pem("-----BEGIN CERTIFICATE-----\nAAEC\n"),
        Err(SignError::BadCertificate)
    ));
}

#[test]
fn prepare_refuses_an_rsa_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    generate_key(
        d,
        "rsa",
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:1024",
        ],
    );
    openssl(
        d,
        &[
            "req", "-x509", "-new", "-key", "rsa.key", "-subj", "/CN=RSA", "-days", "1", "-out",
            "rsa.pem",
        ],
    );
    let cert = one_cert(d, "rsa.pem");
    match prepare(&cert, &[], &[0; 32]) {
        Err(e @ SignError::UnsupportedKey(_)) => assert!(e.to_string().contains("RSA")),
        other => panic!("expected UnsupportedKey, got {other:?}"),
    }
}
