//! `signet cert approve|reject`: bindings of outside CAs' certificates to accounts.

use chrono::Utc;
use clap::Subcommand;
use signet_domain::certificate::BindingStatus;

use super::db::connect;
use crate::config::Settings;

#[derive(Subcommand)]
pub(super) enum CertCommand {
    /// Approve a pending binding (when `pki.binding_requires_approval` is on).
    Approve { binding: String },
    /// Reject a pending binding.
    Reject { binding: String },
}

pub(super) async fn run(settings: &Settings, command: CertCommand) -> anyhow::Result<()> {
    match command {
        CertCommand::Approve { binding } => decide_binding(settings, &binding, true).await,
        CertCommand::Reject { binding } => decide_binding(settings, &binding, false).await,
    }
}

/// Approves (`approve == true`) or rejects a pending certificate binding.
async fn decide_binding(settings: &Settings, id: &str, approve: bool) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    let to = if approve {
        BindingStatus::Active
    } else {
        BindingStatus::Rejected
    };
    if !signet_store::repo::bound::decide(
        &db,
        id,
        BindingStatus::Pending,
        to,
        "operator",
        Utc::now(),
    )
    .await?
    {
        anyhow::bail!("no pending binding {id}");
    }
    println!("binding {id} is {to}");
    Ok(())
}
