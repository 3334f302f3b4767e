//! The authorization matrix, generated from `openapi/openapi.json`: every operation is called
//! as five roles — anonymous, an unrelated user, a plain member of the organisation (and the
//! signer of its task), a member granted the company seal, and the organisation's admin (the
//! task's initiator) — each on a fresh app with the same fixtures (SQLite and PostgreSQL), with the operation's own
//! example body. A call is *denied* when it answers 401, 403 or 404, *allowed* otherwise. The
//! table below says which roles each operation allows; an operation in the document without a
//! row fails the test, so no route can be added without deciding who may call it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit as common;
use signet_server_testkit::pdfkit;
use signet_server_testkit::taskkit;

use common::{Backend, TestApp, spawn_app};
use serde_json::{Value, json};
use signet_server::demo::{DEMO_PASSWORD, DEMO_PIN};
use std::collections::BTreeMap;

const ROLES: [&str; 5] = ["anonymous", "unrelated", "member", "grantee", "admin"];

/// Who may call each operation: `A` anonymous, `U` unrelated user, `M` member (the task's
/// signer), `G` seal grantee, `D` admin (the task's initiator); `-` nobody (the fixture names a
/// resource nobody has, e.g. an unknown session).
const MATRIX: &[(&str, &str)] = &[
    ("GET /healthz", "AUMGD"),
    ("GET /readyz", "AUMGD"),
    ("GET /api/v1/settings", "AUMGD"),
    ("GET /api/v1/agreements", "AUMGD"),
    ("GET /api/v1/agreements/{kind}/{version}", "AUMGD"),
    ("POST /api/v1/captcha", "AUMGD"),
    ("POST /api/v1/sms/send", "AUMGD"),
    ("POST /api/v1/auth/register", "AUMGD"),
    ("POST /api/v1/auth/login", "AUMGD"),
    ("POST /api/v1/auth/login/sms", "AUMGD"),
    ("POST /api/v1/auth/refresh", "AUMGD"),
    ("POST /api/v1/auth/password/reset", "AUMGD"),
    ("POST /api/v1/auth/cert/challenge", "AUMGD"),
    ("POST /api/v1/auth/cert/login", "AUMGD"),
    ("GET /api/v1/auth/jwks", "AUMGD"),
    ("POST /api/v1/auth/logout", "UMGD"),
    ("GET /api/v1/me", "UMGD"),
    ("POST /api/v1/me/password", "UMGD"),
    ("GET /api/v1/me/invitations", "UMGD"),
    // The invitation is for the unrelated user's phone.
    ("POST /api/v1/me/invitations/{invitation_id}/accept", "U"),
    ("POST /api/v1/me/invitations/{invitation_id}/decline", "U"),
    ("GET /api/v1/orgs", "UMGD"),
    ("POST /api/v1/orgs", "UMGD"),
    ("GET /api/v1/orgs/{org_id}", "MGD"),
    ("GET /api/v1/orgs/{org_id}/members", "MGD"),
    ("PATCH /api/v1/orgs/{org_id}/members/{user_id}", "D"),
    ("DELETE /api/v1/orgs/{org_id}/members/{user_id}", "D"),
    ("GET /api/v1/orgs/{org_id}/invitations", "D"),
    ("POST /api/v1/orgs/{org_id}/invitations", "D"),
    (
        "DELETE /api/v1/orgs/{org_id}/invitations/{invitation_id}",
        "D",
    ),
    ("GET /api/v1/certificates", "UMGD"),
    ("POST /api/v1/certificates", "UMGD"),
    ("POST /api/v1/certificates/csr", "UMGD"),
    ("GET /api/v1/certificates/bound", "UMGD"),
    ("POST /api/v1/certificates/bound", "UMGD"),
    // The organisation's certificate: its admin manages it, the seal grantee sees it.
    ("GET /api/v1/certificates/{id}", "GD"),
    ("PUT /api/v1/certificates/{id}/pin", "D"),
    ("POST /api/v1/certificates/{id}/pin/reset", "D"),
    ("POST /api/v1/certificates/{id}/renew", "D"),
    ("POST /api/v1/certificates/{id}/revoke", "D"),
    ("GET /api/v1/seals", "UMGD"),
    ("POST /api/v1/seals", "UMGD"),
    ("POST /api/v1/seals/generate", "UMGD"),
    // The company seal: the grantee uses it, the admin manages it.
    ("PATCH /api/v1/seals/{id}", "D"),
    ("GET /api/v1/seals/{id}/image", "GD"),
    ("GET /api/v1/seals/{id}/grants", "D"),
    ("PUT /api/v1/seals/{id}/grants", "D"),
    ("POST /api/v1/sign", "UMGD"),
    ("POST /api/v1/sign/external", "UMGD"),
    ("POST /api/v1/sign/external/{id}/finish", "-"),
    // The organisation's task: initiated by the admin, the member signs step 1.
    ("GET /api/v1/tasks", "UMGD"),
    // Those who may initiate anywhere. Here everyone signed in: the demo users have the
    // personal grant, the grantee administers its own organisation, and the unrelated user
    // has made one by then (`POST /api/v1/orgs`). A user without any right is refused in
    // `tasks.rs::signers_are_looked_up_by_exact_name_and_phone`.
    ("POST /api/v1/signers/lookup", "UMGD"),
    ("POST /api/v1/tasks", "MD"),
    ("GET /api/v1/tasks/to_sign/count", "UMGD"),
    ("GET /api/v1/tasks/{id}", "MD"),
    ("PATCH /api/v1/tasks/{id}", "D"),
    ("POST /api/v1/tasks/{id}/start", "D"),
    ("POST /api/v1/tasks/{id}/cancel", "D"),
    // Forwarding needs a signature of one's own (or a completed task one initiated): the
    // admin passes the access rule and meets the task's state (409).
    ("POST /api/v1/tasks/{id}/forward", "D"),
    // Downloads are the initiator's once the task is completed (tasks.rs); on this task in
    // progress, nobody's.
    ("GET /api/v1/tasks/{id}/download", "-"),
    ("GET /api/v1/tasks/{id}/events", "MD"),
    ("GET /api/v1/tasks/{id}/evidence", "-"),
    ("GET /api/v1/tasks/{id}/documents/{doc}/file", "-"),
    ("GET /api/v1/tasks/{id}/documents/{doc}/pages", "MD"),
    ("GET /api/v1/tasks/{id}/documents/{doc}/signatures", "MD"),
    (
        "GET /api/v1/tasks/{id}/documents/{doc}/pages/{number}",
        "MD",
    ),
    ("GET /api/v1/tasks/{id}/steps/{step}/options", "M"),
    ("POST /api/v1/tasks/{id}/steps/{step}/sign", "M"),
    ("POST /api/v1/tasks/{id}/steps/{step}/reject", "M"),
    ("POST /api/v1/tasks/{id}/steps/{step}/external", "M"),
    (
        "POST /api/v1/tasks/{id}/steps/{step}/external/{session}/finish",
        "-",
    ),
    ("POST /api/v1/verify", "AUMGD"),
    ("GET /api/v1/verify/{code}", "-"),
    ("GET /api/v1/dev/sms-outbox", "AUMGD"),
    ("GET /api/v1/dev/captcha/{captcha_id}", "AUMGD"),
    ("GET /pki/ca/{file}", "AUMGD"),
    ("GET /pki/crl/{file}", "AUMGD"),
    ("POST /pki/ocsp", "AUMGD"),
    ("GET /pki/ocsp/{request}", "AUMGD"),
    ("POST /pki/tsa", "AUMGD"),
    ("POST /pki/tsa/sm2", "AUMGD"),
];

