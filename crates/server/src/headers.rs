//! Security headers on every response: `X-Content-Type-Options`, `Referrer-Policy`, a
//! Content-Security-Policy (strict for the panel and the API: no inline script, styles from
//! files and the CSSOM only; the vendored Swagger UI under `/api/docs` gets inline styles
//! and `data:` images, which it needs), `frame-ancestors` from the settings (embedding), and
//! HSTS when the public URL is https. A header a handler set itself is left alone.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::config::HttpSettings;
use crate::state::AppState;

/// The headers for a request path, built from the settings.
pub fn for_path(path: &str, http: &HttpSettings) -> Vec<(HeaderName, String)> {
    let frame = if http.frame_ancestors.trim().is_empty() {
        "'none'".to_owned()
    } else {
        http.frame_ancestors.trim().to_owned()
    };
    let agent = http.agent_origin.trim();
    let connect = if agent.is_empty() {
        "'self'".to_owned()
    } else {
        format!("'self' {agent}")
    };
    let csp = if path.starts_with("/api/docs") {
        format!(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
             frame-ancestors {frame}"
        )
    } else {
        format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' blob: data:; font-src 'self'; connect-src {connect}; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {frame}"
        )
    };
    let mut out = vec![
        (header::CONTENT_SECURITY_POLICY, csp),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        (header::REFERRER_POLICY, "same-origin".to_owned()),
    ];
    if http.public_base_url.starts_with("https://") {
        out.push((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains".to_owned(),
        ));
    }
    out
}

/// The middleware: adds [`for_path`]'s headers to every response.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req.path().to_owned();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let mut res = next.call(req).await?;
    if let Some(state) = state {
        let headers = res.headers_mut();
        for (name, value) in for_path(&path, &state.settings.http) {
            if !headers.contains_key(&name)
                && let Ok(v) = HeaderValue::from_str(&value)
            {
                headers.insert(name, v);
            }
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(base: &str) -> HttpSettings {
        let mut s = crate::config::Settings::load_from(None, vec![])
            .unwrap()
            .http;
        s.public_base_url = base.into();
        s
    }

    #[test]
    fn panel_policy_has_no_inline_script_and_names_the_agent() {
        let h = for_path("/", &http("http://127.0.0.1:8080"));
        let csp = &h[0].1;
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(
            csp.contains("connect-src 'self' http://127.0.0.1:9321"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(
            !h.iter()
                .any(|(n, _)| n == header::STRICT_TRANSPORT_SECURITY)
        );
        let mut s = http("https://sign.example.com");
        s.frame_ancestors = "https://portal.example.com".into();
        let h = for_path("/api/docs/", &s);
        assert!(
            h[0].1
                .contains("frame-ancestors https://portal.example.com")
        );
        assert!(
            h.iter()
                .any(|(n, _)| n == header::STRICT_TRANSPORT_SECURITY)
        );
    }
}
