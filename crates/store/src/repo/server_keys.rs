use super::*;
pub use server_key::Model as ServerKey;

pub async fn all_for<C: ConnectionTrait>(db: &C, purpose: &str) -> Result<Vec<ServerKey>, DbErr> {
    server_key::Entity::find()
        .filter(server_key::Column::Purpose.eq(purpose))
        .order_by_desc(server_key::Column::CreatedAt)
        .all(db)
        .await
}

/// Inserts the key unless one with the same kid exists.
pub async fn insert<C: ConnectionTrait>(db: &C, k: ServerKey) -> Result<(), DbErr> {
    server_key::Entity::insert(server_key::ActiveModel::from(k))
        .on_conflict(
            OnConflict::column(server_key::Column::Kid)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map(|_| ())
}
