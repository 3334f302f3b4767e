//! The one place where errors become HTTP responses: RFC 9457 `application/problem+json` with
//! a stable `code`, the failing `field`, and a message in the request's language. Causes of
//! server errors are logged with their chain and never shown to the client.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use signet_api::Problem;
use signet_domain::ValidationError;
use std::fmt;

use crate::i18n::{Lang, message, request_lang};

/// An error a handler returns. Build it with the helpers (`ApiError::bad_request(..)`).
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub field: Option<&'static str>,
    pub retry_after: Option<u64>,
    /// Values substituted into the message (`{minutes}`, …).
    pub params: Vec<(&'static str, String)>,
    source: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str) -> Self {
        Self {
            status,
            code,
            field: None,
            retry_after: None,
            params: Vec::new(),
            source: None,
        }
    }
    pub fn bad_request(code: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code)
    }
    pub fn unauthorized(code: &'static str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code)
    }
    pub fn forbidden(code: &'static str) -> Self {
        Self::new(StatusCode::FORBIDDEN, code)
    }
    pub fn not_found(code: &'static str) -> Self {
        Self::new(StatusCode::NOT_FOUND, code)
    }
    pub fn conflict(code: &'static str) -> Self {
        Self::new(StatusCode::CONFLICT, code)
    }
    pub fn unprocessable(code: &'static str) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code)
    }
    pub fn too_many(code: &'static str, retry_after: u64) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, code).retry_after(retry_after)
    }
    pub fn unavailable(code: &'static str, retry_after: u64) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, code).retry_after(retry_after)
    }
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        let mut e = Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error");
        e.source = Some(err.into());
        e
    }
    pub fn field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }
    pub fn param(mut self, name: &'static str, value: impl ToString) -> Self {
        self.params.push((name, value.to_string()));
        self
    }

    pub fn to_problem(&self, lang: Lang, request_id: Option<String>) -> Problem {
        Problem {
            type_: format!("https://signet.dev/problems/{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: message(self.code, lang, &self.params),
            code: self.code.to_owned(),
            field: self.field.map(str::to_owned),
            retry_after: self.retry_after,
            request_id,
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.code)?;
        if let Some(src) = &self.source {
            write!(f, ": {src:#}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        Self::bad_request(e.code).field(e.field)
    }
}

impl From<signet_store::sea_orm::DbErr> for ApiError {
    fn from(e: signet_store::sea_orm::DbErr) -> Self {
        // A locked SQLite database or a serialization failure is a passing condition: tell
        // the client to retry instead of failing with a 500.
        let text = e.to_string();
        if text.contains("database is locked")
            || text.contains("database table is locked")
            || text.contains("could not serialize access")
            || text.contains("deadlock detected")
        {
            let mut err = Self::unavailable("database_busy", 1);
            err.source = Some(e.into());
            return err;
        }
        Self::internal(e)
    }
}

impl From<signet_domain::workflow::WorkflowError> for ApiError {
    fn from(e: signet_domain::workflow::WorkflowError) -> Self {
        use signet_domain::workflow::WorkflowError as W;
        match e {
            W::NotDraft => Self::conflict("task_not_draft"),
            W::NoSteps => Self::unprocessable("task_has_no_steps").field("steps"),
            W::NotInProgress => Self::conflict("task_not_in_progress"),
            W::UnknownStep => Self::not_found("step_not_found"),
            W::StepNotActive => Self::conflict("step_not_active"),
            W::NotDue => Self::conflict("task_not_due"),
            W::NoReason => Self::bad_request("reason_required"),
        }
    }
}

impl From<signet_domain::task_access::AccessError> for ApiError {
    fn from(e: signet_domain::task_access::AccessError) -> Self {
        use signet_domain::task_access::AccessError as A;
        match e {
            A::DownloadNotAllowed => Self::forbidden("download_not_allowed"),
            A::NotForwardable => Self::conflict("task_not_forwardable"),
            A::ForwardNotSigned => Self::forbidden("forward_not_signed"),
            A::ForwardNotUploader => Self::forbidden("forward_not_uploader"),
            A::NotStepSigner => Self::forbidden("not_step_signer"),
            A::Workflow(e) => e.into(),
        }
    }
}

impl From<signet_store::blob::BlobError> for ApiError {
    fn from(e: signet_store::blob::BlobError) -> Self {
        Self::internal(e)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        // Rendered in the default language here; `problem_layer` re-renders it with the
        // request's language and id.
        render(self, Lang::default(), None)
    }
}

fn render(err: &ApiError, lang: Lang, request_id: Option<String>) -> HttpResponse<BoxBody> {
    let problem = err.to_problem(lang, request_id);
    let mut res = HttpResponse::build(err.status);
    res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
    if let Some(secs) = err.retry_after {
        res.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    if err.status == StatusCode::UNAUTHORIZED {
        res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    res.body(serde_json::to_vec(&problem).unwrap_or_default())
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Middleware: adds `X-Request-Id` to every response, and re-renders problem responses in
/// the language of the request with its request id. Logs server errors with their cause.
pub async fn problem_layer(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let lang = request_lang(req.headers());
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| id.to_string());
    let res = next.call(req).await?.map_into_boxed_body();
    let mut res = match res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
    {
        Some(api) => {
            if api.status.is_server_error() {
                tracing::error!(error = ?api, "request failed");
            }
            let fresh = render(api, lang, request_id.clone());
            let (req, _) = res.into_parts();
            ServiceResponse::new(req, fresh)
        }
        None => res,
    };
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), id);
    }
    Ok(res)
}

/// Maps actix's own extractor errors (bad JSON, bad path or query) to problems.
pub fn json_error(err: actix_web::error::JsonPayloadError) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let api = match &err {
        J::OverflowKnownLength { .. } | J::Overflow { .. } => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
        }
        J::ContentType => {
            ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
        }
        J::Deserialize(e) => ApiError::bad_request("invalid_json").param("reason", json_reason(e)),
        _ => ApiError::bad_request("invalid_json").param("reason", short_reason(&err.to_string())),
    };
    api.into()
}

pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::bad_request("invalid_query")
        .param("reason", short_reason(&err.to_string()))
        .into()
}

pub fn path_error(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::not_found("not_found")
        .param("reason", short_reason(&err.to_string()))
        .into()
}

/// What is wrong with a JSON body, without repeating any value from it (a body may carry a
/// PIN or a password): the kind of error, the position, and what was expected — or the
/// missing field's name, which is ours.
pub fn json_reason(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let text = e.to_string();
    let at = format!("at line {} column {}", e.line(), e.column());
    let what = match e.classify() {
        Category::Syntax => "malformed JSON".to_owned(),
        Category::Eof => "the JSON ends too early".to_owned(),
        Category::Io => "the body could not be read".to_owned(),
        Category::Data => {
            if let Some(rest) = text.strip_prefix("missing field ") {
                format!(
                    "missing field {}",
                    rest.split(" at line").next().unwrap_or("")
                )
            } else if let Some((_, expected)) = text.split_once(", expected ") {
                format!(
                    "a value of the wrong type or form; expected {}",
                    expected.split(" at line").next().unwrap_or("")
                )
            } else {
                "a value of the wrong type or form".to_owned()
            }
        }
    };
    short_reason(&format!("{what} {at}"))
}

fn short_reason(s: &str) -> String {
    s.chars().take(200).collect()
}

/// The fallback for unknown API routes.
pub async fn not_found() -> ApiResult<HttpResponse> {
    Err(ApiError::not_found("not_found"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_reasons_do_not_repeat_values() {
        let e = serde_json::from_str::<std::collections::BTreeMap<String, String>>(
            r#"{"pin": 246810}"#,
        )
        .unwrap_err();
        let r = super::json_reason(&e);
        assert!(!r.contains("246810"), "{r}");
        assert!(r.contains("line 1"), "{r}");
        let e = serde_json::from_str::<std::collections::BTreeMap<String, u32>>(
            r#"{"pin": "secret-value"}"#,
        )
        .unwrap_err();
        let r = super::json_reason(&e);
        assert!(!r.contains("secret-value"), "{r}");
        assert!(r.contains("expected u32"), "{r}");
        let e = serde_json::from_str::<signet_api::PinProof>("{}").unwrap_err();
        assert_eq!(
            super::json_reason(&e),
            "missing field `pin` at line 1 column 2"
        );
    }
}
