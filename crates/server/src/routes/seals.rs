//! Seals (印章): a user's personal seals (uploaded, or drawn from the real name) and an
//! organisation's seals (uploaded by an admin; usable by admins and by the members an admin
//! granted that seal). Listing, renaming, binding to a certificate, disabling. A seal the
//! caller may not use is 404 `seal_not_found`, as if it did not exist.

use actix_multipart::Multipart;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use signet_api::{CreateSeal, GenerateSeal, SealGrantList, SealList, SealView, UpdateSeal};
use signet_domain::certificate::CertPurpose;
use signet_domain::org::SealType;
use signet_domain::workflow::MAX_NAME_CHARS;
use signet_store::repo::{orgs, seals, users};
use signet_store::tasks;

use crate::app::seals::{is_admin, usable, usable_by, view};
use crate::app::signing::MAX_SEAL;
use crate::auth::AuthUser;
use crate::problem::{ApiError, ApiResult};
use crate::routes::form;
use crate::sealgen;
use crate::state::AppState;

/// Pixel size of generated personal seals.
const PERSONAL_SEAL_PX: u32 = 360;
const MAX_GRANTS: usize = 1000;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/seals", web::get().to(list))
        .route("/seals", web::post().to(upload))
        .route("/seals/generate", web::post().to(generate))
        .route("/seals/{id}", web::patch().to(update))
        .route("/seals/{id}/image", web::get().to(image))
        .route("/seals/{id}/grants", web::get().to(grants))
        .route("/seals/{id}/grants", web::put().to(set_grants));
}

/// A seal the caller may manage (rename, bind, disable, grant): their own personal seal, or
/// an organisation seal while they administer it. 404 if they may not even use it, 403
/// `seal_not_manageable` if they only use it.
async fn manageable(state: &AppState, user_id: &str, id: &str) -> ApiResult<seals::Seal> {
    let seal = usable(state, user_id, id).await?;
    match &seal.org_id {
        Some(org) if !is_admin(state, org, user_id).await? => {
            Err(ApiError::forbidden("seal_not_manageable"))
        }
        _ => Ok(seal),
    }
}

fn check_seal_name(name: &str) -> ApiResult<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME_CHARS || n.chars().any(char::is_control) {
        return Err(ApiError::bad_request("invalid_name")
            .field("name")
            .param("max", MAX_NAME_CHARS));
    }
    Ok(n.to_owned())
}

/// The certificate to bind a seal to: one the caller may use, with the same owner as the
/// seal (the organisation's for an organisation seal, the caller's own otherwise).
async fn bindable(
    state: &AppState,
    user_id: &str,
    org_id: Option<&str>,
    certificate_id: &str,
) -> ApiResult<String> {
    let row = crate::app::certificate_keys::usable(state, user_id, certificate_id).await?;
    let fits = match org_id {
        Some(org) => row.purpose == CertPurpose::Org && row.org_id.as_deref() == Some(org),
        None => row.purpose == CertPurpose::User,
    };
    if fits {
        Ok(row.id)
    } else {
        Err(ApiError::unprocessable("seal_certificate_mismatch").field("certificate_id"))
    }
}

/// The seals the caller may use. Logged in.
#[utoipa::path(get, path = "/api/v1/seals", operation_id = "list_seals", tag = "seals",
    security(("bearer" = [])),
    responses((status = 200, body = SealList)))]
pub async fn list(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let rows = usable_by(&state, &user.user_id).await?;
    let items: Vec<SealView> = rows.iter().map(view).collect();
    Ok(HttpResponse::Ok().json(SealList {
        total: items.len() as u64,
        items,
    }))
}

/// Uploads a seal image (PNG or JPEG, ≤ 2 MB): part `image` and part `request` (JSON
/// `CreateSeal`). Transparency is kept; an image without any (a scan) gets its white
/// background made transparent. Personal, or for an organisation the caller administers.
#[utoipa::path(post, path = "/api/v1/seals", tag = "seals",
    security(("bearer" = [])),
    request_body(content = CreateSeal, content_type = "multipart/form-data",
        description = "Parts: `request` (JSON of this schema) and `image` (PNG or JPEG)"),
    responses((status = 201, body = SealView),
        (status = 400),
        (status = 403),
        (status = 413)))]
