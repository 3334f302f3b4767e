//! Where the validator must stay strict and where it must not be: the published certification
//! attacks (Mladenov et al., "Breaking the Specification: PDF Certification", IEEE S&P 2021)
//! built with pyHanko's incremental writer (`fixtures/lossless/attack.py`) on a certified
//! (DocMDP P=2) document and on a document with an approval signature; an honest later
//! signature by Signet on the certified document; and numbers whose spelling changes versus
//! numbers whose value changes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Duration, Utc};
use common::{Pki, tools};
use signet_pdf::doc::SourcePdf;
use signet_pdf::update::Update;
use signet_pdf::verify::{
    ChangeKind, Report, SignatureKind, Verdict, VerifyOptions, anchors_from, verify,
};
use signet_pdf::{Notice, SignatureSpec, Visible};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lossless")
}

/// A seal image, 100 px, opaque red.
fn seal_png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 100, 100);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let data: Vec<u8> = [200u8, 30, 30, 255].repeat(100 * 100);
        enc.write_header().unwrap().write_image_data(&data).unwrap();
    }
    out
}

fn sign(pki: &Pki, pdf: &[u8]) -> Vec<u8> {
    let mut spec = SignatureSpec::new(
        Visible::Seal {
            page: 1,
            rect: [380.0, 80.0, 100.0, 100.0],
        },
        Utc::now(),
    );
    spec.seal_png = Some(seal_png());
    signet_pdf::sign(
        pdf,
        &spec,
        &pki.key("signer"),
        &pki.cert("signer"),
        &[pki.cert("root")],
        None,
    )
    .unwrap()
}

fn options(pki: &Pki) -> VerifyOptions {
    let mut pem = std::fs::read(pki.file("root.pem")).unwrap();
    pem.extend(std::fs::read(fixtures().join("certifier.pem")).unwrap());
    let mut o = VerifyOptions::new(anchors_from(&pem).unwrap());
    o.now = Utc::now() + Duration::minutes(1);
    o
}

/// `attack.py KIND` applied to `input`.
fn attack(dir: &Path, kind: &str, input: &[u8]) -> Vec<u8> {
    let src = dir.join(format!("{kind}-in.pdf"));
    let dst = dir.join(format!("{kind}.pdf"));
    std::fs::write(&src, input).unwrap();
    let out = Command::new("python3")
        .arg(fixtures().join("attack.py"))
        .arg(kind)
        .arg(&src)
        .arg(&dst)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "attack.py {kind}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(dst).unwrap()
}

/// pyHanko's one-line verdicts and whether it exited 0.
fn pyhanko(dir: &Path, pki: &Pki, name: &str, pdf: &[u8]) -> (bool, Vec<String>) {
    let file = dir.join(name);
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pyhanko")
        .args(["sign", "validate", "--no-revocation-check", "--trust"])
        .arg(pki.file("root.pem"))
        .arg("--trust")
        .arg(fixtures().join("certifier.pem"))
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<String> = text
        .lines()
        .filter(|l| l.contains(":INTACT:") || l.contains(":INVALID"))
        .map(str::to_owned)
        .collect();
    assert!(
        !lines.is_empty(),
        "{name}: pyHanko gave no verdict:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), lines)
}

fn verdict_of<'r>(report: &'r Report, field: &str) -> &'r signet_pdf::verify::SignatureReport {
    report
        .signatures
        .iter()
        .find(|s| s.field == field)
        .unwrap_or_else(|| panic!("no {field}: {report:#?}"))
}

fn described(report: &Report, field: &str, needle: &str) -> bool {
    verdict_of(report, field)
        .changes_after
        .iter()
        .any(|c| c.kind == ChangeKind::Modification && c.description.contains(needle))
}

