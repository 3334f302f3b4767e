//! Registration with real-name check, login (password, SMS code), token refresh and logout,
//! the caller's profile, password change and reset.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use signet_api::{
    ChangePassword, Me, MembershipSummary, PasswordLogin, RefreshRequest, RegisterRequest,
    ResetPassword, SmsLogin, TokenPair,
};
use signet_domain::identity::{
    AccountName, IdCardNumber, Password, PhoneNumber, RealName, SmsCode,
};
use signet_domain::login::{self, LoginThrottle};
use signet_domain::sms::SmsPurpose;
use signet_store::entities::agreement_acceptance;
use signet_store::repo::{agreements, orgs, sessions, sms_codes, users};
use signet_store::sea_orm::{DbErr, SqlErr, TransactionTrait};

use crate::adapters::identity::{IdentityError, IdentityQuery, Verdict, verify_with_timeout};
use crate::app::codes::check_sms_code;
use crate::auth::{self, AuthUser, ClientMeta, JwkSet, issue_pair};
use crate::problem::{ApiError, ApiResult};
use crate::routes::{china_today, no_content};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/register", web::post().to(register))
        .route("/auth/login", web::post().to(login_password))
        .route("/auth/login/sms", web::post().to(login_sms))
        .route("/auth/refresh", web::post().to(refresh))
        .route("/auth/logout", web::post().to(logout))
        .route("/auth/password/reset", web::post().to(reset_password))
        .route("/auth/jwks", web::get().to(jwks))
        .route("/me", web::get().to(me))
        .route("/me/password", web::post().to(change_password));
}

/// Registers a real-name account. Public. Checks every field, the SMS code (purpose
/// `register`), that the current agreements were accepted, and name + ID number + phone with
/// the identity provider; only then creates the user, in one transaction.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "accounts",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered and real-name verified", body = Me),
        (status = 400, description = "A field failed validation, or a wrong code"),
        (status = 409, description = "Account name, phone or ID number already registered"),
        (status = 422, description = "Real-name check failed"),
        (status = 429, description = "Too many registrations from this address (`register_rate_limited`)"),
        (status = 503, description = "Identity provider unavailable; nothing was created")))]
pub async fn register(
    state: web::Data<AppState>,
    meta: ClientMeta,
    body: web::Json<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    state
        .register_limiter
        .check(&meta.ip)
        .map_err(|wait| ApiError::too_many("register_rate_limited", wait.as_secs().max(1)))?;
    let now = Utc::now();
    let account = AccountName::parse(&body.account_name)?;
    let real_name = RealName::parse(&body.real_name)?;
    let id_card = IdCardNumber::parse(&body.id_card_number, china_today(now))?;
    let password = Password::parse(&body.password)?;
    let phone = PhoneNumber::parse(&body.phone)?;
    let code = SmsCode::parse(&body.sms_code)?;

    let current = agreements::current(&state.db).await?;
    let all_accepted = current.iter().all(|a| {
        body.agreements
            .iter()
            .any(|x| x.kind == a.kind && x.version == a.version)
    });
    if !all_accepted {
        return Err(ApiError::bad_request("agreements_not_accepted").field("agreements"));
    }

    // The code first: whether an ID number, phone or account name is taken is told only to
    // someone who proved they hold the phone (each check uses one of the code's attempts).
    let code_id = check_sms_code(&state, &phone, SmsPurpose::Register, &code).await?;
    let id_index = crate::app::accounts::id_card_index(&state, &id_card);
    if let Some(field) =
        users::taken(&state.db, account.as_str(), phone.as_str(), &id_index).await?
    {
        return Err(taken(field));
    }

    let query = IdentityQuery {
        real_name: real_name.as_str(),
        id_card_number: id_card.expose(),
        phone: phone.as_str(),
    };
    let timeout = std::time::Duration::from_millis(state.settings.identity.timeout_ms);
    match verify_with_timeout(state.identity.as_ref(), &query, timeout).await {
        Ok(Verdict::Match) => {}
        Ok(Verdict::Mismatch) => return Err(ApiError::unprocessable("identity_mismatch")),
        Err(e @ (IdentityError::Unavailable | IdentityError::Timeout(_))) => {
            tracing::warn!(error = %e, "identity provider failed");
            return Err(ApiError::unavailable("identity_provider_unavailable", 30));
        }
    }

    let password_hash = auth::hash_password(password.expose().to_owned()).await?;
    let user_id = signet_store::new_id("usr");
    let user = crate::app::accounts::verified_user(
        &state,
        user_id.clone(),
        crate::app::accounts::Person {
            account_name: account.as_str(),
            real_name: real_name.as_str(),
            id_card: &id_card,
            phone: phone.as_str(),
            password_hash,
        },
        now,
    );

    let txn = state.db.begin().await?;
    if !sms_codes::consume(&txn, &code_id, now).await? {
        return Err(ApiError::bad_request("sms_code_expired").field("sms_code"));
    }
    let user = users::insert(&txn, user)
        .await
        .map_err(unique_to_conflict)?;
    for a in &current {
        agreements::accept(
            &txn,
            agreement_acceptance::Model {
                id: signet_store::new_id("acc"),
                user_id: user.id.clone(),
                agreement_id: a.id.clone(),
                ip: meta.ip.clone(),
                accepted_at: now,
            },
        )
        .await?;
    }
    txn.commit().await?;
    tracing::info!(user_id = %user.id, phone = %phone.masked(), "user registered");
    Ok(HttpResponse::Created().json(me_of(&state, &user).await?))
}