pub async fn upload(
    state: web::Data<AppState>,
    user: AuthUser,
    mut form: Multipart,
) -> ApiResult<HttpResponse> {
    let mut request: Option<CreateSeal> = None;
    let mut image: Option<Vec<u8>> = None;
    while let Some((mut field, name, _)) = form::next_part(&mut form).await? {
        let limit = match name.as_str() {
            "image" if image.is_none() => MAX_SEAL,
            "request" if request.is_none() => 16 * 1024,
            "image" | "request" => {
                return Err(ApiError::bad_request("duplicate_part").param("part", &name));
            }
            _ => return Err(ApiError::bad_request("unexpected_part").param("part", &name)),
        };
        let bytes = form::read_part(&mut field, limit, &name).await?;
        if name == "image" {
            image = Some(bytes);
        } else {
            request = Some(form::parse_request(&bytes)?);
        }
    }
    let req: CreateSeal = request.ok_or_else(|| form::missing_part("request"))?;
    let image = image.ok_or_else(|| form::missing_part("image"))?;
    let name = check_seal_name(&req.name)?;
    let kind = match (&req.org_id, req.kind.as_deref()) {
        (None, None | Some("personal")) => SealType::Personal,
        (Some(_), None | Some("company")) => SealType::Company,
        (Some(_), Some("contract")) => SealType::Contract,
        _ => return Err(ApiError::bad_request("invalid_seal_kind").field("kind")),
    };
    if let Some(org) = &req.org_id
        && !is_admin(&state, org, &user.user_id).await?
    {
        return Err(ApiError::forbidden("not_org_admin"));
    }
    let certificate_id = match &req.certificate_id {
        Some(c) => Some(bindable(&state, &user.user_id, req.org_id.as_deref(), c).await?),
        None => None,
    };
    let (png, width, height) = web::block(move || sealgen::normalise_upload(&image))
        .await?
        .map_err(|e| {
            // The image decoder's text stays in the log.
            tracing::info!(error = %e, "unreadable seal image");
            ApiError::bad_request("invalid_seal_image")
                .field("image")
                .param("reason", "not a readable PNG or JPEG image")
        })?;
    let seal = store(
        &state,
        &user.user_id,
        req.org_id.clone(),
        name,
        kind,
        png,
        (width, height),
        certificate_id,
    )
    .await?;
    Ok(HttpResponse::Created().json(view(&seal)))
}

#[allow(clippy::too_many_arguments)]
async fn store(
    state: &AppState,
    user_id: &str,
    org_id: Option<String>,
    name: String,
    kind: SealType,
    png: Vec<u8>,
    (width, height): (u32, u32),
    certificate_id: Option<String>,
) -> ApiResult<seals::Seal> {
    let blob = state.blobs.put(png).await?;
    let seal = seals::Seal {
        id: signet_store::new_id("seal"),
        user_id: if org_id.is_some() {
            None
        } else {
            Some(user_id.to_owned())
        },
        org_id,
        name,
        kind,
        image_blob: blob,
        width: i32::try_from(width).unwrap_or_default(),
        height: i32::try_from(height).unwrap_or_default(),
        certificate_id,
        disabled_at: None,
        created_by: user_id.to_owned(),
        created_at: Utc::now(),
    };
    seals::insert(&state.db, seal.clone()).await?;
    Ok(seal)
}

/// Draws a personal seal from the caller's verified real name (a square seal in seal red,
/// the name set in two columns, 印 added to make three-character names four) with the
/// server's CJK font.
#[utoipa::path(post, path = "/api/v1/seals/generate", tag = "seals",
    security(("bearer" = [])), request_body = GenerateSeal,
    responses((status = 201, body = SealView),
        (status = 503, description = "No CJK font installed")))]
