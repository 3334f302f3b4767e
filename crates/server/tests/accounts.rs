//! Registration, verification codes and login, over HTTP, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit as common;
use signet_server_testkit::on_both;

use chrono::{Duration, Utc};
use common::{Person, TestApp, assert_problem, id_number};
use serde_json::{Value, json};
use signet_store::entities::{captcha, sms_code, user};
use signet_store::sea_orm::sea_query::Expr;
use signet_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

on_both!(
    register_and_login_by_account_phone_and_sms,
    field_rules_each_have_a_code,
    duplicates_conflict,
    agreements_must_be_current,
    identity_mismatch_and_provider_down_create_nothing,
    captcha_is_single_use_and_expires,
    sms_code_expiry_and_attempt_limit,
    sms_resend_interval_and_daily_limit,
    lockout_after_five_wrong_passwords,
    password_change_and_reset,
    problems_are_localised_and_carry_request_ids,
);

async fn register_and_login_by_account_phone_and_sms(app: TestApp) {
    let p = Person::new(1);
    let r = app.register(&p).await;
    assert_eq!(r.status(), 201);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["account_name"], "user0001");
    assert_eq!(me["real_name_verified"], true);
    let masked = me["id_card_masked"].as_str().unwrap();
    assert_eq!(masked, format!("1101**********{}", &p.id_card_number[14..]));
    assert_eq!(me["phone_masked"], "139****0001");
    // The ID number is stored encrypted: not in any column in clear.
    let row = user::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!String::from_utf8_lossy(&row.id_card_sealed).contains(&p.id_card_number));
    assert!(!row.id_card_index.contains(&p.id_card_number));
    // Each acceptance is recorded with the document and version.
    assert_eq!(app.count("agreement_acceptances").await, 2);

    let by_account = app.login(&p.account_name, &p.password).await;
    let by_phone = app.login(&p.phone, &p.password).await;
    for token in [&by_account, &by_phone] {
        let me: Value = app.get_json("/api/v1/me", Some(token)).await;
        assert_eq!(me["real_name"], "王小明");
    }
    let code = app.sms_code(&p.phone, "login").await;
    let r = app
        .post(
            "/api/v1/auth/login/sms",
            &json!({"phone": p.phone, "sms_code": code}),
            None,
        )
        .await;
    assert_eq!(r.status(), 200);
    // The code is used up.
    let r = app
        .post(
            "/api/v1/auth/login/sms",
            &json!({"phone": p.phone, "sms_code": code}),
            None,
        )
        .await;
    assert_problem(r, 400, "sms_code_not_found").await;
}

async fn field_rules_each_have_a_code(app: TestApp) {
    let base = Person::new(2);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("account_name", json!("abc"), "invalid_account_name"),
        ("account_name", json!("12345678"), "invalid_account_name"),
        ("real_name", json!("张"), "invalid_real_name"),
        ("real_name", json!("张3"), "invalid_real_name"),
        ("id_card_number", json!("12345"), "invalid_id_card_number"),
        (
            "id_card_number",
            json!("990105199001010011"),
            "invalid_id_card_region",
        ),
        (
            "id_card_number",
            json!("110105199002300011"),
            "invalid_id_card_birth_date",
        ),
        (
            "id_card_number",
            json!(flip_check(&id_number(2))),
            "invalid_id_card_checksum",
        ),
        ("password", json!("short1"), "password_length"),
        ("password", json!("onlyletters"), "password_too_weak"),
        ("phone", json!("1234"), "invalid_phone"),
        ("sms_code", json!("12ab"), "invalid_sms_code_format"),
    ];
    for (field, value, code) in cases {
        let mut body = base.register_body("123456");
        body[field] = value;
        let r = app.post("/api/v1/auth/register", &body, None).await;
        let p = assert_problem(r, 400, code).await;
        assert_eq!(p["field"], field, "{p}");
    }
    // SMS send validates phone and purpose too.
    let (id, answer) = app.captcha().await;
    let r = app
        .post("/api/v1/sms/send", &json!({"phone": "2", "purpose": "register", "captcha_id": id, "captcha_answer": answer}), None)
        .await;
    assert_problem(r, 400, "invalid_phone").await;
    let r = app
        .post("/api/v1/sms/send", &json!({"phone": base.phone, "purpose": "spam", "captcha_id": id, "captcha_answer": answer}), None)
        .await;
    assert_problem(r, 400, "invalid_sms_purpose").await;
    assert_eq!(app.users().await, 0);
}

