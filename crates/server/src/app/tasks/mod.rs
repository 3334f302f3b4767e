//! Signing tasks (签署任务), the use cases: load and views, initiate ([`initiate`]), sign,
//! reject and sign externally a step ([`step`]), documents and pages ([`documents`]), the
//! lists, and the commit machinery with expiry ([`commit`]). Route handlers, the job worker
//! and the evidence report call these.
//!
//! Access: a task is visible to its initiator and, once started, to the signers of its steps;
//! to anyone else it does not exist (404 `task_not_found`, also across organisations). Who may
//! do what is decided by [`signet_domain::task_access`] from the caller's [`TaskStanding`],
//! once per request; the transitions are pure ([`signet_domain::workflow`]) and this module
//! applies them: every write reads the task's `version`, does the slow work (PIN checks,
//! signing, blob writes) outside any transaction, then commits in one short transaction that
//! moves `version` on only if nobody else did (otherwise 409 `task_changed`, and the task is
//! as it was).

use signet_api::{DocumentView, StepView, TaskList, TaskListQuery, TaskView};
use signet_domain::task_access::TaskStanding;
use signet_domain::workflow::{self, StepState, TaskState, Workflow};
use signet_store::repo::orgs;
use signet_store::sea_orm::ConnectionTrait;
use signet_store::tasks::{self, Document, ListBox, ListQuery, Step, Task};
use std::collections::{BTreeMap, BTreeSet};

use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub mod commit;
pub mod documents;
pub mod initiate;
pub mod step;

pub use commit::{Actor, Caller, EXPIRE_JOB, expire, note};
pub use initiate::{
    Upload, cancel, check_initiate_anywhere, check_lookup_budget, create, forward, lookup_signer,
    start, store_upload, update,
};

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

    /// The caller's step, if the caller signs in this task (a signer appears once per task).
    pub fn step_of(&self, user: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.signer_id == user)
    }

    /// The caller's standing towards the task, which the access rules read.
    pub fn standing(&self, user: &str) -> TaskStanding {
        TaskStanding {
            state: self.state(),
            initiator: self.is_initiator(user),
            step: self.step_of(user).map(|s| s.state),
            uploaded_all: self.docs.iter().all(|d| d.uploader_id == user),
        }
    }

    pub(crate) fn workflow(&self) -> Workflow {
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
    pub(crate) fn hashes_with(
        &self,
        changed: &BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
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
    if l.standing(user).visible() {
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
        operations: l.standing(user).operations(),
    }
}

/// The task as it is now (read again after a change), as `user` sees it.
pub async fn current_view(state: &AppState, id: &str, user: &str) -> ApiResult<TaskView> {
    task_view(state, &load(&state.db, id).await?, user).await
}

pub async fn task_view(state: &AppState, l: &Loaded, user: &str) -> ApiResult<TaskView> {
    let ids = l
        .steps
        .iter()
        .filter_map(|s| s.org_id.clone())
        .chain(l.task.org_id.clone());
    let names = org_names(&state.db, ids).await?;
    Ok(view_with_codes(state, l, user, &names))
}

/// The task's view with, once it is completed, each document's public verification code
/// (the task view and the lists show the same).
fn view_with_codes(
    state: &AppState,
    l: &Loaded,
    user: &str,
    names: &BTreeMap<String, String>,
) -> TaskView {
    let mut v = view(l, user, names);
    if l.state() == TaskState::Completed {
        for d in &mut v.documents {
            let code = crate::evidence::verification_code(&state.master, &d.id, &d.sha256);
            d.verification_code = Some(code.grouped());
        }
    }
    v
}

pub fn visible_doc<'a>(l: &'a Loaded, doc_id: &str) -> ApiResult<&'a Document> {
    l.docs
        .iter()
        .find(|d| d.id == doc_id)
        .ok_or_else(|| ApiError::not_found("document_not_found"))
}

/// One of the caller's lists (待签署 `to_sign`, 已签署 `signed`, 我发起 `initiated`), newest
/// first, searched and paged.
pub async fn list(state: &AppState, user: &str, q: &TaskListQuery) -> ApiResult<TaskList> {
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
    let (page, page_size) = crate::app::paging(&signet_api::PageQuery {
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
        user_id: user.to_owned(),
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
        items.push(view_with_codes(state, &l, user, &names));
    }
    Ok(TaskList {
        items,
        total,
        page,
        page_size,
    })
}

/// The to-sign badge (待签署 N).
pub async fn count_to_sign(state: &AppState, user: &str) -> ApiResult<u64> {
    Ok(tasks::count_to_sign(&state.db, user).await?)
}
