use sea_orm::entity::prelude::*;
use signet_domain::certificate::KeyAlg;

/// A timestamp token (RFC 3161, DER) over the head of a task's audit chain: the chain up to
/// `seq` existed, as it is, no later than the token's time.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_anchors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub task_id: String,
    pub seq: i64,
    pub head_hash: String,
    pub token: Vec<u8>,
    pub algorithm: KeyAlg,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
