use sea_orm::entity::prelude::*;
use signet_domain::certificate::{CertPurpose, KeyAlg};

/// A certificate issued by the built-in PKI, with its private key.
///
/// `purpose`: `user` (a person's), `org` (an organisation's; `user_id` is the admin who holds
/// its PIN), `platform` (document signing, for evidence reports),
/// `ocsp` (an OCSP responder's), `tsa` (the timestamp authority's). `key_wrapped` is the PKCS#8
/// key sealed under the PIN and the master key when `pin_protected`, else under the master key
/// only; `key_id` is the associated data it is bound to (renewed certificates share the key).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub ca_id: String,
    pub serial: String,
    pub algorithm: KeyAlg,
    pub purpose: CertPurpose,
    pub user_id: Option<String>,
    pub org_id: Option<String>,
    pub subject: String,
    pub cert_der: Vec<u8>,
    pub key_id: String,
    pub key_wrapped: Vec<u8>,
    pub pin_protected: bool,
    pub pin_failures: i32,
    pub locked_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub revocation_reason: Option<String>,
    pub revoked_by: Option<String>,
    pub replaced_by: Option<String>,
    pub not_before: DateTimeUtc,
    pub not_after: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
