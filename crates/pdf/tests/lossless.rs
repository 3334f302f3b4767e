//! A later signature never breaks an earlier one. On every input — the generated files of
//! `fixtures/lossless` (high-precision reals, inherited page attributes, object streams, a
//! hybrid-reference file, earlier revisions, indirect /Annots and /Fields, a form direct in
//! the catalog) and the shared corpus — five revisions by two signers: a seal on page 1, a
//! seal on page 2, a cross-page seal over every page, a date stamp, then B-LTA (validation
//! data and a document timestamp). With P-256 and with SM2. After every step each object the
//! new revision rewrote keeps every entry it did not mean to change byte for byte; the final
//! file is VALID in Signet's validator with every signature valid and no modification, clean
//! in pyHanko (P-256: no ILLEGAL_MODIFICATIONS, no SUSPICIOUS), valid in pdfsig (P-256), in
//! `sm2-verify.py` (SM2) and in `qpdf --check`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Duration, Utc};
use common::{Pki, in_ci, tools};
use lopdf::Document;
use signet_pdf::doc::SourcePdf;
use signet_pdf::ltv::{self, DssMaterial};
use signet_pdf::raw::{Locator, Node, Value};
use signet_pdf::verify::{
    ChangeKind, Report, SignatureKind, Verdict, VerifyOptions, anchors_from, verify,
};
use signet_pdf::{CjkFont, DateStamp, SignatureSpec, Visible};

const FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lossless")
}

fn shared_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/pdf")
}

/// Every uncertified input: the generated files and the shared corpus.
fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in [fixtures_dir(), shared_corpus()] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            assert!(!in_ci(), "{} is missing", dir.display());
            continue;
        };
        let mut paths: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
            .filter(|p| !p.to_string_lossy().contains("certified"))
            .collect();
        paths.sort();
        for p in paths {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name, std::fs::read(&p).unwrap()));
        }
    }
    assert!(out.len() >= 10, "{} inputs", out.len());
    out
}

fn font() -> Option<CjkFont> {
    match std::fs::read(FONT) {
        Ok(b) => Some(CjkFont::new(b).unwrap()),
        Err(_) if !in_ci() => {
            eprintln!("skipping: {FONT} is not installed (fonts-wqy-microhei)");
            None
        }
        Err(e) => panic!("{FONT} is required in CI: {e}"),
    }
}

/// A round red seal, 200 px, transparent outside.
fn seal_png() -> Vec<u8> {
    let size = 200u32;
    let c = f64::from(size) / 2.0;
    let mut data = Vec::new();
    for y in 0..size {
        for x in 0..size {
            let d = ((f64::from(x) - c).powi(2) + (f64::from(y) - c).powi(2)).sqrt();
            data.extend_from_slice(if d < c - 2.0 {
                &[220, 20, 20, 255]
            } else {
                &[0, 0, 0, 0]
            });
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, size, size);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header().unwrap().write_image_data(&data).unwrap();
    }
    out
}

// ------------------------------------------------------------------------------------------
// What a rewrite may change
// ------------------------------------------------------------------------------------------

/// Entries a signature or validation-data revision is about; everything else must keep its
/// exact bytes.
const INTENDED: &[&[u8]] = &[
    b"Annots",
    b"Fields",
    b"SigFlags",
    b"AcroForm",
    b"DSS",
    b"Certs",
    b"OCSPs",
    b"CRLs",
    b"VRI",
];

