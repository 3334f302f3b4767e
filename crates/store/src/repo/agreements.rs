use super::*;
pub use agreement::Model as Agreement;

/// The newest version of each kind, ordered by kind.
pub async fn current<C: ConnectionTrait>(db: &C) -> Result<Vec<Agreement>, DbErr> {
    let all = agreement::Entity::find()
        .order_by_asc(agreement::Column::Kind)
        .order_by_desc(agreement::Column::Version)
        .all(db)
        .await?;
    let mut out: Vec<Agreement> = Vec::new();
    for a in all {
        if out.last().is_none_or(|l| l.kind != a.kind) {
            out.push(a);
        }
    }
    Ok(out)
}

pub async fn by_kind_version<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    version: i32,
) -> Result<Option<Agreement>, DbErr> {
    agreement::Entity::find()
        .filter(agreement::Column::Kind.eq(kind))
        .filter(agreement::Column::Version.eq(version))
        .one(db)
        .await
}

pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<Agreement>, DbErr> {
    agreement::Entity::find()
        .order_by_asc(agreement::Column::Kind)
        .order_by_asc(agreement::Column::Version)
        .all(db)
        .await
}

pub async fn latest_version<C: ConnectionTrait>(db: &C, kind: &str) -> Result<i32, DbErr> {
    Ok(agreement::Entity::find()
        .filter(agreement::Column::Kind.eq(kind))
        .order_by_desc(agreement::Column::Version)
        .one(db)
        .await?
        .map_or(0, |a| a.version))
}

pub async fn insert<C: ConnectionTrait>(db: &C, a: Agreement) -> Result<Agreement, DbErr> {
    agreement::ActiveModel::from(a).insert(db).await
}

pub async fn accept<C: ConnectionTrait>(
    db: &C,
    acceptance: agreement_acceptance::Model,
) -> Result<(), DbErr> {
    agreement_acceptance::ActiveModel::from(acceptance)
        .insert(db)
        .await
        .map(|_| ())
}

pub async fn accepted_by<C: ConnectionTrait>(
    db: &C,
    user_id: &str,
) -> Result<Vec<agreement_acceptance::Model>, DbErr> {
    agreement_acceptance::Entity::find()
        .filter(agreement_acceptance::Column::UserId.eq(user_id))
        .all(db)
        .await
}
