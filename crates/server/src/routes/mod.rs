//! Routing. Every API handler lives under `/api/v1` and states its access rule in its doc
//! comment; the OpenAPI document is generated from the same annotations.

use actix_web::http::header::{ContentDisposition, DispositionParam};
use actix_web::{HttpResponse, web};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::problem::{self};

pub mod accounts;
pub mod agreements;
pub mod binding;
pub mod certificates;
pub mod certlogin;
pub mod codes;
pub mod dev;
pub mod docs;
pub mod evidence;
pub mod external;
pub mod form;
pub mod health;
pub mod orgs;
pub mod panel;
pub mod pki;
pub mod seals;
pub mod sign;
pub mod tasks;

/// Largest JSON body the API accepts (uploads have their own limits).
const JSON_LIMIT: usize = 256 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .service(
            web::scope("/api/v1")
                .app_data(
                    web::JsonConfig::default()
                        .limit(JSON_LIMIT)
                        .error_handler(|e, _| problem::json_error(e)),
                )
                .app_data(web::QueryConfig::default().error_handler(problem::query_error))
                .app_data(web::PathConfig::default().error_handler(problem::path_error))
                .route("/settings", web::get().to(health::settings))
                .configure(agreements::configure)
                .configure(codes::configure)
                .configure(accounts::configure)
                .configure(orgs::configure)
                .configure(external::configure)
                .configure(certlogin::configure)
                .configure(binding::configure)
                .configure(certificates::configure)
                .configure(sign::configure)
                .configure(seals::configure)
                .configure(tasks::configure)
                .configure(evidence::configure)
                .configure(dev::configure)
                .default_service(web::to(problem::not_found)),
        )
        .configure(pki::configure)
        .configure(docs::configure)
        .configure(panel::configure);
}

/// Today's date in China Standard Time (UTC+8), the calendar users live in.
pub fn china_today(now: DateTime<Utc>) -> NaiveDate {
    let cst = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!("valid offset"));
    now.with_timezone(&cst).date_naive()
}

/// Start of today in China Standard Time, as UTC.
pub fn china_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let day = china_today(now);
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    DateTime::<Utc>::from_naive_utc_and_offset(midnight, Utc) - chrono::Duration::hours(8)
}

pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

/// A `Content-Disposition: attachment` for `name.ext`: an ASCII fallback and the UTF-8 name.
pub fn attachment(name: &str, ext: &str) -> ContentDisposition {
    let file = format!("{name}.{ext}");
    let ascii: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    ContentDisposition {
        disposition: actix_web::http::header::DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(actix_web::http::header::ExtendedValue {
                charset: actix_web::http::header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: file.into_bytes(),
            }),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_day_boundaries() {
        let t = DateTime::parse_from_rfc3339("2026-11-22T17:30:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            china_today(t),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        assert_eq!(
            china_midnight(t),
            DateTime::parse_from_rfc3339("2026-11-22T16:00:00Z")
                .unwrap()
                .to_utc()
        );
    }
}
