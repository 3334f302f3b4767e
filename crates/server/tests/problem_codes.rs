//! Every problem code the docs name has a test that produces it: the ones no other test
//! reaches are produced here (on SQLite; the code paths do not depend on the database), and
//! `every_documented_code_is_produced_by_a_test` keeps it so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit as common;
use signet_server_testkit::pdfkit;
use signet_server_testkit::taskkit;

use common::{Backend, TestApp, assert_problem, spawn_app, spawn_with};
use pdfkit::corpus_pdf;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use signet_server::demo::{DEMO_PASSWORD, DEMO_PIN};

fn pdf_part(bytes: Vec<u8>) -> Part {
    Part::bytes(bytes)
        .file_name("doc.pdf")
        .mime_str("application/pdf")
        .unwrap()
}

async fn verify_upload(app: &TestApp, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/verify"))
        .header("content-type", "application/pdf")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A node whose PKI was never initialised (no `--demo`, no `pki.auto_init`, no `signet pki
/// init`) answers its PKI services with 503 and Retry-After.
#[tokio::test]
async fn pki_not_initialised() {
    let app = spawn_with(Backend::Sqlite, |s| {
        s.demo = false;
        s.pki.auto_init = false;
    })
    .await
    .unwrap();
    let r = app
        .client
        .post(app.url("/pki/tsa"))
        .header("content-type", "application/timestamp-query")
        .body(b"0".to_vec())
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("retry-after").is_some());
    assert_problem(r, 503, "pki_not_initialised").await;
}

/// A document certified with DocMDP P=1 allows no change at all, not even a signature.
#[tokio::test]
async fn pdf_certified_no_changes() {
    use lopdf::{Object, dictionary};
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let mut doc = lopdf::Document::load_mem(&corpus_pdf()).unwrap();
    let sig = doc.add_object(dictionary! {
        "Type" => "Sig",
        "Reference" => vec![Object::Dictionary(dictionary! {
            "Type" => "SigRef", "TransformMethod" => "DocMDP",
            "TransformParams" => dictionary! { "Type" => "TransformParams", "P" => 1, "V" => "1.2" },
        })],
    });
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    doc.get_object_mut(root)
        .unwrap()
        .as_dict_mut()
        .unwrap()
        .set("Perms", dictionary! { "DocMDP" => sig });
    let mut certified = Vec::new();
    doc.save_to(&mut certified).unwrap();
    let admin = app.login("demoadmin", DEMO_PASSWORD).await;
    let r = taskkit::create_task(
        &app,
        &admin,
        json!({"documents": [{"part": "doc1"}], "steps": [{"myself": true, "order": 1}]}),
        &[("doc1", certified)],
    )
    .await;
    assert_problem(r, 422, "pdf_certified_no_changes").await;
}

/// Every signing slot of the node busy for longer than a request waits: 503 with Retry-After.
#[tokio::test]
async fn signing_busy() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let mut held = Vec::new();
    for _ in 0..signet_server::app::signing::MAX_CONCURRENT {
        held.push(signet_server::app::signing::slot().await.unwrap());
    }
    let r = verify_upload(&app, corpus_pdf()).await;
    assert!(r.headers().get("retry-after").is_some());
    assert_problem(r, 503, "signing_busy").await;
    drop(held);
    assert_eq!(verify_upload(&app, corpus_pdf()).await.status(), 200);
}

/// Every password-hashing permit busy for longer than a login waits.
#[tokio::test]
async fn auth_busy() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let mut held = Vec::new();
    for _ in 0..signet_server::auth::MAX_CONCURRENT_HASHES {
        held.push(signet_server::auth::hashing_permit().await.unwrap());
    }
    let r = app
        .post(
            "/api/v1/auth/login",
            &json!({"login": "demoadmin", "password": DEMO_PASSWORD}),
            None,
        )
        .await;
    assert_problem(r, 503, "auth_busy").await;
    drop(held);
    app.login("demoadmin", DEMO_PASSWORD).await;
}

/// A body declared larger than 50 MB is refused before any of it is read (the request is
/// written by hand: headers only, so nothing large is ever sent).
#[tokio::test]
async fn pdf_too_large() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let host = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    let head = format!(
        "POST /api/v1/verify HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/pdf\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        signet_server::app::signing::MAX_PDF + 1
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    let code = "pdf_too_large";
    assert!(text.contains(&format!("\"code\":\"{code}\"")), "{text}");
}

#[tokio::test]
async fn too_many_documents() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let admin = app.login("demoadmin", DEMO_PASSWORD).await;
    let max = signet_domain::workflow::MAX_DOCUMENTS;
    let mut form = Form::new().text(
        "request",
        json!({"documents": (0..=max).map(|i| json!({"part": format!("d{i}")})).collect::<Vec<_>>(),
               "steps": [{"myself": true, "order": 1}]})
        .to_string(),
    );
    for i in 0..=max {
        form = form.part(format!("d{i}"), pdf_part(corpus_pdf()));
    }
    let r = app
        .client
        .post(app.url("/api/v1/tasks"))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body = assert_problem(r, 400, "too_many_documents").await;
    assert_eq!(body["field"], "documents");
}