#[test]
fn an_honest_signature_after_a_certification_is_valid_and_announced() {
    if !tools(&["openssl", "pyhanko"]) {
        return;
    }
    let pki = Pki::new(false);
    let dir = tempfile::tempdir().unwrap();
    let certified = std::fs::read(fixtures().join("certified-p2.pdf")).unwrap();
    assert_eq!(
        signet_pdf::notices(&certified),
        vec![Notice::CertifiedNewField { permission: 2 }]
    );
    assert_eq!(
        signet_pdf::notices(&certified)[0].code(),
        "certified-new-field"
    );
    let plain = std::fs::read(fixtures().join("lo-reals.pdf")).unwrap();
    assert!(signet_pdf::notices(&plain).is_empty());

    let signed = sign(&pki, &certified);
    let report = verify(&signed, &options(&pki));
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(verdict_of(&report, "Certification").docmdp, Some(2));
    assert_eq!(report.signatures.len(), 2);

    // pyHanko: the new signature is clean; the certifier's is intact and trusted, and its
    // difference analysis objects to exactly one thing — the new visible signature field —
    // and accepts the file once that one rule is relaxed (`pyhanko_diff.py`).
    let (_, lines) = pyhanko(dir.path(), &pki, "honest.pdf", &signed);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let ours = lines.iter().find(|l| l.starts_with("Signature1:")).unwrap();
    assert!(
        ours.contains(":INTACT:TRUSTED")
            && !ours.contains("ILLEGAL")
            && !ours.contains("SUSPICIOUS"),
        "{ours}"
    );
    let cert = lines
        .iter()
        .find(|l| l.starts_with("Certification:"))
        .unwrap();
    assert!(cert.contains(":INTACT:TRUSTED"), "{cert}");
    let out = Command::new("python3")
        .arg(fixtures().join("pyhanko_diff.py"))
        .arg(dir.path().join("honest.pdf"))
        .output()
        .unwrap();
    let diff = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{diff}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = |prefix: &str| {
        diff.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}: {diff}"))
            .to_owned()
    };
    assert!(
        line("Certification default SUSPICIOUS")
            .contains("only allowed after an approval signature, not a certification signature"),
        "{diff}"
    );
    assert!(
        line("Certification relaxed ").starts_with("Certification relaxed OK"),
        "{diff}"
    );
    assert!(
        line("Signature1 default ").starts_with("Signature1 default OK"),
        "{diff}"
    );

    // And a second honest signature on top.
    let twice = sign(&pki, &signed);
    let report = verify(&twice, &options(&pki));
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
}

#[test]
fn certification_attacks_are_modifications_in_signet_and_pyhanko() {
    if !tools(&["openssl", "pyhanko", "python3"]) {
        return;
    }
    let pki = Pki::new(false);
    let dir = tempfile::tempdir().unwrap();
    let certified = std::fs::read(fixtures().join("certified-p2.pdf")).unwrap();
    for (kind, needle) in [
        ("evil-annotation", "annotation (/FreeText) added on page 1"),
        ("sneaky-signature", "sneaky signature"),
        ("fake-signature", "does not verify (sneaky signature)"),
        ("page-box", "page 1: /MediaBox changed"),
    ] {
        let attacked = attack(dir.path(), kind, &certified);
        let report = verify(&attacked, &options(&pki));
        let cert = verdict_of(&report, "Certification");
        assert_eq!(cert.verdict, Verdict::Modified, "{kind}: {report:#?}");
        assert!(
            described(&report, "Certification", needle),
            "{kind}: {:#?}",
            cert.changes_after
        );
        if kind == "fake-signature" {
            // pyHanko cannot process the fake value at all ("Generic processing error"): it
            // refuses the file, but gives no verdict to compare.
            let file = dir.path().join("fake-signature-check.pdf");
            std::fs::write(&file, &attacked).unwrap();
            let status = Command::new("pyhanko")
                .args(["sign", "validate", "--no-revocation-check", "--trust"])
                .arg(fixtures().join("certifier.pem"))
                .arg(&file)
                .output()
                .unwrap()
                .status;
            assert!(!status.success(), "{kind}: pyHanko accepted it");
            continue;
        }
        let (ok, lines) = pyhanko(dir.path(), &pki, &format!("{kind}.pdf"), &attacked);
        assert!(
            !ok && lines[0].contains("ILLEGAL_MODIFICATIONS"),
            "{kind}: {lines:?}"
        );
    }
    // A field left for a later signer, painting nothing, is allowed by both.
    let later = attack(dir.path(), "empty-field", &certified);
    assert_eq!(verify(&later, &options(&pki)).verdict, Verdict::Valid);
    let (ok, _) = pyhanko(dir.path(), &pki, "empty-field.pdf", &later);
    assert!(ok);
}

