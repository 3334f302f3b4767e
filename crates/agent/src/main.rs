//! `signet-agent`: the local signing agent for USB tokens (see the library's documentation).

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

/// The local signing agent for USB tokens (PKCS#11): lists their certificates and signs with
/// a token's key after its PIN, for one web origin, on 127.0.0.1.
#[derive(Parser)]
#[command(name = "signet-agent", version)]
struct Args {
    /// The PKCS#11 module of the tokens.
    #[arg(long, default_value = "/usr/lib/softhsm/libsofthsm2.so")]
    module: PathBuf,
    /// The Signet web origin allowed to use the agent, e.g. https://sign.example.com.
    #[arg(long)]
    origin: String,
    /// Loopback address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:9321")]
    listen: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    // Warnings (a token that failed) go to stderr; `RUST_LOG` chooses more.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let settings = signet_agent::AgentSettings {
        module: args.module,
        origin: args.origin,
        listen: args.listen,
    };
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(signet_agent::run(settings)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("signet-agent: {e:#}");
            ExitCode::FAILURE
        }
    }
}
