//! `make bench-api`: signing tasks under load, against the real server over loopback.
//!
//! 1. Sign-step throughput (SQLite and PostgreSQL): signers with server-held P-256 keys sign
//!    their active steps on a four-page document, many requests at once; each request checks
//!    the PIN (argon2id), signs at B-B, stores the revision and commits the step. Prints
//!    "N signatures/s" and the share of the machine the PIN checks take. Target: ≥ 100/s.
//! 2. List and search p99 on PostgreSQL with generated tasks (`signet bench-seed`: 1,000,000
//!    over 10,000 users by default, `BENCH_TASKS` to change) for a typical user and for the
//!    user with 10,000 tasks. Target: < 25 ms.
//!
//! A plain binary (harness = false), so it prints figures rather than asserting timings.
//! `BENCH_ONLY=sign` or `BENCH_ONLY=list` runs one part.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use signet_server_testkit as common;

use common::{Backend, Person, TestApp, spawn_with};
use lopdf::{Document, Object, Stream, dictionary};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PIN: &str = "135790";
const SIGNERS: u32 = 8;
const TASKS_PER_SIGNER: usize = 50;
const CONCURRENCY: usize = 16;

/// A four-page A4 document with some text on each page.
fn four_page_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let mut kids = Vec::new();
    for i in 1..=4 {
        let text = format!("BT /F1 24 Tf 72 760 Td (Contract page {i}) Tj ET");
        let content = doc.add_object(Stream::new(dictionary! {}, text.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        });
        kids.push(Object::Reference(page));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => 4 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

struct Job {
    path: String,
    body: Value,
    token: String,
}

async fn sign_throughput(backend: Backend) -> Option<f64> {
    let app = spawn_with(backend, |s| {
        s.pki.default_level = signet_server::app::signing::Level::BB;
        s.database.max_connections = 20;
        // PostgreSQL on the same machine: a plain loopback connection, as a single-box
        // installation would use (sqlx would otherwise negotiate TLS with Debian's
        // snake-oil certificate and spend both cores' time on encryption).
        if backend == Backend::Postgres {
            use secrecy::ExposeSecret;
            let url = format!("{}?sslmode=disable", s.database.url.expose_secret());
            s.database.url = url.into();
        }
    })
    .await?;
    let pdf = four_page_pdf();
    let initiator = Person::new(900);
    let init_token = app.signup(&initiator).await;
    let me: Value = app
        .get("/api/v1/me", Some(&init_token))
        .await
        .json()
        .await
        .unwrap();
    signet_store::tasks::set_initiate_grant(
        &app.state.db,
        me["id"].as_str().unwrap(),
        true,
        "bench",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let mut jobs = Vec::new();
    for i in 0..SIGNERS {
        let p = Person::new(901 + i);
        let token = app.signup(&p).await;
        let cert: Value = app
            .post(
                "/api/v1/certificates",
                &json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
                Some(&token),
            )
            .await
            .json()
            .await
            .unwrap();
        let seal: Value = app
            .post("/api/v1/seals/generate", &json!({}), Some(&token))
            .await
            .json()
            .await
            .unwrap();
        for _ in 0..TASKS_PER_SIGNER {
            let request = json!({"documents": [{"part": "doc"}], "start": true,
                "steps": [{"signer": {"name": p.real_name, "phone": p.phone}, "order": 1}]});
            let form = Form::new()
                .text("request", request.to_string())
                .part("doc", Part::bytes(pdf.clone()).file_name("contract.pdf"));
            let task: Value = app
                .client
                .post(app.url("/api/v1/tasks"))
                .bearer_auth(&init_token)
                .multipart(form)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let doc = task["documents"][0]["id"].as_str().unwrap();
            jobs.push(Job {
                path: format!(
                    "/api/v1/tasks/{}/steps/{}/sign",
                    task["id"].as_str().unwrap(),
                    task["steps"][0]["id"].as_str().unwrap()
                ),
                body: json!({"placements": [{"document_id": doc, "certificate_id": cert["id"], "seal_id": seal["id"],
                    "kind": "seal", "page": 4, "rect": [400.0, 80.0, 100.0, 100.0]}],
                    "pins": {cert["id"].as_str().unwrap(): PIN}}),
                token: token.clone(),
            });
        }
    }
    // Signers take turns, as many people signing at once do: one signer's PIN checks queue
    // behind each other (one check per key at a time), different signers' run in parallel.
    let mut by_signer: Vec<Vec<Job>> = (0..SIGNERS).map(|_| Vec::new()).collect();
    for (i, job) in jobs.into_iter().enumerate() {
        by_signer[i / TASKS_PER_SIGNER].push(job);
    }
    let mut jobs = Vec::new();
    while by_signer.iter().any(|v| !v.is_empty()) {
        for v in by_signer.iter_mut() {
            jobs.extend(v.pop());
        }
    }
    let total = jobs.len();
    let queue = Arc::new(Mutex::new(jobs));
    let cpu_before = cpu_seconds();
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let queue = queue.clone();
        let client = app.client.clone();
        let base = app.address.clone();
        workers.push(tokio::spawn(async move {
            let (mut ok, mut busy) = (0usize, 0usize);
            loop {
                let job = queue.lock().unwrap().pop();
                let Some(job) = job else { break };
                loop {
                    let r = client
                        .post(format!("{base}{}", job.path))
                        .bearer_auth(&job.token)
                        .json(&job.body)
                        .send()
                        .await
                        .unwrap();
                    let status = r.status();
                    if status == 200 {
                        ok += 1;
                    } else if status == 503 {
                        // A well-behaved client waits as Retry-After says.
                        busy += 1;
                        let wait = r
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(1u64);
                        tokio::time::sleep(Duration::from_secs(wait)).await;
                        continue;
                    } else {
                        let text = r.text().await.unwrap_or_default();
                        eprintln!("sign failed: {status} {text}");
                    }
                    break;
                }
            }
            (ok, busy)
        }));
    }
    let (mut ok, mut busy) = (0, 0);
    for w in workers {
        let (o, b) = w.await.unwrap();
        ok += o;
        busy += b;
    }
    let secs = start.elapsed().as_secs_f64();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    println!(
        "{backend:?}: the process (server and load client) used {:.0}% of {cores} cores while signing",
        (cpu_seconds() - cpu_before) / secs / cores * 100.0
    );
    if busy > 0 {
        println!("{backend:?}: {busy} answers were 503 busy (retried after Retry-After)");
    }
    assert_eq!(ok, total, "every signature succeeded");
    drop(app);
    Some(ok as f64 / secs)
}

/// CPU time (user + system) this process has used, from /proc/self/stat (Linux).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Milliseconds of one PIN check (argon2id + unwrap), as each signature pays it.
fn pin_check_ms() -> f64 {
    use signet_pki::keywrap;
    let master = signet_pki::MasterKey::generate();
    let key =
        signet_pki::sign::SigningKey::generate(signet_pki::sign::KeyAlgorithm::EcdsaP256).unwrap();
    let wrapped =
        keywrap::wrap_with_pin(&master, "key_bench", PIN, &key.to_pkcs8_der().unwrap()).unwrap();
    let n = 40;
    let start = Instant::now();
    for _ in 0..n {
        keywrap::unwrap_with_pin(&master, "key_bench", PIN, &wrapped).unwrap();
    }
    start.elapsed().as_secs_f64() * 1000.0 / f64::from(n)
}

fn p99(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    (
        at(0.5).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
    )
}

async fn list_latency(tasks: u64) -> Option<()> {
    let app: TestApp = spawn_with(Backend::Postgres, |s| s.database.max_connections = 10).await?;
    let started = Instant::now();
    signet_server::benchseed::seed(&app.state.db, tasks, 10_000)
        .await
        .unwrap();
    println!(
        "seeded {tasks} tasks over 10,000 users in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let (typical, typical_n) = signet_server::benchseed::typical_user(&app.state.db)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let users = [
        (format!("typical user ({typical_n} initiated)"), typical),
        (
            "heavy user (10,000 initiated + 10,000 to sign or signed)".to_owned(),
            signet_server::benchseed::HEAVY_USER.to_owned(),
        ),
    ];
    let queries = [
        "list=to_sign",
        "list=signed",
        "list=initiated",
        "list=initiated&status=in_progress",
        "list=initiated&name=%E5%90%88%E5%90%8C12",
        "list=signed&initiator=%E7%94%A8%E6%88%B7",
        "list=initiated&created_from=2020-01-01T00:00:00Z&page=3",
    ];
    for (label, user) in users {
        let token = app.state.jwt.issue(&user, "bench-session", now).unwrap();
        println!("{label}:");
        for q in queries {
            let path = format!("/api/v1/tasks?{q}");
            // Warm up, then measure.
            for _ in 0..5 {
                app.get(&path, Some(&token)).await;
            }
            let mut samples = Vec::new();
            for _ in 0..200 {
                let t = Instant::now();
                let r = app.get(&path, Some(&token)).await;
                assert_eq!(r.status(), 200, "{path}");
                r.bytes().await.unwrap();
                samples.push(t.elapsed());
            }
            let (p50, p99) = p99(samples);
            println!("  {q:<55} p50 {p50:6.1} ms   p99 {p99:6.1} ms");
        }
    }
    Some(())
}

#[tokio::main]
async fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let pin_ms = pin_check_ms();
    println!("PIN check (argon2id + unwrap): {pin_ms:.1} ms each");
    let backends = if only == "list" {
        Vec::new()
    } else {
        vec![Backend::Sqlite, Backend::Postgres]
    };
    for backend in backends {
        match sign_throughput(backend).await {
            Some(rate) => println!(
                "{backend:?}: {rate:.0} signatures/s (sign step, P-256, B-B, 4-page PDF, {CONCURRENCY} at once); PIN checks take {:.0}% of {cores} cores",
                rate * pin_ms / 10.0 / cores
            ),
            None => println!("{backend:?}: skipped (PostgreSQL unreachable)"),
        }
    }
    let tasks = std::env::var("BENCH_TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    if only == "sign" {
        return;
    }
    if list_latency(tasks).await.is_none() {
        println!("list benchmark skipped (PostgreSQL unreachable)");
    }
}
