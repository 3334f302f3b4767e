//! Certificates from outside CAs (made here with openssl, as a commercial CA would issue a
//! USB-key certificate): binding with proof of possession, chain, revocation (a CRL served
//! over HTTP) and name checks, the approval flow, and certificate login with a bound
//! certificate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit as common;
use signet_server_testkit::pdfkit;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Backend, Person, TestApp, assert_problem, spawn_with};
use pdfkit::{ok, run, signet, tools};
use reqwest::StatusCode;
use serde_json::{Value, json};
use signet_pki::sign::SigningKey;
use std::path::{Path, PathBuf};
use std::process::Command;

use signet_testkit::openssl::{Issue, KeyKind, OpensslCa};

/// An outside (commercial) CA, made by the PKI fixture: `root.pem` and `root.key` in `dir`.
struct OutsideCa {
    ca: OpensslCa,
    ca_pem: PathBuf,
}

impl OutsideCa {
    fn new(dir: &Path) -> Self {
        let ca = OpensslCa::new_in(
            dir,
            KeyKind::P256,
            "/C=CN/O=Example CA Co./CN=Example Commercial CA",
            "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n",
            365,
        );
        Self {
            ca_pem: ca.file("root.pem"),
            ca,
        }
    }

    /// A user certificate (key, PEM) for `cn`, with a CRL distribution point if given.
    fn issue(&self, name: &str, cn: &str, crl_url: Option<&str>) -> (SigningKey, String) {
        self.issue_subject(name, &format!("/C=CN/CN={cn}"), crl_url)
    }

    fn issue_subject(
        &self,
        name: &str,
        subject: &str,
        crl_url: Option<&str>,
    ) -> (SigningKey, String) {
        let mut ext = "keyUsage=critical,digitalSignature,nonRepudiation\n".to_owned();
        if let Some(url) = crl_url {
            ext.push_str(&format!("crlDistributionPoints=URI:{url}\n"));
        }
        self.ca.write(&format!("{name}.ext"), ext);
        let pem = self.ca.issue(Issue::new(name, subject).days(100));
        let key = SigningKey::from_pem(&self.ca.read_text(&format!("{name}.key"))).unwrap();
        (key, std::fs::read_to_string(pem).unwrap())
    }
}

async fn app_trusting(ca: &Path, approval: bool) -> TestApp {
    app_fetching(ca, approval, true).await
}

/// `private`: may the server fetch revocation data from loopback addresses (the test's own
/// CRL server); off by default in real installations.
async fn app_fetching(ca: &Path, approval: bool, private: bool) -> TestApp {
    let ca = ca.to_path_buf();
    spawn_with(Backend::Sqlite, move |s| {
        s.pki.outside_ca_files = vec![ca];
        s.pki.binding_requires_approval = approval;
        s.pki.revocation_fetch_private = private;
    })
    .await
    .unwrap()
}

/// A challenge signed with `key`, as the body of bind and login.
async fn signed_challenge(app: &TestApp, key: &SigningKey, cert: &str) -> Value {
    let c: Value = app
        .post("/api/v1/auth/cert/challenge", &json!({}), None)
        .await
        .json()
        .await
        .unwrap();
    let sig = key
        .sign(c["challenge"].as_str().unwrap().as_bytes())
        .unwrap();
    json!({"challenge_id": c["challenge_id"], "certificate": cert, "signature": STANDARD.encode(sig)})
}

async fn login_account(app: &TestApp, key: &SigningKey, cert: &str) -> reqwest::Response {
    let body = signed_challenge(app, key, cert).await;
    app.post("/api/v1/auth/cert/login", &body, None).await
}