#[test]
fn sneaky_signatures_and_evil_annotations_after_an_approval_signature() {
    if !tools(&["openssl", "pyhanko", "python3"]) {
        return;
    }
    let pki = Pki::new(false);
    let dir = tempfile::tempdir().unwrap();
    let signed = sign(
        &pki,
        &std::fs::read(fixtures().join("lo-reals.pdf")).unwrap(),
    );
    assert_eq!(verify(&signed, &options(&pki)).verdict, Verdict::Valid);
    for (kind, needle) in [
        ("sneaky-signature", "sneaky signature"),
        ("fake-signature", "does not verify (sneaky signature)"),
        ("reused-signature", "sneaky signature"),
        ("evil-annotation", "annotation (/FreeText) added on page 1"),
        ("page-box", "page 1: /MediaBox changed"),
    ] {
        let attacked = attack(dir.path(), kind, &signed);
        let report = verify(&attacked, &options(&pki));
        assert_eq!(
            verdict_of(&report, "Signature1").verdict,
            Verdict::Modified,
            "{kind}: {report:#?}"
        );
        assert!(
            described(&report, "Signature1", needle),
            "{kind}: {report:#?}"
        );
    }
    let later = attack(dir.path(), "empty-field", &signed);
    assert_eq!(verify(&later, &options(&pki)).verdict, Verdict::Valid);
    // An honest second signature is not one of them.
    let report = verify(&sign(&pki, &signed), &options(&pki));
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    assert_eq!(
        report
            .signatures
            .iter()
            .filter(|s| s.kind == SignatureKind::Approval)
            .count(),
        2
    );
}

/// Page 2 of a signed document written again with its bytes edited by `edit`.
fn rewrite_page(signed: &[u8], edit: impl Fn(&str) -> String) -> Vec<u8> {
    let src = SourcePdf::parse(signed).unwrap();
    let page = src.pages[1].id;
    let raw = src.raw(page).unwrap();
    let text = String::from_utf8(raw.original().to_vec()).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text);
    let mut up = Update::new(src.size);
    up.set_raw(page, edited.into_bytes());
    let tail = up.write(&src).tail;
    let mut out = signed.to_vec();
    out.extend_from_slice(&tail);
    out
}

#[test]
fn a_respelled_number_is_no_change_a_changed_value_at_any_precision_is() {
    if !tools(&["openssl"]) {
        return;
    }
    let pki = Pki::new(false);
    let signed = sign(
        &pki,
        &std::fs::read(fixtures().join("lo-reals.pdf")).unwrap(),
    );
    let respelled = rewrite_page(&signed, |t| {
        t.replace("595.303937007874", "595.3039370078740000")
            .replace("[0 0 ", "[+0 0.0 ")
            .replace("841.889763779528", "841.88976377952800")
    });
    let report = verify(&respelled, &options(&pki));
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    // The rewritten page is judged "written again unchanged" and no change is kept.
    assert!(
        verdict_of(&report, "Signature1").changes_after.is_empty(),
        "{report:#?}"
    );
    let last = &report.revisions.last().unwrap().changes;
    assert!(
        last.iter().any(|c| c.kind == ChangeKind::Unchanged),
        "{last:#?}"
    );

    for (from, to) in [
        ("595.303937007874", "595.304"), // what a 32-bit float rewrite made of it
        ("595.303937007874", "595.3039370078741"), // beyond f32 and f64 display precision
        ("841.889763779528", "841.889763779527"),
    ] {
        let changed = rewrite_page(&signed, |t| t.replace(from, to));
        let report = verify(&changed, &options(&pki));
        assert_eq!(report.verdict, Verdict::Modified, "{to}: {report:#?}");
        assert!(
            described(&report, "Signature1", "page 2: /MediaBox changed"),
            "{to}: {report:#?}"
        );
    }
}
