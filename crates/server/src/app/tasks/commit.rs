//! How a task changes: the audit events of a transition, the version-guarded commit, the
//! events that change nothing else (views, downloads), and expiry (run by the job worker).

use chrono::{DateTime, Utc};
use signet_api::TaskView;
use signet_domain::workflow::{self, Event, StepState, TaskState, Workflow};
use signet_store::audit::{self, NewEvent};
use signet_store::sea_orm::{ConnectionTrait, TransactionTrait};
use signet_store::tasks::{self, TaskChange};
use std::collections::BTreeMap;

use super::{Loaded, current_view, load};
use crate::auth::ClientMeta;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// The job that expires a task after its deadline.
pub const EXPIRE_JOB: &str = "task.expire";

/// Who asks: the signed-in user and where the request came from (for audit events).
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    pub user: &'a str,
    pub meta: &'a ClientMeta,
}

impl<'a> Caller<'a> {
    /// The actor of audit events recorded at `now`.
    pub fn at(self, now: DateTime<Utc>) -> Actor<'a> {
        Actor {
            user: Some(self.user),
            meta: Some(self.meta),
            now,
        }
    }
}

/// Who did something, from where, and when: what every audit event carries.
#[derive(Clone, Copy)]
pub struct Actor<'a> {
    pub user: Option<&'a str>,
    pub meta: Option<&'a ClientMeta>,
    pub now: DateTime<Utc>,
}

impl Actor<'_> {
    /// An audit event by this actor (chain fields are added when it is appended).
    pub fn event(
        &self,
        task_id: &str,
        kind: &str,
        step: Option<String>,
        hashes: &BTreeMap<String, String>,
        detail: serde_json::Value,
    ) -> NewEvent {
        NewEvent {
            task_id: task_id.to_owned(),
            step_id: step,
            kind: kind.to_owned(),
            actor_id: self.user.map(str::to_owned),
            at: self.now,
            ip: self.meta.map(|m| m.ip.clone()).unwrap_or_default(),
            user_agent: self.meta.map(|m| m.user_agent.clone()).unwrap_or_default(),
            document_hashes: serde_json::to_string(hashes).unwrap_or_default(),
            detail: detail.to_string(),
        }
    }
}

/// Appends the events of one transition to the task's audit chain (inside the caller's
/// transaction). `signed` is merged into the detail of `step_signed` (certificates used and
/// new revisions).
pub(super) async fn record<C: ConnectionTrait>(
    db: &C,
    l: &Loaded,
    hashes: &BTreeMap<String, String>,
    events: &[Event],
    actor: Actor<'_>,
    signed: Option<&serde_json::Value>,
) -> ApiResult<()> {
    let new = events
        .iter()
        .map(|e| {
            let (kind, step) = event_kind(e);
            let mut detail = serde_json::to_value(e).unwrap_or_default();
            if let (Event::StepSigned { .. }, Some(serde_json::Value::Object(more))) = (e, signed)
                && let serde_json::Value::Object(d) = &mut detail
            {
                d.extend(more.clone());
            }
            actor.event(&l.task.id, kind, step, hashes, detail)
        })
        .collect();
    audit::append(db, &l.task.id, new).await?;
    Ok(())
}

/// Records an event that changes nothing else (a page view, a download) in a transaction of
/// its own, after the task's other events.
pub async fn note(
    state: &AppState,
    l: &Loaded,
    kind: &str,
    user: &str,
    meta: &ClientMeta,
    detail: serde_json::Value,
) -> ApiResult<()> {
    let actor = Actor {
        user: Some(user),
        meta: Some(meta),
        now: Utc::now(),
    };
    let event = actor.event(&l.task.id, kind, None, &l.hashes(), detail);
    match audit::append_now(&state.db, &l.task.id, vec![event]).await {
        Ok(_) => Ok(()),
        Err(e) if audit::is_fork(&e) => Err(ApiError::unavailable("busy", 1)),
        Err(e) => Err(e.into()),
    }
}

/// The lock serialising the view events of one task on this node.
fn view_lock(task_id: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static LOCKS: crate::locks::KeyedLocks = crate::locks::KeyedLocks::new();
    LOCKS.get(task_id)
}

/// Records a page view: one `page_viewed` event per user, document and hour.
pub async fn note_view(
    state: &AppState,
    l: &Loaded,
    document_id: &str,
    user: &str,
    meta: &ClientMeta,
    detail: serde_json::Value,
) -> ApiResult<()> {
    let now = Utc::now();
    let actor = Actor {
        user: Some(user),
        meta: Some(meta),
        now,
    };
    let event = actor.event(&l.task.id, "page_viewed", None, &l.hashes(), detail);
    let since = now - chrono::Duration::hours(1);
    // One view at a time per task on this node, so concurrent views record one event.
    let lock = view_lock(&l.task.id);
    let _held = lock.lock().await;
    match audit::append_view(&state.db, &l.task.id, event, document_id, since).await {
        Ok(_) => Ok(()),
        Err(e) if audit::is_fork(&e) => Err(ApiError::unavailable("busy", 1)),
        Err(e) => Err(e.into()),
    }
}

fn event_kind(e: &Event) -> (&'static str, Option<String>) {
    match e {
        Event::TaskStarted => ("task_started", None),
        Event::StepActivated { step } => ("step_activated", Some(step.clone())),
        Event::StepSigned { step } => ("step_signed", Some(step.clone())),
        Event::StepRejected { step, .. } => ("step_rejected", Some(step.clone())),
        Event::TaskCompleted => ("task_completed", None),
        Event::TaskRejected => ("task_rejected", None),
        Event::TaskCancelled => ("task_cancelled", None),
        Event::TaskExpired => ("task_expired", None),
    }
}

