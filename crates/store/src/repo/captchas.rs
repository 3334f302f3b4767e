use super::*;
pub use captcha::Model as Captcha;

pub async fn insert<C: ConnectionTrait>(db: &C, c: Captcha) -> Result<(), DbErr> {
    captcha::ActiveModel::from(c).insert(db).await.map(|_| ())
}

pub async fn by_id<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Captcha>, DbErr> {
    captcha::Entity::find_by_id(id.to_owned()).one(db).await
}

/// Uses the captcha up; false if it was already used (single use, even under a race).
pub async fn consume<C: ConnectionTrait>(
    db: &C,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = captcha::Entity::update_many()
        .col_expr(captcha::Column::UsedAt, Expr::value(now))
        .filter(captcha::Column::Id.eq(id))
        .filter(captcha::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Deletes captchas that expired before `before`.
pub async fn purge<C: ConnectionTrait>(db: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let res = captcha::Entity::delete_many()
        .filter(captcha::Column::ExpiresAt.lt(before))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
