//! Organisations: create, list, members with roles and grants, invitations by phone.
//!
//! Rule for every route under `/orgs/{org_id}`: the caller must be a member, otherwise the
//! answer is 404 `org_not_found` — the same as for an organisation that does not exist, so
//! nothing of another organisation can be seen or probed. Changing anything needs the admin
//! role.

use actix_web::{HttpResponse, web};
use chrono::{Duration, Utc};
use signet_api::{
    CreateInvitation, CreateOrg, Invitation, InvitationList, Member, MemberList, Org, OrgList,
    PageQuery, UpdateMember,
};
use signet_domain::identity::{OrgName, PhoneNumber, Uscc};
use signet_domain::org::{self, Grant, InvitationStatus, OrgRuleError, Role};
use signet_store::repo::{orgs, users};
use signet_store::sea_orm::{SqlErr, TransactionTrait};

use crate::app::orgs::grants_of;
use crate::app::paging;
use crate::auth::AuthUser;
use crate::problem::{ApiError, ApiResult};
use crate::routes::no_content;
use crate::state::AppState;

const INVITATION_TTL: Duration = Duration::days(7);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/orgs", web::post().to(create))
        .route("/orgs", web::get().to(list))
        .route("/orgs/{org_id}", web::get().to(get))
        .route("/orgs/{org_id}/members", web::get().to(members))
        .route(
            "/orgs/{org_id}/members/{user_id}",
            web::patch().to(update_member),
        )
        .route(
            "/orgs/{org_id}/members/{user_id}",
            web::delete().to(remove_member),
        )
        .route("/orgs/{org_id}/invitations", web::post().to(invite))
        .route("/orgs/{org_id}/invitations", web::get().to(invitations))
        .route(
            "/orgs/{org_id}/invitations/{invitation_id}",
            web::delete().to(revoke_invitation),
        )
        .route("/me/invitations", web::get().to(my_invitations))
        .route(
            "/me/invitations/{invitation_id}/accept",
            web::post().to(accept_invitation),
        )
        .route(
            "/me/invitations/{invitation_id}/decline",
            web::post().to(decline_invitation),
        );
}

fn org_view(o: orgs::Organization, m: &orgs::Membership) -> Org {
    Org {
        id: o.id,
        name: o.name,
        uscc: o.uscc,
        verified: o.verified_at.is_some(),
        created_at: o.created_at,
        my_role: m.role,
        my_grants: grants_of(m),
    }
}

fn rule(e: OrgRuleError) -> ApiError {
    match e {
        OrgRuleError::NotAdmin => ApiError::forbidden("not_org_admin"),
        OrgRuleError::LastAdmin => ApiError::conflict("last_admin"),
    }
}

/// The caller's membership in `org_id`, or 404 as if the organisation did not exist.
async fn membership(
    state: &AppState,
    org_id: &str,
    user: &AuthUser,
) -> ApiResult<orgs::Membership> {
    orgs::membership(&state.db, org_id, &user.user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("org_not_found"))
}

async fn admin(state: &AppState, org_id: &str, user: &AuthUser) -> ApiResult<orgs::Membership> {
    let m = membership(state, org_id, user).await?;
    org::require_admin(m.role).map_err(rule)?;
    Ok(m)
}

/// Creates an organisation; the caller becomes its admin with the `initiate` grant.
/// Logged in. It stays unverified until enterprise real-name verification. One organisation
/// per USCC: a code another organisation holds is 409 `uscc_taken`.
#[utoipa::path(post, path = "/api/v1/orgs", operation_id = "create_org", tag = "organizations",
    security(("bearer" = [])), request_body = CreateOrg,
    responses((status = 201, body = Org), (status = 400),
        (status = 409, description = "Another organisation holds this USCC (`uscc_taken`)")))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateOrg>,
) -> ApiResult<HttpResponse> {
    let name = OrgName::parse(&body.name)?;
    let uscc = body
        .uscc
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(Uscc::parse)
        .transpose()?;
    let now = Utc::now();
    let org = orgs::Organization {
        id: signet_store::new_id("org"),
        name: name.into_inner(),
        uscc: uscc.map(Uscc::into_inner),
        verified_at: None,
        created_by: user.user_id.clone(),
        created_at: now,
    };
    let m = orgs::Membership {
        id: signet_store::new_id("mem"),
        org_id: org.id.clone(),
        user_id: user.user_id.clone(),
        role: Role::Admin,
        can_initiate: true,
        created_at: now,
    };
    let taken = || ApiError::conflict("uscc_taken").field("uscc");
    if let Some(code) = &org.uscc
        && orgs::by_uscc(&state.db, code).await?.is_some()
    {
        return Err(taken());
    }
    let txn = state.db.begin().await?;
    // The unique index decides a race between two requests with the same code.
    let org = match orgs::insert(&txn, org).await {
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(taken());
        }
        other => other?,
    };
    orgs::add_member(&txn, m.clone()).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(org_view(org, &m)))
}

