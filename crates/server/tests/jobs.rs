//! The job queue on SQLite and PostgreSQL: two workers racing over the same jobs never run one
//! twice; failures back off and finally fail; a lease that ran out is taken over and its old
//! holder can no longer complete the job. Garbage collection deletes what no row names and
//! keeps everything a row does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit as common;
use signet_server_testkit::on_both;
use signet_server_testkit::taskkit;

use chrono::{Duration, Utc};
use common::{Backend, TestApp, spawn_app};
use signet_store::jobs;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

async fn two_workers_never_run_a_job_twice(app: TestApp) {
    let db = app.state.db.clone();
    let now = Utc::now();
    let mut ids = Vec::new();
    for i in 0..40 {
        ids.push(
            jobs::enqueue(
                &db,
                "test",
                &format!("{{\"n\":{i}}}"),
                now - Duration::seconds(1),
                3,
                now,
            )
            .await
            .unwrap(),
        );
    }
    let runs: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let mut workers = Vec::new();
    for name in ["worker-a", "worker-b"] {
        let (db, runs) = (db.clone(), runs.clone());
        workers.push(tokio::spawn(async move {
            let mut mine = 0;
            loop {
                let claimed = loop {
                    match jobs::claim(&db, name, Utc::now(), Duration::seconds(30), &["test"]).await
                    {
                        Ok(c) => break c,
                        // SQLite may report the database busy under contention: try again.
                        Err(e) if e.to_string().contains("locked") => {
                            tokio::task::yield_now().await
                        }
                        Err(e) => panic!("{e}"),
                    }
                };
                let Some(job) = claimed else { break };
                *runs.lock().unwrap().entry(job.id.clone()).or_default() += 1;
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                assert!(
                    jobs::complete(&db, &job.id, name, Utc::now())
                        .await
                        .unwrap()
                );
                mine += 1;
            }
            mine
        }));
    }
    let mut per_worker = Vec::new();
    for w in workers {
        per_worker.push(w.await.unwrap());
    }
    let runs = runs.lock().unwrap().clone();
    assert_eq!(runs.len(), 40, "every job ran");
    assert!(runs.values().all(|n| *n == 1), "no job ran twice: {runs:?}");
    assert_eq!(per_worker.iter().sum::<u32>(), 40);
    for id in &ids {
        let j = jobs::get(&db, id).await.unwrap().unwrap();
        assert!(j.done_at.is_some() && !j.failed && j.attempts == 1, "{j:?}");
    }
}

async fn failures_back_off_then_fail_for_good(app: TestApp) {
    let db = &app.state.db;
    let t0 = Utc::now();
    let id = jobs::enqueue(db, "flaky", "{}", t0, 3, t0).await.unwrap();
    let lease = Duration::seconds(30);
    let job = jobs::claim(db, "w", t0, lease, &["flaky"])
        .await
        .unwrap()
        .unwrap();
    assert_eq!((job.id.as_str(), job.attempts), (id.as_str(), 1));
    assert!(jobs::fail(db, &job, "w", "smtp down", t0).await.unwrap());
    // Not due again before its backoff (2 s after the first failure).
    assert!(
        jobs::claim(db, "w", t0 + Duration::seconds(1), lease, &["flaky"])
            .await
            .unwrap()
            .is_none()
    );
    let job = jobs::claim(db, "w", t0 + Duration::seconds(3), lease, &["flaky"])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.attempts, 2);
    assert!(
        jobs::fail(db, &job, "w", "smtp down", t0 + Duration::seconds(3))
            .await
            .unwrap()
    );
    assert!(
        jobs::claim(db, "w", t0 + Duration::seconds(6), lease, &["flaky"])
            .await
            .unwrap()
            .is_none()
    );
    let job = jobs::claim(db, "w", t0 + Duration::seconds(8), lease, &["flaky"])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.attempts, 3);
    assert!(
        jobs::fail(db, &job, "w", "still down", t0 + Duration::seconds(8))
            .await
            .unwrap()
    );
    let j = jobs::get(db, &id).await.unwrap().unwrap();
    assert!(j.failed && j.done_at.is_some(), "{j:?}");
    assert_eq!(j.last_error.as_deref(), Some("still down"));
    assert!(
        jobs::claim(db, "w", t0 + Duration::days(1), lease, &["flaky"])
            .await
            .unwrap()
            .is_none()
    );
}

async fn an_expired_lease_is_taken_over(app: TestApp) {
    let db = &app.state.db;
    let t0 = Utc::now();
    let id = jobs::enqueue(db, "slow", "{}", t0, 5, t0).await.unwrap();
    // A worker that does not run this kind leaves the due job alone.
    assert!(
        jobs::claim(db, "w0", t0, Duration::seconds(10), &["other"])
            .await
            .unwrap()
            .is_none()
    );
    let first = jobs::claim(db, "w1", t0, Duration::seconds(10), &["slow"])
        .await
        .unwrap()
        .unwrap();
    assert!(
        jobs::claim(
            db,
            "w2",
            t0 + Duration::seconds(5),
            Duration::seconds(10),
            &["slow"]
        )
        .await
        .unwrap()
        .is_none()
    );
    // w1 died: after its lease w2 takes the job over, and w1 can no longer complete it.
    let second = jobs::claim(
        db,
        "w2",
        t0 + Duration::seconds(11),
        Duration::seconds(10),
        &["slow"],
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        (first.id.as_str(), second.id.as_str()),
        (id.as_str(), id.as_str())
    );
    assert_eq!(second.attempts, 2);
    assert!(
        !jobs::complete(db, &id, "w1", t0 + Duration::seconds(12))
            .await
            .unwrap()
    );
    assert!(
        jobs::complete(db, &id, "w2", t0 + Duration::seconds(12))
            .await
            .unwrap()
    );
    assert!(
        !jobs::complete(db, &id, "w2", t0 + Duration::seconds(13))
            .await
            .unwrap()
    );
}