/// Writes a transition: the guarded version bump, every step whose state changed, and the
/// events. Returns 409 `task_changed` when another writer got there first.
/// A task that ends gets its chain anchored by the TSA; a completed one gets a verification
/// code per document (by its final revision, `hashes`).
#[allow(clippy::too_many_arguments)]
pub(super) async fn apply<C: ConnectionTrait>(
    state: &AppState,
    db: &C,
    l: &Loaded,
    next: &Workflow,
    events: &[Event],
    actor: Actor<'_>,
    hashes: &BTreeMap<String, String>,
    signed: Option<&serde_json::Value>,
) -> ApiResult<()> {
    let now = actor.now;
    let before = l.state();
    let mut change = TaskChange::default();
    if next.state != before {
        change.state = Some(next.state);
        if next.state == TaskState::InProgress {
            change.started_at = Some(now);
        }
        if next.state.is_final() {
            change.finished_at = Some(now);
        }
    }
    if !tasks::bump(db, &l.task.id, l.task.version, change, now).await? {
        return Err(task_changed());
    }
    for (old, new) in l.steps.iter().zip(&next.steps) {
        if old.state != new.state {
            let signed_at = (new.state == StepState::Signed).then_some(now);
            let reason = events.iter().find_map(|e| match e {
                Event::StepRejected { step, reason } if *step == new.id => Some(reason.clone()),
                _ => None,
            });
            tasks::set_step(db, &new.id, new.state, signed_at, reason).await?;
        }
    }
    record(db, l, hashes, events, actor, signed).await?;
    if next.state.is_final() && !before.is_final() {
        crate::evidence::on_final(state, db, &l.task.id, next.state, hashes, now).await?;
    }
    Ok(())
}

/// Commits a transition in one short transaction — the version guard, the steps, the events
/// and the documents' new revisions (`new_blobs`, by document id; empty for cancel and
/// reject) — and answers the task as it now is.
#[allow(clippy::too_many_arguments)]
pub(super) async fn commit_transition(
    state: &AppState,
    l: &Loaded,
    next: &Workflow,
    events: &[Event],
    new_blobs: &BTreeMap<String, String>,
    signed: Option<&serde_json::Value>,
    user: &str,
    meta: &ClientMeta,
) -> ApiResult<TaskView> {
    let actor = Actor {
        user: Some(user),
        meta: Some(meta),
        now: Utc::now(),
    };
    let hashes = l.hashes_with(new_blobs);
    let txn = state.db.begin().await?;
    apply(state, &txn, l, next, events, actor, &hashes, signed).await?;
    for (doc, blob) in new_blobs {
        tasks::set_document_blob(&txn, doc, blob).await?;
    }
    txn.commit().await?;
    current_view(state, &l.task.id, user).await
}

/// Commits a transition that changes no document (cancel, reject).
pub(super) async fn commit_plain(
    state: &AppState,
    l: &Loaded,
    (next, events): (Workflow, Vec<Event>),
    user: &str,
    meta: &ClientMeta,
) -> ApiResult<TaskView> {
    let none = BTreeMap::new();
    commit_transition(state, l, &next, &events, &none, None, user, meta).await
}

/// Commits the signing of `step`: its documents' new revisions and what the signature used
/// (`signed`, for the audit event).
pub(super) async fn commit_signed(
    state: &AppState,
    l: &Loaded,
    step: &str,
    new_blobs: &BTreeMap<String, String>,
    signed: &serde_json::Value,
    user: &str,
    meta: &ClientMeta,
) -> ApiResult<TaskView> {
    let (next, events) = l.workflow().sign(step)?;
    commit_transition(
        state,
        l,
        &next,
        &events,
        new_blobs,
        Some(signed),
        user,
        meta,
    )
    .await
}

pub(super) fn task_changed() -> ApiError {
    ApiError::conflict("task_changed").retry_after(0)
}

/// Starts task `l` inside the caller's transaction: its first order becomes active, the
/// events are recorded, and its expiry is queued when it has a deadline.
pub(super) async fn start_in<C: ConnectionTrait>(
    state: &AppState,
    db: &C,
    l: &Loaded,
    actor: Actor<'_>,
) -> ApiResult<()> {
    let (next, events) = l.workflow().start()?;
    apply(state, db, l, &next, &events, actor, &l.hashes(), None).await?;
    if let Some(d) = l.task.deadline {
        signet_store::jobs::enqueue(db, EXPIRE_JOB, &l.task.id, d, 10, actor.now).await?;
    }
    Ok(())
}

/// Expires task `id` if it is still in progress and past its deadline. `Ok(false)` when
/// there is nothing to do (finished meanwhile); an error makes the job retry.
pub async fn expire(state: &AppState, id: &str, now: DateTime<Utc>) -> ApiResult<bool> {
    let l = match load(&state.db, id).await {
        Ok(l) => l,
        Err(_) => return Ok(false),
    };
    let (next, events) = match l.workflow().expire(now) {
        Ok(t) => t,
        Err(workflow::WorkflowError::NotInProgress) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let txn = state.db.begin().await?;
    let actor = Actor {
        user: None,
        meta: None,
        now,
    };
    apply(state, &txn, &l, &next, &events, actor, &l.hashes(), None).await?;
    txn.commit().await?;
    tracing::info!(task = %id, "task expired");
    Ok(true)
}