/// The organisations the caller belongs to. Logged in.
#[utoipa::path(get, path = "/api/v1/orgs", operation_id = "list_orgs", tag = "organizations",
    security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = signet_api::Page<Org>)))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (page, page_size) = paging(&q)?;
    let (rows, total) = orgs::page_of_user(&state.db, &user.user_id, page, page_size).await?;
    let items = rows.into_iter().map(|(m, o)| org_view(o, &m)).collect();
    Ok(HttpResponse::Ok().json(OrgList {
        items,
        total,
        page,
        page_size,
    }))
}

/// One organisation. Members only.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}", operation_id = "get_org", tag = "organizations",
    security(("bearer" = [])), params(("org_id" = String, Path)),
    responses((status = 200, body = Org), (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let m = membership(&state, &path, &user).await?;
    let o = orgs::by_id(&state.db, &path)
        .await?
        .ok_or_else(|| ApiError::not_found("org_not_found"))?;
    Ok(HttpResponse::Ok().json(org_view(o, &m)))
}

fn member_view(m: orgs::Membership, u: users::User) -> Member {
    Member {
        grants: grants_of(&m),
        user_id: u.id,
        real_name: u.real_name,
        account_name: u.account_name,
        phone_masked: PhoneNumber::parse(&u.phone)
            .map(|p| p.masked())
            .unwrap_or_default(),
        role: m.role,
        joined_at: m.created_at,
    }
}

/// Members of an organisation. Members only.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/members", tag = "organizations",
    security(("bearer" = [])), params(("org_id" = String, Path), PageQuery),
    responses((status = 200, body = signet_api::Page<Member>), (status = 404)))]
pub async fn members(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    membership(&state, &path, &user).await?;
    let (page, page_size) = paging(&q)?;
    let (rows, total) = orgs::members_page(&state.db, &path, page, page_size).await?;
    let items = rows.into_iter().map(|(m, u)| member_view(m, u)).collect();
    Ok(HttpResponse::Ok().json(MemberList {
        items,
        total,
        page,
        page_size,
    }))
}

fn parse_grants(grants: &[String]) -> ApiResult<Vec<Grant>> {
    grants
        .iter()
        .map(|g| match g.as_str() {
            "initiate" => Ok(Grant::Initiate),
            other => Err(ApiError::bad_request("invalid_grant")
                .field("grants")
                .param("grant", other)),
        })
        .collect()
}

/// Changes a member's role and grants (e.g. grants `initiate`, the right to start signing
/// tasks). Admins only; the organisation keeps at least one admin.
#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/members/{user_id}", tag = "organizations",
    security(("bearer" = [])), params(("org_id" = String, Path), ("user_id" = String, Path)),
    request_body = UpdateMember,
    responses(
        (status = 200, body = Member),
        (status = 403, description = "Not an admin"),
        (status = 404),
        (status = 409, description = "Would leave no admin")))]