/// Like `on_both!`, on a multi-threaded runtime so the two workers really run at once.
macro_rules! on_both_threaded {
    ($($case:ident),* $(,)?) => {
        $(
            mod $case {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = super::spawn_app(super::Backend::Sqlite).await.unwrap();
                    super::$case(app).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = super::spawn_app(super::Backend::Postgres).await {
                        super::$case(app).await;
                    }
                }
            }
        )*
    };
}

on_both_threaded!(
    two_workers_never_run_a_job_twice,
    failures_back_off_then_fail_for_good,
    an_expired_lease_is_taken_over
);

/// Ages every blob file by `hours`.
fn age_blobs(app: &TestApp, hours: u64) {
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(hours * 3600);
    let root = app.state.settings.data_dir.join("blobs");
    for dir in std::fs::read_dir(root).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            std::fs::File::options()
                .append(true)
                .open(f.unwrap().path())
                .unwrap()
                .set_modified(when)
                .unwrap();
        }
    }
}

async fn garbage_collection_keeps_what_rows_name(app: TestApp) {
    use serde_json::{Value, json};
    use signet_store::entities::{captcha, login_challenge};
    use signet_store::sea_orm::EntityTrait;
    use signet_store::sea_orm::sea_query::Expr;
    let a = taskkit::signer(&app, 961, "张三").await;
    let b = taskkit::signer(&app, 962, "李四").await;
    let c = taskkit::signer(&app, 963, "王五").await;
    taskkit::grant_initiate(&app, &a).await;
    let task = taskkit::created(
        &app,
        &a.token,
        json!({"documents": [{"part": "doc1"}], "steps": [taskkit::step(&b, 1), taskkit::step(&c, 2)], "start": true}),
    )
    .await;
    taskkit::sign_ok(&app, &task, &b, 80.0).await;
    let id = task["id"].as_str().unwrap();
    let middle: Value = app
        .get_json(&format!("/api/v1/tasks/{id}"), Some(&a.token))
        .await;
    let middle_sha = middle["documents"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    taskkit::sign_ok(&app, &task, &c, 200.0).await;
    let done: Value = app
        .get_json(&format!("/api/v1/tasks/{id}"), Some(&a.token))
        .await;
    assert_eq!(done["state"], "completed");
    let final_sha = done["documents"][0]["sha256"].as_str().unwrap().to_owned();
    let orphan = app
        .state
        .blobs
        .put(b"an upload nobody kept".to_vec())
        .await
        .unwrap();
    age_blobs(&app, 25);
    let young = app
        .state
        .blobs
        .put(b"an upload of a moment ago".to_vec())
        .await
        .unwrap();
    // Expired two hours ago: a captcha and a certificate-login challenge.
    app.captcha().await;
    let _: Value = app
        .post("/api/v1/auth/cert/challenge", &json!({}), None)
        .await
        .json()
        .await
        .unwrap();
    let past = Utc::now() - Duration::hours(2);
    captcha::Entity::update_many()
        .col_expr(captcha::Column::ExpiresAt, Expr::value(past))
        .exec(&app.state.db)
        .await
        .unwrap();
    login_challenge::Entity::update_many()
        .col_expr(login_challenge::Column::ExpiresAt, Expr::value(past))
        .exec(&app.state.db)
        .await
        .unwrap();

    let swept = signet_server::gc::sweep(&app.state, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        swept.blobs, 2,
        "the orphan and the replaced middle revision: {swept:?}"
    );
    assert!(swept.captchas >= 1 && swept.challenges >= 1, "{swept:?}");
    let exists = |name: String| {
        let blobs = app.state.blobs.clone();
        async move { blobs.exists(&name).await.unwrap() }
    };
    assert!(!exists(orphan).await);
    assert!(!exists(middle_sha).await);
    assert!(exists(young).await);
    assert!(exists(final_sha).await);
    // Everything a row names still serves: the document, its pages, the seals.
    assert_eq!(taskkit::download(&app, &task, &a.token).await.status(), 200);
    let seals: Value = app.get_json("/api/v1/seals", Some(&b.token)).await;
    let seal = seals["items"][0]["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/seals/{seal}/image"), Some(&b.token))
            .await
            .status(),
        200
    );
    // A second pass finds nothing more.
    let again = signet_server::gc::sweep(&app.state, Utc::now())
        .await
        .unwrap();
    assert_eq!(again.blobs, 0);
}

on_both!(garbage_collection_keeps_what_rows_name);
