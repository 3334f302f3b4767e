//! `signet`: one binary for the server and its tools.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

use signet_server::config::Settings;
use signet_server::{demo, openapi, startup, telemetry};

#[derive(Parser)]
#[command(
    name = "signet",
    version,
    about = "Signet: electronic contracts and seals"
)]
struct Cli {
    /// TOML configuration file (also `SIGNET_CONFIG`); `SIGNET_*` variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API, the docs and the panel (migrates first).
    Serve {
        /// Seed a demo organisation and users and enable the dev endpoints. Never in production.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// PDF tools that need no server or database.
    Pdf {
        #[command(subcommand)]
        command: PdfCommand,
    },
    /// Operator tools for the agreements users accept at registration.
    Agreements {
        #[command(subcommand)]
        command: AgreementsCommand,
    },
}

#[derive(Subcommand)]
enum PdfCommand {
    /// Sign a PDF: one signature from the flags, or several from `--job FILE` (TOML or
    /// JSON, see docs/PDF.md). Each signature is its own incremental revision.
    Sign(Box<SignArgs>),
    /// Validate every signature of a PDF: integrity, ByteRange, signer chain and revocation,
    /// timestamps, and what later revisions changed. Exit codes: 0 valid, 1 invalid,
    /// 3 untrusted, 4 modified, 5 unreadable, 6 no signatures (2: usage error).
    Verify(VerifyArgs),
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// The PDF to validate.
    input: PathBuf,
    /// Trust anchor certificates (PEM bundle or DER); repeatable.
    #[arg(long)]
    trust: Vec<PathBuf>,
    /// Print the JSON report (docs/VERIFY.md) instead of the summary.
    #[arg(long)]
    json: bool,
    /// Fetch revocation data from the OCSP responders and CRL distribution points named in
    /// the certificates (otherwise only data embedded in the PDF is used).
    #[arg(long)]
    online: bool,
}

fn pdf_verify(args: &VerifyArgs) -> std::process::ExitCode {
    let request = signet_server::verifycli::VerifyRequest {
        input: args.input.clone(),
        trust: args.trust.clone(),
        online: args.online,
    };
    let report = match signet_server::verifycli::run(&request) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("signet pdf verify: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("signet pdf verify: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", signet_pdf::verify::text::render(&report));
    }
    let code = u8::try_from(report.verdict.exit_code()).unwrap_or(1);
    std::process::ExitCode::from(code)
}

#[derive(clap::Args)]
struct SignArgs {
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
}

/// Reads a file into a buffer with room for the revisions to be appended, so signing appends
/// in place instead of copying the document.
fn read_with_room(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len() as usize;
    let mut buf = Vec::with_capacity(len + 1024 * 1024);
    f.read_to_end(&mut buf)?;
    Ok(buf)
}

fn pdf_sign(args: &SignArgs) -> anyhow::Result<()> {
    use signet_server::pdfcli;
    let input = read_with_room(&args.input)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.input.display()))?;
    let job = match &args.job {
        Some(path) => pdfcli::load_job(path)?,
        None => {
            let need = |o: &Option<PathBuf>, flag: &str| {
                o.clone()
                    .ok_or_else(|| anyhow::anyhow!("{flag} is required (or use --job)"))
            };
            let rect = args.rect.as_deref().map(pdfcli::parse_rect).transpose()?;
            let cross_page = if args.cross_page {
                let src = signet_pdf::doc::SourcePdf::parse(&input)?;
                let (first, last) = match &args.pages {
                    Some(p) => pdfcli::parse_pages(p)?,
                    None => (1, src.pages.len() as u32),
                };
                let (_, h) = src.page(first)?.displayed_size();
                let y = args.cross_y.unwrap_or((h - args.cross_size) / 2.0);
                Some(pdfcli::CrossPage {
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
                    (Some(a), _) => pdfcli::parse_point(a)?,
                    (None, Some(r)) => [r[0], (r[1] - args.date_size * 1.6).max(0.0)],
                    (None, None) => {
                        anyhow::bail!("--date needs --date-at (or a seal --rect to put it under)")
                    }
                };
                Some(pdfcli::JobDate {
                    page,
                    at,
                    size: args.date_size,
                    format: Some(args.date_format.clone()),
                })
            } else {
                None
            };
            pdfcli::Job {
                font: args.font.clone(),
                signatures: vec![pdfcli::JobSignature {
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
    let signed = pdfcli::run(input, &job)?;
    let dir = args
        .output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, &signed)?;
    tmp.persist(&args.output).map_err(|e| e.error)?;
    Ok(())
}

#[derive(Subcommand)]
enum AgreementsCommand {
    /// Publish a new version of an agreement from a Markdown file; new registrations must
    /// accept it from then on.
    Publish {
        /// `user_agreement` or `privacy_policy`.
        #[arg(long)]
        kind: String,
        /// The title shown to users, e.g. 用户协议.
        #[arg(long)]
        title: String,
        /// Markdown text of the agreement.
        file: PathBuf,
    },
    /// List every published version.
    List,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        print!("{}", openapi::document_json());
        return std::process::ExitCode::SUCCESS;
    }
    if let Command::Pdf {
        command: PdfCommand::Sign(args),
    } = &cli.command
    {
        return match pdf_sign(args) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("signet pdf sign: {e:#}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    if let Command::Pdf {
        command: PdfCommand::Verify(args),
    } = &cli.command
    {
        return pdf_verify(args);
    }
    let mut settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("signet: configuration error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("signet: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Serve { demo } => {
                settings.demo |= demo;
                let demo = settings.demo;
                let base = settings.http.public_base_url.clone();
                let app = startup::Application::build(settings).await?;
                tracing::info!(port = app.port(), "listening");
                if demo {
                    println!("{}", demo::credentials_banner(&base));
                }
                app.run_until_stopped().await?;
                Ok(())
            }
            Command::Migrate => {
                use secrecy::ExposeSecret;
                std::fs::create_dir_all(&settings.data_dir)?;
                let db = signet_store::connect(settings.database.url.expose_secret(), 2).await?;
                signet_store::migrate(&db).await?;
                println!("migrations applied");
                Ok(())
            }
            Command::Agreements { command } => {
                use secrecy::ExposeSecret;
                std::fs::create_dir_all(&settings.data_dir)?;
                let db = signet_store::connect(settings.database.url.expose_secret(), 2).await?;
                signet_store::migrate(&db).await?;
                match command {
                    AgreementsCommand::Publish { kind, title, file } => {
                        let body = std::fs::read_to_string(&file)?;
                        let a =
                            signet_server::agreements::publish(&db, &kind, &title, &body).await?;
                        println!("published {} version {} ({})", a.kind, a.version, a.id);
                    }
                    AgreementsCommand::List => {
                        for a in signet_server::agreements::all(&db).await? {
                            println!(
                                "{}\t{}\t{}\t{}",
                                a.kind,
                                a.version,
                                a.published_at.to_rfc3339(),
                                a.title
                            );
                        }
                    }
                }
                Ok(())
            }
            Command::Openapi | Command::Pdf { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            let e: anyhow::Error = e;
            tracing::error!(error = ?e, "signet failed");
            eprintln!("signet: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
