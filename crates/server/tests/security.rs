//! Security hardening (docs/SECURITY.md), over HTTP on SQLite and PostgreSQL: every counter
//! holds under 50 concurrent guesses; a seal grant is no power over the organisation's
//! certificate; one seal rule on every signing path; initiating needs the right at every
//! entry; an organisation is named for a signature only when its certificate made it; paging
//! cannot overflow.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit as common;
use signet_server_testkit::on_both;
use signet_server_testkit::pdfkit;
use signet_server_testkit::taskkit;

use common::{Person, TestApp, assert_problem};
use futures_util::future::join_all;
use pdfkit::{corpus_pdf, seal_png};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use signet_server::demo::{DEMO_PASSWORD, DEMO_PIN};
use taskkit::{PIN, create_task, doc, signer};

on_both!(
    concurrent_wrong_passwords_lock_after_five,
    registration_checks_the_code_first,
    failures_outside_the_window_start_over,
    only_the_initiator_sees_addresses,
    concurrent_wrong_sms_codes_take_five_attempts,
    concurrent_wrong_pins_lock_after_five,
    a_seal_grant_is_no_power_over_the_certificate,
    one_seal_rule_on_every_signing_path,
    initiating_needs_the_right_at_start_and_forward,
    an_organisation_is_named_only_for_its_certificate,
    paging_cannot_overflow,
    one_organisation_per_uscc,
);

const GUESSES: usize = 50;

/// Password logins per address: over the limit, 429 with Retry-After; a locked account
/// still answers 423 (the lock is checked first).
#[tokio::test]
async fn logins_are_limited_per_address() {
    let app = common::spawn_with(common::Backend::Sqlite, |s| s.http.login_per_minute = 6)
        .await
        .unwrap();
    let p = Person::new(703);
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
    assert_problem(
        app.post("/api/v1/auth/login", &bad, None).await,
        423,
        "account_locked",
    )
    .await;
    // Over the address's budget: the locked account still says locked...
    assert_problem(
        app.post("/api/v1/auth/login", &bad, None).await,
        423,
        "account_locked",
    )
    .await;
    // ...and anyone else from this address is told to wait.
    let q = Person::new(704);
    let other = json!({"login": q.account_name, "password": "Wrong-pass-1"});
    let _ = app.post("/api/v1/auth/login", &other, None).await;
    let r = app.post("/api/v1/auth/login", &other, None).await;
    assert!(r.headers().get("retry-after").is_some());
    assert_problem(r, 429, "login_rate_limited").await;
}

/// The PKI's signing services per address: over the limit, 429 with Retry-After.
#[tokio::test]
async fn pki_services_are_limited_per_address() {
    let app = common::spawn_with(common::Backend::Sqlite, |s| s.http.pki_per_minute = 2)
        .await
        .unwrap();
    for _ in 0..2 {
        let r = app.get("/pki/ocsp/MAA", None).await;
        assert_eq!(r.status(), 200);
    }
    let r = app.get("/pki/ocsp/MAA", None).await;
    assert!(r.headers().get("retry-after").is_some());
    assert_problem(r, 429, "pki_rate_limited").await;
}

/// Registrations per address: over the limit, 429 before any code or field is checked.
#[tokio::test]
async fn registrations_are_limited_per_address() {
    let app = common::spawn_with(common::Backend::Sqlite, |s| s.http.register_per_minute = 2)
        .await
        .unwrap();
    let p = Person::new(705);
    let body = p.register_body("000000");
    for _ in 0..2 {
        let r = app.post("/api/v1/auth/register", &body, None).await;
        assert_eq!(r.status(), 400);
    }
    assert_problem(
        app.post("/api/v1/auth/register", &body, None).await,
        429,
        "register_rate_limited",
    )
    .await;
}

