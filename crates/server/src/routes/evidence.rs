//! Evidence: a task's audit trail, its evidence report, and public verification of documents
//! (by upload or by verification code) without an account.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use futures_util::StreamExt as _;
use signet_api::{AnchorView, AuditEventView, AuditTrail, PublicSigner, PublicVerification};
use signet_domain::audit::{GENESIS, VerificationCode};
use signet_domain::workflow::StepState;
use signet_store::audit;

use crate::app::signing::{MAX_PDF, slot};
use crate::app::tasks::{self, load, load_visible};
use crate::auth::{AuthUser, ClientMeta};
use crate::evidence;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/tasks/{id}/events", web::get().to(events))
        .route("/tasks/{id}/evidence", web::get().to(evidence_report))
        .route("/verify", web::post().to(verify_upload))
        .route("/verify/{code}", web::get().to(verify_code));
}

/// The task's audit trail in chain order, with the chain's head, whether every link and
/// anchor checks out, and the TSA anchors. Initiator and signers; the client IP addresses
/// and user agents of the events are shown to the initiator only (`null` for signers).
#[utoipa::path(get, path = "/api/v1/tasks/{id}/events", tag = "evidence",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = AuditTrail),
        (status = 404)))]
pub async fn events(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let l = load_visible(&state, &id, &user.user_id).await?;
    let rows = audit::chain(&state.db, &l.task.id).await?;
    let anchors = audit::anchors(&state.db, &l.task.id).await?;
    let checker = evidence::tsa_trust(state.ca.as_deref(), &state.settings);
    let check = evidence::check_loaded(&l.task.id, &rows, &anchors, &checker);
    let names = evidence::actor_names(&state.db, &rows).await?;
    // Participants do not see each other's addresses and browsers; the initiator (and the
    // operator, through the CLI) does.
    let initiator = l.is_initiator(&user.user_id);
    let items = rows
        .iter()
        .map(|e| AuditEventView {
            seq: e.seq,
            kind: e.kind.clone(),
            step_id: e.step_id.clone(),
            actor_id: e.actor_id.clone(),
            actor_name: e.actor_id.as_ref().and_then(|a| names.get(a).cloned()),
            at: e.at,
            ip: initiator.then(|| e.ip.clone()),
            user_agent: initiator.then(|| e.user_agent.clone()),
            document_hashes: serde_json::from_str(&e.document_hashes).unwrap_or_default(),
            detail: serde_json::from_str(&e.detail).unwrap_or_default(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        })
        .collect();
    let problem = check.broken.clone().or_else(|| {
        check
            .anchors
            .iter()
            .find(|a| !a.problems.is_empty())
            .map(|a| format!("anchor at seq {}: {}", a.seq, a.problems.join("; ")))
    });
    Ok(HttpResponse::Ok().json(AuditTrail {
        task_id: l.task.id.clone(),
        items,
        head_seq: check.head_seq.unwrap_or(0),
        head_hash: check.head_hash.clone().unwrap_or_else(|| GENESIS.into()),
        intact: check.ok(),
        problem,
        anchors: anchors
            .into_iter()
            .zip(check.anchors.iter())
            .map(|(a, c)| AnchorView {
                seq: a.seq,
                head_hash: a.head_hash,
                time: c.time,
                token: STANDARD.encode(&a.token),
            })
            .collect(),
    }))
}

/// The evidence report (证据报告) of a completed task as a PDF signed by the platform
/// (PAdES B-LT): documents with their SHA-256 and every revision, each signature's signer,
/// certificate, algorithm, level and time with the validator's verdict, and the whole audit
/// trail with its head hash and TSA timestamp. Exporting is itself recorded first, and the
/// chain is anchored so the report shows the timestamp over its own export. The initiator
/// only, once the task is completed (the download rule).
#[utoipa::path(get, path = "/api/v1/tasks/{id}/evidence", tag = "evidence",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "The signed evidence report", content_type = "application/pdf"),
        (status = 403),
        (status = 404),
        (status = 503)))]
pub async fn evidence_report(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    // The report is signed by the platform: without a PKI, 503 before any work.
    state.ca()?;
    let l = load_visible(&state, &id, &user.user_id).await?;
    l.standing(&user.user_id).may_download()?;
    let _slot = slot().await?;
    tasks::note(
        &state,
        &l,
        "evidence_exported",
        &user.user_id,
        &meta,
        serde_json::json!({}),
    )
    .await?;
    evidence::anchor(&state, &l.task.id).await.map_err(|e| {
        tracing::warn!(error = %e, "anchoring the audit chain failed");
        ApiError::unavailable("tsa_unavailable", 30)
    })?;
    let checker = evidence::tsa_trust(state.ca.as_deref(), &state.settings);
    let events = audit::chain(&state.db, &l.task.id).await?;
    let anchors = audit::anchors(&state.db, &l.task.id).await?;
    let check = evidence::check_loaded(&l.task.id, &events, &anchors, &checker);
    let gathered = crate::report::gather(&state, &l, check, events).await?;
    let doc = crate::report::compose(&state, &l, &gathered, Utc::now());
    let pdf = crate::report::render_signed(&state, doc).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            CONTENT_DISPOSITION,
            crate::routes::attachment(&format!("证据报告-{}", l.task.name), "pdf"),
        ))
        .body(pdf))
}

