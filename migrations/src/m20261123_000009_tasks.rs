//! Signing tasks: tasks, their documents and steps, the events every state change records,
//! personal initiate grants and per-seal grants to organisation members.
//!
//! Lists stay fast at a million tasks: each list is driven by an index on its owner column
//! with `created_at` (newest first); the fuzzy name search uses a pg_trgm GIN index on
//! PostgreSQL (SQLite uses LIKE over the same column).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Id,
    Name,
    InitiatorId,
    InitiatorName,
    OrgId,
    State,
    Version,
    Deadline,
    SearchText,
    ForwardedFrom,
    CreatedAt,
    StartedAt,
    FinishedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TaskDocuments {
    Table,
    Id,
    TaskId,
    Position,
    Name,
    UploaderId,
    OriginalBlob,
    CurrentBlob,
    Pages,
    Size,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TaskSteps {
    Table,
    Id,
    TaskId,
    Ord,
    Position,
    SignerId,
    SignerName,
    OrgId,
    Mode,
    SealKind,
    Description,
    State,
    TaskState,
    TaskCreatedAt,
    InitiatorName,
    SignedAt,
    RejectReason,
}

#[derive(DeriveIden)]
enum TaskEvents {
    Table,
    Id,
    TaskId,
    StepId,
    Kind,
    ActorId,
    At,
    Ip,
    UserAgent,
    DocumentHashes,
    Detail,
}

#[derive(DeriveIden)]
enum InitiateGrants {
    Table,
    UserId,
    GrantedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SealGrants {
    Table,
    Id,
    SealId,
    UserId,
    GrantedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tasks::Table)
                .col(string(Tasks::Id).primary_key())
                .col(string(Tasks::Name))
                .col(string(Tasks::InitiatorId))
                .col(string(Tasks::InitiatorName))
                .col(string_null(Tasks::OrgId))
                .col(string(Tasks::State))
                .col(integer(Tasks::Version).default(0))
                .col(timestamp_with_time_zone_null(Tasks::Deadline))
                .col(text(Tasks::SearchText))
                .col(string_null(Tasks::ForwardedFrom))
                .col(timestamp_with_time_zone(Tasks::CreatedAt))
                .col(timestamp_with_time_zone_null(Tasks::StartedAt))
                .col(timestamp_with_time_zone_null(Tasks::FinishedAt))
                .col(timestamp_with_time_zone(Tasks::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_tasks_initiator_created")
                .table(Tasks::Table)
                .col(Tasks::InitiatorId)
                .col(Tasks::CreatedAt)
                .col(Tasks::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TaskDocuments::Table)
                .col(string(TaskDocuments::Id).primary_key())
                .col(string(TaskDocuments::TaskId))
                .col(integer(TaskDocuments::Position))
                .col(string(TaskDocuments::Name))
                .col(string(TaskDocuments::UploaderId))
                .col(string(TaskDocuments::OriginalBlob))
                .col(string(TaskDocuments::CurrentBlob))
                .col(integer(TaskDocuments::Pages))
                .col(big_integer(TaskDocuments::Size))
                .col(timestamp_with_time_zone(TaskDocuments::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_task_documents_task")
                .table(TaskDocuments::Table)
                .col(TaskDocuments::TaskId)
                .to_owned(),
        )
        .await?;

        // `task_state`, `task_created_at` and `initiator_name` copy the task's, so the to-sign
        // and signed lists filter and count within one index range per signer instead of
        // joining a million tasks.
        m.create_table(
            Table::create()
                .table(TaskSteps::Table)
                .col(string(TaskSteps::Id).primary_key())
                .col(string(TaskSteps::TaskId))
                .col(integer(TaskSteps::Ord))
                .col(integer(TaskSteps::Position))
                .col(string(TaskSteps::SignerId))
                .col(string(TaskSteps::SignerName))
                .col(string_null(TaskSteps::OrgId))
                .col(string(TaskSteps::Mode))
                .col(string(TaskSteps::SealKind))
                .col(string(TaskSteps::Description))
                .col(string(TaskSteps::State))
                .col(string(TaskSteps::TaskState))
                .col(timestamp_with_time_zone(TaskSteps::TaskCreatedAt))
                .col(string(TaskSteps::InitiatorName))
                .col(timestamp_with_time_zone_null(TaskSteps::SignedAt))
                .col(text_null(TaskSteps::RejectReason))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_task_steps_task")
                .table(TaskSteps::Table)
                .col(TaskSteps::TaskId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_task_steps_signer")
                .table(TaskSteps::Table)
                .col(TaskSteps::SignerId)
                .col(TaskSteps::State)
                .col(TaskSteps::TaskCreatedAt)
                .col(TaskSteps::TaskId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TaskEvents::Table)
                .col(string(TaskEvents::Id).primary_key())
                .col(string(TaskEvents::TaskId))
                .col(string_null(TaskEvents::StepId))
                .col(string(TaskEvents::Kind))
                .col(string_null(TaskEvents::ActorId))
                .col(timestamp_with_time_zone(TaskEvents::At))
                .col(string(TaskEvents::Ip))
                .col(string(TaskEvents::UserAgent))
                .col(text(TaskEvents::DocumentHashes))
                .col(text(TaskEvents::Detail))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_task_events_task")
                .table(TaskEvents::Table)
                .col(TaskEvents::TaskId)
                .col(TaskEvents::At)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(InitiateGrants::Table)
                .col(string(InitiateGrants::UserId).primary_key())
                .col(string(InitiateGrants::GrantedBy))
                .col(timestamp_with_time_zone(InitiateGrants::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SealGrants::Table)
                .col(string(SealGrants::Id).primary_key())
                .col(string(SealGrants::SealId))
                .col(string(SealGrants::UserId))
                .col(string(SealGrants::GrantedBy))
                .col(timestamp_with_time_zone(SealGrants::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_seal_grants_seal_user")
                .table(SealGrants::Table)
                .col(SealGrants::SealId)
                .col(SealGrants::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_seal_grants_user")
                .table(SealGrants::Table)
                .col(SealGrants::UserId)
                .to_owned(),
        )
        .await?;

        if m.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            let db = m.get_connection();
            db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                .await?;
            db.execute_unprepared(
                "CREATE INDEX idx_tasks_search_trgm ON tasks USING gin (search_text gin_trgm_ops)",
            )
            .await?;
            db.execute_unprepared(
                "CREATE INDEX idx_tasks_initiator_name_trgm ON tasks \
                 USING gin (initiator_name gin_trgm_ops)",
            )
            .await?;
            db.execute_unprepared(
                "CREATE INDEX idx_task_steps_initiator_name_trgm ON task_steps \
                 USING gin (initiator_name gin_trgm_ops)",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Tasks::Table.into_iden(),
            TaskDocuments::Table.into_iden(),
            TaskSteps::Table.into_iden(),
            TaskEvents::Table.into_iden(),
            InitiateGrants::Table.into_iden(),
            SealGrants::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
