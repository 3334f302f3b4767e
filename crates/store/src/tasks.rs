//! Signing tasks: their documents, steps and events, the lists, and the grants that decide
//! who may initiate and who may use an organisation seal.
//!
//! Every change to a task goes through [`bump`], which moves `version` on only if it still
//! is what the caller read: the caller's transaction then commits its step and document
//! updates, or finds that another request got there first.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
};

use crate::entities::{initiate_grant, seal_grant, task, task_document, task_step};
pub use initiate_grant::Model as InitiateGrant;
pub use seal_grant::Model as SealGrant;
use signet_domain::workflow::{StepState, TaskState};
pub use task::Model as Task;
pub use task_document::Model as Document;
pub use task_step::Model as Step;

/// Inserts a new task with its documents and steps (call inside a transaction).
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    t: Task,
    docs: Vec<Document>,
    steps: Vec<Step>,
) -> Result<(), DbErr> {
    task::ActiveModel::from(t).insert(db).await?;
    for d in docs {
        task_document::ActiveModel::from(d).insert(db).await?;
    }
    insert_steps(db, steps).await
}

pub async fn insert_steps<C: ConnectionTrait>(db: &C, steps: Vec<Step>) -> Result<(), DbErr> {
    for s in steps {
        task_step::ActiveModel::from(s).insert(db).await?;
    }
    Ok(())
}

pub async fn by_id<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Task>, DbErr> {
    task::Entity::find_by_id(id.to_owned()).one(db).await
}

/// A task's documents in upload order.
pub async fn documents<C: ConnectionTrait>(db: &C, task_id: &str) -> Result<Vec<Document>, DbErr> {
    task_document::Entity::find()
        .filter(task_document::Column::TaskId.eq(task_id))
        .order_by_asc(task_document::Column::Position)
        .all(db)
        .await
}

/// A task's steps by order number, then as added.
pub async fn steps<C: ConnectionTrait>(db: &C, task_id: &str) -> Result<Vec<Step>, DbErr> {
    task_step::Entity::find()
        .filter(task_step::Column::TaskId.eq(task_id))
        .order_by_asc(task_step::Column::Ord)
        .order_by_asc(task_step::Column::Position)
        .all(db)
        .await
}

/// The documents of many tasks (for a list page).
pub async fn documents_of<C: ConnectionTrait>(
    db: &C,
    task_ids: &[String],
) -> Result<Vec<Document>, DbErr> {
    if task_ids.is_empty() {
        return Ok(Vec::new());
    }
    task_document::Entity::find()
        .filter(task_document::Column::TaskId.is_in(task_ids.iter().cloned()))
        .order_by_asc(task_document::Column::Position)
        .all(db)
        .await
}

/// The steps of many tasks (for a list page).
pub async fn steps_of<C: ConnectionTrait>(db: &C, task_ids: &[String]) -> Result<Vec<Step>, DbErr> {
    if task_ids.is_empty() {
        return Ok(Vec::new());
    }
    task_step::Entity::find()
        .filter(task_step::Column::TaskId.is_in(task_ids.iter().cloned()))
        .order_by_asc(task_step::Column::Ord)
        .order_by_asc(task_step::Column::Position)
        .all(db)
        .await
}

