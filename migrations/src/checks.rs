//! Constraining a column that holds a closed set of values to that set, on both databases.
//!
//! PostgreSQL gets a CHECK constraint `{table}_{column}_check`. SQLite cannot add one to an
//! existing table without rebuilding it (which would cascade deletes through the foreign
//! keys), so it gets BEFORE INSERT and BEFORE UPDATE triggers of that name that abort the
//! statement. Rows already holding another value are reported, not changed: the migration
//! stops, naming them, before it constrains anything.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

/// (table, column, allowed values). The values are written out in each migration, as they
/// were when it was made: a migration never changes with the code that reads the columns.
pub(crate) type Check = (&'static str, &'static str, &'static [&'static str]);

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

/// Refuses (changing nothing) when a row holds a value outside its set; then constrains
/// every column.
pub(crate) async fn add(m: &SchemaManager<'_>, checks: &[Check]) -> Result<(), DbErr> {
    let db = m.get_connection();
    let backend = db.get_database_backend();
    let mut wrong = Vec::new();
    for (table, column, values) in checks {
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
            "rows hold values Signet does not know: {}. Nothing was changed. Correct those \
             rows, then migrate again",
            wrong.join(", ")
        )));
    }
    for (table, column, values) in checks {
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

/// Drops what [`add`] made.
pub(crate) async fn remove(m: &SchemaManager<'_>, checks: &[Check]) -> Result<(), DbErr> {
    let db = m.get_connection();
    for (table, column, _) in checks {
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
