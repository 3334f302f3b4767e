//! `signet pdf sign`: sign a PDF from the command line, with no server or database. One
//! signature from the flags, or several from a job file ([`super::job`]), each applied as
//! its own incremental revision.

use chrono::Utc;
use signet_pdf::{
    CjkFont, DateStamp, Level, Pades, Signature, SignatureSpec, Store, TimestampSource, Visible,
};
use signet_pki::sign::{SigningKey, parse_certificates_pem};
use std::path::{Path, PathBuf};

use super::job::{
    CrossPage, Job, JobDate, JobSignature, load_job, parse_pages, parse_point, parse_rect,
};
use crate::app::signing::Timestamps;
use crate::cli::directory_of;

#[derive(clap::Args)]
pub(crate) struct SignArgs {
    /// The PDF to sign.
    input: PathBuf,
    /// Where to write the signed PDF (written only if every signature succeeds).
    output: PathBuf,
    /// A job file listing several signatures (overrides the single-signature flags).
    #[arg(long)]
    job: Option<PathBuf>,
    /// Private key, PKCS#8 PEM (P-256 or SM2).
    #[arg(long)]
    key: Option<PathBuf>,
    /// Signer certificate PEM (further certificates in the file are embedded as the chain).
    #[arg(long)]
    cert: Option<PathBuf>,
    /// Intermediate/root certificates to embed, PEM.
    #[arg(long)]
    chain: Option<PathBuf>,
    /// Seal image, PNG with transparency.
    #[arg(long)]
    seal: Option<PathBuf>,
    /// Page of the seal (1-based).
    #[arg(long)]
    page: Option<u32>,
    /// Seal rectangle: x,y,width,height in points from the lower-left corner of the page as displayed.
    #[arg(long)]
    rect: Option<String>,
    /// Make the seal a cross-page seal (骑缝章) over `--pages`.
    #[arg(long)]
    cross_page: bool,
    /// Pages of the cross-page seal, FIRST-LAST (default: all pages).
    #[arg(long)]
    pages: Option<String>,
    /// Bottom of the cross-page seal, points from the bottom of the page (default: centred).
    #[arg(long)]
    cross_y: Option<f64>,
    /// Height of the cross-page seal in points.
    #[arg(long, default_value_t = 120.0)]
    cross_size: f64,
    /// Add a date stamp with the signing date.
    #[arg(long)]
    date: bool,
    /// Page of the date stamp (default: the seal's page).
    #[arg(long)]
    date_page: Option<u32>,
    /// Lower-left corner of the date text: x,y (default: under the seal).
    #[arg(long)]
    date_at: Option<String>,
    #[arg(long, default_value_t = 12.0)]
    date_size: f64,
    /// chrono format of the date text.
    #[arg(long, default_value = "%Y年%m月%d日")]
    date_format: String,
    /// TrueType CJK font for the date text.
    #[arg(long)]
    font: Option<PathBuf>,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    reason: Option<String>,
    #[arg(long)]
    location: Option<String>,
    /// PAdES level: b-b, b-t (needs --tsa), b-lt (fetches revocation data from the URLs in the
    /// certificates), b-lta (and a document timestamp from --tsa).
    #[arg(long, default_value = "b-b")]
    level: String,
    /// RFC 3161 TSA URL for b-t and b-lta.
    #[arg(long)]
    tsa: Option<String>,
    /// Issuer certificates to add to the DSS when the file does not carry them (b-lt, b-lta).
    #[arg(long)]
    trust: Vec<PathBuf>,
}

