//! Request and response bodies of the Signet REST API (`/api/v1`).
//!
//! Shared by the server and the Leptos panel, so the two cannot disagree on a field. With the
//! `openapi` feature each type also derives a utoipa schema for the generated document.
//! Conventions: snake_case fields, RFC 3339 UTC times, ids as opaque strings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

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

/// Paging query of every list: `page` starts at 1, `page_size` is at most 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PageQuery {
    #[serde(default)]
    pub page: Option<u64>,
    #[serde(default)]
    pub page_size: Option<u64>,
}

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 100;

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

// ---------------------------------------------------------------------------------------------
// Agreements (用户协议, 隐私政策)

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "agr_user_agreement_1", "kind": "user_agreement", "version": 1,
    "title": "用户协议", "published_at": "2026-11-01T00:00:00Z",
    "url": "/api/v1/agreements/user_agreement/1"
})))]
pub struct AgreementSummary {
    pub id: String,
    /// `user_agreement` or `privacy_policy`.
    pub kind: String,
    pub version: i32,
    pub title: String,
    pub published_at: DateTime<Utc>,
    /// Where the full text is served.
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"items": [{"id": "agr_user_agreement_1", "kind": "user_agreement", "version": 1, "title": "用户协议", "published_at": "2026-11-01T00:00:00Z", "url": "/api/v1/agreements/user_agreement/1"}]})))]
pub struct AgreementList {
    /// The current version of every agreement a new user must accept.
    pub items: Vec<AgreementSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "agr_privacy_policy_1", "kind": "privacy_policy", "version": 1, "title": "隐私政策", "published_at": "2026-11-01T00:00:00Z", "url": "/api/v1/agreements/privacy_policy/1", "body": "# 隐私政策（第 1 版）\n…"})))]
pub struct Agreement {
    #[serde(flatten)]
    pub summary: AgreementSummary,
    /// The text (Markdown).
    pub body: String,
}

/// One accepted agreement in a registration: which document and which version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"kind": "user_agreement", "version": 1})))]
pub struct AcceptedAgreement {
    #[cfg_attr(feature = "openapi", schema(example = "user_agreement"))]
    pub kind: String,
    #[cfg_attr(feature = "openapi", schema(example = 1))]
    pub version: i32,
}

// ---------------------------------------------------------------------------------------------
// Captcha and SMS codes

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "captcha_id": "0193a0c45b7e7d1a9f1e1c2d3e4f5a6b",
    "image": "data:image/png;base64,iVBORw0KGgo…",
    "expires_at": "2026-11-23T08:05:00Z"
})))]
pub struct CaptchaChallenge {
    pub captcha_id: String,
    /// PNG image as a `data:` URL.
    pub image: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"captcha_id": "cap_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "answer": "6HF6"})))]
pub struct DevCaptchaAnswer {
    pub captcha_id: String,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "phone": "13800138000", "purpose": "register",
    "captcha_id": "0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "captcha_answer": "6HF6"
})))]
pub struct SendSmsCode {
    pub phone: String,
    /// `register`, `login` or `reset_password`.
    pub purpose: String,
    /// The image captcha guards every SMS send (single use).
    pub captcha_id: String,
    pub captcha_answer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"expires_at": "2026-11-23T08:05:00Z", "resend_after": 60})))]
pub struct SmsCodeSent {
    pub expires_at: DateTime<Utc>,
    /// Seconds until another code may be requested for this phone.
    pub resend_after: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"phone": "13800138000", "text": "【Signet】您的验证码为 419969，5 分钟内有效，请勿泄露给他人。", "sent_at": "2026-11-23T08:00:00Z"})))]
pub struct DevSmsMessage {
    pub phone: String,
    pub text: String,
    pub sent_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"items": [{"phone": "13800138000", "text": "【Signet】您的验证码为 419969，5 分钟内有效，请勿泄露给他人。", "sent_at": "2026-11-23T08:00:00Z"}]})))]
pub struct DevSmsOutbox {
    /// Newest first.
    pub items: Vec<DevSmsMessage>,
}

// ---------------------------------------------------------------------------------------------
// Accounts and sessions

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "account_name": "zhangsan01", "real_name": "张三",
    "id_card_number": "11010519491231002X", "password": "Secret-2026",
    "phone": "13800138000", "sms_code": "419969",
    "agreements": [{"kind": "user_agreement", "version": 1}, {"kind": "privacy_policy", "version": 1}]
})))]
pub struct RegisterRequest {
    pub account_name: String,
    pub real_name: String,
    pub id_card_number: String,
    pub password: String,
    pub phone: String,
    pub sms_code: String,
    /// The agreements shown on the form; must name the current version of each.
    pub agreements: Vec<AcceptedAgreement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"login": "zhangsan01", "password": "Secret-2026"})))]
pub struct PasswordLogin {
    /// Account name or mobile phone number.
    pub login: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"phone": "13800138000", "sms_code": "419969"})))]
