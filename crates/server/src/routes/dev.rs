//! Demo-mode helpers (`signet serve --demo` only; the routes do not exist otherwise): read
//! the dev SMS outbox and captcha answers, so a person trying the demo and the tests can
//! complete registration without a phone.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use signet_api::{DevCaptchaAnswer, DevSmsMessage, DevSmsOutbox};
use signet_store::repo::captchas;

use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/dev/sms-outbox", web::get().to(sms_outbox))
        .route("/dev/captcha/{captcha_id}", web::get().to(captcha_answer));
}

fn require_demo(state: &AppState) -> ApiResult<()> {
    if state.settings.demo {
        Ok(())
    } else {
        Err(ApiError::not_found("not_found"))
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only messages to this phone.
    pub phone: Option<String>,
}

/// Messages the dev SMS sender recorded, newest first. Demo mode only (404 otherwise).
#[utoipa::path(get, path = "/api/v1/dev/sms-outbox", tag = "dev",
    params(OutboxQuery),
    responses((status = 200, body = DevSmsOutbox), (status = 404)))]
pub async fn sms_outbox(
    state: web::Data<AppState>,
    q: web::Query<OutboxQuery>,
) -> ApiResult<HttpResponse> {
    require_demo(&state)?;
    let items = state
        .dev_sms
        .as_ref()
        .map(|s| s.outbox(q.phone.as_deref()))
        .unwrap_or_default()
        .into_iter()
        .map(|m| DevSmsMessage {
            phone: m.phone,
            text: m.text,
            sent_at: m.sent_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(DevSmsOutbox { items }))
}

/// The answer to a captcha. Demo mode only (404 otherwise).
#[utoipa::path(get, path = "/api/v1/dev/captcha/{captcha_id}", tag = "dev",
    params(("captcha_id" = String, Path)),
    responses((status = 200, body = DevCaptchaAnswer), (status = 404)))]
pub async fn captcha_answer(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    require_demo(&state)?;
    let c = captchas::by_id(&state.db, &path)
        .await?
        .ok_or_else(|| ApiError::not_found("not_found"))?;
    Ok(HttpResponse::Ok().json(DevCaptchaAnswer {
        captcha_id: c.id,
        answer: c.answer,
    }))
}
