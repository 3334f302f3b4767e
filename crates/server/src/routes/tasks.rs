//! Signing tasks (签署任务) over HTTP: each handler parses the request, authenticates the
//! caller, calls the use case in [`crate::app::tasks`] and answers its result. What a task is,
//! who sees it and how a change is committed is told there.

use actix_multipart::Multipart;
use actix_web::http::header::{self, CONTENT_DISPOSITION};
use actix_web::{HttpResponse, web};
use signet_api::{
    CountView, CreateTask, ForwardTask, RejectStep, SignStep, SignerLookup, SignerRef,
    SigningOptions, TaskListQuery, TaskView, UpdateTask,
};
use signet_domain::workflow::MAX_DOCUMENTS;
use std::collections::BTreeMap;

use crate::app::signing::MAX_PDF;
use crate::app::tasks::{self, Upload, documents};
use crate::auth::{AuthUser, ClientMeta};
use crate::problem::{ApiError, ApiResult};
use crate::routes::attachment;
use crate::routes::form::{missing_part, next_part, parse_request, read_part};
use crate::state::AppState;

const MAX_REQUEST_JSON: usize = 64 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/signers/lookup", web::post().to(lookup_signer))
        .route("/tasks", web::post().to(create))
        .route("/tasks", web::get().to(list))
        .route("/tasks/to_sign/count", web::get().to(count_to_sign))
        .route("/tasks/{id}", web::get().to(get))
        .route("/tasks/{id}", web::patch().to(update))
        .route("/tasks/{id}/start", web::post().to(start))
        .route("/tasks/{id}/cancel", web::post().to(cancel))
        .route("/tasks/{id}/forward", web::post().to(forward))
        .route("/tasks/{id}/download", web::get().to(download_all))
        .route(
            "/tasks/{id}/documents/{doc}/file",
            web::get().to(download_one),
        )
        .route("/tasks/{id}/documents/{doc}/pages", web::get().to(pages))
        .route(
            "/tasks/{id}/documents/{doc}/signatures",
            web::get().to(signatures),
        )
        .route(
            "/tasks/{id}/documents/{doc}/pages/{number}",
            web::get().to(page_image),
        )
        .route("/tasks/{id}/steps/{step}/options", web::get().to(options))
        .route("/tasks/{id}/steps/{step}/sign", web::post().to(sign))
        .route("/tasks/{id}/steps/{step}/reject", web::post().to(reject))
        .route(
            "/tasks/{id}/steps/{step}/external",
            web::post().to(external_prepare),
        )
        .route(
            "/tasks/{id}/steps/{step}/external/{session}/finish",
            web::post().to(external_finish),
        );
}

/// The `request` part and the uploaded PDFs (checked by the engine and stored), by part name.
async fn read_task_form(
    state: &AppState,
    mut form: Multipart,
) -> ApiResult<(CreateTask, BTreeMap<String, Upload>)> {
    let mut request = None;
    let mut files: BTreeMap<String, Upload> = BTreeMap::new();
    while let Some((mut field, name, file_name)) = next_part(&mut form).await? {
        if name.is_empty() {
            return Err(ApiError::bad_request("invalid_multipart"));
        }
        if name == "request" {
            if request.is_some() {
                return Err(ApiError::bad_request("duplicate_part").param("part", &name));
            }
            let bytes = read_part(&mut field, MAX_REQUEST_JSON, &name).await?;
            request = Some(parse_request::<CreateTask>(&bytes)?);
            continue;
        }
        if files.contains_key(&name) {
            return Err(ApiError::bad_request("duplicate_part").param("part", &name));
        }
        if files.len() >= MAX_DOCUMENTS {
            return Err(ApiError::bad_request("too_many_documents")
                .field("documents")
                .param("max", MAX_DOCUMENTS));
        }
        let bytes = read_part(&mut field, MAX_PDF, &name).await?;
        let upload = tasks::store_upload(state, bytes, &name, file_name).await?;
        files.insert(name, upload);
    }
    let request = request.ok_or_else(|| missing_part("request"))?;
    Ok((request, files))
}

/// Starts a new task: PDFs (≤ 50 MB each, ≤ 20) in multipart parts named by the `request`
/// part (JSON `CreateTask`). Only users granted `initiate` (by an org admin for that org, or
/// by the operator for personal use). A draft unless `start` is true.
#[utoipa::path(post, path = "/api/v1/tasks", operation_id = "create_task", tag = "tasks",
    security(("bearer" = [])),
    request_body(content = CreateTask, content_type = "multipart/form-data",
        description = "Parts: `request` (JSON of this schema) and one PDF part per document, named as `documents[].part` says"),
    responses((status = 201, body = TaskView),
        (status = 400, description = "Bad request, name, step or deadline"),
        (status = 403, description = "Not granted `initiate`"),
        (status = 413, description = "A PDF is larger than 50 MB"),
        (status = 422, description = "Not a PDF, or a signer that cannot be found"),
        (status = 429, description = "A signer not found, over the caller's signer-lookup budget (`lookup_rate_limited`)")))]