/// For every object `after` rewrote that existed in `before`: dictionaries differ only in the
/// intended keys (every other entry byte-identical), arrays only grew at the end, intended
/// dictionaries nested directly (a direct form or DSS) likewise. Returns how many existing
/// objects were rewritten.
fn assert_lossless(name: &str, before: &[u8], after: &[u8]) -> usize {
    let old_doc = Document::load_mem(before).unwrap();
    let new_doc = Document::load_mem(after).unwrap();
    let (old, new) = (
        Locator::new(before, &old_doc),
        Locator::new(after, &new_doc),
    );
    let mut rewritten = 0;
    for (&n, entry) in &new_doc.reference_table.entries {
        let Some(old_entry) = old_doc.reference_table.entries.get(&n) else {
            continue;
        };
        if format!("{entry:?}") == format!("{old_entry:?}") {
            continue;
        }
        let (Ok(a), Ok(b)) = (old.object(n), new.object(n)) else {
            continue;
        };
        rewritten += 1;
        same_but_intended(name, n, a.buf.bytes(), &a.node, b.buf.bytes(), &b.node);
    }
    rewritten
}

fn same_but_intended(name: &str, n: u32, ab: &[u8], a: &Node, bb: &[u8], b: &Node) {
    match (&a.value, &b.value) {
        (Value::Dict(items), Value::Dict(_)) => {
            for (k, v) in items {
                let w = b.get(k).unwrap_or_else(|| {
                    panic!("{name}: object {n} lost /{}", String::from_utf8_lossy(k))
                });
                if INTENDED.contains(&k.as_slice()) {
                    let container = |n: &Node| matches!(n.value, Value::Dict(_) | Value::Array(_));
                    if container(v) && container(w) {
                        same_but_intended(name, n, ab, v, bb, w);
                    }
                    continue;
                }
                assert_eq!(
                    String::from_utf8_lossy(&ab[v.span.clone()]),
                    String::from_utf8_lossy(&bb[w.span.clone()]),
                    "{name}: object {n} /{} changed",
                    String::from_utf8_lossy(k)
                );
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert!(
                y.len() >= x.len() && x[..] == y[..x.len()],
                "{name}: array {n} did more than grow"
            );
            for (v, w) in x.iter().zip(y) {
                assert_eq!(
                    &ab[v.span.clone()],
                    &bb[w.span.clone()],
                    "{name}: array {n} item respelled"
                );
            }
        }
        _ => assert!(a == b, "{name}: object {n} changed kind or value"),
    }
}

// ------------------------------------------------------------------------------------------
// The five revisions
// ------------------------------------------------------------------------------------------

fn page_size(pdf: &[u8], page: u32) -> (f64, f64) {
    SourcePdf::parse(pdf)
        .unwrap()
        .page(page)
        .unwrap()
        .displayed_size()
}

struct Run<'a> {
    name: &'a str,
    pki: &'a Pki,
    font: &'a CjkFont,
    seal: Vec<u8>,
    /// The inputs of each step, for the lossless check and the intermediate verdicts.
    steps: Vec<Vec<u8>>,
}

