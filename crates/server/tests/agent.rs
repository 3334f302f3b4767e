//! The local signing agent against SoftHSM2 with two tokens (a personal key and a company key,
//! P-256, certificates from Signet's CA for keys that never leave the tokens): listing, signing
//! after each token's PIN, a wrong PIN and a foreign web origin refused, certificate login and
//! a PDF signed through agent + external path that pyHanko validates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit as common;
use signet_server_testkit::pdfkit;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{Backend, Person, TestApp, spawn_with};
use pdfkit::{ok, tools};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const ORIGIN: &str = "http://panel.signet.test";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A SoftHSM2 configuration of its own (tokens in `dir/tokens`).
fn softhsm_conf(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("tokens")).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            dir.join("tokens").display()
        ),
    )
    .unwrap();
    conf
}

/// A token with a P-256 key (id `id`) whose certificate Signet issues from a CSR; the
/// certificate is written to the token too. Returns the certificate's PEM and chain PEM.
async fn token_with_certificate(
    app: &TestApp,
    user_token: &str,
    dir: &Path,
    conf: &Path,
    label: &str,
    pin: &str,
    id: &str,
) -> (String, String) {
    let key = dir.join(format!("{label}.key"));
    ok(Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", conf)
        .args([
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            pin,
            "--so-pin",
            "87654321",
        ]));
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
    ok(Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", conf)
        .arg("--import")
        .arg(&key)
        .args(["--token", label, "--label", label, "--id", id, "--pin", pin]));
    let csr = dir.join(format!("{label}.csr"));
    ok(Command::new("openssl")
        .args(["req", "-new", "-subj", "/CN=token", "-key"])
        .arg(&key)
        .arg("-out")
        .arg(&csr));
    // The key file goes: from here on only the token holds the key.
    std::fs::remove_file(&key).unwrap();
    let r = app
        .post(
            "/api/v1/certificates/csr",
            &json!({"kind": "personal", "csr": std::fs::read_to_string(&csr).unwrap()}),
            Some(user_token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    let pem = v["certificate_pem"].as_str().unwrap().to_owned();
    let pem_path = dir.join(format!("{label}.pem"));
    let der_path = dir.join(format!("{label}.der"));
    std::fs::write(&pem_path, &pem).unwrap();
    ok(Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&pem_path)
        .arg("-out")
        .arg(&der_path));
    ok(Command::new("pkcs11-tool")
        .env("SOFTHSM2_CONF", conf)
        .args([
            "--module",
            MODULE,
            "--login",
            "--pin",
            pin,
            "--token-label",
            label,
        ])
        .arg("--write-object")
        .arg(&der_path)
        .args(["--type", "cert", "--id", id, "--label", label]));
    (
        v["id"].as_str().unwrap().to_owned(),
        v["chain_pem"].as_str().unwrap().to_owned(),
    )
}

struct AgentProcess {
    child: Child,
    url: String,
}

impl Drop for AgentProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `signet-agent` binary of this build: another package's binary, so cargo does not name
/// it for this test; it is built beside the test's own directory (`target/<profile>/`) when
/// the workspace's tests are built, as `make test` does.
fn agent_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = profile_dir.join("signet-agent");
    assert!(
        bin.exists(),
        "{} is not built: run the workspace's tests (make test), or cargo build -p signet-agent",
        bin.display()
    );
    bin
}

async fn start_agent(conf: &Path) -> AgentProcess {
    let port = free_port();
    let child = Command::new(agent_binary())
        .env("SOFTHSM2_CONF", conf)
        .args(["--module", MODULE, "--origin", ORIGIN])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{url}/tokens")).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    AgentProcess { child, url }
}

