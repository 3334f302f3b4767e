//! One organisation per USCC: the migration that adds the unique index stops, naming the
//! duplicates, when organisations already share a code — and deletes nothing. Once the
//! operator gave each code to one organisation, it runs; then the index refuses a duplicate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_migrations::{Migrator, MigratorTrait};
use signet_store::sea_orm::ConnectionTrait;

async fn count(db: &signet_store::sea_orm::DatabaseConnection) -> i64 {
    let row = db
        .query_one_raw(signet_store::sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM organizations".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

#[tokio::test]
async fn duplicates_are_reported_not_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/old.db?mode=rwc", dir.path().display());
    let db = signet_store::connect(&url, 1).await.unwrap();
    // The schema as it was before the index.
    Migrator::up(&db, Some(13)).await.unwrap();
    // Organisations of creators this test does not need.
    db.execute_unprepared("PRAGMA foreign_keys = OFF")
        .await
        .unwrap();
    for (id, name, uscc) in [
        ("org_a", "甲公司", Some("91350100M000100Y43")),
        ("org_b", "乙公司", Some("91350100M000100Y43")),
        ("org_c", "丙公司", None),
        ("org_d", "丁公司", None),
    ] {
        let uscc = uscc.map_or("NULL".to_owned(), |u| format!("'{u}'"));
        db.execute_unprepared(&format!(
            "INSERT INTO organizations (id, name, uscc, verified_at, created_by, created_at) \
             VALUES ('{id}', '{name}', {uscc}, NULL, 'usr_1', '2026-11-01T08:00:00Z')"
        ))
        .await
        .unwrap();
    }
    let err = Migrator::up(&db, None).await.unwrap_err().to_string();
    assert!(
        err.contains("91350100M000100Y43 (2 organisations)"),
        "{err}"
    );
    assert!(err.contains("Nothing was changed"), "{err}");
    assert_eq!(count(&db).await, 4);

    // The operator clears the code of the wrong one; the migration then runs.
    db.execute_unprepared("UPDATE organizations SET uscc = NULL WHERE id = 'org_b'")
        .await
        .unwrap();
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(count(&db).await, 4);
    let dup = db
        .execute_unprepared(
            "INSERT INTO organizations (id, name, uscc, verified_at, created_by, created_at) \
             VALUES ('org_e', '戊公司', '91350100M000100Y43', NULL, 'usr_1', '2026-11-01T08:00:00Z')",
        )
        .await;
    assert!(
        dup.is_err(),
        "the unique index refuses a second organisation per USCC"
    );
}
