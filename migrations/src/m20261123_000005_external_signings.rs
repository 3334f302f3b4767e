//! External signing sessions: a revision prepared by the server and waiting, for a few
//! minutes, for the signature of a key the server never sees.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ExternalSignings {
    Table,
    Id,
    UserId,
    CertificateId,
    Level,
    PreparedBlob,
    HoleStart,
    HoleEnd,
    Digest,
    ExpiresAt,
    FinishedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ExternalSignings::Table)
                .col(string(ExternalSignings::Id).primary_key())
                .col(string(ExternalSignings::UserId))
                .col(string(ExternalSignings::CertificateId))
                .col(string(ExternalSignings::Level))
                .col(string(ExternalSignings::PreparedBlob))
                .col(big_integer(ExternalSignings::HoleStart))
                .col(big_integer(ExternalSignings::HoleEnd))
                .col(binary(ExternalSignings::Digest))
                .col(timestamp_with_time_zone(ExternalSignings::ExpiresAt))
                .col(timestamp_with_time_zone_null(ExternalSignings::FinishedAt))
                .col(timestamp_with_time_zone(ExternalSignings::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_external_signings_user")
                .table(ExternalSignings::Table)
                .col(ExternalSignings::UserId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ExternalSignings::Table).to_owned())
            .await
    }
}
