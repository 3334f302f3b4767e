//! `signet pdf sign`: sign a PDF from the command line, with no server or database.
//!
//! One signature from flags, or several from a job file (`--job job.toml` or `.json`), each
//! applied as its own incremental revision, in order:
//!
//! ```toml
//! font = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"   # optional
//!
//! [[signature]]              # paths are relative to the job file
//! key = "personal.key.pem"
//! cert = "personal.crt.pem"
//! chain = "ca.pem"           # optional
//! seal = "signature.png"
//! page = 1
//! rect = [360, 60, 120, 120] # x, y, width, height (points, page as displayed)
//! date = { page = 1, at = [360, 40], size = 12 }   # optional, format = "%Y年%m月%d日"
//!
//! [[signature]]
//! key = "company.key.pem"
//! cert = "company.crt.pem"
//! seal = "company-seal.png"
//! cross_page = { first = 1, last = 3, y = 300, size = 120 }
//! ```

use chrono::Utc;
use serde::Deserialize;
use signet_pdf::{CjkFont, DateStamp, SignatureSpec, Store, Visible};
use signet_pki::sign::{SigningKey, parse_certificates_pem};
use std::path::{Path, PathBuf};

use crate::signing::{Level, Timestamps};

pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    pub font: Option<PathBuf>,
    #[serde(rename = "signature")]
    pub signatures: Vec<JobSignature>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSignature {
    pub key: PathBuf,
    pub cert: PathBuf,
    pub chain: Option<PathBuf>,
    pub seal: Option<PathBuf>,
    pub page: Option<u32>,
    pub rect: Option<[f64; 4]>,
    pub cross_page: Option<CrossPage>,
    pub date: Option<JobDate>,
    pub name: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossPage {
    pub first: u32,
    pub last: u32,
    pub y: f64,
    pub size: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobDate {
    pub page: u32,
    pub at: [f64; 2],
    #[serde(default = "default_date_size")]
    pub size: f64,
    pub format: Option<String>,
}

fn default_date_size() -> f64 {
    12.0
}

pub fn parse_rect(s: &str) -> anyhow::Result<[f64; 4]> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()?;
    match v.as_slice() {
        [x, y, w, h] => Ok([*x, *y, *w, *h]),
        _ => anyhow::bail!("expected x,y,width,height, got {s:?}"),
    }
}

pub fn parse_point(s: &str) -> anyhow::Result<[f64; 2]> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()?;
    match v.as_slice() {
        [x, y] => Ok([*x, *y]),
        _ => anyhow::bail!("expected x,y, got {s:?}"),
    }
}

pub fn parse_pages(s: &str) -> anyhow::Result<(u32, u32)> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| anyhow::anyhow!("expected FIRST-LAST, got {s:?}"))?;
    Ok((a.trim().parse()?, b.trim().parse()?))
}

pub fn load_job(path: &Path) -> anyhow::Result<Job> {
    let text = std::fs::read_to_string(path)?;
    let mut job: Job = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text)?
    } else {
        toml::from_str(&text)?
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let rel = |p: &mut PathBuf| {
        if p.is_relative() {
            *p = base.join(&*p);
        }
    };
    if let Some(f) = job.font.as_mut() {
        rel(f);
    }
    for s in &mut job.signatures {
        rel(&mut s.key);
        rel(&mut s.cert);
        if let Some(c) = s.chain.as_mut() {
            rel(c);
        }
        if let Some(c) = s.seal.as_mut() {
            rel(c);
        }
    }
    Ok(job)
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// A PDF file signed in place: positional reads, revisions appended at its end, and the
/// signature value written into its placeholder. The engine reads only the document's
/// structure and hashes the rest in one pass (`signet_pdf::source`).
pub struct FileStore {
    file: std::fs::File,
    len: u64,
}

impl FileStore {
    /// `file` must be open for reading and writing.
    pub fn new(file: std::fs::File) -> std::io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(Self { file, len })
    }

    pub fn into_file(self) -> std::fs::File {
        self.file
    }
}

impl Store for FileStore {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(&self.file, buf, offset)
    }

    fn write_all_at(&mut self, bytes: &[u8], offset: u64) -> std::io::Result<()> {
        if offset.saturating_add(bytes.len() as u64) > self.len {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a write past the end of the document",
            ));
        }
        std::os::unix::fs::FileExt::write_all_at(&self.file, bytes, offset)
    }

    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        std::os::unix::fs::FileExt::write_all_at(&self.file, bytes, self.len)?;
        self.len += bytes.len() as u64;
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        self.file.set_len(len)?;
        self.len = len;
        Ok(())
    }
}

