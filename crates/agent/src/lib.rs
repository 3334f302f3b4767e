//! `signet-agent`: the local signing agent (the seed's 安全客户端) for USB tokens. A small HTTP
//! service on 127.0.0.1 that lists the certificates on the PKCS#11 tokens of one module (every
//! token at once: a personal key and a company key) and signs data with a token's key once
//! that token's PIN is given — for the panel's certificate login and external signing, or any
//! local client.
//!
//! - `GET /tokens` — the tokens and the certificates on them.
//! - `POST /sign` `{slot, key_id, pin, data}` — logs in to that token with the PIN, signs
//!   `data` (base64) with the private key whose `CKA_ID` is `key_id` (ECDSA P-256 over SHA-256
//!   of the data; the token computes the signature), logs out, answers the DER signature.
//!
//! Only the configured web origin is served: a request whose `Origin` is another site's is
//! refused (403) before anything touches a token, and CORS headers name that one origin. The
//! PIN goes to the token and nowhere else; nothing is signed without it.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as P11Error, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use sha2::{Digest, Sha256};
use signet_api::{AgentCertificate, AgentSign, AgentSignature, AgentToken};
use std::path::PathBuf;
use std::sync::Arc;

/// Settings of the agent (the `signet-agent` flags).
pub struct AgentSettings {
    /// The PKCS#11 module, e.g. `/usr/lib/softhsm/libsofthsm2.so` or a token vendor's.
    pub module: PathBuf,
    /// The one web origin served, e.g. `https://sign.example.com`.
    pub origin: String,
    /// Address to listen on (loopback only).
    pub listen: String,
}

struct Agent {
    pkcs11: Pkcs11,
    origin: String,
}

/// A problem document (RFC 9457) with a stable code.
/// What the page is told when the PKCS#11 module fails (its own text goes to the log only).
const TOKEN_ERROR: &str = "the token refused the operation; the agent's log has the details";

fn problem(status: StatusCode, code: &str, detail: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .json(serde_json::json!({
            "type": format!("https://signet.dev/problems/{code}"),
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "code": code,
            "detail": detail,
        }))
}

/// `Some(refusal)` when the request comes from a web origin other than the configured one.
fn foreign_origin(req: &HttpRequest, agent: &Agent) -> Option<HttpResponse> {
    let origin = req.headers().get(header::ORIGIN)?;
    if origin.as_bytes() == agent.origin.as_bytes() {
        None
    } else {
        Some(problem(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "this agent serves only its configured web origin",
        ))
    }
}

fn with_cors(mut res: HttpResponse, agent: &Agent) -> HttpResponse {
    if let Ok(v) = HeaderValue::from_str(&agent.origin) {
        res.headers_mut()
            .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    res
}

fn list_tokens(pkcs11: &Pkcs11) -> Result<Vec<AgentToken>, P11Error> {
    let mut out = Vec::new();
    for slot in pkcs11.get_slots_with_token()? {
        let info = pkcs11.get_token_info(slot)?;
        // An uninitialised token (SoftHSM keeps one free slot) has nothing to offer.
        if !info.token_initialized() {
            continue;
        }
        let session = pkcs11.open_ro_session(slot)?;
        let mut certificates = Vec::new();
        for object in session.find_objects(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
        ])? {
            let attrs = session.get_attributes(
                object,
                &[
                    AttributeType::Value,
                    AttributeType::Id,
                    AttributeType::Label,
                ],
            )?;
            let (mut der, mut id, mut label) = (Vec::new(), Vec::new(), Vec::new());
            for a in attrs {
                match a {
                    Attribute::Value(v) => der = v,
                    Attribute::Id(v) => id = v,
                    Attribute::Label(v) => label = v,
                    _ => {}
                }
            }
            // A certificate object without a value (or one too large to encode) is skipped.
            if der.is_empty() {
                continue;
            }
            let Ok(certificate_pem) =
                der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &der)
            else {
                continue;
            };
            certificates.push(AgentCertificate {
                key_id: hex::encode(&id),
                label: String::from_utf8_lossy(&label).into_owned(),
                certificate_pem,
            });
        }
        out.push(AgentToken {
            slot: slot.id(),
            label: info.label().trim().to_owned(),
            serial: info.serial_number().trim().to_owned(),
            certificates,
        });
    }
    Ok(out)
}

/// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`.
#[derive(der::Sequence)]
struct EcdsaSig {
    r: der::asn1::Uint,
    s: der::asn1::Uint,
}

/// DER `ECDSA-Sig-Value` of a raw `r ‖ s` P-256 signature (PKCS#11 CKM_ECDSA output).
fn der_signature(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.len() != 64 {
        return None;
    }
    let sig = EcdsaSig {
        r: der::asn1::Uint::new(&raw[..32]).ok()?,
        s: der::asn1::Uint::new(&raw[32..]).ok()?,
    };
    der::Encode::to_der(&sig).ok()
}

enum SignFailure {
    WrongPin,
    Locked,
    NoKey,
    Token(String),
}