/// What a guarded task update changes besides `version`.
#[derive(Debug, Clone, Default)]
pub struct TaskChange {
    pub state: Option<TaskState>,
    pub name: Option<String>,
    pub search_text: Option<String>,
    pub deadline: Option<Option<DateTime<Utc>>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Applies `change` and moves `version` on, if the task is still at `version`. False when
/// another writer changed the task first (the caller answers 409 and rolls back).
pub async fn bump<C: ConnectionTrait>(
    db: &C,
    id: &str,
    version: i32,
    change: TaskChange,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut q = task::Entity::update_many()
        .col_expr(task::Column::Version, Expr::value(version + 1))
        .col_expr(task::Column::UpdatedAt, Expr::value(now));
    if let Some(s) = &change.state {
        q = q.col_expr(task::Column::State, Expr::value(s.as_str()));
    }
    if let Some(n) = change.name {
        q = q.col_expr(task::Column::Name, Expr::value(n));
    }
    if let Some(s) = change.search_text {
        q = q.col_expr(task::Column::SearchText, Expr::value(s));
    }
    if let Some(d) = change.deadline {
        q = q.col_expr(task::Column::Deadline, Expr::value(d));
    }
    if let Some(s) = change.started_at {
        q = q.col_expr(task::Column::StartedAt, Expr::value(s));
    }
    if let Some(f) = change.finished_at {
        q = q.col_expr(task::Column::FinishedAt, Expr::value(f));
    }
    let res = q
        .filter(task::Column::Id.eq(id))
        .filter(task::Column::Version.eq(version))
        .exec(db)
        .await?;
    if res.rows_affected == 1
        && let Some(s) = change.state
    {
        task_step::Entity::update_many()
            .col_expr(task_step::Column::TaskState, Expr::value(s.as_str()))
            .filter(task_step::Column::TaskId.eq(id))
            .exec(db)
            .await?;
    }
    Ok(res.rows_affected == 1)
}

/// Sets a step's state (and when it was signed or why it was rejected).
pub async fn set_step<C: ConnectionTrait>(
    db: &C,
    id: &str,
    state: StepState,
    signed_at: Option<DateTime<Utc>>,
    reject_reason: Option<String>,
) -> Result<(), DbErr> {
    let mut q = task_step::Entity::update_many()
        .col_expr(task_step::Column::State, Expr::value(state.as_str()));
    if let Some(at) = signed_at {
        q = q.col_expr(task_step::Column::SignedAt, Expr::value(at));
    }
    if let Some(r) = reject_reason {
        q = q.col_expr(task_step::Column::RejectReason, Expr::value(r));
    }
    q.filter(task_step::Column::Id.eq(id)).exec(db).await?;
    Ok(())
}

/// Points a document at its new signed revision.
pub async fn set_document_blob<C: ConnectionTrait>(
    db: &C,
    id: &str,
    blob: &str,
) -> Result<(), DbErr> {
    task_document::Entity::update_many()
        .col_expr(task_document::Column::CurrentBlob, Expr::value(blob))
        .filter(task_document::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn rename_document<C: ConnectionTrait>(
    db: &C,
    id: &str,
    name: &str,
) -> Result<(), DbErr> {
    task_document::Entity::update_many()
        .col_expr(task_document::Column::Name, Expr::value(name))
        .filter(task_document::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes a draft's steps (they are replaced as a whole while the task is a draft).
pub async fn delete_steps<C: ConnectionTrait>(db: &C, task_id: &str) -> Result<(), DbErr> {
    task_step::Entity::delete_many()
        .filter(task_step::Column::TaskId.eq(task_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Which of a user's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListBox {
    /// 待签署: a step of the caller is active in a task in progress.
    ToSign,
    /// 已签署: the caller signed a step.
    Signed,
    /// 我发起: the caller initiated the task.
    Initiated,
}

/// A list query: the box, the caller and the seed's search fields.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub list: ListBox,
    pub user_id: String,
    /// Fuzzy task or document name (matched lower-cased).
    pub name: Option<String>,
    /// Fuzzy initiator name.
    pub initiator: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    pub states: Vec<TaskState>,
    pub page: u64,
    pub page_size: u64,
}

/// `%text%` for LIKE, with the wildcards in `text` itself escaped.
fn contains(text: &str) -> LikeExpr {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    LikeExpr::new(p).escape('\\')
}

/// One page of a list, newest first, and the number of tasks in all pages.
///
/// The signer's lists are driven by `task_steps (signer_id, state, task_created_at, task_id)`
/// (a signer appears at most once per task, so the join yields each task once): PostgreSQL
/// walks that index backwards and stops after the page, instead of gathering every task the
/// signer ever had and sorting them. `initiated` walks `tasks (initiator_id, created_at, id)`.
pub async fn list<C: ConnectionTrait>(db: &C, q: &ListQuery) -> Result<(Vec<Task>, u64), DbErr> {
    let offset = q.page.saturating_sub(1) * q.page_size;
    let name = q
        .name
        .as_deref()
        .filter(|n| !n.is_empty())
        .map(|n| contains(&n.to_lowercase()));
    let initiator = q
        .initiator
        .as_deref()
        .filter(|n| !n.is_empty())
        .map(contains);
    let step_state = match q.list {
        ListBox::Initiated => {
            let mut cond = Condition::all().add(task::Column::InitiatorId.eq(q.user_id.clone()));
            if let Some(n) = name {
                cond = cond.add(Expr::col((task::Entity, task::Column::SearchText)).like(n));
            }
            if let Some(i) = initiator {
                cond = cond.add(Expr::col((task::Entity, task::Column::InitiatorName)).like(i));
            }
            if let Some(from) = q.created_from {
                cond = cond.add(task::Column::CreatedAt.gte(from));
            }
            if let Some(to) = q.created_to {
                cond = cond.add(task::Column::CreatedAt.lt(to));
            }
            if !q.states.is_empty() {
                cond = cond.add(task::Column::State.is_in(q.states.iter().copied()));
            }
            let query = task::Entity::find()
                .filter(cond)
                .order_by_desc(task::Column::CreatedAt)
                .order_by_desc(task::Column::Id);
            let total = query.clone().count(db).await?;
            let rows = query.offset(offset).limit(q.page_size).all(db).await?;
            return Ok((rows, total));
        }
        ListBox::ToSign => StepState::Active,
        ListBox::Signed => StepState::Signed,
    };
    // Everything but the name search is on the step row (copies of the task's fields).
    let mut steps = Condition::all()
        .add(task_step::Column::SignerId.eq(q.user_id.clone()))
        .add(task_step::Column::State.eq(step_state));
    if q.list == ListBox::ToSign {
        steps = steps.add(task_step::Column::TaskState.eq(TaskState::InProgress));
    }
    if let Some(i) = initiator {
        steps = steps.add(Expr::col((task_step::Entity, task_step::Column::InitiatorName)).like(i));
    }
    if let Some(from) = q.created_from {
        steps = steps.add(task_step::Column::TaskCreatedAt.gte(from));
    }
    if let Some(to) = q.created_to {
        steps = steps.add(task_step::Column::TaskCreatedAt.lt(to));
    }
    if !q.states.is_empty() {
        steps = steps.add(task_step::Column::TaskState.is_in(q.states.iter().copied()));
    }
    let mut query = task::Entity::find()
        .join(JoinType::InnerJoin, task::Relation::Steps.def())
        .filter(steps.clone())
        .order_by_desc(task_step::Column::TaskCreatedAt)
        .order_by_desc(task_step::Column::TaskId);
    let total = match name {
        Some(n) => {
            query = query.filter(Expr::col((task::Entity, task::Column::SearchText)).like(n));
            query.clone().count(db).await?
        }
        // Without the name search the count never touches `tasks`.
        None => task_step::Entity::find().filter(steps).count(db).await?,
    };
    let rows = query.offset(offset).limit(q.page_size).all(db).await?;
    Ok((rows, total))
}

/// The to-sign badge: tasks in progress where a step of the user is active.
pub async fn count_to_sign<C: ConnectionTrait>(db: &C, user_id: &str) -> Result<u64, DbErr> {
    task_step::Entity::find()
        .filter(task_step::Column::SignerId.eq(user_id))
        .filter(task_step::Column::State.eq("active"))
        .filter(task_step::Column::TaskState.eq("in_progress"))
        .count(db)
        .await
}

/// Whether the operator granted `user_id` the right to initiate personal tasks.
pub async fn may_initiate_personally<C: ConnectionTrait>(
    db: &C,
    user_id: &str,
) -> Result<bool, DbErr> {
    Ok(initiate_grant::Entity::find_by_id(user_id.to_owned())
        .one(db)
        .await?
        .is_some())
}

/// Grants (`true`) or withdraws the personal initiate right. Idempotent.
pub async fn set_initiate_grant<C: ConnectionTrait>(
    db: &C,
    user_id: &str,
    granted: bool,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    initiate_grant::Entity::delete_by_id(user_id.to_owned())
        .exec(db)
        .await?;
    if granted {
        initiate_grant::ActiveModel::from(InitiateGrant {
            user_id: user_id.to_owned(),
            granted_by: by.to_owned(),
            created_at: now,
        })
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Whether `user_id` was granted use of organisation seal `seal_id`.
pub async fn seal_granted<C: ConnectionTrait>(
    db: &C,
    seal_id: &str,
    user_id: &str,
) -> Result<bool, DbErr> {
    Ok(seal_grant::Entity::find()
        .filter(seal_grant::Column::SealId.eq(seal_id))
        .filter(seal_grant::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .is_some())
}

/// The seal ids `user_id` was granted.
pub async fn seals_granted_to<C: ConnectionTrait>(
    db: &C,
    user_id: &str,
) -> Result<Vec<String>, DbErr> {
    Ok(seal_grant::Entity::find()
        .filter(seal_grant::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.seal_id)
        .collect())
}

/// The members granted a seal.
pub async fn seal_grants<C: ConnectionTrait>(
    db: &C,
    seal_id: &str,
) -> Result<Vec<SealGrant>, DbErr> {
    seal_grant::Entity::find()
        .filter(seal_grant::Column::SealId.eq(seal_id))
        .order_by_asc(seal_grant::Column::CreatedAt)
        .all(db)
        .await
}

/// Replaces the members granted a seal.
pub async fn set_seal_grants<C: ConnectionTrait>(
    db: &C,
    seal_id: &str,
    users: &[String],
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    seal_grant::Entity::delete_many()
        .filter(seal_grant::Column::SealId.eq(seal_id))
        .exec(db)
        .await?;
    for u in users {
        seal_grant::ActiveModel::from(SealGrant {
            id: crate::new_id("sgr"),
            seal_id: seal_id.to_owned(),
            user_id: u.clone(),
            granted_by: by.to_owned(),
            created_at: now,
        })
        .insert(db)
        .await?;
    }
    Ok(())
}