fn flip_check(id: &str) -> String {
    let last = if id.ends_with('1') { '2' } else { '1' };
    format!("{}{last}", &id[..17])
}

async fn duplicates_conflict(app: TestApp) {
    let a = Person::new(3);
    app.signup(&a).await;
    let mut b = Person::new(4);
    b.account_name = a.account_name.clone();
    let code = app.sms_code(&b.phone, "register").await;
    let r = app
        .post("/api/v1/auth/register", &b.register_body(&code), None)
        .await;
    assert_problem(r, 409, "account_name_taken").await;
    let mut c = Person::new(4);
    c.id_card_number = a.id_card_number.clone();
    let r = app
        .post("/api/v1/auth/register", &c.register_body(&code), None)
        .await;
    assert_problem(r, 409, "id_card_taken").await;
    // A registered phone cannot even get a registration code.
    let r = app.send_sms(&a.phone, "register").await;
    assert_problem(r, 409, "phone_taken").await;
    assert_eq!(app.users().await, 1);
}

async fn agreements_must_be_current(app: TestApp) {
    let p = Person::new(5);
    let code = app.sms_code(&p.phone, "register").await;
    let mut body = p.register_body(&code);
    body["agreements"] = json!([{"kind": "user_agreement", "version": 1}]);
    assert_problem(
        app.post("/api/v1/auth/register", &body, None).await,
        400,
        "agreements_not_accepted",
    )
    .await;
    body["agreements"] =
        json!([{"kind": "user_agreement", "version": 1}, {"kind": "privacy_policy", "version": 0}]);
    assert_problem(
        app.post("/api/v1/auth/register", &body, None).await,
        400,
        "agreements_not_accepted",
    )
    .await;
    // The agreements are served, and link to their text.
    let list: Value = app.get_json("/api/v1/agreements", None).await;
    let url = list["items"][0]["url"].as_str().unwrap().to_owned();
    let doc: Value = app.get_json(&url, None).await;
    assert!(doc["body"].as_str().unwrap().contains('#'));
    assert_problem(
        app.get("/api/v1/agreements/user_agreement/99", None).await,
        404,
        "agreement_not_found",
    )
    .await;
    // Nothing was created, and the code still works with the agreements accepted.
    assert_eq!(app.users().await, 0);
    assert_eq!(
        app.post("/api/v1/auth/register", &p.register_body(&code), None)
            .await
            .status(),
        201
    );
}

async fn identity_mismatch_and_provider_down_create_nothing(app: TestApp) {
    let mut p = Person::new(6);
    p.phone = "13900000000".into(); // dev provider: mismatch
    let r = app.register(&p).await;
    assert_problem(r, 422, "identity_mismatch").await;

    let mut p = Person::new(7);
    p.phone = "13900009999".into(); // dev provider: unavailable
    let r = app.register(&p).await;
    assert_eq!(r.headers().get("retry-after").unwrap(), "30");
    assert_problem(r, 503, "identity_provider_unavailable").await;

    let mut p = Person::new(8);
    p.phone = "13900008888".into(); // dev provider: slower than the timeout
    let r = app.register(&p).await;
    assert_problem(r, 503, "identity_provider_unavailable").await;

    assert_eq!(app.users().await, 0);
    assert_eq!(app.count("agreement_acceptances").await, 0);
    // The SMS code was not used up: the person can retry once the provider is back.
    let unconsumed = sms_code::Entity::find()
        .filter(sms_code::Column::ConsumedAt.is_null())
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(unconsumed.len(), 3);
}

