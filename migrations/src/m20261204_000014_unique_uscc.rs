//! One organisation per unified social credit code (统一社会信用代码): a unique index on
//! `organizations.uscc` (organisations without one are not constrained). Existing duplicates
//! are reported, not deleted: the migration stops naming them, and the operator decides
//! which organisation keeps the code before running it again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Uscc,
}

const INDEX: &str = "organizations_uscc_unique";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT uscc, COUNT(*) AS n FROM organizations WHERE uscc IS NOT NULL \
                 GROUP BY uscc HAVING COUNT(*) > 1 ORDER BY uscc"
                    .to_owned(),
            ))
            .await?;
        if !rows.is_empty() {
            let mut dups = Vec::new();
            for r in &rows {
                let uscc: String = r.try_get("", "uscc")?;
                let n: i64 = r.try_get("", "n")?;
                dups.push(format!("{uscc} ({n} organisations)"));
            }
            return Err(DbErr::Migration(format!(
                "organisations share a USCC: {}. Nothing was changed. Give each code to one \
                 organisation (clear or correct `organizations.uscc` of the others), then migrate \
                 again",
                dups.join(", ")
            )));
        }
        m.create_index(
            Index::create()
                .name(INDEX)
                .table(Organizations::Table)
                .col(Organizations::Uscc)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(INDEX)
                .table(Organizations::Table)
                .to_owned(),
        )
        .await
    }
}
