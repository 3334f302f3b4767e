//! External signing sessions.

use super::*;
pub use external_signing::Model as ExternalSigning;

pub async fn insert<C: ConnectionTrait>(db: &C, e: ExternalSigning) -> Result<(), DbErr> {
    external_signing::ActiveModel::from(e)
        .insert(db)
        .await
        .map(|_| ())
}

pub async fn by_id<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<ExternalSigning>, DbErr> {
    external_signing::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
}

/// Marks a session used unless it was already; false when another request finished it.
pub async fn finish<C: ConnectionTrait>(
    db: &C,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = external_signing::Entity::update_many()
        .col_expr(external_signing::Column::FinishedAt, Expr::value(now))
        .filter(external_signing::Column::Id.eq(id))
        .filter(external_signing::Column::FinishedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