impl Run<'_> {
    fn sign(
        &mut self,
        pdf: Vec<u8>,
        signer: &str,
        visible: Visible,
        date: Option<DateStamp>,
    ) -> Vec<u8> {
        let mut spec = SignatureSpec::new(visible, Utc::now());
        spec.seal_png = Some(self.seal.clone());
        spec.date = date;
        spec.name = Some(signer.into());
        // Signed as `signet pdf sign` signs a file: through a store read in blocks (a few
        // bytes to a page), so every step also proves the partial reading.
        let block = [3, 97, 4096][self.steps.len() % 3];
        let mut store = common::Blocks::new(pdf.clone(), block);
        let pki = self.pki;
        signet_pdf::sign_store(
            &mut store,
            &spec,
            &pki.key(signer),
            &pki.cert(signer),
            &[pki.cert("root")],
            Some(self.font),
            &mut |cms| ltv::timestamp_signature(&cms, &mut |d: &[u8]| pki.timestamp(d)),
        )
        .unwrap_or_else(|e| panic!("{}: signing as {signer}: {e}", self.name));
        let out = store.data;
        self.step(&pdf, &out);
        out
    }

    /// Checks one step: the old bytes kept, every rewrite lossless, nothing reported as a
    /// modification.
    fn step(&mut self, before: &[u8], after: &[u8]) {
        assert_eq!(&after[..before.len()], before, "{}: bytes kept", self.name);
        assert_lossless(self.name, before, after);
        let report = verify(after, &options(self.pki, self.name));
        assert_no_modification(self.name, &report);
        self.steps.push(after.to_vec());
    }

    fn five(&mut self, input: Vec<u8>) -> Vec<u8> {
        let pages = SourcePdf::parse(&input).unwrap().pages.len() as u32;
        let (w1, _) = page_size(&input, 1);
        let one = self.sign(
            input,
            "signer",
            Visible::Seal {
                page: 1,
                rect: [w1 - 150.0, 120.0, 110.0, 110.0],
            },
            None,
        );
        let p2 = pages.min(2);
        let (w2, _) = page_size(&one, p2);
        let two = self.sign(
            one,
            "signer2",
            Visible::Seal {
                page: p2,
                rect: [(w2 - 110.0) / 2.0, 60.0, 100.0, 100.0],
            },
            None,
        );
        let three = if pages >= 2 {
            self.sign(
                two,
                "signer",
                Visible::CrossPage {
                    first: 1,
                    last: pages,
                    y: 300.0,
                    size: 110.0,
                },
                None,
            )
        } else {
            two
        };
        let date = DateStamp {
            page: pages,
            x: 40.0,
            y: 40.0,
            size: 12.0,
            format: String::new(),
        };
        let four = self.sign(three, "signer2", Visible::Invisible, Some(date));
        // B-LTA: validation data, then a document timestamp.
        let mut material = DssMaterial {
            certs: ["root", "signer", "signer2", "tsa"]
                .iter()
                .map(|n| self.pki.cert_der(n))
                .collect(),
            ..Default::default()
        };
        if !self.pki.sm2 {
            material.certs.push(self.pki.cert_der("ocsp"));
            material.ocsps = vec![
                self.pki.ocsp("signer"),
                self.pki.ocsp("signer2"),
                self.pki.ocsp("tsa"),
            ];
            material.crls = vec![self.pki.crl()];
        }
        let lt = ltv::add_dss(four.clone(), &material).unwrap();
        self.step(&four, &lt);
        let lta =
            ltv::add_document_timestamp(lt.clone(), 16384, &mut |d: &[u8]| self.pki.timestamp(d))
                .unwrap();
        self.step(&lt, &lta);
        lta
    }
}

fn options(pki: &Pki, name: &str) -> VerifyOptions {
    let mut pem = std::fs::read(pki.file("root.pem")).unwrap();
    if name.contains("presigned") {
        pem.extend(
            std::fs::read(shared_corpus().join("pyhanko-presigned.signer-cert.pem")).unwrap(),
        );
    }
    let mut o = VerifyOptions::new(anchors_from(&pem).unwrap());
    o.now = Utc::now() + Duration::minutes(1);
    o
}