fn taken(field: &str) -> ApiError {
    match field {
        "account_name" => ApiError::conflict("account_name_taken").field("account_name"),
        "phone" => ApiError::conflict("phone_taken").field("phone"),
        _ => ApiError::conflict("id_card_taken").field("id_card_number"),
    }
}

/// Two registrations racing for the same name: the loser gets the same 409 as a pre-check.
fn unique_to_conflict(e: DbErr) -> ApiError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(msg)) => {
            if msg.contains("account_name") {
                taken("account_name")
            } else if msg.contains("phone") {
                taken("phone")
            } else {
                taken("id_card")
            }
        }
        _ => e.into(),
    }
}

async fn find_login_user(state: &AppState, login: &str) -> ApiResult<Option<users::User>> {
    if let Ok(phone) = PhoneNumber::parse(login) {
        return Ok(users::by_phone(&state.db, phone.as_str()).await?);
    }
    match AccountName::parse(login) {
        Ok(name) => Ok(users::by_account_name(&state.db, name.as_str()).await?),
        Err(_) => Ok(None),
    }
}

fn throttle_of(u: &users::User) -> LoginThrottle {
    LoginThrottle {
        failures: u.failed_logins.max(0) as u32,
        window_start: u.failure_window_start,
        locked_until: u.locked_until,
    }
}

fn locked(until: DateTime<Utc>, now: DateTime<Utc>) -> ApiError {
    let secs = (until - now).num_seconds().max(1) as u64;
    ApiError::new(actix_web::http::StatusCode::LOCKED, "account_locked")
        .retry_after(secs)
        .param("minutes", secs.div_ceil(60))
}

/// Logs in with account name or phone, and password. Public. Five wrong passwords within
/// 15 minutes lock the account for 15 minutes (423 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts",
    request_body = PasswordLogin,
    responses(
        (status = 200, body = TokenPair),
        (status = 401, description = "Wrong account or password"),
        (status = 423, description = "Locked after too many wrong passwords"),
        (status = 429, description = "Too many logins from this address (`login_rate_limited`, with Retry-After)"),
        (status = 503, description = "Too many password checks at once (`auth_busy`)")))]
