//! Signing tasks (签署任务): initiate with documents and steps, start, sign a step with
//! placements and PINs, reject, cancel, forward, download, and the three lists.
//!
//! Access: a task is visible to its initiator and, once started, to the signers of its steps;
//! to anyone else it does not exist (404 `task_not_found`, also across organisations). The
//! rules of who may do what live in `signet_domain::workflow`; the transitions are pure and
//! this module applies them: every write reads the task's `version`, does the slow work (PIN
//! checks, signing, blob writes) outside any transaction, then commits in one short
//! transaction that moves `version` on only if nobody else did (otherwise 409
//! `task_changed`, and the task is as it was).

use actix_multipart::Multipart;
use actix_web::http::header::{CONTENT_DISPOSITION, ContentDisposition, DispositionParam};
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use signet_api::{
    CountView, CreateTask, DocumentView, ForwardTask, RejectStep, SignStep, SigningOption,
    SigningOptions, StepInput, StepView, TaskList, TaskListQuery, TaskView, UpdateTask,
};
use signet_domain::access::{self, Owner};
use signet_domain::certificate::CertPurpose;
use signet_domain::identity::PhoneNumber;
use signet_domain::org::Role;
use signet_domain::workflow::{
    self, Event, MAX_DOCUMENTS, MAX_NAME_CHARS, MAX_STEPS, MAX_TEXT_CHARS, SealKind, SignMode,
    StepState, TaskState, Workflow,
};
use signet_store::audit::{self, NewEvent};
use signet_store::repo::{orgs, pki as certs, seals, users};
use signet_store::sea_orm::{ConnectionTrait, TransactionTrait};
use signet_store::tasks::{self, Document, ListBox, ListQuery, Step, Task, TaskChange};
use std::collections::{BTreeMap, BTreeSet};

use crate::app::signing::{self, Pipeline};
use crate::auth::{AuthUser, ClientMeta};
use crate::keys;
use crate::problem::{ApiError, ApiResult};
use crate::routes::sign::{MAX_PDF, read_part, slot};
use crate::state::AppState;

/// The job that expires a task after its deadline.
pub const EXPIRE_JOB: &str = "task.expire";
const MAX_REQUEST_JSON: usize = 64 * 1024;
const MAX_PLACEMENTS: usize = 50;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/tasks", web::post().to(create))
        .route("/tasks", web::get().to(list))
        .route("/tasks/to_sign/count", web::get().to(count_to_sign))
        .route("/tasks/{id}", web::get().to(get))
        .route("/tasks/{id}", web::patch().to(update))
        .route("/tasks/{id}/start", web::post().to(start))
        .route("/tasks/{id}/cancel", web::post().to(cancel))
        .route("/tasks/{id}/forward", web::post().to(forward))
        .route("/tasks/{id}/download", web::get().to(download_all))
        .route(
            "/tasks/{id}/documents/{doc}/file",
            web::get().to(download_one),
        )
        .route("/tasks/{id}/documents/{doc}/pages", web::get().to(pages))
        .route(
            "/tasks/{id}/documents/{doc}/pages/{number}",
            web::get().to(page_image),
        )
        .route("/tasks/{id}/steps/{step}/options", web::get().to(options))
        .route("/tasks/{id}/steps/{step}/sign", web::post().to(sign))
        .route("/tasks/{id}/steps/{step}/reject", web::post().to(reject))
        .route(
            "/tasks/{id}/steps/{step}/external",
            web::post().to(external_prepare),
        )
        .route(
            "/tasks/{id}/steps/{step}/external/{session}/finish",
            web::post().to(external_finish),
        );
}

// ---------------------------------------------------------------------------------------------
// Loading and views

/// A task with its documents and steps, as read at `task.version`.
pub struct Loaded {
    pub task: Task,
    pub docs: Vec<Document>,
    pub steps: Vec<Step>,
}

impl Loaded {
    pub fn state(&self) -> TaskState {
        self.task.state
    }

    pub fn is_initiator(&self, user: &str) -> bool {
        self.task.initiator_id == user
    }

    fn is_signer(&self, user: &str) -> bool {
        self.steps.iter().any(|s| s.signer_id == user)
    }

    fn workflow(&self) -> Workflow {
        Workflow {
            state: self.state(),
            steps: self
                .steps
                .iter()
                .map(|s| workflow::Step {
                    id: s.id.clone(),
                    order: u32::try_from(s.ord).unwrap_or_default(),
                    state: s.state,
                })
                .collect(),
            deadline: self.task.deadline,
        }
    }

    /// Each document's current SHA-256, by document id, for the events.
    pub fn hashes(&self) -> BTreeMap<String, String> {
        self.hashes_with(&BTreeMap::new())
    }

    /// As [`hashes`](Self::hashes), with the new revisions in `changed` (by document id).
    fn hashes_with(&self, changed: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        self.docs
            .iter()
            .map(|d| {
                let blob = changed.get(&d.id).unwrap_or(&d.current_blob);
                (d.id.clone(), blob.clone())
            })
            .collect()
    }
}

pub async fn load<C: ConnectionTrait>(db: &C, id: &str) -> ApiResult<Loaded> {
    let task = tasks::by_id(db, id)
        .await?
        .ok_or_else(|| ApiError::not_found("task_not_found"))?;
    let docs = tasks::documents(db, id).await?;
    let steps = tasks::steps(db, id).await?;
    Ok(Loaded { task, docs, steps })
}

/// The task if the caller may see it: the initiator always, the signers once it started.
pub async fn load_visible(state: &AppState, id: &str, user: &str) -> ApiResult<Loaded> {
    let l = load(&state.db, id).await?;
    let visible = l.is_initiator(user) || (l.state() != TaskState::Draft && l.is_signer(user));
    if visible {
        Ok(l)
    } else {
        Err(ApiError::not_found("task_not_found"))
    }
}

pub fn require_initiator(l: &Loaded, user: &str) -> ApiResult<()> {
    if l.is_initiator(user) {
        Ok(())
    } else {
        Err(ApiError::forbidden("not_task_initiator"))
    }
}

/// What `user` may do with the task now.
/// What a step's signer should be told: a signed step of a task with a certified document put
/// its signatures into new signed fields after the certification.
fn step_notices(step: &Step, docs: &[Document]) -> Vec<String> {
    let certified = docs
        .iter()
        .find_map(|d| d.certified)
        .and_then(|p| u8::try_from(p).ok());
    match certified {
        Some(permission) if step.state == StepState::Signed => {
            vec![
                signet_pdf::Notice::CertifiedNewField { permission }
                    .code()
                    .to_owned(),
            ]
        }
        _ => Vec::new(),
    }
}

fn operations(l: &Loaded, user: &str) -> Vec<String> {
    let state = l.state();
    let mut ops = vec!["view"];
    let initiator = l.is_initiator(user);
    if initiator && state == TaskState::Draft {
        ops.extend(["edit", "start"]);
    }
    if initiator && state == TaskState::InProgress {
        ops.push("cancel");
    }
    if state == TaskState::InProgress
        && l.steps
            .iter()
            .any(|s| s.signer_id == user && s.state == StepState::Active)
    {
        ops.extend(["sign", "reject"]);
    }
    let signed = l
        .steps
        .iter()
        .any(|s| s.signer_id == user && s.state == StepState::Signed);
    let standing = signed || (initiator && state == TaskState::Completed);
    if matches!(state, TaskState::InProgress | TaskState::Completed)
        && workflow::may_forward(
            user,
            standing,
            l.docs.iter().map(|d| d.uploader_id.as_str()),
        )
        .is_ok()
    {
        ops.push("forward");
    }
    if workflow::may_download(initiator, state).is_ok() {
        ops.extend(["download", "initiate_more"]);
    }
    ops.into_iter().map(str::to_owned).collect()
}

pub async fn org_names<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = String>,
) -> ApiResult<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for id in ids.into_iter().collect::<BTreeSet<_>>() {
        if let Some(o) = orgs::by_id(db, &id).await? {
            out.insert(id, o.name);
        }
    }
    Ok(out)
}

