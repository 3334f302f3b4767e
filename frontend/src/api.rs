//! A small client for the Signet API: JSON in, typed results or the server's problem out.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use signet_api::Problem;

use crate::i18n::Lang;

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
        Ok(p) => Err(ApiErr {
            code: p.code,
            message: p.detail,
            field: p.field,
        }),
        Err(_) => Err(ApiErr::network(lang)),
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
