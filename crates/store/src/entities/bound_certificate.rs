use sea_orm::entity::prelude::*;
use signet_domain::certificate::BindingStatus;

/// An outside CA's certificate bound to a user. `fingerprint`: SHA-256 of the DER (unique: a
/// certificate belongs to one account). `status`: `pending` (waiting for an operator),
/// `active`, `rejected`, `unbound`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bound_certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: String,
    pub fingerprint: String,
    pub cert_der: Vec<u8>,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub status: BindingStatus,
    pub not_after: DateTimeUtc,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
