//! External signing sessions: the server prepares a revision and its digest, the caller
//! signs it with a key the server never sees, the server embeds and checks the signature.

use crate::app::certificate_keys::{self, CertRef};
use crate::app::signing::{self, Level, Pipeline};
use crate::builtin_ca;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, Utc};
use der::Decode;
use signet_api::ExternalPrepared;
use signet_pdf::TimestampSource as _;
use signet_pki::sign::KeyAlgorithm;
use signet_store::repo::external;
use x509_cert::Certificate;

/// How long a prepared revision waits for its signature.
pub const SESSION_TTL: Duration = Duration::minutes(10);

/// A certificate the caller may sign with outside the server: an issued one that is
/// client-held (its key never reached the server) and may sign now, or an active binding of
/// theirs.
pub async fn client_certificate(state: &AppState, user_id: &str, id: &str) -> ApiResult<CertRef> {
    let cert = certificate_keys::signing_ref(state, user_id, id).await?;
    if let CertRef::Issued(row) = &cert {
        if row.pin_protected {
            return Err(ApiError::conflict("certificate_server_held").param("id", &row.id));
        }
        certificate_keys::check_signable(row)?;
    }
    Ok(cert)
}

/// The signer certificate and the chain to embed for an external signature: a client-held
/// certificate of the built-in CA, or an outside CA's certificate bound to the caller (checked
/// again now: chain, validity, revocation).
pub async fn external_signer(
    state: &AppState,
    trust: &crate::builtin_ca::BuiltinCa,
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
pub async fn bound_signer(
    state: &AppState,
    binding: &signet_store::repo::bound::Bound,
) -> ApiResult<(Certificate, Vec<Certificate>)> {
    let cert = Certificate::from_der(&binding.cert_der).map_err(ApiError::internal)?;
    crate::app::binding::check_outside(
        state.outside_cas.clone(),
        &cert,
        crate::app::binding::fetch_policy(state),
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
    trust: &crate::builtin_ca::BuiltinCa,
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
        algorithm: builtin_ca::key_alg(prepared.algorithm()),
        signed_attributes: STANDARD.encode(prepared.signed_attributes_der()),
        digest: STANDARD.encode(prepared.to_be_signed_digest()),
    })
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
    trust: &crate::builtin_ca::BuiltinCa,
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