fn assert_no_modification(name: &str, report: &Report) {
    for s in &report.signatures {
        for c in &s.changes_after {
            assert!(
                c.kind != ChangeKind::Modification,
                "{name}: after {}: {c:#?}",
                s.field
            );
        }
        assert!(
            matches!(s.verdict, Verdict::Valid),
            "{name}: {} is {:?}: {:?}",
            s.field,
            s.verdict,
            s.problems
        );
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn output(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// pyHanko's verdict on every signature: each must be intact and trusted with no illegal or
/// suspicious modification; an empty answer (a crash) fails.
fn pyhanko_clean(pki: &Pki, name: &str, file: &Path, signatures: usize) {
    let mut cmd = Command::new("pyhanko");
    cmd.args(["sign", "validate", "--no-revocation-check", "--trust"])
        .arg(pki.file("root.pem"));
    if name.contains("presigned") {
        cmd.arg("--trust")
            .arg(shared_corpus().join("pyhanko-presigned.signer-cert.pem"));
    }
    if name.contains("hybrid") {
        // pyHanko refuses hybrid-reference files unless told otherwise (a policy, not a
        // finding: "Settings do not permit validation of signatures in hybrid-reference files").
        cmd.arg("--no-strict-syntax");
    }
    let (ok, text) = output(cmd.arg(file));
    let verdicts: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(":INTACT:") || l.contains("INVALID"))
        .collect();
    assert!(ok, "{name}: pyHanko failed:\n{text}");
    assert_eq!(verdicts.len(), signatures, "{name}: pyHanko:\n{text}");
    for v in verdicts {
        assert!(v.contains(":INTACT:TRUSTED"), "{name}: {v}\n{text}");
        assert!(
            !v.contains("ILLEGAL") && !v.contains("SUSPICIOUS"),
            "{name}: {v}\n{text}"
        );
    }
}

/// pdfsig (poppler) finds every signature valid. It lists a cross-page seal once per widget,
/// so signatures are counted by their signed ranges; it cannot check document timestamps
/// ("Signature Type: unknown", "Unable to validate this type of signature"), which are left
/// to Signet's validator and pyHanko.
fn pdfsig_valid(name: &str, file: &Path, signatures: usize) {
    let (_, text) = output(Command::new("pdfsig").arg(file));
    let blocks: Vec<&str> = text
        .split("Signature #")
        .skip(1)
        .filter(|b| !b.contains("Signature Type: unknown"))
        .collect();
    for b in &blocks {
        assert!(b.contains("Signature is Valid"), "{name}: pdfsig:\n{text}");
    }
    let ranges: std::collections::BTreeSet<&str> = blocks
        .iter()
        .filter_map(|b| b.lines().find(|l| l.contains("Signed Ranges")))
        .collect();
    assert_eq!(ranges.len(), signatures, "{name}: pdfsig:\n{text}");
}

fn sm2_verify(pki: &Pki, name: &str, file: &Path, sm2_signatures: usize) {
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tools/sm2-verify.py");
    let (_, text) = output(
        Command::new("python3")
            .arg(tool)
            .arg(file)
            .arg(pki.file("root.pem")),
    );
    let oks = text.lines().filter(|l| l.starts_with("ok ")).count();
    assert_eq!(oks, sm2_signatures, "{name}: sm2-verify:\n{text}");
}

fn five_signatures(sm2: bool) {
    let mut needed = vec!["openssl", "qpdf"];
    if sm2 {
        needed.push("python3");
    } else {
        needed.extend(["pyhanko", "pdfsig"]);
    }
    if !tools(&needed) {
        return;
    }
    let Some(font) = font() else { return };
    let pki = Pki::new(sm2);
    pki.add_signer(
        "signer2",
        "/O=Signet/CN=Signet Lossless Second Signer",
        "4245",
    );
    let dir = tempfile::tempdir().unwrap();
    // SIGNET_LOSSLESS_KEEP=DIR keeps the signed files for a look.
    let keep = std::env::var("SIGNET_LOSSLESS_KEEP")
        .ok()
        .map(PathBuf::from);
    let dir_path = keep.clone().unwrap_or_else(|| dir.path().to_path_buf());
    std::fs::create_dir_all(&dir_path).unwrap();
    for (name, input) in inputs() {
        let mut run = Run {
            name: &name,
            pki: &pki,
            font: &font,
            seal: seal_png(),
            steps: Vec::new(),
        };
        let pages = SourcePdf::parse(&input).unwrap().pages.len();
        let out = run.five(input);
        let file = write(
            &dir_path,
            &format!("{}-{name}", if sm2 { "sm2" } else { "p256" }),
            &out,
        );
        if keep.is_some() {
            std::fs::copy(pki.file("root.pem"), dir_path.join("root.pem")).unwrap();
        }
        let (ok, text) = output(Command::new("qpdf").arg("--check").arg(&file));
        assert!(ok, "{name}: qpdf --check:\n{text}");

        let report = verify(&out, &options(&pki, &name));
        assert_eq!(report.verdict, Verdict::Valid, "{name}: {report:#?}");
        let ours = if pages >= 2 { 4 } else { 3 };
        let presigned = usize::from(name.contains("presigned"));
        let sigs = report
            .signatures
            .iter()
            .filter(|s| s.kind != SignatureKind::DocumentTimestamp)
            .count();
        assert_eq!(sigs, ours + presigned, "{name}");
        if sm2 {
            sm2_verify(&pki, &name, &file, ours);
        } else {
            pyhanko_clean(&pki, &name, &file, ours + presigned);
            pdfsig_valid(&name, &file, ours + presigned);
        }
    }
}

#[test]
fn five_signatures_p256_leave_every_earlier_one_intact() {
    five_signatures(false);
}

#[test]
fn five_signatures_sm2_leave_every_earlier_one_intact() {
    five_signatures(true);
}

#[test]
fn high_precision_boxes_survive_a_second_signature_byte_for_byte() {
    let Some(font) = font() else { return };
    let pki = Pki::new(false);
    pki.add_signer(
        "signer2",
        "/O=Signet/CN=Signet Lossless Second Signer",
        "4245",
    );
    let input = std::fs::read(fixtures_dir().join("lo-reals.pdf")).unwrap();
    let mut run = Run {
        name: "lo-reals",
        pki: &pki,
        font: &font,
        seal: seal_png(),
        steps: Vec::new(),
    };
    let one = run.sign(
        input,
        "signer",
        Visible::Seal {
            page: 1,
            rect: [400.0, 100.0, 100.0, 100.0],
        },
        None,
    );
    let two = run.sign(
        one.clone(),
        "signer2",
        Visible::Seal {
            page: 2,
            rect: [400.0, 100.0, 100.0, 100.0],
        },
        None,
    );
    // Page 2 was written again, with its box exactly as the producer wrote it.
    let tail = &two[one.len()..];
    assert!(
        memchr::memmem::find(tail, b"/MediaBox[0 0 595.303937007874 841.889763779528]").is_some(),
        "{}",
        String::from_utf8_lossy(tail)
    );
    let report = verify(&two, &options(&pki, "lo-reals"));
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
}

// ------------------------------------------------------------------------------------------
// Property: random documents, random signing sequences
// ------------------------------------------------------------------------------------------

/// xorshift64*: a small deterministic generator (the case number is the seed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self) -> bool {
        self.below(2) == 0
    }
    /// A number near `v`, spelled with up to 15 decimals, sometimes with a `+` or trailing
    /// zeros.
    fn real(&mut self, v: f64) -> String {
        let decimals = self.below(16) as usize;
        let jitter = (self.below(1_000_000) as f64) / 1_000_000.0;
        let mut s = format!("{:.*}", decimals, v + jitter);
        if decimals > 0 && self.below(4) == 0 {
            s.push_str("00");
        }
        if self.below(8) == 0 {
            s.insert(0, '+');
        }
        s
    }
}