fn sign_on_token(
    pkcs11: &Pkcs11,
    slot: u64,
    key_id: &[u8],
    pin: &str,
    data: &[u8],
) -> Result<Vec<u8>, SignFailure> {
    let slot = pkcs11
        .get_slots_with_token()
        .map_err(|e| SignFailure::Token(e.to_string()))?
        .into_iter()
        .find(|s: &Slot| s.id() == slot)
        .ok_or(SignFailure::NoKey)?;
    let session = pkcs11
        .open_ro_session(slot)
        .map_err(|e| SignFailure::Token(e.to_string()))?;
    let pin = AuthPin::new(pin.to_owned().into());
    session
        .login(UserType::User, Some(&pin))
        .map_err(|e| match e {
            P11Error::Pkcs11(RvError::PinIncorrect, _) => SignFailure::WrongPin,
            P11Error::Pkcs11(RvError::PinLocked, _) => SignFailure::Locked,
            other => SignFailure::Token(other.to_string()),
        })?;
    let result = (|| {
        let key = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Id(key_id.to_vec()),
            ])
            .map_err(|e| SignFailure::Token(e.to_string()))?
            .into_iter()
            .next()
            .ok_or(SignFailure::NoKey)?;
        let digest = Sha256::digest(data);
        let raw = session
            .sign(&Mechanism::Ecdsa, key, &digest)
            .map_err(|e| SignFailure::Token(e.to_string()))?;
        der_signature(&raw)
            .ok_or_else(|| SignFailure::Token("the token did not return a P-256 signature".into()))
    })();
    let _ = session.logout();
    result
}

async fn tokens(req: HttpRequest, agent: web::Data<Agent>) -> HttpResponse {
    if let Some(refusal) = foreign_origin(&req, &agent) {
        return refusal;
    }
    let agent2 = agent.clone();
    let listed = web::block(move || list_tokens(&agent2.pkcs11)).await;
    let res = match listed {
        Ok(Ok(list)) => HttpResponse::Ok().json(list),
        Ok(Err(e)) => token_failed("listing the tokens", &e),
        Err(_) => blocking_failed(),
    };
    with_cors(res, &agent)
}

async fn sign(req: HttpRequest, agent: web::Data<Agent>, body: web::Bytes) -> HttpResponse {
    if let Some(refusal) = foreign_origin(&req, &agent) {
        return refusal;
    }
    let Ok(body) = serde_json::from_slice::<AgentSign>(&body) else {
        return with_cors(
            problem(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "expected {slot, key_id, pin, data}",
            ),
            &agent,
        );
    };
    let (Ok(data), Ok(key_id)) = (STANDARD.decode(body.data.trim()), hex::decode(&body.key_id))
    else {
        return with_cors(
            problem(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "data must be base64 and key_id hex",
            ),
            &agent,
        );
    };
    let agent2 = agent.clone();
    let slot = body.slot;
    let signed =
        web::block(move || sign_on_token(&agent2.pkcs11, slot, &key_id, body.pin.expose(), &data))
            .await;
    let res = match signed {
        Ok(Ok(sig)) => HttpResponse::Ok().json(AgentSignature {
            signature: STANDARD.encode(sig),
        }),
        Ok(Err(SignFailure::WrongPin)) => problem(
            StatusCode::FORBIDDEN,
            "wrong_pin",
            "the token refused the PIN",
        ),
        Ok(Err(SignFailure::Locked)) => problem(
            StatusCode::LOCKED,
            "token_locked",
            "the token's PIN is locked",
        ),
        Ok(Err(SignFailure::NoKey)) => problem(
            StatusCode::NOT_FOUND,
            "key_not_found",
            "no such token or key",
        ),
        Ok(Err(SignFailure::Token(e))) => token_failed("signing on the token", &e),
        Err(_) => blocking_failed(),
    };
    with_cors(res, &agent)
}

/// The PKCS#11 module failed `what`: its own text stays in this log; the page gets the code.
fn token_failed(what: &str, e: &dyn std::fmt::Display) -> HttpResponse {
    tracing::warn!(error = %e, "{what} failed");
    problem(StatusCode::BAD_GATEWAY, "token_error", TOKEN_ERROR)
}

fn blocking_failed() -> HttpResponse {
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "blocking task failed",
    )
}

/// CORS preflight: answered for the configured origin only.
async fn preflight(req: HttpRequest, agent: web::Data<Agent>) -> HttpResponse {
    if let Some(refusal) = foreign_origin(&req, &agent) {
        return refusal;
    }
    let mut res = HttpResponse::NoContent().finish();
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    with_cors(res, &agent)
}

/// Runs the agent until stopped. Prints the address it listens on.
pub async fn run(settings: AgentSettings) -> anyhow::Result<()> {
    let pkcs11 = Pkcs11::new(&settings.module)
        .map_err(|e| anyhow::anyhow!("{}: {e}", settings.module.display()))?;
    pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))?;
    let agent = web::Data::new(Agent {
        pkcs11,
        origin: settings.origin.trim_end_matches('/').to_owned(),
    });
    let listener = std::net::TcpListener::bind(&settings.listen)?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        anyhow::bail!("the agent listens on loopback addresses only, not {addr}");
    }
    println!(
        "signet-agent listening on http://{addr} for {}",
        agent.origin
    );
    let data = Arc::clone(&agent);
    HttpServer::new(move || {
        App::new()
            .app_data(web::Data::from(Arc::clone(&data)))
            .app_data(web::PayloadConfig::new(256 * 1024))
            .route("/tokens", web::get().to(tokens))
            .route("/sign", web::post().to(sign))
            .route("/tokens", web::method(Method::OPTIONS).to(preflight))
            .route("/sign", web::method(Method::OPTIONS).to(preflight))
    })
    .workers(1)
    .listen(listener)?
    .run()
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_signatures_become_der() {
        let raw = [1u8; 64];
        let der = der_signature(&raw).unwrap();
        assert_eq!(der[0], 0x30);
        assert!(der_signature(&[1u8; 63]).is_none());
    }
}
