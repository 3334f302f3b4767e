//! Request and response bodies of the Signet REST API (`/api/v1`).
//!
//! Shared by the server and the Leptos panel, so the two cannot disagree on a field. With the
//! `openapi` feature each type also derives a utoipa schema for the generated document.
//! Conventions: snake_case fields, RFC 3339 UTC times, ids as opaque strings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
pub use signet_domain::certificate::{BindingStatus, KeyAlg};
pub use signet_domain::org::{InvitationStatus, Role, SealType};
pub use signet_domain::workflow::{SealKind, SignMode, StepState, TaskState};
#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

mod accounts;
mod agent;
mod certificates;
mod evidence;
mod orgs;
mod tasks;

pub use accounts::*;
pub use agent::*;
pub use certificates::*;
pub use evidence::*;
pub use orgs::*;
pub use tasks::*;

/// The two languages of the panel and of problem messages; Simplified Chinese by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The tag the panel sends as `Accept-Language`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// A stored language tag: English for `en*`, Chinese otherwise.
    pub fn from_code(s: &str) -> Self {
        if s.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// The first of `zh*` / `en*` named in an `Accept-Language` value, by quality; zh-CN
    /// when neither is named.
    pub fn from_accept_language(value: &str) -> Self {
        let mut best: Option<(f32, Lang)> = None;
        for part in value.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = if tag.starts_with("en") {
                Lang::En
            } else if tag.starts_with("zh") {
                Lang::Zh
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// RFC 9457 problem details, the body of every error response
/// (`Content-Type: application/problem+json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "type": "https://signet.dev/problems/invalid_id_card_checksum",
    "title": "Bad Request",
    "status": 400,
    "detail": "身份证号码校验位不正确",
    "code": "invalid_id_card_checksum",
    "field": "id_card_number",
    "request_id": "0193a0c4-5b7e-7d1a-9f1e-1c2d3e4f5a6b"
})))]
pub struct Problem {
    /// A URI naming the problem type; ends with the `code`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    /// Human-readable explanation in the request's language (zh-CN by default).
    pub detail: String,
    /// Stable snake_case code for clients to act on and translate.
    pub code: String,
    /// The request field that failed, where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds to wait before retrying, for rate limits and unavailable providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Paging query of every list: `page` is 1 to 1,000,000, `page_size` 1 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PageQuery {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000000))]
    pub page: Option<u64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub page_size: Option<u64>,
}

/// One page (from 1) of a list, newest first: its rows and the number of rows in all pages
/// ("共 N 条").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"items": [], "total": 0, "page": 1, "page_size": 20})))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Rows in all pages.
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

impl<T> Page<T> {
    /// How many pages the list has at this page size (at least 1: an empty list shows one
    /// empty page).
    pub fn page_count(&self) -> u64 {
        self.total.div_ceil(self.page_size.max(1)).max(1)
    }
}

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 100;
/// The last page a list answers; beyond it, 400 `invalid_page` (no offset can overflow).
pub const MAX_PAGE: u64 = 1_000_000;

// ---------------------------------------------------------------------------------------------
// Health

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"status": "ok", "database": "ok"})))]
pub struct Health {
    #[cfg_attr(feature = "openapi", schema(example = "ok"))]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}

/// What the panel (and any client) shows of the installation's settings. Public.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"support_phone": "400-830-1234", "agent_origin": "http://127.0.0.1:9321"})))]
pub struct PublicSettings {
    /// The support line shown in the panel's header (客服电话); absent when not configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_phone: Option<String>,
    /// Where the local signing agent (`signet-agent`) listens, for the panel's certificate
    /// login and USB-key signing; absent when none is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_origin: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_query_survives_the_address_bar() {
        let q = TaskListQuery {
            list: "initiated".into(),
            name: Some("反担保 合同&1".into()),
            initiator: None,
            created_from: Some("2026-12-01T00:00:00Z".parse().unwrap()),
            created_to: None,
            status: Some("completed".into()),
            page: Some(2),
            page_size: Some(50),
        };
        let text = q.to_query();
        assert!(
            !text.contains("initiator"),
            "absent filters are left out: {text}"
        );
        assert!(
            !text.contains(' ') && !text.contains("&1"),
            "encoded: {text}"
        );
        assert_eq!(TaskListQuery::from_query(&text), Some(q.clone()));
        assert_eq!(TaskListQuery::from_query(&format!("?{text}")), Some(q));
        let bare = TaskListQuery::from_query("list=to_sign").unwrap();
        assert_eq!((bare.page, bare.name), (None, None));
        assert_eq!(TaskListQuery::from_query("page=two&list=to_sign"), None);
        assert_eq!(TaskListQuery::from_query(""), None, "a list must be named");
    }

