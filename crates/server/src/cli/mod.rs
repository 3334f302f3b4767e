//! The `signet` command line: one clap tree and one dispatch. Each command group has its
//! own module; `main.rs` only calls [`main`].
//!
//! Commands that need no configuration (`openapi`, `pdf …`, `sign-external`) run
//! without loading settings; the rest load the settings, start a runtime and work on the
//! database the server uses (connected and migrated by [`db::connect`]).

mod agreements;
mod audit;
mod cert;
mod db;
mod external;
mod org;
mod pdf;
mod pki;
mod user;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::Settings;
use crate::{demo, openapi, startup, telemetry};

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
        command: pdf::PdfCommand,
    },
    /// The built-in PKI: create, show, rotate the CAs; revoke certificates.
    Pki {
        #[command(subcommand)]
        command: pki::PkiCommand,
    },
    /// Operator tools for certificates of outside CAs bound to accounts.
    Cert {
        #[command(subcommand)]
        command: cert::CertCommand,
    },
    /// Operator tools for organisations.
    Org {
        #[command(subcommand)]
        command: org::OrgCommand,
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
        command: db::DbCommand,
    },
    /// The evidence trail: check the hash chains of task audit events.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Operator tools for users.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// Sign a PDF through a Signet server with a key kept here (external signing): the server
    /// prepares the revision, this key signs the signed attributes, the server embeds it.
    SignExternal(Box<external::SignExternalArgs>),
    /// Operator tools for the agreements users accept at registration.
    Agreements {
        #[command(subcommand)]
        command: agreements::AgreementsCommand,
    },
}

/// Parses the command line and runs the command; the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi => {
            print!("{}", openapi::document_json());
            ExitCode::SUCCESS
        }
        Command::Pdf { command } => pdf::run(&command),
        Command::SignExternal(args) => outcome("signet sign-external", external::run(&args)),
        command => with_settings(cli.config.as_deref(), command),
    }
}

/// A command's result as the exit code, its error printed after `prefix`.
fn outcome(prefix: &str, result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{prefix}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Loads the settings (exit code 2 when they are wrong), starts logging and a runtime, and
/// runs a command that works on the server's database.
fn with_settings(config: Option<&Path>, command: Command) -> ExitCode {
    let settings = match Settings::load(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("signet: configuration error: {e}");
            return ExitCode::from(2);
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
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(operate(settings, command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = ?e, "signet failed");
            eprintln!("signet: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn operate(settings: Settings, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve {
            demo,
            allow_public_demo,
        } => serve(settings, demo, allow_public_demo).await,
        Command::Migrate => {
            db::connect(&settings).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Agreements { command } => agreements::run(&settings, command).await,
        Command::Pki { command } => pki::run(&settings, command).await,
        Command::Org { command } => org::run(&settings, command).await,
        Command::BenchSeed { tasks, users } => db::bench_seed(&settings, tasks, users).await,
        Command::Db { command } => db::run(&settings, command).await,
        Command::Audit { command } => audit::run(&settings, command).await,
        Command::User { command } => user::run(&settings, command).await,
        Command::Cert { command } => cert::run(&settings, command).await,
        Command::Openapi | Command::Pdf { .. } | Command::SignExternal(_) => {
            anyhow::bail!("this command does not use the database")
        }
    }
}

async fn serve(mut settings: Settings, demo: bool, allow_public_demo: bool) -> anyhow::Result<()> {
    if demo {
        startup::check_demo_listen(&settings.http.host, allow_public_demo)?;
        tracing::warn!(
            "DEMO MODE: demo accounts with published passwords, and a dev SMS outbox that lets \
             anyone log in as anyone. Never use this installation for real documents."
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

/// Writes `bytes` to `path` through a temporary file beside it, renamed into place once
/// complete: a reader never sees half a file, and a failure leaves the old one.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(directory_of(path))?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The directory a file is (to be) in; `.` for a bare name.
fn directory_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}
