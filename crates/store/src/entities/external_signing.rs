use sea_orm::entity::prelude::*;
use signet_domain::pades::Level;

/// A revision prepared for an external signer: the file with its empty `/Contents` in the
/// blob store (`prepared_blob`, placeholder at `hole_start..hole_end`), the document digest
/// the CMS signed attributes are built over, until `expires_at`; `finished_at` once used.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "external_signings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: String,
    pub certificate_id: String,
    pub level: Level,
    pub prepared_blob: String,
    pub hole_start: i64,
    pub hole_end: i64,
    pub digest: Vec<u8>,
    pub expires_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// For a step of a signing task: the task, step and document, and the task version the
    /// revision was prepared from.
    pub task_id: Option<String>,
    pub step_id: Option<String>,
    pub document_id: Option<String>,
    pub task_version: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
