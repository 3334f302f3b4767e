use super::*;
pub use user::Model as User;

/// The account is not locked at `now`: no lock, or one that has ended.
fn unlocked_at(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(user::Column::LockedUntil.is_null())
        .add(user::Column::LockedUntil.lte(now))
}

pub async fn by_id<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<User>, DbErr> {
    user::Entity::find_by_id(id.to_owned()).one(db).await
}

pub async fn by_account_name<C: ConnectionTrait>(
    db: &C,
    name: &str,
) -> Result<Option<User>, DbErr> {
    user::Entity::find()
        .filter(user::Column::AccountName.eq(name))
        .one(db)
        .await
}

pub async fn by_phone<C: ConnectionTrait>(db: &C, phone: &str) -> Result<Option<User>, DbErr> {
    user::Entity::find()
        .filter(user::Column::Phone.eq(phone))
        .one(db)
        .await
}

/// Which unique value is already taken, if any: `account_name`, `phone` or `id_card`.
pub async fn taken<C: ConnectionTrait>(
    db: &C,
    account_name: &str,
    phone: &str,
    id_card_index: &str,
) -> Result<Option<&'static str>, DbErr> {
    if by_account_name(db, account_name).await?.is_some() {
        return Ok(Some("account_name"));
    }
    if by_phone(db, phone).await?.is_some() {
        return Ok(Some("phone"));
    }
    let id = user::Entity::find()
        .filter(user::Column::IdCardIndex.eq(id_card_index))
        .one(db)
        .await?;
    Ok(id.map(|_| "id_card"))
}

pub async fn insert<C: ConnectionTrait>(db: &C, u: User) -> Result<User, DbErr> {
    user::ActiveModel::from(u).insert(db).await
}

/// Counts one password attempt before the password is checked: false while the account
/// is locked or `max` failures of the current window were counted. A window that began
/// before `window_floor`, or a lock that ran out, starts over first. Each step is one conditional
/// update, so concurrent attempts can never pass more than `max` checks per window.
pub async fn take_login_attempt<C: ConnectionTrait>(
    db: &C,
    id: &str,
    now: DateTime<Utc>,
    window_floor: DateTime<Utc>,
    max: i32,
) -> Result<bool, DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::FailedLogins, Expr::value(0))
        .col_expr(user::Column::FailureWindowStart, Expr::value(now))
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(user::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(user::Column::FailureWindowStart.is_null())
                .add(user::Column::FailureWindowStart.lte(window_floor))
                // A lock that ran out starts a fresh window.
                .add(user::Column::LockedUntil.lte(now)),
        )
        .filter(unlocked_at(now))
        .exec(db)
        .await?;
    let res = user::Entity::update_many()
        .col_expr(
            user::Column::FailedLogins,
            Expr::col(user::Column::FailedLogins).add(1),
        )
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::FailedLogins.lt(max))
        .filter(unlocked_at(now))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// After a wrong password: locks the account until `until` when the window's failures
/// reached `max`. Returns the lock end when the account is (now) locked.
pub async fn login_failed<C: ConnectionTrait>(
    db: &C,
    id: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    max: i32,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::LockedUntil, Expr::value(until))
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::FailedLogins.gte(max))
        .filter(unlocked_at(now))
        .exec(db)
        .await?;
    Ok(user::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .and_then(|u| u.locked_until.filter(|t| *t > now)))
}

/// A correct password clears the failures of the window.
pub async fn login_succeeded<C: ConnectionTrait>(db: &C, id: &str) -> Result<(), DbErr> {
    clear_failures(id)
        .col_expr(
            user::Column::FailureWindowStart,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// An update of user `id` that clears the count of failed logins and any lock.
fn clear_failures(id: &str) -> sea_orm::UpdateMany<user::Entity> {
    user::Entity::update_many()
        .col_expr(user::Column::FailedLogins, Expr::value(0))
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(user::Column::Id.eq(id))
}

pub async fn set_password<C: ConnectionTrait>(
    db: &C,
    id: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    clear_failures(id)
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .exec(db)
        .await?;
    Ok(())
}