/// Signer lookups per caller: over the limit, 429 with Retry-After; another caller keeps
/// their own budget.
#[tokio::test]
async fn signer_lookups_are_limited_per_caller() {
    let app = common::spawn_with(common::Backend::Sqlite, |s| {
        s.http.signer_lookups_per_minute = 3
    })
    .await
    .unwrap();
    let a = signer(&app, 706, "张三").await;
    let b = signer(&app, 707, "李四").await;
    for s in [&a, &b] {
        taskkit::grant_initiate(&app, s).await;
    }
    let body = json!({"name": "李四", "phone": b.person.phone});
    for _ in 0..3 {
        let r = app
            .post("/api/v1/signers/lookup", &body, Some(&a.token))
            .await;
        assert_eq!(r.status(), 200);
    }
    let r = app
        .post("/api/v1/signers/lookup", &body, Some(&a.token))
        .await;
    assert!(r.headers().contains_key("retry-after"));
    assert_problem(r, 429, "lookup_rate_limited").await;
    let r = app
        .post("/api/v1/signers/lookup", &body, Some(&b.token))
        .await;
    assert_eq!(r.status(), 200);
    // A signer named in a task who is not found answers the same question: it spends the
    // same budget (one found does not).
    let found = json!({"documents": [{"part": "doc1"}],
        "steps": [{"signer": {"name": "张三", "phone": a.person.phone}, "order": 1}]});
    let r = create_task(&app, &b.token, found, &[("doc1", corpus_pdf())]).await;
    assert_eq!(r.status(), 201);
    for _ in 0..2 {
        let r = app
            .post("/api/v1/signers/lookup", &body, Some(&b.token))
            .await;
        assert_eq!(r.status(), 200);
    }
    let missing = json!({"documents": [{"part": "doc1"}],
        "steps": [{"signer": {"name": "张三", "phone": "13999999999"}, "order": 1}]});
    let r = create_task(&app, &b.token, missing, &[("doc1", corpus_pdf())]).await;
    assert_problem(r, 429, "lookup_rate_limited").await;
}

/// Registration checks the SMS code before saying that an ID number, phone or account name
/// is taken.
async fn registration_checks_the_code_first(app: TestApp) {
    let p = Person::new(706);
    app.signup(&p).await;
    // Someone else's phone, the same ID number: without the code, nothing is revealed.
    let mut q = Person::new(707);
    q.id_card_number = p.id_card_number.clone();
    let r = app
        .post("/api/v1/auth/register", &q.register_body("123456"), None)
        .await;
    assert_problem(r, 400, "sms_code_not_found").await;
    let code = app.sms_code(&q.phone, "register").await;
    let r = app
        .post("/api/v1/auth/register", &q.register_body(&code), None)
        .await;
    assert_problem(r, 409, "id_card_taken").await;
}

/// (status, problem code) of each response.
async fn outcomes(responses: Vec<reqwest::Response>) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    for r in responses {
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        out.push((status, body["code"].as_str().unwrap_or("").to_owned()));
    }
    out
}

fn count(outcomes: &[(u16, String)], status: u16, code: &str) -> usize {
    outcomes
        .iter()
        .filter(|(s, c)| *s == status && c == code)
        .count()
}

async fn concurrent_wrong_passwords_lock_after_five(app: TestApp) {
    let p = Person::new(701);
    app.signup(&p).await;
    let bad = json!({"login": p.account_name, "password": "Wrong-pass-1"});
    let all = join_all((0..GUESSES).map(|_| app.post("/api/v1/auth/login", &bad, None))).await;
    let all = outcomes(all).await;
    let wrong = count(&all, 401, "invalid_credentials");
    let locked = count(&all, 423, "account_locked");
    assert_eq!(wrong + locked, GUESSES, "{all:?}");
    // The fifth wrong password locks: at most four are answered "wrong".
    assert!(wrong <= 4, "{wrong} wrong-password answers: {all:?}");
    let good = json!({"login": p.phone, "password": p.password});
    assert_problem(
        app.post("/api/v1/auth/login", &good, None).await,
        423,
        "account_locked",
    )
    .await;
}

