//! The remaining columns that hold a closed set of values are constrained to it, as
//! `…000015_task_value_checks` did for the task columns ([`crate::checks`]): the algorithm,
//! kind and status of a built-in CA, the algorithm of a certificate and of an audit anchor's
//! timestamp, the status of an outside certificate's binding and of an invitation, and the
//! type of a seal. The application reads them as `signet_domain` enums (`certificate::KeyAlg`,
//! `CaKind`, `CaStatus`, `BindingStatus`, `org::InvitationStatus`, `SealType`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const ALGORITHMS: &[&str] = &["p256", "sm2"];

const CHECKS: &[crate::checks::Check] = &[
    ("certificate_authorities", "algorithm", ALGORITHMS),
    ("certificate_authorities", "kind", &["root", "issuing"]),
    (
        "certificate_authorities",
        "status",
        &["active", "retired", "revoked"],
    ),
    ("certificates", "algorithm", ALGORITHMS),
    ("audit_anchors", "algorithm", ALGORITHMS),
    (
        "bound_certificates",
        "status",
        &["pending", "active", "rejected"],
    ),
    (
        "invitations",
        "status",
        &["pending", "accepted", "declined", "revoked"],
    ),
    ("seals", "kind", &["personal", "company", "contract"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        crate::checks::add(m, CHECKS).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        crate::checks::remove(m, CHECKS).await
    }
}
