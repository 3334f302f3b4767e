//! A task's documents as files and pictures: one signed PDF, all of them in a zip, the page
//! sizes placements are given in, and page images rendered by the server and cached.

use actix_web::web;
use signet_api::{PageList, PageView};
use std::collections::BTreeSet;

use super::commit::{note, note_view};
use super::{load_visible, visible_doc};
use crate::app::signing;
use crate::auth::ClientMeta;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Smallest and largest page image width, in pixels.
pub const PAGE_WIDTHS: std::ops::RangeInclusive<u32> = 200..=2000;

/// The width of a page image when the request names none.
pub const DEFAULT_PAGE_WIDTH: u32 = 1000;

/// Page renderings at once per node (each holds a parsed document and a pixmap).
static RENDER_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// One document's current revision and its name, for the initiator of a completed task;
/// the download is recorded.
pub async fn document(
    state: &AppState,
    user: &str,
    meta: &ClientMeta,
    id: &str,
    doc_id: &str,
) -> ApiResult<(String, Vec<u8>)> {
    let l = load_visible(state, id, user).await?;
    l.standing(user).may_download()?;
    let doc = visible_doc(&l, doc_id)?;
    let pdf = state.blobs.get(&doc.current_blob).await?;
    let detail = serde_json::json!({ "document": doc.id });
    note(state, &l, "document_downloaded", user, meta, detail).await?;
    Ok((doc.name.clone(), pdf))
}

/// The signatures of a document's current revision as the validator judges them now.
/// Initiator and signers.
pub async fn signatures(
    state: &AppState,
    user: &str,
    id: &str,
    doc_id: &str,
) -> ApiResult<signet_api::DocumentSignatures> {
    let l = load_visible(state, id, user).await?;
    let doc = visible_doc(&l, doc_id)?;
    let pdf = state.blobs.get(&doc.current_blob).await?;
    let _slot = crate::app::signing::slot().await?;
    let report = crate::report::validate(state, pdf).await?;
    Ok(summary(&doc.id, &report))
}

/// The report in brief: one line per signature.
fn summary(
    document_id: &str,
    report: &signet_pdf::verify::Report,
) -> signet_api::DocumentSignatures {
    signet_api::DocumentSignatures {
        document_id: document_id.to_owned(),
        verdict: snake(&report.verdict),
        signatures: report
            .signatures
            .iter()
            .map(|s| {
                let cert = s
                    .signer
                    .as_ref()
                    .or(s.timestamp.as_ref().and_then(|t| t.authority.as_ref()));
                signet_api::SignatureSummary {
                    field: s.field.clone(),
                    kind: snake(&s.kind),
                    signer: cert
                        .map(|c| c.common_name.clone().unwrap_or_else(|| c.subject.clone())),
                    issuer: cert.map(|c| c.issuer.clone()),
                    serial: cert.map(|c| c.serial.clone()),
                    key_algorithm: cert.map(|c| c.key_algorithm.clone()),
                    signed_at: s.timestamp.as_ref().map(|t| t.time).or(s.claimed_time),
                    timestamped: s.timestamp.is_some(),
                    verdict: snake(&s.verdict),
                    level: s.level.map(|l| l.as_str().to_owned()),
                    problems: s.problems.clone(),
                }
            })
            .collect(),
    }
}

/// A report enum as its JSON string (`valid`, `document_timestamp`, …).
fn snake(v: &impl serde::Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Every document of a completed task in one zip (for its initiator), in an unnamed temporary
/// file positioned at its start, with the task's name; the download is recorded.
pub async fn zip(
    state: &AppState,
    user: &str,
    meta: &ClientMeta,
    id: &str,
) -> ApiResult<(String, std::fs::File)> {
    let l = load_visible(state, id, user).await?;
    l.standing(user).may_download()?;
    let mut files = Vec::with_capacity(l.docs.len());
    let mut used = BTreeSet::new();
    for d in &l.docs {
        // Two documents may share a name; the zip needs distinct entries.
        let mut name = format!("{}.pdf", d.name);
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{} ({n}).pdf", d.name);
            n += 1;
        }
        files.push((name, d.current_blob.clone()));
    }
    // The zip is written to an unnamed temporary file (gone when closed), one document in
    // memory at a time: a task of many large documents never sits in memory whole.
    let dir = state.settings.data_dir.clone();
    let file = web::block(move || tempfile::tempfile_in(dir))
        .await?
        .map_err(ApiError::internal)?;
    let mut writer = zip::ZipWriter::new(file);
    for (name, blob) in files {
        let bytes = state.blobs.get(&blob).await?;
        writer = web::block(move || -> Result<_, zip::result::ZipError> {
            use std::io::Write as _;
            // PDFs are compressed already; storing them keeps this cheap.
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored)
                .large_file(bytes.len() as u64 >= u64::from(u32::MAX));
            writer.start_file(name, opts)?;
            writer.write_all(&bytes)?;
            Ok(writer)
        })
        .await?
        .map_err(ApiError::internal)?;
    }
    let zip = web::block(move || -> Result<std::fs::File, zip::result::ZipError> {
        use std::io::Seek as _;
        let mut file = writer.finish()?;
        file.rewind()?;
        Ok(file)
    })
    .await?
    .map_err(ApiError::internal)?;
    let detail =
        serde_json::json!({ "documents": l.docs.iter().map(|d| &d.id).collect::<Vec<_>>() });
    note(state, &l, "documents_downloaded", user, meta, detail).await?;
    Ok((l.task.name.clone(), zip))
}