pub async fn update_member(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: web::Json<UpdateMember>,
) -> ApiResult<HttpResponse> {
    let (org_id, target_id) = path.into_inner();
    let me = admin(&state, &org_id, &user).await?;
    let role = body
        .role
        .as_deref()
        .map(|r| Role::parse(r).ok_or_else(|| ApiError::bad_request("invalid_role").field("role")))
        .transpose()?;
    let grants = body.grants.as_deref().map(parse_grants).transpose()?;

    let txn = state.db.begin().await?;
    let target = orgs::membership(&txn, &org_id, &target_id)
        .await?
        .ok_or_else(|| ApiError::not_found("member_not_found"))?;
    let from = target.role;
    let to = role.unwrap_or(from);
    let admins = orgs::count_admins(&txn, &org_id).await?;
    org::check_role_change(me.role, from, to, admins).map_err(rule)?;
    let can_initiate = grants.map_or(target.can_initiate, |g| g.contains(&Grant::Initiate));
    let updated = orgs::update_member(&txn, target, to, can_initiate).await?;
    let u = users::by_id(&txn, &target_id)
        .await?
        .ok_or_else(|| ApiError::not_found("member_not_found"))?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(member_view(updated, u)))
}

/// Removes a member. Admins only; the last admin cannot be removed.
#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/members/{user_id}", tag = "organizations",
    security(("bearer" = [])), params(("org_id" = String, Path), ("user_id" = String, Path)),
    responses((status = 204, description = "Removed"), (status = 403),
        (status = 404), (status = 409)))]
pub async fn remove_member(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (org_id, target_id) = path.into_inner();
    let me = admin(&state, &org_id, &user).await?;
    let txn = state.db.begin().await?;
    let target = orgs::membership(&txn, &org_id, &target_id)
        .await?
        .ok_or_else(|| ApiError::not_found("member_not_found"))?;
    let admins = orgs::count_admins(&txn, &org_id).await?;
    org::check_removal(me.role, target.role, admins).map_err(rule)?;
    orgs::remove_member(&txn, &target.id).await?;
    txn.commit().await?;
    Ok(no_content())
}

async fn invitation_view(state: &AppState, i: orgs::Invitation) -> ApiResult<Invitation> {
    let org_name = orgs::by_id(&state.db, &i.org_id)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let inviter = users::by_id(&state.db, &i.invited_by)
        .await?
        .map(|u| u.real_name)
        .unwrap_or_default();
    Ok(Invitation {
        id: i.id,
        org_id: i.org_id,
        org_name,
        phone_masked: PhoneNumber::parse(&i.phone)
            .map(|p| p.masked())
            .unwrap_or_default(),
        role: i.role,
        status: i.status,
        invited_by: inviter,
        created_at: i.created_at,
        expires_at: i.expires_at,
    })
}

/// Invites a person by mobile number. Admins only. The invitation waits for whoever holds
/// (or later registers) that number; the answer does not say whether the number is
/// registered.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/invitations", tag = "organizations",
    security(("bearer" = [])), params(("org_id" = String, Path)), request_body = CreateInvitation,
    responses((status = 201, body = Invitation), (status = 403),
        (status = 404), (status = 409, description = "Already a member")))]
pub async fn invite(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Json<CreateInvitation>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    admin(&state, &org_id, &user).await?;
    let phone = PhoneNumber::parse(&body.phone)?;
    let role = match body.role.as_deref() {
        None => Role::Member,
        Some(r) => {
            Role::parse(r).ok_or_else(|| ApiError::bad_request("invalid_role").field("role"))?
        }
    };
    if let Some(existing) = users::by_phone(&state.db, phone.as_str()).await?
        && orgs::membership(&state.db, &org_id, &existing.id)
            .await?
            .is_some()
    {
        return Err(ApiError::conflict("already_member").field("phone"));
    }
    let now = Utc::now();
    let inv = orgs::insert_invitation(
        &state.db,
        orgs::Invitation {
            id: signet_store::new_id("inv"),
            org_id,
            phone: phone.as_str().into(),
            role,
            status: InvitationStatus::Pending,
            invited_by: user.user_id.clone(),
            expires_at: now + INVITATION_TTL,
            created_at: now,
            updated_at: now,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(invitation_view(&state, inv).await?))
}

/// Invitations of an organisation, newest first. Admins only.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/invitations", tag = "organizations",
    security(("bearer" = [])), params(("org_id" = String, Path), PageQuery),
    responses((status = 200, body = signet_api::Page<Invitation>), (status = 403), (status = 404)))]
pub async fn invitations(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    admin(&state, &path, &user).await?;
    let (page, page_size) = paging(&q)?;
    let (rows, total) = orgs::invitations_of_org(&state.db, &path, page, page_size).await?;
    let mut items = Vec::with_capacity(rows.len());
    for i in rows {
        items.push(invitation_view(&state, i).await?);
    }
    Ok(HttpResponse::Ok().json(InvitationList {
        items,
        total,
        page,
        page_size,
    }))
}

