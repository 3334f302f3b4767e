//! `signet`: one binary for the server and its tools.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

use signet_server::config::Settings;
use signet_server::{demo, openapi, pkicli, startup, telemetry};

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
enum DbCommand {
    /// PostgreSQL: let ROLE (an existing login role) run the application with every right
    /// but changing or deleting audit events. Runs as `database.migrate_url` (the owner).
    GrantApp { role: String },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check every task's chain (or one task's) and its timestamp anchors; exits non-zero
    /// naming the first broken link of each broken chain.
    Verify {
        #[arg(long)]
        task: Option<String>,
    },
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API, the docs and the panel (migrates first).
    Serve {
        /// Seed a demo organisation and users and enable the dev endpoints (whose SMS outbox
        /// lets anyone log in as anyone). Never in production: refused on a non-loopback
        /// address unless `--allow-public-demo` is given too.
        #[arg(long)]
        demo: bool,
        /// Allow `--demo` on a non-loopback listen address.
        #[arg(long, requires = "demo")]
        allow_public_demo: bool,
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
    /// The built-in PKI: create, show, rotate the CAs; revoke certificates.
    Pki {
        #[command(subcommand)]
        command: PkiCommand,
    },
    /// Operator tools for certificates of outside CAs bound to accounts.
    Cert {
        #[command(subcommand)]
        command: CertCommand,
    },
    /// Operator tools for organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Fill a PostgreSQL database with generated users and tasks for the list benchmark.
    BenchSeed {
        #[arg(long, default_value_t = 1_000_000)]
        tasks: u64,
        #[arg(long, default_value_t = 10_000)]
        users: u64,
    },
    /// Database set-up tools.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// The evidence trail: check the hash chains of task audit events.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Operator tools for users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The local signing agent for USB tokens (PKCS#11): lists their certificates and signs
    /// with a token's key after its PIN, for one web origin, on 127.0.0.1.
    Agent {
        /// The PKCS#11 module of the tokens.
        #[arg(long, default_value = "/usr/lib/softhsm/libsofthsm2.so")]
        module: PathBuf,
        /// The Signet web origin allowed to use the agent, e.g. https://sign.example.com.
        #[arg(long)]
        origin: String,
        /// Loopback address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:9321")]
        listen: String,
    },
    /// Sign a PDF through a Signet server with a key kept here (external signing): the server
    /// prepares the revision, this key signs the signed attributes, the server embeds it.
    SignExternal(Box<SignExternalArgs>),
    /// Operator tools for the agreements users accept at registration.
    Agreements {
        #[command(subcommand)]
        command: AgreementsCommand,
    },
}

#[derive(clap::Args)]
struct SignExternalArgs {
    /// The PDF to sign.
    input: PathBuf,
    /// Where to write the signed PDF.
    output: PathBuf,
    /// The Signet server, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "SIGNET_SERVER")]
    server: String,
    /// An access token of the certificate's holder.
    #[arg(long, env = "SIGNET_TOKEN", hide_env_values = true)]
    token: String,
    /// The private key, PKCS#8 or SEC1 PEM (P-256 or SM2); it never leaves this machine.
    #[arg(long)]
    key: PathBuf,
    /// The id of the certificate (issued for this key with POST /api/v1/certificates/csr).
    #[arg(long)]
    certificate: String,
    /// PAdES level: b-b, b-t, b-lt or b-lta.
    #[arg(long, default_value = "b-t")]
    level: String,
    /// Page of a visible seal (with --rect and --seal).
    #[arg(long)]
    page: Option<u32>,
    /// Seal rectangle: x,y,width,height in points.
    #[arg(long)]
    rect: Option<String>,
    /// Seal image (PNG).
    #[arg(long)]
    seal: Option<PathBuf>,
}

fn sign_external(args: &SignExternalArgs) -> anyhow::Result<()> {
    let run = signet_server::extcli::ExternalArgs {
        server: args.server.clone(),
        token: args.token.clone(),
        key: args.key.clone(),
        certificate: args.certificate.clone(),
        level: args.level.clone(),
        page: args.page,
        rect: args
            .rect
            .as_deref()
            .map(signet_server::pdfcli::parse_rect)
            .transpose()?,
        seal: args.seal.clone(),
        input: args.input.clone(),
    };
    let signed = signet_server::extcli::run(&run)?;
    write_atomically(&args.output, &signed)
}

