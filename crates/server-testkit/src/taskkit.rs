//! Signing-task helpers shared by the task and evidence tests: signers with a certificate
//! and a seal, creating tasks, signing steps, and checking files with pyHanko.

use crate::pdfkit::corpus_pdf;
use crate::{Person, TestApp};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::path::Path;

pub const PIN: &str = "135790";

/// A registered user with a P-256 personal certificate and a generated personal seal.
pub struct Signer {
    pub person: Person,
    pub token: String,
    pub id: String,
    pub cert: String,
    pub seal: String,
}

pub async fn signer(app: &TestApp, n: u32, name: &str) -> Signer {
    let mut person = Person::new(n);
    person.real_name = name.into();
    let token = app.signup(&person).await;
    let me: Value = app.get_json("/api/v1/me", Some(&token)).await;
    let r = app
        .post(
            "/api/v1/certificates",
            &json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let cert: Value = r.json().await.unwrap();
    let r = app
        .post("/api/v1/seals/generate", &json!({}), Some(&token))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let seal: Value = r.json().await.unwrap();
    Signer {
        person,
        token,
        id: me["id"].as_str().unwrap().into(),
        cert: cert["id"].as_str().unwrap().into(),
        seal: seal["id"].as_str().unwrap().into(),
    }
}

/// The demo organisation's company seal (公章), as its admin (`admin` token) lists it.
pub async fn company_seal(app: &TestApp, admin: &str) -> Value {
    let seals: Value = app.get_json("/api/v1/seals", Some(admin)).await;
    seals["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "company")
        .unwrap()
        .clone()
}

pub async fn grant_initiate(app: &TestApp, s: &Signer) {
    signet_store::tasks::set_initiate_grant(&app.state.db, &s.id, true, "test", chrono::Utc::now())
        .await
        .unwrap();
}

pub fn step(s: &Signer, order: u32) -> Value {
    json!({"signer": {"name": s.person.real_name, "phone": s.person.phone}, "order": order})
}

pub async fn create_task(
    app: &TestApp,
    token: &str,
    request: Value,
    pdfs: &[(&str, Vec<u8>)],
) -> reqwest::Response {
    let mut form = Form::new().text("request", request.to_string());
    for (part, bytes) in pdfs {
        form = form.part(
            part.to_string(),
            Part::bytes(bytes.clone())
                .file_name(format!("{part}.pdf"))
                .mime_str("application/pdf")
                .unwrap(),
        );
    }
    app.client
        .post(app.url("/api/v1/tasks"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

pub async fn created(app: &TestApp, token: &str, request: Value) -> Value {
    let r = create_task(app, token, request, &[("doc1", corpus_pdf())]).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

pub fn step_of<'a>(task: &'a Value, signer: &Signer) -> &'a str {
    task["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["signer_id"] == signer.id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
}

pub fn doc(task: &Value) -> &str {
    task["documents"][0]["id"].as_str().unwrap()
}

pub fn seal_at(task: &Value, s: &Signer, x: f64) -> Value {
    json!({"document_id": doc(task), "certificate_id": s.cert, "seal_id": s.seal, "kind": "seal",
           "page": 1, "rect": [x, 80.0, 90.0, 90.0],
           "date": {"page": 1, "at": [x, 60.0], "size": 10.0}})
}

pub async fn sign(
    app: &TestApp,
    task: &Value,
    s: &Signer,
    placements: Value,
    pins: Value,
) -> reqwest::Response {
    let step = step_of(task, s);
    let path = format!(
        "/api/v1/tasks/{}/steps/{step}/sign",
        task["id"].as_str().unwrap()
    );
    app.post(
        &path,
        &json!({"placements": placements, "pins": pins}),
        Some(&s.token),
    )
    .await
}

pub async fn sign_ok(app: &TestApp, task: &Value, s: &Signer, x: f64) -> Value {
    let r = sign(
        app,
        task,
        s,
        json!([seal_at(task, s, x)]),
        json!({s.cert.clone(): PIN}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

pub async fn get_task(app: &TestApp, id: &str, token: &str) -> Value {
    let r = app.get(&format!("/api/v1/tasks/{id}"), Some(token)).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

pub async fn to_sign_count(app: &TestApp, token: &str) -> u64 {
    let v: Value = app
        .get_json("/api/v1/tasks/to_sign/count", Some(token))
        .await;
    v["count"].as_u64().unwrap()
}

/// The Signet P-256 root, the last certificate of a certificate's chain.
pub async fn root_pem(app: &TestApp, token: &str, cert: &str, dir: &Path) -> std::path::PathBuf {
    let r = app
        .get(&format!("/api/v1/certificates/{cert}"), Some(token))
        .await;
    assert_eq!(r.status(), 200, "certificate");
    let v: Value = r.json().await.unwrap();
    let chain = v["chain_pem"].as_str().unwrap();
    let start = chain.rfind("-----BEGIN CERTIFICATE-----").unwrap();
    let p = dir.join("root.pem");
    std::fs::write(&p, &chain[start..]).unwrap();
    p
}

/// pyHanko validates every signature of the file against the Signet root; returns how many
/// it judged valid.
pub async fn pyhanko_valid(pdf: &Path, root: &Path) -> usize {
    let (pdf, root) = (pdf.to_owned(), root.to_owned());
    tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new("pyhanko")
            .args([
                "sign",
                "validate",
                "--no-revocation-check",
                "--pretty-print",
                "--trust-replace",
                "--trust",
            ])
            .arg(&root)
            .arg(&pdf)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "pyhanko failed:\n{text}");
        assert!(!text.contains("INVALID"), "{text}");
        text.matches("The signature is judged VALID").count()
    })
    .await
    .unwrap()
}

pub async fn download(app: &TestApp, task: &Value, token: &str) -> reqwest::Response {
    let path = format!(
        "/api/v1/tasks/{}/documents/{}/file",
        task["id"].as_str().unwrap(),
        doc(task)
    );
    app.get(&path, Some(token)).await
}