pub async fn login_password(
    state: web::Data<AppState>,
    meta: ClientMeta,
    body: web::Json<PasswordLogin>,
) -> ApiResult<HttpResponse> {
    let now = Utc::now();
    let login = body.login.trim();
    if login.is_empty() {
        return Err(ApiError::bad_request("login_required").field("login"));
    }
    let user = find_login_user(&state, login).await?;
    if let Some(until) = user.as_ref().and_then(|u| throttle_of(u).locked_at(now)) {
        return Err(locked(until, now));
    }
    state
        .login_limiter
        .check(&meta.ip)
        .map_err(|wait| ApiError::too_many("login_rate_limited", wait.as_secs().max(1)))?;
    // The attempt is counted before the password is checked, so concurrent guesses cannot
    // pass more than MAX_FAILURES checks in a window.
    if let Some(u) = &user
        && !users::take_login_attempt(
            &state.db,
            &u.id,
            now,
            now - login::FAILURE_WINDOW,
            login::MAX_FAILURES as i32,
        )
        .await?
    {
        let until = users::login_failed(
            &state.db,
            &u.id,
            now,
            now + login::LOCK_DURATION,
            login::MAX_FAILURES as i32,
        )
        .await?
        .unwrap_or(now + login::LOCK_DURATION);
        return Err(locked(until, now));
    }
    let ok = auth::verify_password(
        body.password.clone(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let Some(user) = user else {
        return Err(ApiError::unauthorized("invalid_credentials"));
    };
    if !ok {
        let lock = users::login_failed(
            &state.db,
            &user.id,
            now,
            now + login::LOCK_DURATION,
            login::MAX_FAILURES as i32,
        )
        .await?;
        tracing::info!(user_id = %user.id, "wrong password");
        return Err(match lock {
            Some(until) => locked(until, now),
            None => ApiError::unauthorized("invalid_credentials"),
        });
    }
    let txn = state.db.begin().await?;
    users::login_succeeded(&txn, &user.id).await?;
    let pair = issue_pair(&txn, &state, &user.id, None, now).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Logs in with phone and SMS code (purpose `login`). Public.
#[utoipa::path(post, path = "/api/v1/auth/login/sms", tag = "accounts",
    request_body = SmsLogin,
    responses(
        (status = 200, body = TokenPair),
        (status = 400, description = "Wrong, expired or used-up code")))]
pub async fn login_sms(
    state: web::Data<AppState>,
    body: web::Json<SmsLogin>,
) -> ApiResult<HttpResponse> {
    let now = Utc::now();
    let phone = PhoneNumber::parse(&body.phone)?;
    let code = SmsCode::parse(&body.sms_code)?;
    let code_id = check_sms_code(&state, &phone, SmsPurpose::Login, &code).await?;
    let user = users::by_phone(&state.db, phone.as_str())
        .await?
        .ok_or_else(|| ApiError::bad_request("sms_code_not_found").field("sms_code"))?;
    let txn = state.db.begin().await?;
    if !sms_codes::consume(&txn, &code_id, now).await? {
        return Err(ApiError::bad_request("sms_code_expired").field("sms_code"));
    }
    let pair = issue_pair(&txn, &state, &user.id, None, now).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Exchanges a refresh token for a new pair. Public (the token is the credential). Each
/// refresh token works once; presenting a used one again revokes its whole login.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "accounts",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenPair),
        (status = 401, description = "Unknown, expired, revoked or reused token")))]
pub async fn refresh(
    state: web::Data<AppState>,
    body: web::Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let now = Utc::now();
    let invalid = || ApiError::unauthorized("invalid_refresh_token");
    let token = sessions::by_hash(&state.db, &auth::hash_token(body.refresh_token.trim()))
        .await?
        .ok_or_else(invalid)?;
    if token.revoked_at.is_some() || token.expires_at <= now {
        return Err(invalid());
    }
    if token.used_at.is_some() {
        sessions::revoke_family(&state.db, &token.family_id, now).await?;
        tracing::warn!(user_id = %token.user_id, family = %token.family_id, "refresh token reused; session revoked");
        return Err(ApiError::unauthorized("refresh_token_reused"));
    }
    let txn = state.db.begin().await?;
    if !sessions::mark_used(&txn, &token.id, now).await? {
        // Another request used it a moment ago: the same reuse.
        drop(txn);
        sessions::revoke_family(&state.db, &token.family_id, now).await?;
        return Err(ApiError::unauthorized("refresh_token_reused"));
    }
    let pair = issue_pair(
        &txn,
        &state,
        &token.user_id,
        Some(token.family_id.clone()),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Ends the caller's login: its refresh tokens and access tokens stop working. Logged in.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 204, description = "Logged out"), (status = 401)))]
pub async fn logout(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    sessions::revoke_family(&state.db, &user.session_id, Utc::now()).await?;
    Ok(no_content())
}

/// The public keys that verify access tokens (JWKS), for apps that check tokens themselves.
#[utoipa::path(get, path = "/api/v1/auth/jwks", tag = "accounts",
    responses((status = 200, body = JwkSet)))]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(JwkSet {
        keys: state.jwt.jwks.clone(),
    })
}

