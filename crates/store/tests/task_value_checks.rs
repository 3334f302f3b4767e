//! Task states, step states, signing modes, seal kinds, PAdES levels and member roles are
//! closed sets, on both databases:
//! the migration that constrains them reports rows holding other values and changes nothing;
//! once it ran, such a value cannot be written; and a value that got in anyway (written with
//! the guard removed) is an error when read, never a default.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::exec;

use signet_domain::workflow::TaskState;
use signet_migrations::{Migrator, MigratorTrait};
use signet_store::entities::task;
use signet_store::sea_orm::{DatabaseConnection, EntityTrait};

fn insert_task(id: &str, state: &str) -> String {
    format!(
        "INSERT INTO tasks (id, name, initiator_id, initiator_name, org_id, state, version, \
         deadline, search_text, forwarded_from, created_at, started_at, finished_at, updated_at) \
         VALUES ('{id}', '合同', 'usr_1', '张三', NULL, '{state}', 1, NULL, '合同', NULL, \
         '2026-11-01T08:00:00Z', NULL, NULL, '2026-11-01T08:00:00Z')"
    )
}

fn insert_step(id: &str, task: &str, mode: &str, seal_kind: &str) -> String {
    format!(
        "INSERT INTO task_steps (id, task_id, ord, position, signer_id, signer_name, org_id, \
         mode, seal_kind, description, state, task_state, task_created_at, initiator_name, \
         signed_at, reject_reason) VALUES ('{id}', '{task}', 1, 0, 'usr_2', '李四', NULL, \
         '{mode}', '{seal_kind}', '', 'active', 'in_progress', '2026-11-01T08:00:00Z', '张三', \
         NULL, NULL)"
    )
}

async fn closed_sets(db: DatabaseConnection) {
    // The schema as it was before the constraints, holding rows with unknown values (their
    // users need not exist here).
    Migrator::up(&db, Some(14)).await.unwrap();
    let no_fks = match db.get_database_backend() {
        signet_store::sea_orm::DatabaseBackend::Postgres => {
            "SET session_replication_role = replica"
        }
        _ => "PRAGMA foreign_keys = OFF",
    };
    exec(&db, no_fks).await.unwrap();
    exec(&db, &insert_task("tsk_1", "in_progress"))
        .await
        .unwrap();
    exec(&db, &insert_task("tsk_2", "paused")).await.unwrap();
    exec(&db, &insert_step("stp_1", "tsk_1", "pc", "any"))
        .await
        .unwrap();
    exec(&db, &insert_step("stp_2", "tsk_1", "tablet", "any"))
        .await
        .unwrap();
    for (id, role) in [("mem_1", "admin"), ("mem_2", "owner")] {
        exec(
            &db,
            &format!(
                "INSERT INTO memberships (id, org_id, user_id, role, can_initiate, created_at) \
                 VALUES ('{id}', 'org_1', 'usr_{id}', '{role}', false, '2026-11-01T08:00:00Z')"
            ),
        )
        .await
        .unwrap();
    }

    let err = Migrator::up(&db, None).await.unwrap_err().to_string();
    assert!(err.contains("tasks.state = 'paused' (1 rows)"), "{err}");
    assert!(err.contains("task_steps.mode = 'tablet' (1 rows)"), "{err}");
    assert!(err.contains("memberships.role = 'owner' (1 rows)"), "{err}");
    assert!(err.contains("Nothing was changed"), "{err}");
    // The rows are as they were, and the guard is not there yet.
    exec(
        &db,
        "UPDATE task_steps SET seal_kind = 'stamp' WHERE id = 'stp_1'",
    )
    .await
    .unwrap();

    exec(&db, "UPDATE tasks SET state = 'draft' WHERE id = 'tsk_2'")
        .await
        .unwrap();
    exec(&db, "UPDATE task_steps SET mode = 'any' WHERE id = 'stp_2'")
        .await
        .unwrap();
    exec(
        &db,
        "UPDATE memberships SET role = 'member' WHERE id = 'mem_2'",
    )
    .await
    .unwrap();
    let err = Migrator::up(&db, None).await.unwrap_err().to_string();
    assert!(
        err.contains("task_steps.seal_kind = 'stamp' (1 rows)"),
        "{err}"
    );
    exec(
        &db,
        "UPDATE task_steps SET seal_kind = 'personal' WHERE id = 'stp_1'",
    )
    .await
    .unwrap();
    Migrator::up(&db, None).await.unwrap();
    let t = task::Entity::find_by_id("tsk_1")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.state, TaskState::InProgress);

    // Unknown values cannot be written, by insert or update, in any of the columns.
    for sql in [
        insert_task("tsk_3", "paused"),
        insert_step("stp_3", "tsk_1", "tablet", "any"),
        insert_step("stp_4", "tsk_1", "pc", "stamp"),
        "UPDATE tasks SET state = 'paused' WHERE id = 'tsk_1'".to_owned(),
        "UPDATE task_steps SET state = 'skipped' WHERE id = 'stp_1'".to_owned(),
        "UPDATE task_steps SET task_state = 'paused' WHERE id = 'stp_1'".to_owned(),
        "UPDATE task_steps SET mode = 'tablet' WHERE id = 'stp_1'".to_owned(),
        "UPDATE task_steps SET seal_kind = 'stamp' WHERE id = 'stp_1'".to_owned(),
        "UPDATE memberships SET role = 'owner' WHERE id = 'mem_1'".to_owned(),
    ] {
        let err = exec(&db, &sql).await.unwrap_err();
        assert!(err.contains("check"), "{sql}: {err}");
    }
    // Known values still can.
    exec(
        &db,
        "UPDATE tasks SET state = 'completed' WHERE id = 'tsk_1'",
    )
    .await
    .unwrap();
    exec(
        &db,
        &insert_step("stp_5", "tsk_1", "mobile", "organization"),
    )
    .await
    .unwrap();

    // A value that got in anyway is an error when read, not a permissive default.
    let after_14 = u32::try_from(Migrator::migrations().len() - 14).unwrap();
    Migrator::down(&db, Some(after_14)).await.unwrap();
    exec(&db, "UPDATE tasks SET state = 'paused' WHERE id = 'tsk_1'")
        .await
        .unwrap();
    let read = task::Entity::find_by_id("tsk_1").one(&db).await;
    assert!(read.is_err(), "{read:?}");
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    closed_sets(common::sqlite(&dir).await).await;
}

#[tokio::test]
async fn postgres() {
    if let Some(db) = common::postgres().await {
        closed_sets(db).await;
    }
}
