//! The PKI's public services, outside `/api/v1` and without login, as relying parties expect
//! them at the URLs written into the certificates:
//! - `GET /pki/ca/{id}.pem` and `GET /pki/ca/{id}.crt` (DER): a CA certificate;
//! - `GET /pki/crl/{id}.crl`: a fresh CRL signed by that CA (RFC 5280);
//! - `POST /pki/ocsp` (`application/ocsp-request`) and `GET /pki/ocsp/{base64}`: OCSP
//!   (RFC 6960 §A.1);
//! - `POST /pki/tsa` and `POST /pki/tsa/sm2` (`application/timestamp-query`): the RFC 3161
//!   timestamp authorities (ECDSA P-256 and SM2).

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine as _;
use chrono::Utc;
use signet_pki::sign::KeyAlgorithm;

use crate::app::certificates::pem_of;
use crate::auth::ClientMeta;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// The per-address budget of the signing services (CRLs, OCSP, timestamps), which cost a
/// signature each: 429 `pki_rate_limited` with Retry-After beyond `http.pki_per_minute`.
fn limited(state: &AppState, meta: &ClientMeta) -> ApiResult<()> {
    state
        .pki_limiter
        .check(&meta.ip)
        .map_err(|wait| ApiError::too_many("pki_rate_limited", wait.as_secs().max(1)))
}

/// Largest OCSP or timestamp request accepted.
const REQUEST_LIMIT: usize = 64 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/pki")
            .app_data(web::PayloadConfig::new(REQUEST_LIMIT))
            .route("/ca/{file}", web::get().to(ca_certificate))
            .route("/crl/{file}", web::get().to(crl))
            .route("/ocsp", web::post().to(ocsp_post))
            .route("/ocsp/{request:.*}", web::get().to(ocsp_get))
            .route("/tsa", web::post().to(tsa_p256))
            .route("/tsa/sm2", web::post().to(tsa_sm2))
            .default_service(web::to(crate::problem::not_found)),
    );
}

fn require_type(req: &HttpRequest, expected: &str) -> ApiResult<()> {
    let ok = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(expected));
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_content_type",
        )
        .param("expected", expected))
    }
}

/// A CA certificate, PEM (`{id}.pem`) or DER (`{id}.crt`).
#[utoipa::path(get, path = "/pki/ca/{file}", tag = "pki",
    params(("file" = String, Path, description = "`{ca_id}.pem` or `{ca_id}.crt`")),
    responses((status = 200, description = "The certificate", content_type = "application/pkix-cert"),
        (status = 404)))]
pub async fn ca_certificate(
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let trust = state.ca()?;
    let not_found = || ApiError::not_found("ca_not_found");
    let (id, pem) = match (file.strip_suffix(".pem"), file.strip_suffix(".crt")) {
        (Some(id), _) => (id, true),
        (_, Some(id)) => (id, false),
        _ => return Err(not_found()),
    };
    let ca = trust.ca(id).ok_or_else(not_found)?;
    let res = HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "public, max-age=86400"))
        .content_type(if pem {
            "application/x-pem-file"
        } else {
            "application/pkix-cert"
        })
        .body(if pem {
            pem_of(&ca.der, "CERTIFICATE")
        } else {
            ca.der.clone()
        });
    Ok(res)
}

/// A fresh CRL of the CA, signed now.
#[utoipa::path(get, path = "/pki/crl/{file}", tag = "pki",
    params(("file" = String, Path, description = "`{ca_id}.crl`")),
    responses((status = 200, description = "DER CRL", content_type = "application/pkix-crl"),
        (status = 404),
        (status = 429, description = "Over the address's budget (`pki_rate_limited`)")))]
pub async fn crl(
    state: web::Data<AppState>,
    meta: ClientMeta,
    file: web::Path<String>,
) -> ApiResult<HttpResponse> {
    limited(&state, &meta)?;
    let trust = state.ca()?;
    let id = file
        .strip_suffix(".crl")
        .ok_or_else(|| ApiError::not_found("ca_not_found"))?;
    let der = trust
        .crl(&state.db, id, Utc::now())
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::not_found("ca_not_found"))?;
    Ok(fresh("application/pkix-crl", der))
}

