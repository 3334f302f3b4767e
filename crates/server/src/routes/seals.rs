//! Seals (印章) the caller may use: their personal seals and the seals of organisations they
//! administer (the signing-task issue adds uploads, renaming, disabling and per-seal grants to
//! members). Anything else is 404 `seal_not_found`.

use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpResponse, web};
use signet_api::{SealList, SealView};
use signet_domain::org::Role;
use signet_store::repo::{orgs, seals};

use crate::auth::AuthUser;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/seals", web::get().to(list))
        .route("/seals/{id}/image", web::get().to(image));
}

fn view(s: &seals::Seal) -> SealView {
    SealView {
        id: s.id.clone(),
        name: s.name.clone(),
        kind: s.kind.clone(),
        owner: if s.org_id.is_some() {
            "organization"
        } else {
            "personal"
        }
        .into(),
        org_id: s.org_id.clone(),
        certificate_id: s.certificate_id.clone(),
        width: u32::try_from(s.width).unwrap_or_default(),
        height: u32::try_from(s.height).unwrap_or_default(),
        created_at: s.created_at,
    }
}

/// A seal the caller may use, or 404 `seal_not_found`.
pub async fn usable(state: &AppState, user_id: &str, id: &str) -> ApiResult<seals::Seal> {
    let not_found = || ApiError::not_found("seal_not_found");
    let seal = seals::by_id(&state.db, id).await?.ok_or_else(not_found)?;
    if seal.disabled_at.is_some() {
        return Err(not_found());
    }
    match (&seal.org_id, &seal.user_id) {
        (Some(org_id), _) => {
            let m = orgs::membership(&state.db, org_id, user_id)
                .await?
                .ok_or_else(not_found)?;
            if Role::parse(&m.role) == Some(Role::Admin) {
                Ok(seal)
            } else {
                Err(not_found())
            }
        }
        (None, Some(owner)) if owner == user_id => Ok(seal),
        _ => Err(not_found()),
    }
}

/// The seals the caller may use. Logged in.
#[utoipa::path(get, path = "/api/v1/seals", tag = "seals",
    security(("bearer" = [])),
    responses((status = 200, body = SealList)))]
pub async fn list(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let mut rows = seals::of_user(&state.db, &user.user_id).await?;
    for (m, o) in orgs::memberships_of(&state.db, &user.user_id).await? {
        if Role::parse(&m.role) == Some(Role::Admin) {
            rows.extend(seals::of_org(&state.db, &o.id).await?);
        }
    }
    let items: Vec<SealView> = rows.iter().map(view).collect();
    Ok(HttpResponse::Ok().json(SealList {
        total: items.len() as u64,
        items,
    }))
}

/// The seal's image (PNG). Whoever may use the seal.
#[utoipa::path(get, path = "/api/v1/seals/{id}/image", tag = "seals",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The seal image", content_type = "image/png"),
        (status = 404, body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn image(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let seal = usable(&state, &user.user_id, &id).await?;
    let png = state.blobs.get(&seal.image_blob).await?;
    Ok(HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "private, max-age=3600"))
        .content_type("image/png")
        .body(png))
}
