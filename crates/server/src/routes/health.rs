//! Liveness and readiness probes for load balancers and orchestrators, and the public
//! settings clients show.

use actix_web::{HttpResponse, web};
use signet_api::{Health, PublicSettings};

use crate::state::AppState;

/// Liveness: the process serves HTTP. No authentication.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "The process is up", body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        database: None,
    })
}

/// Readiness: the database answers. No authentication.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database is unreachable", body = Health)))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if signet_store::ping(&state.db).await {
        HttpResponse::Ok().json(Health {
            status: "ok".into(),
            database: Some("ok".into()),
        })
    } else {
        HttpResponse::ServiceUnavailable().json(Health {
            status: "unavailable".into(),
            database: Some("unreachable".into()),
        })
    }
}

/// The installation's public settings: the support line the panel shows in its header, and
/// where the local signing agent listens. No authentication.
#[utoipa::path(get, path = "/api/v1/settings", tag = "health",
    responses((status = 200, body = PublicSettings)))]
pub async fn settings(state: web::Data<AppState>) -> HttpResponse {
    let phone = state.settings.support_phone.trim();
    HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=300",
        ))
        .json(PublicSettings {
            support_phone: Some(phone.to_owned()).filter(|p| !p.is_empty()),
            agent_origin: Some(
                state
                    .settings
                    .http
                    .agent_origin
                    .trim()
                    .trim_end_matches('/')
                    .to_owned(),
            )
            .filter(|o| !o.is_empty()),
        })
}
