use super::*;
pub use refresh_token::Model as RefreshToken;

pub async fn insert<C: ConnectionTrait>(db: &C, t: RefreshToken) -> Result<(), DbErr> {
    refresh_token::ActiveModel::from(t)
        .insert(db)
        .await
        .map(|_| ())
}

pub async fn by_hash<C: ConnectionTrait>(
    db: &C,
    hash: &str,
) -> Result<Option<RefreshToken>, DbErr> {
    refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(db)
        .await
}

/// Marks a token used if it was not used yet; false when another request used it first.
pub async fn mark_used<C: ConnectionTrait>(
    db: &C,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn revoke_family<C: ConnectionTrait>(
    db: &C,
    family_id: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub async fn revoke_user<C: ConnectionTrait>(
    db: &C,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Whether a login session (token family) was revoked (logout, reuse, password change).
pub async fn family_revoked<C: ConnectionTrait>(db: &C, family_id: &str) -> Result<bool, DbErr> {
    let n = refresh_token::Entity::find()
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_not_null())
        .count(db)
        .await?;
    Ok(n > 0)
}
