//! Certificates (数字证书) held by the server for users and organisations: issue, list, show,
//! renew, revoke, change the PIN, unlock or re-key after an SMS check.
//!
//! Rules: a personal certificate only for a real-name verified user, and only that user sees
//! and uses it; an organisation's certificate only for a verified organisation, requested,
//! seen and used by its admins (the PIN is shared among them like a company USB key's). A
//! member granted a seal bound to it may see it and sign with it, nothing more: PIN changes,
//! unlocks, renewals and revocations are for the admins (403 `certificate_admin_only`).
//! Anyone else gets 404 `certificate_not_found`, as if it did not exist.

use actix_web::{HttpResponse, web};
use chrono::{Duration, Utc};
use signet_api::{
    CertificateList, CertificateView, ChangePin, CreateCertificate, PinProof, PinReset,
    RevokeCertificate,
};
use signet_domain::access::CertAction;
use signet_domain::certificate::CertPurpose;
use signet_domain::identity::{PhoneNumber, Pin, SmsCode};
use signet_domain::org::Role;
use signet_domain::sms::SmsPurpose;
use signet_pki::keywrap;
use signet_store::repo::{orgs, pki as repo, sms_codes, users};
use signet_store::sea_orm::TransactionTrait;

use crate::app::certificate_keys::{self};
use crate::app::certificates::{holder_for, view};
use crate::app::codes::check_sms_code;
use crate::auth::AuthUser;
use crate::builtin_ca::{self, Holder};
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/certificates", web::post().to(create))
        .route("/certificates", web::get().to(list))
        .route("/certificates/{id}", web::get().to(get))
        .route("/certificates/{id}/renew", web::post().to(renew))
        .route("/certificates/{id}/revoke", web::post().to(revoke))
        .route("/certificates/{id}/pin", web::put().to(change_pin))
        .route("/certificates/{id}/pin/reset", web::post().to(reset_pin));
}

fn pin_field(s: &str, field: &'static str) -> ApiResult<Pin> {
    Pin::parse(s).map_err(|e| ApiError::from(e).field(field))
}

/// Issues a certificate with a new key, wrapped under the PIN. Logged in; personal needs
/// real-name verification; organization needs a verified organisation and the admin role.
#[utoipa::path(post, path = "/api/v1/certificates", operation_id = "create_certificate", tag = "certificates",
    security(("bearer" = [])), request_body = CreateCertificate,
    responses((status = 201, body = CertificateView),
        (status = 400, description = "Bad kind, algorithm or PIN"),
        (status = 403, description = "Not verified, or not an admin"),
        (status = 503, description = "The PKI is not initialised")))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateCertificate>,
) -> ApiResult<HttpResponse> {
    let trust = state.ca()?;
    let alg = builtin_ca::parse_alg(&body.algorithm)
        .ok_or_else(|| ApiError::bad_request("invalid_algorithm").field("algorithm"))?;
    let pin = pin_field(body.pin.expose(), "pin")?;
    let holder = holder_for(&state, &user, &body.kind, body.org_id.as_deref()).await?;
    let validity = Duration::days(state.settings.pki.certificate_days.max(1));
    let issued = trust
        .issue_holder(
            &state.db,
            &state.master,
            alg,
            &holder,
            pin.expose(),
            validity,
            Utc::now(),
        )
        .await
        .map_err(ApiError::from)?;
    tracing::info!(certificate = %issued.row.id, purpose = %issued.row.purpose, "certificate issued");
    Ok(HttpResponse::Created().json(view(trust, &issued.row)))
}

/// The certificates the caller may use: personal ones and those of organisations they
/// administer, newest first. Logged in.
#[utoipa::path(get, path = "/api/v1/certificates", operation_id = "list_certificates", tag = "certificates",
    security(("bearer" = [])),
    responses((status = 200, body = CertificateList)))]