/// The order operations run in: those that change who the caller is run last (membership
/// changes, accepting an invitation, a new password, logging out).
fn rank(key: &str) -> u8 {
    if key.starts_with("PATCH") && key.contains("/members/") {
        1
    } else if key.contains("/members/") {
        2
    } else if key.contains("/me/invitations/") {
        3
    } else if key.contains("/auth/logout") {
        4
    } else if key.contains("/me/password") {
        5
    } else {
        0
    }
}

/// What the fixture's path parameters stand for.
struct Fixture {
    tokens: BTreeMap<&'static str, Option<String>>,
    /// A second login of each role, for logging out without ending the first.
    second: BTreeMap<&'static str, Option<String>>,
    passwords: BTreeMap<&'static str, String>,
    refresh: String,
    params: BTreeMap<&'static str, String>,
}

/// Bodies that must carry the fixture's own secrets for the call to reach the access rules
/// (the document's examples carry made-up ones).
fn body_for(key: &str, role: &str, f: &Fixture) -> Option<Value> {
    Some(match key {
        "POST /api/v1/auth/login" => json!({"login": "demoadmin", "password": DEMO_PASSWORD}),
        "POST /api/v1/auth/refresh" => json!({"refresh_token": f.refresh}),
        "POST /api/v1/me/password" => json!({
            "current_password": f.passwords.get(role).cloned().unwrap_or_default(),
            "new_password": "Another-pass-2026"
        }),
        "PUT /api/v1/certificates/{id}/pin" => json!({"old_pin": DEMO_PIN, "new_pin": DEMO_PIN}),
        "POST /api/v1/certificates/{id}/renew" => json!({"pin": DEMO_PIN}),
        "PATCH /api/v1/seals/{id}" => json!({"name": "公章"}),
        _ => return None,
    })
}

