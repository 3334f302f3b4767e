//! The database-backed job queue: safe with several nodes.
//!
//! A worker claims the oldest due job by setting its lease (`locked_by`, `locked_until`) in one
//! statement: on PostgreSQL the candidate row is picked with `FOR UPDATE SKIP LOCKED`, so two
//! workers never take the same row and never wait for each other; on SQLite the single writer
//! makes the conditional `UPDATE … WHERE id = (SELECT …)` atomic. A job whose lease ran out (its
//! worker died) is due again. Failures are retried with exponential backoff until
//! `max_attempts`, then the job is closed as failed with its last error.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    Statement,
};

use crate::entities::job;
pub use job::Model as Job;

/// Adds a job to run at `run_at`.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    payload: &str,
    run_at: DateTime<Utc>,
    max_attempts: i32,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    let id = crate::new_id("job");
    job::ActiveModel::from(Job {
        id: id.clone(),
        kind: kind.to_owned(),
        payload: payload.to_owned(),
        run_at,
        attempts: 0,
        max_attempts: max_attempts.max(1),
        locked_by: None,
        locked_until: None,
        last_error: None,
        done_at: None,
        failed: false,
        created_at: now,
    })
    .insert(db)
    .await?;
    Ok(id)
}

/// Claims the oldest due job of one of `kinds` for `worker` for `lease`; `None` when nothing
/// is due. A node claims only the kinds it can run (so a node of an older version leaves new
/// kinds to the nodes that know them).
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    kinds: &[&str],
) -> Result<Option<Job>, DbErr> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let backend = db.get_database_backend();
    let until = now + lease;
    let (sql, mut values): (String, Vec<sea_orm::Value>) = match backend {
        DbBackend::Postgres => {
            let list: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
            (
                format!(
                    "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1 \
                     WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $3 \
                     AND (locked_until IS NULL OR locked_until < $3) AND kind IN ({}) \
                     ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id",
                    list.join(", ")
                ),
                vec![worker.into(), until.into(), now.into()],
            )
        }
        _ => (
            format!(
                "UPDATE jobs SET locked_by = ?, locked_until = ?, attempts = attempts + 1 \
                 WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= ? \
                 AND (locked_until IS NULL OR locked_until < ?) AND kind IN ({}) \
                 ORDER BY run_at, id LIMIT 1) RETURNING id",
                vec!["?"; kinds.len()].join(", ")
            ),
            vec![worker.into(), until.into(), now.into(), now.into()],
        ),
    };
    values.extend(kinds.iter().map(|k| sea_orm::Value::from(*k)));
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let id: String = row.try_get("", "id")?;
    job::Entity::find_by_id(id).one(db).await
}

/// Marks a claimed job done; false when `worker` no longer holds it (its lease ran out and
/// another worker took it).
pub async fn complete<C: ConnectionTrait>(
    db: &C,
    id: &str,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = job::Entity::update_many()
        .col_expr(job::Column::DoneAt, Expr::value(now))
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::LockedBy.eq(worker))
        .filter(job::Column::DoneAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The wait before attempt `attempts + 1`: 2^attempts seconds, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    Duration::seconds(1i64 << attempts.clamp(0, 12)).min(Duration::hours(1))
}

/// Records a failure of a claimed job: due again after [`backoff`], or closed as failed when
/// its attempts are used up. False when `worker` no longer holds it.
pub async fn fail<C: ConnectionTrait>(
    db: &C,
    job: &Job,
    worker: &str,
    error: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = job::Entity::update_many()
        .col_expr(job::Column::LastError, Expr::value(error.to_owned()))
        .col_expr(
            job::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    update = if job.attempts >= job.max_attempts {
        update
            .col_expr(job::Column::DoneAt, Expr::value(now))
            .col_expr(job::Column::Failed, Expr::value(true))
    } else {
        update.col_expr(job::Column::RunAt, Expr::value(now + backoff(job.attempts)))
    };
    let res = update
        .filter(job::Column::Id.eq(&job.id))
        .filter(job::Column::LockedBy.eq(worker))
        .filter(job::Column::DoneAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// A job by id.
pub async fn get<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Job>, DbErr> {
    job::Entity::find_by_id(id.to_owned()).one(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(0), Duration::seconds(1));
        assert_eq!(backoff(3), Duration::seconds(8));
        assert_eq!(backoff(30), Duration::hours(1));
        assert_eq!(backoff(-1), Duration::seconds(1));
    }
}
