//! The panel's static files at `/`, with single-page-app fallback: any other GET path that is
//! not a file gets `index.html`, and the panel's router takes it from there; a missing asset
//! (a name with an extension) is a plain 404.

use actix_files::NamedFile;
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::{HttpResponse, web};

use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::scope("").default_service(fn_service(serve)));
}

async fn serve(req: ServiceRequest) -> Result<ServiceResponse, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req.into_response(HttpResponse::InternalServerError().finish()));
    };
    let dir = state.settings.panel_dir.clone();
    let index = dir.join("index.html");
    if !index.exists() {
        let body = "<!doctype html><meta charset=utf-8><title>Signet</title>\
            <p>The panel is not built. Run <code>make run</code> (or <code>make panel</code>). \
            The API is at <a href=/api/docs/>/api/docs/</a>.</p>";
        return Ok(req.into_response(
            HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(body),
        ));
    }
    let (http_req, _payload) = req.into_parts();
    let rel = http_req.path().trim_start_matches('/');
    let candidate = dir.join(rel);
    let is_file = !rel.is_empty()
        && !rel
            .split('/')
            .any(|seg| seg == ".." || seg.starts_with('.'))
        && candidate.is_file();
    // A missing asset (a path whose last segment has an extension) is a 404, not the app.
    let looks_like_asset = rel
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    if !is_file && looks_like_asset {
        let res = HttpResponse::NotFound()
            .content_type("text/plain")
            .body("not found");
        return Ok(ServiceResponse::new(http_req, res));
    }
    let file = if is_file { candidate } else { index };
    let named = NamedFile::open_async(file).await?;
    let res = named.into_response(&http_req);
    Ok(ServiceResponse::new(http_req, res))
}
