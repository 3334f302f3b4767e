//! The task columns that hold a closed set of values are constrained to it, on both
//! databases: a task's state, a step's state, its copy of the task's state, its signing mode
//! and its seal kind, the PAdES level of an external signing session, the role of an
//! organisation member or invitation, and what a certificate is for. The application reads
//! them as enums (`signet_domain::workflow`, `pades`, `org`, `certificate`) and an unknown value
//! is an error there (never a permissive default); here it cannot be written in the first
//! place.
//!
//! PostgreSQL gets CHECK constraints. SQLite cannot add one to an existing table without
//! rebuilding it (which would cascade deletes through the foreign keys), so it gets BEFORE
//! INSERT and BEFORE UPDATE triggers that abort the statement. Rows already holding another
//! value are reported, not changed: the migration stops naming them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

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

/// (table, column, allowed values)
const CHECKS: &[(&str, &str, &[&str])] = &[
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

fn name(table: &str, column: &str) -> String {
    format!("{table}_{column}_check")
}

fn allowed(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let mut wrong = Vec::new();
        for (table, column, values) in CHECKS {
            let rows = db
                .query_all_raw(Statement::from_string(
                    backend,
                    format!(
                        "SELECT {column} AS v, COUNT(*) AS n FROM {table} \
                         WHERE {column} NOT IN ({}) GROUP BY {column} ORDER BY {column}",
                        allowed(values)
                    ),
                ))
                .await?;
            for r in &rows {
                let v: String = r.try_get("", "v")?;
                let n: i64 = r.try_get("", "n")?;
                wrong.push(format!("{table}.{column} = '{v}' ({n} rows)"));
            }
        }
        if !wrong.is_empty() {
            return Err(DbErr::Migration(format!(
                "rows hold values Signet does not know: {}. Nothing was changed. Correct \
                 those rows, then migrate again",
                wrong.join(", ")
            )));
        }
        for (table, column, values) in CHECKS {
            let check = name(table, column);
            let list = allowed(values);
            if backend == DatabaseBackend::Postgres {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IN ({list}))"
                ))
                .await?;
            } else {
                for (when, event) in [
                    ("insert", "INSERT".to_owned()),
                    ("update", format!("UPDATE OF {column}")),
                ] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {check}_{when} BEFORE {event} ON {table} \
                         WHEN NEW.{column} NOT IN ({list}) \
                         BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {check}'); END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (table, column, _) in CHECKS {
            let check = name(table, column);
            if db.get_database_backend() == DatabaseBackend::Postgres {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {check}"
                ))
                .await?;
            } else {
                for when in ["insert", "update"] {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {check}_{when}"))
                        .await?;
                }
            }
        }
        Ok(())
    }
}
