//! Access and refresh tokens: forged, expired and replayed tokens are all rejected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit as common;
use signet_server_testkit::on_both;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use common::{Person, TestApp, assert_problem};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use serde_json::{Value, json};

on_both!(
    forged_and_expired_access_tokens,
    refresh_rotation_and_reuse,
    logout_ends_the_session
);

fn parts(token: &str) -> (Value, Value) {
    let mut it = token.split('.');
    let h = URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap();
    let p = URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap();
    (
        serde_json::from_slice(&h).unwrap(),
        serde_json::from_slice(&p).unwrap(),
    )
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

async fn forged_and_expired_access_tokens(app: TestApp) {
    let p = Person::new(21);
    let token = app.signup(&p).await;
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status(), 200);
    let (header, claims) = parts(&token);
    assert_eq!(header["alg"], "ES256");
    let kid = header["kid"].as_str().unwrap().to_owned();
    // The kid is published in the JWKS.
    let jwks: Value = app.get_json("/api/v1/auth/jwks", None).await;
    assert_eq!(jwks["keys"][0]["kid"], kid.as_str());

    let sig = token.rsplit('.').next().unwrap();
    let mut rejected = Vec::new();
    // alg: none, with and without a signature.
    let none = b64(&json!({"alg": "none", "typ": "JWT", "kid": kid}));
    rejected.push(format!("{none}.{}.", b64(&claims)));
    rejected.push(format!("{none}.{}.{sig}", b64(&claims)));
    // HS256 with the public key as the secret (algorithm confusion).
    let hs = jsonwebtoken::encode(
        &Header {
            kid: Some(kid.clone()),
            ..Header::new(Algorithm::HS256)
        },
        &claims,
        &EncodingKey::from_secret(app.state.jwt.jwks[0].x.as_bytes()),
    )
    .unwrap();
    rejected.push(hs);
    // Signed by another P-256 key, claiming the server's kid; and under an unknown kid.
    let other = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    let pem = other.to_pkcs8_pem(LineEnding::LF).unwrap();
    let other_key = EncodingKey::from_ec_pem(pem.as_bytes()).unwrap();
    for k in [Some(kid.clone()), Some("unknown-kid".to_owned()), None] {
        let h = Header {
            kid: k,
            ..Header::new(Algorithm::ES256)
        };
        rejected.push(jsonwebtoken::encode(&h, &claims, &other_key).unwrap());
    }
    // Tampered payload: another subject, the original signature.
    let mut evil = claims.clone();
    evil["sub"] = json!("usr_someone_else");
    let mut segs = token.split('.');
    let h = segs.next().unwrap();
    rejected.push(format!("{h}.{}.{sig}", b64(&evil)));
    // Expired (issued by the server's own key an hour ago), and garbage.
    let old = app
        .state
        .jwt
        .issue(
            claims["sub"].as_str().unwrap(),
            claims["sid"].as_str().unwrap(),
            Utc::now() - Duration::hours(1),
        )
        .unwrap();
    rejected.push(old);
    rejected.push("not.a.token".into());
    for t in rejected {
        let r = app.get("/api/v1/me", Some(&t)).await;
        assert_problem(r, 401, "invalid_token").await;
    }
    // Not a Bearer header at all.
    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .header("Authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_problem(r, 401, "unauthenticated").await;
}

async fn refresh_rotation_and_reuse(app: TestApp) {
    let p = Person::new(22);
    app.signup(&p).await;
    let first = app.login_pair(&p.account_name, &p.password).await;
    let rt1 = first["refresh_token"].as_str().unwrap();
    let r = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": rt1}), None)
        .await;
    assert_eq!(r.status(), 200);
    let second: Value = r.json().await.unwrap();
    let rt2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(rt1, rt2);
    let access2 = second["access_token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/me", Some(access2)).await.status(), 200);
    // Reusing the first token revokes the whole login: the new refresh token and the access
    // tokens stop working too.
    let r = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": rt1}), None)
        .await;
    assert_problem(r, 401, "refresh_token_reused").await;
    let r = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": rt2}), None)
        .await;
    assert_problem(r, 401, "invalid_refresh_token").await;
    assert_problem(
        app.get("/api/v1/me", Some(access2)).await,
        401,
        "session_revoked",
    )
    .await;
    // Other logins of the same user are not affected.
    let other = app.login(&p.account_name, &p.password).await;
    assert_eq!(app.get("/api/v1/me", Some(&other)).await.status(), 200);
    // Unknown and expired refresh tokens.
    let r = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": "rt_nope"}),
            None,
        )
        .await;
    assert_problem(r, 401, "invalid_refresh_token").await;
    let third = app.login_pair(&p.account_name, &p.password).await;
    use signet_store::entities::refresh_token;
    use signet_store::sea_orm::EntityTrait;
    use signet_store::sea_orm::sea_query::Expr;
    refresh_token::Entity::update_many()
        .col_expr(
            refresh_token::Column::ExpiresAt,
            Expr::value(Utc::now() - Duration::seconds(1)),
        )
        .exec(&app.state.db)
        .await
        .unwrap();
    let r = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": third["refresh_token"]}),
            None,
        )
        .await;
    assert_problem(r, 401, "invalid_refresh_token").await;
}

async fn logout_ends_the_session(app: TestApp) {
    let p = Person::new(23);
    app.signup(&p).await;
    let pair = app.login_pair(&p.account_name, &p.password).await;
    let access = pair["access_token"].as_str().unwrap();
    let r = app
        .post("/api/v1/auth/logout", &json!({}), Some(access))
        .await;
    assert_eq!(r.status(), 204);
    assert_problem(
        app.get("/api/v1/me", Some(access)).await,
        401,
        "session_revoked",
    )
    .await;
    let r = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": pair["refresh_token"]}),
            None,
        )
        .await;
    assert_problem(r, 401, "invalid_refresh_token").await;
}
