//! What the garbage collector may not delete, and the expired rows it removes.

use super::*;
use sea_orm::QuerySelect;
use std::collections::HashSet;

/// Every blob a row still names: documents (their original and current revision), seals
/// (disabled ones too), the documents behind verification codes, and external signings
/// that have not expired.
pub async fn referenced_blobs<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<HashSet<String>, DbErr> {
    let mut names = HashSet::new();
    let docs: Vec<(String, String)> = task_document::Entity::find()
        .select_only()
        .column(task_document::Column::OriginalBlob)
        .column(task_document::Column::CurrentBlob)
        .into_tuple()
        .all(db)
        .await?;
    for (original, current) in docs {
        names.insert(original);
        names.insert(current);
    }
    let seals: Vec<String> = seal::Entity::find()
        .select_only()
        .column(seal::Column::ImageBlob)
        .into_tuple()
        .all(db)
        .await?;
    names.extend(seals);
    let codes: Vec<String> = verification_code::Entity::find()
        .select_only()
        .column(verification_code::Column::DocumentSha256)
        .into_tuple()
        .all(db)
        .await?;
    names.extend(codes);
    let live: Vec<String> = external_signing::Entity::find()
        .select_only()
        .column(external_signing::Column::PreparedBlob)
        .filter(external_signing::Column::ExpiresAt.gt(now))
        .into_tuple()
        .all(db)
        .await?;
    names.extend(live);
    Ok(names)
}

/// Deletes certificate-login challenges that expired before `before`.
pub async fn purge_challenges<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let res = login_challenge::Entity::delete_many()
        .filter(login_challenge::Column::ExpiresAt.lt(before))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
