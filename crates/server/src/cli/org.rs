//! `signet org verify`: operator tools for organisations.

use chrono::Utc;
use clap::Subcommand;
use signet_store::repo::orgs;

use super::db::connect;
use crate::config::Settings;

#[derive(Subcommand)]
pub(super) enum OrgCommand {
    /// Mark an organisation verified (by its id: names are not unique), so it may get
    /// certificates.
    Verify { org: String },
}

pub(super) async fn run(settings: &Settings, command: OrgCommand) -> anyhow::Result<()> {
    match command {
        OrgCommand::Verify { org } => verify(settings, &org).await,
    }
}

/// Marks an organisation verified, by its id.
async fn verify(settings: &Settings, org: &str) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    // By id only: names are not unique, and verifying the wrong one would give a stranger
    // the right to the organisation's certificates.
    let Some(o) = orgs::by_id(&db, org).await? else {
        let named = orgs::all_by_name(&db, org).await?;
        if named.is_empty() {
            anyhow::bail!("no organisation with id {org:?}");
        }
        let ids: Vec<String> = named
            .iter()
            .map(|o| format!("{} (USCC {})", o.id, o.uscc.as_deref().unwrap_or("none")))
            .collect();
        anyhow::bail!(
            "signet org verify takes an organisation id; {} organisation(s) are named {org:?}: {}",
            named.len(),
            ids.join(", ")
        );
    };
    orgs::set_verified(&db, &o.id, Some(Utc::now())).await?;
    println!("verified {} ({})", o.name, o.id);
    Ok(())
}
