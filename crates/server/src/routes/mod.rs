//! Routing. Every API handler lives under `/api/v1` and states its access rule in its doc
//! comment; the OpenAPI document is generated from the same annotations.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use signet_api::{DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, PageQuery};

use crate::problem::{self, ApiError, ApiResult};

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

/// Validated paging: `page` 1–1,000,000, `page_size` 1–100 (default 20).
pub fn paging(q: &PageQuery) -> ApiResult<(u64, u64)> {
    let page = q.page.unwrap_or(1);
    let size = q.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    if page == 0 || page > MAX_PAGE {
        return Err(ApiError::bad_request("invalid_page").field("page"));
    }
    if size == 0 || size > MAX_PAGE_SIZE {
        return Err(ApiError::bad_request("invalid_page").field("page_size"));
    }
    Ok((page, size))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_bounds() {
        assert_eq!(
            paging(&PageQuery {
                page: None,
                page_size: None
            })
            .unwrap(),
            (1, 20)
        );
        assert!(
            paging(&PageQuery {
                page: Some(0),
                page_size: None
            })
            .is_err()
        );
        assert!(
            paging(&PageQuery {
                page: Some(1),
                page_size: Some(101)
            })
            .is_err()
        );
        assert!(
            paging(&PageQuery {
                page: Some(u64::MAX),
                page_size: Some(100)
            })
            .is_err()
        );
        assert!(
            paging(&PageQuery {
                page: Some(MAX_PAGE),
                page_size: Some(100)
            })
            .is_ok()
        );
        assert_eq!(
            paging(&PageQuery {
                page: Some(3),
                page_size: Some(100)
            })
            .unwrap(),
            (3, 100)
        );
    }

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
