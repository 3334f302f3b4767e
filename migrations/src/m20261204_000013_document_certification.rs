//! `task_documents.certified`: the DocMDP permission (2 or 3) of a document uploaded certified,
//! read by the engine at upload, so a step's view can say that its signature went into a new
//! field after the certification (`notices: ["certified-new-field"]`, docs/PDF.md). NULL for
//! an uncertified document, and for documents uploaded before this migration.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TaskDocuments {
    Table,
    Certified,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(TaskDocuments::Table)
                .add_column(
                    ColumnDef::new(TaskDocuments::Certified)
                        .small_integer()
                        .null()
                        .check(
                            Expr::col(TaskDocuments::Certified)
                                .is_in([2, 3])
                                .or(Expr::col(TaskDocuments::Certified).is_null()),
                        ),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(TaskDocuments::Table)
                .drop_column(TaskDocuments::Certified)
                .to_owned(),
        )
        .await
    }
}