/// Applies every signature of the job to the document in `doc`, in order, each appended as
/// its own revision. With `tsa`, each signature gets a signature timestamp (B-T).
pub fn run<S: Store + ?Sized>(
    doc: &mut S,
    job: &Job,
    tsa: Option<&Timestamps>,
) -> anyhow::Result<()> {
    let needs_font = job.signatures.iter().any(|s| s.date.is_some());
    let font = if needs_font {
        let bytes = match &job.font {
            Some(path) => read(path)?,
            None => crate::signing::cjk_font_bytes()
                .map(|b| b.to_vec())
                .ok_or_else(|| anyhow::anyhow!("no CJK font for date stamps: {DEFAULT_FONT}"))?,
        };
        Some(CjkFont::new(bytes)?)
    } else {
        None
    };
    for (i, s) in job.signatures.iter().enumerate() {
        let key = SigningKey::from_pem(&String::from_utf8_lossy(&read(&s.key)?))?;
        let certs = parse_certificates_pem(&String::from_utf8_lossy(&read(&s.cert)?))?;
        let signer = certs
            .first()
            .ok_or_else(|| anyhow::anyhow!("no certificate in {}", s.cert.display()))?;
        let mut chain: Vec<_> = certs.iter().skip(1).cloned().collect();
        if let Some(c) = &s.chain {
            chain.extend(parse_certificates_pem(&String::from_utf8_lossy(&read(c)?))?);
        }
        let visible = match (&s.cross_page, s.page, s.rect) {
            (Some(c), _, _) => Visible::CrossPage {
                first: c.first,
                last: c.last,
                y: c.y,
                size: c.size,
            },
            (None, Some(page), Some(rect)) => Visible::Seal { page, rect },
            (None, None, None) => Visible::Invisible,
            _ => anyhow::bail!(
                "signature {}: give both page and rect, or cross_page",
                i + 1
            ),
        };
        let mut spec = SignatureSpec::new(visible, Utc::now());
        spec.seal_png = s.seal.as_deref().map(read).transpose()?;
        spec.name = s.name.clone();
        spec.reason = s.reason.clone();
        spec.location = s.location.clone();
        spec.date = s.date.as_ref().map(|d| DateStamp {
            page: d.page,
            x: d.at[0],
            y: d.at[1],
            size: d.size,
            format: d
                .format
                .clone()
                .unwrap_or_else(|| DateStamp::DEFAULT_FORMAT.into()),
        });
        let alg = key.algorithm();
        let mut complete = |cms: Vec<u8>| match tsa {
            Some(source) => {
                let mut stamp = |digest: &[u8]| source.token(alg, digest);
                signet_pdf::ltv::timestamp_signature(&cms, &mut stamp)
            }
            None => Ok(cms),
        };
        signet_pdf::sign_store(
            doc,
            &spec,
            &key,
            signer,
            &chain,
            font.as_ref(),
            &mut complete,
        )
        .map_err(|e| anyhow::anyhow!("signature {}: {e}", i + 1))?;
    }
    Ok(())
}

/// Raises a signed PDF to B-LT or B-LTA without a database: the certificates embedded in it,
/// OCSP responses and CRLs fetched from the URLs those certificates name, a DSS revision, and
/// for B-LTA a document timestamp from `tsa`. `trust` adds issuers the file does not carry
/// (the roots). Lower levels return the file unchanged.
pub fn extend(
    pdf: Vec<u8>,
    level: Level,
    tsa: Option<&Timestamps>,
    trust: &signet_pki::verify::TrustAnchors,
) -> anyhow::Result<Vec<u8>> {
    if level < Level::BLt {
        return Ok(pdf);
    }
    let embedded = signet_pdf::ltv::embedded_certificates(&pdf)?;
    let fetched = crate::verifycli::fetch_revocation(
        &embedded,
        trust,
        crate::verifycli::FetchPolicy::ANY_ADDRESS,
    );
    let mut material = signet_pdf::ltv::DssMaterial::default();
    for cert in embedded
        .iter()
        .chain(fetched.certificates.iter())
        .chain(trust.certificates().iter())
    {
        let der = der::Encode::to_der(cert)?;
        if !material.certs.contains(&der) {
            material.certs.push(der);
        }
    }
    material.ocsps = fetched.ocsp_responses;
    material.crls = fetched.crls;
    let pdf = signet_pdf::ltv::add_dss(pdf, &material)?;
    if level < Level::BLta {
        return Ok(pdf);
    }
    let source = tsa.ok_or_else(|| anyhow::anyhow!("b-lta needs --tsa URL"))?;
    let mut stamp = |digest: &[u8]| source.token(signet_pki::sign::KeyAlgorithm::EcdsaP256, digest);
    Ok(signet_pdf::ltv::add_document_timestamp(
        pdf,
        16 * 1024,
        &mut stamp,
    )?)
}
