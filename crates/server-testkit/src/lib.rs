//! Test harness: the real application on port 0 with a fresh database of its own — a SQLite
//! file in a temporary directory, or a new PostgreSQL database on 127.0.0.1:5432 — spoken to
//! over HTTP. Shared by the server's integration tests (one build instead of one per test
//! binary), with [`pdfkit`] (PDF tools, the corpus, a test PKI, the `signet` binary) and
//! [`taskkit`] (signers, tasks and steps).
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod pdfkit;
pub mod taskkit;

use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use signet_domain::identity::IdCardNumber;
use signet_server::config::Settings;
use signet_server::startup::Application;
use signet_server::state::AppState;
use signet_store::sea_orm::{ConnectionTrait, Database};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub state: actix_web::web::Data<AppState>,
    pub backend: Backend,
    _dir: tempfile::TempDir,
}

const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn in_ci() -> bool {
    signet_testkit::in_ci()
}

/// A new PostgreSQL database with every migration applied, cloned from a template database
/// (`CREATE DATABASE … TEMPLATE`, a file copy) instead of migrating each test's database;
/// `None` (skip) when PostgreSQL is unreachable outside CI. In CI an unreachable PostgreSQL
/// fails the test.
async fn fresh_pg_database() -> Option<String> {
    let admin_url =
        std::env::var("SIGNET_TEST_PG_ADMIN_URL").unwrap_or_else(|_| PG_ADMIN_URL.into());
    // One connection, so the advisory lock below is taken and released by the same session.
    let mut options = signet_store::sea_orm::ConnectOptions::new(admin_url.clone());
    options.max_connections(1).min_connections(1);
    let admin = match Database::connect(options).await {
        Ok(db) => db,
        Err(e) if !in_ci() => {
            eprintln!("skipping PostgreSQL test: cannot reach {admin_url}: {e}");
            return None;
        }
        Err(e) => panic!("PostgreSQL is required in CI but {admin_url} is unreachable: {e}"),
    };
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b.to_owned())
        .unwrap();
    let template = pg_template(&admin, &base).await;
    let name = format!("signet_t_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
        ))
        .await
        .unwrap();
    admin.close().await.ok();
    Some(format!("{base}/{name}"))
}

/// The migrated template database of the current migrations (named by a hash of their
/// sources, so a changed migration gets a new template), made once by whichever test process
/// comes first: nextest runs each test in a process of its own, so the processes agree
/// through a PostgreSQL advisory lock.
async fn pg_template(admin: &signet_store::sea_orm::DatabaseConnection, base: &str) -> String {
    use sha2::Digest as _;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/src");
    // Every file below (the agreements' texts are included by a seed migration).
    let mut files = Vec::new();
    let mut dirs = vec![dir.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hash = sha2::Sha256::new();
    for f in files.iter().filter(|f| f.is_file()) {
        hash.update(f.strip_prefix(&dir).unwrap().as_os_str().as_encoded_bytes());
        hash.update(std::fs::read(f).unwrap());
    }
    let template = format!("signet_t_tpl_{}", &hex::encode(hash.finalize())[..16]);
    admin
        .execute_unprepared("SELECT pg_advisory_lock(7243501)")
        .await
        .unwrap();
    let exists = admin
        .query_one_raw(signet_store::sea_orm::Statement::from_string(
            signet_store::sea_orm::DatabaseBackend::Postgres,
            format!("SELECT 1 FROM pg_database WHERE datname = '{template}'"),
        ))
        .await
        .unwrap()
        .is_some();
    if !exists {
        let building = format!("signet_t_build_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{building}\""))
            .await
            .unwrap();
        let db = Database::connect(format!("{base}/{building}"))
            .await
            .unwrap();
        signet_store::migrate(&db).await.unwrap();
        db.close().await.unwrap();
        admin
            .execute_unprepared(&format!(
                "ALTER DATABASE \"{building}\" RENAME TO \"{template}\""
            ))
            .await
            .unwrap();
    }
    admin
        .execute_unprepared("SELECT pg_advisory_unlock(7243501)")
        .await
        .unwrap();
    template
}

