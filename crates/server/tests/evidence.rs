//! The evidence trail over HTTP, on SQLite and PostgreSQL: hash-chained audit events for
//! every change, view and download; TSA anchors; `signet audit verify` naming the broken link
//! after an event is edited, deleted or reordered in the database; concurrent page views that
//! must not fork a chain; the signed evidence report (pdftotext finds the Chinese names,
//! pyHanko accepts its signature, its hashes are the stored files'); public verification by
//! upload and by code; and, on PostgreSQL, an application role that cannot change events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit as common;
use signet_server_testkit::on_both;
use signet_server_testkit::pdfkit;
use signet_server_testkit::taskkit;

use common::{Backend, TestApp, assert_problem, spawn_app};
use pdfkit::tools;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use signet_pdf::TimestampSource as _;
use taskkit::*;

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn id(task: &Value) -> &str {
    task["id"].as_str().unwrap()
}

/// A completed task: A initiates, B signs. Returns (A, B, task as B's last answer).
async fn completed(app: &TestApp, base: u32) -> (Signer, Signer, Value) {
    let a = signer(app, base, "张三").await;
    let b = signer(app, base + 1, "李四").await;
    grant_initiate(app, &a).await;
    let task = created(
        app,
        &a.token,
        json!({"name": "反担保合同", "documents": [{"part": "doc1"}],
               "steps": [step(&b, 1)], "start": true}),
    )
    .await;
    let done = sign_ok(app, &task, &b, 100.0).await;
    assert_eq!(done["state"], "completed");
    (a, b, done)
}

