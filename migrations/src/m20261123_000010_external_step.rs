//! External signing sessions for a step of a signing task: which task, step and document
//! the prepared revision belongs to, and the task version it was prepared from.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ExternalSignings {
    Table,
    TaskId,
    StepId,
    DocumentId,
    TaskVersion,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds columns one at a time.
        for col in [
            string_null(ExternalSignings::TaskId),
            string_null(ExternalSignings::StepId),
            string_null(ExternalSignings::DocumentId),
            integer_null(ExternalSignings::TaskVersion),
        ] {
            m.alter_table(
                Table::alter()
                    .table(ExternalSignings::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            ExternalSignings::TaskId,
            ExternalSignings::StepId,
            ExternalSignings::DocumentId,
            ExternalSignings::TaskVersion,
        ] {
            m.alter_table(
                Table::alter()
                    .table(ExternalSignings::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
