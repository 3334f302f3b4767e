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