pub struct SmsLogin {
    pub phone: String,
    pub sms_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"refresh_token": "rt_4f0cX2…"})))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "access_token": "eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiJ9…", "token_type": "Bearer", "expires_in": 900,
    "refresh_token": "rt_4f0c…", "refresh_expires_at": "2026-12-23T08:00:00Z"
})))]
pub struct TokenPair {
    /// Short-lived JWT (ES256) for `Authorization: Bearer`.
    pub access_token: String,
    pub token_type: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
    /// Single-use; exchange at `/auth/refresh` for a new pair. Reusing an old one revokes all
    /// tokens of its login.
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"current_password": "Secret-2026", "new_password": "Another-2026!"})))]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"phone": "13800138000", "sms_code": "419969", "new_password": "Another-2026!"})))]
pub struct ResetPassword {
    pub phone: String,
    pub sms_code: String,
    pub new_password: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"org_id": "org_0193a0c4…", "org_name": "示例科技有限公司", "role": "admin", "grants": ["initiate"]})))]
pub struct MembershipSummary {
    pub org_id: String,
    pub org_name: String,
    /// `admin` or `member`.
    pub role: String,
    /// Granted rights, e.g. `initiate`.
    pub grants: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "usr_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "account_name": "zhangsan01", "real_name": "张三",
    "id_card_masked": "1101**********002X", "phone_masked": "138****8000",
    "real_name_verified": true, "created_at": "2026-11-23T08:00:00Z", "organizations": []
})))]
pub struct Me {
    pub id: String,
    pub account_name: String,
    pub real_name: String,
    /// The ID number is never returned in full.
    pub id_card_masked: String,
    pub phone_masked: String,
    pub real_name_verified: bool,
    pub created_at: DateTime<Utc>,
    pub organizations: Vec<MembershipSummary>,
}

// ---------------------------------------------------------------------------------------------
// Organisations

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "福建瑞术信息科技有限公司", "uscc": null})))]
pub struct CreateOrg {
    pub name: String,
    /// Unified social credit code (统一社会信用代码), optional until enterprise verification.
    #[serde(default)]
    pub uscc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "org_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "name": "示例科技有限公司", "uscc": null, "verified": false, "created_at": "2026-11-23T08:00:00Z", "my_role": "admin", "my_grants": ["initiate"]})))]
pub struct Org {
    pub id: String,
    pub name: String,
    pub uscc: Option<String>,
    /// Set once the organisation's identity has been verified (enterprise real-name).
    pub verified: bool,
    pub created_at: DateTime<Utc>,
    /// The caller's role in it.
    pub my_role: String,
    pub my_grants: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"items": [{"id": "org_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "name": "示例科技有限公司", "uscc": null, "verified": false, "created_at": "2026-11-23T08:00:00Z", "my_role": "admin", "my_grants": ["initiate"]}], "total": 1, "page": 1, "page_size": 20})))]
pub struct OrgList {
    pub items: Vec<Org>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"user_id": "usr_0193a0c4…", "real_name": "李四", "account_name": "lisi2026", "phone_masked": "139****9000", "role": "member", "grants": [], "joined_at": "2026-11-23T08:00:00Z"})))]
pub struct Member {
    pub user_id: String,
    pub real_name: String,
    pub account_name: String,
    pub phone_masked: String,
    pub role: String,
    pub grants: Vec<String>,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"items": [{"user_id": "usr_0193a0c4…", "real_name": "李四", "account_name": "lisi2026", "phone_masked": "139****9000", "role": "member", "grants": [], "joined_at": "2026-11-23T08:00:00Z"}], "total": 1, "page": 1, "page_size": 20})))]
pub struct MemberList {
    pub items: Vec<Member>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"role": "member", "grants": ["initiate"]})))]
pub struct UpdateMember {
    #[serde(default)]
    pub role: Option<String>,
    /// The complete new set of grants.
    #[serde(default)]
    pub grants: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"phone": "13900139000", "role": "member"})))]
pub struct CreateInvitation {
    pub phone: String,
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "inv_0193a0c4…", "org_id": "org_0193a0c4…", "org_name": "示例科技有限公司", "phone_masked": "139****9000", "role": "member", "status": "pending", "invited_by": "张三", "created_at": "2026-11-23T08:00:00Z", "expires_at": "2026-11-30T08:00:00Z"})))]
pub struct Invitation {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub phone_masked: String,
    pub role: String,
    /// `pending`, `accepted`, `declined` or `revoked`.
    pub status: String,
    pub invited_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"items": [{"id": "inv_0193a0c4…", "org_id": "org_0193a0c4…", "org_name": "示例科技有限公司", "phone_masked": "139****9000", "role": "member", "status": "pending", "invited_by": "张三", "created_at": "2026-11-23T08:00:00Z", "expires_at": "2026-11-30T08:00:00Z"}], "total": 1, "page": 1, "page_size": 20})))]
pub struct InvitationList {
    pub items: Vec<Invitation>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

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