async fn trail(app: &TestApp, task: &str, token: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/tasks/{task}/events"), Some(token))
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Runs due jobs until none is left.
async fn drain_jobs(app: &TestApp) {
    while signet_server::worker::run_once(&app.state, "test-worker")
        .await
        .unwrap()
    {}
}

/// A task's first anchor, once there is one: the app's own worker may hold the anchor job
/// while `drain_jobs` finds nothing due.
async fn first_anchor(app: &TestApp, task: &str) -> signet_store::audit::Anchor {
    for _ in 0..200 {
        drain_jobs(app).await;
        let mut anchors = signet_store::audit::anchors(&app.state.db, task)
            .await
            .unwrap();
        if !anchors.is_empty() {
            return anchors.remove(0);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("task {task} was never anchored");
}

/// `signet audit verify [--task T]` against the app's database; (success, output).
fn audit_verify(app: &TestApp, task: Option<&str>) -> (bool, String) {
    let s = &app.state.settings;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_signet"));
    cmd.args(["audit", "verify"])
        .env("SIGNET_DATA_DIR", &s.data_dir)
        .env("SIGNET_DATABASE__URL", s.database.url.expose_secret())
        .env("SIGNET_MASTER_KEY", app.state.master.to_base64())
        .env("SIGNET_LOG__FILTER", "warn");
    if let Some(t) = task {
        cmd.args(["--task", t]);
    }
    let out = cmd.output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

on_both!(
    the_trail_the_report_and_public_verification,
    tampering_is_named_by_audit_verify,
    concurrent_views_do_not_fork_the_chain,
    lying_anchors_fail_audit_verify,
);

/// Sets task `task`'s (first) anchor's sequence number and token.
async fn rewrite_anchor(app: &TestApp, task: &str, seq: i64, token: Vec<u8>) {
    use signet_store::entities::audit_anchor;
    use signet_store::sea_orm::sea_query::Expr;
    use signet_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    audit_anchor::Entity::update_many()
        .col_expr(audit_anchor::Column::Seq, Expr::value(seq))
        .col_expr(audit_anchor::Column::Token, Expr::value(token))
        .filter(audit_anchor::Column::TaskId.eq(task))
        .exec(&app.state.db)
        .await
        .unwrap();
}

/// `signet audit verify` fails, naming the problem, for each way an anchor can lie: it sits at
/// a sequence number whose event has another hash; its token stamps another hash; its token
/// comes from a TSA the platform does not trust (another installation's, over the right hash).
async fn lying_anchors_fail_audit_verify(app: TestApp) {
    let (_, _, first) = completed(&app, 971).await;
    let (_, _, second) = completed(&app, 975).await;
    drain_jobs(&app).await;
    let (t1, t2) = (id(&first).to_owned(), id(&second).to_owned());
    let (a1, a2) = (first_anchor(&app, &t1).await, first_anchor(&app, &t2).await);
    let (ok, out) = audit_verify(&app, Some(&t1));
    assert!(ok, "{out}");

    rewrite_anchor(&app, &t1, a1.seq - 1, a1.token.clone()).await;
    let (ok, out) = audit_verify(&app, Some(&t1));
    assert!(!ok, "{out}");
    assert!(out.contains("no longer has the anchored hash"), "{out}");

    rewrite_anchor(&app, &t1, a1.seq, a2.token.clone()).await;
    let (ok, out) = audit_verify(&app, Some(&t1));
    assert!(!ok, "{out}");
    assert!(out.contains("stamps another hash"), "{out}");

    let other = spawn_app(Backend::Sqlite).await.unwrap();
    let stranger =
        signet_server::app::signing::Timestamps::from_settings("", other.state.ca.clone()).unwrap();
    let digest = hex::decode(&a1.head_hash).unwrap();
    let token = tokio::task::spawn_blocking(move || {
        stranger
            .token(signet_pki::sign::KeyAlgorithm::EcdsaP256, &digest)
            .unwrap()
    })
    .await
    .unwrap();
    rewrite_anchor(&app, &t1, a1.seq, token).await;
    let (ok, out) = audit_verify(&app, Some(&t1));
    assert!(!ok, "{out}");
    assert!(out.contains("not issued by a trusted TSA"), "{out}");
    assert!(!out.contains("stamps another hash"), "{out}");

    rewrite_anchor(&app, &t1, a1.seq, a1.token.clone()).await;
    let (ok, out) = audit_verify(&app, Some(&t1));
    assert!(ok, "{out}");
}

async fn the_trail_the_report_and_public_verification(app: TestApp) {
    let (a, b, done) = completed(&app, 901).await;
    let task = id(&done);
    let doc_id = doc(&done);

    // A view and a download are events too.
    let page = app
        .get(
            &format!("/api/v1/tasks/{task}/documents/{doc_id}/pages/1?width=300"),
            Some(&b.token),
        )
        .await;
    assert_eq!(page.status(), 200);
    let r = download(&app, &done, &a.token).await;
    assert_eq!(r.status(), 200);
    let final_pdf = r.bytes().await.unwrap().to_vec();
    let final_sha = sha256_hex(&final_pdf);

    // The initiator's view (a signer's has no addresses: security.rs).
    let t = trail(&app, task, &a.token).await;
    assert_eq!(t["intact"], true, "{t}");
    assert_eq!(
        trail(&app, task, &b.token).await["head_hash"],
        t["head_hash"]
    );
    let items = t["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for k in [
        "task_created",
        "task_started",
        "step_activated",
        "step_signed",
        "task_completed",
        "page_viewed",
        "document_downloaded",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    for (i, e) in items.iter().enumerate() {
        assert_eq!(e["seq"], i as i64 + 1);
        let prev = if i == 0 {
            "0".repeat(64)
        } else {
            items[i - 1]["hash"].as_str().unwrap().to_owned()
        };
        assert_eq!(e["prev_hash"], prev.as_str());
    }
    assert_eq!(t["head_hash"], items.last().unwrap()["hash"]);
    let signed = items.iter().find(|e| e["kind"] == "step_signed").unwrap();
    assert_eq!(signed["actor_name"], "李四");
    assert!(signed["ip"].as_str().unwrap().starts_with("127.0.0.1"));
    assert!(
        signed["detail"]["certificates"][0]["serial"]
            .as_str()
            .is_some_and(|s| s.len() > 8),
        "{signed}"
    );
    assert_eq!(
        signed["detail"]["revisions"][doc_id].as_str().unwrap(),
        final_sha
    );
    assert_eq!(
        signed["document_hashes"][doc_id].as_str().unwrap(),
        final_sha
    );
    let viewed = items.iter().find(|e| e["kind"] == "page_viewed").unwrap();
    assert_eq!(viewed["detail"]["page"], 1);

    // Outsiders see nothing.
    let c = signer(&app, 909, "王五").await;
    assert_problem(
        app.get(&format!("/api/v1/tasks/{task}/events"), Some(&c.token))
            .await,
        404,
        "task_not_found",
    )
    .await;

    // Completion queued an anchor: the worker timestamps the chain's head.
    first_anchor(&app, task).await;
    let t = trail(&app, task, &a.token).await;
    let anchors = t["anchors"].as_array().unwrap();
    assert_eq!(anchors.len(), 1, "{t}");
    assert!(anchors[0]["time"].is_string());
    assert_eq!(t["intact"], true, "{t}");
    let (ok, out) = audit_verify(&app, Some(task));
    assert!(ok, "{out}");
    assert!(out.contains("1 anchor(s)"), "{out}");
    // A later view grows the chain past its anchor; the periodic sweep anchors it again.
    let page = app
        .get(
            &format!("/api/v1/tasks/{task}/documents/{doc_id}/pages/1?width=300"),
            Some(&a.token),
        )
        .await;
    assert_eq!(page.status(), 200);
    assert_eq!(signet_server::evidence::sweep(&app.state).await.unwrap(), 1);
    assert_eq!(signet_server::evidence::sweep(&app.state).await.unwrap(), 0);

    // The evidence report: the initiator's only.
    assert_problem(
        app.get(&format!("/api/v1/tasks/{task}/evidence"), Some(&b.token))
            .await,
        403,
        "download_not_allowed",
    )
    .await;
    let r = app
        .get(&format!("/api/v1/tasks/{task}/evidence"), Some(&a.token))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let report = r.bytes().await.unwrap().to_vec();
    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("report.pdf");
    std::fs::write(&report_path, &report).unwrap();
    let t = trail(&app, task, &a.token).await;
    let last = t["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "evidence_exported");
    // Exporting anchored the chain including the export itself.
    assert_eq!(
        t["anchors"].as_array().unwrap().last().unwrap()["seq"],
        last["seq"]
    );

    // Our validator (through the public endpoint) accepts the report and the contract.
    for (pdf, signatures) in [(&report, 1), (&final_pdf, 1)] {
        let r = app
            .client
            .post(app.url("/api/v1/verify"))
            .header("content-type", "application/pdf")
            .body(pdf.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["verdict"], "valid", "{v}");
        assert!(v["signatures"].as_array().unwrap().len() >= signatures);
    }

    if tools(&["pdftotext"]) {
        let out = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&report_path)
            .arg("-")
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        for needle in [
            "电子签署证据报告",
            "反担保合同",
            "张三",
            "李四",
            "完成签署",
            "导出证据报告",
            final_sha.as_str(),
            t["head_hash"].as_str().unwrap(),
        ] {
            assert!(text.contains(needle), "{needle} not in the report:\n{text}");
        }
        // Every hash it lists for the document is a stored revision.
        let original = done["documents"][0]["sha256"].as_str().unwrap();
        assert!(text.contains(original));
        let stored = app.state.blobs.get(original).await.unwrap();
        assert_eq!(sha256_hex(&stored), original);
    }
    if tools(&["pyhanko"]) {
        let root = root_pem(&app, &b.token, &b.cert, dir.path()).await;
        assert_eq!(pyhanko_valid(&report_path, &root).await, 1);
    }

    // The verification code, shown to participants of the completed task.
    let view = get_task(&app, task, &b.token).await;
    let code = view["documents"][0]["verification_code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 19, "{code}");
    let r = app.get(&format!("/api/v1/verify/{code}"), None).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["document_name"], "doc1");
    assert_eq!(v["sha256"], final_sha.as_str());
    assert_eq!(v["verdict"], "valid", "{v}");
    assert_eq!(v["signers"][0]["name"], "李四");
    let body = v.to_string();
    assert!(!body.contains(&b.person.phone) && !body.contains(&b.person.id_card_number));
    // As typed: lower case, without dashes.
    let typed = code.replace('-', "").to_lowercase();
    assert_eq!(
        app.get(&format!("/api/v1/verify/{typed}"), None)
            .await
            .status(),
        200
    );
    // Unknown and malformed codes get the same answer.
    let unknown = assert_problem(
        app.get("/api/v1/verify/AAAA-AAAA-AAAA-AAAA", None).await,
        404,
        "verification_code_not_found",
    )
    .await;
    let malformed = assert_problem(
        app.get("/api/v1/verify/not-a-code", None).await,
        404,
        "verification_code_not_found",
    )
    .await;
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&unknown), keys(&malformed));
    assert_eq!(unknown["detail"], malformed["detail"]);

    // A tampered copy: one byte of the signed content changed.
    let mut tampered = final_pdf.clone();
    let at = tampered.windows(6).position(|w| w == b"stream").unwrap() + 20;
    tampered[at] ^= 0x01;
    let r = app
        .client
        .post(app.url("/api/v1/verify"))
        .header("content-type", "application/pdf")
        .body(tampered)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_ne!(v["verdict"], "valid", "{v}");
    // Not a PDF: a report that says so, not an error.
    let r = app
        .client
        .post(app.url("/api/v1/verify"))
        .header("content-type", "application/pdf")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["verdict"], "unreadable");
    let r = app
        .client
        .post(app.url("/api/v1/verify"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_problem(r, 415, "pdf_body_required").await;
    // Nothing uploaded is stored: the blob store holds no copy of the tampered file.
    assert!(app.state.blobs.get(&sha256_hex(b"hello")).await.is_err());
}

/// Edits, deletions and reorderings of event rows, made directly in the database as its
/// owner, are named by `signet audit verify`.
async fn tampering_is_named_by_audit_verify(app: TestApp) {
    let (a1, _, one) = completed(&app, 921).await;
    let (_, _, two) = completed(&app, 931).await;
    let (_, _, three) = completed(&app, 941).await;
    let (ok, out) = audit_verify(&app, None);
    assert!(ok, "{out}");
    let seq_id = |task: &str, seq: i64| {
        let task = task.to_owned();
        let app = &app;
        async move {
            let t: Value = app
                .state
                .db
                .query_one_raw(signet_store::sea_orm::Statement::from_string(
                    app.state.db.get_database_backend(),
                    format!("SELECT id FROM task_events WHERE task_id = '{task}' AND seq = {seq}"),
                ))
                .await
                .unwrap()
                .map(|r| json!(r.try_get::<String>("", "id").unwrap()))
                .unwrap();
            t.as_str().unwrap().to_owned()
        }
    };
    use signet_store::sea_orm::ConnectionTrait;

    // Edit: the IP of event 2 of the first task.
    let e = seq_id(id(&one), 2).await;
    app.sql(&format!(
        "UPDATE task_events SET ip = '10.9.8.7' WHERE id = '{e}'"
    ))
    .await;
    // Delete: event 3 of the second task.
    let e3 = seq_id(id(&two), 3).await;
    app.sql(&format!("DELETE FROM task_events WHERE id = '{e3}'"))
        .await;
    // Reorder: swap the kinds and times of events 2 and 3 of the third task.
    let (x, y) = (seq_id(id(&three), 2).await, seq_id(id(&three), 3).await);
    app.sql(&format!(
        "UPDATE task_events SET seq = -1 WHERE id = '{x}'; \
         UPDATE task_events SET seq = 2 WHERE id = '{y}'; \
         UPDATE task_events SET seq = 3 WHERE id = '{x}'"
    ))
    .await;

    let (ok, out) = audit_verify(&app, None);
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!(
            "task {}: broken at seq 2 (event {e}): the stored hash does not match",
            id(&one)
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("task {}: broken at seq 4", id(&two)))
            && out.contains("expected sequence number 3"),
        "{out}"
    );
    assert!(
        out.contains(&format!("task {}: broken at seq 2 (event {y})", id(&three))),
        "{out}"
    );
    assert!(out.contains("3 of 3 audit chain(s) are broken"), "{out}");
    let (ok, out) = audit_verify(&app, Some(id(&one)));
    assert!(!ok && out.contains(&e), "{out}");

    // The API says so too.
    let t = trail(&app, id(&one), &a1.token).await;
    assert_eq!(t["intact"], false);
    assert!(
        t["problem"]
            .as_str()
            .is_some_and(|p| p.contains("broken at seq 2")),
        "{t}"
    );
}

/// Page views at once on one task each get their own link; the chain stays one line.
/// Concurrent page views by two users: the chain does not fork, and each user's views of the
/// document within the hour are one event.
async fn concurrent_views_do_not_fork_the_chain(app: TestApp) {
    let (a, b, done) = completed(&app, 951).await;
    let task = id(&done).to_owned();
    let doc_id = doc(&done).to_owned();
    // Rendered once, so the views below are served from the cache at once.
    let page = format!("/api/v1/tasks/{task}/documents/{doc_id}/pages/1?width=300");
    assert_eq!(app.get(&page, Some(&a.token)).await.status(), 200);
    let before = trail(&app, &task, &a.token).await["items"]
        .as_array()
        .unwrap()
        .len();
    let n = 12;
    let mut handles = Vec::new();
    for i in 0..n {
        let client = app.client.clone();
        let token = if i % 2 == 0 {
            a.token.clone()
        } else {
            b.token.clone()
        };
        let url = app.url(&page);
        handles.push(tokio::spawn(async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut ok = 0;
    for h in handles {
        let status = h.await.unwrap();
        assert_eq!(status, 200);
        ok += 1;
    }
    let t = trail(&app, &task, &a.token).await;
    assert_eq!(t["intact"], true, "{t}");
    let views = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "page_viewed")
        .count();
    // One view event per user, document and hour: the warm-up view (a) and b's first.
    assert_eq!(views, 2, "{t}");
    assert_eq!(t["items"].as_array().unwrap().len(), before + 1);
    assert_eq!(ok, n);
    // A 304 does not add one either, and nor does another page of the same document.
    let etag = app.get(&page, Some(&b.token)).await.headers()["etag"].clone();
    let r = app
        .client
        .get(app.url(&page))
        .bearer_auth(&b.token)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    let again = trail(&app, &task, &a.token).await;
    assert_eq!(again["items"].as_array().unwrap().len(), before + 1);
}

/// On PostgreSQL the application may run as a role that cannot change or delete events,
/// while the owner (migrations, the tamper test above) can.
#[tokio::test]
async fn postgres_app_role_cannot_change_events() {
    let Some(app) = spawn_app(Backend::Postgres).await else {
        return;
    };
    let (_, _, done) = completed(&app, 961).await;
    let owner_url = app.state.settings.database.url.expose_secret().to_owned();
    let role = format!(
        "signet_app_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    app.sql(&format!("CREATE ROLE {role} LOGIN")).await;
    signet_store::grant_app_role(&app.state.db, &role)
        .await
        .unwrap();
    let (scheme, rest) = owner_url.split_once("://").unwrap();
    let host_db = rest.split_once('@').map_or(rest, |(_, h)| h);
    let role_url = format!("{scheme}://{role}@{host_db}");
    let as_app = signet_store::connect(&role_url, 2).await.unwrap();
    use signet_store::sea_orm::ConnectionTrait;
    for sql in [
        "UPDATE task_events SET ip = 'x'",
        "DELETE FROM task_events",
        "DELETE FROM audit_anchors",
        "TRUNCATE task_events",
    ] {
        let err = as_app.execute_unprepared(sql).await.unwrap_err();
        assert!(
            err.to_string().contains("permission denied"),
            "{sql}: {err}"
        );
    }
    // It can read and append: a server built on the role (migrated by the owner) records.
    let events = signet_store::audit::chain(&as_app, id(&done))
        .await
        .unwrap();
    assert!(!events.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let mut settings = common::settings_for(dir.path(), &role_url);
    settings.database.migrate_url = Some(owner_url.clone().into());
    settings.master_key = Some(app.state.master.to_base64().into());
    let second = signet_server::startup::Application::build(settings)
        .await
        .expect("the app builds as the application role");
    let state = second.state();
    let l = signet_server::app::tasks::load(&state.db, id(&done))
        .await
        .unwrap();
    let actor = signet_server::app::tasks::Actor {
        user: None,
        meta: None,
        now: chrono::Utc::now(),
    };
    let e = actor.event(id(&done), "page_viewed", None, &l.hashes(), json!({}));
    signet_store::audit::append_now(&state.db, id(&done), vec![e])
        .await
        .unwrap();
    assert_eq!(
        signet_store::audit::chain(&as_app, id(&done))
            .await
            .unwrap()
            .len(),
        events.len() + 1
    );
    let (ok, out) = audit_verify(&app, Some(id(&done)));
    assert!(ok, "{out}");
    // The owner still can (which is why the owner URL is kept out of the app's hands).
    app.sql("UPDATE task_events SET ip = ip").await;
}

/// Raw HTTP/1.1: sends `head` and then up to `body` bytes (stopping when the server stops
/// reading), and returns the status line of the answer.
async fn raw_post(address: &str, head: String, body: usize, chunked: bool) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let addr = address.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(head.as_bytes()).await.unwrap();
    let block = vec![b'%'; 64 * 1024];
    let mut sent = 0;
    let sending = async {
        while sent < body {
            let n = block.len().min(body - sent);
            let ok = if chunked {
                let frame = [format!("{n:x}\r\n").as_bytes(), &block[..n], b"\r\n"].concat();
                s.write_all(&frame).await.is_ok()
            } else {
                s.write_all(&block[..n]).await.is_ok()
            };
            if !ok {
                break;
            }
            sent += n;
        }
        if chunked {
            let _ = s.write_all(b"0\r\n\r\n").await;
        }
    };
    // The server may answer and stop reading early; give up sending after a while.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(20), sending).await;
    let mut answer = vec![0u8; 512];
    let n = tokio::time::timeout(std::time::Duration::from_secs(20), s.read(&mut answer))
        .await
        .unwrap()
        .unwrap_or(0);
    String::from_utf8_lossy(&answer[..n])
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn oversized_uploads_get_413_and_floods_get_429() {
    let app = common::spawn_with(Backend::Sqlite, |s| s.http.verify_per_minute = 3)
        .await
        .unwrap();
    // Declared too large: refused before the body is read (1 MB of 60 is ever sent).
    let head = "POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n\
                Content-Length: 60000000\r\n\r\n"
        .to_owned();
    let status = raw_post(&app.address, head, 1024 * 1024, false).await;
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    // Undeclared (chunked): refused once it passes 50 MB.
    let head = "POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/pdf\r\n\
                Transfer-Encoding: chunked\r\n\r\n"
        .to_owned();
    let status = raw_post(&app.address, head, 51 * 1024 * 1024, true).await;
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    // The third request of the minute (the two above counted) is the last allowed one.
    let r = app.get("/api/v1/verify/AAAA-AAAA-AAAA-AAAA", None).await;
    assert_eq!(r.status(), 404);
    let r = app.get("/api/v1/verify/AAAA-AAAA-AAAA-AAAA", None).await;
    assert!(r.headers().get("retry-after").is_some());
    assert_problem(r, 429, "verify_rate_limited").await;
}
