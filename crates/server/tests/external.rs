//! External signing with keys the server never sees: a certificate for the caller's own key
//! from a PKCS#10 request (made by openssl, P-256 and SM2), then prepare → sign here → finish,
//! through `signet sign-external` and by hand; refusals leave nothing embedded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit as common;
use signet_server_testkit::pdfkit;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Backend, Person, TestApp, assert_problem};
use pdfkit::{corpus_pdf, ok, run, seal_png, signet, tools, verify_json};
use reqwest::StatusCode;
use serde_json::{Value, json};
use signet_pki::sign::SigningKey;
use std::path::{Path, PathBuf};
use std::process::Command;

async fn spawn_public() -> TestApp {
    common::spawn_public(Backend::Sqlite).await.unwrap()
}

/// A key made by openssl and a PKCS#10 request signed with it.
fn key_and_csr(dir: &Path, alg: &str) -> (PathBuf, String) {
    let key = dir.join(format!("{alg}.key"));
    let csr = dir.join(format!("{alg}.csr"));
    if alg == "sm2" {
        ok(Command::new("openssl")
            .args(["genpkey", "-algorithm", "SM2", "-out"])
            .arg(&key));
        ok(Command::new("openssl")
            .args([
                "req",
                "-new",
                "-sm3",
                "-sigopt",
                "distid:1234567812345678",
                "-subj",
                "/CN=ignored",
                "-key",
            ])
            .arg(&key)
            .arg("-out")
            .arg(&csr));
    } else {
        ok(Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
            ])
            .arg(&key));
        ok(Command::new("openssl")
            .args(["req", "-new", "-sha256", "-subj", "/CN=ignored", "-key"])
            .arg(&key)
            .arg("-out")
            .arg(&csr));
    }
    (key, std::fs::read_to_string(&csr).unwrap())
}

struct ClientCert {
    id: String,
    root: PathBuf,
}

async fn certify(app: &TestApp, token: &str, csr: &str, dir: &Path, name: &str) -> ClientCert {
    let r = app
        .post(
            "/api/v1/certificates/csr",
            &json!({"kind": "personal", "csr": csr}),
            Some(token),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["key_location"], "client");
    assert_eq!(
        v["subject"], "王小明",
        "the CA decides the subject, not the request"
    );
    let chain = v["chain_pem"].as_str().unwrap();
    let root = chain
        .split_inclusive("-----END CERTIFICATE-----\n")
        .nth(1)
        .unwrap();
    let root_path = dir.join(format!("{name}-root.pem"));
    std::fs::write(&root_path, root).unwrap();
    ClientCert {
        id: v["id"].as_str().unwrap().into(),
        root: root_path,
    }
}

#[tokio::test]
async fn sign_external_round_trip_p256_and_sm2() {
    if !tools(&["openssl", "pyhanko", "python3"]) {
        return;
    }
    let app = spawn_public().await;
    let dir = tempfile::tempdir().unwrap();
    let person = Person::new(701);
    let token = app.signup(&person).await;
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, corpus_pdf()).unwrap();
    let seal = dir.path().join("seal.png");
    seal_png(&seal, 200);
    for (alg, level) in [("p256", "b-lta"), ("sm2", "b-t")] {
        let (key, csr) = key_and_csr(dir.path(), alg);
        let cert = certify(&app, &token, &csr, dir.path(), alg).await;
        let out = dir.path().join(format!("{alg}.pdf"));
        let mut cmd = signet();
        cmd.args([
            "sign-external",
            "--server",
            &app.address,
            "--token",
            &token,
            "--certificate",
            &cert.id,
        ])
        .args([
            "--level",
            level,
            "--page",
            "1",
            "--rect",
            "380,60,110,110",
            "--key",
        ])
        .arg(&key)
        .arg("--seal")
        .arg(&seal)
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
        let (code, report) = verify_json(&out, &[&cert.root]);
        assert_eq!(code, 0, "{alg}: {report:#}");
        let want = if level == "b-lta" { "B-LTA" } else { "B-T" };
        assert_eq!(report["signatures"][0]["level"], want, "{report:#}");
        if alg == "p256" {
            let text = ok(Command::new("pyhanko")
                .args([
                    "sign",
                    "validate",
                    "--no-revocation-check",
                    "--pretty-print",
                    "--trust-replace",
                    "--trust",
                ])
                .arg(&cert.root)
                .arg(&out));
            assert!(text.contains("The signature is judged VALID"), "{text}");
        } else {
            let text = ok(Command::new("python3")
                .arg(pdfkit::shared().join("tools/sm2-verify.py"))
                .arg(&out));
            assert!(text.contains("1 ok, 0 bad"), "{text}");
        }
    }
}

