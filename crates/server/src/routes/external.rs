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

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpResponse, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, Utc};
use der::Decode;
use signet_api::{
    CertificateView, CreateCertificateFromCsr, ExternalFinish, ExternalPrepared,
    ExternalSignRequest,
};
use signet_domain::access::Owner;
use signet_pki::sign::KeyAlgorithm;
use signet_store::repo::external;
use x509_cert::Certificate;

use crate::app::signing::{self, Level, Pipeline};
use crate::auth::AuthUser;
use crate::keys::{self, CertRef};
use crate::problem::{ApiError, ApiResult};
use crate::routes::certificates::{holder_for, view};
use crate::routes::sign::{
    Form, certificate_owner, check_pdf_header, placement_spec, read_form, requested_level, slot,
};
use crate::state::AppState;
use crate::trust;

/// How long a prepared revision waits for its signature.
pub const SESSION_TTL: Duration = Duration::minutes(10);

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
        (status = 400, description = "Not a request, no proof of possession, unsupported key", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not verified, or not an admin", body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn create_from_csr(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateCertificateFromCsr>,
) -> ApiResult<HttpResponse> {
    let trust = state.trust()?;
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

/// A certificate the caller may sign with outside the server: an issued one that is
/// client-held (its key never reached the server) and may sign now, or an active binding of
/// theirs.
async fn client_certificate(state: &AppState, user_id: &str, id: &str) -> ApiResult<CertRef> {
    let cert = keys::signing_ref(state, user_id, id).await?;
    if let CertRef::Issued(row) = &cert {
        if row.pin_protected {
            return Err(ApiError::conflict("certificate_server_held").param("id", &row.id));
        }
        keys::check_signable(row)?;
    }
    Ok(cert)
}

/// The signer certificate and the chain to embed for an external signature: a client-held
/// certificate of the built-in CA, or an outside CA's certificate bound to the caller (checked
/// again now: chain, validity, revocation).
pub async fn external_signer(
    state: &AppState,
    trust: &crate::trust::Trust,
    user_id: &str,
    id: &str,
) -> ApiResult<(Certificate, Vec<Certificate>)> {
    let row = match client_certificate(state, user_id, id).await? {
        CertRef::Issued(row) => row,
        CertRef::Bound(binding) => return bound_signer(state, &binding).await,
    };
    let cert = Certificate::from_der(&row.cert_der).map_err(ApiError::internal)?;
    Ok((cert, trust.chain_of(&row.ca_id)))
}

/// A bound outside certificate, checked again now, and the outside CA certificates that
/// issued it.
async fn bound_signer(
    state: &AppState,
    binding: &signet_store::repo::bound::Bound,
) -> ApiResult<(Certificate, Vec<Certificate>)> {
    let cert = Certificate::from_der(&binding.cert_der).map_err(ApiError::internal)?;
    crate::routes::binding::check_outside(
        state.outside_cas.clone(),
        &cert,
        crate::routes::binding::fetch_policy(state),
    )
    .await?;
    let chain = state
        .outside_cas
        .certificates()
        .iter()
        .filter(|ca| signet_pki::verify::chain::signed_by(&cert, ca))
        .cloned()
        .collect();
    Ok((cert, chain))
}

/// Prepares a revision for a key held by the caller. Multipart like `POST /sign`: `file`,
/// `request` (`ExternalSignRequest`), seal images. Nothing is signed yet.
#[utoipa::path(post, path = "/api/v1/sign/external", tag = "signing",
    security(("bearer" = [])),
    request_body(content = ExternalSignRequest, content_type = "multipart/form-data",
        description = "Parts: `file` (PDF), `request` (JSON of this schema), seal images (PNG)"),
    responses((status = 201, body = ExternalPrepared),
        (status = 400, description = "Bad request or placement", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not the caller's certificate", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Revoked, expired, or a server-held certificate", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a signable PDF", body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn prepare(
    state: web::Data<AppState>,
    user: AuthUser,
    form: actix_multipart::Multipart,
) -> ApiResult<HttpResponse> {
    let trust = state.trust()?;
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

/// The step of a signing task an external session belongs to.
pub struct StepLink {
    pub task_id: String,
    pub step_id: String,
    pub document_id: String,
    pub task_version: i32,
}

/// Builds the revision for an external signature with `certificate_id` (the caller's
/// client-held or bound certificate) and stores the session.
#[allow(clippy::too_many_arguments)]
pub async fn prepare_session(
    state: &AppState,
    trust: &crate::trust::Trust,
    user_id: &str,
    pdf: Vec<u8>,
    spec: signet_pdf::SignatureSpec,
    certificate_id: &str,
    level: Level,
    step: Option<StepLink>,
) -> ApiResult<ExternalPrepared> {
    let (signer, chain) = external_signer(state, trust, user_id, certificate_id).await?;
    let font = if spec.date.is_some() {
        Some(signing::date_font().ok_or_else(|| {
            ApiError::unprocessable("invalid_placement").param("reason", "no CJK font for dates")
        })?)
    } else {
        None
    };
    let (rev, prepared) = web::block(move || {
        let dry = signet_pki::sign::prepare(&signer, &chain, &[0u8; 32])?;
        let room = dry.max_encoded_len() + spec.reserve;
        let rev = signet_pdf::prepare_owned(pdf, &spec, font, room)?;
        let digest = rev.digest(dry.algorithm());
        let prepared = signet_pki::sign::prepare(&signer, &chain, &digest)?;
        Ok::<_, signet_pdf::PdfError>((rev, (prepared, digest)))
    })
    .await?
    .map_err(signing::pdf_error)?;
    let (prepared, digest) = prepared;
    let (hole_start, hole_end) = rev.hole();
    let blob = state.blobs.put(rev.bytes().to_vec()).await?;
    let now = Utc::now();
    let session = external::ExternalSigning {
        id: signet_store::new_id("ext"),
        user_id: user_id.to_owned(),
        certificate_id: certificate_id.to_owned(),
        level,
        prepared_blob: blob,
        hole_start: i64::try_from(hole_start).map_err(ApiError::internal)?,
        hole_end: i64::try_from(hole_end).map_err(ApiError::internal)?,
        digest,
        expires_at: now + SESSION_TTL,
        finished_at: None,
        created_at: now,
        task_id: step.as_ref().map(|s| s.task_id.clone()),
        step_id: step.as_ref().map(|s| s.step_id.clone()),
        document_id: step.as_ref().map(|s| s.document_id.clone()),
        task_version: step.as_ref().map(|s| s.task_version),
    };
    external::insert(&state.db, session.clone()).await?;
    Ok(ExternalPrepared {
        id: session.id,
        expires_at: session.expires_at,
        algorithm: trust::key_alg(prepared.algorithm()),
        signed_attributes: STANDARD.encode(prepared.signed_attributes_der()),
        digest: STANDARD.encode(prepared.to_be_signed_digest()),
    })
}

/// Embeds the external signature and returns the signed PDF. The session's owner only, once,
/// before it expires; the signature must verify with the certificate over the signed
/// attributes the prepare step gave, or nothing is embedded.
#[utoipa::path(post, path = "/api/v1/sign/external/{id}/finish", tag = "signing",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = ExternalFinish,
    responses((status = 200, description = "The signed PDF", content_type = "application/pdf"),
        (status = 404, description = "No such session of the caller", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Finished already, or the certificate was revoked", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 410, description = "The session expired", body = signet_api::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The signature does not verify", body = signet_api::Problem, content_type = "application/problem+json")))]
pub async fn finish(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<ExternalFinish>,
) -> ApiResult<HttpResponse> {
    let trust = state.trust()?;
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

/// The caller's session `id`, if any.
pub async fn session_of(
    state: &AppState,
    user_id: &str,
    id: &str,
) -> ApiResult<Option<external::ExternalSigning>> {
    Ok(external::by_id(&state.db, id)
        .await?
        .filter(|s| s.user_id == user_id))
}

/// Checks the external signature (base64 DER) over the session's signed attributes, embeds
/// it, marks the session used (once only) and adds what the level asks for. Returns the PDF.
pub async fn finish_session(
    state: &AppState,
    trust: &crate::trust::Trust,
    user_id: &str,
    session: &external::ExternalSigning,
    signature_b64: &str,
) -> ApiResult<Vec<u8>> {
    if session.finished_at.is_some() {
        return Err(ApiError::conflict("signing_session_used"));
    }
    if Utc::now() > session.expires_at {
        return Err(ApiError::new(StatusCode::GONE, "signing_session_expired"));
    }
    let (signer, chain) = external_signer(state, trust, user_id, &session.certificate_id).await?;
    let signature = STANDARD
        .decode(signature_b64.trim())
        .map_err(|_| ApiError::bad_request("invalid_signature_encoding").field("signature"))?;
    // The signed attributes depend only on the certificate, the chain and the digest, so they
    // are rebuilt exactly as the prepare step gave them.
    let prepared =
        signet_pki::sign::prepare(&signer, &chain, &session.digest).map_err(ApiError::internal)?;
    let alg: KeyAlgorithm = prepared.algorithm();
    let cms = prepared
        .finish(&signature)
        .map_err(|_| ApiError::unprocessable("bad_signature").field("signature"))?;
    let level = session.level;
    let bytes = state.blobs.get(&session.prepared_blob).await?;
    let hole = (
        usize::try_from(session.hole_start).map_err(ApiError::internal)?,
        usize::try_from(session.hole_end).map_err(ApiError::internal)?,
    );
    let ts = state.timestamps.clone();
    let signed = web::block(move || {
        let cms = if level >= Level::BT {
            let source = ts.ok_or_else(|| {
                signet_pdf::PdfError::Timestamp("no timestamp authority is configured".into())
            })?;
            let mut tsa = |digest: &[u8]| source.token(alg, digest);
            signet_pdf::ltv::timestamp_signature(&cms, &mut tsa)?
        } else {
            cms
        };
        signet_pdf::PreparedRevision::from_parts(bytes, hole)?.finish(&cms)
    })
    .await?
    .map_err(signing::pdf_error)?;
    // Once only: a second finish of the same session loses here.
    if !external::finish(&state.db, &session.id, Utc::now()).await? {
        return Err(ApiError::conflict("signing_session_used"));
    }
    let signed = Pipeline::new(state)?.extend(signed, level, alg).await?;
    tracing::info!(session = %session.id, level = level.as_str(), "document signed externally");
    Ok(signed)
}