pub async fn generate(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<GenerateSeal>,
) -> ApiResult<HttpResponse> {
    let me = users::by_id(&state.db, &user.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("unauthenticated"))?;
    let name = match &body.name {
        Some(n) => check_seal_name(n)?,
        None => format!("{}之印", me.real_name),
    };
    let font = crate::app::signing::cjk_font_bytes()
        .ok_or_else(|| ApiError::unavailable("font_unavailable", 3600))?;
    let real_name = me.real_name.clone();
    let png = web::block(move || sealgen::personal_seal(&real_name, &font, PERSONAL_SEAL_PX))
        .await?
        .map_err(ApiError::internal)?;
    let seal = store(
        &state,
        &user.user_id,
        None,
        name,
        SealType::Personal,
        png,
        (PERSONAL_SEAL_PX, PERSONAL_SEAL_PX),
        None,
    )
    .await?;
    Ok(HttpResponse::Created().json(view(&seal)))
}

/// Renames, binds to a certificate (`""` unbinds) or disables a seal. Its owner, or an
/// admin of the owning organisation.
#[utoipa::path(patch, path = "/api/v1/seals/{id}", operation_id = "update_seal", tag = "seals",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = UpdateSeal,
    responses((status = 200, body = SealView),
        (status = 403),
        (status = 404),
        (status = 422, description = "A certificate the seal cannot go with (`seal_certificate_mismatch`)")))]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<UpdateSeal>,
) -> ApiResult<HttpResponse> {
    let seal = manageable(&state, &user.user_id, &id).await?;
    let name = body.name.as_deref().map(check_seal_name).transpose()?;
    let certificate = match body.certificate_id.as_deref() {
        Some("") => Some(None),
        Some(c) => Some(Some(
            bindable(&state, &user.user_id, seal.org_id.as_deref(), c).await?,
        )),
        None => None,
    };
    let disabled = body.disabled.then(Utc::now);
    seals::update(&state.db, &seal.id, name.as_deref(), certificate, disabled).await?;
    let seal = seals::by_id(&state.db, &seal.id)
        .await?
        .ok_or_else(|| ApiError::not_found("seal_not_found"))?;
    Ok(HttpResponse::Ok().json(view(&seal)))
}

/// The members granted an organisation seal. Admins of the organisation.
#[utoipa::path(get, path = "/api/v1/seals/{id}/grants", tag = "seals",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = SealGrantList),
        (status = 403),
        (status = 404)))]
pub async fn grants(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let seal = manageable(&state, &user.user_id, &id).await?;
    let user_ids = tasks::seal_grants(&state.db, &seal.id)
        .await?
        .into_iter()
        .map(|g| g.user_id)
        .collect();
    Ok(HttpResponse::Ok().json(SealGrantList { user_ids }))
}

/// Replaces the members granted an organisation seal (each must be a member). Admins of
/// the organisation.
#[utoipa::path(put, path = "/api/v1/seals/{id}/grants", tag = "seals",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = SealGrantList,
    responses((status = 200, body = SealGrantList),
        (status = 403),
        (status = 404),
        (status = 422)))]
pub async fn set_grants(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<SealGrantList>,
) -> ApiResult<HttpResponse> {
    let seal = manageable(&state, &user.user_id, &id).await?;
    let org = seal
        .org_id
        .clone()
        .ok_or_else(|| ApiError::bad_request("invalid_seal_kind").field("id"))?;
    if body.user_ids.len() > MAX_GRANTS {
        return Err(ApiError::bad_request("invalid_query").param("reason", "too many users"));
    }
    let mut ids: Vec<String> = body.user_ids.clone();
    ids.sort();
    ids.dedup();
    for u in &ids {
        if orgs::membership(&state.db, &org, u).await?.is_none() {
            return Err(ApiError::unprocessable("not_a_member")
                .field("user_ids")
                .param("id", u));
        }
    }
    tasks::set_seal_grants(&state.db, &seal.id, &ids, &user.user_id, Utc::now()).await?;
    Ok(HttpResponse::Ok().json(SealGrantList { user_ids: ids }))
}

/// The seal's image (PNG). Whoever may use the seal.
#[utoipa::path(get, path = "/api/v1/seals/{id}/image", tag = "seals",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The seal image", content_type = "image/png"),
        (status = 404)))]
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
