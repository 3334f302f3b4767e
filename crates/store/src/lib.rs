//! Persistence for Signet: a connection to SQLite or PostgreSQL with the schema migrated,
//! sea-orm entities, repositories (plain async functions over any connection or
//! transaction, so a request can run all its writes in one transaction) and the blob store.

pub mod audit;
pub mod blob;
pub mod entities;
pub mod jobs;
pub mod repo;
pub mod tasks;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};
use signet_migrations::{Migrator, MigratorTrait};
use std::time::Duration;

pub use sea_orm;

/// A new opaque id: a prefix naming the kind and a UUIDv7 (time-ordered, so indexes on ids
/// stay append-mostly), e.g. `usr_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

/// Opens a pool for `url` (`sqlite://…` or `postgres://…`).
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let db = Database::connect(opts).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        use sea_orm::ConnectionTrait;
        // WAL lets readers run beside the one writer; a busy writer waits instead of failing.
        db.execute_unprepared(
            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
        )
        .await?;
    }
    Ok(db)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Tables whose rows, once written, are never changed or deleted by the application.
pub const APPEND_ONLY: &[&str] = &["task_events", "audit_anchors"];

/// On PostgreSQL, lets `role` (an existing login role) run the application: it may read and
/// write every table of the schema, but only read and insert the append-only audit tables.
/// Run as the schema owner after migrating; again after a migration adds tables.
pub async fn grant_app_role(db: &DatabaseConnection, role: &str) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    if db.get_database_backend() != DbBackend::Postgres {
        return Err(DbErr::Custom(
            "roles are a PostgreSQL feature; SQLite has one user".into(),
        ));
    }
    if role.is_empty() || !role.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(DbErr::Custom(format!("{role:?} is not a plain role name")));
    }
    let mut sql = format!(
        "GRANT USAGE ON SCHEMA public TO \"{role}\";\n\
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \"{role}\";\n\
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO \"{role}\";\n"
    );
    for t in APPEND_ONLY {
        sql.push_str(&format!(
            "REVOKE UPDATE, DELETE, TRUNCATE ON {t} FROM \"{role}\";\n"
        ));
    }
    db.execute_unprepared(&sql).await.map(|_| ())
}

/// Whether the database answers a trivial query (for `/readyz`).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}
