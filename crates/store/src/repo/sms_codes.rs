use super::*;
pub use sms_code::Model as SmsCode;

pub async fn insert<C: ConnectionTrait>(db: &C, c: SmsCode) -> Result<(), DbErr> {
    sms_code::ActiveModel::from(c).insert(db).await.map(|_| ())
}

pub async fn last_to_phone<C: ConnectionTrait>(
    db: &C,
    phone: &str,
) -> Result<Option<SmsCode>, DbErr> {
    sms_code::Entity::find()
        .filter(sms_code::Column::Phone.eq(phone))
        .order_by_desc(sms_code::Column::CreatedAt)
        .one(db)
        .await
}

pub async fn count_to_phone_since<C: ConnectionTrait>(
    db: &C,
    phone: &str,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    sms_code::Entity::find()
        .filter(sms_code::Column::Phone.eq(phone))
        .filter(sms_code::Column::CreatedAt.gte(since))
        .count(db)
        .await
}

pub async fn count_from_ip_since<C: ConnectionTrait>(
    db: &C,
    ip: &str,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    sms_code::Entity::find()
        .filter(sms_code::Column::Ip.eq(ip))
        .filter(sms_code::Column::CreatedAt.gte(since))
        .count(db)
        .await
}

/// The newest code for this phone and purpose (older ones are superseded).
pub async fn newest<C: ConnectionTrait>(
    db: &C,
    phone: &str,
    purpose: &str,
) -> Result<Option<SmsCode>, DbErr> {
    sms_code::Entity::find()
        .filter(sms_code::Column::Phone.eq(phone))
        .filter(sms_code::Column::Purpose.eq(purpose))
        .order_by_desc(sms_code::Column::CreatedAt)
        .one(db)
        .await
}

/// Counts one attempt at a code before it is compared: `Some(attempts used, this one
/// included)`, or `None` when the code is used up or consumed. One conditional update, so
/// concurrent guesses can never take more than `max` attempts.
pub async fn take_attempt<C: ConnectionTrait>(
    db: &C,
    id: &str,
    max: i32,
) -> Result<Option<i32>, DbErr> {
    let res = sms_code::Entity::update_many()
        .col_expr(
            sms_code::Column::Attempts,
            Expr::col(sms_code::Column::Attempts).add(1),
        )
        .filter(sms_code::Column::Id.eq(id))
        .filter(sms_code::Column::Attempts.lt(max))
        .filter(sms_code::Column::ConsumedAt.is_null())
        .exec(db)
        .await?;
    if res.rows_affected != 1 {
        return Ok(None);
    }
    // Other attempts may have been counted since; the stored count is what is left.
    Ok(sms_code::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .map(|c| c.attempts))
}

pub async fn consume<C: ConnectionTrait>(
    db: &C,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = sms_code::Entity::update_many()
        .col_expr(sms_code::Column::ConsumedAt, Expr::value(now))
        .filter(sms_code::Column::Id.eq(id))
        .filter(sms_code::Column::ConsumedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
