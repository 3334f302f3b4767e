//! The evidence trail: every task event gets a per-task sequence number (UNIQUE with the
//! task), the previous event's hash and its own (`signet_domain::audit`); events recorded
//! before this migration are chained here, in the order they happened. Anchors keep the
//! TSA's timestamp tokens over a chain's head; verification codes are kept by their hash.

use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::{prelude::*, schema::*};
use signet_domain::audit::{EventRecord, next_link};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TaskEvents {
    Table,
    TaskId,
    Seq,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditAnchors {
    Table,
    Id,
    TaskId,
    Seq,
    HeadHash,
    Token,
    Algorithm,
    CreatedAt,
}

#[derive(DeriveIden)]
enum VerificationCodes {
    Table,
    CodeHash,
    TaskId,
    DocumentId,
    DocumentSha256,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds columns one at a time.
        for col in [
            big_integer(TaskEvents::Seq).default(0),
            string(TaskEvents::PrevHash).default(""),
            string(TaskEvents::Hash).default(""),
        ] {
            m.alter_table(
                Table::alter()
                    .table(TaskEvents::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        chain_existing(m).await?;
        m.create_index(
            Index::create()
                .name("uq_task_events_seq")
                .table(TaskEvents::Table)
                .col(TaskEvents::TaskId)
                .col(TaskEvents::Seq)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditAnchors::Table)
                .col(string(AuditAnchors::Id).primary_key())
                .col(string(AuditAnchors::TaskId))
                .col(big_integer(AuditAnchors::Seq))
                .col(string(AuditAnchors::HeadHash))
                .col(blob(AuditAnchors::Token))
                .col(string(AuditAnchors::Algorithm))
                .col(timestamp_with_time_zone(AuditAnchors::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_anchors_task")
                .table(AuditAnchors::Table)
                .col(AuditAnchors::TaskId)
                .col(AuditAnchors::Seq)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(VerificationCodes::Table)
                .col(string(VerificationCodes::CodeHash).primary_key())
                .col(string(VerificationCodes::TaskId))
                .col(string(VerificationCodes::DocumentId))
                .col(string(VerificationCodes::DocumentSha256))
                .col(timestamp_with_time_zone(VerificationCodes::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_verification_codes_document")
                .table(VerificationCodes::Table)
                .col(VerificationCodes::DocumentId)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(VerificationCodes::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AuditAnchors::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("uq_task_events_seq")
                .table(TaskEvents::Table)
                .to_owned(),
        )
        .await?;
        for col in [TaskEvents::Seq, TaskEvents::PrevHash, TaskEvents::Hash] {
            m.alter_table(
                Table::alter()
                    .table(TaskEvents::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

/// Chains the events stored before this migration, per task in the order they happened.
async fn chain_existing(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let backend = m.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id, task_id, step_id, kind, actor_id, at, ip, user_agent, document_hashes, \
             detail FROM task_events ORDER BY task_id, at, id",
        ))
        .await?;
    let mut head: Option<(String, i64, String)> = None;
    for row in rows {
        let id: String = row.try_get("", "id")?;
        let task_id: String = row.try_get("", "task_id")?;
        let link = head
            .as_ref()
            .filter(|(t, _, _)| *t == task_id)
            .map(|(_, seq, hash)| (*seq, hash.as_str()));
        let (seq, prev_hash) = next_link(link);
        let record = EventRecord {
            task_id: task_id.clone(),
            seq,
            kind: row.try_get("", "kind")?,
            step_id: row.try_get("", "step_id")?,
            actor_id: row.try_get("", "actor_id")?,
            at: row.try_get("", "at")?,
            ip: row.try_get("", "ip")?,
            user_agent: row.try_get("", "user_agent")?,
            document_hashes: row.try_get("", "document_hashes")?,
            detail: row.try_get("", "detail")?,
            prev_hash: prev_hash.clone(),
        };
        let hash = record.hash();
        let placeholder = |n: usize| match backend {
            sea_orm_migration::sea_orm::DbBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        };
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "UPDATE task_events SET seq = {}, prev_hash = {}, hash = {} WHERE id = {}",
                placeholder(1),
                placeholder(2),
                placeholder(3),
                placeholder(4)
            ),
            [seq.into(), prev_hash.into(), hash.clone().into(), id.into()],
        ))
        .await?;
        head = Some((task_id, seq, hash));
    }
    Ok(())
}
