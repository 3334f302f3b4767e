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
    /// Operator tools for the agreements users accept at registration.
    Agreements {
        #[command(subcommand)]
        command: AgreementsCommand,
    },
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
            Command::Openapi => Ok(()),
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
