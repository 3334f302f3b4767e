//! The task columns that hold a closed set of values are constrained to it, on both
//! databases: a task's state, a step's state, its copy of the task's state, its signing mode
//! and its seal kind, the PAdES level of an external signing session, the role of an
//! organisation member or invitation, and what a certificate is for. The application reads
//! them as enums (`signet_domain::workflow`, `pades`, `org`, `certificate`) and an unknown value
//! is an error there (never a permissive default); here it cannot be written in the first
//! place.
//!
//! How the constraints are made on each database: [`crate::checks`].

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TASK_STATES: &[&str] = &[
    "draft",
    "in_progress",
    "completed",
    "rejected",
    "cancelled",
    "expired",
];

const CHECKS: &[crate::checks::Check] = &[
    ("tasks", "state", TASK_STATES),
    (
        "task_steps",
        "state",
        &["waiting", "active", "signed", "rejected"],
    ),
    ("task_steps", "task_state", TASK_STATES),
    ("task_steps", "mode", &["pc", "mobile", "any"]),
    (
        "task_steps",
        "seal_kind",
        &["personal", "organization", "any"],
    ),
    (
        "external_signings",
        "level",
        &["b-b", "b-t", "b-lt", "b-lta"],
    ),
    ("memberships", "role", &["admin", "member"]),
    (
        "certificates",
        "purpose",
        &["user", "org", "platform", "ocsp", "tsa"],
    ),
    ("invitations", "role", &["admin", "member"]),
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
