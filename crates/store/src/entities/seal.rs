use sea_orm::entity::prelude::*;
use signet_domain::org::SealType;

/// A seal (印章): a PNG in the blob store owned by a user (`user_id`) or an organisation
/// (`org_id`). `kind`: `personal`, `company` (公章), `contract` (合同专用章). `certificate_id`
/// binds it to the certificate it is used with.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "seals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: Option<String>,
    pub org_id: Option<String>,
    pub name: String,
    pub kind: SealType,
    pub image_blob: String,
    pub width: i32,
    pub height: i32,
    pub certificate_id: Option<String>,
    pub disabled_at: Option<DateTimeUtc>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