/// Withdraws a pending invitation. Admins only.
#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/invitations/{invitation_id}", tag = "organizations",
    security(("bearer" = [])), params(("org_id" = String, Path), ("invitation_id" = String, Path)),
    responses((status = 204, description = "Revoked"), (status = 404)))]
pub async fn revoke_invitation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (org_id, inv_id) = path.into_inner();
    admin(&state, &org_id, &user).await?;
    let inv = orgs::invitation(&state.db, &inv_id)
        .await?
        .filter(|i| i.org_id == org_id)
        .ok_or_else(|| ApiError::not_found("invitation_not_found"))?;
    if !orgs::settle_invitation(&state.db, &inv.id, InvitationStatus::Revoked, Utc::now()).await? {
        return Err(ApiError::not_found("invitation_not_found"));
    }
    Ok(no_content())
}

/// Pending invitations to the caller's phone number. Logged in.
#[utoipa::path(get, path = "/api/v1/me/invitations", tag = "organizations",
    security(("bearer" = [])),
    responses((status = 200, body = signet_api::Page<Invitation>)))]
pub async fn my_invitations(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let u = users::by_id(&state.db, &user.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("invalid_token"))?;
    let rows = orgs::pending_for_phone(&state.db, &u.phone, Utc::now()).await?;
    let total = rows.len() as u64;
    let mut items = Vec::with_capacity(rows.len());
    for i in rows {
        items.push(invitation_view(&state, i).await?);
    }
    Ok(HttpResponse::Ok().json(InvitationList {
        items,
        total,
        page: 1,
        page_size: total.max(1),
    }))
}

/// A pending, unexpired invitation addressed to the caller's phone, or 404.
async fn my_pending(state: &AppState, user: &AuthUser, id: &str) -> ApiResult<orgs::Invitation> {
    let u = users::by_id(&state.db, &user.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("invalid_token"))?;
    orgs::invitation(&state.db, id)
        .await?
        .filter(|i| {
            i.phone == u.phone && i.status == InvitationStatus::Pending && i.expires_at > Utc::now()
        })
        .ok_or_else(|| ApiError::not_found("invitation_not_found"))
}

/// Accepts an invitation: the caller joins the organisation with the invited role.
/// Only the holder of the invited phone number.
#[utoipa::path(post, path = "/api/v1/me/invitations/{invitation_id}/accept", tag = "organizations",
    security(("bearer" = [])), params(("invitation_id" = String, Path)),
    responses((status = 200, body = Org), (status = 404)))]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let inv = my_pending(&state, &user, &path).await?;
    let now = Utc::now();
    let m = orgs::Membership {
        id: signet_store::new_id("mem"),
        org_id: inv.org_id.clone(),
        user_id: user.user_id.clone(),
        role: inv.role,
        can_initiate: false,
        created_at: now,
    };
    let txn = state.db.begin().await?;
    if !orgs::settle_invitation(&txn, &inv.id, InvitationStatus::Accepted, now).await? {
        return Err(ApiError::not_found("invitation_not_found"));
    }
    orgs::add_member(&txn, m).await?;
    let m = orgs::membership(&txn, &inv.org_id, &user.user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("org_not_found"))?;
    let o = orgs::by_id(&txn, &inv.org_id)
        .await?
        .ok_or_else(|| ApiError::not_found("org_not_found"))?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(org_view(o, &m)))
}

/// Declines an invitation. Only the holder of the invited phone number.
#[utoipa::path(post, path = "/api/v1/me/invitations/{invitation_id}/decline", tag = "organizations",
    security(("bearer" = [])), params(("invitation_id" = String, Path)),
    responses((status = 204, description = "Declined"), (status = 404)))]
pub async fn decline_invitation(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let inv = my_pending(&state, &user, &path).await?;
    if !orgs::settle_invitation(&state.db, &inv.id, InvitationStatus::Declined, Utc::now()).await? {
        return Err(ApiError::not_found("invitation_not_found"));
    }
    Ok(no_content())
}