/// A random document: 1-4 pages; boxes as random high-precision reals, on the pages or
/// inherited; /Annots absent, direct or indirect (with a link annotation); the form absent,
/// direct or indirect, /Fields direct or indirect with a text field, /SigFlags in any state;
/// a classic xref table, or an xref stream with some objects in an object stream.
fn random_pdf(rng: &mut Rng) -> Vec<u8> {
    let pages = 1 + rng.below(4) as u32;
    let stream_xref = rng.chance();
    // Object numbers: 1 catalog, 2 pages, 3.. pages, then contents, then extras.
    let mut objs: Vec<(u32, String)> = Vec::new();
    let first_page = 3;
    let content = first_page + pages;
    let annots_arr = content + pages;
    let link = annots_arr + 1;
    let form = link + 1;
    let fields = form + 1;
    let text_field = fields + 1;
    let size = text_field + 1;
    let boxes = format!(
        "[{} {} {} {}]",
        rng.real(0.0),
        rng.real(0.0),
        rng.real(595.0),
        rng.real(841.0)
    );
    let inherit = rng.chance();
    let kids: Vec<String> = (0..pages)
        .map(|i| format!("{} 0 R", first_page + i))
        .collect();
    objs.push((
        2,
        format!(
            "<</Type/Pages/Kids[{}]/Count {pages}{}>>",
            kids.join(" "),
            if inherit {
                format!("/MediaBox{boxes}")
            } else {
                String::new()
            }
        ),
    ));
    let annots_mode = rng.below(3); // 0 none, 1 direct, 2 indirect
    let form_mode = rng.below(3); // 0 none, 1 direct in catalog, 2 indirect
    let fields_indirect = rng.chance();
    let sigflags = ["", "/SigFlags 0", "/SigFlags 1", "/SigFlags 3"][rng.below(4) as usize];
    for i in 0..pages {
        let mut d = format!("<</Type/Page/Parent 2 0 R/Contents {} 0 R", content + i);
        if !inherit {
            d.push_str(&format!("/MediaBox{boxes}"));
        }
        if rng.chance() {
            d.push_str(&format!(
                "/CropBox[{} {} {} {}]",
                rng.real(5.0),
                rng.real(5.0),
                rng.real(580.0),
                rng.real(830.0)
            ));
        }
        if rng.below(4) == 0 {
            d.push_str(&format!("/UserUnit {}", rng.real(1.0)));
        }
        if i == 0 {
            match annots_mode {
                1 => d.push_str(&format!("/Annots[{link} 0 R {text_field} 0 R]")),
                2 => d.push_str(&format!("/Annots {annots_arr} 0 R")),
                _ => {}
            }
        }
        d.push_str(">>");
        objs.push((first_page + i, d));
        let body = format!(
            "BT /F1 {} Tf 72 {} Td (page {}) Tj ET",
            rng.real(12.0),
            rng.real(700.0),
            i + 1
        );
        objs.push((
            content + i,
            format!("<</Length {}>>\nstream\n{body}\nendstream", body.len()),
        ));
    }
    objs.push((annots_arr, format!("[{link} 0 R {text_field} 0 R]")));
    objs.push((
        link,
        format!(
            "<</Type/Annot/Subtype/Link/Rect[{} {} {} {}]/Border[0 0 0]>>",
            rng.real(50.0),
            rng.real(700.0),
            rng.real(200.0),
            rng.real(720.0)
        ),
    ));
    let fields_value = if fields_indirect {
        format!("{fields} 0 R")
    } else {
        format!("[{text_field} 0 R]")
    };
    let form_dict = format!("<</Fields {fields_value}/DA(/Helv 0 Tf 0 g){sigflags}>>");
    objs.push((form, form_dict.clone()));
    objs.push((fields, format!("[{text_field} 0 R]")));
    objs.push((
        text_field,
        format!(
            "<</Type/Annot/Subtype/Widget/FT/Tx/T(t)/V(\\(v\\))/Rect[{} {} {} {}]/P {first_page} 0 R>>",
            rng.real(300.0),
            rng.real(600.0),
            rng.real(400.0),
            rng.real(620.0)
        ),
    ));
    let catalog = match form_mode {
        1 => format!("<</Type/Catalog/Pages 2 0 R/AcroForm{form_dict}>>"),
        2 => format!("<</Type/Catalog/Pages 2 0 R/AcroForm {form} 0 R>>"),
        _ => "<</Type/Catalog/Pages 2 0 R>>".to_string(),
    };
    objs.push((1, catalog));
    objs.sort_by_key(|(n, _)| *n);

    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets: Vec<(u32, u8, u64, u64)> = Vec::new(); // (num, type, field2, field3)
    // With an xref stream, non-stream objects may go into an object stream.
    let mut packed: Vec<(u32, String)> = Vec::new();
    for (n, body) in &objs {
        if stream_xref && !body.contains("stream") && rng.chance() {
            packed.push((*n, body.clone()));
            continue;
        }
        offsets.push((*n, 1, out.len() as u64, 0));
        out.extend_from_slice(format!("{n} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    if stream_xref {
        let objstm = size;
        let xref = size + 1;
        if !packed.is_empty() {
            let (mut head, mut data) = (String::new(), String::new());
            for (i, (n, body)) in packed.iter().enumerate() {
                head.push_str(&format!("{n} {} ", data.len()));
                data.push_str(body);
                data.push('\n');
                offsets.push((*n, 2, u64::from(objstm), i as u64));
            }
            let content = format!("{head}{data}");
            offsets.push((objstm, 1, out.len() as u64, 0));
            out.extend_from_slice(
                format!(
                    "{objstm} 0 obj\n<</Type/ObjStm/N {}/First {}/Length {}>>\nstream\n{content}\nendstream\nendobj\n",
                    packed.len(),
                    head.len(),
                    content.len()
                )
                .as_bytes(),
            );
        }
        let at = out.len() as u64;
        offsets.push((xref, 1, at, 0));
        offsets.sort_unstable();
        let mut rows = vec![0u8, 0, 0, 0, 0, 0xff, 0xff];
        let mut expected = 1;
        for (n, t, f2, f3) in &offsets {
            while expected < *n {
                rows.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0]);
                expected += 1;
            }
            rows.push(*t);
            rows.extend_from_slice(&(*f2 as u32).to_be_bytes());
            rows.extend_from_slice(&(*f3 as u16).to_be_bytes());
            expected += 1;
        }
        out.extend_from_slice(
            format!(
                "{xref} 0 obj\n<</Type/XRef/Size {}/W[1 4 2]/Root 1 0 R/Length {}>>\nstream\n",
                xref + 1,
                rows.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&rows);
        out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{at}\n%%EOF\n").as_bytes());
    } else {
        let at = out.len();
        out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f\r\n").as_bytes());
        offsets.sort_unstable();
        for (_, _, off, _) in &offsets {
            out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<</Size {size}/Root 1 0 R>>\nstartxref\n{at}\n%%EOF\n").as_bytes(),
        );
    }
    out
}

#[test]
fn random_documents_and_signing_sequences_rewrite_only_what_they_mean_to() {
    if !tools(&["openssl"]) {
        return;
    }
    let Some(font) = font() else { return };
    let pki = Pki::new(false);
    let key = pki.key("signer");
    let cert = pki.cert("signer");
    let chain = [pki.cert("root")];
    let seal = seal_png();
    let options = options(&pki, "random");
    for case in 1..=40u64 {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ case.wrapping_mul(0x1000_0000_01B3));
        let mut pdf = random_pdf(&mut rng);
        let name = format!("case {case}");
        let pages = SourcePdf::parse(&pdf)
            .unwrap_or_else(|e| panic!("{name}: {e}\n{}", String::from_utf8_lossy(&pdf)))
            .pages
            .len() as u32;
        for _ in 0..1 + rng.below(3) {
            let visible = match rng.below(3) {
                0 if pages >= 2 => Visible::CrossPage {
                    first: 1,
                    last: pages,
                    y: 200.0,
                    size: 80.0,
                },
                1 => Visible::Invisible,
                _ => Visible::Seal {
                    page: 1 + rng.below(u64::from(pages)) as u32,
                    rect: [20.0, 20.0, 60.0, 60.0],
                },
            };
            let mut spec = SignatureSpec::new(visible.clone(), Utc::now());
            spec.seal_png = Some(seal.clone());
            if visible == Visible::Invisible || rng.chance() {
                spec.date = Some(DateStamp {
                    page: pages,
                    x: 100.0,
                    y: 30.0,
                    size: 10.0,
                    format: String::new(),
                });
            }
            let before = pdf.clone();
            pdf = signet_pdf::sign(&before, &spec, &key, &cert, &chain, Some(&font))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let rewritten = assert_lossless(&name, &before, &pdf);
            assert!(
                rewritten >= 1,
                "{name}: the page or form was not written again"
            );
            assert_no_modification(&name, &verify(&pdf, &options));
        }
    }
}
