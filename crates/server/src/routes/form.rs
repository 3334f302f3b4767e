//! Multipart forms: one part at a time, each within its size limit (413 `part_too_large`),
//! and the signing form (`file`, `request`, seal images).

use actix_multipart::Multipart;
use futures_util::StreamExt as _;
use std::collections::BTreeMap;

use crate::app::signing::{MAX_PDF, MAX_SEAL};
use crate::problem::{ApiError, ApiResult};

const MAX_REQUEST_JSON: usize = 64 * 1024;
const MAX_SEAL_PARTS: usize = 10;

/// The parts of a signing form: the PDF, the JSON request, the seal images by part name.
pub(crate) struct Form<R> {
    pub pdf: Vec<u8>,
    pub request: R,
    pub seals: BTreeMap<String, Vec<u8>>,
}

/// The next part of a form: the field, its name (empty when it has none) and its file name.
pub(crate) async fn next_part(
    form: &mut Multipart,
) -> ApiResult<Option<(actix_multipart::Field, String, Option<String>)>> {
    let Some(field) = form.next().await else {
        return Ok(None);
    };
    let field = field.map_err(|_| ApiError::bad_request("invalid_multipart"))?;
    let (name, file_name) = field
        .content_disposition()
        .map(|cd| {
            (
                cd.get_name().unwrap_or_default().to_owned(),
                cd.get_filename().map(str::to_owned),
            )
        })
        .unwrap_or_default();
    Ok(Some((field, name, file_name)))
}

/// The JSON of the `request` part (400 `invalid_json` naming the field `request`).
pub(crate) fn parse_request<R: serde::de::DeserializeOwned>(bytes: &[u8]) -> ApiResult<R> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request("invalid_json")
            .field("request")
            .param("reason", crate::problem::json_reason(&e))
    })
}

/// 400 `missing_part` for a required part that was not sent.
pub(crate) fn missing_part(part: &'static str) -> ApiError {
    ApiError::bad_request("missing_part")
        .param("part", part)
        .field(part)
}

/// One multipart part, at most `limit` bytes (413 `part_too_large` beyond).
pub(crate) async fn read_part(
    field: &mut actix_multipart::Field,
    limit: usize,
    name: &str,
) -> ApiResult<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("invalid_multipart"))?;
        if out.len() + chunk.len() > limit {
            return Err(ApiError::new(
                actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                "part_too_large",
            )
            .param("part", name)
            .param("limit", limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

pub(crate) async fn read_form<R: serde::de::DeserializeOwned>(
    mut form: Multipart,
) -> ApiResult<Form<R>> {
    let mut pdf = None;
    let mut request = None;
    let mut seals = BTreeMap::new();
    let mut seen: Vec<String> = Vec::new();
    while let Some((mut field, name, _)) = next_part(&mut form).await? {
        // Each part once: a repeated part would let one request hold several PDFs.
        if seen.contains(&name) {
            return Err(ApiError::bad_request("duplicate_part").param("part", &name));
        }
        seen.push(name.clone());
        match name.as_str() {
            "file" => pdf = Some(read_part(&mut field, MAX_PDF, "file").await?),
            "request" => {
                let bytes = read_part(&mut field, MAX_REQUEST_JSON, "request").await?;
                request = Some(parse_request(&bytes)?);
            }
            "" => return Err(ApiError::bad_request("invalid_multipart")),
            other => {
                if seals.len() >= MAX_SEAL_PARTS {
                    return Err(ApiError::bad_request("too_many_parts"));
                }
                let bytes = read_part(&mut field, MAX_SEAL, other).await?;
                seals.insert(other.to_owned(), bytes);
            }
        }
    }
    Ok(Form {
        pdf: pdf.ok_or_else(|| missing_part("file"))?,
        request: request.ok_or_else(|| missing_part("request"))?,
        seals,
    })
}
