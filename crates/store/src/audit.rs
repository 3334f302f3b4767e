//! The evidence trail in the database: appending events to a task's hash chain, reading
//! chains back, timestamp anchors over chain heads, and verification codes.
//!
//! Appending takes the task row's write lock first (`UPDATE tasks SET version = version`):
//! on PostgreSQL a row lock, on SQLite the database's write lock, so two requests that record
//! events on one task at once (two page views) queue instead of both reading the same head.
//! The UNIQUE `(task_id, seq)` index is the last line: a fork cannot be stored, and
//! [`append_now`] retries the losing transaction.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, SqlErr, TransactionTrait,
};
use signet_domain::audit::{self, EventRecord, StoredEvent};

use crate::entities::{audit_anchor, task, task_event, verification_code};
pub use audit_anchor::Model as Anchor;
pub use task_event::Model as Event;
pub use verification_code::Model as Code;

/// An event to record; the chain fields are filled in by [`append`].
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub task_id: String,
    pub step_id: Option<String>,
    pub kind: String,
    pub actor_id: Option<String>,
    pub at: DateTime<Utc>,
    pub ip: String,
    pub user_agent: String,
    pub document_hashes: String,
    pub detail: String,
}

/// The chain record of a stored event.
pub fn record_of(e: &Event) -> EventRecord {
    EventRecord {
        task_id: e.task_id.clone(),
        seq: e.seq,
        kind: e.kind.clone(),
        step_id: e.step_id.clone(),
        actor_id: e.actor_id.clone(),
        at: e.at,
        ip: e.ip.clone(),
        user_agent: e.user_agent.clone(),
        document_hashes: e.document_hashes.clone(),
        detail: e.detail.clone(),
        prev_hash: e.prev_hash.clone(),
    }
}

pub fn stored(e: &Event) -> StoredEvent {
    StoredEvent {
        id: e.id.clone(),
        record: record_of(e),
        hash: e.hash.clone(),
    }
}

/// Appends `events` (all of one task) to the task's chain, inside the caller's transaction,
/// after locking the task row. Returns them as stored.
pub async fn append<C: ConnectionTrait>(
    db: &C,
    task_id: &str,
    events: Vec<NewEvent>,
) -> Result<Vec<Event>, DbErr> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    task::Entity::update_many()
        .col_expr(task::Column::Version, Expr::col(task::Column::Version))
        .filter(task::Column::Id.eq(task_id))
        .exec(db)
        .await?;
    let mut head = head(db, task_id).await?;
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let (seq, prev_hash) =
            audit::next_link(head.as_ref().map(|(s, h): &(i64, String)| (*s, h.as_str())));
        let record = EventRecord {
            task_id: task_id.to_owned(),
            seq,
            kind: e.kind,
            step_id: e.step_id,
            actor_id: e.actor_id,
            at: audit::storable_time(e.at),
            ip: e.ip,
            user_agent: e.user_agent,
            document_hashes: e.document_hashes,
            detail: e.detail,
            prev_hash,
        };
        let hash = record.hash();
        let row = Event {
            id: crate::new_id("evt"),
            task_id: record.task_id,
            step_id: record.step_id,
            kind: record.kind,
            actor_id: record.actor_id,
            at: record.at,
            ip: record.ip,
            user_agent: record.user_agent,
            document_hashes: record.document_hashes,
            detail: record.detail,
            seq,
            prev_hash: record.prev_hash,
            hash: hash.clone(),
        };
        task_event::ActiveModel::from(row.clone())
            .insert(db)
            .await?;
        head = Some((seq, hash));
        out.push(row);
    }
    Ok(out)
}