async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.login("demoadmin", DEMO_PASSWORD).await;
    let member = app.login("demouser", DEMO_PASSWORD).await;
    let orgs: Value = app.get_json("/api/v1/orgs", Some(&admin)).await;
    let org = orgs["items"][0]["id"].as_str().unwrap().to_owned();
    let member_me: Value = app.get_json("/api/v1/me", Some(&member)).await;
    // The grantee: another member of the organisation, granted the company seal.
    let grantee = taskkit::signer(app, 991, "孙悟空").await;
    signet_store::repo::orgs::add_member(
        &app.state.db,
        signet_store::repo::orgs::Membership {
            id: signet_store::new_id("mem"),
            org_id: org.clone(),
            user_id: grantee.id.clone(),
            role: signet_domain::org::Role::Member,
            can_initiate: false,
            created_at: chrono::Utc::now(),
        },
    )
    .await
    .unwrap();
    let unrelated = taskkit::signer(app, 992, "猪八戒").await;
    // A second invitation for the unrelated user (to decline), from the grantee's own
    // organisation.
    let r = app
        .post(
            "/api/v1/orgs",
            &json!({"name": "花果山公司"}),
            Some(&grantee.token),
        )
        .await;
    let other_org: Value = r.json().await.unwrap();
    let r = app
        .post(
            &format!(
                "/api/v1/orgs/{}/invitations",
                other_org["id"].as_str().unwrap()
            ),
            &json!({"phone": unrelated.person.phone, "role": "member"}),
            Some(&grantee.token),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let second_invitation: Value = r.json().await.unwrap();
    let company = taskkit::company_seal(app, &admin).await;
    let r = app
        .client
        .put(app.url(&format!(
            "/api/v1/seals/{}/grants",
            company["id"].as_str().unwrap()
        )))
        .bearer_auth(&admin)
        .json(&json!({"user_ids": [grantee.id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The admin's organisation task, the member signing step 1.
    let r = taskkit::create_task(
        app,
        &admin,
        json!({"org_id": org, "documents": [{"part": "doc1"}],
               "steps": [{"signer": {"name": "李四", "phone": "13800000002"}, "order": 1}],
               "start": true}),
        &[("doc1", pdfkit::corpus_pdf())],
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let task: Value = r.json().await.unwrap();
    // An invitation for the unrelated user.
    let r = app
        .post(
            &format!("/api/v1/orgs/{org}/invitations"),
            &json!({"phone": unrelated.person.phone, "role": "member"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let invitation: Value = r.json().await.unwrap();
    let (captcha, _) = app.captcha().await;
    let ca_id = signet_store::repo::pki::certificate(
        &app.state.db,
        company["certificate_id"].as_str().unwrap(),
    )
    .await
    .unwrap()
    .unwrap()
    .ca_id;
    let params = BTreeMap::from([
        ("org_id", org.clone()),
        ("user_id", member_me["id"].as_str().unwrap().to_owned()),
        (
            "invitation_id",
            invitation["id"].as_str().unwrap().to_owned(),
        ),
        ("kind", "user_agreement".to_owned()),
        ("version", "1".to_owned()),
        ("captcha_id", captcha),
        ("task", task["id"].as_str().unwrap().to_owned()),
        (
            "doc",
            task["documents"][0]["id"].as_str().unwrap().to_owned(),
        ),
        ("step", task["steps"][0]["id"].as_str().unwrap().to_owned()),
        ("number", "1".to_owned()),
        (
            "certificate",
            company["certificate_id"].as_str().unwrap().to_owned(),
        ),
        ("seal", company["id"].as_str().unwrap().to_owned()),
        ("session", "ext_00000000000000000000000000000000".to_owned()),
        ("code", "AAAA-AAAA-AAAA-AAAA".to_owned()),
        ("file", format!("{ca_id}.pem")),
        ("crl", format!("{ca_id}.crl")),
        (
            "invitation2",
            second_invitation["id"].as_str().unwrap().to_owned(),
        ),
        ("request", "MAA".to_owned()),
    ]);
    let passwords = BTreeMap::from([
        ("unrelated", unrelated.person.password.clone()),
        ("member", DEMO_PASSWORD.to_owned()),
        ("grantee", grantee.person.password.clone()),
        ("admin", DEMO_PASSWORD.to_owned()),
    ]);
    let refresh = app.login_pair("demoadmin", DEMO_PASSWORD).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = BTreeMap::from([
        ("anonymous", None),
        (
            "unrelated",
            Some(
                app.login(&unrelated.person.account_name, &unrelated.person.password)
                    .await,
            ),
        ),
        ("member", Some(app.login("demouser", DEMO_PASSWORD).await)),
        (
            "grantee",
            Some(
                app.login(&grantee.person.account_name, &grantee.person.password)
                    .await,
            ),
        ),
        ("admin", Some(app.login("demoadmin", DEMO_PASSWORD).await)),
    ]);
    let tokens = BTreeMap::from([
        ("anonymous", None),
        ("unrelated", Some(unrelated.token)),
        ("member", Some(member)),
        ("grantee", Some(grantee.token)),
        ("admin", Some(admin)),
    ]);
    Fixture {
        tokens,
        second,
        passwords,
        refresh,
        params,
    }
}

/// The concrete path of an operation for the fixture.
fn concrete(path: &str, f: &Fixture) -> String {
    let id = if path.starts_with("/api/v1/tasks/") {
        &f.params["task"]
    } else if path.starts_with("/api/v1/certificates/") {
        &f.params["certificate"]
    } else if path.starts_with("/api/v1/seals/") {
        &f.params["seal"]
    } else {
        &f.params["session"]
    };
    let mut out = path.replace("{id}", id);
    if path.starts_with("/pki/crl/") {
        out = out.replace("{file}", &f.params["crl"]);
    }
    if path.ends_with("/decline") {
        out = out.replace("{invitation_id}", &f.params["invitation2"]);
    }
    for (name, value) in &f.params {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The example of an operation's JSON request body, from the document.
fn example_body(doc: &Value, op: &Value) -> Option<(String, Value)> {
    let content = op["requestBody"]["content"].as_object()?;
    let (media, spec) = content.iter().next()?;
    let schema = &spec["schema"];
    let example = match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            doc["components"]["schemas"][name]["example"].clone()
        }
        None => schema["example"].clone(),
    };
    Some((media.clone(), example))
}

#[allow(clippy::too_many_arguments)]
async fn call(
    app: &TestApp,
    doc: &Value,
    key: &str,
    role: &str,
    method: &str,
    path: &str,
    op: &Value,
    f: &Fixture,
    token: Option<&str>,
) -> u16 {
    let url = app.url(&concrete(path, f));
    let mut req = app.client.request(method.parse().unwrap(), url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let body = example_body(doc, op)
        .map(|(media, example)| (media, body_for(key, role, f).unwrap_or(example)));
    match body {
        Some((media, example)) if media == "application/json" => req = req.json(&example),
        Some((media, example)) if media == "multipart/form-data" => {
            let form = reqwest::multipart::Form::new().text("request", example.to_string());
            req = req.multipart(form);
        }
        Some((media, _)) => {
            req = req
                .header("content-type", media)
                .body(b"not really".to_vec())
        }
        None => {}
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn every_operation_allows_exactly_its_roles() {
    let doc: Value = serde_json::from_str(&signet_server::openapi::document_json()).unwrap();
    let table: BTreeMap<&str, &str> = MATRIX.iter().copied().collect();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let key = format!("{} {path}", method.to_uppercase());
            assert!(
                table.contains_key(key.as_str()),
                "{key} has no row in the authorization matrix (tests/authz.rs)"
            );
            ops.push((key, method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    assert_eq!(
        ops.len(),
        table.len(),
        "a row names an operation that does not exist"
    );
    ops.sort_by_key(|(key, ..)| rank(key));
    let mut wrong = Vec::new();
    for (backend, r, role) in [Backend::Sqlite, Backend::Postgres]
        .into_iter()
        .flat_map(|b| ROLES.iter().enumerate().map(move |(r, role)| (b, r, role)))
    {
        // PostgreSQL is skipped outside CI when it is not running (common::spawn_app).
        let Some(app) = spawn_app(backend).await else {
            continue;
        };
        let f = fixture(&app).await;
        for (key, method, path, op) in &ops {
            let token = if key.contains("/auth/logout") {
                f.second[role].clone()
            } else {
                f.tokens[role].clone()
            };
            let status = call(
                &app,
                &doc,
                key,
                role,
                method,
                path,
                op,
                &f,
                token.as_deref(),
            )
            .await;
            let allowed = !matches!(status, 401 | 403 | 404);
            let letter = ["A", "U", "M", "G", "D"][r];
            let expected = table[key.as_str()].contains(letter);
            if allowed != expected {
                wrong.push(format!(
                    "{key} as {role} ({backend:?}): {status} ({}; the matrix says {})",
                    if allowed { "allowed" } else { "denied" },
                    if expected { "allowed" } else { "denied" }
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
