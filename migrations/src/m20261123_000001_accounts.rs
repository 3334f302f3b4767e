//! Accounts, sessions, verification codes, agreements, organisations and server keys.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    AccountName,
    RealName,
    IdCardSealed,
    IdCardIndex,
    IdCardMasked,
    Phone,
    PasswordHash,
    RealNameVerifiedAt,
    FailedLogins,
    FailureWindowStart,
    LockedUntil,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    FamilyId,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Captchas {
    Table,
    Id,
    Answer,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SmsCodes {
    Table,
    Id,
    Phone,
    Purpose,
    CodeHash,
    Ip,
    Attempts,
    ExpiresAt,
    ConsumedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Agreements {
    Table,
    Id,
    Kind,
    Version,
    Title,
    Body,
    PublishedAt,
}

#[derive(DeriveIden)]
enum AgreementAcceptances {
    Table,
    Id,
    UserId,
    AgreementId,
    Ip,
    AcceptedAt,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Name,
    Uscc,
    VerifiedAt,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    OrgId,
    UserId,
    Role,
    CanInitiate,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    OrgId,
    Phone,
    Role,
    Status,
    InvitedBy,
    ExpiresAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ServerKeys {
    Table,
    Kid,
    Purpose,
    PrivateSealed,
    PublicPem,
    JwkX,
    JwkY,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(string(Users::Id).primary_key())
                .col(string_uniq(Users::AccountName))
                .col(string(Users::RealName))
                .col(binary(Users::IdCardSealed))
                .col(string_uniq(Users::IdCardIndex))
                .col(string(Users::IdCardMasked))
                .col(string_uniq(Users::Phone))
                .col(string(Users::PasswordHash))
                .col(timestamp_with_time_zone_null(Users::RealNameVerifiedAt))
                .col(integer(Users::FailedLogins).default(0))
                .col(timestamp_with_time_zone_null(Users::FailureWindowStart))
                .col(timestamp_with_time_zone_null(Users::LockedUntil))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(string(RefreshTokens::Id).primary_key())
                .col(string(RefreshTokens::FamilyId))
                .col(string(RefreshTokens::UserId))
                .col(string_uniq(RefreshTokens::TokenHash))
                .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(RefreshTokens::Table, RefreshTokens::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            RefreshTokens::Table,
            "idx_refresh_tokens_family",
            [RefreshTokens::FamilyId],
        )
        .await?;
        index(
            m,
            RefreshTokens::Table,
            "idx_refresh_tokens_user",
            [RefreshTokens::UserId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Captchas::Table)
                .col(string(Captchas::Id).primary_key())
                .col(string(Captchas::Answer))
                .col(timestamp_with_time_zone(Captchas::ExpiresAt))
                .col(timestamp_with_time_zone_null(Captchas::UsedAt))
                .col(timestamp_with_time_zone(Captchas::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            Captchas::Table,
            "idx_captchas_expires",
            [Captchas::ExpiresAt],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SmsCodes::Table)
                .col(string(SmsCodes::Id).primary_key())
                .col(string(SmsCodes::Phone))
                .col(string(SmsCodes::Purpose))
                .col(string(SmsCodes::CodeHash))
                .col(string(SmsCodes::Ip))
                .col(integer(SmsCodes::Attempts).default(0))
                .col(timestamp_with_time_zone(SmsCodes::ExpiresAt))
                .col(timestamp_with_time_zone_null(SmsCodes::ConsumedAt))
                .col(timestamp_with_time_zone(SmsCodes::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            SmsCodes::Table,
            "idx_sms_codes_phone",
            [SmsCodes::Phone, SmsCodes::CreatedAt],
        )
        .await?;
        index(
            m,
            SmsCodes::Table,
            "idx_sms_codes_ip",
            [SmsCodes::Ip, SmsCodes::CreatedAt],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Agreements::Table)
                .col(string(Agreements::Id).primary_key())
                .col(string(Agreements::Kind))
                .col(integer(Agreements::Version))
                .col(string(Agreements::Title))
                .col(text(Agreements::Body))
                .col(timestamp_with_time_zone(Agreements::PublishedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_agreements_kind_version")
                .table(Agreements::Table)
                .col(Agreements::Kind)
                .col(Agreements::Version)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AgreementAcceptances::Table)
                .col(string(AgreementAcceptances::Id).primary_key())
                .col(string(AgreementAcceptances::UserId))
                .col(string(AgreementAcceptances::AgreementId))
                .col(string(AgreementAcceptances::Ip))
                .col(timestamp_with_time_zone(AgreementAcceptances::AcceptedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AgreementAcceptances::Table, AgreementAcceptances::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(
                            AgreementAcceptances::Table,
                            AgreementAcceptances::AgreementId,
                        )
                        .to(Agreements::Table, Agreements::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            AgreementAcceptances::Table,
            "idx_acceptances_user",
            [AgreementAcceptances::UserId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Organizations::Table)
                .col(string(Organizations::Id).primary_key())
                .col(string(Organizations::Name))
                .col(string_null(Organizations::Uscc))
                .col(timestamp_with_time_zone_null(Organizations::VerifiedAt))
                .col(string(Organizations::CreatedBy))
                .col(timestamp_with_time_zone(Organizations::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Organizations::Table, Organizations::CreatedBy)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Memberships::Table)
                .col(string(Memberships::Id).primary_key())
                .col(string(Memberships::OrgId))
                .col(string(Memberships::UserId))
                .col(string(Memberships::Role))
                .col(boolean(Memberships::CanInitiate).default(false))
                .col(timestamp_with_time_zone(Memberships::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::OrgId)
                        .to(Organizations::Table, Organizations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_memberships_org_user")
                .table(Memberships::Table)
                .col(Memberships::OrgId)
                .col(Memberships::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        index(
            m,
            Memberships::Table,
            "idx_memberships_user",
            [Memberships::UserId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Invitations::Table)
                .col(string(Invitations::Id).primary_key())
                .col(string(Invitations::OrgId))
                .col(string(Invitations::Phone))
                .col(string(Invitations::Role))
                .col(string(Invitations::Status))
                .col(string(Invitations::InvitedBy))
                .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                .col(timestamp_with_time_zone(Invitations::CreatedAt))
                .col(timestamp_with_time_zone(Invitations::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Invitations::Table, Invitations::OrgId)
                        .to(Organizations::Table, Organizations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            Invitations::Table,
            "idx_invitations_phone",
            [Invitations::Phone],
        )
        .await?;
        index(
            m,
            Invitations::Table,
            "idx_invitations_org",
            [Invitations::OrgId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ServerKeys::Table)
                .col(string(ServerKeys::Kid).primary_key())
                .col(string(ServerKeys::Purpose))
                .col(binary(ServerKeys::PrivateSealed))
                .col(text(ServerKeys::PublicPem))
                .col(string(ServerKeys::JwkX))
                .col(string(ServerKeys::JwkY))
                .col(timestamp_with_time_zone(ServerKeys::CreatedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            ServerKeys::Table,
            "idx_server_keys_purpose",
            [ServerKeys::Purpose, ServerKeys::CreatedAt],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ServerKeys::Table.into_iden(),
            Invitations::Table.into_iden(),
            Memberships::Table.into_iden(),
            Organizations::Table.into_iden(),
            AgreementAcceptances::Table.into_iden(),
            Agreements::Table.into_iden(),
            SmsCodes::Table.into_iden(),
            Captchas::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

async fn index<T, C, const N: usize>(
    m: &SchemaManager<'_>,
    table: T,
    name: &str,
    cols: [C; N],
) -> Result<(), DbErr>
where
    T: IntoIden,
    C: IntoIden,
{
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(c);
    }
    m.create_index(idx.to_owned()).await
}
