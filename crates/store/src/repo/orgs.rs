use super::*;
pub use invitation::Model as Invitation;
pub use membership::Model as Membership;
pub use organization::Model as Organization;

pub async fn insert<C: ConnectionTrait>(db: &C, o: Organization) -> Result<Organization, DbErr> {
    organization::ActiveModel::from(o).insert(db).await
}

pub async fn by_id<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Organization>, DbErr> {
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

pub async fn invitation<C: ConnectionTrait>(db: &C, id: &str) -> Result<Option<Invitation>, DbErr> {
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