/// Whether `e` is the UNIQUE `(task_id, seq)` index refusing a second event at one link.
pub fn is_fork(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Appends `events` in a transaction of their own (an event that is not part of a state
/// change: a page view, a download), retrying when another writer took the link first.
pub async fn append_now(
    db: &DatabaseConnection,
    task_id: &str,
    events: Vec<NewEvent>,
) -> Result<Vec<Event>, DbErr> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let txn = db.begin().await?;
        match append(&txn, task_id, events.clone()).await {
            Ok(stored) => {
                txn.commit().await?;
                return Ok(stored);
            }
            Err(e) if is_fork(&e) && attempt < 5 => {
                txn.rollback().await?;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Appends one page view unless the same actor already viewed the same document of the task
/// at or after `since` (one view event per user, document and hour is enough evidence, and
/// keeps a reload-happy client from growing the chain without bound). Returns whether an
/// event was appended. Callers serialise views of one task (the check and the append are
/// two steps).
pub async fn append_view(
    db: &DatabaseConnection,
    task_id: &str,
    event: NewEvent,
    document_id: &str,
    since: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let seen = task_event::Entity::find()
        .filter(task_event::Column::TaskId.eq(task_id))
        .filter(task_event::Column::Kind.eq(event.kind.as_str()))
        .filter(task_event::Column::ActorId.eq(event.actor_id.clone()))
        .filter(task_event::Column::At.gte(since))
        .filter(task_event::Column::Detail.contains(format!("\"document\":\"{document_id}\"")))
        .one(db)
        .await?
        .is_some();
    if seen {
        return Ok(false);
    }
    append_now(db, task_id, vec![event]).await?;
    Ok(true)
}

/// The last link of a task's chain: its sequence number and hash.
pub async fn head<C: ConnectionTrait>(
    db: &C,
    task_id: &str,
) -> Result<Option<(i64, String)>, DbErr> {
    Ok(task_event::Entity::find()
        .filter(task_event::Column::TaskId.eq(task_id))
        .order_by_desc(task_event::Column::Seq)
        .one(db)
        .await?
        .map(|e| (e.seq, e.hash)))
}

/// A task's events in chain order.
pub async fn chain<C: ConnectionTrait>(db: &C, task_id: &str) -> Result<Vec<Event>, DbErr> {
    task_event::Entity::find()
        .filter(task_event::Column::TaskId.eq(task_id))
        .order_by_asc(task_event::Column::Seq)
        .order_by_asc(task_event::Column::Id)
        .all(db)
        .await
}

/// Every task that has events, in id order, from `after` on (for checking all chains page by
/// page).
pub async fn tasks_with_events<C: ConnectionTrait>(
    db: &C,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<String>, DbErr> {
    let mut q = task_event::Entity::find()
        .select_only()
        .column(task_event::Column::TaskId)
        .distinct()
        .order_by_asc(task_event::Column::TaskId)
        .limit(limit);
    if let Some(a) = after {
        q = q.filter(task_event::Column::TaskId.gt(a));
    }
    q.into_tuple::<String>().all(db).await
}

// ---------------------------------------------------------------------------------------------
// Anchors

pub async fn insert_anchor<C: ConnectionTrait>(db: &C, a: Anchor) -> Result<(), DbErr> {
    audit_anchor::ActiveModel::from(a)
        .insert(db)
        .await
        .map(|_| ())
}

/// A task's anchors, oldest first.
pub async fn anchors<C: ConnectionTrait>(db: &C, task_id: &str) -> Result<Vec<Anchor>, DbErr> {
    audit_anchor::Entity::find()
        .filter(audit_anchor::Column::TaskId.eq(task_id))
        .order_by_asc(audit_anchor::Column::Seq)
        .order_by_asc(audit_anchor::Column::CreatedAt)
        .all(db)
        .await
}

/// Final tasks whose chain grew past their last anchor (or was never anchored), up to
/// `limit`: what the periodic anchoring job timestamps.
pub async fn unanchored<C: ConnectionTrait>(db: &C, limit: u64) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT t.id AS id FROM tasks t \
         WHERE t.state IN ('completed', 'rejected', 'cancelled', 'expired') \
         AND (SELECT MAX(e.seq) FROM task_events e WHERE e.task_id = t.id) > \
             COALESCE((SELECT MAX(a.seq) FROM audit_anchors a WHERE a.task_id = t.id), 0) \
         ORDER BY t.id LIMIT {limit}"
    );
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(backend, sql))
        .await?;
    rows.iter().map(|r| r.try_get::<String>("", "id")).collect()
}

// ---------------------------------------------------------------------------------------------
// Verification codes

/// Records a document's code (by its hash); a document keeps the first code it got.
pub async fn insert_code<C: ConnectionTrait>(db: &C, c: Code) -> Result<(), DbErr> {
    let exists = verification_code::Entity::find()
        .filter(verification_code::Column::DocumentId.eq(c.document_id.clone()))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    verification_code::ActiveModel::from(c)
        .insert(db)
        .await
        .map(|_| ())
}

pub async fn code_by_hash<C: ConnectionTrait>(
    db: &C,
    code_hash: &str,
) -> Result<Option<Code>, DbErr> {
    verification_code::Entity::find_by_id(code_hash.to_owned())
        .one(db)
        .await
}

pub async fn code_of_document<C: ConnectionTrait>(
    db: &C,
    document_id: &str,
) -> Result<Option<Code>, DbErr> {
    verification_code::Entity::find()
        .filter(verification_code::Column::DocumentId.eq(document_id))
        .one(db)
        .await
}
