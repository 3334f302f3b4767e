//! Repositories: async functions over any [`ConnectionTrait`], so the caller decides whether
//! they run on the pool or inside its request's transaction.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

use crate::entities::*;
use signet_domain::certificate::{BindingStatus, CaStatus, CertPurpose, KeyAlg};
use signet_domain::org::InvitationStatus;

/// One page (1-based) of a query and the number of rows in all pages, with sea-orm's paginator.
async fn fetch_page<'db, C, S>(
    db: &'db C,
    query: S,
    page: u64,
    page_size: u64,
) -> Result<(Vec<<S::Selector as sea_orm::SelectorTrait>::Item>, u64), DbErr>
where
    C: ConnectionTrait,
    S: PaginatorTrait<'db, C>,
{
    let paginator = query.paginate(db, page_size);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.saturating_sub(1)).await?;
    Ok((rows, total))
}

pub mod users {
    use super::*;
    pub use user::Model as User;

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
            .filter(
                Condition::any()
                    .add(user::Column::LockedUntil.is_null())
                    .add(user::Column::LockedUntil.lte(now)),
            )
            .exec(db)
            .await?;
        let res = user::Entity::update_many()
            .col_expr(
                user::Column::FailedLogins,
                Expr::col(user::Column::FailedLogins).add(1),
            )
            .filter(user::Column::Id.eq(id))
            .filter(user::Column::FailedLogins.lt(max))
            .filter(
                Condition::any()
                    .add(user::Column::LockedUntil.is_null())
                    .add(user::Column::LockedUntil.lte(now)),
            )
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
            .filter(
                Condition::any()
                    .add(user::Column::LockedUntil.is_null())
                    .add(user::Column::LockedUntil.lte(now)),
            )
            .exec(db)
            .await?;
        Ok(user::Entity::find_by_id(id.to_owned())
            .one(db)
            .await?
            .and_then(|u| u.locked_until.filter(|t| *t > now)))
    }

    /// A correct password clears the failures of the window.
    pub async fn login_succeeded<C: ConnectionTrait>(db: &C, id: &str) -> Result<(), DbErr> {
        user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::value(0))
            .col_expr(
                user::Column::FailureWindowStart,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                user::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(user::Column::Id.eq(id))
            .exec(db)
            .await?;
        Ok(())
    }

    pub async fn set_password<C: ConnectionTrait>(
        db: &C,
        id: &str,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash))
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .col_expr(user::Column::FailedLogins, Expr::value(0))
            .col_expr(
                user::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(user::Column::Id.eq(id))
            .exec(db)
            .await?;
        Ok(())
    }
}

pub mod sessions {
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
    pub async fn family_revoked<C: ConnectionTrait>(
        db: &C,
        family_id: &str,
    ) -> Result<bool, DbErr> {
        let n = refresh_token::Entity::find()
            .filter(refresh_token::Column::FamilyId.eq(family_id))
            .filter(refresh_token::Column::RevokedAt.is_not_null())
            .count(db)
            .await?;
        Ok(n > 0)
    }
}

pub mod captchas {
    use super::*;
    pub use captcha::Model as Captcha;

    pub async fn insert<C: ConnectionTrait>(db: &C, c: Captcha) -> Result<(), DbErr> {
        captcha::ActiveModel::from(c).insert(db).await.map(|_| ())
    }

    pub async fn by_id<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Captcha>, DbErr> {
        captcha::Entity::find_by_id(id.to_owned()).one(db).await
    }

    /// Uses the captcha up; false if it was already used (single use, even under a race).
    pub async fn consume<C: ConnectionTrait>(
        db: &C,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        let res = captcha::Entity::update_many()
            .col_expr(captcha::Column::UsedAt, Expr::value(now))
            .filter(captcha::Column::Id.eq(id))
            .filter(captcha::Column::UsedAt.is_null())
            .exec(db)
            .await?;
        Ok(res.rows_affected == 1)
    }

    /// Deletes captchas that expired before `before`.
    pub async fn purge<C: ConnectionTrait>(db: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
        let res = captcha::Entity::delete_many()
            .filter(captcha::Column::ExpiresAt.lt(before))
            .exec(db)
            .await?;
        Ok(res.rows_affected)
    }
}

pub mod sms_codes {
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
}

pub mod agreements {
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
}

pub mod orgs {
    use super::*;
    pub use invitation::Model as Invitation;
    pub use membership::Model as Membership;
    pub use organization::Model as Organization;

    pub async fn insert<C: ConnectionTrait>(
        db: &C,
        o: Organization,
    ) -> Result<Organization, DbErr> {
        organization::ActiveModel::from(o).insert(db).await
    }

    pub async fn by_id<C: ConnectionTrait>(
        db: &C,
        id: &str,
    ) -> Result<Option<Organization>, DbErr> {
        organization::Entity::find_by_id(id.to_owned())
            .one(db)
            .await
    }