pub async fn me_of(state: &AppState, u: &users::User) -> ApiResult<Me> {
    let memberships = orgs::memberships_of(&state.db, &u.id).await?;
    let may_initiate_personally =
        signet_store::tasks::may_initiate_personally(&state.db, &u.id).await?;
    Ok(Me {
        id: u.id.clone(),
        account_name: u.account_name.clone(),
        real_name: u.real_name.clone(),
        id_card_masked: u.id_card_masked.clone(),
        phone_masked: PhoneNumber::parse(&u.phone)
            .map(|p| p.masked())
            .unwrap_or_default(),
        real_name_verified: u.real_name_verified_at.is_some(),
        created_at: u.created_at,
        organizations: memberships
            .into_iter()
            .map(|(m, o)| MembershipSummary {
                org_id: o.id,
                org_name: o.name,
                grants: crate::app::orgs::grants_of(&m),
                may_initiate: signet_domain::access::may_initiate(
                    true,
                    Some(signet_domain::access::Membership {
                        admin: m.role == signet_domain::org::Role::Admin,
                        can_initiate: m.can_initiate,
                    }),
                    false,
                )
                .is_ok(),
                role: m.role,
            })
            .collect(),
        may_initiate_personally,
    })
}

/// The caller's profile and memberships. Logged in.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401)))]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let u = users::by_id(&state.db, &user.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("invalid_token"))?;
    Ok(HttpResponse::Ok().json(me_of(&state, &u).await?))
}

/// Changes the caller's password. Logged in; needs the current password. Ends every login
/// of the account and returns a fresh token pair for this one.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts",
    security(("bearer" = [])),
    request_body = ChangePassword,
    responses(
        (status = 200, body = TokenPair),
        (status = 400, description = "The new password breaks the policy"),
        (status = 403, description = "Wrong current password")))]
pub async fn change_password(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<ChangePassword>,
) -> ApiResult<HttpResponse> {
    let now = Utc::now();
    let u = users::by_id(&state.db, &user.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("invalid_token"))?;
    let new =
        Password::parse(&body.new_password).map_err(|e| ApiError::from(e).field("new_password"))?;
    if !auth::verify_password(body.current_password.clone(), Some(u.password_hash.clone())).await? {
        return Err(ApiError::forbidden("wrong_password").field("current_password"));
    }
    if body.current_password == body.new_password {
        return Err(ApiError::bad_request("same_password").field("new_password"));
    }
    let hash = auth::hash_password(new.expose().to_owned()).await?;
    let txn = state.db.begin().await?;
    users::set_password(&txn, &u.id, &hash, now).await?;
    sessions::revoke_user(&txn, &u.id, now).await?;
    let pair = issue_pair(&txn, &state, &u.id, None, now).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Sets a new password with an SMS code (purpose `reset_password`). Public. Ends every login
/// of the account and lifts a lockout.
#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "accounts",
    request_body = ResetPassword,
    responses(
        (status = 204, description = "Password changed"),
        (status = 400, description = "Bad password or code")))]
pub async fn reset_password(
    state: web::Data<AppState>,
    body: web::Json<ResetPassword>,
) -> ApiResult<HttpResponse> {
    let now = Utc::now();
    let phone = PhoneNumber::parse(&body.phone)?;
    let code = SmsCode::parse(&body.sms_code)?;
    let new =
        Password::parse(&body.new_password).map_err(|e| ApiError::from(e).field("new_password"))?;
    let code_id = check_sms_code(&state, &phone, SmsPurpose::ResetPassword, &code).await?;
    let user = users::by_phone(&state.db, phone.as_str())
        .await?
        .ok_or_else(|| ApiError::bad_request("sms_code_not_found").field("sms_code"))?;
    let hash = auth::hash_password(new.expose().to_owned()).await?;
    let txn = state.db.begin().await?;
    if !sms_codes::consume(&txn, &code_id, now).await? {
        return Err(ApiError::bad_request("sms_code_expired").field("sms_code"));
    }
    users::set_password(&txn, &user.id, &hash, now).await?;
    users::login_succeeded(&txn, &user.id).await?;
    sessions::revoke_user(&txn, &user.id, now).await?;
    txn.commit().await?;
    Ok(no_content())
}
