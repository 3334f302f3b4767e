//! Revocation data fetched from the network: OCSP responses and CRLs from the URLs a
//! certificate names, with short timeouts, a size limit and an address policy (the server
//! refuses private and loopback addresses: SSRF). Used by certificate binding, by
//! `signet pdf verify --online` and by `signet pdf extend`.

use std::time::Duration;

use signet_pki::verify::{RevocationMaterial, TrustAnchors};
use x509_cert::Certificate;

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

/// Where revocation data may be fetched from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Allow loopback, private, link-local and other non-public addresses. The server
    /// refuses them by default (`pki.revocation_fetch_private`): the URLs come from
    /// certificates users upload, and must not reach the server's own network.
    pub private_addresses: bool,
}

impl FetchPolicy {
    pub const ANY_ADDRESS: Self = Self {
        private_addresses: true,
    };
    pub const PUBLIC_ONLY: Self = Self {
        private_addresses: false,
    };
}

/// Whether `ip` is an address on the public internet (not loopback, private, link-local,
/// shared, documentation, multicast or unspecified; IPv4-mapped IPv6 judged as IPv4).
pub fn is_public(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 198 && (o[1] & 0xfe) == 18)
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let seg = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00
                || (seg[0] & 0xffc0) == 0xfe80
                || (seg[0] == 0x2001 && seg[1] == 0x0db8))
        }
    }
}

/// A client for one URL: http or https only, its host resolved here and every address
/// judged by `policy` (the resolved address, not the host text), the connection pinned to
/// the checked address, no redirects. `None` when the URL may not be fetched.
async fn client_for(url: &str, policy: FetchPolicy) -> Option<reqwest::Client> {
    let parsed = reqwest::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed.host_str()?.to_owned();
    let port = parsed.port_or_known_default()?;
    let bare = host.trim_matches(|c| c == '[' || c == ']').to_owned();
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((bare.as_str(), port))
        .await
        .ok()?
        .collect();
    let first = *addrs.first()?;
    if !policy.private_addresses && !addrs.iter().all(|a| is_public(a.ip())) {
        tracing::warn!(%url, "revocation URL refused: not a public address");
        return None;
    }
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&bare, first)
        .build()
        .ok()
}

/// OCSP responses and CRLs for every certificate of `certs` whose issuer is known and has
/// signed it (the chain is checked before any URL the certificate names is fetched), with
/// short timeouts and the addresses `policy` allows; whatever cannot be fetched is simply
/// missing (the report then says `unknown`).
pub fn fetch_revocation(
    certs: &[Certificate],
    anchors: &TrustAnchors,
    policy: FetchPolicy,
) -> RevocationMaterial {
    let mut pool = certs.to_vec();
    pool.extend(anchors.certificates().iter().cloned());
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return RevocationMaterial::default();
    };
    let mut material = RevocationMaterial::default();
    runtime.block_on(async {
        for cert in certs {
            let issuer_name = cert.tbs_certificate().issuer();
            // An issuer by name that really signed the certificate: URLs in a certificate
            // nobody vouches for are never fetched.
            let Some(issuer) = pool.iter().find(|c| {
                c.tbs_certificate().subject() == issuer_name
                    && *c != cert
                    && signet_pki::verify::chain::signed_by(cert, c)
            }) else {
                continue;
            };
            if let Ok(request) = signet_pki::verify::ocsp_request_der(cert, issuer) {
                for url in signet_pki::verify::ocsp_urls(cert) {
                    let Some(client) = client_for(&url, policy).await else {
                        continue;
                    };
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
                let Some(client) = client_for(&url, policy).await else {
                    continue;
                };
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

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn only_public_addresses_are_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "223.5.5.5", "2400:3200::1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