/// An organisation step that asks for the organisation's seal, signed with the
/// organisation's certificate but a personal seal.
#[tokio::test]
async fn seal_not_for_step() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let admin = app.login("demoadmin", DEMO_PASSWORD).await;
    let orgs: Value = app.get_json("/api/v1/orgs", Some(&admin)).await;
    let org = orgs["items"][0]["id"].as_str().unwrap().to_owned();
    let company = taskkit::company_seal(&app, &admin).await;
    let personal: Value = app
        .post("/api/v1/seals/generate", &json!({}), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    let r = taskkit::create_task(
        &app,
        &admin,
        json!({"org_id": org, "documents": [{"part": "doc1"}],
               "steps": [{"myself": true, "order": 1, "org_id": org, "seal_kind": "organization"}],
               "start": true}),
        &[("doc1", corpus_pdf())],
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let task: Value = r.json().await.unwrap();
    let cert = company["certificate_id"].as_str().unwrap();
    let r = app
        .post(
            &format!(
                "/api/v1/tasks/{}/steps/{}/sign",
                task["id"].as_str().unwrap(),
                task["steps"][0]["id"].as_str().unwrap()
            ),
            &json!({"placements": [{"document_id": taskkit::doc(&task), "certificate_id": cert,
                    "seal_id": personal["id"], "kind": "seal", "page": 1, "rect": [80.0, 80.0, 90.0, 90.0]}],
                    "pins": {cert: DEMO_PIN}}),
            Some(&admin),
        )
        .await;
    assert_problem(r, 422, "seal_not_for_step").await;
}

/// A stored revision that can no longer be drawn (here: its blob overwritten on disk).
#[tokio::test]
async fn page_not_renderable() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let admin = app.login("demoadmin", DEMO_PASSWORD).await;
    let r = taskkit::create_task(
        &app,
        &admin,
        json!({"documents": [{"part": "doc1"}], "steps": [{"myself": true, "order": 1}]}),
        &[("doc1", corpus_pdf())],
    )
    .await;
    assert_eq!(r.status(), 201);
    let task: Value = r.json().await.unwrap();
    let sha = task["documents"][0]["sha256"].as_str().unwrap();
    let blob = app
        .state
        .settings
        .data_dir
        .join("blobs")
        .join(&sha[..2])
        .join(sha);
    std::fs::write(&blob, b"%PDF-1.7\nnot a page in sight\n%%EOF\n").unwrap();
    let r = app
        .get(
            &format!(
                "/api/v1/tasks/{}/documents/{}/pages/1",
                task["id"].as_str().unwrap(),
                taskkit::doc(&task)
            ),
            Some(&admin),
        )
        .await;
    let body = assert_problem(r, 422, "page_not_renderable").await;
    // The renderer's own text is not sent.
    assert!(!body.to_string().to_lowercase().contains("lopdf"), "{body}");
}

/// A write while another connection holds SQLite's write lock past the busy timeout: 503
/// with Retry-After, nothing half-written.
#[tokio::test]
async fn database_busy() {
    use secrecy::ExposeSecret;
    use signet_store::sea_orm::{ConnectionTrait, TransactionTrait};
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let url = app.state.settings.database.url.expose_secret().to_owned();
    let other = signet_store::connect(&url, 1).await.unwrap();
    let txn = other.begin().await.unwrap();
    txn.execute_unprepared("UPDATE agreements SET version = version")
        .await
        .unwrap();
    let before = app.count("captchas").await;
    let r = app.post("/api/v1/captcha", &json!({}), None).await;
    assert!(r.headers().get("retry-after").is_some());
    assert_problem(r, 503, "database_busy").await;
    txn.rollback().await.unwrap();
    assert_eq!(app.count("captchas").await, before);
    assert_eq!(
        app.post("/api/v1/captcha", &json!({}), None).await.status(),
        201
    );
}

/// Every problem code the documentation names appears in some test as a produced code.
#[test]
fn every_documented_code_is_produced_by_a_test() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let i18n = std::fs::read_to_string(root.join("crates/server/src/i18n.rs")).unwrap();
    let codes: Vec<&str> = i18n
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let rest = l.strip_prefix('"')?;
            let (code, tail) = rest.split_once('"')?;
            tail.trim_start().starts_with("=> (").then_some(code)
        })
        .collect();
    assert!(codes.len() > 100, "{} codes", codes.len());
    let mut docs = String::new();
    for dir in ["docs"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            docs += &std::fs::read_to_string(e.unwrap().path()).unwrap();
        }
    }
    docs += &std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut tests = String::new();
    let mut stack = vec![root.join("crates"), root.join("e2e")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "node_modules" && name != "target" && name != "fixtures" {
                    stack.push(path);
                }
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let in_tests = path.components().any(|c| c.as_os_str() == "tests");
            if in_tests && (name.ends_with(".rs") || name.ends_with(".mjs")) {
                tests += &text;
            } else if name.ends_with(".rs")
                && let Some(at) = text.find("#[cfg(test)]")
            {
                tests += &text[at..];
            }
        }
    }
    // Produced only through an outside PKCS#11 module's lockout, which SoftHSM does not have.
    let untestable = ["token_locked"];
    let missing: Vec<&&str> = codes
        .iter()
        .filter(|c| docs.contains(&format!("`{c}`")))
        .filter(|c| !untestable.contains(c) && !tests.contains(&format!("\"{c}\"")))
        .collect();
    assert!(
        missing.is_empty(),
        "documented problem codes no test produces: {missing:?}"
    );
}
