//! Certificates of outside CAs bound to accounts (the seed's 绑定 of a USB-key certificate).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BoundCertificates {
    Table,
    Id,
    UserId,
    Fingerprint,
    CertDer,
    Subject,
    Issuer,
    Serial,
    Status,
    NotAfter,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(BoundCertificates::Table)
                .col(string(BoundCertificates::Id).primary_key())
                .col(string(BoundCertificates::UserId))
                .col(string_uniq(BoundCertificates::Fingerprint))
                .col(binary(BoundCertificates::CertDer))
                .col(string(BoundCertificates::Subject))
                .col(string(BoundCertificates::Issuer))
                .col(string(BoundCertificates::Serial))
                .col(string(BoundCertificates::Status))
                .col(timestamp_with_time_zone(BoundCertificates::NotAfter))
                .col(string_null(BoundCertificates::DecidedBy))
                .col(timestamp_with_time_zone_null(BoundCertificates::DecidedAt))
                .col(timestamp_with_time_zone(BoundCertificates::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_bound_certificates_user")
                .table(BoundCertificates::Table)
                .col(BoundCertificates::UserId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(BoundCertificates::Table).to_owned())
            .await
    }
}
