//! Signet's schema. One file per migration; each runs unchanged on SQLite and PostgreSQL.
//! Run by `signet migrate` and at `signet serve` start-up.

// async_trait signatures from sea-orm-migration elide the SchemaManager lifetime.
#![allow(elided_lifetimes_in_paths)]

pub use sea_orm_migration::prelude::*;

mod checks;

mod m20261123_000001_accounts;
mod m20261123_000002_seed_agreements;
mod m20261123_000003_pki;
mod m20261123_000004_seals;
mod m20261123_000005_external_signings;
mod m20261123_000006_login_challenges;
mod m20261123_000007_bound_certificates;
mod m20261123_000008_jobs;
mod m20261123_000009_tasks;
mod m20261123_000010_external_step;
mod m20261123_000011_audit;
mod m20261123_000012_covering_step_index;
mod m20261204_000013_document_certification;
mod m20261204_000014_unique_uscc;
mod m20261205_000015_task_value_checks;
mod m20261205_000016_pki_value_checks;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_accounts::Migration),
            Box::new(m20261123_000002_seed_agreements::Migration),
            Box::new(m20261123_000003_pki::Migration),
            Box::new(m20261123_000004_seals::Migration),
            Box::new(m20261123_000005_external_signings::Migration),
            Box::new(m20261123_000006_login_challenges::Migration),
            Box::new(m20261123_000007_bound_certificates::Migration),
            Box::new(m20261123_000008_jobs::Migration),
            Box::new(m20261123_000009_tasks::Migration),
            Box::new(m20261123_000010_external_step::Migration),
            Box::new(m20261123_000011_audit::Migration),
            Box::new(m20261123_000012_covering_step_index::Migration),
            Box::new(m20261204_000013_document_certification::Migration),
            Box::new(m20261204_000014_unique_uscc::Migration),
            Box::new(m20261205_000015_task_value_checks::Migration),
            Box::new(m20261205_000016_pki_value_checks::Migration),
        ]
    }
}