pub async fn create(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    form: Multipart,
) -> ApiResult<HttpResponse> {
    // Nothing is read or stored for a caller without any right to initiate; the right for
    // the organisation the request names is checked once the request part is read.
    tasks::check_initiate_anywhere(&state, &user.user_id).await?;
    let (req, files) = read_task_form(&state, form).await?;
    let view = tasks::create(&state, caller(&user, &meta), req, files).await?;
    Ok(HttpResponse::Created().json(view))
}

/// 添加签署人 by "姓名 手机号": the real-name verified user whose name and phone both match
/// exactly, with the masked phone and the organisations (单位) they may sign for; `signer`
/// is null for anything less than an exact match. For callers who may initiate; limited per
/// caller (`http.signer_lookups_per_minute`, 429 `lookup_rate_limited`).
#[utoipa::path(post, path = "/api/v1/signers/lookup", tag = "tasks",
    security(("bearer" = [])),
    request_body = SignerRef,
    responses((status = 200, body = SignerLookup),
        (status = 403, description = "Not granted `initiate` anywhere"),
        (status = 429, description = "Over the caller's budget (`lookup_rate_limited`)")))]
pub async fn lookup_signer(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<SignerRef>,
) -> ApiResult<HttpResponse> {
    tasks::check_lookup_budget(&state, &user.user_id)?;
    let found = tasks::lookup_signer(&state, &user.user_id, &body).await?;
    Ok(HttpResponse::Ok().json(found))
}

/// The task, its documents and steps (步骤信息) and what the caller may do. Initiator and
/// signers.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", operation_id = "get_task", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = TaskView),
        (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let l = tasks::load_visible(&state, &id, &user.user_id).await?;
    Ok(HttpResponse::Ok().json(tasks::task_view(&state, &l, &user.user_id).await?))
}

/// Renames the task or its documents (until it ends); replaces the steps or the deadline
/// (draft only). Initiator only.
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", operation_id = "update_task", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = UpdateTask,
    responses((status = 200, body = TaskView),
        (status = 403),
        (status = 409),
        (status = 429, description = "Over the caller's signer-lookup budget (`lookup_rate_limited`)")))]
pub async fn update(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: web::Json<UpdateTask>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(tasks::update(&state, &user.user_id, &id, &body).await?))
}

/// Starts a draft: the steps of the lowest order become active. Initiator only.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/start", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = TaskView),
        (status = 403),
        (status = 409),
        (status = 422, description = "No steps")))]
pub async fn start(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(tasks::start(&state, caller(&user, &meta), &id).await?))
}

/// Cancels a task in progress. Initiator only.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/cancel", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = TaskView),
        (status = 403),
        (status = 409)))]
pub async fn cancel(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(tasks::cancel(&state, caller(&user, &meta), &id).await?))
}

// ---------------------------------------------------------------------------------------------
// Signing a step

/// Signs the caller's active step: every placement (document, page, rectangle, seal and
/// certificate) is applied as an incremental revision, with one PIN per certificate. PINs,
/// signing and storage happen first; then one short transaction checks the task's version
/// and commits (a concurrent change is 409 `task_changed`, and nothing changes).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/steps/{step}/sign", operation_id = "sign_step", tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path), ("step" = String, Path)), request_body = SignStep,
    responses((status = 200, body = TaskView),
        (status = 400, description = "Bad placement, PIN or seal"),
        (status = 403, description = "Wrong PIN, not the caller's step, or a signing mode (签署模式) that excludes this device"),
        (status = 404),
        (status = 409, description = "Not active, or the task changed meanwhile"),
        (status = 422, description = "A seal or certificate that does not fit the step"),
        (status = 423, description = "A certificate locked by wrong PINs"),
        (status = 503, description = "Busy; retry after the given time")))]
pub async fn sign(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    path: web::Path<(String, String)>,
    body: web::Json<SignStep>,
) -> ApiResult<HttpResponse> {
    let (id, step) = path.into_inner();
    Ok(HttpResponse::Ok()
        .json(tasks::step::sign(&state, &user.user_id, &meta, &id, &step, &body).await?))
}

