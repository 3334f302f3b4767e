//! Initiating (发起): a new task from uploaded documents and resolved signers, edits of a
//! draft, start, cancel, and forwarding (转发) as a new task.

use actix_web::web;
use chrono::{DateTime, Utc};
use signet_api::{
    CreateTask, ForwardTask, OrgRef, SignerLookup, SignerMatch, SignerRef, StepInput, TaskView,
    UpdateTask,
};
use signet_domain::access;
use signet_domain::identity::PhoneNumber;
use signet_domain::org::Role;
use signet_domain::workflow::{
    self, MAX_DOCUMENTS, MAX_NAME_CHARS, MAX_STEPS, MAX_TEXT_CHARS, SealKind, SignMode, StepState,
    TaskState,
};
use signet_store::audit;
use signet_store::repo::{orgs, users};
use signet_store::sea_orm::TransactionTrait;
use signet_store::tasks::{self, Document, Step, Task, TaskChange};
use std::collections::BTreeMap;

use super::commit::{Actor, Caller, commit_plain, start_in, task_changed};
use super::{Loaded, current_view, load, load_visible, require_initiator};
use crate::app::signing;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

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
pub async fn check_initiate_anywhere(state: &AppState, user: &str) -> ApiResult<()> {
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

/// The real-name verified user with exactly this name and phone. Both must match: a phone
/// alone never reveals whose it is, nor a name whose phone it is.
async fn find_signer(state: &AppState, r: &SignerRef) -> ApiResult<Option<users::User>> {
    let Ok(phone) = PhoneNumber::parse(&r.phone) else {
        return Ok(None);
    };
    Ok(users::by_phone(&state.db, phone.as_str())
        .await?
        .filter(|u| u.real_name == r.name.trim() && u.real_name_verified_at.is_some()))
}

/// Counts one signer lookup of `user` (every call of the lookup endpoint, and every signer
/// named in a new task, a draft's steps or a forward who is not found): 429
/// `lookup_rate_limited` over `http.signer_lookups_per_minute`.
pub fn check_lookup_budget(state: &AppState, user: &str) -> ApiResult<()> {
    state
        .lookup_limiter
        .check(user)
        .map_err(|wait| ApiError::too_many("lookup_rate_limited", wait.as_secs().max(1)))
}

/// 添加签署人 by "姓名 手机号": the person with exactly this name and phone, with their masked
/// phone and organisations, or nothing. Only for callers who may initiate (the routes limit
/// how often one caller asks).
pub async fn lookup_signer(state: &AppState, user: &str, r: &SignerRef) -> ApiResult<SignerLookup> {
    check_initiate_anywhere(state, user).await?;
    let Some(u) = find_signer(state, r).await? else {
        return Ok(SignerLookup { signer: None });
    };
    let organizations = orgs::memberships_of(&state.db, &u.id)
        .await?
        .into_iter()
        .map(|(_, o)| OrgRef {
            org_id: o.id,
            org_name: o.name,
        })
        .collect();
    Ok(SignerLookup {
        signer: Some(SignerMatch {
            phone_masked: PhoneNumber::parse(&u.phone)
                .map(|p| p.masked())
                .unwrap_or_default(),
            name: u.real_name,
            organizations,
        }),
    })
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
            (Some(r), false) => match find_signer(state, r).await? {
                Some(u) => u,
                None => {
                    // A miss answers the lookup's question too, so misses spend the same
                    // per-caller budget (found signers do not: sending many tasks is fine,
                    // guessing who is registered is not).
                    check_lookup_budget(state, &initiator.id)?;
                    return Err(ApiError::unprocessable("signer_not_found").field("steps"));
                }
            },
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
pub struct Upload {
    file_name: Option<String>,
    blob: String,
    pages: i32,
    size: i64,
    /// The DocMDP permission of a certified document (2 or 3; P=1 is refused).
    certified: Option<i16>,
}

/// Checks an uploaded PDF (multipart part `part`) with the engine and stores it: its blob,
/// page count and certification.
pub async fn store_upload(
    state: &AppState,
    bytes: Vec<u8>,
    part: &str,
    file_name: Option<String>,
) -> ApiResult<Upload> {
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
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
    Ok(Upload {
        file_name,
        blob,
        pages: i32::try_from(pages).unwrap_or(i32::MAX),
        size,
        certified,
    })
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

/// Inserts a new task (with a `task_created` event) and, if asked, starts it — one
/// transaction.
async fn insert_and_maybe_start(
    state: &AppState,
    task: Task,
    docs: Vec<Document>,
    steps: Vec<Step>,
    start_now: bool,
    forwarded_from: Option<&Loaded>,
    actor: Actor<'_>,
) -> ApiResult<()> {
    let txn = state.db.begin().await?;
    let id = task.id.clone();
    tasks::insert(&txn, task, docs, steps).await?;
    let l = load(&txn, &id).await?;
    let hashes = l.hashes();
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
        start_in(state, &txn, &l, actor).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Renames the task or its documents (until it ends); replaces the steps or the deadline
/// (draft only). Initiator only.
pub async fn update(
    state: &AppState,
    user: &str,
    id: &str,
    body: &UpdateTask,
) -> ApiResult<TaskView> {
    let l = load_visible(state, id, user).await?;
    require_initiator(&l, user)?;
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
            let initiator = users::by_id(&state.db, user)
                .await?
                .ok_or_else(|| ApiError::unauthorized("unauthenticated"))?;
            Some(resolve_steps(state, &initiator, &l.task.id, l.task.created_at, inputs).await?)
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
    current_view(state, id, user).await
}

/// Starts a draft: the steps of the lowest order become active. Initiator only, and only
/// while the initiator may still initiate.
pub async fn start(state: &AppState, caller: Caller<'_>, id: &str) -> ApiResult<TaskView> {
    let user = caller.user;
    let l = load_visible(state, id, user).await?;
    require_initiator(&l, user)?;
    // The grant may have been withdrawn since the draft was made.
    check_initiate(state, user, l.task.org_id.as_deref()).await?;
    let now = Utc::now();
    if let Some(d) = l.task.deadline
        && d <= now
    {
        return Err(ApiError::bad_request("invalid_deadline").field("deadline"));
    }
    let txn = state.db.begin().await?;
    start_in(state, &txn, &l, caller.at(now)).await?;
    txn.commit().await?;
    current_view(state, id, user).await
}

/// Cancels a task in progress. Initiator only.
pub async fn cancel(state: &AppState, caller: Caller<'_>, id: &str) -> ApiResult<TaskView> {
    let user = caller.user;
    let l = load_visible(state, id, user).await?;
    require_initiator(&l, user)?;
    commit_plain(state, &l, l.workflow().cancel()?, user, caller.meta).await
}

/// Sends the documents on to further signers (转发) as a new task of their current signed
/// revisions, started at once: see [`TaskStanding::may_forward`] and
/// [`access::forward_keeps_org`].
pub async fn forward(
    state: &AppState,
    caller: Caller<'_>,
    id: &str,
    body: &ForwardTask,
) -> ApiResult<TaskView> {
    let user = caller.user;
    let l = load_visible(state, id, user).await?;
    l.standing(user).may_forward()?;
    if body.steps.is_empty() {
        return Err(workflow::WorkflowError::NoSteps.into());
    }
    // Forwarding initiates a new task: the forwarder needs the right to initiate now, and the
    // organisation is kept only while they may still initiate for it.
    let (membership, personal) = initiate_standing(state, user, l.task.org_id.as_deref()).await?;
    let keeps_org = access::forward_keeps_org(l.task.org_id.is_some(), membership, personal)
        .map_err(|_| ApiError::forbidden("initiate_not_granted"))?;
    let org_id = if keeps_org {
        l.task.org_id.clone()
    } else {
        None
    };
    let now = Utc::now();
    check_deadline(body.deadline, now)?;
    let me = users::by_id(&state.db, user)
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
    let steps = resolve_steps(state, &me, &task_id, now, &body.steps).await?;
    let task = Task {
        id: task_id.clone(),
        search_text: search_text(&name, &docs),
        name,
        initiator_id: user.to_owned(),
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
    insert_and_maybe_start(state, task, docs, steps, true, Some(&l), caller.at(now)).await?;
    current_view(state, &task_id, user).await
}

/// Creates a task from its request and uploaded documents (by part name), as a draft or
/// started (`req.start`). The caller must be granted `initiate` for the organisation the
/// request names (or personally).
pub async fn create(
    state: &AppState,
    caller: Caller<'_>,
    req: CreateTask,
    mut files: BTreeMap<String, Upload>,
) -> ApiResult<TaskView> {
    let user = caller.user;
    check_initiate(state, user, req.org_id.as_deref()).await?;
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
    let initiator = users::by_id(&state.db, user)
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
            uploader_id: user.to_owned(),
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
    let steps = resolve_steps(state, &initiator, &task_id, now, &req.steps).await?;
    let task = Task {
        id: task_id.clone(),
        search_text: search_text(&name, &docs),
        name,
        initiator_id: user.to_owned(),
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
    insert_and_maybe_start(state, task, docs, steps, req.start, None, caller.at(now)).await?;
    current_view(state, &task_id, user).await
}
