//! The job file of `signet pdf sign` (`--job job.toml` or `.json`): several signatures,
//! each applied as its own incremental revision, in order:
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

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Job {
    pub(super) font: Option<PathBuf>,
    #[serde(rename = "signature")]
    pub(super) signatures: Vec<JobSignature>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct JobSignature {
    pub(super) key: PathBuf,
    pub(super) cert: PathBuf,
    pub(super) chain: Option<PathBuf>,
    pub(super) seal: Option<PathBuf>,
    pub(super) page: Option<u32>,
    pub(super) rect: Option<[f64; 4]>,
    pub(super) cross_page: Option<CrossPage>,
    pub(super) date: Option<JobDate>,
    pub(super) name: Option<String>,
    pub(super) reason: Option<String>,
    pub(super) location: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CrossPage {
    pub(super) first: u32,
    pub(super) last: u32,
    pub(super) y: f64,
    pub(super) size: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct JobDate {
    pub(super) page: u32,
    pub(super) at: [f64; 2],
    #[serde(default = "default_date_size")]
    pub(super) size: f64,
    pub(super) format: Option<String>,
}

fn default_date_size() -> f64 {
    12.0
}

pub(crate) fn parse_rect(s: &str) -> anyhow::Result<[f64; 4]> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()?;
    match v.as_slice() {
        [x, y, w, h] => Ok([*x, *y, *w, *h]),
        _ => anyhow::bail!("expected x,y,width,height, got {s:?}"),
    }
}

pub(crate) fn parse_point(s: &str) -> anyhow::Result<[f64; 2]> {
    let v: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()?;
    match v.as_slice() {
        [x, y] => Ok([*x, *y]),
        _ => anyhow::bail!("expected x,y, got {s:?}"),
    }
}

pub(crate) fn parse_pages(s: &str) -> anyhow::Result<(u32, u32)> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| anyhow::anyhow!("expected FIRST-LAST, got {s:?}"))?;
    Ok((a.trim().parse()?, b.trim().parse()?))
}

pub(super) fn load_job(path: &Path) -> anyhow::Result<Job> {
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