async fn agent_sign(
    agent: &AgentProcess,
    slot: &Value,
    key_id: &str,
    pin: &str,
    data: &[u8],
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/sign", agent.url))
        .header("Origin", ORIGIN)
        .json(&json!({"slot": slot, "key_id": key_id, "pin": pin, "data": STANDARD.encode(data)}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_agent_signs_with_two_softhsm_tokens() {
    if !tools(&["softhsm2-util", "pkcs11-tool", "openssl", "pyhanko"])
        || !Path::new(MODULE).exists()
    {
        assert!(
            !pdfkit::in_ci(),
            "CI needs SoftHSM2 (make test installs it)"
        );
        return;
    }
    let app = spawn_with(Backend::Sqlite, |_| {}).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let conf = softhsm_conf(dir.path());
    let person = Person::new(901);
    let token = app.signup(&person).await;
    let (personal_id, chain) =
        token_with_certificate(&app, &token, dir.path(), &conf, "personal", "111111", "01").await;
    let _company =
        token_with_certificate(&app, &token, dir.path(), &conf, "company", "222222", "02").await;
    let agent = start_agent(&conf).await;
    let client = reqwest::Client::new();

    // Both tokens, each with its certificate.
    let r = client
        .get(format!("{}/tokens", agent.url))
        .header("Origin", ORIGIN)
        .send()
        .await
        .unwrap();
    let (status, allow) = (
        r.status(),
        r.headers().get("access-control-allow-origin").cloned(),
    );
    let body = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(allow.unwrap().to_str().unwrap(), ORIGIN);
    let tokens: Value = serde_json::from_str(&body).unwrap();
    let tokens = tokens.as_array().unwrap();
    assert_eq!(tokens.len(), 2, "{tokens:?}");
    let find = |label: &str| {
        tokens
            .iter()
            .find(|t| t["label"] == label)
            .cloned()
            .unwrap()
    };
    let (personal, company) = (find("personal"), find("company"));
    assert_eq!(personal["certificates"][0]["key_id"], "01");
    assert_eq!(company["certificates"][0]["key_id"], "02");

    // Another web origin is refused, request and preflight alike.
    let r = client
        .get(format!("{}/tokens", agent.url))
        .header("Origin", "http://evil.test")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client
        .post(format!("{}/sign", agent.url))
        .header("Origin", "http://evil.test")
        .json(&json!({"slot": personal["slot"], "key_id": "01", "pin": "111111", "data": "AA=="}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client
        .request(reqwest::Method::OPTIONS, format!("{}/sign", agent.url))
        .header("Origin", "http://evil.test")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A wrong PIN signs nothing.
    let r = agent_sign(&agent, &personal["slot"], "01", "999999", b"x").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "wrong_pin");

    // Certificate login through the agent, with each token.
    for (t, key_id, pin) in [(&personal, "01", "111111"), (&company, "02", "222222")] {
        let c: Value = app
            .post("/api/v1/auth/cert/challenge", &json!({}), None)
            .await
            .json()
            .await
            .unwrap();
        let r = agent_sign(
            &agent,
            &t["slot"],
            key_id,
            pin,
            c["challenge"].as_str().unwrap().as_bytes(),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        let sig: Value = r.json().await.unwrap();
        let r = app
            .post(
                "/api/v1/auth/cert/login",
                &json!({"challenge_id": c["challenge_id"], "certificate": t["certificates"][0]["certificate_pem"], "signature": sig["signature"]}),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }

    // A PDF signed through the agent and the external path.
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(
                pdfkit::corpus_pdf(),
            ),
        )
        .text(
            "request",
            json!({"level": "b-t", "signature": {"certificate_id": personal_id, "kind": "invisible"}})
                .to_string(),
        );
    let r = app
        .client
        .post(app.url("/api/v1/sign/external"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let prepared: Value = r.json().await.unwrap();
    let attrs = STANDARD
        .decode(prepared["signed_attributes"].as_str().unwrap())
        .unwrap();
    let r = agent_sign(&agent, &personal["slot"], "01", "111111", &attrs).await;
    let sig: Value = r.json().await.unwrap();
    let r = app
        .post(
            &format!(
                "/api/v1/sign/external/{}/finish",
                prepared["id"].as_str().unwrap()
            ),
            &json!({"signature": sig["signature"]}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let signed = dir.path().join("agent.pdf");
    std::fs::write(&signed, r.bytes().await.unwrap()).unwrap();
    let root = chain
        .split_inclusive("-----END CERTIFICATE-----\n")
        .nth(1)
        .unwrap();
    let root_path = dir.path().join("root.pem");
    std::fs::write(&root_path, root).unwrap();
    let text = ok(Command::new("pyhanko")
        .args([
            "sign",
            "validate",
            "--no-revocation-check",
            "--pretty-print",
            "--trust-replace",
            "--trust",
        ])
        .arg(&root_path)
        .arg(&signed));
    assert!(text.contains("The signature is judged VALID"), "{text}");
}