/// Rejects the caller's active step with a reason: the task is rejected.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/steps/{step}/reject", tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path), ("step" = String, Path)), request_body = RejectStep,
    responses((status = 200, body = TaskView),
        (status = 400),
        (status = 403),
        (status = 409)))]
pub async fn reject(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    path: web::Path<(String, String)>,
    body: web::Json<RejectStep>,
) -> ApiResult<HttpResponse> {
    let (id, step) = path.into_inner();
    Ok(HttpResponse::Ok()
        .json(tasks::step::reject(&state, &user.user_id, &meta, &id, &step, &body).await?))
}

/// The certificate + seal pairs the caller may use for its step: certificates that fit the
/// step's seal kind and organisation, each with its bound seals first, then the other seals
/// of the same owner.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/steps/{step}/options", tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path), ("step" = String, Path)),
    responses((status = 200, body = SigningOptions),
        (status = 403),
        (status = 404)))]
pub async fn options(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, step) = path.into_inner();
    Ok(HttpResponse::Ok().json(tasks::step::options(&state, &user.user_id, &id, &step).await?))
}

// ---------------------------------------------------------------------------------------------
// External signing of a step (keys the server never sees)

/// Prepares the signature of the caller's active step with a key the caller holds (a
/// client-held certificate of the built-in CA, or a bound outside certificate): one
/// placement on one document. Answers what to sign, as `POST /api/v1/sign/external` does;
/// `…/external/{session}/finish` completes the step.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/steps/{step}/external", tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path), ("step" = String, Path)), request_body = signet_api::StepPlacement,
    responses((status = 201, body = signet_api::ExternalPrepared),
        (status = 400),
        (status = 403),
        (status = 404),
        (status = 409),
        (status = 422)))]
pub async fn external_prepare(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    path: web::Path<(String, String)>,
    body: web::Json<signet_api::StepPlacement>,
) -> ApiResult<HttpResponse> {
    let (id, step) = path.into_inner();
    let prepared =
        tasks::step::external_prepare(&state, &user.user_id, &meta, &id, &step, body.into_inner())
            .await?;
    Ok(HttpResponse::Created().json(prepared))
}

/// Embeds the external signature prepared for the caller's step, stores the revision and
/// marks the step signed (the next order becomes active). 409 `task_changed` if the task
/// changed since the prepare step (prepare again).
#[utoipa::path(post, path = "/api/v1/tasks/{id}/steps/{step}/external/{session}/finish", tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path), ("step" = String, Path), ("session" = String, Path)),
    request_body = signet_api::ExternalFinish,
    responses((status = 200, body = TaskView),
        (status = 404),
        (status = 409),
        (status = 410),
        (status = 422, description = "The signature does not verify")))]
pub async fn external_finish(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    path: web::Path<(String, String, String)>,
    body: web::Json<signet_api::ExternalFinish>,
) -> ApiResult<HttpResponse> {
    let (id, step, session) = path.into_inner();
    let view =
        tasks::step::external_finish(&state, &user.user_id, &meta, &id, &step, &session, &body)
            .await?;
    Ok(HttpResponse::Ok().json(view))
}

// ---------------------------------------------------------------------------------------------
// Forwarding

/// Sends the documents on to further signers (转发) as a new task of their current signed
/// revisions, started at once. A signer who has signed (or the initiator of a completed
/// task: 发起), and only for documents it uploaded itself.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/forward", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path)), request_body = ForwardTask,
    responses((status = 201, body = TaskView),
        (status = 403, description = "Not signed, or documents from someone else"),
        (status = 409),
        (status = 429, description = "Over the caller's signer-lookup budget (`lookup_rate_limited`)")))]
pub async fn forward(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    id: web::Path<String>,
    body: web::Json<ForwardTask>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created()
        .json(tasks::forward(&state, caller(&user, &meta), &id, &body).await?))
}

// ---------------------------------------------------------------------------------------------
// Downloads

/// One document's signed PDF. The initiator only, and only once the task is completed.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/documents/{doc}/file", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path), ("doc" = String, Path)),
    responses((status = 200, description = "The signed PDF", content_type = "application/pdf"),
        (status = 403),
        (status = 404)))]
pub async fn download_one(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, doc) = path.into_inner();
    let (name, pdf) = documents::document(&state, &user.user_id, &meta, &id, &doc).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((CONTENT_DISPOSITION, attachment(&name, "pdf")))
        .body(pdf))
}

/// Every document of the task in one zip. The initiator only, once the task is completed.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/download", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "A zip of the signed PDFs", content_type = "application/zip"),
        (status = 403),
        (status = 404)))]
