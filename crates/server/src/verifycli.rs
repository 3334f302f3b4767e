//! `signet pdf verify`: the validator of `signet-pdf` from the command line, with trust
//! anchors from files and, when asked (`--online`), revocation data fetched from the OCSP
//! responders and CRL distribution points the certificates name.

use std::path::PathBuf;
use std::time::Duration;

use signet_pdf::verify::{self, Report, VerifyOptions};
use signet_pki::verify::{RevocationMaterial, TrustAnchors};
use x509_cert::Certificate;

/// What the command was asked to do.
pub struct VerifyRequest {
    pub input: PathBuf,
    pub trust: Vec<PathBuf>,
    pub online: bool,
}

/// Reads the anchors and the file, fetches revocation data if asked, and validates.
/// Errors are about the command's own inputs (an unreadable anchor file); an unreadable PDF
/// is a report with the `unreadable` verdict.
pub fn run(req: &VerifyRequest) -> anyhow::Result<Report> {
    let mut anchors = TrustAnchors::new();
    for path in &req.trust {
        let data = std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let more =
            verify::anchors_from(&data).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        for cert in more.certificates() {
            anchors.push(cert.clone());
        }
    }
    let bytes =
        std::fs::read(&req.input).map_err(|e| anyhow::anyhow!("{}: {e}", req.input.display()))?;
    let options = VerifyOptions::new(anchors);
    if req.online {
        let mut fetch = |certs: &[Certificate]| fetch_revocation(certs, &options.anchors);
        return Ok(verify::verify_fetching(&bytes, &options, &mut fetch));
    }
    Ok(verify::verify(&bytes, &options))
}

/// The most a responder or distribution point may send (large CRLs exist; more is refused).
const MAX_FETCH: usize = 16 * 1024 * 1024;

/// A successful response's body, read up to [`MAX_FETCH`] bytes; `None` beyond that.
async fn read_limited(mut resp: reqwest::Response) -> Option<Vec<u8>> {
    if !resp.status().is_success() || resp.content_length().unwrap_or(0) > MAX_FETCH as u64 {
        return None;
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_FETCH {
                    return None;
                }
            }
            Ok(None) => return Some(body),
            Err(_) => return None,
        }
    }
}

/// OCSP responses and CRLs for every certificate of `certs` whose issuer is known, fetched
/// with short timeouts; whatever cannot be fetched is simply missing (the report then says
/// `unknown`).
pub fn fetch_revocation(certs: &[Certificate], anchors: &TrustAnchors) -> RevocationMaterial {
    let mut pool = certs.to_vec();
    pool.extend(anchors.certificates().iter().cloned());
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return RevocationMaterial::default();
    };
    let Ok(client) = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    else {
        return RevocationMaterial::default();
    };
    let mut material = RevocationMaterial::default();
    runtime.block_on(async {
        for cert in certs {
            let issuer_name = cert.tbs_certificate().issuer();
            let Some(issuer) = pool
                .iter()
                .find(|c| c.tbs_certificate().subject() == issuer_name && *c != cert)
            else {
                continue;
            };
            if let Ok(request) = signet_pki::verify::ocsp_request_der(cert, issuer) {
                for url in signet_pki::verify::ocsp_urls(cert) {
                    let sent = client
                        .post(&url)
                        .header("Content-Type", "application/ocsp-request")
                        .body(request.clone())
                        .send()
                        .await;
                    if let Ok(resp) = sent
                        && let Some(body) = read_limited(resp).await
                    {
                        material.ocsp_responses.push(body);
                        break;
                    }
                }
            }
            for url in signet_pki::verify::crl_urls(cert) {
                if let Ok(resp) = client.get(&url).send().await
                    && let Some(body) = read_limited(resp).await
                {
                    material.crls.push(body);
                    break;
                }
            }
            material.certificates.push(issuer.clone());
        }
    });
    material
}
