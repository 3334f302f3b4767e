//! `signet user grant-initiate`: operator tools for users.

use chrono::Utc;
use clap::Subcommand;

use super::db::connect;
use crate::config::Settings;

#[derive(Subcommand)]
pub(super) enum UserCommand {
    /// Grant a user (by account name or phone) the right to initiate signing tasks for
    /// personal use (off by default); `--revoke` withdraws it.
    GrantInitiate {
        user: String,
        #[arg(long)]
        revoke: bool,
    },
}

pub(super) async fn run(settings: &Settings, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::GrantInitiate { user, revoke } => {
            grant_initiate(settings, &user, !revoke).await
        }
    }
}

/// Grants (or withdraws) a user's right to initiate personal signing tasks.
async fn grant_initiate(settings: &Settings, user: &str, grant: bool) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    let found = match signet_store::repo::users::by_account_name(&db, user).await? {
        Some(u) => Some(u),
        None => signet_store::repo::users::by_phone(&db, user).await?,
    };
    let u = found.ok_or_else(|| anyhow::anyhow!("no user {user:?}"))?;
    signet_store::tasks::set_initiate_grant(&db, &u.id, grant, "operator", Utc::now()).await?;
    let what = if grant { "granted" } else { "withdrew" };
    println!("{what} initiate for {} ({})", u.account_name, u.id);
    Ok(())
}
