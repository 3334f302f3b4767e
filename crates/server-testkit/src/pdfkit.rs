//! Helpers shared by the PDF tests: tool checks (skip outside CI, fail in CI), the shared
//! corpus, a test PKI made with the openssl CLI, seal images, and the `signet` binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use signet_testkit::openssl::{Issue, KeyKind, OpensslCa};

pub fn in_ci() -> bool {
    signet_testkit::in_ci()
}

pub fn have(tool: &str) -> bool {
    signet_testkit::have_command(tool)
}

/// `true` when every tool is present; otherwise skip (or fail in CI).
pub fn tools(list: &[&str]) -> bool {
    signet_testkit::require_commands(list)
}

pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

pub fn corpus() -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(shared().join("corpus/pdf"))
        .expect("../shared/corpus/pdf exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    v.sort();
    v
}

/// The corpus plus files rewritten by qpdf the ways other producers write them: linearized,
/// and with object streams and an xref stream.
pub fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v = corpus();
    let base = shared().join("corpus/pdf/reportlab-three-pages.pdf");
    for (name, args) in [
        ("qpdf-linearized.pdf", &["--linearize"][..]),
        (
            "qpdf-object-streams.pdf",
            &["--object-streams=generate"][..],
        ),
    ] {
        let out = dir.join(name);
        ok(Command::new("qpdf").args(args).arg(&base).arg(&out));
        v.push(out);
    }
    v
}

pub fn run(cmd: &mut Command) -> std::process::Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

pub fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A test CA and a signer certificate for P-256 or SM2, made with the openssl CLI.
pub struct Pki {
    pub ca: PathBuf,
    pub key: PathBuf,
    pub cert: PathBuf,
}

pub fn make_pki(dir: &Path, sm2: bool) -> Pki {
    let kind = if sm2 { KeyKind::Sm2 } else { KeyKind::P256 };
    let ca = OpensslCa::new_in(
        dir,
        kind,
        "/CN=Signet Test Root/O=Signet",
        "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n",
        3650,
    );
    ca.write("leaf.ext", "basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
    let cert = ca.issue(
        Issue::new("signer", "/CN=张三/O=示例科技有限公司")
            .ext("leaf.ext")
            .days(365)
            .serial("4242"),
    );
    Pki {
        ca: ca.file("root.pem"),
        key: ca.file("signer.key"),
        cert,
    }
}

/// A round red seal with a transparent background, `size` pixels square.
pub fn seal_png(path: &Path, size: u32) {
    let mut data = Vec::with_capacity((size * size * 4) as usize);
    let c = size as f64 / 2.0;
    for y in 0..size {
        for x in 0..size {
            let d = ((x as f64 - c).powi(2) + (y as f64 - c).powi(2)).sqrt();
            let on = d < c - 2.0;
            data.extend_from_slice(if on {
                &[220, 20, 20, 255]
            } else {
                &[0, 0, 0, 0]
            });
        }
    }
    let f = std::fs::File::create(path).unwrap();
    let mut enc = png::Encoder::new(f, size, size);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(&data).unwrap();
}

/// The three-page ReportLab file of the shared corpus, the usual document to sign.
pub fn corpus_pdf() -> Vec<u8> {
    std::fs::read(shared().join("corpus/pdf/reportlab-three-pages.pdf")).unwrap()
}

/// Runs `signet pdf verify --json` with these trust anchors; the exit code and the report.
pub fn verify_json(pdf: &Path, trust: &[&Path]) -> (i32, serde_json::Value) {
    let mut cmd = signet();
    cmd.args(["pdf", "verify", "--json"]);
    for t in trust {
        cmd.arg("--trust").arg(t);
    }
    let out = run(cmd.arg(pdf));
    let code = out.status.code().expect("exit code");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}):\n{}\n{}",
            pdf.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, json)
}

/// `signet pdf sign INPUT OUT` with the test PKI's key and chain and a visible seal on page 1
/// at `rect` ("x,y,w,h"); more flags may be added before running it.
pub fn sign_command(input: &Path, out: &Path, pki: &Pki, seal: &Path, rect: &str) -> Command {
    let mut cmd = signet();
    cmd.args(["pdf", "sign"])
        .arg(input)
        .arg(out)
        .arg("--key")
        .arg(&pki.key)
        .arg("--cert")
        .arg(&pki.cert)
        .arg("--chain")
        .arg(&pki.ca)
        .arg("--seal")
        .arg(seal)
        .args(["--page", "1", "--rect", rect]);
    cmd
}

/// The `signet` binary of this build: as nextest names it (`NEXTEST_BIN_EXE_signet`), else
/// beside the test binary's `deps/` directory (`target/<profile>/signet`).
pub fn signet() -> Command {
    Command::new(signet_bin())
}

pub fn signet_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("NEXTEST_BIN_EXE_signet") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    profile_dir.join("signet")
}

pub fn page_count(pdf: &Path) -> u32 {
    let info = ok(Command::new("pdfinfo").arg(pdf));
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Displayed page size in points, from pdfinfo (rotation applied).
pub fn page_size(pdf: &Path, page: u32) -> (f64, f64, i64) {
    let info = ok(Command::new("pdfinfo")
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf));
    let size = info
        .lines()
        .find(|l| l.starts_with(&format!("Page {page:>4} size:")))
        .unwrap()
        .to_owned();
    let rot = info
        .lines()
        .find(|l| l.starts_with(&format!("Page {page:>4} rot:")))
        .map_or(0, |l| l.rsplit(' ').next().unwrap().trim().parse().unwrap());
    let nums: Vec<f64> = size
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let (w, h) = (nums[1], nums[2]);
    if rot % 180 == 0 {
        (w, h, rot)
    } else {
        (h, w, rot)
    }
}

/// Signs `input` with a visible seal + date on page 1 and (for multi-page files) a
/// cross-page seal over every page, as two signatures from a job file.
pub fn sign_corpus_file(dir: &Path, input: &Path, pki: &Pki, seal: &Path) -> (PathBuf, u32) {
    let pages = page_count(input);
    let (w, _, _) = page_size(input, 1);
    let x = (w - 160.0).max(10.0);
    let mut job = format!(
        "[[signature]]\nkey = {:?}\ncert = {:?}\nchain = {:?}\nseal = {:?}\npage = 1\nrect = [{x}, 100, 120, 120]\nname = \"张三\"\nreason = \"同意\"\ndate = {{ page = 1, at = [{x}, 70], size = 14 }}\n",
        pki.key, pki.cert, pki.ca, seal
    );
    if pages >= 2 {
        job.push_str(&format!(
            "[[signature]]\nkey = {:?}\ncert = {:?}\nchain = {:?}\nseal = {:?}\ncross_page = {{ first = 1, last = {pages}, y = 300, size = 120 }}\n",
            pki.key, pki.cert, pki.ca, seal
        ));
    }
    let job_path = dir.join("job.toml");
    std::fs::write(&job_path, job).unwrap();
    let out = dir.join(format!(
        "signed-{}",
        input.file_name().unwrap().to_string_lossy()
    ));
    ok(signet()
        .args(["pdf", "sign"])
        .arg(input)
        .arg(&out)
        .arg("--job")
        .arg(&job_path));
    let added = if pages >= 2 { 2 } else { 1 };
    (out, added)
}
