//! The first published version of the user agreement and the privacy policy. Operators
//! publish later versions with `signet agreements publish`.

use chrono::{TimeZone, Utc};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const USER_AGREEMENT: &str = include_str!("agreements/user_agreement_v1.md");
const PRIVACY_POLICY: &str = include_str!("agreements/privacy_policy_v1.md");

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let published = Utc
            .with_ymd_and_hms(2026, 11, 1, 0, 0, 0)
            .single()
            .ok_or_else(|| DbErr::Migration("bad seed date".into()))?;
        let insert = Query::insert()
            .into_table(Alias::new("agreements"))
            .columns(["id", "kind", "version", "title", "body", "published_at"].map(Alias::new))
            .values_panic([
                "agr_user_agreement_1".into(),
                "user_agreement".into(),
                1.into(),
                "用户协议".into(),
                USER_AGREEMENT.into(),
                published.into(),
            ])
            .values_panic([
                "agr_privacy_policy_1".into(),
                "privacy_policy".into(),
                1.into(),
                "隐私政策".into(),
                PRIVACY_POLICY.into(),
                published.into(),
            ])
            .to_owned();
        m.exec_stmt(insert).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table(Alias::new("agreements"))
            .and_where(Expr::col(Alias::new("version")).eq(1))
            .to_owned();
        m.exec_stmt(delete).await
    }
}
