//! The agreements a user accepts at registration (用户协议, 隐私政策), versioned.

use actix_web::{HttpResponse, web};
use signet_api::{Agreement, AgreementList, AgreementSummary};
use signet_store::repo::agreements;

use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/agreements", web::get().to(list))
        .route("/agreements/{kind}/{version}", web::get().to(get));
}

pub fn summary(a: &agreements::Agreement) -> AgreementSummary {
    AgreementSummary {
        id: a.id.clone(),
        kind: a.kind.clone(),
        version: a.version,
        title: a.title.clone(),
        published_at: a.published_at,
        url: format!("/api/v1/agreements/{}/{}", a.kind, a.version),
    }
}

/// The current version of each agreement. Public.
#[utoipa::path(get, path = "/api/v1/agreements", operation_id = "list_agreements", tag = "agreements",
    responses((status = 200, body = AgreementList)))]
pub async fn list(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let items = agreements::current(&state.db)
        .await?
        .iter()
        .map(summary)
        .collect();
    Ok(HttpResponse::Ok().json(AgreementList { items }))
}

/// One version of an agreement, with its text. Public.
#[utoipa::path(get, path = "/api/v1/agreements/{kind}/{version}", operation_id = "get_agreement", tag = "agreements",
    params(("kind" = String, Path, example = "user_agreement"), ("version" = i32, Path, example = 1)),
    responses((status = 200, body = Agreement), (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (kind, version) = path.into_inner();
    let a = agreements::by_kind_version(&state.db, &kind, version)
        .await?
        .ok_or_else(|| ApiError::not_found("agreement_not_found"))?;
    Ok(HttpResponse::Ok().json(Agreement {
        summary: summary(&a),
        body: a.body,
    }))
}
