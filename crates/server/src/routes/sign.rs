//! Direct signing: `POST /api/v1/sign` signs one PDF with the caller's server-held
//! certificates and returns it. Nothing is stored (no task, no document, no blob).

use actix_multipart::Multipart;
use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpResponse, web};
use futures_util::StreamExt as _;
use signet_api::{Placement, SignRequest};
use signet_domain::access::{Owner, SealChoice, seal_goes_with};
use signet_domain::certificate::CertPurpose;

use signet_pdf::{DateStamp, SignatureSpec, Visible};
use std::collections::BTreeMap;

use crate::app::signing::{Level, Pipeline};
use crate::auth::AuthUser;
use crate::keys;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// How long a signing request waits for a free slot before 503 `signing_busy`.
const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A signing slot: waits up to [`SLOT_WAIT`] for one, then 503 `signing_busy`.
pub async fn slot() -> ApiResult<tokio::sync::SemaphorePermit<'static>> {
    match tokio::time::timeout(SLOT_WAIT, SLOTS.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(ApiError::unavailable("signing_busy", 5)),
    }
}

/// Largest PDF accepted.
pub const MAX_PDF: usize = 50 * 1024 * 1024;
/// Largest seal image.
pub const MAX_SEAL: usize = 2 * 1024 * 1024;
const MAX_REQUEST_JSON: usize = 64 * 1024;
const MAX_SIGNATURES: usize = 20;
const MAX_SEAL_PARTS: usize = 10;
/// Signing requests served at once per node: each may hold a 50 MB document and its copies,
/// so more wait for a slot (503 with Retry-After) rather than exhaust memory.
pub const MAX_CONCURRENT: usize = 8;
static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_CONCURRENT);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign", web::post().to(sign));
}

/// The parts of a signing form: the PDF, the JSON request, the seal images by part name.
pub(crate) struct Form<R> {
    pub pdf: Vec<u8>,
    pub request: R,
    pub seals: BTreeMap<String, Vec<u8>>,
}

/// One multipart part, at most `limit` bytes (413 `part_too_large` beyond).
pub(crate) async fn read_part(
    field: &mut actix_multipart::Field,
    limit: usize,
    name: &str,
) -> ApiResult<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("invalid_multipart"))?;
        if out.len() + chunk.len() > limit {
            return Err(ApiError::new(
                actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                "part_too_large",
            )
            .param("part", name)
            .param("limit", limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

pub(crate) async fn read_form<R: serde::de::DeserializeOwned>(
    mut form: Multipart,
) -> ApiResult<Form<R>> {
    let mut pdf = None;
    let mut request = None;
    let mut seals = BTreeMap::new();
    let mut seen: Vec<String> = Vec::new();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| ApiError::bad_request("invalid_multipart"))?;
        let name = field
            .content_disposition()
            .and_then(|cd| cd.get_name())
            .unwrap_or_default()
            .to_owned();
        // Each part once: a repeated part would let one request hold several PDFs.
        if seen.contains(&name) {
            return Err(ApiError::bad_request("duplicate_part").param("part", &name));
        }
        seen.push(name.clone());
        match name.as_str() {
            "file" => pdf = Some(read_part(&mut field, MAX_PDF, "file").await?),
            "request" => {
                let bytes = read_part(&mut field, MAX_REQUEST_JSON, "request").await?;
                let parsed: R = serde_json::from_slice(&bytes).map_err(|e| {
                    ApiError::bad_request("invalid_json")
                        .field("request")
                        .param("reason", crate::problem::json_reason(&e))
                })?;
                request = Some(parsed);
            }
            "" => return Err(ApiError::bad_request("invalid_multipart")),
            other => {
                if seals.len() >= MAX_SEAL_PARTS {
                    return Err(ApiError::bad_request("too_many_parts"));
                }
                let bytes = read_part(&mut field, MAX_SEAL, other).await?;
                seals.insert(other.to_owned(), bytes);
            }
        }
    }
    Ok(Form {
        pdf: pdf.ok_or_else(|| {
            ApiError::bad_request("missing_part")
                .param("part", "file")
                .field("file")
        })?,
        request: request.ok_or_else(|| {
            ApiError::bad_request("missing_part")
                .param("part", "request")
                .field("request")
        })?,
        seals,
    })
}

/// The engine's view of a signature: where it goes, the seal image it prints (for a visible
/// placement), its date stamp and reason.
pub(crate) fn signature_spec(
    placement: &Placement,
    seal_png: Option<Vec<u8>>,
    date: Option<&signet_api::SignDate>,
    reason: Option<&str>,
) -> SignatureSpec {
    let visible = match *placement {
        Placement::Seal { page, rect } => Visible::Seal { page, rect },
        Placement::CrossPage {
            first,
            last,
            y,
            size,
        } => Visible::CrossPage {
            first,
            last,
            y,
            size,
        },
        Placement::Invisible => Visible::Invisible,
    };
    let mut spec = SignatureSpec::new(visible, chrono::Utc::now());
    if placement.is_visible() {
        spec.seal_png = seal_png;
    }
    spec.reason = reason.map(str::to_owned);
    spec.date = date.map(|d| DateStamp {
        page: d.page,
        x: d.at[0],
        y: d.at[1],
        size: d.size,
        format: DateStamp::DEFAULT_FORMAT.into(),
    });
    spec
}

/// The engine's view of one direct placement, with its seal image from the form's parts
/// (a stored `seal_id` is loaded by [`placement_spec`]).
pub(crate) fn spec_of(
    p: &signet_api::SignPlacement,
    seals: &BTreeMap<String, Vec<u8>>,
) -> ApiResult<SignatureSpec> {
    let mut png = None;
    if p.placement.is_visible() && p.seal_id.is_none() {
        let part = p.seal.as_deref().ok_or_else(|| {
            ApiError::bad_request("invalid_placement")
                .field("signatures")
                .param(
                    "reason",
                    "a visible signature needs a seal image part or a seal_id",
                )
        })?;
        let image = seals.get(part).ok_or_else(|| {
            ApiError::bad_request("missing_part")
                .param("part", part)
                .field("seal")
        })?;
        png = Some(image.clone());
    }
    Ok(signature_spec(
        &p.placement,
        png,
        p.date.as_ref(),
        p.reason.as_deref(),
    ))
}

/// The engine's view of a placement, with its stored seal (`seal_id`, one the caller may use)
/// loaded from the blob store. The seal must go with the placement's certificate (`cert_id`,
/// owned by `cert_owner`): see [`seal_with_certificate`].
pub(crate) async fn placement_spec(
    state: &AppState,
    user_id: &str,
    p: &signet_api::SignPlacement,
    seals: &BTreeMap<String, Vec<u8>>,
    cert_id: &str,
    cert_owner: Owner<'_>,
) -> ApiResult<SignatureSpec> {
    let mut spec = spec_of(p, seals)?;
    if p.placement.is_visible() {
        match &p.seal_id {
            Some(id) => {
                let seal = crate::routes::seals::usable(state, user_id, id).await?;
                seal_with_certificate(Some(&seal), cert_id, cert_owner, user_id, "signatures")?;
                spec.seal_png = Some(state.blobs.get(&seal.image_blob).await?);
            }
            None => seal_with_certificate(None, cert_id, cert_owner, user_id, "signatures")?,
        }
    }
    Ok(spec)
}

/// Who owns a certificate row: its organisation, or the person it was issued to.
pub(crate) fn certificate_owner(row: &signet_store::repo::pki::Certificate) -> Owner<'_> {
    match (row.purpose, &row.org_id, &row.user_id) {
        (CertPurpose::Org, Some(org), _) => Owner::Org(org),
        (_, _, Some(user)) => Owner::Person(user),
        // Not a holder's certificate: owned by nobody a seal can name.
        _ => Owner::Org(""),
    }
}

