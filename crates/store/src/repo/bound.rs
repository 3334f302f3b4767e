//! Outside CAs' certificates bound to accounts.

use super::*;
pub use bound_certificate::Model as Bound;

pub async fn insert<C: ConnectionTrait>(db: &C, b: Bound) -> Result<(), DbErr> {
    bound_certificate::ActiveModel::from(b)
        .insert(db)
        .await
        .map(|_| ())
}

pub async fn by_id<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Bound>, DbErr> {
    bound_certificate::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
}

pub async fn by_fingerprint<C: ConnectionTrait>(
    db: &C,
    fingerprint: &str,
) -> Result<Option<Bound>, DbErr> {
    bound_certificate::Entity::find()
        .filter(bound_certificate::Column::Fingerprint.eq(fingerprint))
        .one(db)
        .await
}

pub async fn of_user<C: ConnectionTrait>(db: &C, user_id: &str) -> Result<Vec<Bound>, DbErr> {
    bound_certificate::Entity::find()
        .filter(bound_certificate::Column::UserId.eq(user_id))
        .order_by_desc(bound_certificate::Column::CreatedAt)
        .all(db)
        .await
}

/// Moves a binding from `from` to `to` (approval, rejection); false when it was not in `from`.
pub async fn decide<C: ConnectionTrait>(
    db: &C,
    id: &str,
    from: BindingStatus,
    to: BindingStatus,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = bound_certificate::Entity::update_many()
        .col_expr(bound_certificate::Column::Status, Expr::value(to.as_str()))
        .col_expr(bound_certificate::Column::DecidedBy, Expr::value(by))
        .col_expr(bound_certificate::Column::DecidedAt, Expr::value(now))
        .filter(bound_certificate::Column::Id.eq(id))
        .filter(bound_certificate::Column::Status.eq(from))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
