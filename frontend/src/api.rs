//! A small client for the Signet API: JSON in, typed results or the server's problem out.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use signet_api::Problem;

use crate::i18n::Lang;
use crate::session::Session;
use leptos::prelude::GetUntracked;
use signet_api::{RefreshRequest, TokenPair};
use wasm_bindgen::{JsCast, JsValue};

/// The body `{}`, for calls that take no input.
#[derive(serde::Serialize)]
pub struct Empty {}

/// What the panel shows when a call fails: the server's localised message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiErr {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl ApiErr {
    fn network(lang: Lang) -> Self {
        Self {
            code: "network_error".into(),
            message: crate::i18n::t(lang, "network_error").into(),
            field: None,
        }
    }
}

fn with_headers(b: RequestBuilder, lang: Lang, token: Option<&str>) -> RequestBuilder {
    let b = b
        .header("Accept-Language", lang.code())
        .header("Accept", "application/json");
    match token {
        Some(t) => b.header("Authorization", &format!("Bearer {t}")),
        None => b,
    }
}

/// Sends a request: the response when the call succeeded, else the server's problem (or a
/// network error).
async fn send(req: Result<Request, gloo_net::Error>, lang: Lang) -> Result<Response, ApiErr> {
    let res = req
        .map_err(|_| ApiErr::network(lang))?
        .send()
        .await
        .map_err(|_| ApiErr::network(lang))?;
    if res.ok() {
        return Ok(res);
    }
    match res.json::<Problem>().await {
        Ok(p) => Err(p.into()),
        Err(_) => Err(ApiErr::network(lang)),
    }
}

impl From<Problem> for ApiErr {
    fn from(p: Problem) -> Self {
        Self {
            code: p.code,
            message: p.detail,
            field: p.field,
        }
    }
}

/// The JSON body of a successful response.
async fn read<T: DeserializeOwned>(res: Response, lang: Lang) -> Result<T, ApiErr> {
    res.json::<T>().await.map_err(|_| ApiErr::network(lang))
}

fn post_json<B: Serialize>(
    path: &str,
    body: &B,
    lang: Lang,
    token: Option<&str>,
) -> Result<Request, gloo_net::Error> {
    with_headers(Request::post(path), lang, token).json(body)
}

pub async fn get<T: DeserializeOwned>(
    path: &str,
    lang: Lang,
    token: Option<&str>,
) -> Result<T, ApiErr> {
    let req = with_headers(Request::get(path), lang, token).build();
    read(send(req, lang).await?, lang).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    lang: Lang,
    token: Option<&str>,
) -> Result<T, ApiErr> {
    read(send(post_json(path, body, lang, token), lang).await?, lang).await
}

/// As [`post`], for calls answered without a body (204).
pub async fn post_empty<B: Serialize>(
    path: &str,
    body: &B,
    lang: Lang,
    token: Option<&str>,
) -> Result<(), ApiErr> {
    send(post_json(path, body, lang, token), lang)
        .await
        .map(|_| ())
}

/// POSTs a file as the raw body (`application/pdf`), with no token: public verification.
pub async fn post_pdf<T: DeserializeOwned>(
    path: &str,
    file: &web_sys::File,
    lang: Lang,
) -> Result<T, ApiErr> {
    let req = with_headers(Request::post(path), lang, None)
        .header("Content-Type", "application/pdf")
        .body(file.clone());
    read(send(req, lang).await?, lang).await
}

/// Sends a request made with the session's access token; when the token has expired, refreshes
/// it once and sends again. A session that cannot be refreshed ends (the protected pages then
/// send the user to the login page).
async fn authed_send(
    s: Session,
    make: impl Fn(Option<&str>) -> Result<Request, gloo_net::Error>,
) -> Result<Response, ApiErr> {
    let lang = s.lang.get_untracked();
    signed_in(s)?;
    match send(make(s.access_token().as_deref()), lang).await {
        Err(e) if e.code == "invalid_token" => {
            refresh(s).await?;
            send(make(s.access_token().as_deref()), lang).await
        }
        other => other,
    }
}

/// Signed out (a page leaving after logout): nothing to send.
fn signed_in(s: Session) -> Result<(), ApiErr> {
    if s.access_token().is_some() {
        return Ok(());
    }
    Err(ApiErr {
        code: "unauthenticated".into(),
        message: crate::i18n::t(s.lang.get_untracked(), "session_expired").into(),
        field: None,
    })
}

/// POSTs a multipart form as the signed-in user, calling `progress(sent, total)` as the body
/// goes out (through XMLHttpRequest: `fetch` cannot report upload progress). Refreshes an
/// expired token once, as [`authed_send`] does, and sends the form again.
pub async fn authed_upload<T: DeserializeOwned>(
    s: Session,
    path: &str,
    form: &web_sys::FormData,
    progress: std::rc::Rc<dyn Fn(f64, f64)>,
) -> Result<T, ApiErr> {
    let lang = s.lang.get_untracked();
    signed_in(s)?;
    let body = match xhr_post(path, form, lang, s.access_token(), progress.clone()).await {
        Err(e) if e.code == "invalid_token" => {
            refresh(s).await?;
            xhr_post(path, form, lang, s.access_token(), progress).await?
        }
        other => other?,
    };
    serde_json::from_str(&body).map_err(|_| ApiErr::network(lang))
}

