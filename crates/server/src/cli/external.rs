//! `signet sign-external`: an example client of the external signing protocol (docs/PKI.md)
//! that signs with a PEM key kept on this machine. The server prepares the revision and gives
//! the signed attributes; the key signs them here; the server embeds the signature. Only the
//! signature value crosses the network.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use signet_api::{ExternalSignRequest, Placement, SignPlacement};
use signet_pki::sign::SigningKey;
use std::path::PathBuf;
use std::time::Duration;

use super::pdf::parse_rect;

#[derive(clap::Args)]
pub(super) struct SignExternalArgs {
    /// The PDF to sign.
    input: PathBuf,
    /// Where to write the signed PDF.
    output: PathBuf,
    /// The Signet server, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "SIGNET_SERVER")]
    server: String,
    /// An access token of the certificate's holder.
    #[arg(long, env = "SIGNET_TOKEN", hide_env_values = true)]
    token: String,
    /// The private key, PKCS#8 or SEC1 PEM (P-256 or SM2); it never leaves this machine.
    #[arg(long)]
    key: PathBuf,
    /// The id of the certificate (issued for this key with POST /api/v1/certificates/csr).
    #[arg(long)]
    certificate: String,
    /// PAdES level: b-b, b-t, b-lt or b-lta.
    #[arg(long, default_value = "b-t")]
    level: String,
    /// Page of a visible seal (with --rect and --seal).
    #[arg(long)]
    page: Option<u32>,
    /// Seal rectangle: x,y,width,height in points.
    #[arg(long)]
    rect: Option<String>,
    /// Seal image (PNG).
    #[arg(long)]
    seal: Option<PathBuf>,
}

/// Runs prepare → sign here → finish and writes the signed PDF.
pub(super) fn run(args: &SignExternalArgs) -> anyhow::Result<()> {
    let rect = args.rect.as_deref().map(parse_rect).transpose()?;
    let signed = sign(args, rect)?;
    super::write_atomically(&args.output, &signed)
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

/// Prepare → sign here → finish: the signed PDF.
fn sign(args: &SignExternalArgs, rect: Option<[f64; 4]>) -> anyhow::Result<Vec<u8>> {
    let key_pem = std::fs::read_to_string(&args.key)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.key.display()))?;
    let key = SigningKey::from_pem(&key_pem)?;
    let pdf =
        std::fs::read(&args.input).map_err(|e| anyhow::anyhow!("{}: {e}", args.input.display()))?;
    let seal = match (args.page, rect, &args.seal) {
        (Some(page), Some(rect), Some(seal)) => Some((Placement::Seal { page, rect }, seal)),
        _ => None,
    };
    let request = ExternalSignRequest {
        level: Some(args.level.clone()),
        signature: SignPlacement {
            certificate_id: args.certificate.clone(),
            placement: seal
                .as_ref()
                .map_or(Placement::Invisible, |(p, _)| p.clone()),
            seal: seal.is_some().then(|| "seal".to_owned()),
            seal_id: None,
            date: None,
            reason: None,
        },
    };
    let mut form = reqwest::blocking::multipart::Form::new()
        .part(
            "file",
            reqwest::blocking::multipart::Part::bytes(pdf)
                .file_name("document.pdf")
                .mime_str("application/pdf")?,
        )
        .part(
            "request",
            reqwest::blocking::multipart::Part::text(serde_json::to_string(&request)?)
                .mime_str("application/json")?,
        );
    if let Some((_, seal)) = seal {
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
