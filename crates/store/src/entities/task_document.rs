use sea_orm::entity::prelude::*;

/// A PDF of a task. `original_blob` is what was uploaded, `current_blob` the latest signed
/// revision (both content addresses in the blob store).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub task_id: String,
    pub position: i32,
    pub name: String,
    pub uploader_id: String,
    pub original_blob: String,
    pub current_blob: String,
    pub pages: i32,
    pub size: i64,
    /// The DocMDP permission (2 or 3) when the document was uploaded certified.
    pub certified: Option<i16>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
