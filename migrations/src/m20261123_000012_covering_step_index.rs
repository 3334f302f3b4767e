//! PostgreSQL: the signer-list index of `task_steps` also carries the step's copies of the
//! task state and initiator name (`INCLUDE`), so counting a signer's list filtered by them
//! ("共 N 条" of 已签署 filtered by 发起人) is an index-only scan instead of one heap fetch per
//! row. SQLite has no `INCLUDE` and keeps the plain index.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_task_steps_signer_covering ON task_steps \
                 (signer_id, state, task_created_at, task_id) \
                 INCLUDE (task_state, initiator_name); \
                 DROP INDEX idx_task_steps_signer;",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_task_steps_signer ON task_steps \
                 (signer_id, state, task_created_at, task_id); \
                 DROP INDEX idx_task_steps_signer_covering;",
            )
            .await
            .map(|_| ())
    }
}
