//! External signing: keys the server never sees.
//!
//! 1. `POST /api/v1/certificates/csr` — a certificate from the built-in CA for the caller's own
//!    key, proven by a PKCS#10 request signed with it (same identity rules as server-held keys);
//!    or an outside CA's certificate bound to the account (`routes::binding`).
//! 2. `POST /api/v1/sign/external` — the server builds the revision (placement, seal, room for
//!    the signature), keeps it for ten minutes, and answers with the CMS signed attributes to
//!    sign (or their digest, for HSMs) and an id.
//! 3. `POST /api/v1/sign/external/{id}/finish` — the signature value; the server checks it
//!    against the certificate over exactly those bytes, embeds it (with a signature timestamp,
//!    DSS and document timestamp as the level asks) and returns the PDF. Once only.
//!
//! The protocol is in docs/PKI.md; `signet sign-external` is an example client.

use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, Utc};
use signet_api::{
    CertificateView, CreateCertificateFromCsr, ExternalFinish, ExternalPrepared,
    ExternalSignRequest,
};
use signet_domain::access::Owner;

use crate::app::certificate_keys::CertRef;
use crate::app::certificates::certificate_owner;
use crate::app::certificates::{holder_for, view};
use crate::app::external::{client_certificate, finish_session, prepare_session, session_of};
use crate::app::seals::placement_spec;
use crate::app::signing::{check_pdf_header, requested_level, slot};
use crate::auth::AuthUser;
use crate::problem::{ApiError, ApiResult};
use crate::routes::form::{Form, read_form};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/certificates/csr", web::post().to(create_from_csr))
        .route("/sign/external", web::post().to(prepare))
        .route("/sign/external/{id}/finish", web::post().to(finish));
}

fn decode_csr(text: &str) -> ApiResult<Vec<u8>> {
    let bad = || ApiError::bad_request("invalid_csr").field("csr");
    let body: String = if text.contains("-----BEGIN") {
        text.lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .concat()
    } else {
        text.chars().filter(|c| !c.is_whitespace()).collect()
    };
    STANDARD.decode(body.trim()).map_err(|_| bad())
}

/// Issues a certificate for the caller's own key from a PKCS#10 request. Logged in; the same
/// rules as `POST /certificates` (real-name user, or admin of a verified organisation).
#[utoipa::path(post, path = "/api/v1/certificates/csr", tag = "certificates",
    security(("bearer" = [])), request_body = CreateCertificateFromCsr,
    responses((status = 201, body = CertificateView),
        (status = 400, description = "Not a request, no proof of possession, unsupported key"),
        (status = 403, description = "Not verified, or not an admin")))]
pub async fn create_from_csr(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateCertificateFromCsr>,
) -> ApiResult<HttpResponse> {
    let trust = state.ca()?;
    let der = decode_csr(&body.csr)?;
    let (alg, spki) = signet_pki::ca::check_csr(&der).map_err(|e| {
        ApiError::bad_request("invalid_csr")
            .field("csr")
            .param("reason", e.to_string())
    })?;
    let holder = holder_for(&state, &user, &body.kind, body.org_id.as_deref()).await?;
    let issued = trust
        .store_holder(
            &state.db,
            alg,
            &holder,
            &spki,
            signet_store::new_id("key"),
            Vec::new(),
            Duration::days(state.settings.pki.certificate_days.max(1)),
            Utc::now(),
        )
        .await
        .map_err(ApiError::from)?;
    tracing::info!(certificate = %issued.row.id, "certificate issued for a client-held key");
    Ok(HttpResponse::Created().json(view(trust, &issued.row)))
}

/// Prepares a revision for a key held by the caller. Multipart like `POST /sign`: `file`,
/// `request` (`ExternalSignRequest`), seal images. Nothing is signed yet.
#[utoipa::path(post, path = "/api/v1/sign/external", tag = "signing",
    security(("bearer" = [])),
    request_body(content = ExternalSignRequest, content_type = "multipart/form-data",
        description = "Parts: `file` (PDF), `request` (JSON of this schema), seal images (PNG)"),
    responses((status = 201, body = ExternalPrepared),
        (status = 400, description = "Bad request or placement"),
        (status = 404, description = "Not the caller's certificate"),
        (status = 409, description = "Revoked, expired, or a server-held certificate"),
        (status = 422, description = "Not a signable PDF")))]
pub async fn prepare(
    state: web::Data<AppState>,
    user: AuthUser,
    form: actix_multipart::Multipart,
) -> ApiResult<HttpResponse> {
    let trust = state.ca()?;
    let _slot = slot().await?;
    let form: Form<ExternalSignRequest> = read_form(form).await?;
    let req = &form.request;
    let level = requested_level(&state, req.level.as_deref())?;
    check_pdf_header(&form.pdf)?;
    let cert_id = req.signature.certificate_id.as_str();
    // An outside certificate bound to the caller is theirs; a built-in one has its owner.
    let cert = client_certificate(&state, &user.user_id, cert_id).await?;
    let owner = match &cert {
        CertRef::Issued(row) => certificate_owner(row),
        CertRef::Bound(_) => Owner::Person(&user.user_id),
    };
    let spec = placement_spec(
        &state,
        &user.user_id,
        &req.signature,
        &form.seals,
        cert_id,
        owner,
    )
    .await?;
    let prepared = prepare_session(
        &state,
        trust,
        &user.user_id,
        form.pdf,
        spec,
        &req.signature.certificate_id,
        level,
        None,
    )
    .await?;
    Ok(HttpResponse::Created().json(prepared))
}

/// Embeds the external signature and returns the signed PDF. The session's owner only, once,
/// before it expires; the signature must verify with the certificate over the signed
/// attributes the prepare step gave, or nothing is embedded.
#[utoipa::path(post, path = "/api/v1/sign/external/{id}/finish", tag = "signing",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = ExternalFinish,
    responses((status = 200, description = "The signed PDF", content_type = "application/pdf"),
        (status = 404, description = "No such session of the caller"),
        (status = 409, description = "Finished already, or the certificate was revoked"),
        (status = 410, description = "The session expired"),
        (status = 422, description = "The signature does not verify")))]
pub async fn finish(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<ExternalFinish>,
) -> ApiResult<HttpResponse> {
    let trust = state.ca()?;
    // Sessions of a task step finish through the task (which stores the revision).
    let session = session_of(&state, &user.user_id, &id)
        .await?
        .filter(|s| s.task_id.is_none())
        .ok_or_else(|| ApiError::not_found("signing_session_not_found"))?;
    let signed = finish_session(&state, trust, &user.user_id, &session, &body.signature).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((CONTENT_DISPOSITION, "attachment; filename=\"signed.pdf\""))
        .body(signed))
}