/// Four wrong passwords, then the 15-minute window passes: counting starts over (four more
/// are "wrong", the fifth of the new window locks).
async fn failures_outside_the_window_start_over(app: TestApp) {
    use signet_store::entities::user;
    use signet_store::sea_orm::EntityTrait;
    use signet_store::sea_orm::sea_query::Expr;
    let p = Person::new(702);
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
    user::Entity::update_many()
        .col_expr(
            user::Column::FailureWindowStart,
            Expr::value(Some(chrono::Utc::now() - chrono::Duration::minutes(16))),
        )
        .exec(&app.state.db)
        .await
        .unwrap();
    for _ in 0..4 {
        assert_problem(
            app.post("/api/v1/auth/login", &bad, None).await,
            401,
            "invalid_credentials",
        )
        .await;
    }
    assert_problem(
        app.post("/api/v1/auth/login", &bad, None).await,
        423,
        "account_locked",
    )
    .await;
}

/// `GET /tasks/{id}/events`: the initiator sees each event's address and browser; a signer
/// sees `null`.
async fn only_the_initiator_sees_addresses(app: TestApp) {
    let a = signer(&app, 741, "孙八").await;
    let b = signer(&app, 742, "周九").await;
    taskkit::grant_initiate(&app, &a).await;
    let task = taskkit::created(
        &app,
        &a.token,
        json!({"documents": [{"part": "doc1"}], "steps": [taskkit::step(&b, 1)], "start": true}),
    )
    .await;
    let path = format!("/api/v1/tasks/{}/events", task["id"].as_str().unwrap());
    let mine: Value = app.get_json(&path, Some(&a.token)).await;
    let theirs: Value = app.get_json(&path, Some(&b.token)).await;
    let first = |v: &Value| v["items"][0].clone();
    assert_eq!(first(&mine)["ip"], "127.0.0.1", "{mine}");
    assert!(first(&mine)["user_agent"].is_string(), "{mine}");
    assert_eq!(first(&theirs)["ip"], Value::Null, "{theirs}");
    assert_eq!(first(&theirs)["user_agent"], Value::Null, "{theirs}");
    assert_eq!(first(&theirs)["hash"], first(&mine)["hash"]);
    assert_eq!(theirs["intact"], true);
}

/// Every purpose of an SMS code: 50 wrong codes at once use the code's five attempts and no
/// more, so the right code is refused afterwards.
async fn concurrent_wrong_sms_codes_take_five_attempts(app: TestApp) {
    // Registration.
    let reg = Person::new(711);
    let code = app.sms_code(&reg.phone, "register").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let body = reg.register_body(wrong);
    let all = join_all((0..GUESSES).map(|_| app.post("/api/v1/auth/register", &body, None))).await;
    check_sms_storm(&outcomes(all).await);
    assert_problem(
        app.post("/api/v1/auth/register", &reg.register_body(&code), None)
            .await,
        400,
        "sms_code_attempts_exceeded",
    )
    .await;

    // Login by SMS, password reset, and a certificate's PIN reset.
    let s = signer(&app, 712, "王五").await;
    let phone = s.person.phone.clone();
    let cert_reset = format!("/api/v1/certificates/{}/pin/reset", s.cert);
    let cases: [SmsCase<'_>; 3] = [
        (
            "login",
            "/api/v1/auth/login/sms",
            Box::new(|c| json!({"phone": phone, "sms_code": c})),
            None,
        ),
        (
            "reset_password",
            "/api/v1/auth/password/reset",
            Box::new(|c| json!({"phone": phone, "sms_code": c, "new_password": "Another-pass-9"})),
            None,
        ),
        (
            "certificate_pin",
            &cert_reset,
            Box::new(|c| json!({"sms_code": c})),
            Some(&s.token),
        ),
    ];
    for (purpose, path, body, token) in cases {
        let code = app.sms_code(&phone, purpose).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let bad = body(wrong);
        let all = join_all((0..GUESSES).map(|_| app.post(path, &bad, token))).await;
        check_sms_storm(&outcomes(all).await);
        assert_problem(
            app.post(path, &body(&code), token).await,
            400,
            "sms_code_attempts_exceeded",
        )
        .await;
    }
}

/// Purpose, path, body for a code, token.
type SmsCase<'a> = (
    &'a str,
    &'a str,
    Box<dyn Fn(&str) -> Value + 'a>,
    Option<&'a str>,
);