/// Prepare by hand; returns (session id, signed attributes).
async fn prepare(app: &TestApp, token: &str, cert: &str) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(corpus_pdf()))
        .text(
            "request",
            json!({"level": "b-b", "signature": {"certificate_id": cert, "kind": "invisible"}})
                .to_string(),
        );
    app.client
        .post(app.url("/api/v1/sign/external"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn finish(app: &TestApp, token: &str, id: &str, signature: &[u8]) -> reqwest::Response {
    app.post(
        &format!("/api/v1/sign/external/{id}/finish"),
        &json!({"signature": STANDARD.encode(signature)}),
        Some(token),
    )
    .await
}

#[tokio::test]
async fn external_signing_refusals_embed_nothing() {
    if !tools(&["openssl"]) {
        return;
    }
    let app = spawn_public().await;
    let dir = tempfile::tempdir().unwrap();
    let alice = app.signup(&Person::new(702)).await;
    let bob = app.signup(&Person::new(703)).await;
    let (key_path, csr) = key_and_csr(dir.path(), "p256");
    let key = SigningKey::from_pem(&std::fs::read_to_string(&key_path).unwrap()).unwrap();
    let cert = certify(&app, &alice, &csr, dir.path(), "a").await;

    // A request whose signature does not verify: no proof of possession.
    let der = STANDARD
        .decode(
            csr.lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>(),
        )
        .unwrap();
    let mut broken = der.clone();
    let last = broken.len() - 3;
    broken[last] ^= 0x55;
    assert_problem(
        app.post(
            "/api/v1/certificates/csr",
            &json!({"kind": "personal", "csr": STANDARD.encode(&broken)}),
            Some(&alice),
        )
        .await,
        400,
        "invalid_csr",
    )
    .await;
    assert_problem(
        app.post(
            "/api/v1/certificates/csr",
            &json!({"kind": "personal", "csr": "not a request"}),
            Some(&alice),
        )
        .await,
        400,
        "invalid_csr",
    )
    .await;

    // Another user's certificate, and a server-held one.
    assert_problem(
        prepare(&app, &bob, &cert.id).await,
        404,
        "certificate_not_found",
    )
    .await;
    let held: Value = app
        .post(
            "/api/v1/certificates",
            &json!({"kind": "personal", "algorithm": "p256", "pin": "246810"}),
            Some(&alice),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_problem(
        prepare(&app, &alice, held["id"].as_str().unwrap()).await,
        409,
        "certificate_server_held",
    )
    .await;

    let r = prepare(&app, &alice, &cert.id).await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let p: Value = r.json().await.unwrap();
    let id = p["id"].as_str().unwrap().to_owned();
    assert_eq!(p["algorithm"], "p256");
    let attrs = STANDARD
        .decode(p["signed_attributes"].as_str().unwrap())
        .unwrap();

    // A signature over other bytes: 422, and the session stays open.
    let wrong = key.sign(b"other bytes").unwrap();
    assert_problem(
        finish(&app, &alice, &id, &wrong).await,
        422,
        "bad_signature",
    )
    .await;
    // Someone else's session: 404.
    assert_problem(
        finish(&app, &bob, &id, &key.sign(&attrs).unwrap()).await,
        404,
        "signing_session_not_found",
    )
    .await;
    // The right signature: the PDF; then the session is used up.
    let r = finish(&app, &alice, &id, &key.sign(&attrs).unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let signed = dir.path().join("signed.pdf");
    std::fs::write(&signed, r.bytes().await.unwrap()).unwrap();
    let (code, report) = verify_json(&signed, &[&cert.root]);
    assert_eq!(code, 0, "{report:#}");
    assert_problem(
        finish(&app, &alice, &id, &key.sign(&attrs).unwrap()).await,
        409,
        "signing_session_used",
    )
    .await;

    // An expired session: 410.
    let r = prepare(&app, &alice, &cert.id).await;
    let p: Value = r.json().await.unwrap();
    let id = p["id"].as_str().unwrap().to_owned();
    let attrs = STANDARD
        .decode(p["signed_attributes"].as_str().unwrap())
        .unwrap();
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    app.sql(&format!(
        "UPDATE external_signings SET expires_at = '{past}' WHERE id = '{id}'"
    ))
    .await;
    assert_problem(
        finish(&app, &alice, &id, &key.sign(&attrs).unwrap()).await,
        410,
        "signing_session_expired",
    )
    .await;

    // A revoked certificate can no longer prepare.
    let r = app
        .post(
            &format!("/api/v1/certificates/{}/revoke", cert.id),
            &json!({"reason": "keyCompromise"}),
            Some(&alice),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_problem(
        prepare(&app, &alice, &cert.id).await,
        409,
        "certificate_revoked",
    )
    .await;
}

/// Certificate login: a challenge signed by the key of a certificate the built-in CA issued
/// to the user logs that user in (P-256 and SM2); replays, expired challenges, other keys,
/// untrusted CAs, revoked certificates and server-held certificates' lookalikes are refused.
#[tokio::test]
async fn certificate_login() {
    if !tools(&["openssl"]) {
        return;
    }
    let app = spawn_public().await;
    let dir = tempfile::tempdir().unwrap();
    let person = Person::new(704);
    let token = app.signup(&person).await;
    let challenge = || async {
        let v: Value = app
            .post("/api/v1/auth/cert/challenge", &json!({}), None)
            .await
            .json()
            .await
            .unwrap();
        (
            v["challenge_id"].as_str().unwrap().to_owned(),
            v["challenge"].as_str().unwrap().to_owned(),
        )
    };
    let login = |id: String, cert: String, sig: Vec<u8>| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/auth/cert/login",
                &json!({"challenge_id": id, "certificate": cert, "signature": STANDARD.encode(sig)}),
                None,
            )
            .await
        }
    };
    for alg in ["p256", "sm2"] {
        let (key_path, csr) = key_and_csr(dir.path(), alg);
        let key = SigningKey::from_pem(&std::fs::read_to_string(&key_path).unwrap()).unwrap();
        let r = app
            .post(
                "/api/v1/certificates/csr",
                &json!({"kind": "personal", "csr": csr}),
                Some(&token),
            )
            .await;
        let v: Value = r.json().await.unwrap();
        let pem = v["certificate_pem"].as_str().unwrap().to_owned();
        let (id, text) = challenge().await;
        let r = login(id.clone(), pem.clone(), key.sign(text.as_bytes()).unwrap()).await;
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "{alg}: {}",
            r.text().await.unwrap()
        );
        let pair: Value = r.json().await.unwrap();
        let me: Value = app
            .get_json("/api/v1/me", pair["access_token"].as_str())
            .await;
        assert_eq!(me["account_name"], Value::from(person.account_name.clone()));
        // The same challenge again: refused.
        assert_problem(
            login(id, pem.clone(), key.sign(text.as_bytes()).unwrap()).await,
            401,
            "challenge_expired",
        )
        .await;
        // Another key signing for this certificate.
        let other = SigningKey::generate(key.algorithm()).unwrap();
        let (id, text) = challenge().await;
        assert_problem(
            login(id, pem.clone(), other.sign(text.as_bytes()).unwrap()).await,
            401,
            "certificate_login_failed",
        )
        .await;
        // An expired challenge.
        let (id, text) = challenge().await;
        let past = (chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339();
        app.sql(&format!(
            "UPDATE login_challenges SET expires_at = '{past}' WHERE id = '{id}'"
        ))
        .await;
        assert_problem(
            login(id, pem.clone(), key.sign(text.as_bytes()).unwrap()).await,
            401,
            "challenge_expired",
        )
        .await;
        // Expired (its validity ended): refused; then valid again for the next check.
        let cert_id = v["id"].as_str().unwrap().to_owned();
        let (past, future) = (
            (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339(),
            (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339(),
        );
        app.sql(&format!(
            "UPDATE certificates SET not_after = '{past}' WHERE id = '{cert_id}'"
        ))
        .await;
        let (id, text) = challenge().await;
        assert_problem(
            login(id, pem.clone(), key.sign(text.as_bytes()).unwrap()).await,
            401,
            "certificate_login_failed",
        )
        .await;
        app.sql(&format!(
            "UPDATE certificates SET not_after = '{future}' WHERE id = '{cert_id}'"
        ))
        .await;
        let (id, text) = challenge().await;
        let r = login(id, pem.clone(), key.sign(text.as_bytes()).unwrap()).await;
        assert_eq!(r.status(), StatusCode::OK);
        // Revoked: refused.
        let r = app
            .post(
                &format!("/api/v1/certificates/{}/revoke", v["id"].as_str().unwrap()),
                &json!({"reason": "keyCompromise"}),
                Some(&token),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let (id, text) = challenge().await;
        assert_problem(
            login(id, pem, key.sign(text.as_bytes()).unwrap()).await,
            401,
            "certificate_login_failed",
        )
        .await;
    }
    // A certificate from a CA Signet does not trust (made here with openssl), with its key.
    let key_path = dir.path().join("self.key");
    let cert_path = dir.path().join("self.pem");
    ok(Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=王小明",
            "-days",
            "30",
            "-keyout",
        ])
        .arg(&key_path)
        .arg("-out")
        .arg(&cert_path));
    let key = SigningKey::from_pem(&std::fs::read_to_string(&key_path).unwrap()).unwrap();
    let (id, text) = challenge().await;
    assert_problem(
        login(
            id,
            std::fs::read_to_string(&cert_path).unwrap(),
            key.sign(text.as_bytes()).unwrap(),
        )
        .await,
        401,
        "certificate_login_failed",
    )
    .await;
    // Not a certificate: 400.
    let (id, _) = challenge().await;
    assert_problem(
        login(id, "junk".into(), vec![1, 2, 3]).await,
        400,
        "invalid_certificate",
    )
    .await;
}
