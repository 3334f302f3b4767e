//! Signet's schema. One file per migration; each runs unchanged on SQLite and PostgreSQL.
//! Run by `signet migrate` and at `signet serve` start-up.

// async_trait signatures from sea-orm-migration elide the SchemaManager lifetime.
#![allow(elided_lifetimes_in_paths)]

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_accounts;
mod m20261123_000002_seed_agreements;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_accounts::Migration),
            Box::new(m20261123_000002_seed_agreements::Migration),
        ]
    }
}
