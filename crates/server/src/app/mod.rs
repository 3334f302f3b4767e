//! The application layer: use cases that route handlers, the worker, the evidence report and
//! the command line call, so that a handler only parses, authenticates, calls and maps the
//! result.
//!
//! - [`signing`]: the one signing pipeline — plan each signature (its opened key, certificate
//!   and chain), sign in order (B-B, or B-T with the configured timestamps), extend to the
//!   level (B-LT validation data, B-LTA document timestamp) — configured once at start.
//!
//! - [`accounts`]: the row of a person whose identity was verified (registration, demo).
//! - [`tasks`]: signing tasks — load and views, initiate, start, sign a step (server-held
//!   keys or external), reject, forward, documents and pages, lists, expiry.
//! - [`certificates`] and [`certificate_keys`]: certificate views and holders; opening a certificate's key
//!   with its PIN (lockout counted before the check).
//! - [`seals`]: which seals a caller may use, and the one seal + certificate rule.
//! - [`external`]: signing sessions for keys the server never sees.
//! - [`binding`]: outside certificates — chain and revocation checks, proof of possession.
//! - [`codes`]: SMS code checks; [`orgs`]: membership grants.
//!
//! Nothing here imports from `routes/`; HTTP-only matters (multipart, headers, status codes of
//! a success) stay there.

use signet_api::{DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, PageQuery};

use crate::problem::{ApiError, ApiResult};

pub mod accounts;
pub mod binding;
pub mod certificate_keys;
pub mod certificates;
pub mod codes;
pub mod external;
pub mod orgs;
pub mod seals;
pub mod signing;
pub mod tasks;

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
}
