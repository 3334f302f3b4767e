//! Publishing agreements (operator tool behind `signet agreements publish`).

use chrono::Utc;
use signet_store::repo::agreements::{self, Agreement};
use signet_store::sea_orm::{DatabaseConnection, TransactionTrait};

pub const KINDS: &[&str] = &["user_agreement", "privacy_policy"];

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("unknown agreement kind {0:?}; expected one of {KINDS:?}")]
    Kind(String),
    #[error("the title and the text must not be empty")]
    Empty,
    #[error(transparent)]
    Db(#[from] signet_store::sea_orm::DbErr),
}

/// Publishes the next version of `kind`. The unique (kind, version) index makes two
/// operators publishing at once fail rather than both win.
pub async fn publish(
    db: &DatabaseConnection,
    kind: &str,
    title: &str,
    body: &str,
) -> Result<Agreement, PublishError> {
    if !KINDS.contains(&kind) {
        return Err(PublishError::Kind(kind.to_owned()));
    }
    if title.trim().is_empty() || body.trim().is_empty() {
        return Err(PublishError::Empty);
    }
    let txn = db.begin().await?;
    let version = agreements::latest_version(&txn, kind).await? + 1;
    let a = agreements::insert(
        &txn,
        Agreement {
            id: format!("agr_{kind}_{version}"),
            kind: kind.to_owned(),
            version,
            title: title.trim().to_owned(),
            body: body.to_owned(),
            published_at: Utc::now(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(a)
}

pub async fn all(db: &DatabaseConnection) -> Result<Vec<Agreement>, signet_store::sea_orm::DbErr> {
    agreements::all(db).await
}
