//! `signet pdf sign` on every file of the shared corpus, with P-256 and SM2 keys, checked by
//! independent tools: pyHanko and poppler's pdfsig (P-256), OpenSSL through
//! `shared/tools/sm2-verify.py` (SM2), qpdf, and pixels rendered by pdftoppm.
//! Outside CI a missing tool skips the test with a printed reason; in CI it fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit::pdfkit;

use pdfkit::*;
use std::path::Path;
use std::process::Command;

/// Renders a page at 4 pixels per point and returns the RGB of the pixel at (x, y) in points
/// from the lower-left corner of the displayed page.
fn pixel(dir: &Path, pdf: &Path, page: u32, x: f64, y: f64) -> [u8; 3] {
    let prefix = dir.join(format!("render-{page}"));
    ok(Command::new("pdftoppm")
        .args([
            "-r",
            "288",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
            "-png",
            "-singlefile",
        ])
        .arg(pdf)
        .arg(&prefix));
    let file = std::fs::File::open(prefix.with_extension("png")).unwrap();
    let mut dec = png::Decoder::new(std::io::BufReader::new(file));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let f = r.next_frame(&mut buf).unwrap();
    let ch = f.color_type.samples();
    let px = ((x * 4.0).round() as usize).min(f.width as usize - 1);
    let py = ((f.height as f64 - y * 4.0).round() as usize).min(f.height as usize - 1);
    let i = (py * f.width as usize + px) * ch;
    [buf[i], buf[i + 1], buf[i + 2]]
}

fn is_red(p: [u8; 3]) -> bool {
    p[0] > 150 && p[1] < 100 && p[2] < 100
}

fn check_appearance(dir: &Path, out: &Path, input: &Path) {
    let (w, _, _) = page_size(input, 1);
    let x = (w - 160.0).max(10.0);
    assert!(
        is_red(pixel(dir, out, 1, x + 60.0, 160.0)),
        "seal centre is red on page 1 of {}",
        out.display()
    );
    // The seal's transparent corner lets the page show through.
    assert!(
        !is_red(pixel(dir, out, 1, x + 3.0, 103.0)),
        "seal corner is transparent on {}",
        out.display()
    );
    let pages = page_count(input);
    if pages >= 2 {
        let slice = 120.0 / pages as f64;
        for p in 1..=pages {
            let (pw, _, _) = page_size(input, p);
            // The middle of the slice, at the seal's vertical centre... a circle's slice may
            // be empty near its top and bottom, so look at the seal's horizontal mid-line.
            let px = pixel(dir, out, p, pw - slice / 2.0, 360.0);
            assert!(
                is_red(px),
                "cross-page slice on page {p} of {}: {px:?}",
                out.display()
            );
        }
    }
    let text = ok(Command::new("pdftotext")
        .args(["-f", "1", "-l", "1"])
        .arg(out)
        .arg("-"));
    assert!(
        text.contains('年') && text.contains('日'),
        "the date text is extractable: {text}"
    );
}

