//! The OpenAPI document and the Swagger UI at `/api/docs/` (assets vendored in the binary:
//! it works with no internet).

use actix_web::web;
use utoipa_swagger_ui::SwaggerUi;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        SwaggerUi::new("/api/docs/{_:.*}")
            .url("/api/docs/openapi.json", crate::openapi::document()),
    )
    .route(
        "/api/docs",
        web::get().to(|| async {
            actix_web::HttpResponse::PermanentRedirect()
                .insert_header(("Location", "/api/docs/"))
                .finish()
        }),
    );
}
