//! Binding a certificate from an outside CA to the account (the seed's 绑定 of a USB-key
//! certificate): proof of possession by signing a login challenge, a path to one of the
//! operator's outside CAs (`pki.outside_ca_files`), validity, key usage and revocation from the
//! OCSP responders and CRLs the certificate names (fetched now), and the subject's common name
//! matched against the account's real name (and its ID-card number, when the certificate
//! carries one as serialNumber). With `pki.binding_requires_approval` a binding
//! waits for `signet cert approve`. Active bindings log in (`/auth/cert/login`).

use actix_web::{HttpResponse, web};
use chrono::Utc;
use der::Encode;
use signet_api::{BoundCertificateList, BoundCertificateView, CertLogin};
use signet_domain::certificate::BindingStatus;
use signet_pki::verify::CertificateSummary;
use signet_store::repo::{bound, users};

use crate::app::binding::proof_of_possession;
use crate::app::binding::{check_outside, subject_id_number};
use crate::auth::AuthUser;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/certificates/bound", web::post().to(bind))
        .route("/certificates/bound", web::get().to(list));
}

fn view(b: &bound::Bound) -> BoundCertificateView {
    BoundCertificateView {
        id: b.id.clone(),
        subject: b.subject.clone(),
        issuer: b.issuer.clone(),
        serial: b.serial.clone(),
        status: b.status,
        not_after: b.not_after,
        created_at: b.created_at,
    }
}

/// Binds a certificate of an outside CA to the caller. Logged in. The body is a challenge
/// from `/auth/cert/challenge` signed with the certificate's key.
#[utoipa::path(post, path = "/api/v1/certificates/bound", tag = "certificates",
    security(("bearer" = [])), request_body = CertLogin,
    responses((status = 201, description = "Bound (`active`) or waiting for approval (`pending`)", body = BoundCertificateView),
        (status = 400, description = "Unreadable certificate, or no proof of possession"),
        (status = 409, description = "Revoked, or bound already"),
        (status = 422, description = "Not from a trusted outside CA, or not the account's name")))]
pub async fn bind(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CertLogin>,
) -> ApiResult<HttpResponse> {
    let cert = proof_of_possession(&state, &body, || {
        ApiError::bad_request("proof_of_possession_failed").field("signature")
    })
    .await?;
    check_outside(
        state.outside_cas.clone(),
        &cert,
        crate::app::binding::fetch_policy(&state),
    )
    .await?;
    let me = users::by_id(&state.db, &user.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("invalid_token"))?;
    let summary = CertificateSummary::of(&cert);
    if summary.common_name.as_deref().map(str::trim) != Some(me.real_name.as_str()) {
        return Err(ApiError::unprocessable("certificate_name_mismatch"));
    }
    // When the certificate carries an ID-card number (subject serialNumber, as Chinese CAs
    // issue personal certificates), it must be the account's.
    if let Some(number) = subject_id_number(&summary.subject) {
        let own = state
            .master
            .open("id_card", me.id.as_bytes(), &me.id_card_sealed)
            .map_err(ApiError::internal)?;
        if !number.eq_ignore_ascii_case(&String::from_utf8_lossy(&own)) {
            return Err(ApiError::unprocessable("certificate_id_mismatch"));
        }
    }
    if bound::by_fingerprint(&state.db, &summary.sha256_hex)
        .await?
        .is_some()
    {
        return Err(ApiError::conflict("certificate_bound_already"));
    }
    let now = Utc::now();
    let row = bound::Bound {
        id: signet_store::new_id("bnd"),
        user_id: user.user_id.clone(),
        fingerprint: summary.sha256_hex.clone(),
        cert_der: cert.to_der().map_err(ApiError::internal)?,
        subject: summary.subject.clone(),
        issuer: summary.issuer.clone(),
        serial: summary.serial_hex.clone(),
        status: if state.settings.pki.binding_requires_approval {
            BindingStatus::Pending
        } else {
            BindingStatus::Active
        },
        not_after: summary.not_after,
        decided_by: None,
        decided_at: None,
        created_at: now,
    };
    bound::insert(&state.db, row.clone()).await?;
    tracing::info!(binding = %row.id, status = %row.status, "outside certificate bound");
    Ok(HttpResponse::Created().json(view(&row)))
}

/// The caller's bound certificates. Logged in.
#[utoipa::path(get, path = "/api/v1/certificates/bound", operation_id = "list_bound_certificates", tag = "certificates",
    security(("bearer" = [])),
    responses((status = 200, body = BoundCertificateList)))]
pub async fn list(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let items: Vec<BoundCertificateView> = bound::of_user(&state.db, &user.user_id)
        .await?
        .iter()
        .map(view)
        .collect();
    Ok(HttpResponse::Ok().json(BoundCertificateList {
        total: items.len() as u64,
        items,
    }))
}
