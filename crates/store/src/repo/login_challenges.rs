//! Certificate-login nonces.

use super::*;
pub use login_challenge::Model as LoginChallenge;

pub async fn insert<C: ConnectionTrait>(db: &C, c: LoginChallenge) -> Result<(), DbErr> {
    login_challenge::ActiveModel::from(c)
        .insert(db)
        .await
        .map(|_| ())
}

pub async fn by_id<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<LoginChallenge>, DbErr> {
    login_challenge::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
}

/// Uses a challenge up if it is unused and unexpired; false otherwise (a replay, a race
/// lost, or too late).
pub async fn consume<C: ConnectionTrait>(
    db: &C,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = login_challenge::Entity::update_many()
        .col_expr(login_challenge::Column::UsedAt, Expr::value(now))
        .filter(login_challenge::Column::Id.eq(id))
        .filter(login_challenge::Column::UsedAt.is_null())
        .filter(login_challenge::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