    /// Every organisation of that exact name (names are not unique).
    pub async fn all_by_name<C: ConnectionTrait>(
        db: &C,
        name: &str,
    ) -> Result<Vec<Organization>, DbErr> {
        organization::Entity::find()
            .filter(organization::Column::Name.eq(name))
            .all(db)
            .await
    }

    /// The organisation holding this unified social credit code, if any.
    pub async fn by_uscc<C: ConnectionTrait>(
        db: &C,
        uscc: &str,
    ) -> Result<Option<Organization>, DbErr> {
        organization::Entity::find()
            .filter(organization::Column::Uscc.eq(uscc))
            .one(db)
            .await
    }

    pub async fn by_name<C: ConnectionTrait>(
        db: &C,
        name: &str,
    ) -> Result<Option<Organization>, DbErr> {
        organization::Entity::find()
            .filter(organization::Column::Name.eq(name))
            .one(db)
            .await
    }

    pub async fn set_verified<C: ConnectionTrait>(
        db: &C,
        id: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<bool, DbErr> {
        let res = organization::Entity::update_many()
            .col_expr(organization::Column::VerifiedAt, Expr::value(at))
            .filter(organization::Column::Id.eq(id))
            .exec(db)
            .await?;
        Ok(res.rows_affected == 1)
    }

    pub async fn add_member<C: ConnectionTrait>(db: &C, m: Membership) -> Result<(), DbErr> {
        membership::Entity::insert(membership::ActiveModel::from(m))
            .on_conflict(
                OnConflict::columns([membership::Column::OrgId, membership::Column::UserId])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await
            .map(|_| ())
    }

    /// The caller's membership: the one door to everything of an organisation.
    pub async fn membership<C: ConnectionTrait>(
        db: &C,
        org_id: &str,
        user_id: &str,
    ) -> Result<Option<Membership>, DbErr> {
        membership::Entity::find()
            .filter(membership::Column::OrgId.eq(org_id))
            .filter(membership::Column::UserId.eq(user_id))
            .one(db)
            .await
    }

    pub async fn memberships_of<C: ConnectionTrait>(
        db: &C,
        user_id: &str,
    ) -> Result<Vec<(Membership, Organization)>, DbErr> {
        let rows = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user_id))
            .order_by_asc(membership::Column::CreatedAt)
            .all(db)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            if let Some(o) = by_id(db, &m.org_id).await? {
                out.push((m, o));
            }
        }
        Ok(out)
    }

    /// One page of the organisations a user belongs to, and how many there are.
    pub async fn page_of_user<C: ConnectionTrait>(
        db: &C,
        user_id: &str,
        page: u64,
        page_size: u64,
    ) -> Result<(Vec<(Membership, Organization)>, u64), DbErr> {
        let q = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user_id))
            .order_by_asc(membership::Column::CreatedAt)
            .order_by_asc(membership::Column::Id);
        let (rows, total) = fetch_page(db, q, page, page_size).await?;
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            if let Some(o) = by_id(db, &m.org_id).await? {
                out.push((m, o));
            }
        }
        Ok((out, total))
    }

    pub async fn members_page<C: ConnectionTrait>(
        db: &C,
        org_id: &str,
        page: u64,
        page_size: u64,
    ) -> Result<(Vec<(Membership, user::Model)>, u64), DbErr> {
        let q = membership::Entity::find()
            .filter(membership::Column::OrgId.eq(org_id))
            .order_by_asc(membership::Column::CreatedAt)
            .order_by_asc(membership::Column::Id);
        let (rows, total) = fetch_page(db, q, page, page_size).await?;
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            if let Some(u) = user::Entity::find_by_id(m.user_id.clone()).one(db).await? {
                out.push((m, u));
            }
        }
        Ok((out, total))
    }

    pub async fn count_admins<C: ConnectionTrait>(db: &C, org_id: &str) -> Result<u64, DbErr> {
        membership::Entity::find()
            .filter(membership::Column::OrgId.eq(org_id))
            .filter(membership::Column::Role.eq(signet_domain::org::Role::Admin))
            .count(db)
            .await
    }

    pub async fn update_member<C: ConnectionTrait>(
        db: &C,
        m: Membership,
        role: signet_domain::org::Role,
        can_initiate: bool,
    ) -> Result<Membership, DbErr> {
        let mut am = membership::ActiveModel::from(m);
        am.role = Set(role);
        am.can_initiate = Set(can_initiate);
        am.update(db).await
    }

    pub async fn remove_member<C: ConnectionTrait>(db: &C, id: &str) -> Result<(), DbErr> {
        membership::Entity::delete_by_id(id.to_owned())
            .exec(db)
            .await
            .map(|_| ())
    }

    pub async fn insert_invitation<C: ConnectionTrait>(
        db: &C,
        i: Invitation,
    ) -> Result<Invitation, DbErr> {
        invitation::ActiveModel::from(i).insert(db).await
    }

    pub async fn invitation<C: ConnectionTrait>(
        db: &C,
        id: &str,
    ) -> Result<Option<Invitation>, DbErr> {
        invitation::Entity::find_by_id(id.to_owned()).one(db).await
    }

    pub async fn invitations_of_org<C: ConnectionTrait>(
        db: &C,
        org_id: &str,
        page: u64,
        page_size: u64,
    ) -> Result<(Vec<Invitation>, u64), DbErr> {
        let q = invitation::Entity::find()
            .filter(invitation::Column::OrgId.eq(org_id))
            .order_by_desc(invitation::Column::CreatedAt)
            .order_by_desc(invitation::Column::Id);
        let (rows, total) = fetch_page(db, q, page, page_size).await?;
        Ok((rows, total))
    }

    pub async fn pending_for_phone<C: ConnectionTrait>(
        db: &C,
        phone: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Invitation>, DbErr> {
        invitation::Entity::find()
            .filter(invitation::Column::Phone.eq(phone))
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending))
            .filter(invitation::Column::ExpiresAt.gt(now))
            .order_by_desc(invitation::Column::CreatedAt)
            .all(db)
            .await
    }

    /// Moves a pending invitation to `status`; false if it was no longer pending.
    pub async fn settle_invitation<C: ConnectionTrait>(
        db: &C,
        id: &str,
        status: InvitationStatus,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        let res = invitation::Entity::update_many()
            .col_expr(invitation::Column::Status, Expr::value(status.as_str()))
            .col_expr(invitation::Column::UpdatedAt, Expr::value(now))
            .filter(invitation::Column::Id.eq(id))
            .filter(invitation::Column::Status.eq(InvitationStatus::Pending))
            .exec(db)
            .await?;
        Ok(res.rows_affected == 1)
    }
}

