use sea_orm::entity::prelude::*;
use signet_domain::workflow::{SealKind, SignMode, StepState, TaskState};

/// A step of a task: one signer, an order number (`ord`; equal numbers run in parallel),
/// the channel (`mode`), the seal kind required and the acting organisation. `task_state`,
/// `task_created_at` and `initiator_name` copy the task's for the signer's lists.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_steps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub task_id: String,
    pub ord: i32,
    pub position: i32,
    pub signer_id: String,
    pub signer_name: String,
    pub org_id: Option<String>,
    pub mode: SignMode,
    pub seal_kind: SealKind,
    pub description: String,
    pub state: StepState,
    pub task_state: TaskState,
    pub task_created_at: DateTimeUtc,
    pub initiator_name: String,
    pub signed_at: Option<DateTimeUtc>,
    pub reject_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::task::Entity",
        from = "Column::TaskId",
        to = "super::task::Column::Id"
    )]
    Task,
}

impl Related<super::task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Task.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