pub async fn list(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let trust = state.ca()?;
    let mut rows: Vec<repo::Certificate> = repo::held_by(&state.db, &user.user_id)
        .await?
        .into_iter()
        .filter(|r| r.purpose == CertPurpose::User)
        .collect();
    for (m, o) in orgs::memberships_of(&state.db, &user.user_id).await? {
        if m.role == Role::Admin {
            rows.extend(repo::of_org(&state.db, &o.id).await?);
        }
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    let items: Vec<CertificateView> = rows.iter().map(|r| view(trust, r)).collect();
    Ok(HttpResponse::Ok().json(CertificateList {
        total: items.len() as u64,
        items,
    }))
}

/// One certificate with its PEM and chain. Its holder (or an admin of its organisation).
#[utoipa::path(get, path = "/api/v1/certificates/{id}", operation_id = "get_certificate", tag = "certificates",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = CertificateView),
        (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let trust = state.ca()?;
    let row = certificate_keys::for_action(&state, &user.user_id, &id, CertAction::View).await?;
    Ok(HttpResponse::Ok().json(view(trust, &row)))
}

/// Renews a certificate: a new certificate (new serial, new validity) for the same key,
/// proven by the PIN. The old one stays valid until it expires and points to the new one.
#[utoipa::path(post, path = "/api/v1/certificates/{id}/renew", tag = "certificates",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = PinProof,
    responses((status = 201, body = CertificateView),
        (status = 403, description = "Wrong PIN"),
        (status = 409, description = "Revoked"),
        (status = 423, description = "Locked")))]
pub async fn renew(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<PinProof>,
) -> ApiResult<HttpResponse> {
    let trust = state.ca()?;
    let pin = pin_field(body.pin.expose(), "pin")?;
    let row = certificate_keys::for_action(&state, &user.user_id, &id, CertAction::Renew).await?;
    if row.revoked_at.is_some() {
        return Err(ApiError::conflict("certificate_revoked").param("id", &row.id));
    }
    let key = certificate_keys::open(&state, &row, &pin).await?;
    let spki = key.public_key_spki_der().map_err(ApiError::internal)?;
    drop(key);
    let alg = Some(builtin_ca::key_algorithm(row.algorithm))
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("stored algorithm")))?;
    let holder = renewal_holder(&state, &user, &row).await?;
    let txn = state.db.begin().await?;
    // The wrapped key as it is now (a PIN change may have run since it was read).
    let current = repo::certificate(&txn, &row.id)
        .await?
        .ok_or_else(|| ApiError::not_found("certificate_not_found"))?;
    let issued = trust
        .store_holder(
            &txn,
            alg,
            &holder,
            &spki,
            current.key_id.clone(),
            current.key_wrapped.clone(),
            Duration::days(state.settings.pki.certificate_days.max(1)),
            Utc::now(),
        )
        .await
        .map_err(ApiError::from)?;
    repo::set_replaced_by(&txn, &row.id, &issued.row.id).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(view(trust, &issued.row)))
}

/// The holder of a renewed or re-keyed certificate: the same kind of subject, with the
/// identity rules checked again.
async fn renewal_holder<'a>(
    state: &AppState,
    user: &'a AuthUser,
    row: &'a repo::Certificate,
) -> ApiResult<Holder<'a>> {
    let kind = if row.purpose == CertPurpose::Org {
        "organization"
    } else {
        "personal"
    };
    holder_for(state, user, kind, row.org_id.as_deref()).await
}

/// Revokes a certificate (holder or organisation admin); OCSP and the CRL report it at once.
#[utoipa::path(post, path = "/api/v1/certificates/{id}/revoke", tag = "certificates",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = RevokeCertificate,
    responses((status = 200, body = CertificateView),
        (status = 400, description = "Unknown reason"),
        (status = 409, description = "Already revoked")))]
pub async fn revoke(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<RevokeCertificate>,
) -> ApiResult<HttpResponse> {
    let trust = state.ca()?;
    let reason = match body.reason.as_str() {
        r @ ("unspecified"
        | "keyCompromise"
        | "affiliationChanged"
        | "superseded"
        | "cessationOfOperation"
        | "privilegeWithdrawn") => r,
        _ => return Err(ApiError::bad_request("invalid_revocation_reason").field("reason")),
    };
    let row = certificate_keys::for_action(&state, &user.user_id, &id, CertAction::Revoke).await?;
    if row.revoked_at.is_some() {
        return Err(ApiError::conflict("certificate_revoked").param("id", &row.id));
    }
    let now = Utc::now();
    let txn = state.db.begin().await?;
    if !repo::revoke(&txn, &row.id, reason, &user.user_id, now).await? {
        return Err(ApiError::conflict("certificate_revoked").param("id", &row.id));
    }
    if reason == "keyCompromise" {
        // The key is what is compromised: every certificate for it (renewals) goes.
        repo::revoke_key(&txn, &row.key_id, reason, &user.user_id, now).await?;
    }
    txn.commit().await?;
    tracing::info!(certificate = %row.id, reason, "certificate revoked");
    let row = repo::certificate(&state.db, &row.id)
        .await?
        .ok_or_else(|| ApiError::not_found("certificate_not_found"))?;
    Ok(HttpResponse::Ok().json(view(trust, &row)))
}