fn view(l: &Loaded, user: &str, names: &BTreeMap<String, String>) -> TaskView {
    let org_name = |id: &Option<String>| id.as_ref().and_then(|i| names.get(i).cloned());
    TaskView {
        id: l.task.id.clone(),
        name: l.task.name.clone(),
        state: l.task.state,
        version: l.task.version,
        initiator_id: l.task.initiator_id.clone(),
        initiator_name: l.task.initiator_name.clone(),
        org_id: l.task.org_id.clone(),
        org_name: org_name(&l.task.org_id),
        created_at: l.task.created_at,
        started_at: l.task.started_at,
        finished_at: l.task.finished_at,
        deadline: l.task.deadline,
        forwarded_from: l.task.forwarded_from.clone(),
        documents: l
            .docs
            .iter()
            .map(|d| DocumentView {
                id: d.id.clone(),
                name: d.name.clone(),
                pages: u32::try_from(d.pages).unwrap_or_default(),
                size: u64::try_from(d.size).unwrap_or_default(),
                sha256: d.current_blob.clone(),
                uploaded_by: d.uploader_id.clone(),
                verification_code: None,
                certified: d.certified.and_then(|p| u8::try_from(p).ok()),
            })
            .collect(),
        steps: l
            .steps
            .iter()
            .map(|s| StepView {
                id: s.id.clone(),
                order: u32::try_from(s.ord).unwrap_or_default(),
                signer_id: s.signer_id.clone(),
                signer_name: s.signer_name.clone(),
                org_id: s.org_id.clone(),
                org_name: org_name(&s.org_id),
                state: s.state,
                signed_at: s.signed_at,
                mode: s.mode,
                seal_kind: s.seal_kind,
                description: s.description.clone(),
                reject_reason: s.reject_reason.clone(),
                notices: step_notices(s, &l.docs),
            })
            .collect(),
        operations: operations(l, user),
    }
}

/// The task as it is now (read again after a change), as `user` sees it.
async fn current_view(state: &AppState, id: &str, user: &str) -> ApiResult<TaskView> {
    task_view(state, &load(&state.db, id).await?, user).await
}

async fn task_view(state: &AppState, l: &Loaded, user: &str) -> ApiResult<TaskView> {
    let ids = l
        .steps
        .iter()
        .filter_map(|s| s.org_id.clone())
        .chain(l.task.org_id.clone());
    let names = org_names(&state.db, ids).await?;
    let mut v = view(l, user, &names);
    if l.state() == TaskState::Completed {
        for d in &mut v.documents {
            let code = crate::evidence::verification_code(&state.master, &d.id, &d.sha256);
            d.verification_code = Some(code.grouped());
        }
    }
    Ok(v)
}