/// The pages of a document's current revision with their displayed sizes (points).
pub async fn page_sizes(
    state: &AppState,
    user: &str,
    id: &str,
    doc_id: &str,
) -> ApiResult<PageList> {
    let l = load_visible(state, id, user).await?;
    let doc = visible_doc(&l, doc_id)?;
    let pdf = state.blobs.get(&doc.current_blob).await?;
    let items = web::block(move || {
        signet_pdf::doc::SourcePdf::parse(&pdf).map(|src| {
            src.pages
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let (width, height) = p.displayed_size();
                    PageView {
                        number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                        width,
                        height,
                    }
                })
                .collect::<Vec<_>>()
        })
    })
    .await?
    .map_err(signing::pdf_error)?;
    Ok(PageList { items })
}

/// A page image as answered: its entity tag, and the PNG unless the caller has it already.
pub struct PageImage {
    pub etag: String,
    /// `None` when the caller's `If-None-Match` names `etag`.
    pub png: Option<Vec<u8>>,
}

/// Page `number` (from 1) of a document's current revision, `width` pixels wide. A revision
/// never changes, so its rendering is cached for good under its hash; `if_none_match` is the
/// caller's header. A view is recorded when the image is answered (a refusal is not a view).
#[allow(clippy::too_many_arguments)]
pub async fn page_image(
    state: &AppState,
    user: &str,
    meta: &ClientMeta,
    id: &str,
    doc_id: &str,
    number: u32,
    width: Option<u32>,
    if_none_match: Option<&str>,
) -> ApiResult<PageImage> {
    let width = width.unwrap_or(DEFAULT_PAGE_WIDTH);
    if !PAGE_WIDTHS.contains(&width) {
        return Err(ApiError::bad_request("invalid_width")
            .field("width")
            .param("min", PAGE_WIDTHS.start())
            .param("max", PAGE_WIDTHS.end()));
    }
    let l = load_visible(state, id, user).await?;
    let doc = visible_doc(&l, doc_id)?;
    if number == 0 || i64::from(number) > i64::from(doc.pages) {
        return Err(ApiError::not_found("page_not_found").param("pages", doc.pages));
    }
    let detail = serde_json::json!({ "document": doc.id, "page": number, "width": width });
    let etag = format!("\"{}-{number}-{width}\"", doc.current_blob);
    if if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag)) {
        note_view(state, &l, &doc.id, user, meta, detail).await?;
        return Ok(PageImage { etag, png: None });
    }
    let dir = state.settings.data_dir.join("cache").join("pages");
    let file = dir.join(format!("{}-{number}-{width}.png", doc.current_blob));
    if let Ok(png) = tokio::fs::read(&file).await {
        let used = file.clone();
        tokio::task::spawn_blocking(move || crate::pagecache::touch(&used));
        note_view(state, &l, &doc.id, user, meta, detail).await?;
        return Ok(PageImage {
            etag,
            png: Some(png),
        });
    }
    let _slot = RENDER_SLOTS
        .try_acquire()
        .map_err(|_| ApiError::unavailable("render_busy", 2))?;
    let pdf = state.blobs.get(&doc.current_blob).await?;
    let pages = doc.pages;
    let png = web::block(move || {
        signet_pdf::render::render_page_png(&pdf, number, width, signing::cjk_font_bytes())
    })
    .await?
    .map_err(|e| match e {
        signet_pdf::PdfError::PageOutOfRange { .. } => {
            ApiError::not_found("page_not_found").param("pages", pages)
        }
        other => {
            // The renderer's own text stays in the log.
            tracing::info!(error = %other, "page not renderable");
            ApiError::unprocessable("page_not_renderable")
                .param("reason", "the page cannot be drawn")
        }
    })?;
    // Written to a temporary name first, so a reader never sees half a file.
    if tokio::fs::create_dir_all(&dir).await.is_ok() {
        let tmp = dir.join(format!("{}.tmp", signet_store::new_id("png")));
        if tokio::fs::write(&tmp, &png).await.is_ok() {
            let _ = tokio::fs::rename(&tmp, &file).await;
        }
    }
    note_view(state, &l, &doc.id, user, meta, detail).await?;
    Ok(PageImage {
        etag,
        png: Some(png),
    })
}