#[derive(Subcommand)]
enum PkiCommand {
    /// Create a root CA, an issuing CA, and the OCSP, TSA and platform certificates for ECDSA
    /// P-256 and for SM2, unless they exist (keys sealed under the master key).
    Init,
    /// List the CAs and service certificates with their URLs.
    Show,
    /// Start a new issuing CA for an algorithm; the old one is retired but keeps answering
    /// OCSP and CRL requests.
    Rotate {
        /// `p256` or `sm2`.
        #[arg(long)]
        algorithm: String,
    },
    /// Revoke the certificate with this serial number (hex).
    Revoke {
        serial: String,
        /// RFC 5280 reason: keyCompromise, superseded, cessationOfOperation, affiliationChanged,
        /// privilegeWithdrawn, unspecified.
        #[arg(long, default_value = "unspecified")]
        reason: String,
    },
}

#[derive(Subcommand)]
enum CertCommand {
    /// Approve a pending binding (when `pki.binding_requires_approval` is on).
    Approve { binding: String },
    /// Reject a pending binding.
    Reject { binding: String },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Grant a user (by account name or phone) the right to initiate signing tasks for
    /// personal use (off by default); `--revoke` withdraws it.
    GrantInitiate {
        user: String,
        #[arg(long)]
        revoke: bool,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Mark an organisation verified (by its id: names are not unique), so it may get
    /// certificates.
    Verify { org: String },
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
    /// Raise the signatures of a signed PDF to B-LT (DSS with the certificates, OCSP responses
    /// and CRLs fetched from the URLs in the certificates) or B-LTA (and a document timestamp).
    Extend(ExtendArgs),
}

#[derive(clap::Args)]
struct ExtendArgs {
    /// The signed PDF.
    input: PathBuf,
    /// Where to write the result (default: replace the input).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// `b-lt` or `b-lta`.
    #[arg(long, default_value = "b-lta")]
    level: String,
    /// RFC 3161 TSA URL for the document timestamp (e.g. a Signet server's /pki/tsa).
    #[arg(long)]
    tsa: Option<String>,
    /// Certificates (PEM or DER) to add as issuers the file does not carry, e.g. the root.
    #[arg(long)]
    trust: Vec<PathBuf>,
}

fn parse_level(s: &str) -> anyhow::Result<signet_server::signing::Level> {
    signet_server::signing::Level::parse(s)
        .ok_or_else(|| anyhow::anyhow!("the level must be b-b, b-t, b-lt or b-lta"))
}

fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn anchors(paths: &[PathBuf]) -> anyhow::Result<signet_pki::verify::TrustAnchors> {
    let mut anchors = signet_pki::verify::TrustAnchors::new();
    for path in paths {
        let data = std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        for cert in signet_pdf::verify::anchors_from(&data)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            .certificates()
        {
            anchors.push(cert.clone());
        }
    }
    Ok(anchors)
}

fn pdf_extend(args: &ExtendArgs) -> anyhow::Result<()> {
    let level = parse_level(&args.level)?;
    let input = read_with_room(&args.input)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.input.display()))?;
    let tsa = args
        .tsa
        .clone()
        .map(signet_server::signing::Timestamps::Remote);
    let out = signet_server::pdfcli::extend(input, level, tsa.as_ref(), &anchors(&args.trust)?)?;
    write_atomically(args.output.as_ref().unwrap_or(&args.input), &out)
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
    // The output is built beside its final name and renamed over it once complete: a copy of
    // the input made in the kernel (copy_file_range), to which each signature's revision is
    // appended in place. The document is never read into memory whole.
    let dir = args
        .output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
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
    let mut store = pdfcli::FileStore::new(tmp.as_file().try_clone()?)?;
    let job = match &args.job {
        Some(path) => pdfcli::load_job(path)?,
        None => {
            let need = |o: &Option<PathBuf>, flag: &str| {
                o.clone()
                    .ok_or_else(|| anyhow::anyhow!("{flag} is required (or use --job)"))
            };
            let rect = args.rect.as_deref().map(pdfcli::parse_rect).transpose()?;
            let cross_page = if args.cross_page {
                let mut image = signet_pdf::source::Image::new(&store)?;
                let src = signet_pdf::doc::SourcePdf::parse_source(
                    &mut image,
                    signet_pdf::doc::Streams::Structure,
                    false,
                )?;
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
    let level = parse_level(&args.level)?;
    let tsa = args
        .tsa
        .clone()
        .map(signet_server::signing::Timestamps::Remote);
    if level >= signet_server::signing::Level::BT && tsa.is_none() {
        anyhow::bail!("--level {} needs --tsa URL", args.level);
    }
    let stamped = if level >= signet_server::signing::Level::BT {
        tsa.as_ref()
    } else {
        None
    };
    let notices = signet_pdf::notices_in(&store);
    pdfcli::run(&mut store, &job, stamped)?;
    if level >= signet_server::signing::Level::BLt {
        // Validation data needs every signature's CMS: this step reads the signed file whole.
        let mut signed = vec![0; usize::try_from(signet_pdf::Store::len(&store))?];
        signet_pdf::Store::read_exact_at(&store, &mut signed, 0)?;
        let extended = pdfcli::extend(signed, level, tsa.as_ref(), &anchors(&args.trust)?)?;
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
    if let Command::Agent {
        module,
        origin,
        listen,
    } = &cli.command
    {
        let settings = signet_server::agent::AgentSettings {
            module: module.clone(),
            origin: origin.clone(),
            listen: listen.clone(),
        };
        let result = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|rt| rt.block_on(signet_server::agent::run(settings)));
        return match result {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("signet agent: {e:#}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    if let Command::SignExternal(args) = &cli.command {
        return match sign_external(args) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("signet sign-external: {e:#}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    if let Command::Pdf {
        command: PdfCommand::Extend(args),
    } = &cli.command
    {
        return match pdf_extend(args) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("signet pdf extend: {e:#}");
                std::process::ExitCode::FAILURE
            }
        };
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
            Command::Serve {
                demo,
                allow_public_demo,
            } => {
                if demo {
                    startup::check_demo_listen(&settings.http.host, allow_public_demo)?;
                    tracing::warn!(
                        "DEMO MODE: demo accounts with published passwords, and a dev SMS outbox \
                         that lets anyone log in as anyone. Never use this installation for real \
                         documents."
                    );
                }
                settings.demo = demo;
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
                let db =
                    signet_store::connect(settings.database.owner_url().expose_secret(), 2).await?;
                signet_store::migrate(&db).await?;
                println!("migrations applied");
                Ok(())
            }
            Command::Agreements { command } => {
                use secrecy::ExposeSecret;
                std::fs::create_dir_all(&settings.data_dir)?;
                let db =
                    signet_store::connect(settings.database.owner_url().expose_secret(), 2).await?;
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
            Command::Pki { command } => match command {
                PkiCommand::Init => pkicli::init(&settings).await,
                PkiCommand::Show => pkicli::show(&settings).await,
                PkiCommand::Rotate { algorithm } => pkicli::rotate(&settings, &algorithm).await,
                PkiCommand::Revoke { serial, reason } => {
                    pkicli::revoke(&settings, &serial, &reason).await
                }
            },
            Command::Org {
                command: OrgCommand::Verify { org },
            } => pkicli::org_verify(&settings, &org).await,
            Command::BenchSeed { tasks, users } => {
                use secrecy::ExposeSecret;
                let db =
                    signet_store::connect(settings.database.owner_url().expose_secret(), 2).await?;
                signet_store::migrate(&db).await?;
                signet_server::benchseed::seed(&db, tasks, users).await?;
                println!("seeded {tasks} tasks over {users} users");
                Ok(())
            }
            Command::Db {
                command: DbCommand::GrantApp { role },
            } => {
                use secrecy::ExposeSecret;
                let db =
                    signet_store::connect(settings.database.owner_url().expose_secret(), 2).await?;
                signet_store::migrate(&db).await?;
                signet_store::grant_app_role(&db, &role).await?;
                println!(
                    "granted {role} the application's rights (audit tables: read and insert only)"
                );
                Ok(())
            }
            Command::Audit {
                command: AuditCommand::Verify { task },
            } => pkicli::audit_verify(&settings, task.as_deref()).await,
            Command::User {
                command: UserCommand::GrantInitiate { user, revoke },
            } => pkicli::grant_initiate(&settings, &user, !revoke).await,
            Command::Cert { command } => match command {
                CertCommand::Approve { binding } => {
                    pkicli::decide_binding(&settings, &binding, true).await
                }
                CertCommand::Reject { binding } => {
                    pkicli::decide_binding(&settings, &binding, false).await
                }
            },
            Command::Openapi
            | Command::Pdf { .. }
            | Command::SignExternal(_)
            | Command::Agent { .. } => Ok(()),
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
