//! `signet sign-external`: an example client of the external signing protocol (docs/PKI.md)
//! that signs with a PEM key kept on this machine. The server prepares the revision and gives
//! the signed attributes; the key signs them here; the server embeds the signature. Only the
//! signature value crosses the network.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use signet_pki::sign::SigningKey;
use std::path::PathBuf;
use std::time::Duration;

pub struct ExternalArgs {
    pub server: String,
    pub token: String,
    pub key: PathBuf,
    pub certificate: String,
    pub level: String,
    pub page: Option<u32>,
    pub rect: Option<[f64; 4]>,
    pub seal: Option<PathBuf>,
    pub input: PathBuf,
}

/// A problem document's detail, or the status line.
fn failure(resp: reqwest::blocking::Response) -> anyhow::Error {
    let status = resp.status();
    let body: Value = resp.json().unwrap_or(Value::Null);
    match (body["code"].as_str(), body["detail"].as_str()) {
        (Some(code), Some(detail)) => anyhow::anyhow!("{status}: {detail} ({code})"),
        _ => anyhow::anyhow!("{status}"),
    }
}

/// Runs prepare → sign here → finish and returns the signed PDF.
pub fn run(args: &ExternalArgs) -> anyhow::Result<Vec<u8>> {
    let key_pem = std::fs::read_to_string(&args.key)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.key.display()))?;
    let key = SigningKey::from_pem(&key_pem)?;
    let pdf =
        std::fs::read(&args.input).map_err(|e| anyhow::anyhow!("{}: {e}", args.input.display()))?;
    let visible = args.page.is_some() && args.rect.is_some() && args.seal.is_some();
    let mut signature = json!({"certificate_id": args.certificate, "kind": "invisible"});
    if visible {
        signature = json!({"certificate_id": args.certificate, "kind": "seal",
            "page": args.page, "rect": args.rect, "seal": "seal"});
    }
    let request = json!({"level": args.level, "signature": signature});
    let mut form = reqwest::blocking::multipart::Form::new()
        .part(
            "file",
            reqwest::blocking::multipart::Part::bytes(pdf)
                .file_name("document.pdf")
                .mime_str("application/pdf")?,
        )
        .part(
            "request",
            reqwest::blocking::multipart::Part::text(request.to_string())
                .mime_str("application/json")?,
        );
    if let (true, Some(seal)) = (visible, &args.seal) {
        let png = std::fs::read(seal).map_err(|e| anyhow::anyhow!("{}: {e}", seal.display()))?;
        form = form.part(
            "seal",
            reqwest::blocking::multipart::Part::bytes(png)
                .file_name("seal.png")
                .mime_str("image/png")?,
        );
    }
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()?;
    let base = args.server.trim_end_matches('/');
    let resp = client
        .post(format!("{base}/api/v1/sign/external"))
        .bearer_auth(&args.token)
        .multipart(form)
        .send()?;
    if !resp.status().is_success() {
        return Err(failure(resp));
    }
    let prepared: signet_api::ExternalPrepared = resp.json()?;
    let attrs = STANDARD.decode(&prepared.signed_attributes)?;
    // The only thing the key does: sign the DER signed attributes.
    let value = key.sign(&attrs)?;
    let resp = client
        .post(format!(
            "{base}/api/v1/sign/external/{}/finish",
            prepared.id
        ))
        .bearer_auth(&args.token)
        .json(&json!({"signature": STANDARD.encode(value)}))
        .send()?;
    if !resp.status().is_success() {
        return Err(failure(resp));
    }
    Ok(resp.bytes()?.to_vec())
}
