//! `signet agreements publish|list`: the agreements users accept at registration.

use clap::Subcommand;
use std::path::PathBuf;

use super::db::connect;
use crate::config::Settings;

#[derive(Subcommand)]
pub(super) enum AgreementsCommand {
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

pub(super) async fn run(settings: &Settings, command: AgreementsCommand) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    match command {
        AgreementsCommand::Publish { kind, title, file } => {
            let body = std::fs::read_to_string(&file)?;
            let a = crate::agreements::publish(&db, &kind, &title, &body).await?;
            println!("published {} version {} ({})", a.kind, a.version, a.id);
        }
        AgreementsCommand::List => {
            for a in crate::agreements::all(&db).await? {
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
