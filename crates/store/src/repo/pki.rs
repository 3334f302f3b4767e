//! Certificate authorities and issued certificates.

use super::*;
pub use certificate::Model as Certificate;
pub use certificate_authority::Model as Authority;

pub async fn insert_authority<C: ConnectionTrait>(db: &C, a: Authority) -> Result<(), DbErr> {
    certificate_authority::ActiveModel::from(a)
        .insert(db)
        .await
        .map(|_| ())
}

/// Every CA, oldest first.
pub async fn authorities<C: ConnectionTrait>(db: &C) -> Result<Vec<Authority>, DbErr> {
    certificate_authority::Entity::find()
        .order_by_asc(certificate_authority::Column::CreatedAt)
        .order_by_asc(certificate_authority::Column::Id)
        .all(db)
        .await
}

pub async fn authority<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Authority>, DbErr> {
    certificate_authority::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
}

pub async fn set_authority_status<C: ConnectionTrait>(
    db: &C,
    id: &str,
    status: CaStatus,
) -> Result<(), DbErr> {
    certificate_authority::Entity::update_many()
        .col_expr(
            certificate_authority::Column::Status,
            Expr::value(status.as_str()),
        )
        .filter(certificate_authority::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn insert_certificate<C: ConnectionTrait>(db: &C, c: Certificate) -> Result<(), DbErr> {
    certificate::ActiveModel::from(c)
        .insert(db)
        .await
        .map(|_| ())
}

pub async fn certificate<C: ConnectionTrait>(
    db: &C,
    id: &str,
) -> Result<Option<Certificate>, DbErr> {
    certificate::Entity::find_by_id(id.to_owned()).one(db).await
}

/// The certificate a CA issued with `serial` (lowercase hex).
pub async fn by_serial<C: ConnectionTrait>(
    db: &C,
    ca_id: &str,
    serial: &str,
) -> Result<Option<Certificate>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::CaId.eq(ca_id))
        .filter(certificate::Column::Serial.eq(serial))
        .one(db)
        .await
}

/// Certificates a CA issued whose serial is `serial` in any CA (for the operator's
/// `signet pki revoke SERIAL`).
pub async fn by_serial_any<C: ConnectionTrait>(
    db: &C,
    serial: &str,
) -> Result<Vec<Certificate>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::Serial.eq(serial))
        .all(db)
        .await
}

/// The certificates a user holds: personal ones and the organisations' whose PIN they hold,
/// newest first.
pub async fn held_by<C: ConnectionTrait>(db: &C, user_id: &str) -> Result<Vec<Certificate>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(user_id))
        .filter(certificate::Column::Purpose.is_in([CertPurpose::User, CertPurpose::Org]))
        .order_by_desc(certificate::Column::CreatedAt)
        .all(db)
        .await
}

/// An organisation's certificates, newest first.
pub async fn of_org<C: ConnectionTrait>(db: &C, org_id: &str) -> Result<Vec<Certificate>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::OrgId.eq(org_id))
        .filter(certificate::Column::Purpose.eq(CertPurpose::Org))
        .order_by_desc(certificate::Column::CreatedAt)
        .all(db)
        .await
}

/// Service certificates (`platform`, `ocsp`, `tsa`) that are not revoked, oldest first.
pub async fn services<C: ConnectionTrait>(db: &C) -> Result<Vec<Certificate>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::Purpose.is_in([
            CertPurpose::Platform,
            CertPurpose::Ocsp,
            CertPurpose::Tsa,
        ]))
        .filter(certificate::Column::RevokedAt.is_null())
        .order_by_asc(certificate::Column::CreatedAt)
        .all(db)
        .await
}

/// Revoked certificates of a CA, for its CRL.
pub async fn revoked_by_ca<C: ConnectionTrait>(
    db: &C,
    ca_id: &str,
) -> Result<Vec<Certificate>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::CaId.eq(ca_id))
        .filter(certificate::Column::RevokedAt.is_not_null())
        .order_by_asc(certificate::Column::RevokedAt)
        .all(db)
        .await
}