/// The one seal rule of every signing path (direct, external, task step), decided by
/// [`signet_domain::access::seal_goes_with`]: a stored seal (`Some`) goes with the certificate
/// it is bound to or, unbound, with a certificate of its owner; an uploaded image (`None`)
/// only with the caller's personal certificate. Otherwise 422 `seal_certificate_mismatch`.
pub(crate) fn seal_with_certificate(
    seal: Option<&signet_store::repo::seals::Seal>,
    cert_id: &str,
    cert_owner: Owner<'_>,
    caller: &str,
    field: &'static str,
) -> ApiResult<()> {
    let choice = match seal {
        Some(seal) => SealChoice::Stored {
            owner: match (&seal.org_id, &seal.user_id) {
                (Some(org), _) => Owner::Org(org),
                (None, Some(user)) => Owner::Person(user),
                (None, None) => Owner::Person(""),
            },
            bound_to: seal.certificate_id.as_deref(),
        },
        None => SealChoice::Uploaded,
    };
    seal_goes_with(choice, cert_id, cert_owner, caller).map_err(|e| {
        let mut err = ApiError::unprocessable("seal_certificate_mismatch")
            .field(field)
            .param("reason", e.to_string());
        if let Some(seal) = seal {
            err = err.param("id", &seal.id);
        }
        err
    })
}

/// The level a signing request asks for, or the configured default.
pub(crate) fn requested_level(state: &AppState, level: Option<&str>) -> ApiResult<Level> {
    match level {
        Some(l) => {
            Level::parse(l).ok_or_else(|| ApiError::bad_request("invalid_level").field("level"))
        }
        None => Ok(state.settings.pki.default_level),
    }
}

/// The `file` part must at least look like a PDF before any certificate is touched.
pub(crate) fn check_pdf_header(pdf: &[u8]) -> ApiResult<()> {
    signet_pdf::header_version(pdf).map(|_| ()).map_err(|_| {
        ApiError::unprocessable("invalid_pdf")
            .param("reason", "not a PDF")
            .field("file")
    })
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
        (status = 400, description = "Bad request, placement, PIN format or seal image", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Wrong PIN", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 404, description = "A certificate that is not the caller's", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A revoked or expired certificate", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 413, description = "A part is too large", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a signable PDF", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 423, description = "A certificate locked by wrong PINs", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The TSA is unavailable", body = signet_api::Problem, content_type = "application/problem+json")))]
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
            let row = keys::usable(&state, &user.user_id, &p.certificate_id).await?;
            keys::check_signable(&row)?;
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

    // Open each key once; a wrong PIN stops here with nothing signed.
    let opened = keys::open_all(&state, &rows, &req.pins).await?;

    let mut planned = Vec::with_capacity(specs.len());
    for (p, spec) in req.signatures.iter().zip(specs) {
        let row = rows
            .get(&p.certificate_id)
            .ok_or_else(|| ApiError::bad_request("pin_required"))?;
        let pkcs8 = opened
            .get(&p.certificate_id)
            .ok_or_else(|| ApiError::bad_request("pin_required"))?;
        planned.push(pipeline.plan(spec, pkcs8, &row.cert_der, &row.ca_id)?);
    }
    drop(opened);
    let pdf = form.pdf;
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
