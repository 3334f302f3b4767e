//! Nonces for certificate login: single use, short-lived.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoginChallenges {
    Table,
    Id,
    Nonce,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LoginChallenges::Table)
                .col(string(LoginChallenges::Id).primary_key())
                .col(string(LoginChallenges::Nonce))
                .col(timestamp_with_time_zone(LoginChallenges::ExpiresAt))
                .col(timestamp_with_time_zone_null(LoginChallenges::UsedAt))
                .col(timestamp_with_time_zone(LoginChallenges::CreatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LoginChallenges::Table).to_owned())
            .await
    }
}