fn check_sms_storm(all: &[(u16, String)]) {
    let invalid = count(all, 400, "sms_code_invalid");
    let exceeded = count(all, 400, "sms_code_attempts_exceeded");
    assert_eq!(invalid + exceeded, GUESSES, "{all:?}");
    // Five attempts per code: four "wrong, N left", the fifth used them up.
    assert!(invalid <= 4, "{invalid} codes checked: {all:?}");
}

async fn concurrent_wrong_pins_lock_after_five(app: TestApp) {
    let s = signer(&app, 721, "赵六").await;
    let path = format!("/api/v1/certificates/{}/renew", s.cert);
    let bad = json!({"pin": "000000"});
    let all = join_all((0..GUESSES).map(|_| app.post(&path, &bad, Some(&s.token)))).await;
    let all = outcomes(all).await;
    let wrong = count(&all, 403, "wrong_pin");
    let locked = count(&all, 423, "certificate_locked");
    assert_eq!(wrong + locked, GUESSES, "{all:?}");
    assert!(wrong <= 4, "{wrong} PINs checked: {all:?}");
    assert_problem(
        app.post(&path, &json!({"pin": PIN}), Some(&s.token)).await,
        423,
        "certificate_locked",
    )
    .await;
}

/// The demo admin, the demo member, the organisation id and its company seal (bound to the
/// organisation's P-256 certificate).
struct Demo {
    admin: String,
    member: String,
    member_id: String,
    org: String,
    seal: String,
    cert: String,
}

async fn demo(app: &TestApp) -> Demo {
    let admin = app.login("demoadmin", DEMO_PASSWORD).await;
    let member = app.login("demouser", DEMO_PASSWORD).await;
    let me: Value = app.get_json("/api/v1/me", Some(&member)).await;
    let orgs: Value = app.get_json("/api/v1/orgs", Some(&admin)).await;
    let company = taskkit::company_seal(app, &admin).await;
    Demo {
        admin,
        member,
        member_id: me["id"].as_str().unwrap().into(),
        org: orgs["items"][0]["id"].as_str().unwrap().into(),
        seal: company["id"].as_str().unwrap().into(),
        cert: company["certificate_id"].as_str().unwrap().into(),
    }
}

