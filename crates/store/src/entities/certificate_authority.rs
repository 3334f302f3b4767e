use sea_orm::entity::prelude::*;
use signet_domain::certificate::{CaKind, CaStatus, KeyAlg};

/// A certificate authority of the built-in PKI: a root or an issuing CA for one algorithm.
/// `status`: `active` (issues), `retired` (rotated out: still answers OCSP and CRLs for what it
/// issued), `revoked`. The key is sealed under the master key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate_authorities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub algorithm: KeyAlg,
    pub kind: CaKind,
    pub parent_id: Option<String>,
    pub subject: String,
    pub serial: String,
    pub cert_der: Vec<u8>,
    pub key_sealed: Vec<u8>,
    pub status: CaStatus,
    pub not_before: DateTimeUtc,
    pub not_after: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
