//! Seals (印章) of users and organisations.

use super::*;
pub use seal::Model as Seal;

pub async fn insert<C: ConnectionTrait>(db: &C, s: Seal) -> Result<(), DbErr> {
    seal::ActiveModel::from(s).insert(db).await.map(|_| ())
}

pub async fn by_id<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Seal>, DbErr> {
    seal::Entity::find_by_id(id.to_owned()).one(db).await
}

/// A user's own seals that are not disabled, oldest first.
pub async fn of_user<C: ConnectionTrait>(db: &C, user_id: &str) -> Result<Vec<Seal>, DbErr> {
    seal::Entity::find()
        .filter(seal::Column::UserId.eq(user_id))
        .filter(seal::Column::OrgId.is_null())
        .filter(seal::Column::DisabledAt.is_null())
        .order_by_asc(seal::Column::CreatedAt)
        .all(db)
        .await
}

/// An organisation's seals that are not disabled, oldest first.
pub async fn of_org<C: ConnectionTrait>(db: &C, org_id: &str) -> Result<Vec<Seal>, DbErr> {
    seal::Entity::find()
        .filter(seal::Column::OrgId.eq(org_id))
        .filter(seal::Column::DisabledAt.is_null())
        .order_by_asc(seal::Column::CreatedAt)
        .all(db)
        .await
}

/// Renames a seal, binds it to a certificate (or unbinds it with `Some(None)`), or
/// disables it (`disabled_at`; a disabled seal is never usable again but stays readable
/// for the documents it sealed).
pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: &str,
    name: Option<&str>,
    certificate_id: Option<Option<String>>,
    disabled_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    let mut q = seal::Entity::update_many();
    if let Some(n) = name {
        q = q.col_expr(seal::Column::Name, Expr::value(n));
    }
    if let Some(c) = certificate_id {
        q = q.col_expr(seal::Column::CertificateId, Expr::value(c));
    }
    if let Some(d) = disabled_at {
        q = q.col_expr(seal::Column::DisabledAt, Expr::value(d));
    }
    q.filter(seal::Column::Id.eq(id)).exec(db).await?;
    Ok(())
}

/// Seals bound to a certificate that are not disabled.
pub async fn of_certificate<C: ConnectionTrait>(
    db: &C,
    certificate_id: &str,
) -> Result<Vec<Seal>, DbErr> {
    seal::Entity::find()
        .filter(seal::Column::CertificateId.eq(certificate_id))
        .filter(seal::Column::DisabledAt.is_null())
        .order_by_asc(seal::Column::CreatedAt)
        .all(db)
        .await
}