async fn captcha_is_single_use_and_expires(app: TestApp) {
    let phone = "13900000011";
    let (id, answer) = app.captcha().await;
    let body = |id: &str, a: &str| json!({"phone": phone, "purpose": "register", "captcha_id": id, "captcha_answer": a});
    // Wrong answer uses the captcha up too.
    let r = app.post("/api/v1/sms/send", &body(&id, "XXXX"), None).await;
    assert_problem(r, 400, "captcha_invalid").await;
    let r = app
        .post("/api/v1/sms/send", &body(&id, &answer), None)
        .await;
    assert_problem(r, 400, "captcha_expired").await;
    // Right answer, case-insensitive; then reuse is refused.
    let (id, answer) = app.captcha().await;
    let r = app
        .post("/api/v1/sms/send", &body(&id, &answer.to_lowercase()), None)
        .await;
    assert_eq!(r.status(), 201);
    let r = app
        .post("/api/v1/sms/send", &body(&id, &answer), None)
        .await;
    assert_problem(r, 400, "captcha_expired").await;
    // Expired after 5 minutes.
    let (id, answer) = app.captcha().await;
    captcha::Entity::update_many()
        .col_expr(
            captcha::Column::ExpiresAt,
            Expr::value(Utc::now() - Duration::seconds(1)),
        )
        .filter(captcha::Column::Id.eq(&id))
        .exec(&app.state.db)
        .await
        .unwrap();
    let r = app.post("/api/v1/sms/send", &json!({"phone": "13900000012", "purpose": "register", "captcha_id": id, "captcha_answer": answer}), None).await;
    assert_problem(r, 400, "captcha_expired").await;
    // Unknown captcha.
    let r = app
        .post("/api/v1/sms/send", &body("cap_nope", "ABCD"), None)
        .await;
    assert_problem(r, 400, "captcha_expired").await;
}

async fn sms_code_expiry_and_attempt_limit(app: TestApp) {
    let p = Person::new(9);
    let code = app.sms_code(&p.phone, "register").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for remaining in (1..=4).rev() {
        let r = app
            .post("/api/v1/auth/register", &p.register_body(wrong), None)
            .await;
        let body = assert_problem(r, 400, "sms_code_invalid").await;
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains(&remaining.to_string()),
            "{body}"
        );
    }
    let r = app
        .post("/api/v1/auth/register", &p.register_body(wrong), None)
        .await;
    assert_problem(r, 400, "sms_code_attempts_exceeded").await;
    // Even the right code is refused now.
    let r = app
        .post("/api/v1/auth/register", &p.register_body(&code), None)
        .await;
    assert_problem(r, 400, "sms_code_attempts_exceeded").await;

    // A new code (after the resend interval) that then expires.
    let q = Person::new(10);
    let code = app.sms_code(&q.phone, "register").await;
    sms_code::Entity::update_many()
        .col_expr(
            sms_code::Column::ExpiresAt,
            Expr::value(Utc::now() - Duration::seconds(1)),
        )
        .filter(sms_code::Column::Phone.eq(&q.phone))
        .exec(&app.state.db)
        .await
        .unwrap();
    let r = app
        .post("/api/v1/auth/register", &q.register_body(&code), None)
        .await;
    assert_problem(r, 400, "sms_code_expired").await;
    // A code for one purpose does not work for another.
    let r = app
        .post(
            "/api/v1/auth/login/sms",
            &json!({"phone": q.phone, "sms_code": code}),
            None,
        )
        .await;
    assert_problem(r, 400, "sms_code_not_found").await;
    assert_eq!(app.users().await, 0);
}

async fn sms_resend_interval_and_daily_limit(app: TestApp) {
    let phone = "13900000021";
    app.away_from_china_midnight().await;
    assert_eq!(app.send_sms(phone, "register").await.status(), 201);
    let r = app.send_sms(phone, "register").await;
    let retry: u64 = r
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    assert_problem(r, 429, "sms_too_frequent").await;
    // Ten a day: move earlier codes back a minute each time (backdate_sms keeps them
    // within today in China time).
    for _ in 0..9 {
        app.backdate_sms(phone, 61).await;
        assert_eq!(app.send_sms(phone, "register").await.status(), 201);
    }
    app.backdate_sms(phone, 61).await;
    let r = app.send_sms(phone, "register").await;
    assert_problem(r, 429, "sms_daily_limit").await;
    // Login codes for an unregistered phone: the same answer, but nothing is delivered.
    let r = app.send_sms("13900000022", "login").await;
    assert_eq!(r.status(), 201);
    assert_eq!(app.last_sms_code("13900000022").await, None);
}

