//! `signet migrate`, `signet db grant-app` and `signet bench-seed`, and the one way every
//! operator command opens the database: as its owner (`database.migrate_url`), migrated.

use clap::Subcommand;
use secrecy::ExposeSecret;
use signet_pki::MasterKey;
use signet_store::sea_orm::DatabaseConnection;

use crate::builtin_ca::BuiltinCa;
use crate::config::Settings;

#[derive(Subcommand)]
pub(super) enum DbCommand {
    /// PostgreSQL: let ROLE (an existing login role) run the application with every right
    /// but changing or deleting audit events. Runs as `database.migrate_url` (the owner).
    GrantApp { role: String },
}

/// Connects as the database's owner and applies the migrations (creating the data
/// directory an embedded database lives in).
pub(super) async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    std::fs::create_dir_all(&settings.data_dir)?;
    let db = signet_store::connect(settings.database.owner_url().expose_secret(), 2).await?;
    signet_store::migrate(&db).await?;
    Ok(db)
}

/// The database and the master key, for commands that unseal keys.
pub(super) async fn open(settings: &Settings) -> anyhow::Result<(DatabaseConnection, MasterKey)> {
    let db = connect(settings).await?;
    let master = crate::startup::load_master_key(settings)?;
    Ok((db, master))
}

/// The database and the loaded PKI (`None` before `signet pki init`).
pub(super) async fn trust(
    settings: &Settings,
) -> anyhow::Result<(DatabaseConnection, Option<BuiltinCa>)> {
    let (db, master) = open(settings).await?;
    let trust = BuiltinCa::load(&db, &master, &settings.http.public_base_url).await?;
    Ok((db, trust))
}

pub(super) async fn run(settings: &Settings, command: DbCommand) -> anyhow::Result<()> {
    match command {
        DbCommand::GrantApp { role } => {
            let db = connect(settings).await?;
            signet_store::grant_app_role(&db, &role).await?;
            println!(
                "granted {role} the application's rights (audit tables: read and insert only)"
            );
            Ok(())
        }
    }
}

pub(super) async fn bench_seed(settings: &Settings, tasks: u64, users: u64) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    crate::benchseed::seed(&db, tasks, users).await?;
    println!("seeded {tasks} tasks over {users} users");
    Ok(())
}