async fn grant_seal(app: &TestApp, d: &Demo) {
    let r = app
        .client
        .put(app.url(&format!("/api/v1/seals/{}/grants", d.seal)))
        .bearer_auth(&d.admin)
        .json(&json!({"user_ids": [d.member_id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn put(app: &TestApp, path: &str, body: &Value, token: &str) -> reqwest::Response {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn a_seal_grant_is_no_power_over_the_certificate(app: TestApp) {
    let d = demo(&app).await;
    let base = format!("/api/v1/certificates/{}", d.cert);
    // Before the grant the member does not even see it.
    assert_problem(
        app.get(&base, Some(&d.member)).await,
        404,
        "certificate_not_found",
    )
    .await;
    grant_seal(&app, &d).await;
    // Granted: sees it (and signs with it, see tasks.rs), manages nothing.
    assert_eq!(app.get(&base, Some(&d.member)).await.status(), 200);
    let pin_change = json!({"old_pin": DEMO_PIN, "new_pin": "135799"});
    let denied = [
        put(&app, &format!("{base}/pin"), &pin_change, &d.member).await,
        app.post(
            &format!("{base}/pin/reset"),
            &json!({"sms_code": "123456"}),
            Some(&d.member),
        )
        .await,
        app.post(
            &format!("{base}/renew"),
            &json!({"pin": DEMO_PIN}),
            Some(&d.member),
        )
        .await,
        app.post(
            &format!("{base}/revoke"),
            &json!({"reason": "keyCompromise"}),
            Some(&d.member),
        )
        .await,
    ];
    for r in denied {
        assert_problem(r, 403, "certificate_admin_only").await;
    }
    let v: Value = app.get_json(&base, Some(&d.admin)).await;
    assert_eq!(v["status"], "valid", "{v}");
    // The PIN is unchanged: the admin still opens the key with it.
    assert_eq!(
        put(
            &app,
            &format!("{base}/pin"),
            &json!({"old_pin": DEMO_PIN, "new_pin": DEMO_PIN}),
            &d.admin
        )
        .await
        .status(),
        204
    );
}

async fn sign_form(
    app: &TestApp,
    path: &str,
    token: &str,
    request: Value,
    seal: Option<Vec<u8>>,
) -> reqwest::Response {
    let mut form = Form::new()
        .part(
            "file",
            Part::bytes(corpus_pdf())
                .file_name("a.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        )
        .text("request", request.to_string());
    if let Some(png) = seal {
        form = form.part(
            "seal1",
            Part::bytes(png)
                .file_name("seal.png")
                .mime_str("image/png")
                .unwrap(),
        );
    }
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn png() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("seal.png");
    seal_png(&p, 64);
    std::fs::read(p).unwrap()
}

/// `POST /sign` and `POST /sign/external` apply the rule task steps apply: a seal goes with
/// its bound certificate or one of its owner; an uploaded image with the caller's personal
/// certificate only.
async fn one_seal_rule_on_every_signing_path(app: TestApp) {
    let d = demo(&app).await;
    grant_seal(&app, &d).await;
    let r = app
        .post(
            "/api/v1/certificates",
            &json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
            Some(&d.member),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let personal: Value = r.json().await.unwrap();
    let personal = personal["id"].as_str().unwrap();
    let seal_at = |cert: &str, seal_id: Option<&str>| {
        let mut p = json!({"certificate_id": cert, "kind": "seal", "page": 1, "rect": [80.0, 80.0, 200.0, 200.0]});
        match seal_id {
            Some(id) => p["seal_id"] = json!(id),
            None => p["seal"] = json!("seal1"),
        }
        p
    };
    // The company seal under the grantee's personal key.
    let r = sign_form(
        &app,
        "/api/v1/sign",
        &d.member,
        json!({"level": "b-b", "signatures": [seal_at(personal, Some(&d.seal))], "pins": {personal: PIN}}),
        None,
    )
    .await;
    assert_problem(r, 422, "seal_certificate_mismatch").await;
    // A picture of a seal under the organisation's certificate.
    let r = sign_form(
        &app,
        "/api/v1/sign",
        &d.admin,
        json!({"level": "b-b", "signatures": [seal_at(&d.cert, None)], "pins": {d.cert.clone(): DEMO_PIN}}),
        Some(png()),
    )
    .await;
    assert_problem(r, 422, "seal_certificate_mismatch").await;
    // Allowed: the company seal with its certificate; a picture with one's own certificate.
    let r = sign_form(
        &app,
        "/api/v1/sign",
        &d.member,
        json!({"level": "b-b", "signatures": [seal_at(&d.cert, Some(&d.seal)), seal_at(personal, None)],
               "pins": {d.cert.clone(): DEMO_PIN, personal: PIN}}),
        Some(png()),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // The external path: a client-held personal certificate of the member.
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pem");
    let csr = dir.path().join("k.csr");
    pdfkit::ok(
        std::process::Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
            ])
            .arg(&key),
    );
    pdfkit::ok(
        std::process::Command::new("openssl")
            .args(["req", "-new", "-sha256", "-subj", "/CN=x", "-key"])
            .arg(&key)
            .arg("-out")
            .arg(&csr),
    );
    let r = app
        .post(
            "/api/v1/certificates/csr",
            &json!({"kind": "personal", "csr": std::fs::read_to_string(&csr).unwrap()}),
            Some(&d.member),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let held: Value = r.json().await.unwrap();
    let held = held["id"].as_str().unwrap();
    let r = sign_form(
        &app,
        "/api/v1/sign/external",
        &d.member,
        json!({"level": "b-b", "signature": seal_at(held, Some(&d.seal))}),
        None,
    )
    .await;
    assert_problem(r, 422, "seal_certificate_mismatch").await;
    let r = sign_form(
        &app,
        "/api/v1/sign/external",
        &d.member,
        json!({"level": "b-b", "signature": seal_at(held, None)}),
        Some(png()),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

async fn set_member_grants(app: &TestApp, d: &Demo, grants: Value) {
    let r = app
        .patch(
            &format!("/api/v1/orgs/{}/members/{}", d.org, d.member_id),
            &json!({"grants": grants}),
            &d.admin,
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// A draft cannot be started, nor a task forwarded, by someone who lost the right to
/// initiate; a forward keeps the organisation only while the forwarder may initiate for it.
async fn initiating_needs_the_right_at_start_and_forward(app: TestApp) {
    let d = demo(&app).await;
    set_member_grants(&app, &d, json!(["initiate"])).await;
    let new_task = |start: bool| {
        json!({"org_id": d.org, "documents": [{"part": "doc1"}],
               "steps": [{"myself": true, "order": 1}], "start": start})
    };
    let r = create_task(&app, &d.member, new_task(false), &[("doc1", corpus_pdf())]).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let draft: Value = r.json().await.unwrap();
    let r = create_task(&app, &d.member, new_task(true), &[("doc1", corpus_pdf())]).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let running: Value = r.json().await.unwrap();
    // The member signs their step with a personal certificate and seal: completed.
    let r = app
        .post(
            "/api/v1/certificates",
            &json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
            Some(&d.member),
        )
        .await;
    let cert: Value = r.json().await.unwrap();
    let seal: Value = app
        .post("/api/v1/seals/generate", &json!({}), Some(&d.member))
        .await
        .json()
        .await
        .unwrap();
    let r = app
        .post(
            &format!(
                "/api/v1/tasks/{}/steps/{}/sign",
                running["id"].as_str().unwrap(),
                running["steps"][0]["id"].as_str().unwrap()
            ),
            &json!({"placements": [{"document_id": doc(&running), "certificate_id": cert["id"], "seal_id": seal["id"],
                    "kind": "seal", "page": 1, "rect": [80.0, 80.0, 90.0, 90.0]}],
                    "pins": {cert["id"].as_str().unwrap(): PIN}}),
            Some(&d.member),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // The admin withdraws the grant, and the operator the personal one (demo users have it).
    set_member_grants(&app, &d, json!([])).await;
    signet_store::tasks::set_initiate_grant(
        &app.state.db,
        &d.member_id,
        false,
        "test",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/start", draft["id"].as_str().unwrap()),
            &json!({}),
            Some(&d.member),
        )
        .await;
    assert_problem(r, 403, "initiate_not_granted").await;
    let forward = format!("/api/v1/tasks/{}/forward", running["id"].as_str().unwrap());
    let onward =
        json!({"steps": [{"signer": {"name": "张三", "phone": "13800000001"}, "order": 1}]});
    assert_problem(
        app.post(&forward, &onward, Some(&d.member)).await,
        403,
        "initiate_not_granted",
    )
    .await;
    // With only the personal grant, the forward is the member's own, not the organisation's.
    signet_store::tasks::set_initiate_grant(
        &app.state.db,
        &d.member_id,
        true,
        "test",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let r = app.post(&forward, &onward, Some(&d.member)).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let fwd: Value = r.json().await.unwrap();
    assert_eq!(fwd["org_id"], Value::Null, "{fwd}");
    // Granted again by the admin: a forward keeps the organisation.
    set_member_grants(&app, &d, json!(["initiate"])).await;
    let r = app.post(&forward, &onward, Some(&d.member)).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let fwd: Value = r.json().await.unwrap();
    assert_eq!(fwd["org_id"], json!(d.org), "{fwd}");
}

/// An organisation's step signed with a personal certificate: the public verification page
/// names no organisation for that signer; one signed with the organisation's certificate
/// names it.
async fn an_organisation_is_named_only_for_its_certificate(app: TestApp) {
    let d = demo(&app).await;
    let r = app
        .post(
            "/api/v1/certificates",
            &json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
            Some(&d.admin),
        )
        .await;
    let cert: Value = r.json().await.unwrap();
    let seal: Value = app
        .post("/api/v1/seals/generate", &json!({}), Some(&d.admin))
        .await
        .json()
        .await
        .unwrap();
    // The same organisation step (seal kind `any`), signed once with the admin's personal
    // certificate and once with the organisation's.
    let cases = [
        (
            cert["id"].as_str().unwrap(),
            seal["id"].as_str().unwrap(),
            PIN,
            Value::Null,
        ),
        (
            d.cert.as_str(),
            d.seal.as_str(),
            DEMO_PIN,
            json!(signet_server::demo::DEMO_ORG),
        ),
    ];
    for (c, s, pin, named) in cases {
        let r = create_task(
            &app,
            &d.admin,
            json!({"org_id": d.org, "documents": [{"part": "doc1"}],
                   "steps": [{"myself": true, "order": 1, "org_id": d.org, "seal_kind": "any"}],
                   "start": true}),
            &[("doc1", corpus_pdf())],
        )
        .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let task: Value = r.json().await.unwrap();
        let id = task["id"].as_str().unwrap();
        let r = app
            .post(
                &format!("/api/v1/tasks/{id}/steps/{}/sign", task["steps"][0]["id"].as_str().unwrap()),
                &json!({"placements": [{"document_id": doc(&task), "certificate_id": c, "seal_id": s,
                        "kind": "seal", "page": 1, "rect": [80.0, 80.0, 90.0, 90.0]}],
                        "pins": {c: pin}}),
                Some(&d.admin),
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let view: Value = app
            .get_json(&format!("/api/v1/tasks/{id}"), Some(&d.admin))
            .await;
        assert_eq!(view["state"], "completed", "{view}");
        let code = view["documents"][0]["verification_code"].as_str().unwrap();
        let public: Value = app.get_json(&format!("/api/v1/verify/{code}"), None).await;
        assert_eq!(public["signers"][0]["organization"], named, "{public}");
    }
}

async fn paging_cannot_overflow(app: TestApp) {
    let d = demo(&app).await;
    for path in [
        "/api/v1/tasks?list=to_sign&page=18446744073709551615",
        "/api/v1/tasks?list=initiated&page=1000001&page_size=100",
    ] {
        let body = assert_problem(app.get(path, Some(&d.admin)).await, 400, "invalid_page").await;
        assert_eq!(body["field"], "page", "{body}");
    }
    let path = format!(
        "/api/v1/orgs/{}/members?page=18446744073709551615&page_size=100",
        d.org
    );
    assert_problem(app.get(&path, Some(&d.admin)).await, 400, "invalid_page").await;
    assert_eq!(
        app.get("/api/v1/tasks?list=initiated&page=1000000", Some(&d.admin))
            .await
            .status(),
        200
    );
}

async fn one_organisation_per_uscc(app: TestApp) {
    let a = app.signup(&Person::new(751)).await;
    let b = app.signup(&Person::new(752)).await;
    let uscc = "91350100M000100Y43";
    let r = app
        .post(
            "/api/v1/orgs",
            &json!({"name": "甲公司", "uscc": uscc}),
            Some(&a),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let body = assert_problem(
        app.post(
            "/api/v1/orgs",
            &json!({"name": "乙公司", "uscc": uscc}),
            Some(&b),
        )
        .await,
        409,
        "uscc_taken",
    )
    .await;
    assert_eq!(body["field"], "uscc");
    // Names are not unique; organisations without a code are not constrained.
    for token in [&a, &b] {
        let r = app
            .post("/api/v1/orgs", &json!({"name": "甲公司"}), Some(token))
            .await;
        assert_eq!(r.status(), 201);
    }
}

/// Every response carries the security headers; the panel's policy allows no inline script
/// and the docs' allows what the vendored Swagger UI needs.
#[tokio::test]
async fn security_headers_on_every_response() {
    let app = common::spawn_app(common::Backend::Sqlite).await.unwrap();
    for path in ["/", "/api/v1/me", "/healthz", "/api/docs/", "/no/such/page"] {
        let r = app.get(path, None).await;
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("object-src 'none'"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(h.get("strict-transport-security").is_none(), "{path}");
        if path.starts_with("/api/docs") {
            assert!(csp.contains("style-src 'self' 'unsafe-inline'"), "{csp}");
        } else {
            assert!(
                csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
                "{csp}"
            );
            assert!(!csp.contains("unsafe-inline"), "{csp}");
        }
    }
    let app = common::spawn_with(common::Backend::Sqlite, |s| {
        s.http.public_base_url = "https://sign.example.com".into();
        s.http.frame_ancestors = "https://portal.example.com".into();
    })
    .await
    .unwrap();
    let r = app.get("/healthz", None).await;
    assert!(
        r.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors https://portal.example.com")
    );
}