fn limited(state: &AppState, meta: &ClientMeta) -> ApiResult<()> {
    state
        .verify_limiter
        .check(&meta.ip)
        .map_err(|wait| ApiError::too_many("verify_rate_limited", wait.as_secs().max(1)))
}

/// Validates an uploaded PDF (the request body, `application/pdf`, at most 50 MB) and
/// returns the validator's report (docs/VERIFY.md), with Signet's roots as trust anchors.
/// No login; limited per client IP (429 with Retry-After). Nothing uploaded is stored. A
/// body over the limit is refused (413) as soon as that is known, without reading it all.
#[utoipa::path(post, path = "/api/v1/verify", tag = "evidence",
    request_body(content = Vec<u8>, content_type = "application/pdf", description = "The PDF to check"),
    responses((status = 200, description = "The validator's report (docs/VERIFY.md)", content_type = "application/json"),
        (status = 413),
        (status = 415),
        (status = 429)))]
pub async fn verify_upload(
    state: web::Data<AppState>,
    meta: ClientMeta,
    req: HttpRequest,
    mut body: web::Payload,
) -> ApiResult<HttpResponse> {
    limited(&state, &meta)?;
    let too_large = || {
        ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "pdf_too_large",
        )
        .param("max", MAX_PDF)
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_PDF as u64) {
        return Err(too_large());
    }
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/pdf")
        && !essence.eq_ignore_ascii_case("application/octet-stream")
    {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "pdf_body_required",
        ));
    }
    // The validation slot is taken before the body is read: at most MAX_CONCURRENT uploads
    // are buffered at a time, whatever the number of connections.
    let _slot = slot().await?;
    let mut pdf = Vec::with_capacity(declared.map_or(64 * 1024, |n| n as usize));
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("invalid_body"))?;
        if pdf.len() + chunk.len() > MAX_PDF {
            return Err(too_large());
        }
        pdf.extend_from_slice(&chunk);
    }
    let report = crate::report::validate(&state, pdf).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// What a verification code proves (the code printed in an evidence report or shown to the
/// task's participants): the document's name and SHA-256, its signers' names (never phone
/// or ID numbers), times, and the validator's verdict on the stored final file. No login;
/// limited per client IP. Codes are looked up by their hash; a malformed code is answered
/// exactly like an unknown one (404).
#[utoipa::path(get, path = "/api/v1/verify/{code}", tag = "evidence",
    params(("code" = String, Path, description = "16 base32 characters, dashes optional")),
    responses((status = 200, body = PublicVerification),
        (status = 404),
        (status = 429)))]
pub async fn verify_code(
    state: web::Data<AppState>,
    meta: ClientMeta,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    limited(&state, &meta)?;
    // A malformed code is hashed and looked up too: every lookup does the same work.
    let lookup = match VerificationCode::parse(&code) {
        Some(c) => c.lookup_hash(),
        None => {
            use sha2::Digest as _;
            hex::encode(sha2::Sha256::digest(format!("malformed:{code}").as_bytes()))
        }
    };
    let unknown = || ApiError::not_found("verification_code_not_found");
    let row = audit::code_by_hash(&state.db, &lookup)
        .await?
        .ok_or_else(unknown)?;
    let l = load(&state.db, &row.task_id).await.map_err(|_| unknown())?;
    let doc = l
        .docs
        .iter()
        .find(|d| d.id == row.document_id)
        .ok_or_else(unknown)?;
    let pdf = state.blobs.get(&row.document_sha256).await?;
    let report = crate::report::validate(&state, pdf).await?;
    let events = audit::chain(&state.db, &l.task.id).await?;
    let acting = evidence::acting_orgs(&state.db, &l.steps, &events).await?;
    let orgs = tasks::org_names(&state.db, acting.values().cloned()).await?;
    let signers = l
        .steps
        .iter()
        .filter(|s| s.state == StepState::Signed)
        .map(|s| PublicSigner {
            name: s.signer_name.clone(),
            organization: acting.get(&s.id).and_then(|o| orgs.get(o).cloned()),
            signed_at: s.signed_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(PublicVerification {
        document_name: doc.name.clone(),
        sha256: row.document_sha256.clone(),
        completed_at: l.task.finished_at,
        signers,
        signatures: report.signatures.len(),
        verdict: report.verdict.as_str().to_owned(),
        verified_at: report.validated_at,
    }))
}