/// One XMLHttpRequest POST: the body of a 2xx answer, else its problem.
async fn xhr_post(
    path: &str,
    form: &web_sys::FormData,
    lang: Lang,
    token: Option<String>,
    progress: std::rc::Rc<dyn Fn(f64, f64)>,
) -> Result<String, ApiErr> {
    use wasm_bindgen::closure::Closure;
    let fail = |_| ApiErr::network(lang);
    let xhr = web_sys::XmlHttpRequest::new().map_err(fail)?;
    xhr.open("POST", path).map_err(fail)?;
    xhr.set_request_header("Accept-Language", lang.code())
        .map_err(fail)?;
    xhr.set_request_header("Accept", "application/json")
        .map_err(fail)?;
    if let Some(t) = token {
        xhr.set_request_header("Authorization", &format!("Bearer {t}"))
            .map_err(fail)?;
    }
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() {
                progress(e.loaded(), e.total());
            }
        });
    xhr.upload()
        .map_err(fail)?
        .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    // Settles when the request has ended, however it ended.
    let ended = js_sys::Promise::new(&mut |resolve, _reject| xhr.set_onloadend(Some(&resolve)));
    xhr.send_with_opt_form_data(Some(form)).map_err(fail)?;
    wasm_bindgen_futures::JsFuture::from(ended)
        .await
        .map_err(fail)?;
    // The listener lives until the request has ended.
    drop(on_progress);
    let status = xhr.status().map_err(fail)?;
    let body = xhr.response_text().map_err(fail)?.unwrap_or_default();
    match status {
        200..=299 => Ok(body),
        // 0: the request never got an answer (network down, aborted).
        0 => Err(ApiErr::network(lang)),
        _ => Err(serde_json::from_str::<Problem>(&body)
            .map(ApiErr::from)
            .unwrap_or_else(|_| ApiErr::network(lang))),
    }
}

/// Trades the refresh token for a new pair, or ends the session.
async fn refresh(s: Session) -> Result<(), ApiErr> {
    let lang = s.lang.get_untracked();
    let Some(refresh_token) = s.tokens.get_untracked().map(|p| p.refresh_token) else {
        return Err(ApiErr::network(lang));
    };
    match post::<_, TokenPair>(
        "/api/v1/auth/refresh",
        &RefreshRequest { refresh_token },
        lang,
        None,
    )
    .await
    {
        Ok(pair) => {
            s.log_in(pair);
            Ok(())
        }
        Err(e) => {
            s.log_out();
            Err(e)
        }
    }
}

/// GET as the signed-in user (see [`authed_send`]).
pub async fn authed_get<T: DeserializeOwned>(s: Session, path: &str) -> Result<T, ApiErr> {
    let lang = s.lang.get_untracked();
    let res = authed_send(s, |token| {
        with_headers(Request::get(path), lang, token).build()
    })
    .await?;
    read(res, lang).await
}

/// Sends `body` as JSON with `method` as the signed-in user; the answer's body, if any, is
/// read as `T` (use `()` for 204 answers through [`authed_json_empty`]).
pub async fn authed_json<B: Serialize, T: DeserializeOwned>(
    s: Session,
    method: Method,
    path: &str,
    body: &B,
) -> Result<T, ApiErr> {
    let lang = s.lang.get_untracked();
    let res = authed_send(s, |token| json_request(method, path, body, lang, token)).await?;
    read(res, lang).await
}

/// As [`authed_json`], for calls answered without a body.
pub async fn authed_json_empty<B: Serialize>(
    s: Session,
    method: Method,
    path: &str,
    body: &B,
) -> Result<(), ApiErr> {
    let lang = s.lang.get_untracked();
    authed_send(s, |token| json_request(method, path, body, lang, token))
        .await
        .map(|_| ())
}

/// The methods a JSON body goes with.
#[derive(Clone, Copy)]
pub enum Method {
    Post,
    Put,
    Patch,
    Delete,
}

fn json_request<B: Serialize>(
    method: Method,
    path: &str,
    body: &B,
    lang: Lang,
    token: Option<&str>,
) -> Result<Request, gloo_net::Error> {
    let b = match method {
        Method::Post => Request::post(path),
        Method::Put => Request::put(path),
        Method::Patch => Request::patch(path),
        Method::Delete => Request::delete(path),
    };
    with_headers(b, lang, token).json(body)
}

/// Downloads a file as the signed-in user and hands it to the browser as `file_name` (a
/// plain link cannot carry the access token).
pub async fn authed_download(s: Session, path: &str, file_name: &str) -> Result<(), ApiErr> {
    let lang = s.lang.get_untracked();
    let res = authed_send(s, |token| {
        with_headers(Request::get(path), lang, token).build()
    })
    .await?;
    let bytes = res.binary().await.map_err(|_| ApiErr::network(lang))?;
    save_file(&bytes, file_name).map_err(|_| ApiErr::network(lang))
}

/// Fetches an image as the signed-in user; its address for an `<img>` (an object URL: an
/// image tag cannot carry the access token).
pub async fn authed_image(s: Session, path: &str) -> Result<String, ApiErr> {
    let lang = s.lang.get_untracked();
    let res = authed_send(s, |token| {
        with_headers(Request::get(path), lang, token).build()
    })
    .await?;
    let bytes = res.binary().await.map_err(|_| ApiErr::network(lang))?;
    object_url(&bytes).map_err(|_| ApiErr::network(lang))
}

fn object_url(bytes: &[u8]) -> Result<String, JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts)?;
    web_sys::Url::create_object_url_with_blob(&blob)
}

fn save_file(bytes: &[u8], name: &str) -> Result<(), JsValue> {
    let url = object_url(bytes)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(JsValue::NULL)?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url)
}
