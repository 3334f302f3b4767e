//! The OpenAPI document, generated from the handlers' annotations. `signet openapi` prints it
//! and `openapi/openapi.json` in the repository is checked against it by a test.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    accounts, agreements, binding, certificates, certlogin, codes, dev, evidence, external, health,
    orgs, pki, seals, sign, tasks,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Signet API",
        description = "Signet: electronic contracts and seals. JSON over HTTPS under `/api/v1`; \
errors are RFC 9457 `application/problem+json` with a stable `code`; lists take `page` and \
`page_size` (at most 100) and return `total`; times are RFC 3339 UTC. Authenticate with \
`Authorization: Bearer <access_token>` from `/api/v1/auth/login`. Messages follow \
`Accept-Language` (zh-CN by default, `en`).",
        license(name = "Apache-2.0")
    ),
    paths(
        health::healthz, health::readyz, health::settings,
        agreements::list, agreements::get,
        codes::new_captcha, codes::send_sms_code,
        accounts::register, accounts::login_password, accounts::login_sms, accounts::refresh,
        accounts::logout, accounts::jwks, accounts::me, accounts::change_password,
        accounts::reset_password,
        certlogin::challenge, certlogin::login, binding::bind, binding::list,
        orgs::create, orgs::list, orgs::get, orgs::members, orgs::update_member,
        orgs::remove_member, orgs::invite, orgs::invitations, orgs::revoke_invitation,
        orgs::my_invitations, orgs::accept_invitation, orgs::decline_invitation,
        certificates::create, certificates::list, certificates::get, certificates::renew,
        certificates::revoke, certificates::change_pin, certificates::reset_pin,
        sign::sign,
        external::create_from_csr, external::prepare, external::finish,
        seals::list, seals::upload, seals::generate, seals::update, seals::image, seals::grants,
        seals::set_grants,
        tasks::lookup_signer, tasks::create, tasks::list, tasks::count_to_sign, tasks::get,
        tasks::update, tasks::start,
        tasks::cancel, tasks::forward, tasks::options, tasks::sign, tasks::reject,
        tasks::download_one, tasks::download_all, tasks::pages, tasks::signatures, tasks::page_image,
        tasks::external_prepare, tasks::external_finish,
        evidence::events, evidence::evidence_report, evidence::verify_upload,
        evidence::verify_code,
        pki::ca_certificate, pki::crl, pki::ocsp_post, pki::ocsp_get, pki::tsa_p256, pki::tsa_sm2,
        dev::sms_outbox, dev::captcha_answer,
    ),
    components(schemas(signet_api::Problem, crate::auth::Jwk)),
    modifiers(&BearerAuth, &StandardProblems),
    tags(
        (name = "health", description = "Probes"),
        (name = "agreements", description = "用户协议 and 隐私政策, versioned"),
        (name = "verification", description = "Image captchas and SMS codes"),
        (name = "accounts", description = "Registration with real-name check, login, tokens"),
        (name = "organizations", description = "Organizations, members, roles, grants, invitations"),
        (name = "certificates", description = "数字证书: server-held keys wrapped under a PIN, issued by the built-in CA"),
        (name = "seals", description = "印章: personal and organization seals"),
        (name = "tasks", description = "签署任务: initiate, sequential and parallel steps, sign with seals and PINs, reject, forward, lists, downloads"),
        (name = "evidence", description = "证据: hash-chained audit trails, signed evidence reports, public verification by upload or verification code"),
        (name = "signing", description = "Signing PDFs with server-held certificates (PAdES B-B to B-LTA)"),
        (name = "pki", description = "Public PKI services: CA certificates, CRLs, OCSP (RFC 6960), timestamps (RFC 3161)"),
        (name = "dev", description = "Demo-mode helpers; absent on real installations"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("JWT".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(http));
    }
}

/// The problem answers, in one place. An annotation names an error response by its status and
/// description only (`(status = 409, description = "…")`) and it becomes a problem+json
/// response here; and the problems every operation of a kind can give are added so no handler
/// can forget them (a handler's own, more specific description wins): 401 for operations
/// behind a token, 404 for paths with ids, 400 for operations with query or path input, and
/// 400, 413 and 415 for operations with a request body.
struct StandardProblems;

fn problem_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

impl StandardProblems {
    fn apply(path: &str, op: &mut utoipa::openapi::path::Operation) {
        use utoipa::openapi::path::ParameterIn;
        // An error response the annotation gives by status and description alone is a
        // problem: the annotations never repeat `body = Problem, content_type = …`.
        for (status, response) in op.responses.responses.iter_mut() {
            if let utoipa::openapi::RefOr::T(r) = response
                && status.as_str() >= "400"
                && r.content.is_empty()
            {
                let description = std::mem::take(&mut r.description);
                *response = problem_response(&description);
            }
        }
        let mut add = |status: &str, description: &str| {
            op.responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| problem_response(description));
        };
        let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
        let has_query = op.parameters.as_ref().is_some_and(|ps| {
            ps.iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query))
        });
        let has_body = op.request_body.is_some();
        if secured {
            add(
                "401",
                "Not logged in, or the token is invalid or expired (`unauthenticated`, `invalid_token`)",
            );
        }
        if path.contains('{') {
            add("404", "Not found, or not visible to the caller");
        }
        if has_query || has_body || path.contains('{') {
            add(
                "400",
                "Invalid input: a query, path or body value (`invalid_query`, `invalid_json`, a field's code)",
            );
        }
        if has_body {
            add(
                "413",
                "The body is too large (`payload_too_large`, `part_too_large`)",
            );
            add(
                "415",
                "The body's content type is not the one documented (`unsupported_media_type`)",
            );
        }
    }
}

impl Modify for StandardProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                Self::apply(path, op);
            }
        }
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as committed in `openapi/openapi.json`: pretty JSON with a final newline.
pub fn document_json() -> String {
    let mut s = document().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}
