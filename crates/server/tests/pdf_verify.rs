//! `signet pdf verify`: genuine files (everything the signing engine makes from the shared
//! corpus, P-256 and SM2; the pyHanko-signed corpus file; pyHanko B-B/B-T/B-LT/B-LTA files
//! with a local TSA and OCSP responder) are accepted, the known attacks built here from signed
//! outputs are all reported, our verdicts agree with `pyhanko sign validate`, and malformed
//! input never panics or hangs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit::pdfkit;

use lopdf::{Object, Stream, dictionary};
use pdfkit::verify_json as verify;
use pdfkit::*;
use serde_json::Value;
use signet_pdf::doc::SourcePdf;
use signet_pdf::update::Update;
use std::path::{Path, PathBuf};
use std::process::Command;

fn verdicts(report: &Value) -> Vec<String> {
    report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["verdict"].as_str().unwrap().to_string())
        .collect()
}

fn problems(report: &Value) -> String {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// pyHanko's bottom line for each signature: true when "judged VALID".
fn pyhanko_valid(pdf: &Path, trust: &[&Path]) -> Vec<bool> {
    // A bound on pyHanko's time: it must not hang the suite on a hostile file.
    let mut v = Command::new("timeout");
    v.args([
        "120",
        "pyhanko",
        "sign",
        "validate",
        "--no-revocation-check",
    ]);
    for t in trust {
        v.arg("--trust").arg(t);
    }
    let started = std::time::Instant::now();
    let out = run(v.arg("--pretty-print").arg(pdf));
    eprintln!(
        "pyhanko on {}: {:?}, {:.1} s",
        pdf.display(),
        out.status.code(),
        started.elapsed().as_secs_f64()
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let verdicts: Vec<bool> = text
        .lines()
        .filter(|l| l.starts_with("The signature is judged"))
        .map(|l| l.contains("judged VALID"))
        .collect();
    // A crash or a parse failure is not a verdict: it must not pass for a rejection.
    assert!(
        !verdicts.is_empty(),
        "pyHanko gave no verdict on {} (exit {:?}):\n{text}\n{}",
        pdf.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let expected_exit = if verdicts.iter().all(|v| *v) { 0 } else { 1 };
    assert_eq!(
        out.status.code(),
        Some(expected_exit),
        "pyHanko on {}: {verdicts:?}\n{text}\n{}",
        pdf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    verdicts
}

/// Signs `input` once with a visible seal on page 1.
fn sign_once(input: &Path, out: &Path, pki: &Pki, seal: &Path, rect: &str) {
    ok(sign_command(input, out, pki, seal, rect).args(["--name", "张三"]));
}

/// Appends an incremental update made by `f` to `bytes`.
fn append(bytes: &[u8], f: impl FnOnce(&SourcePdf<'_>, &mut Update)) -> Vec<u8> {
    let src = SourcePdf::parse(bytes).unwrap();
    let mut up = Update::new(src.size);
    f(&src, &mut up);
    let w = up.write(&src);
    let mut out = bytes.to_vec();
    out.extend_from_slice(&w.tail);
    out
}

fn page_dict(src: &SourcePdf<'_>, n: usize) -> ((u32, u16), lopdf::Dictionary) {
    let id = src.pages[n].id;
    (
        id,
        src.doc.get_object(id).unwrap().as_dict().unwrap().clone(),
    )
}

/// The signed file's last ByteRange and where its text sits.
fn last_byte_range(bytes: &[u8]) -> (usize, usize, [usize; 4]) {
    let at = bytes
        .windows(12)
        .rposition(|w| w == b"/ByteRange [")
        .unwrap();
    let end = at + bytes[at..].iter().position(|b| *b == b']').unwrap() + 1;
    let nums: Vec<usize> = std::str::from_utf8(&bytes[at + 12..end - 1])
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    (at, end, [nums[0], nums[1], nums[2], nums[3]])
}

/// Rewrites the last signature's ByteRange to `range` (same text length) and signs the new
/// ranges with the right key: a cryptographically valid signature over a wrong structure.
fn resign(bytes: &[u8], range: [usize; 4], pki: &Pki) -> Vec<u8> {
    let (at, end, old) = last_byte_range(bytes);
    let mut out = bytes.to_vec();
    let mut text = format!(
        "/ByteRange [{} {} {} {}]",
        range[0], range[1], range[2], range[3]
    );
    assert!(text.len() <= end - at);
    while text.len() < end - at {
        text.insert(text.len() - 1, ' ');
    }
    out[at..end].copy_from_slice(text.as_bytes());
    let key = signet_pki::sign::SigningKey::from_pem(&std::fs::read_to_string(&pki.key).unwrap())
        .unwrap();
    let cert =
        signet_pki::sign::parse_certificates_pem(&std::fs::read_to_string(&pki.cert).unwrap())
            .unwrap()
            .remove(0);
    let mut h = signet_pki::sign::DocumentHasher::new(key.algorithm());
    h.update(&out[range[0]..range[0] + range[1]]);
    h.update(&out[range[2]..range[2] + range[3]]);
    let cms = signet_pki::sign::sign_detached(&key, &cert, &[], &h.finalize()).unwrap();
    // Into the original hole.
    let hole = old[1] + 1..old[2] - 1;
    let hex: String = cms.iter().map(|b| format!("{b:02x}")).collect();
    let mut filled = hex.into_bytes();
    filled.resize(hole.len(), b'0');
    out[hole].copy_from_slice(&filled);
    out
}

struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    pki: Pki,
    seal: PathBuf,
}

fn fixture(sm2: bool) -> Fixture {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().to_path_buf();
    let pki = make_pki(&dir, sm2);
    let seal = dir.join("seal.png");
    seal_png(&seal, 200);
    Fixture {
        _dir: d,
        dir,
        pki,
        seal,
    }
}

#[test]
fn genuine_files_signed_by_signet_are_valid_p256_and_sm2() {
    if !tools(&["openssl", "pdfinfo", "qpdf", "pyhanko"]) {
        return;
    }
    for sm2 in [false, true] {
        let fx = fixture(sm2);
        for input in inputs(&fx.dir) {
            let work = tempfile::tempdir().unwrap();
            let (out, added) = sign_corpus_file(work.path(), &input, &fx.pki, &fx.seal);
            // One more signature in a row, invisible-free: a second seal on page 1.
            let again = work.path().join("again.pdf");
            sign_once(&out, &again, &fx.pki, &fx.seal, "20,20,80,80");
            let presigned = input.to_string_lossy().contains("presigned");
            let presigned_cert = shared().join("corpus/pdf/pyhanko-presigned.signer-cert.pem");
            let mut trust = vec![fx.pki.ca.as_path()];
            if presigned {
                trust.push(&presigned_cert);
            }
            let (code, report) = verify(&again, &trust);
            let expected = added as usize + 1 + usize::from(presigned);
            assert_eq!(
                verdicts(&report),
                vec!["valid"; expected],
                "{} (sm2={sm2}):\n{}",
                input.display(),
                serde_json::to_string_pretty(&report).unwrap()
            );
            assert_eq!(code, 0);
            assert_eq!(report["verdict"], "valid");
            let last = report["signatures"]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .clone();
            assert_eq!(last["coverage"]["whole_file"], true);
            assert_eq!(last["level"], "B-B");
            assert_eq!(last["signer"]["common_name"], "张三");
            let alg = last["integrity"]["algorithm"].as_str().unwrap();
            assert!(
                if sm2 {
                    alg.contains("SM2")
                } else {
                    alg.contains("P-256")
                },
                "{alg}"
            );
            // Earlier signatures see the later ones as allowed changes.
            let first = &report["signatures"][0];
            assert!(
                first["changes_after"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|c| c["kind"] != "modification"),
                "{first}"
            );
            if !sm2 {
                assert_eq!(
                    pyhanko_valid(&again, &trust),
                    vec![true; expected],
                    "pyHanko agrees on {}",
                    input.display()
                );
            }
            // Without the anchor: intact but untrusted, exit 3.
            let (code, report) = verify(&again, &[]);
            assert_eq!(code, 3, "{report}");
            assert_eq!(report["verdict"], "untrusted");
        }
    }
}

#[test]
fn pyhanko_signed_corpus_file_is_valid_with_its_certificate() {
    if !tools(&["pyhanko"]) {
        return;
    }
    let file = shared().join("corpus/pdf/pyhanko-presigned.pdf");
    let cert = shared().join("corpus/pdf/pyhanko-presigned.signer-cert.pem");
    let (code, report) = verify(&file, &[&cert]);
    assert_eq!(code, 0, "{report}");
    let s = &report["signatures"][0];
    assert_eq!(s["verdict"], "valid");
    assert_eq!(s["coverage"]["whole_file"], true);
    assert_eq!(s["signer"]["common_name"], "External Signer");
    assert_eq!(pyhanko_valid(&file, &[&cert]), vec![true]);
    // The text summary says the same.
    let text = ok(signet()
        .args(["pdf", "verify", "--trust"])
        .arg(&cert)
        .arg(&file));
    assert!(text.starts_with("Verdict: VALID"), "{text}");
    assert!(text.contains("External Signer"), "{text}");
}

/// One attack: the file, what our report must say, and the exit code.
struct Attack {
    name: &'static str,
    bytes: Vec<u8>,
    verdict: &'static str,
    mentions: &'static str,
    /// pyHanko also refuses to judge the file valid (false where we are deliberately
    /// stricter; docs/VERIFY.md lists those cases).
    pyhanko_rejects: bool,
}

fn attacks(fx: &Fixture) -> Vec<Attack> {
    let base_in = shared().join("corpus/pdf/reportlab-three-pages.pdf");
    // A "shadow" object prepared before signing: an unreferenced content stream.
    let prepared = append(&std::fs::read(&base_in).unwrap(), |_, up| {
        let id = up.alloc();
        up.set(
            id,
            &Object::Stream(Stream::new(
                dictionary! {},
                b"BT /F1 36 Tf 72 600 Td (PAID IN FULL) Tj ET".to_vec(),
            )),
        );
    });
    let shadow_in = fx.dir.join("shadow-in.pdf");
    std::fs::write(&shadow_in, &prepared).unwrap();
    let shadow_id = SourcePdf::parse(&prepared).unwrap().size - 1;

    let signed_path = fx.dir.join("signed.pdf");
    sign_once(&base_in, &signed_path, &fx.pki, &fx.seal, "300,100,120,120");
    let signed = std::fs::read(&signed_path).unwrap();
    let shadow_signed_path = fx.dir.join("shadow-signed.pdf");
    sign_once(
        &shadow_in,
        &shadow_signed_path,
        &fx.pki,
        &fx.seal,
        "300,100,120,120",
    );
    let shadow_signed = std::fs::read(&shadow_signed_path).unwrap();

    let mut v = Vec::new();

    // Page content replaced in a later revision (the content stream redefined).
    v.push(Attack {
        name: "content-replaced",
        bytes: append(&signed, |src, up| {
            let (_, page) = page_dict(src, 0);
            let content = match page.get(b"Contents").unwrap() {
                Object::Reference(id) => *id,
                Object::Array(a) => a[0].as_reference().unwrap(),
                _ => panic!("no content"),
            };
            up.set(
                content,
                &Object::Stream(Stream::new(
                    dictionary! {},
                    b"BT /F1 24 Tf 72 700 Td (Total: 1,000,000) Tj ET".to_vec(),
                )),
            );
        }),
        verdict: "modified",
        mentions: "used by page 1",
        pyhanko_rejects: true,
    });

    // A page added.
    v.push(Attack {
        name: "page-added",
        bytes: append(&signed, |src, up| {
            let catalog = src.catalog().unwrap();
            let pages_id = catalog.get(b"Pages").unwrap().as_reference().unwrap();
            let mut pages = src
                .doc
                .get_object(pages_id)
                .unwrap()
                .as_dict()
                .unwrap()
                .clone();
            let content = up.alloc();
            up.set(
                content,
                &Object::Stream(Stream::new(dictionary! {}, b"BT ET".to_vec())),
            );
            let page = up.alloc();
            up.set(
                page,
                &Object::Dictionary(dictionary! {
                    "Type" => "Page",
                    "Parent" => Object::Reference(pages_id),
                    "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                    "Contents" => Object::Reference(content),
                }),
            );
            let mut kids = pages.get(b"Kids").unwrap().as_array().unwrap().clone();
            kids.push(Object::Reference(page));
            let count = pages.get(b"Count").unwrap().as_i64().unwrap();
            pages.set("Kids", kids);
            pages.set("Count", count + 1);
            up.set(pages_id, &Object::Dictionary(pages));
        }),
        verdict: "modified",
        mentions: "page tree",
        pyhanko_rejects: true,
    });

    // An annotation drawn over the page.
    v.push(Attack {
        name: "annotation-over-page",
        bytes: append(&signed, |src, up| {
            let (page_id, mut page) = page_dict(src, 0);
            let annot = up.alloc();
            up.set(
                annot,
                &Object::Dictionary(dictionary! {
                    "Type" => "Annot",
                    "Subtype" => "Square",
                    "Rect" => vec![50.into(), 600.into(), 500.into(), 750.into()],
                    "IC" => vec![1.into(), 1.into(), 1.into()],
                    "P" => Object::Reference(page_id),
                }),
            );
            match page.get(b"Annots").ok().cloned() {
                Some(Object::Reference(arr)) => {
                    let mut a = src.doc.get_object(arr).unwrap().as_array().unwrap().clone();
                    a.push(Object::Reference(annot));
                    up.set(arr, &Object::Array(a));
                }
                Some(Object::Array(mut a)) => {
                    a.push(Object::Reference(annot));
                    page.set("Annots", a);
                    up.set(page_id, &Object::Dictionary(page));
                }
                _ => {
                    page.set("Annots", vec![Object::Reference(annot)]);
                    up.set(page_id, &Object::Dictionary(page));
                }
            }
        }),
        verdict: "modified",
        mentions: "annotation (/Square) added on page 1",
        pyhanko_rejects: true,
    });

    // Shadow: the object prepared before signing is switched in by a reference change.
    v.push(Attack {
        name: "shadow-hide-and-replace",
        bytes: append(&shadow_signed, |src, up| {
            let (page_id, mut page) = page_dict(src, 0);
            page.set("Contents", Object::Reference((shadow_id, 0)));
            up.set(page_id, &Object::Dictionary(page));
        }),
        verdict: "modified",
        mentions: "shadow attack",
        pyhanko_rejects: true,
    });

    // A byte changed inside the signed range (in the header's binary comment).
    let mut flipped = signed.clone();
    let at = flipped.iter().position(|b| *b == b'\n').unwrap() + 2;
    flipped[at] ^= 0x01;
    v.push(Attack {
        name: "byte-changed",
        bytes: flipped,
        verdict: "invalid",
        mentions: "message-digest",
        pyhanko_rejects: true,
    });

    // A ByteRange gap wider than /Contents (re-signed so the CMS itself is fine).
    let (_, _, r) = last_byte_range(&signed);
    v.push(Attack {
        name: "gap-wider-than-contents",
        bytes: resign(&signed, [0, r[1] - 10, r[2], r[3]], &fx.pki),
        verdict: "invalid",
        mentions: "not exactly the /Contents",
        pyhanko_rejects: true,
    });

    // A ByteRange that does not start at 0.
    v.push(Attack {
        name: "byte-range-not-at-0",
        bytes: resign(&signed, [1, r[1] - 1, r[2], r[3]], &fx.pki),
        verdict: "invalid",
        mentions: "not at 0",
        pyhanko_rejects: true,
    });

    // Bytes appended after the last signature.
    let mut tail = signed.clone();
    tail.extend_from_slice(b"\n% appended after signing\n1 0 obj (x) endobj\n");
    v.push(Attack {
        name: "bytes-appended",
        bytes: tail,
        verdict: "modified",
        mentions: "bytes after the last revision",
        // pyHanko ignores a tail that is not a revision; we report it (a lenient reader
        // may still pick up objects from it).
        pyhanko_rejects: false,
    });

    // Signed by one key with another certificate embedded.
    v.push(Attack {
        name: "key-certificate-mismatch",
        bytes: mismatched_key(&base_in, fx),
        verdict: "invalid",
        mentions: "signature",
        pyhanko_rejects: true,
    });

    // Signature wrapping: objects hidden in the /Contents gap, a new xref read after the
    // signed revision.
    v.push(Attack {
        name: "signature-wrapping",
        bytes: wrapped(&signed),
        verdict: "invalid",
        mentions: "not exactly the /Contents",
        pyhanko_rejects: true,
    });
    v
}

/// A signature made with another key than the embedded (and sid-named) certificate's.
fn mismatched_key(input: &Path, fx: &Fixture) -> Vec<u8> {
    let other_dir = fx.dir.join("other");
    std::fs::create_dir_all(&other_dir).unwrap();
    let other = make_pki(&other_dir, false);
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    let victim = signet_pki::sign::parse_certificates_pem(&read(&fx.pki.cert))
        .unwrap()
        .remove(0);
    let attacker = signet_pki::sign::SigningKey::from_pem(&read(&other.key)).unwrap();
    let victim_key = signet_pki::sign::SigningKey::from_pem(&read(&fx.pki.key)).unwrap();
    let bytes = std::fs::read(input).unwrap();
    let spec = signet_pdf::SignatureSpec::new(signet_pdf::Visible::Invisible, chrono::Utc::now());
    let dry = signet_pki::sign::prepare(&victim, &[], &[0u8; 32]).unwrap();
    let rev = signet_pdf::prepare(&bytes, &spec, None, dry.max_encoded_len()).unwrap();
    let digest = rev.digest(dry.algorithm());
    let prepared = signet_pki::sign::prepare(&victim, &[], &digest).unwrap();
    let genuine = victim_key.sign(prepared.signed_attributes_der()).unwrap();
    let cms = prepared.finish(&genuine).unwrap();
    // The attacker's signature over the same attributes, in place of the genuine one.
    let forged = attacker.sign(prepared.signed_attributes_der()).unwrap();
    assert_ne!(forged, genuine);
    let cms = replace_signature(&cms, &forged);
    rev.finish(&cms).unwrap()
}

/// The CMS with another signature value in its SignerInfo.
fn replace_signature(cms_der: &[u8], signature: &[u8]) -> Vec<u8> {
    use cms::content_info::ContentInfo;
    use cms::signed_data::{SignedData, SignerInfos};
    use der::asn1::OctetString;
    use der::{Any, Decode, Encode};
    let ci = ContentInfo::from_der(cms_der).unwrap();
    let mut sd: SignedData = ci.content.decode_as().unwrap();
    let mut infos: Vec<_> = sd.signer_infos.0.iter().cloned().collect();
    infos[0].signature = OctetString::new(signature.to_vec()).unwrap();
    sd.signer_infos = SignerInfos::try_from(infos).unwrap();
    ContentInfo {
        content_type: ci.content_type,
        content: Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// Signature wrapping: shorten the /Contents hex, hide a redefined content stream in the
/// rest of the gap, and append an xref section pointing at it.
fn wrapped(signed: &[u8]) -> Vec<u8> {
    let (_, _, r) = last_byte_range(signed);
    let src = SourcePdf::parse(signed).unwrap();
    let (_, page) = page_dict(&src, 0);
    let content = match page.get(b"Contents").unwrap() {
        Object::Reference(id) => *id,
        Object::Array(a) => a[0].as_reference().unwrap(),
        _ => panic!("no content"),
    };
    let root = src.root_id;
    let size = src.size;
    let prev = src.startxref;
    let gap_start = r[1];
    let gap_end = r[2];
    let hex = &signed[gap_start + 1..gap_end - 1];
    let used = hex.len() - hex.iter().rev().take_while(|b| **b == b'0').count();
    let used = used + used % 2;
    let body = b"BT /F1 24 Tf 72 700 Td (Wrapped) Tj ET";
    let obj = format!(
        "\n{} {} obj\n<< /Length {} >>\nstream\n{}\nendstream\nendobj\n",
        content.0,
        content.1,
        body.len(),
        String::from_utf8_lossy(body)
    );
    let mut gap = Vec::new();
    gap.push(b'<');
    gap.extend_from_slice(&hex[..used]);
    gap.push(b'>');
    // Close the signature dictionary early so it still reads; its original tail (in the
    // second signed range) becomes junk between objects, which readers skip.
    gap.extend_from_slice(b" >>\nendobj\n");
    let obj_at = gap_start + gap.len();
    gap.extend_from_slice(obj.as_bytes());
    assert!(gap.len() < gap_end - gap_start, "room in the gap");
    gap.resize(gap_end - gap_start, b' ');
    let mut out = signed[..gap_start].to_vec();
    out.extend_from_slice(&gap);
    out.extend_from_slice(&signed[gap_end..]);
    let xref_at = out.len();
    out.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f \n{} 1\n{:010} {:05} n \ntrailer\n<< /Size {size} /Root {} {} R /Prev {prev} >>\nstartxref\n{xref_at}\n%%EOF\n",
            content.0, obj_at + 1, content.1, root.0, root.1
        )
        .as_bytes(),
    );
    out
}

/// Writes every attack file, checks our report (verdict, exit code, the problem named) and
/// returns each attack with its file and our per-signature verdicts.
fn check_attacks(fx: &Fixture) -> Vec<(Attack, PathBuf, Vec<String>)> {
    let mut checked = Vec::new();
    for attack in attacks(fx) {
        let path = fx.dir.join(format!("{}.pdf", attack.name));
        std::fs::write(&path, &attack.bytes).unwrap();
        let (code, report) = verify(&path, &[&fx.pki.ca]);
        assert_eq!(
            report["verdict"],
            attack.verdict,
            "{}:\n{}",
            attack.name,
            serde_json::to_string_pretty(&report).unwrap()
        );
        let expected_code = match attack.verdict {
            "invalid" => 1,
            "modified" => 4,
            _ => unreachable!(),
        };
        assert_eq!(code, expected_code, "{}", attack.name);
        let all = problems(&report);
        assert!(
            all.contains(attack.mentions),
            "{}: problems do not mention {:?}:\n{all}",
            attack.name,
            attack.mentions
        );
        let vs = verdicts(&report);
        checked.push((attack, path, vs));
    }
    checked
}

#[test]
fn attacks_are_reported_p256_and_agree_with_pyhanko() {
    if !tools(&["openssl", "pyhanko"]) {
        return;
    }
    let fx = fixture(false);
    for (attack, path, vs) in check_attacks(&fx) {
        // pyHanko does not judge any of these files valid either (but where we are
        // deliberately stricter).
        let py = pyhanko_valid(&path, &[&fx.pki.ca]);
        assert_eq!(
            py.iter().all(|v| !v),
            attack.pyhanko_rejects,
            "{}: pyHanko says {py:?}, we say {vs:?}",
            attack.name
        );
    }
}

#[test]
fn attacks_are_reported_sm2() {
    if !tools(&["openssl"]) {
        return;
    }
    let fx = fixture(true);
    assert_eq!(check_attacks(&fx).len(), 10);
}

#[test]
fn allowed_later_changes_keep_signatures_valid() {
    if !tools(&["openssl"]) {
        return;
    }
    let fx = fixture(false);
    let input = shared().join("corpus/pdf/reportlab-three-pages.pdf");
    let signed_path = fx.dir.join("signed.pdf");
    sign_once(&input, &signed_path, &fx.pki, &fx.seal, "300,100,120,120");
    let signed = std::fs::read(&signed_path).unwrap();
    // Validation data added later (a DSS with the CA certificate), and the document
    // information updated.
    let ca_der = {
        let pem = std::fs::read_to_string(&fx.pki.ca).unwrap();
        let c = signet_pki::sign::parse_certificates_pem(&pem)
            .unwrap()
            .remove(0);
        x509_cert::der::Encode::to_der(&c).unwrap()
    };
    let with_dss = append(&signed, |src, up| {
        let cert = up.alloc();
        up.set(
            cert,
            &Object::Stream(Stream::new(dictionary! {}, ca_der.clone())),
        );
        let dss = up.alloc();
        up.set(
            dss,
            &Object::Dictionary(dictionary! { "Certs" => vec![Object::Reference(cert)] }),
        );
        let mut catalog = src.catalog().unwrap().clone();
        catalog.set("DSS", Object::Reference(dss));
        up.set(src.root_id, &Object::Dictionary(catalog));
    });
    let path = fx.dir.join("dss.pdf");
    std::fs::write(&path, &with_dss).unwrap();
    let (code, report) = verify(&path, &[&fx.pki.ca]);
    assert_eq!(code, 0, "{report}");
    let changes = report["signatures"][0]["changes_after"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["kind"] == "validation_data"),
        "{report}"
    );
    assert_eq!(report["signatures"][0]["coverage"]["whole_file"], false);
    assert_eq!(report["revisions"].as_array().unwrap().len(), 3);
}

#[test]
fn malformed_input_is_unreadable_or_invalid_without_panic() {
    if !tools(&["openssl"]) {
        return;
    }
    let fx = fixture(false);
    let input = shared().join("corpus/pdf/reportlab-three-pages.pdf");
    let signed_path = fx.dir.join("signed.pdf");
    sign_once(&input, &signed_path, &fx.pki, &fx.seal, "300,100,120,120");
    let signed = std::fs::read(&signed_path).unwrap();
    let options = signet_pdf::verify::VerifyOptions::new(
        signet_pdf::verify::anchors_from(&std::fs::read(&fx.pki.ca).unwrap()).unwrap(),
    );
    let check = |name: &str, bytes: &[u8], allowed: &[&str]| {
        let r = std::panic::catch_unwind(|| signet_pdf::verify::verify(bytes, &options));
        let report = r.unwrap_or_else(|_| panic!("{name}: panicked"));
        assert!(
            allowed.contains(&report.verdict.as_str()),
            "{name}: {:?} {:?}",
            report.verdict,
            report.problems
        );
    };
    check("genuine", &signed, &["valid"]);
    // Truncated at many places.
    for cut in (0..signed.len()).step_by(signed.len() / 97 + 1) {
        check(
            &format!("truncated at {cut}"),
            &signed[..cut],
            &["unreadable", "unsigned", "invalid", "modified"],
        );
    }
    // Garbage and non-DER CMS in /Contents (same length, so the structure holds).
    let (_, _, r) = last_byte_range(&signed);
    for (name, fill) in [("garbage", b'f'), ("zeros", b'0')] {
        let mut b = signed.clone();
        for x in &mut b[r[1] + 1..r[2] - 1] {
            *x = fill;
        }
        check(name, &b, &["invalid"]);
    }
    let mut b = signed.clone();
    b[r[1] + 1..r[1] + 5].copy_from_slice(b"3180"); // indefinite-length BER
    check("ber", &b, &["invalid"]);
    // Not a PDF, empty, a header only.
    check("empty", b"", &["unreadable"]);
    check("header", b"%PDF-1.7\n", &["unreadable"]);
    check("zip", b"PK\x03\x04", &["unreadable"]);
    // Looping structures: a page tree whose kid is its parent, a /Prev pointing at itself,
    // a reference cycle.
    let looping = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >> endobj\n2 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /Contents 3 0 R >> endobj\n4 0 obj << /FT /Sig /T (S) /Kids [4 0 R] /V 5 0 R >> endobj\n5 0 obj << /Type /Sig /ByteRange [0 1 2 3] /Contents <00> /Reference [5 0 R] >> endobj\n";
    let mut l = looping.to_vec();
    let xref_at = l.len();
    l.extend_from_slice(
        format!("xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 6 /Root 1 0 R /Prev {xref_at} >>\nstartxref\n{xref_at}\n%%EOF\n").as_bytes(),
    );
    check("looping", &l, &["unreadable", "invalid", "unsigned"]);
    // Many revision markers.
    let mut many = signed.clone();
    for _ in 0..200 {
        many.extend_from_slice(b"startxref\n9\n%%EOF\n");
    }
    check("many eofs", &many, &["unreadable", "modified", "valid"]);
}

/// Files made by pyHanko with a certomancer test PKI, TSA and OCSP responder
/// (`tests/support/ltv_fixtures.py`): RSA PKCS#1 v1.5 and PSS, B-T, B-LT, B-LTA, a revoked
/// signer with its revocation data embedded, and a certification followed by an approval.
#[test]
fn pyhanko_files_with_timestamps_and_validation_data() {
    if !tools(&["pyhanko"]) {
        return;
    }
    let has_certomancer = Command::new("python3")
        .args(["-c", "import certomancer"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_certomancer {
        assert!(!in_ci(), "CI needs certomancer (make test installs it)");
        eprintln!("skipping: certomancer not installed (make test installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.pdf");
    std::fs::copy(
        shared().join("corpus/pdf/reportlab-three-pages.pdf"),
        &input,
    )
    .unwrap();
    let out = dir.path().join("ltv");
    ok(Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/ltv_fixtures.py"))
        .arg(&input)
        .arg(&out));
    let root = out.join("root.pem");
    let check = |name: &str| -> Value {
        let (code, report) = verify(&out.join(name), &[&root]);
        let expected = if name == "revoked.pdf" { 3 } else { 0 };
        assert_eq!(
            code,
            expected,
            "{name}:\n{}",
            serde_json::to_string_pretty(&report).unwrap()
        );
        report
    };
    for (name, alg, level) in [
        ("b-b-p256.pdf", "P-256", "B-B"),
        ("b-b-rsa.pdf", "RSA PKCS#1 v1.5", "B-B"),
        ("b-b-rsa-pss.pdf", "RSA-PSS", "B-B"),
        ("b-b-rsa-pss-maxsalt.pdf", "RSA-PSS", "B-B"),
        ("b-t.pdf", "P-256", "B-T"),
        ("b-lt.pdf", "P-256", "B-LT"),
    ] {
        let r = check(name);
        let s = &r["signatures"][0];
        assert!(
            s["integrity"]["algorithm"].as_str().unwrap().contains(alg),
            "{name}: {s}"
        );
        assert_eq!(s["level"], level, "{name}");
        assert_eq!(s["verdict"], "valid", "{name}");
    }
    let r = check("b-t.pdf");
    let ts = &r["signatures"][0]["timestamp"];
    assert_eq!(ts["imprint_matches"], true);
    assert_eq!(ts["trust"]["trusted"], true, "{ts}");
    // B-LT: the signer's status comes from the embedded OCSP response.
    let r = check("b-lt.pdf");
    let revocation = r["signatures"][0]["trust"]["revocation"]
        .as_array()
        .unwrap();
    assert_eq!(revocation[0]["status"], "good", "{revocation:?}");
    assert_eq!(revocation[0]["source"], "ocsp");
    // B-LTA: the signature and the document timestamp after it.
    let r = check("b-lta.pdf");
    let sigs = r["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2, "{r}");
    assert_eq!(sigs[0]["level"], "B-LTA");
    assert_eq!(sigs[1]["kind"], "document_timestamp");
    assert_eq!(sigs[1]["verdict"], "valid");
    // Revoked before signing: intact but untrusted, with the reason.
    let r = check("revoked.pdf");
    let s = &r["signatures"][0];
    assert_eq!(s["verdict"], "untrusted");
    assert_eq!(s["integrity"]["signature_valid"], true);
    assert!(problems(&r).contains("revoked"), "{r}");
    // A certification (P=2) followed by an approval signature filling an empty field.
    let r = check("certified-p2.pdf");
    let sigs = r["signatures"].as_array().unwrap();
    assert_eq!(sigs[0]["kind"], "certification");
    assert_eq!(sigs[0]["docmdp"], 2);
    assert!(
        sigs[0]["changes_after"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "signature"),
        "{r}"
    );
    assert_eq!(sigs[1]["kind"], "approval");

    // pyHanko agrees on every file but the revoked one: its offline `validate` cannot use
    // the embedded revocation data (--no-revocation-check), so it calls that signer trusted.
    for name in [
        "b-b-p256.pdf",
        "b-b-rsa.pdf",
        "b-b-rsa-pss.pdf",
        "b-t.pdf",
        "b-lt.pdf",
        "b-lta.pdf",
        "certified-p2.pdf",
        "revoked.pdf",
    ] {
        let (_, ours) = verify(&out.join(name), &[&root]);
        let theirs = pyhanko_valid(&out.join(name), &[&root]);
        assert!(!theirs.is_empty(), "{name}: pyHanko printed no verdict");
        let pyhanko_says_valid = theirs.iter().all(|v| *v);
        let we_say_valid = ours["verdict"] == "valid";
        if name == "revoked.pdf" {
            assert!(pyhanko_says_valid && !we_say_valid, "{name}");
        } else {
            assert_eq!(
                pyhanko_says_valid, we_say_valid,
                "{name}: {theirs:?} vs {ours}"
            );
        }
    }
}

/// `--online`: revocation status fetched from the OCSP responder the signer certificate
/// names (an `openssl ocsp` responder on 127.0.0.1), good and then revoked.
#[test]
fn online_revocation_from_the_certificates_ocsp_responder() {
    if !tools(&["openssl"]) {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n);
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    ok(Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ])
        .args(["-subj", "/CN=Online Test Root", "-days", "3650", "-keyout"])
        .arg(p("ca.key"))
        .arg("-out")
        .arg(p("ca.pem"))
        .args(["-addext", "basicConstraints=critical,CA:true"])
        .args([
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
        ]));
    std::fs::write(
        p("leaf.ext"),
        format!(
            "basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:{port}/\n"
        ),
    )
    .unwrap();
    ok(Command::new("openssl")
        .args([
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ])
        .args(["-subj", "/CN=Online Signer", "-keyout"])
        .arg(p("signer.key"))
        .arg("-out")
        .arg(p("signer.csr")));
    ok(Command::new("openssl")
        .args(["x509", "-req", "-days", "365", "-set_serial", "4242", "-in"])
        .arg(p("signer.csr"))
        .arg("-CA")
        .arg(p("ca.pem"))
        .arg("-CAkey")
        .arg(p("ca.key"))
        .arg("-extfile")
        .arg(p("leaf.ext"))
        .arg("-out")
        .arg(p("signer.pem")));
    let pki = Pki {
        ca: p("ca.pem"),
        key: p("signer.key"),
        cert: p("signer.pem"),
    };
    let seal = p("seal.png");
    seal_png(&seal, 100);
    let signed = p("signed.pdf");
    sign_once(
        &shared().join("corpus/pdf/reportlab-three-pages.pdf"),
        &signed,
        &pki,
        &seal,
        "300,100,100,100",
    );
    let check = |index_line: &str| -> Value {
        std::fs::write(p("index.txt"), format!("{index_line}\n")).unwrap();
        // `openssl ocsp` prints "ACCEPT" once it listens (on stdout or stderr: both go
        // to one pipe).
        let mut responder = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "exec openssl ocsp -port {port} -index '{}' -rsigner '{}' -rkey '{}' -CA '{}' 2>&1",
                p("index.txt").display(),
                p("ca.pem").display(),
                p("ca.key").display(),
                p("ca.pem").display()
            ))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines =
            std::io::BufRead::lines(std::io::BufReader::new(responder.stdout.take().unwrap()));
        let up = lines.any(|l| l.is_ok_and(|l| l.contains("ACCEPT")));
        assert!(up, "the OCSP responder listens");
        let out = run(signet()
            .args(["pdf", "verify", "--json", "--online", "--trust"])
            .arg(p("ca.pem"))
            .arg(&signed));
        let _ = responder.kill();
        let _ = responder.wait();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let expiry = "351231235959Z";
    let good = check(&format!("V\t{expiry}\t\t1092\tunknown\t/CN=Online Signer"));
    let revocation = &good["signatures"][0]["trust"]["revocation"][0];
    assert_eq!(revocation["status"], "good", "{good}");
    assert_eq!(revocation["source"], "ocsp");
    assert_eq!(good["verdict"], "valid");
    let revoked = check(&format!(
        "R\t{expiry}\t250101000000Z,keyCompromise\t1092\tunknown\t/CN=Online Signer"
    ));
    assert_eq!(revoked["verdict"], "untrusted", "{revoked}");
    assert!(problems(&revoked).contains("revoked"), "{revoked}");
    // Without --online nothing is fetched: the status stays unknown.
    let (code, offline) = verify(&signed, &[&p("ca.pem")]);
    assert_eq!(code, 0);
    assert_eq!(
        offline["signatures"][0]["trust"]["revocation"][0]["status"],
        "unknown"
    );
}

/// Form filling after a signature is allowed (a field's value and appearance); changing the
/// field otherwise (moving its widget) is a modification.
#[test]
fn form_filling_after_signing_is_allowed_other_field_changes_are_not() {
    if !tools(&["openssl"]) {
        return;
    }
    let fx = fixture(false);
    let input = shared().join("corpus/pdf/reportlab-three-pages.pdf");
    // The unsigned document gets a text field (a merged field/widget on page 1).
    let with_field = append(&std::fs::read(&input).unwrap(), |src, up| {
        let (page_id, mut page) = page_dict(src, 0);
        let field = up.alloc();
        up.set(
            field,
            &Object::Dictionary(dictionary! {
                "Type" => "Annot",
                "Subtype" => "Widget",
                "FT" => "Tx",
                "T" => Object::string_literal("amount"),
                "Rect" => vec![72.into(), 72.into(), 272.into(), 96.into()],
                "P" => Object::Reference(page_id),
                "DA" => Object::string_literal("/Helv 12 Tf 0 g"),
            }),
        );
        page.set("Annots", vec![Object::Reference(field)]);
        up.set(page_id, &Object::Dictionary(page));
        let mut catalog = src.catalog().unwrap().clone();
        catalog.set(
            "AcroForm",
            dictionary! { "Fields" => vec![Object::Reference(field)] },
        );
        up.set(src.root_id, &Object::Dictionary(catalog));
    });
    let unsigned = fx.dir.join("form.pdf");
    std::fs::write(&unsigned, &with_field).unwrap();
    let signed_path = fx.dir.join("form-signed.pdf");
    sign_once(
        &unsigned,
        &signed_path,
        &fx.pki,
        &fx.seal,
        "300,100,120,120",
    );
    let signed = std::fs::read(&signed_path).unwrap();
    let field_id = {
        let src = SourcePdf::parse(&signed).unwrap();
        let (_, page) = page_dict(&src, 0);
        page.get(b"Annots").unwrap().as_array().unwrap()[0]
            .as_reference()
            .unwrap()
    };
    let edit = |f: &dyn Fn(&mut lopdf::Dictionary)| {
        append(&signed, |src, up| {
            let mut d = src
                .doc
                .get_object(field_id)
                .unwrap()
                .as_dict()
                .unwrap()
                .clone();
            f(&mut d);
            up.set(field_id, &Object::Dictionary(d));
        })
    };
    let filled = fx.dir.join("filled.pdf");
    std::fs::write(
        &filled,
        edit(&|d| d.set("V", Object::string_literal("1,000 元"))),
    )
    .unwrap();
    let (code, report) = verify(&filled, &[&fx.pki.ca]);
    assert_eq!(code, 0, "{report}");
    let change = &report["signatures"][0]["changes_after"][0];
    assert_eq!(change["kind"], "form_fill", "{report}");
    assert_eq!(change["field"], "amount");

    let moved = fx.dir.join("moved.pdf");
    std::fs::write(
        &moved,
        edit(&|d| d.set("Rect", vec![0.into(), 0.into(), 600.into(), 800.into()])),
    )
    .unwrap();
    let (code, report) = verify(&moved, &[&fx.pki.ca]);
    assert_eq!(code, 4, "{report}");
    assert!(
        problems(&report).contains("form field amount changed (/Rect)"),
        "{report}"
    );
}