// ---------------------------------------------------------------------------------------------
// Events

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
async fn record<C: ConnectionTrait>(
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
async fn note_view(
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
async fn apply<C: ConnectionTrait>(
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
async fn commit_transition(
    state: &AppState,
    l: &Loaded,
    next: &Workflow,
    events: &[Event],
    new_blobs: &BTreeMap<String, String>,
    signed: Option<&serde_json::Value>,
    user: &AuthUser,
    meta: &ClientMeta,
) -> ApiResult<HttpResponse> {
    let actor = Actor {
        user: Some(&user.user_id),
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
    Ok(HttpResponse::Ok().json(current_view(state, &l.task.id, &user.user_id).await?))
}

/// Commits a transition that changes no document (cancel, reject).
async fn commit_plain(
    state: &AppState,
    l: &Loaded,
    (next, events): (Workflow, Vec<Event>),
    user: &AuthUser,
    meta: &ClientMeta,
) -> ApiResult<HttpResponse> {
    let none = BTreeMap::new();
    commit_transition(state, l, &next, &events, &none, None, user, meta).await
}

/// Commits the signing of `step`: its documents' new revisions and what the signature used
/// (`signed`, for the audit event).
async fn commit_signed(
    state: &AppState,
    l: &Loaded,
    step: &str,
    new_blobs: &BTreeMap<String, String>,
    signed: &serde_json::Value,
    user: &AuthUser,
    meta: &ClientMeta,
) -> ApiResult<HttpResponse> {
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

fn task_changed() -> ApiError {
    ApiError::conflict("task_changed").retry_after(0)
}

/// Queues the expiry of a task that just started with a deadline.
async fn schedule_expiry<C: ConnectionTrait>(
    db: &C,
    task_id: &str,
    deadline: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if let Some(d) = deadline {
        signet_store::jobs::enqueue(db, EXPIRE_JOB, task_id, d, 10, now).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Initiating

fn check_name(name: &str, field: &'static str) -> ApiResult<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME_CHARS || n.chars().any(char::is_control) {
        return Err(ApiError::bad_request("invalid_name")
            .field(field)
            .param("max", MAX_NAME_CHARS));
    }
    Ok(n.to_owned())
}

fn search_text(name: &str, docs: &[Document]) -> String {
    let mut s = name.to_lowercase();
    for d in docs {
        s.push('\n');
        s.push_str(&d.name.to_lowercase());
    }
    s
}

/// The caller's standing for initiating: their membership in `org_id` (if any) and the
/// operator's personal grant.
async fn initiate_standing(
    state: &AppState,
    user: &str,
    org_id: Option<&str>,
) -> ApiResult<(Option<access::Membership>, bool)> {
    let membership = match org_id {
        Some(org) => orgs::membership(&state.db, org, user)
            .await?
            .map(|m| access::Membership {
                admin: m.role == Role::Admin,
                can_initiate: m.can_initiate,
            }),
        None => None,
    };
    let personal = tasks::may_initiate_personally(&state.db, user).await?;
    Ok((membership, personal))
}

/// May `user` initiate, for `org_id` (its admin granted `initiate`, or the user is an admin)
/// or personally (the operator's grant)? See [`access::may_initiate`].
async fn check_initiate(state: &AppState, user: &str, org_id: Option<&str>) -> ApiResult<()> {
    let (membership, personal) = initiate_standing(state, user, org_id).await?;
    access::may_initiate(org_id.is_some(), membership, personal)
        .map_err(|_| ApiError::forbidden("initiate_not_granted"))
}

/// Whether `user` may initiate at all (personally, or for some organisation): checked before
/// an upload is read, so that nobody without the right can make the server store files.
async fn check_initiate_anywhere(state: &AppState, user: &str) -> ApiResult<()> {
    if tasks::may_initiate_personally(&state.db, user).await? {
        return Ok(());
    }
    for (m, _) in orgs::memberships_of(&state.db, user).await? {
        let m = access::Membership {
            admin: m.role == Role::Admin,
            can_initiate: m.can_initiate,
        };
        if access::may_initiate(true, Some(m), false).is_ok() {
            return Ok(());
        }
    }
    Err(ApiError::forbidden("initiate_not_granted"))
}

/// Resolves the initiator's step descriptions to step rows (signers by exact name + phone).
async fn resolve_steps(
    state: &AppState,
    initiator: &users::User,
    task_id: &str,
    created_at: DateTime<Utc>,
    inputs: &[StepInput],
) -> ApiResult<Vec<Step>> {
    if inputs.len() > MAX_STEPS {
        return Err(ApiError::bad_request("too_many_steps")
            .field("steps")
            .param("max", MAX_STEPS));
    }
    let bad = |reason: &str| {
        ApiError::bad_request("invalid_step")
            .field("steps")
            .param("reason", reason)
    };
    let mut out = Vec::with_capacity(inputs.len());
    for (i, s) in inputs.iter().enumerate() {
        if s.order == 0 || s.order > 1000 {
            return Err(bad("order must be 1–1000"));
        }
        let signer = match (&s.signer, s.myself) {
            (None, true) => initiator.clone(),
            (Some(r), false) => {
                let not_found = || ApiError::unprocessable("signer_not_found").field("steps");
                let phone = PhoneNumber::parse(&r.phone).map_err(|_| not_found())?;
                let u = users::by_phone(&state.db, phone.as_str())
                    .await?
                    .ok_or_else(not_found)?;
                // Both must match: a phone alone never reveals whose it is.
                if u.real_name != r.name.trim() || u.real_name_verified_at.is_none() {
                    return Err(not_found());
                }
                u
            }
            _ => return Err(bad("give either signer or myself")),
        };
        if out.iter().any(|o: &Step| o.signer_id == signer.id) {
            return Err(bad(
                "a signer appears once per task (one step can hold several seals)",
            ));
        }
        let mode = match &s.mode {
            Some(m) => SignMode::parse(m).ok_or_else(|| bad("mode must be pc, mobile or any"))?,
            None => SignMode::Pc,
        };
        let seal_kind = match &s.seal_kind {
            Some(k) => SealKind::parse(k)
                .ok_or_else(|| bad("seal_kind must be personal, organization or any"))?,
            None => SealKind::Any,
        };
        if let Some(org) = &s.org_id {
            if orgs::membership(&state.db, org, &signer.id)
                .await?
                .is_none()
            {
                return Err(ApiError::unprocessable("signer_not_member").field("steps"));
            }
        } else if seal_kind == SealKind::Organization {
            return Err(ApiError::bad_request("org_required").field("steps"));
        }
        let description = match &s.description {
            Some(d) if d.chars().count() > MAX_TEXT_CHARS => {
                return Err(bad("description is too long"));
            }
            Some(d) if !d.trim().is_empty() => d.trim().to_owned(),
            _ => mode.default_description().to_owned(),
        };
        out.push(Step {
            id: signet_store::new_id("stp"),
            task_id: task_id.to_owned(),
            ord: i32::try_from(s.order).unwrap_or(1),
            position: i32::try_from(i).unwrap_or_default(),
            signer_id: signer.id.clone(),
            signer_name: signer.real_name.clone(),
            org_id: s.org_id.clone(),
            mode,
            seal_kind,
            description,
            state: StepState::Waiting,
            task_state: TaskState::Draft,
            task_created_at: created_at,
            initiator_name: initiator.real_name.clone(),
            signed_at: None,
            reject_reason: None,
        });
    }
    Ok(out)
}

fn check_deadline(deadline: Option<DateTime<Utc>>, now: DateTime<Utc>) -> ApiResult<()> {
    match deadline {
        Some(d) if d <= now => Err(ApiError::bad_request("invalid_deadline").field("deadline")),
        _ => Ok(()),
    }
}

/// An uploaded PDF, checked by the engine and stored.
struct Upload {
    file_name: Option<String>,
    blob: String,
    pages: i32,
    size: i64,
    /// The DocMDP permission of a certified document (2 or 3; P=1 is refused).
    certified: Option<i16>,
}

/// Stores an uploaded PDF the engine can sign: its blob, page count and certification.
async fn store_pdf(
    state: &AppState,
    bytes: Vec<u8>,
    part: &str,
) -> ApiResult<(String, i32, Option<i16>)> {
    let (bytes, read) = web::block(move || {
        let read = signet_pdf::doc::SourcePdf::parse(&bytes).map(|src| {
            let certified = src
                .docmdp_permission()
                .filter(|p| matches!(p, 2 | 3))
                .and_then(|p| i16::try_from(p).ok());
            (src.pages.len(), certified)
        });
        (bytes, read)
    })
    .await?;
    let (pages, certified) =
        read.map_err(|e| signing::pdf_error(e).field("documents").param("part", part))?;
    let blob = state.blobs.put(bytes).await?;
    Ok((blob, i32::try_from(pages).unwrap_or(i32::MAX), certified))
}

async fn read_task_form(
    state: &AppState,
    mut form: Multipart,
) -> ApiResult<(CreateTask, BTreeMap<String, Upload>)> {
    let mut request = None;
    let mut files: BTreeMap<String, Upload> = BTreeMap::new();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| ApiError::bad_request("invalid_multipart"))?;
        let (name, file_name) = field
            .content_disposition()
            .map(|cd| {
                (
                    cd.get_name().unwrap_or_default().to_owned(),
                    cd.get_filename().map(str::to_owned),
                )
            })
            .unwrap_or_default();
        if name.is_empty() {
            return Err(ApiError::bad_request("invalid_multipart"));
        }
        if name == "request" {
            if request.is_some() {
                return Err(ApiError::bad_request("duplicate_part").param("part", &name));
            }
            let bytes = read_part(&mut field, MAX_REQUEST_JSON, &name).await?;
            let parsed: CreateTask = serde_json::from_slice(&bytes).map_err(|e| {
                ApiError::bad_request("invalid_json")
                    .field("request")
                    .param("reason", crate::problem::json_reason(&e))
            })?;
            request = Some(parsed);
            continue;
        }
        if files.contains_key(&name) {
            return Err(ApiError::bad_request("duplicate_part").param("part", &name));
        }
        if files.len() >= MAX_DOCUMENTS {
            return Err(ApiError::bad_request("too_many_documents")
                .field("documents")
                .param("max", MAX_DOCUMENTS));
        }
        let bytes = read_part(&mut field, MAX_PDF, &name).await?;
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let (blob, pages, certified) = store_pdf(state, bytes, &name).await?;
        files.insert(
            name,
            Upload {
                file_name,
                blob,
                pages,
                size,
                certified,
            },
        );
    }
    let request = request.ok_or_else(|| {
        ApiError::bad_request("missing_part")
            .param("part", "request")
            .field("request")
    })?;
    Ok((request, files))
}

/// A document's display name: given, or the upload's file name without `.pdf`.
fn document_name(given: Option<&str>, file_name: Option<&str>, part: &str) -> ApiResult<String> {
    match given {
        Some(n) => check_name(n, "documents"),
        None => {
            let f = file_name.unwrap_or(part);
            let stem = f
                .strip_suffix(".pdf")
                .or_else(|| f.strip_suffix(".PDF"))
                .unwrap_or(f);
            check_name(stem, "documents")
        }
    }
}

/// Starts a new task: PDFs (≤ 50 MB each, ≤ 20) in multipart parts named by the `request`
/// part (JSON `CreateTask`). Only users granted `initiate` (by an org admin for that org, or
/// by the operator for personal use). A draft unless `start` is true.
#[utoipa::path(post, path = "/api/v1/tasks", operation_id = "create_task", tag = "tasks",
    security(("bearer" = [])),
    request_body(content = CreateTask, content_type = "multipart/form-data",
        description = "Parts: `request` (JSON of this schema) and one PDF part per document, named as `documents[].part` says"),
    responses((status = 201, body = TaskView),
        (status = 400, description = "Bad request, name, step or deadline", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not granted `initiate`", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 413, description = "A PDF is larger than 50 MB", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a PDF, or a signer that cannot be found", body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    form: Multipart,
) -> ApiResult<HttpResponse> {
    // Nothing is read or stored for a caller without any right to initiate; the right for
    // the organisation the request names is checked once the request part is read.
    check_initiate_anywhere(&state, &user.user_id).await?;
    let (req, mut files) = read_task_form(&state, form).await?;
    check_initiate(&state, &user.user_id, req.org_id.as_deref()).await?;
    if req.documents.is_empty() {
        return Err(ApiError::bad_request("no_documents").field("documents"));
    }
    if req.documents.len() > MAX_DOCUMENTS {
        return Err(ApiError::bad_request("too_many_documents")
            .field("documents")
            .param("max", MAX_DOCUMENTS));
    }
    let now = Utc::now();
    check_deadline(req.deadline, now)?;
    let initiator = users::by_id(&state.db, &user.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("unauthenticated"))?;
    let task_id = signet_store::new_id("tsk");
    let mut docs = Vec::with_capacity(req.documents.len());
    for (i, d) in req.documents.iter().enumerate() {
        let up = files.remove(&d.part).ok_or_else(|| {
            ApiError::bad_request("missing_part")
                .param("part", &d.part)
                .field("documents")
        })?;
        docs.push(Document {
            id: signet_store::new_id("doc"),
            task_id: task_id.clone(),
            position: i32::try_from(i).unwrap_or_default(),
            name: document_name(d.name.as_deref(), up.file_name.as_deref(), &d.part)?,
            uploader_id: user.user_id.clone(),
            original_blob: up.blob.clone(),
            current_blob: up.blob,
            pages: up.pages,
            size: up.size,
            certified: up.certified,
            created_at: now,
        });
    }
    if let Some(extra) = files.keys().next() {
        return Err(ApiError::bad_request("unexpected_part").param("part", extra));
    }
    let name = match &req.name {
        Some(n) => check_name(n, "name")?,
        None => docs.first().map(|d| d.name.clone()).unwrap_or_default(),
    };
    let steps = resolve_steps(&state, &initiator, &task_id, now, &req.steps).await?;
    let task = Task {
        id: task_id.clone(),
        search_text: search_text(&name, &docs),
        name,
        initiator_id: user.user_id.clone(),
        initiator_name: initiator.real_name.clone(),
        org_id: req.org_id.clone(),
        state: TaskState::Draft,
        version: 0,
        deadline: req.deadline,
        forwarded_from: None,
        created_at: now,
        started_at: None,
        finished_at: None,
        updated_at: now,
    };
    insert_and_maybe_start(
        &state, task, docs, steps, req.start, None, &user, &meta, now,
    )
    .await?;
    Ok(HttpResponse::Created().json(current_view(&state, &task_id, &user.user_id).await?))
}

/// Inserts a new task (with a `task_created` event) and, if asked, starts it — one
/// transaction.
#[allow(clippy::too_many_arguments)]
async fn insert_and_maybe_start(
    state: &AppState,
    task: Task,
    docs: Vec<Document>,
    steps: Vec<Step>,
    start_now: bool,
    forwarded_from: Option<&Loaded>,
    user: &AuthUser,
    meta: &ClientMeta,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let txn = state.db.begin().await?;
    let id = task.id.clone();
    tasks::insert(&txn, task, docs, steps).await?;
    let l = load(&txn, &id).await?;
    let hashes = l.hashes();
    let actor = Actor {
        user: Some(&user.user_id),
        meta: Some(meta),
        now,
    };
    let detail = match &l.task.forwarded_from {
        Some(from) => serde_json::json!({ "forwarded_from": from }),
        None => serde_json::json!({}),
    };
    audit::append(
        &txn,
        &id,
        vec![actor.event(&id, "task_created", None, &hashes, detail)],
    )
    .await?;
    if let Some(source) = forwarded_from {
        let detail = serde_json::json!({ "forwarded_to": id });
        let event = actor.event(
            &source.task.id,
            "task_forwarded",
            None,
            &source.hashes(),
            detail,
        );
        audit::append(&txn, &source.task.id, vec![event]).await?;
    }
    if start_now {
        let (next, events) = l.workflow().start()?;
        apply(state, &txn, &l, &next, &events, actor, &hashes, None).await?;
        schedule_expiry(&txn, &id, l.task.deadline, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The task, its documents and steps (步骤信息) and what the caller may do. Initiator and
/// signers.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", operation_id = "get_task", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = TaskView),
        (status = 404, body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let l = load_visible(&state, &id, &user.user_id).await?;
    Ok(HttpResponse::Ok().json(task_view(&state, &l, &user.user_id).await?))
}

/// Renames the task or its documents (until it ends); replaces the steps or the deadline
/// (draft only). Initiator only.
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", operation_id = "update_task", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = UpdateTask,
    responses((status = 200, body = TaskView),
        (status = 403, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 409, body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<UpdateTask>,
) -> ApiResult<HttpResponse> {
    let l = load_visible(&state, &id, &user.user_id).await?;
    require_initiator(&l, &user.user_id)?;
    let st = l.state();
    if st.is_final() {
        return Err(ApiError::conflict("task_finished"));
    }
    if (body.steps.is_some() || body.deadline.is_some()) && st != TaskState::Draft {
        return Err(workflow::WorkflowError::NotDraft.into());
    }
    let now = Utc::now();
    check_deadline(body.deadline, now)?;
    let name = body
        .name
        .as_deref()
        .map(|n| check_name(n, "name"))
        .transpose()?;
    let mut docs = l.docs.clone();
    for r in &body.documents {
        let d = docs
            .iter_mut()
            .find(|d| d.id == r.id)
            .ok_or_else(|| ApiError::bad_request("unknown_document").field("documents"))?;
        d.name = check_name(&r.name, "documents")?;
    }
    let steps = match &body.steps {
        Some(inputs) => {
            let initiator = users::by_id(&state.db, &user.user_id)
                .await?
                .ok_or_else(|| ApiError::unauthorized("unauthenticated"))?;
            Some(resolve_steps(&state, &initiator, &l.task.id, l.task.created_at, inputs).await?)
        }
        None => None,
    };
    let task_name = name.clone().unwrap_or_else(|| l.task.name.clone());
    let txn = state.db.begin().await?;
    let change = TaskChange {
        name,
        search_text: Some(search_text(&task_name, &docs)),
        deadline: body.deadline.map(Some),
        ..TaskChange::default()
    };
    if !tasks::bump(&txn, &l.task.id, l.task.version, change, now).await? {
        return Err(task_changed());
    }
    for r in &body.documents {
        if let Some(d) = docs.iter().find(|d| d.id == r.id) {
            tasks::rename_document(&txn, &d.id, &d.name).await?;
        }
    }
    if let Some(steps) = steps {
        tasks::delete_steps(&txn, &l.task.id).await?;
        tasks::insert_steps(&txn, steps).await?;
    }
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(current_view(&state, &id, &user.user_id).await?))
}

/// Starts a draft: the steps of the lowest order become active. Initiator only.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/start", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = TaskView),
        (status = 403, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 409, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No steps", body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn start(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let l = load_visible(&state, &id, &user.user_id).await?;
    require_initiator(&l, &user.user_id)?;
    // The grant may have been withdrawn since the draft was made.
    check_initiate(&state, &user.user_id, l.task.org_id.as_deref()).await?;
    let now = Utc::now();
    if let Some(d) = l.task.deadline
        && d <= now
    {
        return Err(ApiError::bad_request("invalid_deadline").field("deadline"));
    }
    let (next, events) = l.workflow().start()?;
    let txn = state.db.begin().await?;
    let hashes = l.hashes();
    let actor = Actor {
        user: Some(&user.user_id),
        meta: Some(&meta),
        now,
    };
    apply(&state, &txn, &l, &next, &events, actor, &hashes, None).await?;
    schedule_expiry(&txn, &l.task.id, l.task.deadline, now).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(current_view(&state, &id, &user.user_id).await?))
}

/// Cancels a task in progress. Initiator only.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/cancel", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = TaskView),
        (status = 403, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 409, body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let l = load_visible(&state, &id, &user.user_id).await?;
    require_initiator(&l, &user.user_id)?;
    commit_plain(&state, &l, l.workflow().cancel()?, &user, &meta).await
}

// ---------------------------------------------------------------------------------------------
// Signing a step

/// The caller's active step `step` of task `l`, or the problem that says why not.
fn own_active_step<'a>(l: &'a Loaded, step: &str, user: &str) -> ApiResult<&'a Step> {
    let s = l
        .steps
        .iter()
        .find(|s| s.id == step)
        .ok_or_else(|| ApiError::not_found("step_not_found"))?;
    if s.signer_id != user {
        return Err(ApiError::forbidden("not_step_signer"));
    }
    if l.state() != TaskState::InProgress {
        return Err(workflow::WorkflowError::NotInProgress.into());
    }
    if s.state != StepState::Active {
        return Err(workflow::WorkflowError::StepNotActive.into());
    }
    Ok(s)
}

/// The step's signing mode (签署模式) allows the channel the request comes through: a
/// PC-only step is not signed from a phone's browser, a mobile-only one not from a desktop.
fn check_mode(step: &Step, meta: &ClientMeta) -> ApiResult<()> {
    let mode = step.mode;
    if mode.allows(workflow::Channel::from_user_agent(&meta.user_agent)) {
        Ok(())
    } else {
        Err(ApiError::forbidden("sign_mode_mismatch").param("mode", mode.as_str()))
    }
}

/// Whether a certificate fits the step: the step's organisation's for organisation seals,
/// the signer's own for personal ones.
fn certificate_fits(step: &Step, cert: &certs::Certificate) -> bool {
    let kind = step.seal_kind;
    let org_owned = cert.purpose == CertPurpose::Org;
    kind.accepts(org_owned) && (!org_owned || step.org_id.is_none() || cert.org_id == step.org_id)
}

/// Whether a seal fits the step: its seal kind, and for an organisation's seal the step's
/// organisation (which certificate the seal may go with is `sign::seal_with_certificate`).
fn seal_fits(step: &Step, seal: &seals::Seal) -> bool {
    let kind = step.seal_kind;
    let org_owned = seal.org_id.is_some();
    kind.accepts(org_owned) && (!org_owned || step.org_id.is_none() || seal.org_id == step.org_id)
}

/// The certificate a placement signs with, as the seal checks see it.
struct CertOwner<'a> {
    id: &'a str,
    owner: Owner<'a>,
}

/// The seal of a visible placement (`seal_id` required), checked for the step and the
/// certificate it goes with: usable by the caller, fitting the step's seal kind and
/// organisation, owned by whoever owns the certificate, and bound (if at all) to that very
/// certificate. `field` names the request field in problems.
async fn checked_seal(
    state: &AppState,
    user: &str,
    step: &Step,
    seal_id: Option<&str>,
    cert: CertOwner<'_>,
    field: &'static str,
) -> ApiResult<seals::Seal> {
    let seal_id = seal_id.ok_or_else(|| {
        ApiError::bad_request("invalid_placement")
            .field(field)
            .param("reason", "a visible signature needs a seal_id")
    })?;
    let seal = crate::routes::seals::usable(state, user, seal_id).await?;
    if !seal_fits(step, &seal) {
        return Err(ApiError::unprocessable("seal_not_for_step")
            .field(field)
            .param("id", &seal.id));
    }
    crate::routes::sign::seal_with_certificate(Some(&seal), cert.id, cert.owner, user, field)?;
    Ok(seal)
}

/// The engine's view of a step placement; `seal_pngs` holds the seal images by seal id.
fn spec_of(
    p: &signet_api::StepPlacement,
    seal_pngs: &BTreeMap<String, Vec<u8>>,
) -> signet_pdf::SignatureSpec {
    let png = p.seal_id.as_ref().and_then(|id| seal_pngs.get(id)).cloned();
    crate::routes::sign::signature_spec(&p.placement, png, p.date.as_ref(), p.reason.as_deref())
}

/// Signs the caller's active step: every placement (document, page, rectangle, seal and
/// certificate) is applied as an incremental revision, with one PIN per certificate. PINs,
/// signing and storage happen first; then one short transaction checks the task's version
/// and commits (a concurrent change is 409 `task_changed`, and nothing changes).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/steps/{step}/sign", operation_id = "sign_step", tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path), ("step" = String, Path)), request_body = SignStep,
    responses((status = 200, body = TaskView),
        (status = 400, description = "Bad placement, PIN or seal", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Wrong PIN, not the caller's step, or a signing mode (签署模式) that excludes this device", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 404, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not active, or the task changed meanwhile", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A seal or certificate that does not fit the step", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 423, description = "A certificate locked by wrong PINs", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Busy; retry after the given time", body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn sign(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    path: web::Path<(String, String)>,
    body: web::Json<SignStep>,
) -> ApiResult<HttpResponse> {
    let (id, step_id) = path.into_inner();
    let pipeline = Pipeline::new(&state)?;
    let l = load_visible(&state, &id, &user.user_id).await?;
    let step = own_active_step(&l, &step_id, &user.user_id)?.clone();
    check_mode(&step, &meta)?;
    if body.version.is_some_and(|v| v != l.task.version) {
        return Err(task_changed());
    }
    if body.placements.is_empty() {
        return Err(ApiError::bad_request("no_placements").field("placements"));
    }
    if body.placements.len() > MAX_PLACEMENTS {
        return Err(ApiError::bad_request("too_many_placements")
            .field("placements")
            .param("max", MAX_PLACEMENTS));
    }
    let _slot = slot().await?;

    // Certificates and seals: each usable by the caller and fitting the step, before any PIN.
    let mut rows = BTreeMap::new();
    let mut seal_pngs: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for p in &body.placements {
        if !l.docs.iter().any(|d| d.id == p.document_id) {
            return Err(ApiError::bad_request("unknown_document")
                .field("placements")
                .param("id", &p.document_id));
        }
        if !rows.contains_key(&p.certificate_id) {
            let row = keys::usable(&state, &user.user_id, &p.certificate_id).await?;
            keys::check_signable(&row)?;
            if !certificate_fits(&step, &row) {
                return Err(ApiError::unprocessable("certificate_not_for_step")
                    .field("placements")
                    .param("id", &row.id));
            }
            if !row.pin_protected {
                return Err(ApiError::conflict("certificate_client_held")
                    .field("placements")
                    .param("id", &row.id));
            }
            rows.insert(p.certificate_id.clone(), row);
        }
        if p.placement.is_visible() {
            let row = rows
                .get(&p.certificate_id)
                .ok_or_else(|| ApiError::bad_request("pin_required"))?;
            let cert = CertOwner {
                id: &p.certificate_id,
                owner: crate::routes::sign::certificate_owner(row),
            };
            let seal = checked_seal(
                &state,
                &user.user_id,
                &step,
                p.seal_id.as_deref(),
                cert,
                "placements",
            )
            .await?;
            if !seal_pngs.contains_key(&seal.id) {
                seal_pngs.insert(seal.id.clone(), state.blobs.get(&seal.image_blob).await?);
            }
        }
    }
    // Open each key once; a wrong PIN stops here with nothing signed.
    let opened = keys::open_all(&state, &rows, &body.pins).await?;

    // One signing pass per document with placements, in the order given.
    let level = state.settings.pki.default_level;
    let mut new_blobs: BTreeMap<String, String> = BTreeMap::new();
    for doc in &l.docs {
        let mine: Vec<_> = body
            .placements
            .iter()
            .filter(|p| p.document_id == doc.id)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let mut planned = Vec::with_capacity(mine.len());
        for p in mine {
            let row = rows
                .get(&p.certificate_id)
                .ok_or_else(|| ApiError::bad_request("pin_required"))?;
            let pkcs8 = opened
                .get(&p.certificate_id)
                .ok_or_else(|| ApiError::bad_request("pin_required"))?;
            planned.push(pipeline.plan(
                spec_of(p, &seal_pngs),
                pkcs8,
                &row.cert_der,
                &row.ca_id,
            )?);
        }
        let pdf = state.blobs.get(&doc.current_blob).await?;
        let signed = pipeline
            .sign(pdf, planned, level)
            .await
            .map_err(|e| e.param("document", &doc.id))?;
        new_blobs.insert(doc.id.clone(), state.blobs.put(signed).await?);
    }
    drop(opened);

    let signed = serde_json::json!({
        "certificates": rows
            .values()
            .map(|r| serde_json::json!({ "id": r.id, "serial": r.serial, "subject": r.subject }))
            .collect::<Vec<_>>(),
        "revisions": new_blobs,
        "level": level.as_str(),
    });
    let answer = commit_signed(&state, &l, &step.id, &new_blobs, &signed, &user, &meta).await?;
    tracing::info!(task = %l.task.id, step = %step.id, signatures = body.placements.len(), "step signed");
    Ok(answer)
}

/// Rejects the caller's active step with a reason: the task is rejected.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/steps/{step}/reject", tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path), ("step" = String, Path)), request_body = RejectStep,
    responses((status = 200, body = TaskView),
        (status = 400, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 403, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 409, body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn reject(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    path: web::Path<(String, String)>,
    body: web::Json<RejectStep>,
) -> ApiResult<HttpResponse> {
    let (id, step_id) = path.into_inner();
    let l = load_visible(&state, &id, &user.user_id).await?;
    let step = own_active_step(&l, &step_id, &user.user_id)?;
    if body.reason.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::bad_request("reason_too_long")
            .field("reason")
            .param("max", MAX_TEXT_CHARS));
    }
    let transition = l
        .workflow()
        .reject(&step.id, &body.reason)
        .map_err(|e| ApiError::from(e).field("reason"))?;
    commit_plain(&state, &l, transition, &user, &meta).await
}

/// The certificate + seal pairs the caller may use for its step: certificates that fit the
/// step's seal kind and organisation, each with its bound seals first, then the other seals
/// of the same owner.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/steps/{step}/options", tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path), ("step" = String, Path)),
    responses((status = 200, body = SigningOptions),
        (status = 403, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 404, body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn options(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, step_id) = path.into_inner();
    let l = load_visible(&state, &id, &user.user_id).await?;
    let step = own_active_step(&l, &step_id, &user.user_id)?;
    let usable_seals = crate::routes::seals::usable_by(&state, &user.user_id).await?;
    let mut candidates = certs::held_by(&state.db, &user.user_id).await?;
    for (_, o) in orgs::memberships_of(&state.db, &user.user_id).await? {
        for c in certs::of_org(&state.db, &o.id).await? {
            if !candidates.iter().any(|x| x.id == c.id) {
                candidates.push(c);
            }
        }
    }
    let mut items = Vec::new();
    for c in candidates {
        if keys::check_signable(&c).is_err() || !certificate_fits(step, &c) {
            continue;
        }
        if keys::usable(&state, &user.user_id, &c.id).await.is_err() {
            continue;
        }
        let owner_matches = |s: &seals::Seal| match c.purpose {
            CertPurpose::Org => s.org_id.is_some() && s.org_id == c.org_id,
            _ => s.org_id.is_none(),
        };
        let mut offered: Vec<&seals::Seal> = usable_seals
            .iter()
            .filter(|s| s.certificate_id.as_deref() == Some(c.id.as_str()))
            .collect();
        offered.extend(
            usable_seals
                .iter()
                .filter(|s| s.certificate_id.is_none() && owner_matches(s) && seal_fits(step, s)),
        );
        items.push(SigningOption {
            certificate_id: c.id.clone(),
            key_location: if c.pin_protected { "server" } else { "client" }.into(),
            kind: if c.purpose == CertPurpose::Org {
                "organization"
            } else {
                "personal"
            }
            .into(),
            org_id: c.org_id.clone(),
            algorithm: c.algorithm,
            subject: c.subject.clone(),
            not_after: c.not_after,
            seals: offered
                .into_iter()
                .map(crate::routes::seals::view)
                .collect(),
        });
    }
    Ok(HttpResponse::Ok().json(SigningOptions { items }))
}

// ---------------------------------------------------------------------------------------------
// External signing of a step (keys the server never sees)

/// Prepares the signature of the caller's active step with a key the caller holds (a
/// client-held certificate of the built-in CA, or a bound outside certificate): one
/// placement on one document. Answers what to sign, as `POST /api/v1/sign/external` does;
/// `…/external/{session}/finish` completes the step.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/steps/{step}/external", tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path), ("step" = String, Path)), request_body = signet_api::StepPlacement,
    responses((status = 201, body = signet_api::ExternalPrepared),
        (status = 400, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 403, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 404, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 409, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 422, body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn external_prepare(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    path: web::Path<(String, String)>,
    body: web::Json<signet_api::StepPlacement>,
) -> ApiResult<HttpResponse> {
    let (id, step_id) = path.into_inner();
    let trust = state.trust()?;
    let l = load_visible(&state, &id, &user.user_id).await?;
    let step = own_active_step(&l, &step_id, &user.user_id)?.clone();
    check_mode(&step, &meta)?;
    let p = body.into_inner();
    let doc = l
        .docs
        .iter()
        .find(|d| d.id == p.document_id)
        .ok_or_else(|| ApiError::bad_request("unknown_document").field("document_id"))?;
    // A bound outside certificate is the signer's own (personal); a built-in one must fit.
    let (fits, cert_org) = match keys::signing_ref(&state, &user.user_id, &p.certificate_id).await?
    {
        keys::CertRef::Bound(_) => (step.seal_kind.accepts(false), None),
        keys::CertRef::Issued(row) => {
            let org =
                (row.purpose == CertPurpose::Org).then(|| row.org_id.clone().unwrap_or_default());
            (certificate_fits(&step, &row), org)
        }
    };
    if !fits {
        return Err(ApiError::unprocessable("certificate_not_for_step").field("certificate_id"));
    }
    let mut seal_pngs = BTreeMap::new();
    if p.placement.is_visible() {
        let cert = CertOwner {
            id: &p.certificate_id,
            owner: match &cert_org {
                Some(org) => Owner::Org(org),
                None => Owner::Person(&user.user_id),
            },
        };
        let seal = checked_seal(
            &state,
            &user.user_id,
            &step,
            p.seal_id.as_deref(),
            cert,
            "seal_id",
        )
        .await?;
        seal_pngs.insert(seal.id.clone(), state.blobs.get(&seal.image_blob).await?);
    }
    let spec = spec_of(&p, &seal_pngs);
    let _slot = slot().await?;
    let level = state.settings.pki.default_level;
    let pdf = state.blobs.get(&doc.current_blob).await?;
    let prepared = crate::routes::external::prepare_session(
        &state,
        trust,
        &user.user_id,
        pdf,
        spec,
        &p.certificate_id,
        level,
        Some(crate::routes::external::StepLink {
            task_id: l.task.id.clone(),
            step_id: step.id.clone(),
            document_id: doc.id.clone(),
            task_version: l.task.version,
        }),
    )
    .await?;
    Ok(HttpResponse::Created().json(prepared))
}

/// Embeds the external signature prepared for the caller's step, stores the revision and
/// marks the step signed (the next order becomes active). 409 `task_changed` if the task
/// changed since the prepare step (prepare again).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/steps/{step}/external/{session}/finish", tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path), ("step" = String, Path), ("session" = String, Path)),
    request_body = signet_api::ExternalFinish,
    responses((status = 200, body = TaskView),
        (status = 404, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 409, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 410, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The signature does not verify", body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn external_finish(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    path: web::Path<(String, String, String)>,
    body: web::Json<signet_api::ExternalFinish>,
) -> ApiResult<HttpResponse> {
    let (id, step_id, session_id) = path.into_inner();
    let trust = state.trust()?;
    let l = load_visible(&state, &id, &user.user_id).await?;
    let step = own_active_step(&l, &step_id, &user.user_id)?.clone();
    let session = crate::routes::external::session_of(&state, &user.user_id, &session_id)
        .await?
        .filter(|s| {
            s.task_id.as_deref() == Some(&l.task.id) && s.step_id.as_deref() == Some(&step.id)
        })
        .ok_or_else(|| ApiError::not_found("signing_session_not_found"))?;
    if session.task_version != Some(l.task.version) {
        return Err(task_changed());
    }
    let doc_id = session.document_id.clone().unwrap_or_default();
    let signed = crate::routes::external::finish_session(
        &state,
        trust,
        &user.user_id,
        &session,
        &body.signature,
    )
    .await?;
    let new_blobs = BTreeMap::from([(doc_id, state.blobs.put(signed).await?)]);
    let (signer, _) = crate::routes::external::external_signer(
        &state,
        trust,
        &user.user_id,
        &session.certificate_id,
    )
    .await?;
    let signed = serde_json::json!({
        "certificates": [{
            "id": session.certificate_id,
            "serial": signet_pki::ca::serial_hex(signer.tbs_certificate().serial_number()),
            "subject": signer.tbs_certificate().subject().to_string(),
        }],
        "revisions": new_blobs,
        "level": session.level.as_str(),
        "external": true,
    });
    let answer = commit_signed(&state, &l, &step.id, &new_blobs, &signed, &user, &meta).await?;
    tracing::info!(task = %l.task.id, step = %step.id, "step signed externally");
    Ok(answer)
}

// ---------------------------------------------------------------------------------------------
// Forwarding

/// Sends the documents on to further signers (转发) as a new task of their current signed
/// revisions, started at once. A signer who has signed (or the initiator of a completed
/// task: 发起), and only for documents it uploaded itself.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/forward", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = ForwardTask,
    responses((status = 201, body = TaskView),
        (status = 403, description = "Not signed, or documents from someone else", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 409, body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn forward(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    id: web::Path<String>,
    body: web::Json<ForwardTask>,
) -> ApiResult<HttpResponse> {
    let l = load_visible(&state, &id, &user.user_id).await?;
    let st = l.state();
    if !matches!(st, TaskState::InProgress | TaskState::Completed) {
        return Err(ApiError::conflict("task_not_forwardable"));
    }
    let signed = l
        .steps
        .iter()
        .any(|s| s.signer_id == user.user_id && s.state == StepState::Signed);
    let standing = signed || (l.is_initiator(&user.user_id) && st == TaskState::Completed);
    workflow::may_forward(
        &user.user_id,
        standing,
        l.docs.iter().map(|d| d.uploader_id.as_str()),
    )?;
    if body.steps.is_empty() {
        return Err(workflow::WorkflowError::NoSteps.into());
    }
    // Forwarding initiates a new task: the forwarder needs the right to initiate now, and the
    // organisation is kept only while they may still initiate for it.
    let (membership, personal) =
        initiate_standing(&state, &user.user_id, l.task.org_id.as_deref()).await?;
    let keeps_org = access::forward_keeps_org(l.task.org_id.is_some(), membership, personal)
        .map_err(|_| ApiError::forbidden("initiate_not_granted"))?;
    let org_id = if keeps_org {
        l.task.org_id.clone()
    } else {
        None
    };
    let now = Utc::now();
    check_deadline(body.deadline, now)?;
    let me = users::by_id(&state.db, &user.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("unauthenticated"))?;
    let task_id = signet_store::new_id("tsk");
    let docs: Vec<Document> = l
        .docs
        .iter()
        .map(|d| Document {
            id: signet_store::new_id("doc"),
            task_id: task_id.clone(),
            original_blob: d.current_blob.clone(),
            created_at: now,
            ..d.clone()
        })
        .collect();
    let name = match &body.name {
        Some(n) => check_name(n, "name")?,
        None => l.task.name.clone(),
    };
    let steps = resolve_steps(&state, &me, &task_id, now, &body.steps).await?;
    let task = Task {
        id: task_id.clone(),
        search_text: search_text(&name, &docs),
        name,
        initiator_id: user.user_id.clone(),
        initiator_name: me.real_name.clone(),
        org_id,
        state: TaskState::Draft,
        version: 0,
        deadline: body.deadline,
        forwarded_from: Some(l.task.id.clone()),
        created_at: now,
        started_at: None,
        finished_at: None,
        updated_at: now,
    };
    insert_and_maybe_start(&state, task, docs, steps, true, Some(&l), &user, &meta, now).await?;
    Ok(HttpResponse::Created().json(current_view(&state, &task_id, &user.user_id).await?))
}

// ---------------------------------------------------------------------------------------------
// Downloads

pub fn attachment(name: &str, ext: &str) -> ContentDisposition {
    let file = format!("{name}.{ext}");
    let ascii: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    ContentDisposition {
        disposition: actix_web::http::header::DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(actix_web::http::header::ExtendedValue {
                charset: actix_web::http::header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: file.into_bytes(),
            }),
        ],
    }
}

/// One document's signed PDF. The initiator only, and only once the task is completed.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/documents/{doc}/file", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path), ("doc" = String, Path)),
    responses((status = 200, description = "The signed PDF", content_type = "application/pdf"),
        (status = 403, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 404, body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn download_one(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, doc_id) = path.into_inner();
    let l = load_visible(&state, &id, &user.user_id).await?;
    workflow::may_download(l.is_initiator(&user.user_id), l.state())?;
    let doc = l
        .docs
        .iter()
        .find(|d| d.id == doc_id)
        .ok_or_else(|| ApiError::not_found("document_not_found"))?;
    let pdf = state.blobs.get(&doc.current_blob).await?;
    let detail = serde_json::json!({ "document": doc.id });
    note(
        &state,
        &l,
        "document_downloaded",
        &user.user_id,
        &meta,
        detail,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((CONTENT_DISPOSITION, attachment(&doc.name, "pdf")))
        .body(pdf))
}

/// Every document of the task in one zip. The initiator only, once the task is completed.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/download", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "A zip of the signed PDFs", content_type = "application/zip"),
        (status = 403, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 404, body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn download_all(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    req: actix_web::HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let l = load_visible(&state, &id, &user.user_id).await?;
    workflow::may_download(l.is_initiator(&user.user_id), l.state())?;
    let mut files = Vec::with_capacity(l.docs.len());
    let mut used = BTreeSet::new();
    for d in &l.docs {
        // Two documents may share a name; the zip needs distinct entries.
        let mut name = format!("{}.pdf", d.name);
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{} ({n}).pdf", d.name);
            n += 1;
        }
        files.push((name, d.current_blob.clone()));
    }
    // The zip is written to an unnamed temporary file (gone when closed), one document in
    // memory at a time, and streamed from there: a task of many large documents never sits
    // in memory whole.
    let dir = state.settings.data_dir.clone();
    let file = web::block(move || tempfile::tempfile_in(dir))
        .await?
        .map_err(ApiError::internal)?;
    let mut writer = zip::ZipWriter::new(file);
    for (name, blob) in files {
        let bytes = state.blobs.get(&blob).await?;
        writer = web::block(move || -> Result<_, zip::result::ZipError> {
            use std::io::Write as _;
            // PDFs are compressed already; storing them keeps this cheap.
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored)
                .large_file(bytes.len() as u64 >= u64::from(u32::MAX));
            writer.start_file(name, opts)?;
            writer.write_all(&bytes)?;
            Ok(writer)
        })
        .await?
        .map_err(ApiError::internal)?;
    }
    let zip = web::block(move || -> Result<std::fs::File, zip::result::ZipError> {
        use std::io::Seek as _;
        let mut file = writer.finish()?;
        file.rewind()?;
        Ok(file)
    })
    .await?
    .map_err(ApiError::internal)?;
    let detail =
        serde_json::json!({ "documents": l.docs.iter().map(|d| &d.id).collect::<Vec<_>>() });
    note(
        &state,
        &l,
        "documents_downloaded",
        &user.user_id,
        &meta,
        detail,
    )
    .await?;
    let named = actix_files::NamedFile::from_file(zip, "documents.zip")
        .map_err(ApiError::internal)?
        .set_content_type("application/zip".parse().map_err(ApiError::internal)?)
        .set_content_disposition(attachment(&l.task.name, "zip"))
        .use_etag(false)
        .use_last_modified(false);
    Ok(named.into_response(&req))
}

// ---------------------------------------------------------------------------------------------
// Viewing: page sizes and page images

/// Smallest and largest page image width, in pixels.
pub const PAGE_WIDTHS: std::ops::RangeInclusive<u32> = 200..=2000;
const DEFAULT_PAGE_WIDTH: u32 = 1000;
/// Page renderings at once per node (each holds a parsed document and a pixmap).
static RENDER_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

fn visible_doc<'a>(l: &'a Loaded, doc_id: &str) -> ApiResult<&'a Document> {
    l.docs
        .iter()
        .find(|d| d.id == doc_id)
        .ok_or_else(|| ApiError::not_found("document_not_found"))
}

/// The pages of a document's current revision with their displayed sizes (points), the
/// space placements are given in. Initiator and signers.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/documents/{doc}/pages", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path), ("doc" = String, Path)),
    responses((status = 200, body = signet_api::PageList),
        (status = 404, body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn pages(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, doc_id) = path.into_inner();
    let l = load_visible(&state, &id, &user.user_id).await?;
    let doc = visible_doc(&l, &doc_id)?;
    let pdf = state.blobs.get(&doc.current_blob).await?;
    let items = web::block(move || {
        signet_pdf::doc::SourcePdf::parse(&pdf).map(|src| {
            src.pages
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let (width, height) = p.displayed_size();
                    signet_api::PageView {
                        number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                        width,
                        height,
                    }
                })
                .collect::<Vec<_>>()
        })
    })
    .await?
    .map_err(signing::pdf_error)?;
    Ok(HttpResponse::Ok().json(signet_api::PageList { items }))
}

/// Page `number` (from 1) of a document's current revision as a PNG `width` pixels wide
/// (200–2000, default 1000), rendered by the server and cached. Initiator and signers.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/documents/{doc}/pages/{number}", tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path), ("doc" = String, Path), ("number" = u32, Path),
        signet_api::PageImageQuery),
    responses((status = 200, description = "The page image", content_type = "image/png"),
        (status = 304, description = "Not modified (ETag)"),
        (status = 400, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 404, body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The page cannot be rendered", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 503, body = signet_api::Problem, content_type = "application/problem+json")))]
#[allow(clippy::too_many_arguments)]
pub async fn page_image(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    req: actix_web::HttpRequest,
    path: web::Path<(String, String, u32)>,
    q: web::Query<signet_api::PageImageQuery>,
) -> ApiResult<HttpResponse> {
    let (id, doc_id, number) = path.into_inner();
    let width = q.width.unwrap_or(DEFAULT_PAGE_WIDTH);
    if !PAGE_WIDTHS.contains(&width) {
        return Err(ApiError::bad_request("invalid_width")
            .field("width")
            .param("min", PAGE_WIDTHS.start())
            .param("max", PAGE_WIDTHS.end()));
    }
    let l = load_visible(&state, &id, &user.user_id).await?;
    let doc = visible_doc(&l, &doc_id)?;
    if number == 0 || i64::from(number) > i64::from(doc.pages) {
        return Err(ApiError::not_found("page_not_found").param("pages", doc.pages));
    }
    // A view is recorded when the image is served (a refusal below is not a view).
    let detail = serde_json::json!({ "document": doc.id, "page": number, "width": width });
    let viewed = || note_view(&state, &l, &doc.id, &user.user_id, &meta, detail.clone());
    // A revision never changes, so its rendering is cached for good under its hash.
    let etag = format!("\"{}-{number}-{width}\"", doc.current_blob);
    let not_modified = req
        .headers()
        .get(actix_web::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let cached_headers = |mut b: actix_web::HttpResponseBuilder| {
        b.insert_header((actix_web::http::header::ETAG, etag.clone()))
            .insert_header((
                actix_web::http::header::CACHE_CONTROL,
                "private, max-age=86400",
            ));
        b
    };
    if not_modified {
        viewed().await?;
        return Ok(cached_headers(HttpResponse::NotModified()).finish());
    }
    let dir = state.settings.data_dir.join("cache").join("pages");
    let file = dir.join(format!("{}-{number}-{width}.png", doc.current_blob));
    if let Ok(png) = tokio::fs::read(&file).await {
        let used = file.clone();
        tokio::task::spawn_blocking(move || crate::pagecache::touch(&used));
        viewed().await?;
        return Ok(cached_headers(HttpResponse::Ok())
            .content_type("image/png")
            .body(png));
    }
    let _slot = RENDER_SLOTS
        .try_acquire()
        .map_err(|_| ApiError::unavailable("render_busy", 2))?;
    let pdf = state.blobs.get(&doc.current_blob).await?;
    let pages = doc.pages;
    let png = web::block(move || {
        signet_pdf::render::render_page_png(&pdf, number, width, signing::cjk_font_bytes())
    })
    .await?
    .map_err(|e| match e {
        signet_pdf::PdfError::PageOutOfRange { .. } => {
            ApiError::not_found("page_not_found").param("pages", pages)
        }
        other => {
            // The renderer's own text stays in the log.
            tracing::info!(error = %other, "page not renderable");
            ApiError::unprocessable("page_not_renderable")
                .param("reason", "the page cannot be drawn")
        }
    })?;
    // Written to a temporary name first, so a reader never sees half a file.
    if tokio::fs::create_dir_all(&dir).await.is_ok() {
        let tmp = dir.join(format!("{}.tmp", signet_store::new_id("png")));
        if tokio::fs::write(&tmp, &png).await.is_ok() {
            let _ = tokio::fs::rename(&tmp, &file).await;
        }
    }
    viewed().await?;
    Ok(cached_headers(HttpResponse::Ok())
        .content_type("image/png")
        .body(png))
}

// ---------------------------------------------------------------------------------------------
// Lists

/// One of the caller's lists (待签署 `to_sign`, 已签署 `signed`, 我发起 `initiated`), newest
/// first, with search by task or document name, initiator name, creation time range and
/// status; paged with `total` ("共 N 条").
#[utoipa::path(get, path = "/api/v1/tasks", operation_id = "list_tasks", tag = "tasks",
    security(("bearer" = [])), params(TaskListQuery),
    responses((status = 200, body = TaskList),
        (status = 400, body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<TaskListQuery>,
) -> ApiResult<HttpResponse> {
    let list = match q.list.as_str() {
        "to_sign" => ListBox::ToSign,
        "signed" => ListBox::Signed,
        "initiated" => ListBox::Initiated,
        _ => return Err(ApiError::bad_request("invalid_list").field("list")),
    };
    let states = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => vec![
            TaskState::parse(s)
                .ok_or_else(|| ApiError::bad_request("invalid_status").field("status"))?,
        ],
        None => Vec::new(),
    };
    let (page, page_size) = crate::routes::paging(&signet_api::PageQuery {
        page: q.page,
        page_size: q.page_size,
    })?;
    let too_long = |s: &Option<String>| s.as_ref().is_some_and(|s| s.chars().count() > 100);
    if too_long(&q.name) || too_long(&q.initiator) {
        return Err(
            ApiError::bad_request("invalid_query").param("reason", "search text is too long")
        );
    }
    let query = ListQuery {
        list,
        user_id: user.user_id.clone(),
        name: q.name.as_ref().map(|s| s.trim().to_owned()),
        initiator: q.initiator.as_ref().map(|s| s.trim().to_owned()),
        created_from: q.created_from,
        created_to: q.created_to,
        states,
        page,
        page_size,
    };
    let (rows, total) = tasks::list(&state.db, &query).await?;
    let ids: Vec<String> = rows.iter().map(|t| t.id.clone()).collect();
    let mut docs = tasks::documents_of(&state.db, &ids).await?;
    let mut steps = tasks::steps_of(&state.db, &ids).await?;
    let org_ids = rows
        .iter()
        .filter_map(|t| t.org_id.clone())
        .chain(steps.iter().filter_map(|s| s.org_id.clone()))
        .collect::<Vec<_>>();
    let names = org_names(&state.db, org_ids).await?;
    let mut items = Vec::with_capacity(rows.len());
    for task in rows {
        let (mine, rest): (Vec<_>, Vec<_>) = docs.into_iter().partition(|d| d.task_id == task.id);
        docs = rest;
        let (my_steps, rest): (Vec<_>, Vec<_>) =
            steps.into_iter().partition(|s| s.task_id == task.id);
        steps = rest;
        let l = Loaded {
            task,
            docs: mine,
            steps: my_steps,
        };
        items.push(view(&l, &user.user_id, &names));
    }
    Ok(HttpResponse::Ok().json(TaskList {
        items,
        total,
        page,
        page_size,
    }))
}

/// The to-sign badge (待签署 N).
#[utoipa::path(get, path = "/api/v1/tasks/to_sign/count", tag = "tasks",
    security(("bearer" = [])),
    responses((status = 200, body = CountView)))]
pub async fn count_to_sign(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let count = tasks::count_to_sign(&state.db, &user.user_id).await?;
    Ok(HttpResponse::Ok().json(CountView { count }))
}

// ---------------------------------------------------------------------------------------------
// Expiry (run by the job worker)

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