pub(super) fn sign(args: &SignArgs) -> anyhow::Result<()> {
    // The output is built beside its final name and renamed over it once complete: a copy of
    // the input made in the kernel (copy_file_range), to which each signature's revision is
    // appended in place. The document is never read into memory whole.
    let dir = directory_of(&args.output);
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut input = std::fs::File::open(&args.input)
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.input.display()))?;
        // The copy's blocks are reserved first: a full disk shows before any signing work.
        let len = input.metadata()?.len();
        // Not every file system can reserve space; the copy works without.
        let reserved =
            rustix::fs::fallocate(tmp.as_file(), rustix::fs::FallocateFlags::KEEP_SIZE, 0, len);
        if reserved == Err(rustix::io::Errno::NOSPC) {
            anyhow::bail!("{}: no space left for the signed copy", dir.display());
        }
        let mut out = tmp.as_file();
        std::io::copy(&mut input, &mut out)
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.input.display()))?;
    }
    let mut store = FileStore::new(tmp.as_file().try_clone()?)?;
    let job = match &args.job {
        Some(path) => load_job(path)?,
        None => {
            let need = |o: &Option<PathBuf>, flag: &str| {
                o.clone()
                    .ok_or_else(|| anyhow::anyhow!("{flag} is required (or use --job)"))
            };
            let rect = args.rect.as_deref().map(parse_rect).transpose()?;
            let cross_page = if args.cross_page {
                let mut image = signet_pdf::source::Image::new(&store)?;
                let src = signet_pdf::doc::SourcePdf::parse_source(
                    &mut image,
                    signet_pdf::doc::Streams::Structure,
                    false,
                )?;
                let (first, last) = match &args.pages {
                    Some(p) => parse_pages(p)?,
                    None => (1, src.pages.len() as u32),
                };
                let (_, h) = src.page(first)?.displayed_size();
                let y = args.cross_y.unwrap_or((h - args.cross_size) / 2.0);
                Some(CrossPage {
                    first,
                    last,
                    y,
                    size: args.cross_size,
                })
            } else {
                None
            };
            let date = if args.date {
                let page = args.date_page.or(args.page).unwrap_or(1);
                let at = match (&args.date_at, rect) {
                    (Some(a), _) => parse_point(a)?,
                    (None, Some(r)) => [r[0], (r[1] - args.date_size * 1.6).max(0.0)],
                    (None, None) => {
                        anyhow::bail!("--date needs --date-at (or a seal --rect to put it under)")
                    }
                };
                Some(JobDate {
                    page,
                    at,
                    size: args.date_size,
                    format: Some(args.date_format.clone()),
                })
            } else {
                None
            };
            Job {
                font: args.font.clone(),
                signatures: vec![JobSignature {
                    key: need(&args.key, "--key")?,
                    cert: need(&args.cert, "--cert")?,
                    chain: args.chain.clone(),
                    seal: args.seal.clone(),
                    page: if args.cross_page { None } else { args.page },
                    rect: if args.cross_page { None } else { rect },
                    cross_page,
                    date,
                    name: args.name.clone(),
                    reason: args.reason.clone(),
                    location: args.location.clone(),
                }],
            }
        }
    };
    let level = super::parse_level(&args.level)?;
    let tsa = args.tsa.clone().map(Timestamps::Remote);
    if level >= Level::BT && tsa.is_none() {
        anyhow::bail!("--level {} needs --tsa URL", args.level);
    }
    let notices = signet_pdf::notices_in(&store);
    run(&mut store, &job, level, tsa.as_ref())?;
    if level >= Level::BLt {
        // Validation data needs every signature's CMS: this step reads the signed file whole.
        let mut signed = vec![0; usize::try_from(signet_pdf::Store::len(&store))?];
        signet_pdf::Store::read_exact_at(&store, &mut signed, 0)?;
        let extended =
            super::extend::extend(signed, level, tsa.as_ref(), &super::anchors(&args.trust)?)?;
        let file = store.into_file();
        file.set_len(0)?;
        std::os::unix::fs::FileExt::write_all_at(&file, &extended, 0)?;
    }
    for n in &notices {
        eprintln!("note: {}", n.message());
    }
    tmp.persist(&args.output).map_err(|e| e.error)?;
    Ok(())
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// A PDF file signed in place: positional reads, revisions appended at its end, and the
/// signature value written into its placeholder. The engine reads only the document's
/// structure and hashes the rest in one pass (`signet_pdf::source`).
pub(super) struct FileStore {
    file: std::fs::File,
    len: u64,
}

impl FileStore {
    /// `file` must be open for reading and writing.
    fn new(file: std::fs::File) -> std::io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(Self { file, len })
    }

    fn into_file(self) -> std::fs::File {
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
fn run<S: Store + ?Sized>(
    doc: &mut S,
    job: &Job,
    level: Level,
    tsa: Option<&Timestamps>,
) -> anyhow::Result<()> {
    let needs_font = job.signatures.iter().any(|s| s.date.is_some());
    let font = if needs_font {
        let bytes = match &job.font {
            Some(path) => read(path)?,
            None => crate::app::signing::cjk_font_bytes()
                .map(|b| b.to_vec())
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "no CJK font for date stamps: {}",
                        crate::app::signing::DEFAULT_FONT
                    )
                })?,
        };
        Some(CjkFont::new(bytes)?)
    } else {
        None
    };
    let pades = Pades::new(level, tsa.map(|t| t as &dyn TimestampSource)).with_font(font.as_ref());
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
        let signature = Signature {
            spec,
            key,
            signer: signer.clone(),
            chain,
        };
        pades
            .sign_store(doc, std::slice::from_ref(&signature))
            .map_err(|e| anyhow::anyhow!("signature {}: {e}", i + 1))?;
    }
    Ok(())
}