/// Counts one PIN attempt before the PIN is checked, unless the key is locked: false when
/// `max` attempts have been used already. The count and the lock belong to the key: every
/// certificate sharing `key_id` (renewals) moves together, so renewing a key gives no
/// fresh guesses. Counting first means concurrent guesses can never exceed `max`; a
/// correct PIN resets the count ([`pin_ok`]).
pub async fn take_pin_attempt<C: ConnectionTrait>(
    db: &C,
    key_id: &str,
    max: i32,
) -> Result<bool, DbErr> {
    let res = certificate::Entity::update_many()
        .col_expr(
            certificate::Column::PinFailures,
            Expr::col(certificate::Column::PinFailures).add(1),
        )
        .filter(certificate::Column::KeyId.eq(key_id))
        .filter(certificate::Column::PinFailures.lt(max))
        .filter(certificate::Column::LockedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected >= 1)
}

/// After a wrong PIN: locks the key when the attempts are used up. Returns the attempts left.
pub async fn pin_wrong<C: ConnectionTrait>(
    db: &C,
    key_id: &str,
    max: i32,
    now: DateTime<Utc>,
) -> Result<i32, DbErr> {
    certificate::Entity::update_many()
        .col_expr(certificate::Column::LockedAt, Expr::value(now))
        .filter(certificate::Column::KeyId.eq(key_id))
        .filter(certificate::Column::PinFailures.gte(max))
        .filter(certificate::Column::LockedAt.is_null())
        .exec(db)
        .await?;
    let failures = certificate::Entity::find()
        .filter(certificate::Column::KeyId.eq(key_id))
        .one(db)
        .await?
        .map_or(max, |c| c.pin_failures);
    Ok(Ord::max(max - failures, 0))
}

/// After a correct PIN (or an SMS-verified unlock): clears the count and the lock of the key.
pub async fn pin_ok<C: ConnectionTrait>(db: &C, key_id: &str) -> Result<(), DbErr> {
    certificate::Entity::update_many()
        .col_expr(certificate::Column::PinFailures, Expr::value(0))
        .col_expr(
            certificate::Column::LockedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(certificate::Column::KeyId.eq(key_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes the service certificates (`tsa`, `platform`) of an algorithm that are not
/// revoked yet (when a CA rotation replaces them); returns how many.
pub async fn supersede_services<C: ConnectionTrait>(
    db: &C,
    algorithm: KeyAlg,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let res = certificate::Entity::update_many()
        .col_expr(certificate::Column::RevokedAt, Expr::value(now))
        .col_expr(
            certificate::Column::RevocationReason,
            Expr::value("superseded"),
        )
        .col_expr(certificate::Column::RevokedBy, Expr::value("operator"))
        .filter(certificate::Column::Algorithm.eq(algorithm))
        .filter(certificate::Column::Purpose.is_in([CertPurpose::Tsa, CertPurpose::Platform]))
        .filter(certificate::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Revokes every certificate of a key that is not revoked yet (a compromised or replaced
/// key); returns how many.
pub async fn revoke_key<C: ConnectionTrait>(
    db: &C,
    key_id: &str,
    reason: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let res = certificate::Entity::update_many()
        .col_expr(certificate::Column::RevokedAt, Expr::value(now))
        .col_expr(certificate::Column::RevocationReason, Expr::value(reason))
        .col_expr(certificate::Column::RevokedBy, Expr::value(by))
        .filter(certificate::Column::KeyId.eq(key_id))
        .filter(certificate::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Replaces the wrapped key of every certificate sharing `key_id` (a PIN change).
pub async fn set_key_wrapped<C: ConnectionTrait>(
    db: &C,
    key_id: &str,
    wrapped: Vec<u8>,
) -> Result<(), DbErr> {
    certificate::Entity::update_many()
        .col_expr(certificate::Column::KeyWrapped, Expr::value(wrapped))
        .col_expr(certificate::Column::PinFailures, Expr::value(0))
        .filter(certificate::Column::KeyId.eq(key_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes a certificate unless it is revoked already; false when it was.
pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    id: &str,
    reason: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = certificate::Entity::update_many()
        .col_expr(certificate::Column::RevokedAt, Expr::value(now))
        .col_expr(certificate::Column::RevocationReason, Expr::value(reason))
        .col_expr(certificate::Column::RevokedBy, Expr::value(by))
        .filter(certificate::Column::Id.eq(id))
        .filter(certificate::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Records that `id` was renewed or re-keyed as `new_id`.
pub async fn set_replaced_by<C: ConnectionTrait>(
    db: &C,
    id: &str,
    new_id: &str,
) -> Result<(), DbErr> {
    certificate::Entity::update_many()
        .col_expr(certificate::Column::ReplacedBy, Expr::value(new_id))
        .filter(certificate::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