pub fn settings_for(dir: &std::path::Path, database_url: &str) -> Settings {
    let vars = vec![
        ("SIGNET_HTTP__PORT".into(), "0".into()),
        ("SIGNET_HTTP__WORKERS".into(), "2".into()),
        ("SIGNET_DATA_DIR".into(), dir.display().to_string()),
        ("SIGNET_DATABASE__URL".into(), database_url.into()),
        ("SIGNET_DATABASE__MAX_CONNECTIONS".into(), "5".into()),
        ("SIGNET_IDENTITY__TIMEOUT_MS".into(), "300".into()),
        // Tests that are not about the per-address limits raise them (each has its own test).
        ("SIGNET_HTTP__LOGIN_PER_MINUTE".into(), "100000".into()),
        ("SIGNET_HTTP__REGISTER_PER_MINUTE".into(), "100000".into()),
        ("SIGNET_HTTP__PKI_PER_MINUTE".into(), "100000".into()),
        ("SIGNET_IDENTITY__DEV_SLOW_MS".into(), "3000".into()),
        (
            "SIGNET_PANEL_DIR".into(),
            dir.join("no-panel").display().to_string(),
        ),
    ];
    let mut settings = Settings::load_from(None, vars).unwrap();
    // Demo mode only ever comes from code (here) or `serve --demo`.
    settings.demo = true;
    settings
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, |_| {}).await
}

pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> Option<TestApp> {
    if std::env::var("TEST_LOG").is_ok() {
        signet_server::telemetry::init(&signet_server::config::LogSettings {
            format: "pretty".into(),
            filter: "debug".into(),
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}/signet.db?mode=rwc", dir.path().display()),
        Backend::Postgres => fresh_pg_database().await?,
    };
    let mut settings = settings_for(dir.path(), &url);
    tweak(&mut settings);
    let app = Application::build(settings).await.expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Some(TestApp {
        address,
        client,
        state,
        backend,
        _dir: dir,
    })
}

/// An app whose public base URL is its real address, so the URLs written into certificates
/// (OCSP, CRL, CA issuers) reach it.
pub async fn spawn_public(backend: Backend) -> Option<TestApp> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    spawn_with(backend, |s| {
        s.http.port = port;
        s.http.public_base_url = format!("http://127.0.0.1:{port}");
    })
    .await
}

/// Defines `sqlite` and `postgres` tests that run the async fn `$case(TestApp)`.
#[macro_export]
macro_rules! on_both {
    ($($case:ident),* $(,)?) => {
        $(
            mod $case {
                #[tokio::test]
                async fn sqlite() {
                    let app = $crate::spawn_app($crate::Backend::Sqlite).await.unwrap();
                    super::$case(app).await;
                }
                #[tokio::test]
                async fn postgres() {
                    if let Some(app) = $crate::spawn_app($crate::Backend::Postgres).await {
                        super::$case(app).await;
                    }
                }
            }
        )*
    };
}

/// A valid ID-card number whose sequence part is `seq` (check digit computed).
pub fn id_number(seq: u32) -> String {
    let first17 = format!("11010519900101{:03}", seq % 1000);
    let c = IdCardNumber::check_digit(first17.as_bytes()) as char;
    format!("{first17}{c}")
}

/// A person to register: fields that pass every rule.
#[derive(Debug, Clone)]
pub struct Person {
    pub account_name: String,
    pub real_name: String,
    pub id_card_number: String,
    pub password: String,
    pub phone: String,
}

impl Person {
    pub fn new(n: u32) -> Self {
        Self {
            account_name: format!("user{n:04}"),
            real_name: "王小明".into(),
            id_card_number: id_number(n),
            password: "Secret-2026".into(),
            phone: format!("1390000{n:04}"),
        }
    }

    pub fn register_body(&self, sms_code: &str) -> Value {
        json!({
            "account_name": self.account_name,
            "real_name": self.real_name,
            "id_card_number": self.id_card_number,
            "password": self.password,
            "phone": self.phone,
            "sms_code": sms_code,
            "agreements": [{"kind": "user_agreement", "version": 1}, {"kind": "privacy_policy", "version": 1}],
        })
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut r = self.client.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }

    /// GET, with the body read as JSON (whatever the status).
    pub async fn get_json(&self, path: &str, token: Option<&str>) -> Value {
        self.get(path, token).await.json().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        let mut r = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }

