//! Direct signing: `POST /api/v1/sign` signs one PDF with the caller's server-held
//! certificates and returns it. Nothing is stored (no task, no document, no blob).

use actix_multipart::Multipart;
use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpResponse, web};
use signet_api::SignRequest;

use std::collections::BTreeMap;

use crate::app::certificate_keys;
use crate::app::certificates::certificate_owner;
use crate::app::seals::placement_spec;
use crate::app::signing::{Pipeline, check_pdf_header, requested_level, slot};
use crate::auth::AuthUser;
use crate::problem::{ApiError, ApiResult};
use crate::routes::form::{Form, read_form};
use crate::state::AppState;

const MAX_SIGNATURES: usize = 20;
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign", web::post().to(sign));
}

/// Signs one PDF with the caller's certificates and returns it (`application/pdf`).
/// Logged in; each certificate must be the caller's (or an organisation's they administer),
/// valid, not locked, and opened by its PIN. Multipart form: `file` (the PDF, ≤ 50 MB),
/// `request` (JSON `SignRequest`), and one part per seal image named by the placements.
/// Every PIN is checked before anything is signed; on any refusal nothing is returned.
#[utoipa::path(post, path = "/api/v1/sign", operation_id = "sign_pdf", tag = "signing",
    security(("bearer" = [])),
    request_body(content = SignRequest, content_type = "multipart/form-data",
        description = "Parts: `file` (PDF), `request` (JSON of this schema), seal images (PNG) by the names the placements give"),
    responses((status = 200, description = "The signed PDF", content_type = "application/pdf",
            headers(("Signet-Notice" = String, description = "Present when the caller should tell the user something about the new signature: `certified-new-field` — the document is certified (DocMDP P=2/3) and the signature is a new signed field after the certification (allowed; pyHanko's default policy flags new visible fields), see docs/PDF.md"))),
        (status = 400, description = "Bad request, placement, PIN format or seal image"),
        (status = 403, description = "Wrong PIN"),
        (status = 404, description = "A certificate that is not the caller's"),
        (status = 409, description = "A revoked or expired certificate"),
        (status = 413, description = "A part is too large"),
        (status = 422, description = "Not a signable PDF"),
        (status = 423, description = "A certificate locked by wrong PINs"),
        (status = 503, description = "The TSA is unavailable")))]
pub async fn sign(
    state: web::Data<AppState>,
    user: AuthUser,
    form: Multipart,
) -> ApiResult<HttpResponse> {
    let pipeline = Pipeline::new(&state)?;
    let _slot = slot().await?;
    let form: Form<SignRequest> = read_form(form).await?;
    let req = &form.request;
    let level = requested_level(&state, req.level.as_deref())?;
    if req.signatures.is_empty() || req.signatures.len() > MAX_SIGNATURES {
        return Err(ApiError::bad_request("invalid_signature_count").field("signatures"));
    }
    check_pdf_header(&form.pdf)?;

    // Every certificate named, with access and state checked, before any PIN is tried.
    let mut rows = BTreeMap::new();
    for p in &req.signatures {
        if !rows.contains_key(&p.certificate_id) {
            let row = certificate_keys::usable(&state, &user.user_id, &p.certificate_id).await?;
            certificate_keys::check_signable(&row)?;
            rows.insert(p.certificate_id.clone(), row);
        }
    }
    let mut specs = Vec::with_capacity(req.signatures.len());
    for p in &req.signatures {
        let row = rows
            .get(&p.certificate_id)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("certificate row")))?;
        let owner = certificate_owner(row);
        specs.push(placement_spec(&state, &user.user_id, p, &form.seals, &row.id, owner).await?);
    }

    // Where each signature goes, against the document's pages, still before any PIN.
    let numbered = specs.iter().cloned().enumerate().collect();
    let pdf = crate::app::signing::check_placements(form.pdf, numbered)
        .await
        .map_err(|e| e.field("signatures"))?;

    // Open each key once; a wrong PIN stops here with nothing signed.
    let opened = certificate_keys::open_all(&state, &rows, &req.pins).await?;

    let mut planned = Vec::with_capacity(specs.len());
    for (p, spec) in req.signatures.iter().zip(specs) {
        planned.push(pipeline.plan_opened(spec, &p.certificate_id, &rows, &opened)?);
    }
    drop(opened);
    let notices = signet_pdf::notices(&pdf);
    let signed = pipeline.sign(pdf, planned, level).await?;
    tracing::info!(
        signatures = req.signatures.len(),
        level = level.as_str(),
        "document signed"
    );
    let mut response = HttpResponse::Ok();
    response
        .content_type("application/pdf")
        .insert_header((CONTENT_DISPOSITION, "attachment; filename=\"signed.pdf\""));
    for n in &notices {
        response.append_header((NOTICE_HEADER, n.code()));
    }
    Ok(response.body(signed))
}

/// Tells the caller something about the signatures just added (see `signet_pdf::Notice`).
pub const NOTICE_HEADER: &str = "Signet-Notice";
