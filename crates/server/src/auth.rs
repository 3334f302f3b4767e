//! Authentication: password hashing (argon2id), ES256 access tokens with a `kid`, rotating
//! refresh tokens, and the [`AuthUser`] extractor every protected handler takes.

use actix_web::{FromRequest, HttpRequest, web};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm as ArgonAlg, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use signet_pki::MasterKey;
use signet_pki::token_key::P256KeyPair;
use signet_store::repo::{server_keys, sessions};
use signet_store::sea_orm::{ConnectionTrait, DatabaseConnection};
use std::future::Future;
use std::pin::Pin;

use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

const AUDIENCE: &str = "signet-api";
const KEY_PURPOSE: &str = "access_token";

/// Argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane): about 20 ms on
/// this kind of machine, which bounds online guessing without starving the workers.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(ArgonAlg::Argon2id, Version::V0x13, params)
}

/// Hashes a password on a blocking thread.
pub async fn hash_password(password: String) -> ApiResult<String> {
    let _permit = hashing_permit().await?;
    web::block(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await?
    .map_err(|e| ApiError::internal(anyhow::anyhow!("argon2: {e}")))
}

/// Verifies a password on a blocking thread. With no stored hash it still spends the same
/// work on a dummy hash, so response times do not reveal which accounts exist.
pub async fn verify_password(password: String, stored: Option<String>) -> ApiResult<bool> {
    let _permit = hashing_permit().await?;
    web::block(move || {
        let hash = stored.as_deref().unwrap_or(DUMMY_HASH.as_str());
        let ok = PasswordHash::new(hash)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && stored.is_some()
    })
    .await
    .map_err(ApiError::from)
}

/// Password hashes computed at once per node: each argon2id run holds 19 MiB, so a flood of
/// logins waits here (and is refused with 503 `auth_busy` after [`HASH_WAIT`]) instead of
/// exhausting memory.
pub const MAX_CONCURRENT_HASHES: usize = 8;
const HASH_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
static HASHES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_CONCURRENT_HASHES);

pub async fn hashing_permit() -> ApiResult<tokio::sync::SemaphorePermit<'static>> {
    match tokio::time::timeout(HASH_WAIT, HASHES.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(ApiError::unavailable("auth_busy", 5)),
    }
}

static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()
        .hash_password(b"not a password", &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    /// The login session (refresh-token family); revoking it ends the access token too.
    pub sid: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// The token-signing keys: the newest signs; all known ones verify (rotation).
pub struct JwtKeys {
    signing_kid: String,
    encoding: EncodingKey,
    decoding: Vec<(String, DecodingKey)>,
    pub jwks: Vec<Jwk>,
    issuer: String,
    access_ttl: Duration,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "kid": "e-BjVMS9rHa2Y-XiRYpQApUmxKhzi6eyb2dt1BcV6WY", "use": "sig", "alg": "ES256"}))]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub y: String,
    pub kid: String,
    #[serde(rename = "use")]
    pub use_: String,
    pub alg: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "kid": "e-BjVMS9rHa2Y-XiRYpQApUmxKhzi6eyb2dt1BcV6WY", "use": "sig", "alg": "ES256"}]}))]
pub struct JwkSet {
    pub keys: Vec<Jwk>,
}

impl JwtKeys {
    /// Loads the stored keys, creating the first one if there is none. The private key is
    /// sealed under the master key; any node with the same database and master key can
    /// verify and issue tokens.
    pub async fn load_or_create(
        db: &DatabaseConnection,
        master: &MasterKey,
        issuer: &str,
        access_ttl: Duration,
    ) -> anyhow::Result<Self> {
        let mut rows = server_keys::all_for(db, KEY_PURPOSE).await?;
        if rows.is_empty() {
            let pair = P256KeyPair::generate()?;
            let sealed = master.seal(
                "server_key",
                pair.kid.as_bytes(),
                pair.private_pkcs8_pem.as_bytes(),
            );
            server_keys::insert(
                db,
                server_keys::ServerKey {
                    kid: pair.kid.clone(),
                    purpose: KEY_PURPOSE.into(),
                    private_sealed: sealed,
                    public_pem: pair.public_spki_pem.clone(),
                    jwk_x: pair.jwk_x.clone(),
                    jwk_y: pair.jwk_y.clone(),
                    created_at: Utc::now(),
                },
            )
            .await?;
            // Another node may have raced us; read back whatever won.
            rows = server_keys::all_for(db, KEY_PURPOSE).await?;
        }
        let newest = rows
            .first()
            .ok_or_else(|| anyhow::anyhow!("no token-signing key"))?;
        let private = master
            .open("server_key", newest.kid.as_bytes(), &newest.private_sealed)
            .map_err(|e| anyhow::anyhow!("token-signing key {}: {e}", newest.kid))?;
        let encoding = EncodingKey::from_ec_pem(&private)?;
        let mut decoding = Vec::new();
        let mut jwks = Vec::new();
        for k in &rows {
            decoding.push((
                k.kid.clone(),
                DecodingKey::from_ec_pem(k.public_pem.as_bytes())?,
            ));
            jwks.push(Jwk {
                kty: "EC".into(),
                crv: "P-256".into(),
                x: k.jwk_x.clone(),
                y: k.jwk_y.clone(),
                kid: k.kid.clone(),
                use_: "sig".into(),
                alg: "ES256".into(),
            });
        }
        Ok(Self {
            signing_kid: newest.kid.clone(),
            encoding,
            decoding,
            jwks,
            issuer: issuer.to_owned(),
            access_ttl,
        })
    }