    pub async fn patch(&self, path: &str, body: &Value, token: &str) -> Response {
        self.client
            .patch(self.url(path))
            .json(body)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// A captcha and its answer (read through the demo endpoint).
    pub async fn captcha(&self) -> (String, String) {
        let c: Value = self
            .post("/api/v1/captcha", &json!({}), None)
            .await
            .json()
            .await
            .unwrap();
        let id = c["captcha_id"].as_str().unwrap().to_owned();
        assert!(
            c["image"]
                .as_str()
                .unwrap()
                .starts_with("data:image/png;base64,")
        );
        let a: Value = self
            .get(&format!("/api/v1/dev/captcha/{id}"), None)
            .await
            .json()
            .await
            .unwrap();
        (id, a["answer"].as_str().unwrap().to_owned())
    }

    /// Requests an SMS code; returns the response.
    pub async fn send_sms(&self, phone: &str, purpose: &str) -> Response {
        let (id, answer) = self.captcha().await;
        self.post(
            "/api/v1/sms/send",
            &json!({"phone": phone, "purpose": purpose, "captcha_id": id, "captcha_answer": answer}),
            None,
        )
        .await
    }

    /// The newest code the dev SMS sender delivered to `phone`, if any.
    pub async fn last_sms_code(&self, phone: &str) -> Option<String> {
        let v: Value = self
            .get(&format!("/api/v1/dev/sms-outbox?phone={phone}"), None)
            .await
            .json()
            .await
            .unwrap();
        let text = v["items"].as_array()?.first()?["text"].as_str()?.to_owned();
        text.split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .map(str::to_owned)
    }

    /// Moves every code sent to `phone` back in time, as if `secs` had passed.
    pub async fn backdate_sms(&self, phone: &str, secs: i64) {
        use signet_store::entities::sms_code;
        use signet_store::sea_orm::sea_query::Expr;
        use signet_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let rows = sms_code::Entity::find()
            .filter(sms_code::Column::Phone.eq(phone))
            .all(&self.state.db)
            .await
            .unwrap();
        // Codes sent today (China time) stay today: the daily limit counts from CST
        // midnight, and a test running just after it must not push its codes into yesterday.
        let midnight = signet_server::routes::china_midnight(chrono::Utc::now());
        for r in rows {
            let mut when = r.created_at - chrono::Duration::seconds(secs);
            if r.created_at >= midnight && when < midnight {
                when = midnight;
            }
            sms_code::Entity::update_many()
                .col_expr(sms_code::Column::CreatedAt, Expr::value(when))
                .filter(sms_code::Column::Id.eq(&r.id))
                .exec(&self.state.db)
                .await
                .unwrap();
        }
    }

    /// Waits while China time is within a minute before or 90 s after midnight, so that a
    /// test counting today's SMS codes runs within one day.
    pub async fn away_from_china_midnight(&self) {
        let now = chrono::Utc::now();
        let next = signet_server::routes::china_midnight(now) + chrono::Duration::days(1);
        let after = next + chrono::Duration::seconds(90);
        if next - now < chrono::Duration::seconds(60) {
            tokio::time::sleep((after - now).to_std().unwrap()).await;
        }
        let now = chrono::Utc::now();
        let midnight = signet_server::routes::china_midnight(now);
        if now - midnight < chrono::Duration::seconds(90) {
            let wait = chrono::Duration::seconds(90) - (now - midnight);
            tokio::time::sleep(wait.to_std().unwrap()).await;
        }
    }

    /// Sends a code and returns it (first letting the resend interval pass).
    pub async fn sms_code(&self, phone: &str, purpose: &str) -> String {
        self.backdate_sms(phone, 61).await;
        let r = self.send_sms(phone, purpose).await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}",
            r.text().await.unwrap()
        );
        self.last_sms_code(phone)
            .await
            .expect("a code was delivered")
    }

    pub async fn register(&self, p: &Person) -> Response {
        let code = self.sms_code(&p.phone, "register").await;
        self.post("/api/v1/auth/register", &p.register_body(&code), None)
            .await
    }

    /// Registers and logs in; returns the access token.
    pub async fn signup(&self, p: &Person) -> String {
        let r = self.register(p).await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}",
            r.text().await.unwrap()
        );
        self.login(&p.account_name, &p.password).await
    }

    pub async fn login_pair(&self, login: &str, password: &str) -> Value {
        let r = self
            .post(
                "/api/v1/auth/login",
                &json!({"login": login, "password": password}),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        r.json().await.unwrap()
    }

    pub async fn login(&self, login: &str, password: &str) -> String {
        self.login_pair(login, password).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Runs raw SQL against the app's database (to backdate times, or to look).
    pub async fn sql(&self, sql: &str) {
        self.state.db.execute_unprepared(sql).await.unwrap();
    }

    /// Rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        self.count_sql(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .await
    }

    /// Users other than the demo ones every test app is seeded with.
    pub async fn users(&self) -> i64 {
        self.count_sql("SELECT COUNT(*) AS n FROM users WHERE account_name NOT LIKE 'demo%'")
            .await
    }

    pub async fn count_sql(&self, sql: &str) -> i64 {
        use signet_store::sea_orm::{Statement, TryGetable};
        let backend = self.state.db.get_database_backend();
        let row = self
            .state
            .db
            .query_one_raw(Statement::from_string(backend, sql.to_owned()))
            .await
            .unwrap()
            .unwrap();
        i64::try_get(&row, "", "n").unwrap()
    }
}

/// Asserts a problem+json response with `status` and `code`; returns the body.
pub async fn assert_problem(r: Response, status: u16, code: &str) -> Value {
    let got = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!((got, body["code"].as_str()), (status, Some(code)), "{body}");
    assert_eq!(ct.as_deref(), Some("application/problem+json"));
    assert_eq!(body["status"], status);
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    body
}