async fn lockout_after_five_wrong_passwords(app: TestApp) {
    let p = Person::new(11);
    app.signup(&p).await;
    let bad = json!({"login": p.account_name, "password": "Wrong-pass-1"});
    for _ in 0..4 {
        assert_problem(
            app.post("/api/v1/auth/login", &bad, None).await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    let r = app.post("/api/v1/auth/login", &bad, None).await;
    assert!(r.headers().get("retry-after").is_some());
    let body = assert_problem(r, 423, "account_locked").await;
    assert!(body["detail"].as_str().unwrap().contains("15"), "{body}");
    // Even the right password (and by phone) is refused while locked.
    let good = json!({"login": p.phone, "password": p.password});
    assert_problem(
        app.post("/api/v1/auth/login", &good, None).await,
        423,
        "account_locked",
    )
    .await;
    // After the lock ends, the right password works.
    user::Entity::update_many()
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Some(Utc::now() - Duration::seconds(1))),
        )
        .exec(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        app.post("/api/v1/auth/login", &good, None).await.status(),
        200
    );
    // Unknown accounts get the same answer as wrong passwords.
    let r = app
        .post(
            "/api/v1/auth/login",
            &json!({"login": "nobody99", "password": "x"}),
            None,
        )
        .await;
    assert_problem(r, 401, "invalid_credentials").await;
    let r = app
        .post(
            "/api/v1/auth/login",
            &json!({"login": " ", "password": "x"}),
            None,
        )
        .await;
    assert_problem(r, 400, "login_required").await;
}

