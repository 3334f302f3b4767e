//! Liveness and readiness probes for load balancers and orchestrators.

use actix_web::{HttpResponse, web};
use signet_api::Health;

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