/// Changes the PIN: the old PIN must open the key (a wrong one counts towards the lockout).
#[utoipa::path(put, path = "/api/v1/certificates/{id}/pin", tag = "certificates",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = ChangePin,
    responses((status = 204, description = "PIN changed"),
        (status = 400, description = "Bad new PIN"),
        (status = 403, description = "Wrong PIN, or not an admin of the organisation (`certificate_admin_only`)"),
        (status = 409, description = "Revoked or expired"),
        (status = 423, description = "Locked")))]
pub async fn change_pin(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<ChangePin>,
) -> ApiResult<HttpResponse> {
    let old = pin_field(body.old_pin.expose(), "old_pin")?;
    let new = pin_field(body.new_pin.expose(), "new_pin")?;
    let row =
        certificate_keys::for_action(&state, &user.user_id, &id, CertAction::ChangePin).await?;
    let pkcs8 = certificate_keys::unwrap(&state, &row, &old).await?;
    let master = state.master.clone();
    let key_id = row.key_id.clone();
    let new_text = zeroize::Zeroizing::new(new.expose().to_owned());
    let wrapped = web::block(move || keywrap::wrap_with_pin(&master, &key_id, &new_text, &pkcs8))
        .await?
        .map_err(ApiError::internal)?;
    repo::set_key_wrapped(&state.db, &row.key_id, wrapped).await?;
    tracing::info!(certificate = %row.id, "certificate PIN changed");
    Ok(crate::routes::no_content())
}

/// After an SMS code to the caller's phone (purpose `certificate_pin`): without `new_pin`,
/// unlocks a key locked by wrong PINs; with `new_pin`, replaces the key (the old PIN is
/// forgotten, and nobody can open a key without it): a new key under the new PIN, a new
/// certificate, and the old one revoked as `superseded`.
#[utoipa::path(post, path = "/api/v1/certificates/{id}/pin/reset", tag = "certificates",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = PinReset,
    responses((status = 200, description = "Unlocked, or re-keyed: the current certificate", body = CertificateView),
        (status = 400, description = "Bad or expired SMS code, bad PIN")))]
pub async fn reset_pin(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<PinReset>,
) -> ApiResult<HttpResponse> {
    let trust = state.ca()?;
    let code = SmsCode::parse(&body.sms_code)?;
    let new_pin = body
        .new_pin
        .as_ref()
        .map(|p| pin_field(p.expose(), "new_pin"))
        .transpose()?;
    let row =
        certificate_keys::for_action(&state, &user.user_id, &id, CertAction::ResetPin).await?;
    let me = users::by_id(&state.db, &user.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("invalid_token"))?;
    let phone = PhoneNumber::parse(&me.phone)?;
    let code_id = check_sms_code(&state, &phone, SmsPurpose::CertificatePin, &code).await?;
    let now = Utc::now();
    let Some(new_pin) = new_pin else {
        let txn = state.db.begin().await?;
        if !sms_codes::consume(&txn, &code_id, now).await? {
            return Err(ApiError::bad_request("sms_code_expired").field("sms_code"));
        }
        repo::pin_ok(&txn, &row.key_id).await?;
        txn.commit().await?;
        tracing::info!(certificate = %row.id, "certificate unlocked after SMS check");
        let row = repo::certificate(&state.db, &row.id)
            .await?
            .ok_or_else(|| ApiError::not_found("certificate_not_found"))?;
        return Ok(HttpResponse::Ok().json(view(trust, &row)));
    };
    if row.revoked_at.is_some() {
        return Err(ApiError::conflict("certificate_revoked").param("id", &row.id));
    }
    let alg = Some(builtin_ca::key_algorithm(row.algorithm))
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("stored algorithm")))?;
    let holder = renewal_holder(&state, &user, &row).await?;
    let txn = state.db.begin().await?;
    if !sms_codes::consume(&txn, &code_id, now).await? {
        return Err(ApiError::bad_request("sms_code_expired").field("sms_code"));
    }
    let issued = trust
        .issue_holder(
            &txn,
            &state.master,
            alg,
            &holder,
            new_pin.expose(),
            Duration::days(state.settings.pki.certificate_days.max(1)),
            now,
        )
        .await
        .map_err(ApiError::from)?;
    // The old key, under a forgotten PIN, is retired with every certificate for it.
    repo::revoke_key(&txn, &row.key_id, "superseded", &user.user_id, now).await?;
    repo::set_replaced_by(&txn, &row.id, &issued.row.id).await?;
    txn.commit().await?;
    tracing::info!(certificate = %row.id, replaced_by = %issued.row.id, "certificate re-keyed after SMS check");
    Ok(HttpResponse::Ok().json(view(trust, &issued.row)))
}