    #[test]
    fn date_filters_are_china_days() {
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut q = TaskListQuery {
            list: "signed".into(),
            ..Default::default()
        };
        q.set_days(Some(day("2026-12-01")), Some(day("2026-12-31")));
        assert_eq!(
            q.created_from,
            Some("2026-11-30T16:00:00Z".parse().unwrap())
        );
        assert_eq!(q.created_to, Some("2026-12-31T16:00:00Z".parse().unwrap()));
        assert_eq!(q.days(), (Some(day("2026-12-01")), Some(day("2026-12-31"))));
        q.set_days(None, Some(day("2026-12-05")));
        assert_eq!(q.days(), (None, Some(day("2026-12-05"))));
    }

    #[test]
    fn page_count_rounds_up_and_is_never_zero() {
        let page = |total, page_size| Page::<()> {
            items: vec![],
            total,
            page: 1,
            page_size,
        };
        assert_eq!(page(0, 20).page_count(), 1);
        assert_eq!(page(20, 20).page_count(), 1);
        assert_eq!(page(21, 20).page_count(), 2);
        assert_eq!(page(30, 10).page_count(), 3);
        assert_eq!(page(5, 0).page_count(), 5);
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let register = RegisterRequest {
            account_name: "zhangsan01".into(),
            real_name: "张三".into(),
            id_card_number: "11010519491231002X".into(),
            password: "Secret-2026".into(),
            phone: "13800138000".into(),
            sms_code: "419969".into(),
            agreements: vec![],
        };
        let texts = [
            format!("{register:?}"),
            format!(
                "{:?}",
                SendSmsCode {
                    phone: "13800138000".into(),
                    purpose: "login".into(),
                    captcha_id: "c1".into(),
                    captcha_answer: "6HF6".into()
                }
            ),
            format!(
                "{:?}",
                PasswordLogin {
                    login: "zhangsan01".into(),
                    password: "Secret-2026".into()
                }
            ),
            format!(
                "{:?}",
                SmsLogin {
                    phone: "13800138000".into(),
                    sms_code: "419969".into()
                }
            ),
            format!(
                "{:?}",
                RefreshRequest {
                    refresh_token: "rt_secret".into()
                }
            ),
            format!(
                "{:?}",
                TokenPair {
                    access_token: "eyJsecret".into(),
                    token_type: "Bearer".into(),
                    expires_in: 900,
                    refresh_token: "rt_secret".into(),
                    refresh_expires_at: chrono::Utc::now(),
                }
            ),
            format!(
                "{:?}",
                ChangePassword {
                    current_password: "Secret-2026".into(),
                    new_password: "Another-2026".into()
                }
            ),
            format!(
                "{:?}",
                ResetPassword {
                    phone: "13800138000".into(),
                    sms_code: "419969".into(),
                    new_password: "Another-2026".into()
                }
            ),
            format!(
                "{:?}",
                PinReset {
                    sms_code: "419969".into(),
                    new_pin: Some("864200".into())
                }
            ),
        ];
        for text in &texts {
            for secret in [
                "11010519491231002X",
                "Secret-2026",
                "Another-2026",
                "419969",
                "6HF6",
                "rt_secret",
                "eyJsecret",
                "864200",
            ] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
            assert!(text.contains("***"), "{text}");
        }
        assert!(texts[0].contains("zhangsan01") && texts[0].contains("13800138000"));
    }

    #[test]
    fn picks_language_by_quality() {
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
        assert_eq!(Lang::from_accept_language("en"), Lang::En);
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("fr, en;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language("de"), Lang::Zh);
        assert_eq!(Lang::from_code(Lang::En.code()), Lang::En);
        assert_eq!(Lang::from_code(Lang::Zh.code()), Lang::Zh);
    }

    #[test]
    fn problem_serializes_type_and_skips_empty() {
        let p = Problem {
            type_: "about:blank".into(),
            title: "Bad Request".into(),
            status: 400,
            detail: "x".into(),
            code: "bad".into(),
            field: None,
            retry_after: None,
            request_id: None,
        };
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["type"], "about:blank");
        assert!(v.get("field").is_none());
    }
}

// ---------------------------------------------------------------------------------------------
// Debug output of request and response types that carry secrets: passwords, ID numbers, SMS
// and captcha answers, tokens are printed as `***` (as the domain types do), so no log line
// or panic message can carry them.

macro_rules! masked_debug {
    ($t:ident { $($shown:ident),* ; $($secret:ident),+ }) => {
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($t))
                    $(.field(stringify!($shown), &self.$shown))*
                    $(.field(stringify!($secret), &"***"))+
                    .finish()
            }
        }
    };
}

masked_debug!(SendSmsCode { phone, purpose, captcha_id ; captcha_answer });
masked_debug!(RegisterRequest { account_name, real_name, phone, agreements ; id_card_number, password, sms_code });
masked_debug!(PasswordLogin { login ; password });
masked_debug!(SmsLogin { phone ; sms_code });
masked_debug!(RefreshRequest {  ; refresh_token });
masked_debug!(TokenPair { token_type, expires_in, refresh_expires_at ; access_token, refresh_token });
masked_debug!(ChangePassword {  ; current_password, new_password });
masked_debug!(ResetPassword { phone ; sms_code, new_password });
masked_debug!(PinReset { new_pin ; sms_code });