pub async fn download_all(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    req: actix_web::HttpRequest,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (name, zip) = documents::zip(&state, &user.user_id, &meta, &id).await?;
    let named = actix_files::NamedFile::from_file(zip, "documents.zip")
        .map_err(ApiError::internal)?
        .set_content_type("application/zip".parse().map_err(ApiError::internal)?)
        .set_content_disposition(attachment(&name, "zip"))
        .use_etag(false)
        .use_last_modified(false);
    Ok(named.into_response(&req))
}

// ---------------------------------------------------------------------------------------------
// Viewing: page sizes and page images

/// The pages of a document's current revision with their displayed sizes (points), the
/// space placements are given in. Initiator and signers.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/documents/{doc}/pages", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path), ("doc" = String, Path)),
    responses((status = 200, body = signet_api::PageList),
        (status = 404)))]
pub async fn pages(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, doc) = path.into_inner();
    Ok(HttpResponse::Ok().json(documents::page_sizes(&state, &user.user_id, &id, &doc).await?))
}

/// The signatures of a document's current revision (who, when, certificate, verdict), as
/// the validator judges them now with Signet's roots. Initiator and signers.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/documents/{doc}/signatures", tag = "tasks",
    security(("bearer" = [])), params(("id" = String, Path), ("doc" = String, Path)),
    responses((status = 200, body = signet_api::DocumentSignatures),
        (status = 404),
        (status = 503, description = "Too many signing or validation requests at once (`signing_busy`)")))]
pub async fn signatures(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, doc) = path.into_inner();
    let view = documents::signatures(&state, &user.user_id, &id, &doc).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Page `number` (from 1) of a document's current revision as a PNG `width` pixels wide
/// (200–2000, default 1000), rendered by the server and cached. Initiator and signers.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/documents/{doc}/pages/{number}", tag = "tasks",
    security(("bearer" = [])),
    params(("id" = String, Path), ("doc" = String, Path), ("number" = u32, Path),
        signet_api::PageImageQuery),
    responses((status = 200, description = "The page image", content_type = "image/png"),
        (status = 304, description = "Not modified (ETag)"),
        (status = 400),
        (status = 404),
        (status = 422, description = "The page cannot be rendered"),
        (status = 503)))]
#[allow(clippy::too_many_arguments)]
pub async fn page_image(
    state: web::Data<AppState>,
    user: AuthUser,
    meta: ClientMeta,
    req: actix_web::HttpRequest,
    path: web::Path<(String, String, u32)>,
    q: web::Query<signet_api::PageImageQuery>,
) -> ApiResult<HttpResponse> {
    let (id, doc, number) = path.into_inner();
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    let image = documents::page_image(
        &state,
        &user.user_id,
        &meta,
        &id,
        &doc,
        number,
        q.width,
        if_none_match,
    )
    .await?;
    let mut answer = match image.png {
        Some(_) => HttpResponse::Ok(),
        None => HttpResponse::NotModified(),
    };
    answer
        .insert_header((header::ETAG, image.etag))
        .insert_header((header::CACHE_CONTROL, "private, max-age=86400"));
    Ok(match image.png {
        Some(png) => answer.content_type("image/png").body(png),
        None => answer.finish(),
    })
}

// ---------------------------------------------------------------------------------------------
// Lists

/// One of the caller's lists (待签署 `to_sign`, 已签署 `signed`, 我发起 `initiated`), newest
/// first, with search by task or document name, initiator name, creation time range and
/// status; paged with `total` ("共 N 条").
#[utoipa::path(get, path = "/api/v1/tasks", operation_id = "list_tasks", tag = "tasks",
    security(("bearer" = [])), params(TaskListQuery),
    responses((status = 200, body = signet_api::Page<TaskView>),
        (status = 400)))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<TaskListQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(tasks::list(&state, &user.user_id, &q).await?))
}

/// The to-sign badge (待签署 N).
#[utoipa::path(get, path = "/api/v1/tasks/to_sign/count", tag = "tasks",
    security(("bearer" = [])),
    responses((status = 200, body = CountView)))]
pub async fn count_to_sign(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let count = tasks::count_to_sign(&state, &user.user_id).await?;
    Ok(HttpResponse::Ok().json(CountView { count }))
}

/// The signed-in caller and their request's origin, as the use cases take them.
fn caller<'a>(user: &'a AuthUser, meta: &'a ClientMeta) -> tasks::Caller<'a> {
    tasks::Caller {
        user: &user.user_id,
        meta,
    }
}