async fn password_change_and_reset(app: TestApp) {
    let p = Person::new(12);
    let token = app.signup(&p).await;
    let r = app
        .post(
            "/api/v1/me/password",
            &json!({"current_password": "nope-1234", "new_password": "Another-2026"}),
            Some(&token),
        )
        .await;
    assert_problem(r, 403, "wrong_password").await;
    let r = app
        .post(
            "/api/v1/me/password",
            &json!({"current_password": p.password, "new_password": "weakweak"}),
            Some(&token),
        )
        .await;
    let b = assert_problem(r, 400, "password_too_weak").await;
    assert_eq!(b["field"], "new_password");
    let r = app
        .post(
            "/api/v1/me/password",
            &json!({"current_password": p.password, "new_password": "Another-2026"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), 200);
    let fresh: Value = r.json().await.unwrap();
    // The old login ended; the new pair works; the old password does not.
    assert_problem(
        app.get("/api/v1/me", Some(&token)).await,
        401,
        "session_revoked",
    )
    .await;
    assert_eq!(
        app.get("/api/v1/me", fresh["access_token"].as_str())
            .await
            .status(),
        200
    );
    let r = app
        .post(
            "/api/v1/auth/login",
            &json!({"login": p.account_name, "password": p.password}),
            None,
        )
        .await;
    assert_problem(r, 401, "invalid_credentials").await;

    // Reset by SMS code.
    let code = app.sms_code(&p.phone, "reset_password").await;
    let r = app
        .post(
            "/api/v1/auth/password/reset",
            &json!({"phone": p.phone, "sms_code": code, "new_password": "Third-pass-3"}),
            None,
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_problem(
        app.get("/api/v1/me", fresh["access_token"].as_str()).await,
        401,
        "session_revoked",
    )
    .await;
    app.login(&p.account_name, "Third-pass-3").await;
}

async fn problems_are_localised_and_carry_request_ids(app: TestApp) {
    let body = json!({"login": "nobody99", "password": "x"});
    let zh = app.post("/api/v1/auth/login", &body, None).await;
    assert!(zh.headers().get("x-request-id").is_some());
    let zh = assert_problem(zh, 401, "invalid_credentials").await;
    assert_eq!(zh["detail"], "账号或密码错误");
    assert!(zh["request_id"].as_str().is_some());
    let en = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("Accept-Language", "en-US,en;q=0.9")
        .json(&body)
        .send()
        .await
        .unwrap();
    let en = assert_problem(en, 401, "invalid_credentials").await;
    assert_eq!(en["detail"], "Wrong account or password");
    // Malformed JSON, wrong content type, unknown route, bad paging: problems, never 500.
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_problem(r, 400, "invalid_json").await;
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_problem(r, 415, "unsupported_media_type").await;
    let r = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(format!("{{\"login\":\"{}\"}}", "x".repeat(300 * 1024)))
        .send()
        .await
        .unwrap();
    assert_problem(r, 413, "payload_too_large").await;
    assert_problem(
        app.get("/api/v1/nothing-here", None).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.get("/api/v1/me", None).await, 401, "unauthenticated").await;
    let p = Person::new(13);
    let token = app.signup(&p).await;
    assert_problem(
        app.get("/api/v1/orgs?page=0", Some(&token)).await,
        400,
        "invalid_page",
    )
    .await;
    assert_problem(
        app.get("/api/v1/orgs?page_size=101", Some(&token)).await,
        400,
        "invalid_page",
    )
    .await;
    assert_problem(
        app.get("/api/v1/orgs?page=abc", Some(&token)).await,
        400,
        "invalid_query",
    )
    .await;
    // Health probes.
    assert_eq!(app.get("/healthz", None).await.status(), 200);
    let ready: Value = app.get_json("/readyz", None).await;
    assert_eq!(ready["database"], "ok");
}

/// The public settings: the support line and the agent's origin when configured, nothing
/// otherwise.
#[tokio::test]
async fn public_settings_name_the_support_line() {
    let app = common::spawn_with(common::Backend::Sqlite, |s| {
        s.support_phone = " 400-830-1234 ".into()
    })
    .await
    .unwrap();
    let v: Value = app.get_json("/api/v1/settings", None).await;
    assert_eq!(
        v,
        json!({"support_phone": "400-830-1234", "agent_origin": "http://127.0.0.1:9321"})
    );
    let app = common::spawn_with(common::Backend::Sqlite, |s| s.http.agent_origin.clear())
        .await
        .unwrap();
    let v: Value = app.get_json("/api/v1/settings", None).await;
    assert_eq!(v, json!({}));
}

#[tokio::test]
async fn dev_endpoints_exist_only_in_demo_mode() {
    let app = common::spawn_with(common::Backend::Sqlite, |s| s.demo = false)
        .await
        .unwrap();
    assert_problem(
        app.get("/api/v1/dev/sms-outbox", None).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get("/api/v1/dev/captcha/cap_x", None).await,
        404,
        "not_found",
    )
    .await;
    // And no demo data was seeded.
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn demo_mode_seeds_users_who_can_log_in() {
    let app = common::spawn_app(common::Backend::Sqlite).await.unwrap();
    let token = app
        .login("demoadmin", signet_server::demo::DEMO_PASSWORD)
        .await;
    let me: Value = app.get_json("/api/v1/me", Some(&token)).await;
    assert_eq!(
        me["organizations"][0]["org_name"],
        signet_server::demo::DEMO_ORG
    );
    assert_eq!(me["organizations"][0]["grants"], json!(["initiate"]));
}

#[tokio::test]
async fn a_new_agreement_version_must_be_accepted() {
    let app = common::spawn_app(common::Backend::Sqlite).await.unwrap();
    let a =
        signet_server::agreements::publish(&app.state.db, "privacy_policy", "隐私政策", "# v2\n")
            .await
            .unwrap();
    assert_eq!(a.version, 2);
    assert!(
        signet_server::agreements::publish(&app.state.db, "cookies", "x", "y")
            .await
            .is_err()
    );
    let list: Value = app.get_json("/api/v1/agreements", None).await;
    let versions: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].clone(), i["version"].clone()))
        .collect();
    assert!(versions.contains(&(json!("privacy_policy"), json!(2))));
    // Registering with the old version is refused; with the new one it works.
    let p = Person::new(40);
    let code = app.sms_code(&p.phone, "register").await;
    let r = app
        .post("/api/v1/auth/register", &p.register_body(&code), None)
        .await;
    assert_problem(r, 400, "agreements_not_accepted").await;
    let mut body = p.register_body(&code);
    body["agreements"] =
        json!([{"kind": "user_agreement", "version": 1}, {"kind": "privacy_policy", "version": 2}]);
    assert_eq!(
        app.post("/api/v1/auth/register", &body, None)
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn sms_codes_are_rate_limited_per_address() {
    let app = common::spawn_app(common::Backend::Sqlite).await.unwrap();
    for i in 0..20 {
        let r = app.send_sms(&format!("1370000{i:04}"), "register").await;
        assert_eq!(r.status(), 201);
    }
    let r = app.send_sms("13700009999", "register").await;
    assert_problem(r, 429, "sms_ip_limit").await;
}