pub mod server_keys {
    use super::*;
    pub use server_key::Model as ServerKey;

    pub async fn all_for<C: ConnectionTrait>(
        db: &C,
        purpose: &str,
    ) -> Result<Vec<ServerKey>, DbErr> {
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
}

pub mod pki {
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

    pub async fn authority<C: ConnectionTrait>(
        db: &C,
        id: &str,
    ) -> Result<Option<Authority>, DbErr> {
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

    pub async fn insert_certificate<C: ConnectionTrait>(
        db: &C,
        c: Certificate,
    ) -> Result<(), DbErr> {
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
    pub async fn held_by<C: ConnectionTrait>(
        db: &C,
        user_id: &str,
    ) -> Result<Vec<Certificate>, DbErr> {
        certificate::Entity::find()
            .filter(certificate::Column::UserId.eq(user_id))
            .filter(certificate::Column::Purpose.is_in([CertPurpose::User, CertPurpose::Org]))
            .order_by_desc(certificate::Column::CreatedAt)
            .all(db)
            .await
    }

    /// An organisation's certificates, newest first.
    pub async fn of_org<C: ConnectionTrait>(
        db: &C,
        org_id: &str,
    ) -> Result<Vec<Certificate>, DbErr> {
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
}

pub mod seals {
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
}

pub mod external {
    //! External signing sessions.

    use super::*;
    pub use external_signing::Model as ExternalSigning;

    pub async fn insert<C: ConnectionTrait>(db: &C, e: ExternalSigning) -> Result<(), DbErr> {
        external_signing::ActiveModel::from(e)
            .insert(db)
            .await
            .map(|_| ())
    }

    pub async fn by_id<C: ConnectionTrait>(
        db: &C,
        id: &str,
    ) -> Result<Option<ExternalSigning>, DbErr> {
        external_signing::Entity::find_by_id(id.to_owned())
            .one(db)
            .await
    }

    /// Marks a session used unless it was already; false when another request finished it.
    pub async fn finish<C: ConnectionTrait>(
        db: &C,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        let res = external_signing::Entity::update_many()
            .col_expr(external_signing::Column::FinishedAt, Expr::value(now))
            .filter(external_signing::Column::Id.eq(id))
            .filter(external_signing::Column::FinishedAt.is_null())
            .exec(db)
            .await?;
        Ok(res.rows_affected == 1)
    }
}

pub mod login_challenges {
    //! Certificate-login nonces.

    use super::*;
    pub use login_challenge::Model as LoginChallenge;

    pub async fn insert<C: ConnectionTrait>(db: &C, c: LoginChallenge) -> Result<(), DbErr> {
        login_challenge::ActiveModel::from(c)
            .insert(db)
            .await
            .map(|_| ())
    }

    pub async fn by_id<C: ConnectionTrait>(
        db: &C,
        id: &str,
    ) -> Result<Option<LoginChallenge>, DbErr> {
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
}

pub mod bound {
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
}

pub mod gc {
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
}