    pub fn access_ttl(&self) -> Duration {
        self.access_ttl
    }

    pub fn issue(&self, user_id: &str, session_id: &str, now: DateTime<Utc>) -> ApiResult<String> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.signing_kid.clone());
        let claims = Claims {
            sub: user_id.to_owned(),
            sid: session_id.to_owned(),
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            iat: now.timestamp(),
            exp: (now + self.access_ttl).timestamp(),
            jti: uuid::Uuid::new_v4().simple().to_string(),
        };
        jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(ApiError::internal)
    }

    /// Verifies signature (ES256 only, by `kid`), issuer, audience and expiry.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let invalid = || ApiError::unauthorized("invalid_token");
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
        if header.alg != Algorithm::ES256 {
            return Err(invalid());
        }
        let kid = header.kid.ok_or_else(invalid)?;
        let (_, key) = self
            .decoding
            .iter()
            .find(|(k, _)| *k == kid)
            .ok_or_else(invalid)?;
        let mut v = Validation::new(Algorithm::ES256);
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[AUDIENCE]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        v.leeway = 5;
        jsonwebtoken::decode::<Claims>(token, key, &v)
            .map(|d| d.claims)
            .map_err(|_| invalid())
    }
}

/// A new refresh token (shown once) and the hash that is stored.
pub fn new_refresh_token() -> (String, String) {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let token = format!("rt_{}", URL_SAFE_NO_PAD.encode(raw));
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Issues an access token and a refresh token in `family_id` (a new login when `None`).
pub async fn issue_pair<C: ConnectionTrait>(
    db: &C,
    state: &AppState,
    user_id: &str,
    family_id: Option<String>,
    now: DateTime<Utc>,
) -> ApiResult<signet_api::TokenPair> {
    let family_id = family_id.unwrap_or_else(|| signet_store::new_id("ses"));
    let (refresh, hash) = new_refresh_token();
    let refresh_expires_at = now + Duration::days(state.settings.auth.refresh_ttl_days as i64);
    sessions::insert(
        db,
        sessions::RefreshToken {
            id: signet_store::new_id("rt"),
            family_id: family_id.clone(),
            user_id: user_id.to_owned(),
            token_hash: hash,
            expires_at: refresh_expires_at,
            used_at: None,
            revoked_at: None,
            created_at: now,
        },
    )
    .await?;
    let access = state.jwt.issue(user_id, &family_id, now)?;
    Ok(signet_api::TokenPair {
        access_token: access,
        token_type: "Bearer".into(),
        expires_in: state.jwt.access_ttl().num_seconds().max(0) as u64,
        refresh_token: refresh,
        refresh_expires_at,
    })
}

/// The authenticated caller. Taking it as a handler argument is the handler's rule
/// "must be logged in"; finer rules are checked against the caller's memberships.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: String,
    pub session_id: String,
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("no state")))?;
            let header = header.ok_or_else(|| ApiError::unauthorized("unauthenticated"))?;
            let token = header
                .strip_prefix("Bearer ")
                .or_else(|| header.strip_prefix("bearer "))
                .ok_or_else(|| ApiError::unauthorized("unauthenticated"))?
                .trim();
            let claims = state.jwt.verify(token)?;
            if sessions::family_revoked(&state.db, &claims.sid).await? {
                return Err(ApiError::unauthorized("session_revoked"));
            }
            Ok(AuthUser {
                user_id: claims.sub,
                session_id: claims.sid,
            })
        })
    }
}

/// Client address and user agent, for rate limits and (later) the audit trail.
#[derive(Debug, Clone)]
pub struct ClientMeta {
    pub ip: String,
    pub user_agent: String,
}

impl FromRequest for ClientMeta {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let trust = req
            .app_data::<web::Data<AppState>>()
            .is_some_and(|s| s.settings.http.trust_forwarded_for);
        let info = req.connection_info();
        let ip = if trust {
            info.realip_remote_addr()
        } else {
            info.peer_addr()
        }
        .unwrap_or("unknown")
        .to_owned();
        let user_agent = req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(512)
            .collect();
        std::future::ready(Ok(ClientMeta { ip, user_agent }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn password_hash_round_trip() {
        let h = hash_password("abcdefg1".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify_password("abcdefg1".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!verify_password("abcdefg2".into(), Some(h)).await.unwrap());
        assert!(!verify_password("abcdefg1".into(), None).await.unwrap());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, ha) = new_refresh_token();
        let (b, _) = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(hash_token(&a), ha);
        assert!(a.starts_with("rt_"));
    }
}
