//! Seals (印章): images owned by a user or an organisation, optionally bound to the
//! certificate they are used with (as a USB key carries its certificate and 印模).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Seals {
    Table,
    Id,
    UserId,
    OrgId,
    Name,
    Kind,
    ImageBlob,
    Width,
    Height,
    CertificateId,
    DisabledAt,
    CreatedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Seals::Table)
                .col(string(Seals::Id).primary_key())
                .col(string_null(Seals::UserId))
                .col(string_null(Seals::OrgId))
                .col(string(Seals::Name))
                .col(string(Seals::Kind))
                .col(string(Seals::ImageBlob))
                .col(integer(Seals::Width))
                .col(integer(Seals::Height))
                .col(string_null(Seals::CertificateId))
                .col(timestamp_with_time_zone_null(Seals::DisabledAt))
                .col(string(Seals::CreatedBy))
                .col(timestamp_with_time_zone(Seals::CreatedAt))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_seals_user", Seals::UserId),
            ("idx_seals_org", Seals::OrgId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Seals::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Seals::Table).to_owned())
            .await
    }
}