#[test]
fn corpus_signed_with_p256_validates_in_pyhanko_and_pdfsig() {
    if !tools(&[
        "openssl",
        "pyhanko",
        "pdfsig",
        "qpdf",
        "pdftoppm",
        "pdftotext",
        "pdfinfo",
    ]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pki = make_pki(dir.path(), false);
    let seal = dir.path().join("seal.png");
    seal_png(&seal, 240);
    for input in inputs(dir.path()) {
        let work = tempfile::tempdir().unwrap();
        let (out, added) = sign_corpus_file(work.path(), &input, &pki, &seal);
        // The original bytes are unchanged: the output starts with them.
        let (orig, signed) = (std::fs::read(&input).unwrap(), std::fs::read(&out).unwrap());
        assert_eq!(
            &signed[..orig.len()],
            &orig[..],
            "{} was rewritten",
            input.display()
        );
        ok(Command::new("qpdf").arg("--check").arg(&out));

        let presigned = input
            .file_name()
            .unwrap()
            .to_string_lossy()
            .contains("presigned");
        let mut v = Command::new("pyhanko");
        v.args(["sign", "validate", "--no-revocation-check", "--trust"])
            .arg(&pki.ca);
        if presigned {
            v.arg("--trust")
                .arg(shared().join("corpus/pdf/pyhanko-presigned.signer-cert.pem"));
        }
        let report = ok(v.arg("--pretty-print").arg(&out));
        let expected = added as usize + usize::from(presigned);
        let valid = report
            .matches("The signature is cryptographically sound")
            .count();
        assert_eq!(valid, expected, "pyHanko on {}:\n{report}", out.display());
        assert!(
            !report.contains("INVALID") && !report.contains("not cryptographically"),
            "{report}"
        );

        // pdfsig lists a cross-page seal once per page widget (poppler 22.12 reads each
        // widget on its own): count distinct signatures by their signed ranges.
        let sig = run(Command::new("pdfsig").arg(&out));
        let sig = String::from_utf8_lossy(&sig.stdout).into_owned();
        let blocks: Vec<&str> = sig.split("Signature #").skip(1).collect();
        assert!(
            blocks.iter().all(|b| b.contains("Signature is Valid")),
            "pdfsig on {}:\n{sig}",
            out.display()
        );
        let distinct: std::collections::BTreeSet<&str> = blocks
            .iter()
            .filter_map(|b| b.lines().find(|l| l.contains("Signed Ranges")))
            .collect();
        assert_eq!(
            distinct.len(),
            expected,
            "pdfsig on {}:\n{sig}",
            out.display()
        );

        check_appearance(work.path(), &out, &input);
    }
}

#[test]
fn corpus_signed_with_sm2_verifies_with_openssl() {
    if !tools(&[
        "openssl",
        "python3",
        "qpdf",
        "pdftoppm",
        "pdftotext",
        "pdfinfo",
    ]) {
        return;
    }
    let asn1 = Command::new("python3")
        .args(["-c", "import asn1crypto"])
        .status()
        .is_ok_and(|s| s.success());
    if !asn1 {
        assert!(!in_ci(), "CI needs python asn1crypto (pyhanko brings it)");
        eprintln!("skipping: python asn1crypto missing");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pki = make_pki(dir.path(), true);
    // The SM2 chain itself verifies with OpenSSL.
    ok(Command::new("openssl")
        .args(["verify", "-vfyopt", "distid:1234567812345678", "-CAfile"])
        .arg(&pki.ca)
        .arg(&pki.cert));
    let seal = dir.path().join("seal.png");
    seal_png(&seal, 240);
    for input in inputs(dir.path()) {
        let work = tempfile::tempdir().unwrap();
        let (out, added) = sign_corpus_file(work.path(), &input, &pki, &seal);
        ok(Command::new("qpdf").arg("--check").arg(&out));
        let r = run(Command::new("python3")
            .arg(shared().join("tools/sm2-verify.py"))
            .arg(&out)
            .arg(&pki.ca));
        let report = String::from_utf8_lossy(&r.stdout).into_owned();
        let oks = report.lines().filter(|l| l.starts_with("ok ")).count();
        assert_eq!(
            oks,
            added as usize,
            "sm2-verify on {}:\n{report}",
            out.display()
        );
        if input
            .file_name()
            .unwrap()
            .to_string_lossy()
            .contains("presigned")
        {
            // The pre-existing (non-SM2) signature is the only one the SM2 tool cannot check.
            assert!(report.contains(&format!("{added} ok, 1 bad")), "{report}");
        } else {
            assert!(
                r.status.success(),
                "sm2-verify on {}:\n{report}",
                out.display()
            );
        }
        check_appearance(work.path(), &out, &input);
    }
}

#[test]
fn cli_refuses_bad_input_and_writes_nothing() {
    if !tools(&["openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pki = make_pki(dir.path(), false);
    let seal = dir.path().join("seal.png");
    seal_png(&seal, 64);
    let input = shared().join("corpus/pdf/reportlab-three-pages.pdf");
    let out = dir.path().join("out.pdf");
    let base = |extra: &[&str]| {
        let mut c = signet();
        c.args(["pdf", "sign"])
            .arg(&input)
            .arg(&out)
            .arg("--key")
            .arg(&pki.key)
            .arg("--cert")
            .arg(&pki.cert)
            .arg("--seal")
            .arg(&seal);
        c.args(extra);
        run(&mut c)
    };
    for (extra, needle) in [
        (
            &["--page", "9", "--rect", "10,10,50,50"][..],
            "page 9 does not exist",
        ),
        (
            &["--page", "1", "--rect", "580,10,50,50"][..],
            "not inside page 1",
        ),
        (
            &["--page", "1", "--rect", "10,10,-5,50"][..],
            "not inside page 1",
        ),
    ] {
        let r = base(extra);
        assert!(!r.status.success());
        assert!(
            String::from_utf8_lossy(&r.stderr).contains(needle),
            "{}",
            String::from_utf8_lossy(&r.stderr)
        );
        assert!(!out.exists());
    }
    // Not a PDF.
    let junk = dir.path().join("junk.pdf");
    std::fs::write(&junk, b"hello").unwrap();
    let r = run(signet()
        .args(["pdf", "sign"])
        .arg(&junk)
        .arg(&out)
        .arg("--key")
        .arg(&pki.key)
        .arg("--cert")
        .arg(&pki.cert));
    assert!(String::from_utf8_lossy(&r.stderr).contains("not a PDF"));
    // A key that does not belong to the certificate.
    let other = make_pki(
        &{
            let d = dir.path().join("other");
            std::fs::create_dir(&d).unwrap();
            d
        },
        false,
    );
    let r = run(signet()
        .args(["pdf", "sign"])
        .arg(&input)
        .arg(&out)
        .arg("--key")
        .arg(&other.key)
        .arg("--cert")
        .arg(&pki.cert));
    assert!(!r.status.success());
    assert!(!out.exists());
    // The simple form from the README works (invisible when no seal is given).
    let r = base(&["--page", "1", "--rect", "360,60,120,120", "--date"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(out.exists());
}

/// Signing a certified (DocMDP P=2) document works and says so on stderr; an uncertified one
/// prints no note.
#[test]
fn cli_notes_a_signature_after_a_certification() {
    if !tools(&["openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pki = make_pki(dir.path(), false);
    let seal = dir.path().join("seal.png");
    seal_png(&seal, 120);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pdf/tests/fixtures/lossless");
    for (input, noted) in [("certified-p2.pdf", true), ("lo-reals.pdf", false)] {
        let out = dir.path().join(format!("signed-{input}"));
        let r = run(&mut sign_command(
            &fixtures.join(input),
            &out,
            &pki,
            &seal,
            "380,80,100,100",
        ));
        assert!(
            r.status.success(),
            "{input}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(
            stderr.contains(
                "note: the document is certified (DocMDP P=2); this signature adds a new signed field after the certification"
            ),
            noted,
            "{input}: {stderr}"
        );
    }
}