#[tokio::test]
async fn bind_an_outside_certificate_and_log_in_with_it() {
    if !tools(&["openssl", "python3"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ca = OutsideCa::new(dir.path());
    let app = app_trusting(&ca.ca_pem, false).await;
    let person = Person::new(801);
    let token = app.signup(&person).await;
    let (key, cert) = ca.issue_subject(
        "user",
        &format!("/C=CN/serialNumber={}/CN=王小明", person.id_card_number),
        None,
    );

    // Before binding the certificate logs nobody in.
    assert_problem(
        login_account(&app, &key, &cert).await,
        401,
        "certificate_login_failed",
    )
    .await;

    // No proof of possession: another key signs.
    let other = SigningKey::generate(key.algorithm()).unwrap();
    let body = signed_challenge(&app, &other, &cert).await;
    assert_problem(
        app.post("/api/v1/certificates/bound", &body, Some(&token))
            .await,
        400,
        "proof_of_possession_failed",
    )
    .await;
    // Another name.
    let (k2, c2) = ca.issue("other", "张三", None);
    let body = signed_challenge(&app, &k2, &c2).await;
    assert_problem(
        app.post("/api/v1/certificates/bound", &body, Some(&token))
            .await,
        422,
        "certificate_name_mismatch",
    )
    .await;
    // The right name but another person's ID number.
    let (k5, c5) = ca.issue_subject(
        "other-id",
        &format!("/C=CN/serialNumber={}/CN=王小明", common::id_number(999)),
        None,
    );
    let body = signed_challenge(&app, &k5, &c5).await;
    assert_problem(
        app.post("/api/v1/certificates/bound", &body, Some(&token))
            .await,
        422,
        "certificate_id_mismatch",
    )
    .await;
    // A CA nobody configured (a self-signed certificate with the right name).
    let self_dir = tempfile::tempdir().unwrap();
    let rogue = OutsideCa::new(self_dir.path());
    let (k3, c3) = rogue.issue("rogue", "王小明", None);
    let body = signed_challenge(&app, &k3, &c3).await;
    assert_problem(
        app.post("/api/v1/certificates/bound", &body, Some(&token))
            .await,
        422,
        "untrusted_certificate",
    )
    .await;

    // The real thing.
    let body = signed_challenge(&app, &key, &cert).await;
    let r = app
        .post("/api/v1/certificates/bound", &body, Some(&token))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["status"], "active");
    let body = signed_challenge(&app, &key, &cert).await;
    assert_problem(
        app.post("/api/v1/certificates/bound", &body, Some(&token))
            .await,
        409,
        "certificate_bound_already",
    )
    .await;
    let list: Value = app
        .get_json("/api/v1/certificates/bound", Some(&token))
        .await;
    assert_eq!(list["total"], 1);

    // Sign a PDF with it through the external path (the key stays in the test).
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, pdfkit::corpus_pdf()).unwrap();
    let out = dir.path().join("bound.pdf");
    let mut cmd = signet();
    cmd.args(["sign-external", "--server", &app.address, "--token", &token])
        .args([
            "--certificate",
            b["id"].as_str().unwrap(),
            "--level",
            "b-t",
            "--key",
        ])
        .arg(dir.path().join("user.key"))
        .arg(&input)
        .arg(&out);
    let output = tokio::task::spawn_blocking(move || run(&mut cmd))
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Trust the outside CA for the signer and Signet's roots for the signature timestamp.
    let signet_roots = dir.path().join("signet-roots.der");
    let root = app
        .state
        .ca
        .as_ref()
        .unwrap()
        .roots()
        .next()
        .unwrap()
        .der
        .clone();
    std::fs::write(&signet_roots, root).unwrap();
    let (code, report) = pdfkit::verify_json(&out, &[&ca.ca_pem, &signet_roots]);
    assert_eq!(code, 0, "{report:#}");
    if tools(&["pyhanko"]) {
        let text = ok(Command::new("pyhanko")
            .args([
                "sign",
                "validate",
                "--no-revocation-check",
                "--pretty-print",
                "--trust-replace",
                "--trust",
            ])
            .arg(&ca.ca_pem)
            .arg("--trust")
            .arg(&signet_roots)
            .arg(&out));
        assert!(text.contains("The signature is judged VALID"), "{text}");
    }

    // Certificate login with it.
    let r = login_account(&app, &key, &cert).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let pair: Value = r.json().await.unwrap();
    let me: Value = app
        .get_json("/api/v1/me", pair["access_token"].as_str())
        .await;
    assert_eq!(me["account_name"], Value::from(person.account_name.clone()));

    // A revoked certificate (its CRL, served over HTTP, lists it) cannot be bound.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/ca.crl");
    let (k4, c4) = ca.issue("revoked", "王小明", Some(&url));
    let ca_key = SigningKey::from_pem(&ca.ca.read_text("root.key")).unwrap();
    let ca_cert =
        signet_pki::sign::parse_certificates_pem(&std::fs::read_to_string(&ca.ca_pem).unwrap())
            .unwrap()
            .remove(0);
    let leaf = signet_pki::sign::parse_certificates_pem(&c4)
        .unwrap()
        .remove(0);
    let now = chrono::Utc::now();
    let crl = signet_pki::crl::build_crl(
        &ca_key,
        &ca_cert,
        &[signet_pki::crl::RevokedEntry {
            serial: leaf.tbs_certificate().serial_number().clone(),
            revoked_at: now - chrono::Duration::minutes(1),
            reason: Some(x509_cert::ext::pkix::CrlReason::KeyCompromise),
        }],
        now - chrono::Duration::minutes(1),
        now + chrono::Duration::days(1),
        1,
    )
    .unwrap();
    let served = tempfile::tempdir().unwrap();
    std::fs::write(served.path().join("ca.crl"), crl).unwrap();
    let mut http = Command::new("python3")
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(served.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..50 {
        if reqwest::get(&url).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let body = signed_challenge(&app, &k4, &c4).await;
    let r = app
        .post("/api/v1/certificates/bound", &body, Some(&token))
        .await;
    http.kill().unwrap();
    http.wait().unwrap();
    assert_problem(r, 409, "certificate_revoked").await;
}

/// Server-side request forgery: binding never makes the server fetch a URL on its own network
/// (by default), nor any URL named in a certificate whose chain does not check out, even
/// when private addresses are allowed.
#[tokio::test]
async fn revocation_urls_are_fetched_only_from_vouched_public_certificates() {
    if !tools(&["openssl"]) {
        return;
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/ca.crl", listener.local_addr().unwrap());
    let connected = |l: &std::net::TcpListener| match l.accept() {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
        Err(e) => panic!("{e}"),
    };

    // A trusted CA's certificate naming a loopback CRL: not fetched by default.
    let dir = tempfile::tempdir().unwrap();
    let ca = OutsideCa::new(dir.path());
    let app = app_fetching(&ca.ca_pem, false, false).await;
    let token = app.signup(&Person::new(803)).await;
    let (key, cert) = ca.issue("inside", "王小明", Some(&url));
    let body = signed_challenge(&app, &key, &cert).await;
    let _ = app
        .post("/api/v1/certificates/bound", &body, Some(&token))
        .await;
    assert!(!connected(&listener), "the server fetched a loopback URL");

    // A certificate from a CA with the trusted CA's name but another key: nothing it names is
    // fetched, even where private addresses are allowed, and it is not bound.
    let other_dir = tempfile::tempdir().unwrap();
    let impostor = OutsideCa::new(other_dir.path());
    let app = app_fetching(&ca.ca_pem, false, true).await;
    let token = app.signup(&Person::new(804)).await;
    let (key, cert) = impostor.issue("forged", "王小明", Some(&url));
    let body = signed_challenge(&app, &key, &cert).await;
    let r = app
        .post("/api/v1/certificates/bound", &body, Some(&token))
        .await;
    assert!(
        !connected(&listener),
        "the server fetched a URL of an unvouched certificate"
    );
    assert_problem(r, 422, "untrusted_certificate").await;
}

#[tokio::test]
async fn bindings_can_wait_for_an_operator() {
    if !tools(&["openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ca = OutsideCa::new(dir.path());
    let app = app_trusting(&ca.ca_pem, true).await;
    let token = app.signup(&Person::new(802)).await;
    let (key, cert) = ca.issue("user", "王小明", None);
    let body = signed_challenge(&app, &key, &cert).await;
    let r = app
        .post("/api/v1/certificates/bound", &body, Some(&token))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["status"], "pending");
    assert_problem(
        login_account(&app, &key, &cert).await,
        401,
        "certificate_login_failed",
    )
    .await;
    // The operator approves, against the same database.
    use secrecy::ExposeSecret;
    let settings = &app.state.settings;
    let cli = |args: &[&str]| {
        run(signet()
            .args(args)
            .env("SIGNET_DATA_DIR", &settings.data_dir)
            .env(
                "SIGNET_DATABASE__URL",
                settings.database.url.expose_secret(),
            ))
    };
    let id = b["id"].as_str().unwrap();
    let out = cli(&["cert", "approve", id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !cli(&["cert", "approve", id]).status.success(),
        "only pending bindings"
    );
    let r = login_account(&app, &key, &cert).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}
