use sea_orm::entity::prelude::*;

/// One audit event of a task: who, when, from where, and the SHA-256 of every document at
/// that moment (`document_hashes`, JSON object by document id). `actor_id` is empty for the
/// system (expiry). `seq` (UNIQUE per task), `prev_hash` and `hash` chain the task's events
/// (`signet_domain::audit`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub task_id: String,
    pub step_id: Option<String>,
    pub kind: String,
    pub actor_id: Option<String>,
    pub at: DateTimeUtc,
    pub ip: String,
    pub user_agent: String,
    pub document_hashes: String,
    pub detail: String,
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
