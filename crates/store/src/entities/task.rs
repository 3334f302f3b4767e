use sea_orm::entity::prelude::*;
use signet_domain::workflow::TaskState;

/// A signing task (签署任务). `state` is a `signet_domain::workflow::TaskState`; `version`
/// grows with every change and guards each write (optimistic concurrency). `search_text` is
/// the lower-cased task and document names, for the fuzzy search.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub initiator_id: String,
    pub initiator_name: String,
    pub org_id: Option<String>,
    pub state: TaskState,
    pub version: i32,
    pub deadline: Option<DateTimeUtc>,
    pub search_text: String,
    pub forwarded_from: Option<String>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::task_step::Entity")]
    Steps,
}

impl Related<super::task_step::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Steps.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
