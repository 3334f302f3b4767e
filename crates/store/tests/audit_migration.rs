//! Events recorded before the audit chain existed are chained by its migration, per task in
//! the order they happened, and then verify like any other chain.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_domain::audit::verify_chain;
use signet_migrations::{Migrator, MigratorTrait};
use signet_store::audit;
use signet_store::sea_orm::ConnectionTrait;

#[tokio::test]
async fn the_migration_chains_earlier_events() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/old.db?mode=rwc", dir.path().display());
    let db = signet_store::connect(&url, 1).await.unwrap();
    // The schema as it was before the chain.
    Migrator::up(&db, Some(10)).await.unwrap();
    let rows = [
        (
            "evt_b",
            "tsk_1",
            "task_started",
            "2026-11-01T08:00:01.000001Z",
        ),
        ("evt_a", "tsk_1", "task_created", "2026-11-01T08:00:00.5Z"),
        ("evt_c", "tsk_1", "task_completed", "2026-11-01T09:00:00Z"),
        ("evt_d", "tsk_2", "task_created", "2026-11-02T08:00:00Z"),
    ];
    for (id, task, kind, at) in rows {
        db.execute_unprepared(&format!(
            "INSERT INTO task_events (id, task_id, step_id, kind, actor_id, at, ip, user_agent, \
             document_hashes, detail) VALUES ('{id}', '{task}', NULL, '{kind}', 'usr_1', '{at}', \
             '127.0.0.1', 'test', '{{}}', '{{}}')"
        ))
        .await
        .unwrap();
    }
    Migrator::up(&db, None).await.unwrap();

    let one = audit::chain(&db, "tsk_1").await.unwrap();
    let order: Vec<&str> = one.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(order, ["evt_a", "evt_b", "evt_c"]);
    let stored: Vec<_> = one.iter().map(audit::stored).collect();
    let head = verify_chain("tsk_1", &stored).unwrap();
    assert_eq!(head.seq, 3);
    let two: Vec<_> = audit::chain(&db, "tsk_2")
        .await
        .unwrap()
        .iter()
        .map(audit::stored)
        .collect();
    assert_eq!(verify_chain("tsk_2", &two).unwrap().seq, 1);

    // New events continue the migrated chain.
    let next = audit::NewEvent {
        task_id: "tsk_1".into(),
        step_id: None,
        kind: "page_viewed".into(),
        actor_id: None,
        at: chrono::Utc::now(),
        ip: String::new(),
        user_agent: String::new(),
        document_hashes: "{}".into(),
        detail: "{}".into(),
    };
    let added = audit::append_now(&db, "tsk_1", vec![next]).await.unwrap();
    assert_eq!(added[0].seq, 4);
    assert_eq!(added[0].prev_hash, head.hash);
}
