//! The built-in PKI: certificate authorities and every certificate Signet issues (users',
//! organisations', the platform's, and the OCSP responders' and TSAs'), with their keys.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CertificateAuthorities {
    Table,
    Id,
    Algorithm,
    Kind,
    ParentId,
    Subject,
    Serial,
    CertDer,
    KeySealed,
    Status,
    NotBefore,
    NotAfter,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    CaId,
    Serial,
    Algorithm,
    Purpose,
    UserId,
    OrgId,
    Subject,
    CertDer,
    KeyId,
    KeyWrapped,
    PinProtected,
    PinFailures,
    LockedAt,
    RevokedAt,
    RevocationReason,
    RevokedBy,
    ReplacedBy,
    NotBefore,
    NotAfter,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CertificateAuthorities::Table)
                .col(string(CertificateAuthorities::Id).primary_key())
                .col(string(CertificateAuthorities::Algorithm))
                .col(string(CertificateAuthorities::Kind))
                .col(string_null(CertificateAuthorities::ParentId))
                .col(string(CertificateAuthorities::Subject))
                .col(string_uniq(CertificateAuthorities::Serial))
                .col(binary(CertificateAuthorities::CertDer))
                .col(binary(CertificateAuthorities::KeySealed))
                .col(string(CertificateAuthorities::Status))
                .col(timestamp_with_time_zone(CertificateAuthorities::NotBefore))
                .col(timestamp_with_time_zone(CertificateAuthorities::NotAfter))
                .col(timestamp_with_time_zone(CertificateAuthorities::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Certificates::Table)
                .col(string(Certificates::Id).primary_key())
                .col(string(Certificates::CaId))
                .col(string(Certificates::Serial))
                .col(string(Certificates::Algorithm))
                .col(string(Certificates::Purpose))
                .col(string_null(Certificates::UserId))
                .col(string_null(Certificates::OrgId))
                .col(string(Certificates::Subject))
                .col(binary(Certificates::CertDer))
                .col(string(Certificates::KeyId))
                .col(binary(Certificates::KeyWrapped))
                .col(boolean(Certificates::PinProtected))
                .col(integer(Certificates::PinFailures).default(0))
                .col(timestamp_with_time_zone_null(Certificates::LockedAt))
                .col(timestamp_with_time_zone_null(Certificates::RevokedAt))
                .col(string_null(Certificates::RevocationReason))
                .col(string_null(Certificates::RevokedBy))
                .col(string_null(Certificates::ReplacedBy))
                .col(timestamp_with_time_zone(Certificates::NotBefore))
                .col(timestamp_with_time_zone(Certificates::NotAfter))
                .col(timestamp_with_time_zone(Certificates::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Certificates::Table, Certificates::CaId)
                        .to(CertificateAuthorities::Table, CertificateAuthorities::Id),
                )
                .to_owned(),
        )
        .await?;
        // One active root and one active issuing CA per algorithm, even when several nodes
        // start on an empty database at once (a partial index, on SQLite and PostgreSQL).
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_certificate_authorities_active \
                 ON certificate_authorities (algorithm, kind) WHERE status = 'active'",
            )
            .await?;
        // A serial is unique per issuer (RFC 5280 §4.1.2.2); OCSP and CRLs look it up so.
        m.create_index(
            Index::create()
                .name("uq_certificates_ca_serial")
                .table(Certificates::Table)
                .col(Certificates::CaId)
                .col(Certificates::Serial)
                .unique()
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_certificates_user", Certificates::UserId),
            ("idx_certificates_org", Certificates::OrgId),
            ("idx_certificates_purpose", Certificates::Purpose),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Certificates::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Certificates::Table).to_owned())
            .await?;
        m.drop_table(
            Table::drop()
                .table(CertificateAuthorities::Table)
                .to_owned(),
        )
        .await
    }
}
