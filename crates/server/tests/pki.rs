//! The built-in PKI against independent tools: issued chains pass `openssl verify` (P-256,
//! and SM2 with the default distinguishing id); the OCSP responder answers `openssl ocsp`
//! good, then revoked after a revocation (SM2 answers checked with `openssl pkeyutl`); CRLs list
//! revoked serials; TSA answers pass `openssl ts -verify`; a document the server signs at
//! B-LTA passes `pyhanko sign validate` and `pyhanko sign adesverify` offline; PINs lock after
//! five wrong tries, unlock or re-key with an SMS code, and never reach the logs; the direct
//! signing API refuses wrong PINs, locked, revoked and foreign certificates with nothing
//! returned.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit as common;
use signet_server_testkit::on_both;
use signet_server_testkit::pdfkit;

use common::{Backend, Person, TestApp, assert_problem, spawn_public};
use pdfkit::{corpus_pdf, ok, run, seal_png, signet, tools, verify_json};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

const DISTID: &str = "distid:1234567812345678";
const PIN: &str = "246810";

struct Issued {
    id: String,
    serial: String,
    cert: PathBuf,
    issuing: PathBuf,
    root: PathBuf,
}

fn write(dir: &Path, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

/// Splits a PEM bundle into its certificates (PEM text each).
fn pem_certs(bundle: &str) -> Vec<String> {
    bundle
        .split_inclusive("-----END CERTIFICATE-----\n")
        .filter(|s| s.contains("BEGIN CERTIFICATE"))
        .map(str::to_owned)
        .collect()
}

async fn issue(app: &TestApp, token: &str, body: Value, dir: &Path, name: &str) -> Issued {
    let r = app.post("/api/v1/certificates", &body, Some(token)).await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let v: Value = r.json().await.unwrap();
    let chain = v["chain_pem"].as_str().unwrap();
    let parts = pem_certs(chain);
    assert_eq!(parts.len(), 2, "issuing CA and root");
    Issued {
        id: v["id"].as_str().unwrap().into(),
        serial: v["serial"].as_str().unwrap().into(),
        cert: write(
            dir,
            &format!("{name}.pem"),
            v["certificate_pem"].as_str().unwrap(),
        ),
        issuing: write(dir, &format!("{name}-issuing.pem"), &parts[0]),
        root: write(dir, &format!("{name}-root.pem"), &parts[1]),
    }
}

async fn person(app: &TestApp, n: u32) -> (Person, String) {
    let p = Person::new(n);
    let token = app.signup(&p).await;
    (p, token)
}

fn openssl() -> Command {
    Command::new("openssl")
}

/// Runs a command that must succeed; returns stdout and stderr together (OpenSSL prints its
/// verification verdicts on stderr).
fn ok_all(cmd: &mut Command) -> String {
    let out = run(cmd);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

/// `openssl verify` of an issued chain. For SM2, OpenSSL 3.0 checks certificate signatures
/// with an empty id unless told, and `-vfyopt distid:` only reaches the certificate named on
/// the command line: each link is checked on its own (the issuing CA against the root, the
/// leaf with the issuing CA as a partial-chain anchor).
fn openssl_verify(c: &Issued, sm2: bool) {
    let out = if sm2 {
        let issuing = ok(openssl()
            .args(["verify", "-vfyopt", DISTID, "-CAfile"])
            .arg(&c.root)
            .arg(&c.issuing));
        assert!(issuing.contains(": OK"), "{issuing}");
        ok(openssl()
            .args(["verify", "-vfyopt", DISTID, "-partial_chain", "-CAfile"])
            .arg(&c.issuing)
            .arg(&c.cert))
    } else {
        ok(openssl()
            .args(["verify", "-x509_strict", "-CAfile"])
            .arg(&c.root)
            .arg("-untrusted")
            .arg(&c.issuing)
            .arg(&c.cert))
    };
    assert!(out.contains(": OK"), "{out}");
}

#[tokio::test]
async fn issued_chains_pass_openssl_verify() {
    if !tools(&["openssl"]) {
        return;
    }
    let app = spawn_public(Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (p, token) = person(&app, 601).await;
    for (alg, sm2) in [("p256", false), ("sm2", true)] {
        let c = issue(
            &app,
            &token,
            json!({"kind": "personal", "algorithm": alg, "pin": PIN}),
            dir.path(),
            alg,
        )
        .await;
        openssl_verify(&c, sm2);
        let text = ok(openssl()
            .args(["x509", "-noout", "-text", "-nameopt", "utf8", "-in"])
            .arg(&c.cert));
        assert!(text.contains("王小明"), "{text}");
        assert!(
            text.contains("Digital Signature, Non Repudiation"),
            "{text}"
        );
        assert!(
            text.contains(&format!("{}/pki/ocsp", app.address)),
            "{text}"
        );
        assert!(text.contains("/pki/crl/ca_"), "{text}");
        assert!(
            !text.contains(&p.id_card_number),
            "the ID number must not be in the certificate"
        );
        // The CA certificates served at their URLs are the ones in the chain.
        let (ca_id, pem) = ca_of(&app, &c.cert).await;
        assert_eq!(pem, std::fs::read_to_string(&c.issuing).unwrap());
        let der = app.get(&format!("/pki/ca/{ca_id}.crt"), None).await;
        assert_eq!(der.status(), StatusCode::OK);
        assert_eq!(
            der.headers()["content-type"].to_str().unwrap(),
            "application/pkix-cert"
        );
    }
    // Unknown CA files are a 404 problem.
    assert_problem(
        app.get("/pki/ca/ca_nope.pem", None).await,
        404,
        "ca_not_found",
    )
    .await;
    assert_problem(
        app.get("/pki/crl/ca_nope.crl", None).await,
        404,
        "ca_not_found",
    )
    .await;
}

/// The issuing CA's id (from the certificate's CRL URL) and its PEM as served.
async fn ca_of(app: &TestApp, cert: &Path) -> (String, String) {
    let text = ok(openssl().args(["x509", "-noout", "-text", "-in"]).arg(cert));
    let id = text
        .split("/pki/crl/")
        .nth(1)
        .and_then(|s| s.split(".crl").next())
        .unwrap()
        .to_owned();
    let pem = app
        .get(&format!("/pki/ca/{id}.pem"), None)
        .await
        .text()
        .await
        .unwrap();
    (id, pem)
}

/// `openssl ocsp` against the running responder, off the test's runtime (which also drives
/// the app's database pool, so it must not be blocked).
async fn ocsp_status(app: &TestApp, c: &Issued) -> String {
    let (issuing, cert, root, url) = (
        c.issuing.clone(),
        c.cert.clone(),
        c.root.clone(),
        app.url("/pki/ocsp"),
    );
    tokio::task::spawn_blocking(move || {
        ok_all(
            openssl()
                .args(["ocsp", "-issuer"])
                .arg(&issuing)
                .arg("-cert")
                .arg(&cert)
                .arg("-CAfile")
                .arg(&root)
                .args(["-url", &url, "-resp_text"]),
        )
    })
    .await
    .unwrap()
}

async fn ocsp_good_then_revoked(app: TestApp) {
    if !tools(&["openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, token) = person(&app, 602).await;
    let c = issue(
        &app,
        &token,
        json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
        dir.path(),
        "p256",
    )
    .await;
    let out = ocsp_status(&app, &c).await;
    assert!(
        out.contains(&format!("{}: good", c.cert.display())),
        "{out}"
    );
    assert!(out.contains("Response verify OK"), "{out}");

    let r = app
        .post(
            &format!("/api/v1/certificates/{}/revoke", c.id),
            &json!({"reason": "keyCompromise"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let out = ocsp_status(&app, &c).await;
    assert!(
        out.contains(&format!("{}: revoked", c.cert.display())),
        "{out}"
    );
    assert!(out.contains("keyCompromise"), "{out}");
    assert!(out.contains("Response verify OK"), "{out}");
    // Twice is a conflict.
    assert_problem(
        app.post(
            &format!("/api/v1/certificates/{}/revoke", c.id),
            &json!({"reason": "keyCompromise"}),
            Some(&token),
        )
        .await,
        409,
        "certificate_revoked",
    )
    .await;

    // The GET form (RFC 6960 §A.1) gives the same answer.
    let req = dir.path().join("req.der");
    ok(openssl()
        .args(["ocsp", "-no_nonce", "-issuer"])
        .arg(&c.issuing)
        .arg("-cert")
        .arg(&c.cert)
        .arg("-reqout")
        .arg(&req));
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(std::fs::read(&req).unwrap());
    let encoded = b64
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let r = app.get(&format!("/pki/ocsp/{encoded}"), None).await;
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/ocsp-response"
    );
    let resp = write(dir.path(), "resp.der", r.bytes().await.unwrap());
    let out = ok_all(
        openssl()
            .args(["ocsp", "-respin"])
            .arg(&resp)
            .arg("-issuer")
            .arg(&c.issuing)
            .arg("-cert")
            .arg(&c.cert)
            .arg("-CAfile")
            .arg(&c.root)
            .arg("-resp_text"),
    );
    assert!(out.contains(": revoked"), "{out}");

    // The CRL lists the serial and verifies with the issuing CA.
    let (ca_id, _) = ca_of(&app, &c.cert).await;
    let r = app.get(&format!("/pki/crl/{ca_id}.crl"), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let crl = write(dir.path(), "ca.crl", r.bytes().await.unwrap());
    let text = ok_all(
        openssl()
            .args(["crl", "-inform", "DER", "-noout", "-text", "-in"])
            .arg(&crl)
            .arg("-CAfile")
            .arg(&c.issuing)
            .arg("-verify"),
    );
    assert!(
        text.to_uppercase().contains(&c.serial.to_uppercase()),
        "serial {} not in\n{text}",
        c.serial
    );
    assert!(text.contains("Key Compromise"), "{text}");

    // Junk and wrong content types.
    let r = app
        .client
        .post(app.url("/pki/ocsp"))
        .header("content-type", "application/ocsp-request")
        .body("junk")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.bytes().await.unwrap();
    // OCSPResponse { responseStatus malformedRequest (1) }
    assert_eq!(&body[..], &[0x30, 0x03, 0x0a, 0x01, 0x01]);
    let r = app
        .client
        .post(app.url("/pki/ocsp"))
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_problem(r, 415, "unsupported_content_type").await;
}

on_both!(ocsp_good_then_revoked);

/// Verifies an SM2 signature over `data` with the public key of `cert` (PEM) by OpenSSL.
fn sm2_pkeyutl(dir: &Path, cert: &Path, data: &[u8], sig: &[u8]) {
    let pubkey = dir.join("sm2-pub.pem");
    ok(openssl()
        .args(["x509", "-noout", "-pubkey", "-in"])
        .arg(cert)
        .arg("-out")
        .arg(&pubkey));
    let d = write(dir, "sm2-data.bin", data);
    let s = write(dir, "sm2-sig.der", sig);
    let out = ok(openssl()
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(&pubkey)
        .args(["-rawin", "-digest", "sm3", "-pkeyopt", DISTID, "-in"])
        .arg(&d)
        .arg("-sigfile")
        .arg(&s));
    assert!(out.contains("Signature Verified Successfully"), "{out}");
}

#[tokio::test]
async fn sm2_ocsp_and_timestamps_verify_with_openssl_pkeyutl() {
    use der::{Decode, Encode};
    use signet_pki::verify::ocsp::{BasicOcspResponse, CertStatus, OcspResponse};
    if !tools(&["openssl"]) {
        return;
    }
    let app = spawn_public(Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, token) = person(&app, 603).await;
    let c = issue(
        &app,
        &token,
        json!({"kind": "personal", "algorithm": "sm2", "pin": PIN}),
        dir.path(),
        "sm2",
    )
    .await;
    openssl_verify(&c, true);
    // OCSP: OpenSSL builds the request; the answer's signature is checked with pkeyutl.
    let req = dir.path().join("req.der");
    ok(openssl()
        .args(["ocsp", "-issuer"])
        .arg(&c.issuing)
        .arg("-cert")
        .arg(&c.cert)
        .arg("-reqout")
        .arg(&req));
    let body = app
        .client
        .post(app.url("/pki/ocsp"))
        .header("content-type", "application/ocsp-request")
        .body(std::fs::read(&req).unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let resp = OcspResponse::from_der(&body).unwrap();
    let basic =
        BasicOcspResponse::from_der(resp.response_bytes.unwrap().response.as_bytes()).unwrap();
    assert!(matches!(
        basic.tbs_response_data.responses[0].cert_status,
        CertStatus::Good(_)
    ));
    let responder = basic.certs.as_ref().unwrap()[0].clone();
    let responder_pem = write(dir.path(), "responder.der", responder.to_der().unwrap());
    let responder_pem_path = dir.path().join("responder.pem");
    ok(openssl()
        .args(["x509", "-inform", "DER", "-in"])
        .arg(&responder_pem)
        .arg("-out")
        .arg(&responder_pem_path));
    sm2_pkeyutl(
        dir.path(),
        &responder_pem_path,
        &basic.tbs_response_data.to_der().unwrap(),
        basic.signature.raw_bytes(),
    );

    // TSA: an OpenSSL query to the SM2 TSA; the token's signed attributes are checked with
    // pkeyutl and the TSA certificate against the SM2 root.
    let data = write(dir.path(), "data.txt", "signet sm2 timestamp");
    let q = dir.path().join("q.tsq");
    ok(openssl()
        .args(["ts", "-query", "-data"])
        .arg(&data)
        .args(["-sha256", "-cert", "-out"])
        .arg(&q));
    let r = app
        .client
        .post(app.url("/pki/tsa/sm2"))
        .header("content-type", "application/timestamp-query")
        .body(std::fs::read(&q).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/timestamp-reply"
    );
    let tsr = r.bytes().await.unwrap();
    let resp = signet_pki::verify::tsp::TimeStampResp::from_der(&tsr).unwrap();
    let token = resp.token().unwrap().unwrap();
    assert!(token.imprint_matches(b"signet sm2 timestamp"));
    let cms = token.cms();
    // (a SET OF: sorted by encoding, so find the signer by its identifier)
    let tsa_cert = cms.find_signer_certificate(&[]).unwrap().clone();
    let tsa_pem = dir.path().join("tsa.pem");
    let tsa_der = write(dir.path(), "tsa.der", tsa_cert.to_der().unwrap());
    ok(openssl()
        .args(["x509", "-inform", "DER", "-in"])
        .arg(&tsa_der)
        .arg("-out")
        .arg(&tsa_pem));
    sm2_pkeyutl(
        dir.path(),
        &tsa_pem,
        cms.signed_attributes_der().unwrap(),
        cms.signature_value(),
    );
    let text = ok(openssl()
        .args(["x509", "-noout", "-text", "-in"])
        .arg(&tsa_pem));
    assert!(text.contains("Time Stamping"), "{text}");
    let out = ok(openssl()
        .args([
            "verify",
            "-vfyopt",
            DISTID,
            "-purpose",
            "timestampsign",
            "-CAfile",
        ])
        .arg(&c.root)
        .arg(&tsa_pem));
    assert!(out.contains(": OK"), "{out}");
}

#[tokio::test]
async fn p256_timestamps_verify_with_openssl_ts() {
    if !tools(&["openssl"]) {
        return;
    }
    let app = spawn_public(Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, token) = person(&app, 604).await;
    let c = issue(
        &app,
        &token,
        json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
        dir.path(),
        "p256",
    )
    .await;
    let data = write(dir.path(), "data.txt", "signet timestamp");
    for (i, digest) in ["-sha256", "-sha512"].iter().enumerate() {
        let q = dir.path().join(format!("q{i}.tsq"));
        ok(openssl()
            .args(["ts", "-query", "-data"])
            .arg(&data)
            .args([digest, "-cert", "-out"])
            .arg(&q));
        let r = app
            .client
            .post(app.url("/pki/tsa"))
            .header("content-type", "application/timestamp-query")
            .body(std::fs::read(&q).unwrap())
            .send()
            .await
            .unwrap();
        let tsr = write(dir.path(), &format!("r{i}.tsr"), r.bytes().await.unwrap());
        let out = ok(openssl()
            .args(["ts", "-verify", "-data"])
            .arg(&data)
            .arg("-in")
            .arg(&tsr)
            .arg("-CAfile")
            .arg(&c.root)
            .arg("-untrusted")
            .arg(&c.issuing));
        assert!(out.contains("Verification: OK"), "{out}");
        let text = ok(openssl().args(["ts", "-reply", "-text", "-in"]).arg(&tsr));
        assert!(text.contains("Status: Granted."), "{text}");
    }
    // A request for an unknown digest is refused inside RFC 3161 (badAlg), not with HTTP.
    let q = dir.path().join("md5.tsq");
    ok(openssl()
        .args(["ts", "-query", "-data"])
        .arg(&data)
        .args(["-md5", "-out"])
        .arg(&q));
    let r = app
        .client
        .post(app.url("/pki/tsa"))
        .header("content-type", "application/timestamp-query")
        .body(std::fs::read(&q).unwrap())
        .send()
        .await
        .unwrap();
    let tsr = write(dir.path(), "md5.tsr", r.bytes().await.unwrap());
    let text = ok(openssl().args(["ts", "-reply", "-text", "-in"]).arg(&tsr));
    assert!(text.contains("Status: Rejected"), "{text}");
    assert!(
        text.contains("unrecognized or unsupported algorithm"),
        "{text}"
    );
    let r = app
        .client
        .post(app.url("/pki/tsa"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_problem(r, 415, "unsupported_content_type").await;
}

/// POSTs a multipart signing request; returns the response.
async fn sign_request(
    app: &TestApp,
    token: &str,
    pdf: Vec<u8>,
    request: Value,
    seal: Option<&Path>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf)
                .file_name("contract.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        )
        .part(
            "request",
            reqwest::multipart::Part::text(request.to_string())
                .mime_str("application/json")
                .unwrap(),
        );
    if let Some(seal) = seal {
        form = form.part(
            "seal",
            reqwest::multipart::Part::bytes(std::fs::read(seal).unwrap())
                .file_name("seal.png")
                .mime_str("image/png")
                .unwrap(),
        );
    }
    app.client
        .post(app.url("/api/v1/sign"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn b_lta_from_the_server_passes_pyhanko_offline() {
    if !tools(&["openssl", "pyhanko"]) {
        return;
    }
    // The default public base URL (port 8080) has nobody listening: every URL in the
    // certificates is dead, so whatever pyHanko accepts it found in the file.
    let app = common::spawn_app(Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, token) = person(&app, 605).await;
    let c = issue(
        &app,
        &token,
        json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
        dir.path(),
        "p256",
    )
    .await;
    let seal = dir.path().join("seal.png");
    seal_png(&seal, 240);
    let r = sign_request(
        &app,
        &token,
        corpus_pdf(),
        json!({
            "level": "b-lta",
            "signatures": [{"certificate_id": c.id, "kind": "seal", "page": 1, "rect": [400.0, 80.0, 120.0, 120.0], "seal": "seal",
                            "date": {"page": 1, "at": [400.0, 60.0], "size": 12.0}}],
            "pins": {c.id.clone(): PIN},
        }),
        Some(&seal),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/pdf"
    );
    let signed = write(dir.path(), "signed.pdf", r.bytes().await.unwrap());

    let (code, report) = verify_json(&signed, &[&c.root]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["signatures"][0]["level"], "B-LTA", "{report:#}");

    // `sign validate` outside its LTV mode never reads the DSS: it fetches revocation data,
    // or offline is told not to. Judging the embedded data is `adesverify`'s job, below.
    let text = ok_all(
        Command::new("pyhanko")
            .args([
                "sign",
                "validate",
                "--no-revocation-check",
                "--pretty-print",
                "--trust-replace",
                "--trust",
            ])
            .arg(&c.root)
            .arg(&signed),
    );
    assert!(text.contains("The signature is judged VALID"), "{text}");
    let text = ok_all(
        Command::new("pyhanko")
            .args(["sign", "adesverify", "--trust-replace", "--trust"])
            .arg(&c.root)
            .arg(&signed),
    );
    // The signature and its timestamp trusted from the embedded data, and the document
    // timestamp recognised as an LTA update.
    assert!(
        text.contains("INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>,EXTENDED_WITH_LTA_UPDATES"),
        "{text}"
    );
}

#[tokio::test]
async fn p256_and_sm2_in_one_request_with_two_pins() {
    if !tools(&["openssl", "python3"]) {
        return;
    }
    let app = spawn_public(Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, token) = person(&app, 606).await;
    let p = issue(
        &app,
        &token,
        json!({"kind": "personal", "algorithm": "p256", "pin": "111111"}),
        dir.path(),
        "p256",
    )
    .await;
    let s = issue(
        &app,
        &token,
        json!({"kind": "personal", "algorithm": "sm2", "pin": "222222"}),
        dir.path(),
        "sm2",
    )
    .await;
    let seal = dir.path().join("seal.png");
    seal_png(&seal, 200);
    let r = sign_request(
        &app,
        &token,
        corpus_pdf(),
        json!({
            "level": "b-lt",
            "signatures": [
                {"certificate_id": p.id, "kind": "seal", "page": 1, "rect": [60.0, 80.0, 100.0, 100.0], "seal": "seal"},
                {"certificate_id": s.id, "kind": "cross_page", "first": 1, "last": 3, "y": 300.0, "size": 100.0, "seal": "seal"},
            ],
            "pins": {p.id.clone(): "111111", s.id.clone(): "222222"},
        }),
        Some(&seal),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let signed = write(dir.path(), "signed.pdf", r.bytes().await.unwrap());
    let (code, report) = verify_json(&signed, &[&p.root, &s.root]);
    assert_eq!(code, 0, "{report:#}");
    let sigs = report["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2);
    for sig in sigs {
        assert_eq!(sig["level"], "B-LT", "{sig:#}");
    }
    // The independent SM2 check (OpenSSL doing the maths) on an SM2-only file: the tool
    // takes every signature for SM2 and wants the last one to cover the file (B-B).
    let r = sign_request(
        &app,
        &token,
        corpus_pdf(),
        json!({
            "level": "b-b",
            "signatures": [{"certificate_id": s.id, "kind": "seal", "page": 2, "rect": [60.0, 80.0, 100.0, 100.0], "seal": "seal"}],
            "pins": {s.id.clone(): "222222"},
        }),
        Some(&seal),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let sm2_only = write(dir.path(), "sm2.pdf", r.bytes().await.unwrap());
    let text = ok_all(
        Command::new("python3")
            .arg(pdfkit::shared().join("tools/sm2-verify.py"))
            .arg(&sm2_only),
    );
    assert!(text.contains("1 ok, 0 bad"), "{text}");
}

async fn pin_lockout_and_sms_unlock(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let (person, token) = person(&app, 607).await;
    let c = issue(
        &app,
        &token,
        json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
        dir.path(),
        "p256",
    )
    .await;
    let renew = |pin: &'static str| {
        let path = format!("/api/v1/certificates/{}/renew", c.id);
        let app = &app;
        let token = token.clone();
        async move { app.post(&path, &json!({"pin": pin}), Some(&token)).await }
    };
    for left in (1..=4).rev() {
        let body = assert_problem(renew("999999").await, 403, "wrong_pin").await;
        assert!(
            body["detail"].as_str().unwrap().contains(&left.to_string()),
            "{body}"
        );
    }
    assert_problem(renew("999999").await, 423, "certificate_locked").await;
    // Locked: even the right PIN is refused, and the count does not move.
    assert_problem(renew(PIN).await, 423, "certificate_locked").await;
    let v: Value = app
        .get_json(&format!("/api/v1/certificates/{}", c.id), Some(&token))
        .await;
    assert_eq!(v["status"], "locked");
    assert_eq!(v["pin_attempts_left"], 0);
    // Unlock with an SMS code to the holder's phone.
    let code = app.sms_code(&person.phone, "certificate_pin").await;
    let r = app
        .post(
            &format!("/api/v1/certificates/{}/pin/reset", c.id),
            &json!({"sms_code": code}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["status"].as_str(), v["pin_attempts_left"].as_u64()),
        (Some("valid"), Some(5))
    );
    let r = renew(PIN).await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let renewed: Value = r.json().await.unwrap();
    assert_ne!(renewed["serial"], Value::from(c.serial.clone()));

    // PIN change, then a forgotten PIN: re-key with an SMS code.
    let r = app
        .client
        .put(app.url(&format!("/api/v1/certificates/{}/pin", c.id)))
        .bearer_auth(&token)
        .json(&json!({"old_pin": PIN, "new_pin": "13572468"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_problem(renew(PIN).await, 403, "wrong_pin").await;
    let code = app.sms_code(&person.phone, "certificate_pin").await;
    let r = app
        .post(
            &format!("/api/v1/certificates/{}/pin/reset", c.id),
            &json!({"sms_code": code, "new_pin": "864200"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let rekeyed: Value = r.json().await.unwrap();
    assert_ne!(rekeyed["id"], Value::from(c.id.clone()));
    let old: Value = app
        .get_json(&format!("/api/v1/certificates/{}", c.id), Some(&token))
        .await;
    assert_eq!(old["status"], "revoked");
    assert_eq!(old["revocation_reason"], "superseded");
    assert_eq!(old["replaced_by"], rekeyed["id"]);
    // Bad PIN formats are 400s.
    assert_problem(
        app.post(
            "/api/v1/certificates",
            &json!({"kind": "personal", "algorithm": "p256", "pin": "12345"}),
            Some(&token),
        )
        .await,
        400,
        "invalid_pin",
    )
    .await;
}

on_both!(pin_lockout_and_sms_unlock);

async fn direct_signing_refusals(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let (_, alice) = person(&app, 608).await;
    let (_, bob) = person(&app, 609).await;
    let a = issue(
        &app,
        &alice,
        json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
        dir.path(),
        "a",
    )
    .await;
    let b = issue(
        &app,
        &bob,
        json!({"kind": "personal", "algorithm": "sm2", "pin": PIN}),
        dir.path(),
        "b",
    )
    .await;
    let invisible = |id: &str, pin: &str| json!({"level": "b-b", "signatures": [{"certificate_id": id, "kind": "invisible"}], "pins": {id: pin}});
    // Another user's certificate: 404, as if it did not exist.
    assert_problem(
        sign_request(&app, &alice, corpus_pdf(), invisible(&b.id, PIN), None).await,
        404,
        "certificate_not_found",
    )
    .await;
    // Wrong PIN: 403 and no PDF.
    assert_problem(
        sign_request(&app, &alice, corpus_pdf(), invisible(&a.id, "000000"), None).await,
        403,
        "wrong_pin",
    )
    .await;
    // Missing PIN, bad level, not a PDF, placement off the page.
    assert_problem(
        sign_request(
            &app,
            &alice,
            corpus_pdf(),
            json!({"signatures": [{"certificate_id": a.id, "kind": "invisible"}], "pins": {}}),
            None,
        )
        .await,
        400,
        "pin_required",
    )
    .await;
    let mut bad_level = invisible(&a.id, PIN);
    bad_level["level"] = json!("b-x");
    assert_problem(
        sign_request(&app, &alice, corpus_pdf(), bad_level, None).await,
        400,
        "invalid_level",
    )
    .await;
    assert_problem(
        sign_request(&app, &alice, b"hello".to_vec(), invisible(&a.id, PIN), None).await,
        422,
        "invalid_pdf",
    )
    .await;
    let seal = dir.path().join("seal.png");
    seal_png(&seal, 100);
    assert_problem(
        sign_request(
            &app,
            &alice,
            corpus_pdf(),
            json!({"level": "b-b", "signatures": [{"certificate_id": a.id, "kind": "seal", "page": 9, "rect": [0.0, 0.0, 50.0, 50.0], "seal": "seal"}], "pins": {a.id.clone(): PIN}}),
            Some(&seal),
        )
        .await,
        400,
        "invalid_placement",
    )
    .await;
    // Not a multipart form, or a part twice: 400 problems.
    assert_problem(
        app.post("/api/v1/sign", &json!({}), Some(&alice)).await,
        400,
        "invalid_multipart",
    )
    .await;
    let twice = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(corpus_pdf()))
        .part("file", reqwest::multipart::Part::bytes(corpus_pdf()));
    let r = app
        .client
        .post(app.url("/api/v1/sign"))
        .bearer_auth(&alice)
        .multipart(twice)
        .send()
        .await
        .unwrap();
    assert_problem(r, 400, "duplicate_part").await;
    // A good request works (B-B needs no TSA).
    let r = sign_request(&app, &alice, corpus_pdf(), invisible(&a.id, PIN), None).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let signed = write(dir.path(), "bb.pdf", r.bytes().await.unwrap());
    let (code, report) = verify_json(&signed, &[&a.root]);
    assert_eq!(code, 0, "{report:#}");
    // Locked after wrong PINs: 423.
    // (the success above reset the count)
    for _ in 0..4 {
        assert_problem(
            sign_request(&app, &alice, corpus_pdf(), invisible(&a.id, "000000"), None).await,
            403,
            "wrong_pin",
        )
        .await;
    }
    assert_problem(
        sign_request(&app, &alice, corpus_pdf(), invisible(&a.id, "000000"), None).await,
        423,
        "certificate_locked",
    )
    .await;
    assert_problem(
        sign_request(&app, &alice, corpus_pdf(), invisible(&a.id, PIN), None).await,
        423,
        "certificate_locked",
    )
    .await;
    // Revoked: 409 (the online check of a revoked signer is its own test below).
    let r = app
        .post(
            &format!("/api/v1/certificates/{}/revoke", b.id),
            &json!({"reason": "keyCompromise"}),
            Some(&bob),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_problem(
        sign_request(&app, &bob, corpus_pdf(), invisible(&b.id, PIN), None).await,
        409,
        "certificate_revoked",
    )
    .await;
}

on_both!(direct_signing_refusals);

#[tokio::test]
async fn a_revoked_signer_is_reported_revoked_online() {
    let app = spawn_public(Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, token) = person(&app, 610).await;
    let c = issue(
        &app,
        &token,
        json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
        dir.path(),
        "p256",
    )
    .await;
    let req = json!({"level": "b-b", "signatures": [{"certificate_id": c.id, "kind": "invisible"}], "pins": {c.id.clone(): PIN}});
    let r = sign_request(&app, &token, corpus_pdf(), req.clone(), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let signed = write(dir.path(), "signed.pdf", r.bytes().await.unwrap());
    let verify_online = |signed: PathBuf, root: PathBuf| {
        tokio::task::spawn_blocking(move || {
            let out = run(signet()
                .args(["pdf", "verify", "--json", "--online", "--trust"])
                .arg(&root)
                .arg(&signed));
            (
                out.status.code().unwrap(),
                serde_json::from_slice::<Value>(&out.stdout).unwrap(),
            )
        })
    };
    let (code, report) = verify_online(signed.clone(), c.root.clone()).await.unwrap();
    assert_eq!(code, 0, "{report:#}");
    let r = app
        .post(
            &format!("/api/v1/certificates/{}/revoke", c.id),
            &json!({"reason": "keyCompromise"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (code, report) = verify_online(signed, c.root.clone()).await.unwrap();
    assert_eq!(code, 3, "{report:#}");
    assert!(report.to_string().contains("revoked"), "{report:#}");
    assert_problem(
        sign_request(&app, &token, corpus_pdf(), req, None).await,
        409,
        "certificate_revoked",
    )
    .await;
}

#[tokio::test]
async fn organization_certificates_need_a_verified_org_and_an_admin() {
    let app = spawn_public(Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, admin) = person(&app, 611).await;
    let r = app
        .post(
            "/api/v1/orgs",
            &json!({"name": "测试贸易有限公司"}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let org: Value = r.json().await.unwrap();
    let org_id = org["id"].as_str().unwrap().to_owned();
    let body = json!({"kind": "organization", "org_id": org_id, "algorithm": "sm2", "pin": PIN});
    assert_problem(
        app.post("/api/v1/certificates", &body, Some(&admin)).await,
        403,
        "org_not_verified",
    )
    .await;
    // The operator verifies it with the CLI, against the same database.
    let settings = &app.state.settings;
    use secrecy::ExposeSecret;
    let out = run(signet()
        .args(["org", "verify", &org_id])
        .env("SIGNET_DATA_DIR", &settings.data_dir)
        .env(
            "SIGNET_DATABASE__URL",
            settings.database.url.expose_secret(),
        ));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = issue(&app, &admin, body, dir.path(), "org").await;
    let v: Value = app
        .get_json(&format!("/api/v1/certificates/{}", c.id), Some(&admin))
        .await;
    assert_eq!(v["kind"], "organization");
    assert_eq!(v["subject"], "测试贸易有限公司");
    // A plain member neither sees nor uses it.
    let (member_person, member) = person(&app, 612).await;
    let inv = app
        .post(
            &format!("/api/v1/orgs/{org_id}/invitations"),
            &json!({"phone": member_person.phone, "role": "member"}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        inv.status(),
        StatusCode::CREATED,
        "{}",
        inv.text().await.unwrap()
    );
    let inv: Value = inv.json().await.unwrap();
    let r = app
        .post(
            &format!(
                "/api/v1/me/invitations/{}/accept",
                inv["id"].as_str().unwrap()
            ),
            &json!({}),
            Some(&member),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    assert_problem(
        app.get(&format!("/api/v1/certificates/{}", c.id), Some(&member))
            .await,
        404,
        "certificate_not_found",
    )
    .await;
    let list: Value = app.get_json("/api/v1/certificates", Some(&member)).await;
    assert_eq!(list["total"], 0);
    let list: Value = app.get_json("/api/v1/certificates", Some(&admin)).await;
    assert_eq!(list["total"], 1);
    assert_problem(
        app.post(
            "/api/v1/certificates",
            &json!({"kind": "organization", "org_id": org_id, "algorithm": "p256", "pin": PIN}),
            Some(&member),
        )
        .await,
        403,
        "not_org_admin",
    )
    .await;
}

#[tokio::test]
async fn the_demo_org_starts_with_p256_and_sm2_certificates_and_a_company_seal() {
    let app = spawn_public(Backend::Sqlite).await.unwrap();
    let token = app
        .login("demoadmin", signet_server::demo::DEMO_PASSWORD)
        .await;
    let list: Value = app.get_json("/api/v1/certificates", Some(&token)).await;
    let orgs: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "organization")
        .collect();
    let mut algs: Vec<&str> = orgs
        .iter()
        .map(|c| c["algorithm"].as_str().unwrap())
        .collect();
    algs.sort();
    assert_eq!(algs, ["p256", "sm2"]);
    assert!(
        orgs.iter()
            .all(|c| c["subject"] == signet_server::demo::DEMO_ORG)
    );
    let p256 = orgs.iter().find(|c| c["algorithm"] == "p256").unwrap();
    let cert_id = p256["id"].as_str().unwrap().to_owned();

    // The company seal, bound to the P-256 certificate, a real PNG.
    let seals: Value = app.get_json("/api/v1/seals", Some(&token)).await;
    assert_eq!(seals["total"], 1, "{seals}");
    let seal = &seals["items"][0];
    assert_eq!(seal["kind"], "company");
    assert_eq!(seal["certificate_id"], Value::from(cert_id.clone()));
    let seal_id = seal["id"].as_str().unwrap().to_owned();
    let r = app
        .get(&format!("/api/v1/seals/{seal_id}/image"), Some(&token))
        .await;
    assert_eq!(r.headers()["content-type"].to_str().unwrap(), "image/png");
    let png = r.bytes().await.unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));

    // Sign with the stored seal; a plain member does not see it.
    let dir = tempfile::tempdir().unwrap();
    let req = json!({"level": "b-b", "signatures": [{"certificate_id": cert_id, "kind": "seal", "page": 1,
        "rect": [380.0, 60.0, 120.0, 120.0], "seal_id": seal_id}], "pins": {cert_id.clone(): signet_server::demo::DEMO_PIN}});
    let r = sign_request(&app, &token, corpus_pdf(), req.clone(), None).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let signed = write(dir.path(), "sealed.pdf", r.bytes().await.unwrap());
    let (code, report) = verify_json(&signed, &[]);
    assert_eq!(code, 3, "untrusted without the root: {report:#}");
    let member = app
        .login("demouser", signet_server::demo::DEMO_PASSWORD)
        .await;
    assert_problem(
        app.get(&format!("/api/v1/seals/{seal_id}/image"), Some(&member))
            .await,
        404,
        "seal_not_found",
    )
    .await;
    let list: Value = app.get_json("/api/v1/seals", Some(&member)).await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn pdf_extend_raises_a_server_signature_to_b_lta() {
    if !tools(&["pyhanko"]) {
        return;
    }
    let app = spawn_public(Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, token) = person(&app, 613).await;
    let c = issue(
        &app,
        &token,
        json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
        dir.path(),
        "p256",
    )
    .await;
    let req = json!({"level": "b-t", "signatures": [{"certificate_id": c.id, "kind": "invisible"}], "pins": {c.id.clone(): PIN}});
    let r = sign_request(&app, &token, corpus_pdf(), req, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let signed = write(dir.path(), "bb.pdf", r.bytes().await.unwrap());
    let lta = dir.path().join("lta.pdf");
    let tsa = app.url("/pki/tsa");
    let (root, out_path, input) = (c.root.clone(), lta.clone(), signed.clone());
    let out = tokio::task::spawn_blocking(move || {
        run(signet()
            .args([
                "pdf", "extend", "--level", "b-lta", "--tsa", &tsa, "--trust",
            ])
            .arg(&root)
            .arg("-o")
            .arg(&out_path)
            .arg(&input))
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, report) = verify_json(&lta, &[&c.root]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["signatures"][0]["level"], "B-LTA", "{report:#}");
    ok_all(
        Command::new("pyhanko")
            .args([
                "sign",
                "validate",
                "--pretty-print",
                "--trust-replace",
                "--trust",
            ])
            .arg(&c.root)
            .arg(&lta),
    );
    // The original is untouched.
    let (before, after) = (
        std::fs::read(&signed).unwrap(),
        std::fs::read(&lta).unwrap(),
    );
    assert!(after.len() > before.len() && after.starts_with(&before));
}

#[test]
fn pki_cli_init_show_rotate_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| {
        let out = run(signet()
            .args(args)
            .env("SIGNET_DATA_DIR", dir.path())
            .env(
                "SIGNET_DATABASE__URL",
                format!("sqlite://{}/signet.db?mode=rwc", dir.path().display()),
            )
            .env("SIGNET_LOG__FILTER", "warn"));
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = cli(&["pki", "init"]);
    for want in [
        "root CA",
        "issuing CA",
        "ocsp certificate",
        "tsa certificate",
        "platform certificate",
        "(P-256)",
        "(SM2)",
    ] {
        assert!(out.contains(want), "{want} missing:\n{out}");
    }
    assert!(cli(&["pki", "init"]).contains("initialised already"));
    let show = cli(&["pki", "show"]);
    assert_eq!(show.matches(" root ").count(), 2, "{show}");
    assert_eq!(show.matches(" issuing ").count(), 2, "{show}");
    let out = cli(&["pki", "rotate", "--algorithm", "sm2"]);
    assert!(out.contains("issuing CA"), "{out}");
    let show = cli(&["pki", "show"]);
    assert_eq!(show.matches(" issuing ").count(), 3, "{show}");
    assert_eq!(show.matches("retired").count(), 1, "{show}");
    // Revoke a service certificate by its serial.
    let serial = show
        .lines()
        .find(|l| l.contains(" platform "))
        .and_then(|l| l.split("serial ").nth(1))
        .and_then(|s| s.split_whitespace().next())
        .unwrap()
        .to_owned();
    let out = cli(&["pki", "revoke", &serial, "--reason", "cessationOfOperation"]);
    assert!(out.contains("revoked"), "{out}");
    let out = run(signet()
        .args(["pki", "revoke", "00ff", "--reason", "superseded"])
        .env("SIGNET_DATA_DIR", dir.path())
        .env(
            "SIGNET_DATABASE__URL",
            format!("sqlite://{}/signet.db?mode=rwc", dir.path().display()),
        ));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no certificate with serial ff"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The revoked platform certificate is gone from the services, in OpenSSL's serial form too.
    let show = cli(&["pki", "show"]);
    assert!(!show.contains(&serial), "{show}");
    let colon: String = serial
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).to_uppercase())
        .collect::<Vec<_>>()
        .join(":");
    assert!(cli(&["pki", "revoke", &colon]).contains("was revoked already"));
    let out = run(signet()
        .args(["pki", "rotate", "--algorithm", "rsa"])
        .env("SIGNET_DATA_DIR", dir.path())
        .env(
            "SIGNET_DATABASE__URL",
            format!("sqlite://{}/signet.db?mode=rwc", dir.path().display()),
        ));
    assert!(!out.status.success());
}

/// Runs the real binary with every log level on, uses PINs in every way the API takes them,
/// and scans what it printed.
#[tokio::test]
async fn pins_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(["serve", "--demo"])
        .env("SIGNET_DATA_DIR", dir.path())
        .env(
            "SIGNET_DATABASE__URL",
            format!("sqlite://{}/signet.db?mode=rwc", dir.path().display()),
        )
        .env("SIGNET_HTTP__PORT", port.to_string())
        .env("SIGNET_HTTP__WORKERS", "1")
        .env("SIGNET_PANEL_DIR", dir.path().join("none"))
        .env("SIGNET_LOG__FILTER", "trace")
        .env("SIGNET_LOG__FORMAT", "json")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..300 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "{}", std::fs::read_to_string(&log_path).unwrap());
    let pair: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "demoadmin", "password": signet_server::demo::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = pair["access_token"].as_str().unwrap();
    let list: Value = client
        .get(format!("{base}/api/v1/certificates"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let new_pin = "97531864";
    let wrong_pin = "86420975";
    let r = client
        .put(format!("{base}/api/v1/certificates/{id}/pin"))
        .bearer_auth(token)
        .json(&json!({"old_pin": signet_server::demo::DEMO_PIN, "new_pin": new_pin}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for pin in [wrong_pin, new_pin] {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(corpus_pdf()))
            .text(
                "request",
                json!({"level": "b-t", "signatures": [{"certificate_id": id, "kind": "invisible"}], "pins": {id.clone(): pin}}).to_string(),
            );
        client
            .post(format!("{base}/api/v1/sign"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        client
            .post(format!("{base}/api/v1/certificates/{id}/renew"))
            .bearer_auth(token)
            .json(&json!({"pin": pin}))
            .send()
            .await
            .unwrap();
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Every log line (JSON); the demo banner on stdout names the demo PIN on purpose.
    let logs: String = std::fs::read_to_string(&log_path)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with('{'))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        logs.contains("wrong certificate PIN"),
        "the log was captured"
    );
    assert!(logs.contains("document signed"), "{logs}");
    for pin in [new_pin, wrong_pin, signet_server::demo::DEMO_PIN] {
        assert!(!logs.contains(pin), "PIN {pin} found in the logs");
    }
}

/// Ten wrong PINs at once lock the key after five, and the lock and the count belong to the key:
/// a renewed certificate (same key) is locked with it and gives no fresh guesses.
async fn concurrent_guesses_and_renewals_share_one_lockout(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let (_, token) = person(&app, 614).await;
    let c = issue(
        &app,
        &token,
        json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
        dir.path(),
        "p256",
    )
    .await;
    let renewed: Value = app
        .post(
            &format!("/api/v1/certificates/{}/renew", c.id),
            &json!({"pin": PIN}),
            Some(&token),
        )
        .await
        .json()
        .await
        .unwrap();
    let sibling = renewed["id"].as_str().unwrap().to_owned();
    let guesses = (0..10).map(|i| {
        let id = if i % 2 == 0 {
            c.id.clone()
        } else {
            sibling.clone()
        };
        let (app, token) = (&app, token.clone());
        async move {
            app.post(
                &format!("/api/v1/certificates/{id}/renew"),
                &json!({"pin": "000000"}),
                Some(&token),
            )
            .await
            .status()
            .as_u16()
        }
    });
    // Each guess is counted before its PIN is checked: at most five are ever checked (those
    // still in flight when the fifth is counted answer 423 too), the rest are refused at once.
    let statuses = futures_util::future::join_all(guesses).await;
    assert!(
        statuses.iter().all(|s| *s == 403 || *s == 423),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().filter(|s| **s == 403).count() <= 4,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().filter(|s| **s == 423).count() >= 6,
        "{statuses:?}"
    );
    for id in [&c.id, &sibling] {
        let v: Value = app
            .get_json(&format!("/api/v1/certificates/{id}"), Some(&token))
            .await;
        assert_eq!(v["status"], "locked", "{v}");
    }
    assert_problem(
        app.post(
            &format!("/api/v1/certificates/{sibling}/renew"),
            &json!({"pin": PIN}),
            Some(&token),
        )
        .await,
        423,
        "certificate_locked",
    )
    .await;

    // keyCompromise retires every certificate of the key.
    let r = app
        .post(
            &format!("/api/v1/certificates/{}/revoke", c.id),
            &json!({"reason": "keyCompromise"}),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = app
        .get_json(&format!("/api/v1/certificates/{sibling}"), Some(&token))
        .await;
    assert_eq!(v["status"], "revoked", "{v}");
}

on_both!(concurrent_guesses_and_renewals_share_one_lockout);

/// Every certificate route answers 404 for someone else's certificate, and an
/// organisation's certificate cannot be used by a plain member.
#[tokio::test]
async fn nobody_else_can_touch_a_certificate() {
    let app = spawn_public(Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, owner) = person(&app, 615).await;
    let (intruder_person, intruder) = person(&app, 616).await;
    let c = issue(
        &app,
        &owner,
        json!({"kind": "personal", "algorithm": "sm2", "pin": PIN}),
        dir.path(),
        "sm2",
    )
    .await;
    let base = format!("/api/v1/certificates/{}", c.id);
    assert_problem(
        app.get(&base, Some(&intruder)).await,
        404,
        "certificate_not_found",
    )
    .await;
    for (path, body) in [
        (format!("{base}/renew"), json!({"pin": PIN})),
        (format!("{base}/revoke"), json!({"reason": "keyCompromise"})),
    ] {
        assert_problem(
            app.post(&path, &body, Some(&intruder)).await,
            404,
            "certificate_not_found",
        )
        .await;
    }
    let code = app
        .sms_code(&intruder_person.phone, "certificate_pin")
        .await;
    assert_problem(
        app.post(
            &format!("{base}/pin/reset"),
            &json!({"sms_code": code, "new_pin": "111111"}),
            Some(&intruder),
        )
        .await,
        404,
        "certificate_not_found",
    )
    .await;
    let r = app
        .client
        .put(app.url(&format!("{base}/pin")))
        .bearer_auth(&intruder)
        .json(&json!({"old_pin": PIN, "new_pin": "111111"}))
        .send()
        .await
        .unwrap();
    assert_problem(r, 404, "certificate_not_found").await;
    // The owner's certificate is untouched.
    let v: Value = app.get_json(&base, Some(&owner)).await;
    assert_eq!(
        (v["status"].as_str(), v["pin_attempts_left"].as_u64()),
        (Some("valid"), Some(5))
    );

    // The demo member cannot sign with the demo organisation's certificate.
    let admin = app
        .login("demoadmin", signet_server::demo::DEMO_PASSWORD)
        .await;
    let list: Value = app.get_json("/api/v1/certificates", Some(&admin)).await;
    let org_cert = list["items"][0]["id"].as_str().unwrap().to_owned();
    let member = app
        .login("demouser", signet_server::demo::DEMO_PASSWORD)
        .await;
    let req = json!({"level": "b-b", "signatures": [{"certificate_id": org_cert, "kind": "invisible"}],
        "pins": {org_cert.clone(): signet_server::demo::DEMO_PIN}});
    assert_problem(
        sign_request(&app, &member, corpus_pdf(), req, None).await,
        404,
        "certificate_not_found",
    )
    .await;
}

/// A certified document (DocMDP P=2) signs, and the response says so with the
/// `Signet-Notice` header; an uncertified one carries no notice.
async fn signing_a_certified_document_says_so(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let (_, alice) = person(&app, 621).await;
    let a = issue(
        &app,
        &alice,
        json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
        dir.path(),
        "a",
    )
    .await;
    let invisible = json!({"level": "b-b", "signatures": [{"certificate_id": a.id, "kind": "invisible"}], "pins": {a.id.clone(): PIN}});
    let certified = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../pdf/tests/fixtures/lossless/certified-p2.pdf"
    ))
    .unwrap();
    let r = sign_request(&app, &alice, certified, invisible.clone(), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let notices: Vec<&str> = r
        .headers()
        .get_all("signet-notice")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(notices, ["certified-new-field"]);
    let r = sign_request(&app, &alice, corpus_pdf(), invisible, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("signet-notice").is_none());
}

on_both!(signing_a_certified_document_says_so);
