use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub account_name: String,
    pub real_name: String,
    pub id_card_sealed: Vec<u8>,
    #[sea_orm(unique)]
    pub id_card_index: String,
    pub id_card_masked: String,
    #[sea_orm(unique)]
    pub phone: String,
    pub password_hash: String,
    pub real_name_verified_at: Option<DateTimeUtc>,
    pub failed_logins: i32,
    pub failure_window_start: Option<DateTimeUtc>,
    pub locked_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