/// OCSP over POST (RFC 6960 §A.1). Malformed requests get an OCSP `malformedRequest`
/// answer, as OCSP clients expect, not a problem document.
#[utoipa::path(post, path = "/pki/ocsp", tag = "pki",
    request_body(content = Vec<u8>, content_type = "application/ocsp-request"),
    responses((status = 200, description = "DER OCSPResponse", content_type = "application/ocsp-response"),
        (status = 415),
        (status = 429, description = "Over the address's budget (`pki_rate_limited`)")))]
pub async fn ocsp_post(
    state: web::Data<AppState>,
    meta: ClientMeta,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    limited(&state, &meta)?;
    require_type(&req, "application/ocsp-request")?;
    ocsp_answer(&state, &body).await
}

/// OCSP over GET: the DER request, base64, URL-encoded, as the last path segment.
#[utoipa::path(get, path = "/pki/ocsp/{request}", tag = "pki",
    params(("request" = String, Path, description = "URL-encoded base64 of the DER OCSPRequest")),
    responses((status = 200, description = "DER OCSPResponse", content_type = "application/ocsp-response"),
        (status = 429, description = "Over the address's budget (`pki_rate_limited`)")))]
pub async fn ocsp_get(
    state: web::Data<AppState>,
    meta: ClientMeta,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    limited(&state, &meta)?;
    // Read the raw path: the base64 may contain '/' and '%2B'-style escapes.
    let raw = req.uri().path();
    let encoded = raw.strip_prefix("/pki/ocsp/").unwrap_or_default();
    let decoded = percent_decode(encoded);
    let engine = base64::engine::general_purpose::STANDARD;
    let der = engine
        .decode(decoded.trim_end_matches('\n'))
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(&decoded))
        .unwrap_or_default();
    ocsp_answer(&state, &der).await
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn ocsp_answer(state: &AppState, der: &[u8]) -> ApiResult<HttpResponse> {
    let answer = match state.ca.as_deref() {
        Some(trust) => trust.ocsp(&state.db, der, Utc::now()).await,
        None => signet_pki::responder::error_response(
            signet_pki::verify::ocsp::OcspResponseStatus::TryLater,
        ),
    };
    Ok(fresh("application/ocsp-response", answer))
}

/// The P-256 timestamp authority (RFC 3161 over HTTP, §3.4).
#[utoipa::path(post, path = "/pki/tsa", tag = "pki",
    request_body(content = Vec<u8>, content_type = "application/timestamp-query"),
    responses((status = 200, description = "DER TimeStampResp", content_type = "application/timestamp-reply"),
        (status = 415),
        (status = 429, description = "Over the address's budget (`pki_rate_limited`)")))]
pub async fn tsa_p256(
    state: web::Data<AppState>,
    meta: ClientMeta,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    limited(&state, &meta)?;
    tsa(&state, &req, &body, KeyAlgorithm::EcdsaP256)
}

/// The SM2 timestamp authority.
#[utoipa::path(post, path = "/pki/tsa/sm2", tag = "pki",
    request_body(content = Vec<u8>, content_type = "application/timestamp-query"),
    responses((status = 200, description = "DER TimeStampResp", content_type = "application/timestamp-reply"),
        (status = 415),
        (status = 429, description = "Over the address's budget (`pki_rate_limited`)")))]
pub async fn tsa_sm2(
    state: web::Data<AppState>,
    meta: ClientMeta,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    limited(&state, &meta)?;
    tsa(&state, &req, &body, KeyAlgorithm::Sm2)
}

fn tsa(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
    alg: KeyAlgorithm,
) -> ApiResult<HttpResponse> {
    require_type(req, "application/timestamp-query")?;
    let answer = state
        .ca()?
        .timestamp(alg, body, Utc::now())
        .ok_or_else(|| ApiError::unavailable("pki_not_initialised", 60))?;
    Ok(HttpResponse::Ok()
        .content_type("application/timestamp-reply")
        .body(answer))
}

/// A DER answer made for this request (CRLs and OCSP responses are signed fresh): not to be
/// cached by the client beyond revalidation.
fn fresh(content_type: &'static str, der: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-cache"))
        .content_type(content_type)
        .body(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("MEow%2Bab%2Fc%3D"), "MEow+ab/c=");
        assert_eq!(percent_decode("abc%"), "abc%");
        assert_eq!(percent_decode("a%zz"), "a%zz");
    }

    #[test]
    fn pem_wraps_at_64() {
        let pem = String::from_utf8(pem_of(&[0u8; 100], "CERTIFICATE")).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
    }
}
