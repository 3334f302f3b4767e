//! What the store's migration tests share: raw statements and a fresh database of each kind.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use signet_store::sea_orm::{ConnectionTrait, DatabaseConnection};

/// Runs one statement; the database's error text on failure.
pub async fn exec(db: &DatabaseConnection, sql: &str) -> Result<(), String> {
    db.execute_unprepared(sql)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// A new SQLite database in `dir` (one connection: temporary tables and pragmas stay).
pub async fn sqlite(dir: &tempfile::TempDir) -> DatabaseConnection {
    let url = format!("sqlite://{}/checks.db?mode=rwc", dir.path().display());
    signet_store::connect(&url, 1).await.unwrap()
}

/// A new PostgreSQL database of its own (one connection), or `None` when PostgreSQL does not
/// answer outside CI (`signet_testkit::require` fails the test in CI).
pub async fn postgres() -> Option<DatabaseConnection> {
    let admin_url = std::env::var("SIGNET_TEST_PG_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let admin = match signet_store::connect(&admin_url, 1).await {
        Ok(db) => db,
        Err(e) => {
            signet_testkit::require(&format!("PostgreSQL at {admin_url} ({e})"), false);
            return None;
        }
    };
    let name = format!("signet_t_{}", uuid::Uuid::new_v4().simple());
    exec(&admin, &format!("CREATE DATABASE \"{name}\""))
        .await
        .unwrap();
    let base = admin_url.rsplit_once('/').unwrap().0;
    Some(
        signet_store::connect(&format!("{base}/{name}"), 1)
            .await
            .unwrap(),
    )
}
