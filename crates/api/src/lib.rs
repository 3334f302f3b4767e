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

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"login": "zhangsan01", "password": "Secret-2026"})))]
pub struct PasswordLogin {
    /// Account name or mobile phone number.
    pub login: String,
    pub password: String,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"phone": "13800138000", "sms_code": "419969"})))]
pub struct SmsLogin {
    pub phone: String,
    pub sms_code: String,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"refresh_token": "rt_4f0cX2…"})))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
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

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"current_password": "Secret-2026", "new_password": "Another-2026!"})))]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    pub role: Role,
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
    pub my_role: Role,
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
    pub role: Role,
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
    pub role: Role,
    pub status: InvitationStatus,
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

// ---------------------------------------------------------------------------------------------
// Certificates (数字证书) and signing
// ---------------------------------------------------------------------------------------------

/// A certificate PIN as sent by a client: 6–12 digits (checked by the server). `Debug` never
/// shows it, and the text is wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "246810"))]
pub struct PinText(pub String);

impl std::fmt::Debug for PinText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinText(***)")
    }
}

impl Drop for PinText {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl PinText {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for PinText {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// Asks for a certificate with a new key held by the server, wrapped under `pin`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"kind": "personal", "algorithm": "sm2", "pin": "246810"})))]
pub struct CreateCertificate {
    /// `personal` (the caller's own, after real-name verification) or `organization`
    /// (an organisation's: the caller must be its admin and it must be verified).
    pub kind: String,
    /// Required for `organization`.
    #[serde(default)]
    pub org_id: Option<String>,
    /// `p256` (ECDSA P-256 with SHA-256) or `sm2` (SM2 with SM3).
    pub algorithm: String,
    /// 6–12 digits. Never stored: it derives the key that wraps the private key.
    pub pin: PinText,
}

/// A certificate the caller holds or may use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "crt_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "kind": "personal", "org_id": null, "algorithm": "sm2", "subject": "张三", "issuer": "Signet Issuing CA SM2 3e4f5a6b", "serial": "5f1c0e3a9b7d2c4e6f8a0b1c2d3e4f50", "not_before": "2026-11-23T08:00:00Z", "not_after": "2027-11-23T08:00:00Z", "status": "valid", "pin_attempts_left": 5, "key_location": "server", "revoked_at": null, "revocation_reason": null, "replaced_by": null, "certificate_pem": "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n", "chain_pem": "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n"})))]
pub struct CertificateView {
    pub id: String,
    /// `personal` or `organization`.
    pub kind: String,
    pub org_id: Option<String>,
    pub algorithm: KeyAlg,
    /// The subject's common name.
    pub subject: String,
    /// The issuing CA's common name.
    pub issuer: String,
    /// Serial number, lowercase hex.
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    /// `valid`, `locked` (too many wrong PINs), `revoked` or `expired`.
    pub status: String,
    pub pin_attempts_left: u32,
    /// `server` (wrapped under a PIN here) or `client` (the holder's own key, from a PKCS#10
    /// request: it signs through external signing only).
    pub key_location: String,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<String>,
    /// The certificate that replaced this one (renewal or re-key).
    pub replaced_by: Option<String>,
    pub certificate_pem: String,
    /// The issuing CA and the root, PEM.
    pub chain_pem: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"items": [{"id": "crt_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "kind": "organization", "org_id": "org_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c", "algorithm": "p256", "subject": "示例科技有限公司", "issuer": "Signet Issuing CA P-256 3e4f5a6b", "serial": "5f1c0e3a9b7d2c4e6f8a0b1c2d3e4f50", "not_before": "2026-11-23T08:00:00Z", "not_after": "2027-11-23T08:00:00Z", "status": "valid", "pin_attempts_left": 5, "key_location": "server", "revoked_at": null, "revocation_reason": null, "replaced_by": null, "certificate_pem": "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n", "chain_pem": "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n"}], "total": 1})))]
pub struct CertificateList {
    pub items: Vec<CertificateView>,
    pub total: u64,
}

/// Proves the holder by the PIN (renewal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"pin": "246810"})))]
pub struct PinProof {
    pub pin: PinText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"old_pin": "246810", "new_pin": "13579135"})))]
pub struct ChangePin {
    pub old_pin: PinText,
    pub new_pin: PinText,
}

/// An SMS code sent to the holder's phone (purpose `certificate_pin`), and for a re-key the
/// new PIN.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"sms_code": "123456", "new_pin": "864200"})))]
pub struct PinReset {
    pub sms_code: String,
    /// Absent: unlock only (the PIN stays). Present: the key is replaced by a new one under
    /// this PIN and the old certificate is revoked (`superseded`), because a key wrapped under
    /// a forgotten PIN cannot be opened by anyone.
    #[serde(default)]
    pub new_pin: Option<PinText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"reason": "keyCompromise"})))]
pub struct RevokeCertificate {
    /// RFC 5280 reason: `unspecified`, `keyCompromise`, `affiliationChanged`, `superseded`,
    /// `cessationOfOperation` or `privilegeWithdrawn`.
    pub reason: String,
}

/// Where a signature goes on the document, tagged on `kind`. Shared by direct signing
/// (`SignPlacement`) and task steps (`StepPlacement`). Coordinates are points from the
/// lower-left corner of the page as displayed (rotation applied); pages count from 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"kind": "seal", "page": 1, "rect": [360.0, 60.0, 120.0, 120.0]})))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Placement {
    /// A seal image in `rect` (x, y, width, height) on `page`.
    Seal { page: u32, rect: [f64; 4] },
    /// 骑缝章: the seal cut into one strip per page over pages `first`–`last`, on the right
    /// edge at height `y`, `size` points high.
    CrossPage {
        first: u32,
        last: u32,
        y: f64,
        size: f64,
    },
    /// A signature without an appearance.
    Invisible,
}

impl Placement {
    /// Whether the signature prints a seal (and so needs one).
    pub fn is_visible(&self) -> bool {
        !matches!(self, Placement::Invisible)
    }
}

/// Where one signature goes and with which certificate (direct signing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"certificate_id": "crt_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "kind": "seal", "page": 1, "rect": [360.0, 60.0, 120.0, 120.0], "seal": "seal", "date": {"page": 1, "at": [360.0, 40.0], "size": 12.0}})))]
pub struct SignPlacement {
    pub certificate_id: String,
    /// `kind` and its fields: `seal` (`page`, `rect`), `cross_page` (`first`, `last`, `y`,
    /// `size`) or `invisible`.
    #[serde(flatten)]
    pub placement: Placement,
    /// Name of the multipart part holding the seal image (PNG), for `seal` and `cross_page`
    /// (or give `seal_id`).
    #[serde(default)]
    pub seal: Option<String>,
    /// A stored seal the caller may use (`GET /api/v1/seals`), instead of an image part.
    #[serde(default)]
    pub seal_id: Option<String>,
    /// A date stamp (签署日期) to print with the signature.
    #[serde(default)]
    pub date: Option<SignDate>,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"page": 1, "at": [360.0, 40.0], "size": 12.0})))]
pub struct SignDate {
    pub page: u32,
    /// Lower-left corner of the text, points.
    pub at: [f64; 2],
    #[serde(default = "default_date_size")]
    pub size: f64,
}

fn default_date_size() -> f64 {
    12.0
}

/// The `request` part of `POST /api/v1/sign`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"level": "b-lta", "signatures": [{"certificate_id": "crt_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "kind": "seal", "page": 1, "rect": [360.0, 60.0, 120.0, 120.0], "seal": "seal"}], "pins": {"crt_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b": "246810"}})))]
pub struct SignRequest {
    /// `b-b`, `b-t`, `b-lt` or `b-lta`; the server's default (`b-lta`) when absent.
    #[serde(default)]
    pub level: Option<String>,
    /// Applied in order, one incremental revision each.
    pub signatures: Vec<SignPlacement>,
    /// One PIN per certificate used, by certificate id.
    pub pins: std::collections::BTreeMap<String, PinText>,
}

/// A certificate for the caller's own key: a PKCS#10 request (PEM or base64 DER) signed by
/// that key (proof of possession). The subject is decided by the server, as for server-held
/// keys; the key never leaves the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"kind": "personal", "csr": "-----BEGIN CERTIFICATE REQUEST-----\n…\n-----END CERTIFICATE REQUEST-----\n"})))]
pub struct CreateCertificateFromCsr {
    /// `personal` or `organization`.
    pub kind: String,
    #[serde(default)]
    pub org_id: Option<String>,
    pub csr: String,
}

/// The `request` part of `POST /api/v1/sign/external`: one signature with a client-held key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"level": "b-t", "signature": {"certificate_id": "crt_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "kind": "seal", "page": 1, "rect": [360.0, 60.0, 120.0, 120.0], "seal": "seal"}})))]
pub struct ExternalSignRequest {
    /// `b-b`, `b-t`, `b-lt` or `b-lta` (the server's default when absent).
    #[serde(default)]
    pub level: Option<String>,
    pub signature: SignPlacement,
}

/// What the external signer must sign, and until when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "ext_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "expires_at": "2026-11-23T08:10:00Z", "algorithm": "p256", "signed_attributes": "MYGTMBgGCSqGSIb3DQEJAzELBgkqhkiG9w0BBwE…", "digest": "q5z2J3Yx…"})))]
pub struct ExternalPrepared {
    pub id: String,
    pub expires_at: DateTime<Utc>,
    /// `p256` (ECDSA with SHA-256) or `sm2` (SM2 with SM3, id 1234567812345678).
    pub algorithm: KeyAlg,
    /// Base64 of the DER signed attributes (a `SET OF`): sign these bytes.
    pub signed_attributes: String,
    /// Base64 of what a digest-only signer (an HSM) signs instead: SHA-256 of the signed
    /// attributes, or for SM2 SM3(Z ‖ signed attributes).
    pub digest: String,
}

/// The external signer's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"signature": "MEUCIQD…"})))]
pub struct ExternalFinish {
    /// Base64 of the DER `ECDSA-Sig-Value` (`SEQUENCE { r, s }`), for P-256 and SM2 alike.
    pub signature: String,
}

/// A certificate-login challenge: sign `challenge` (its UTF-8 bytes) with the certificate's
/// key before `expires_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"challenge_id": "chl_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "challenge": "signet-login\nchl_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b\nq83vEjRWeJASNFZ4kBI0VniQEjRWeJASNFZ4kBI0Vng", "expires_at": "2026-11-23T08:02:00Z"})))]
pub struct CertChallenge {
    pub challenge_id: String,
    pub challenge: String,
    pub expires_at: DateTime<Utc>,
}

/// Certificate login (数字证书登录): the signed challenge and the certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"challenge_id": "chl_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "certificate": "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n", "signature": "MEUCIQD…"})))]
pub struct CertLogin {
    pub challenge_id: String,
    /// The certificate, PEM.
    pub certificate: String,
    /// Base64 of the DER `ECDSA-Sig-Value` over the challenge (ECDSA P-256 with SHA-256, or SM2
    /// with SM3 and the default distinguishing id).
    pub signature: String,
}

/// A certificate of an outside CA bound to the caller's account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "bnd_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "subject": "CN=王小明, C=CN", "issuer": "CN=Example Commercial CA, O=Example CA Co., C=CN", "serial": "1a2b3c", "status": "active", "not_after": "2027-11-23T08:00:00Z", "created_at": "2026-11-23T08:00:00Z"})))]
pub struct BoundCertificateView {
    pub id: String,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    /// `pending` (waiting for an operator), `active`, `rejected`.
    pub status: BindingStatus,
    pub not_after: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"items": [{"id": "bnd_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "subject": "CN=王小明, C=CN", "issuer": "CN=Example Commercial CA, O=Example CA Co., C=CN", "serial": "1a2b3c", "status": "active", "not_after": "2027-11-23T08:00:00Z", "created_at": "2026-11-23T08:00:00Z"}], "total": 1})))]
pub struct BoundCertificateList {
    pub items: Vec<BoundCertificateView>,
    pub total: u64,
}

/// A seal (印章) the caller may use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "seal_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "name": "公章", "kind": "company", "owner": "organization", "org_id": "org_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c", "certificate_id": "crt_0193a0c45b7e7d1a9f1e1c2d3e4f5a6d", "width": 480, "height": 480, "created_at": "2026-11-23T08:00:00Z"})))]
pub struct SealView {
    pub id: String,
    pub name: String,
    pub kind: SealType,
    /// `personal` or `organization`.
    pub owner: String,
    pub org_id: Option<String>,
    /// The certificate this seal is bound to (offered first with it), if any.
    pub certificate_id: Option<String>,
    /// Image size in pixels.
    pub width: u32,
    pub height: u32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"items": [{"id": "seal_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "name": "公章", "kind": "company", "owner": "organization", "org_id": "org_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c", "certificate_id": "crt_0193a0c45b7e7d1a9f1e1c2d3e4f5a6d", "width": 480, "height": 480, "created_at": "2026-11-23T08:00:00Z"}], "total": 1})))]
pub struct SealList {
    pub items: Vec<SealView>,
    pub total: u64,
}

// ---------------------------------------------------------------------------------------------
// Signing tasks

/// Who signs a step: a user found by real name and phone (both must match exactly; an
/// unknown pair is `signer_not_found`, whichever part is wrong), or the initiator itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "李四", "phone": "13900000002"})))]
pub struct SignerRef {
    pub name: String,
    pub phone: String,
}

/// One step as the initiator describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"signer": {"name": "李四", "phone": "13900000002"}, "order": 1, "mode": "pc", "seal_kind": "organization", "org_id": "org_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c", "description": "需要完成PC在线盖章"})))]
pub struct StepInput {
    /// The signer; absent with `myself: true` (指定由本人完成盖章).
    #[serde(default)]
    pub signer: Option<SignerRef>,
    #[serde(default)]
    pub myself: bool,
    /// Order number from 1; steps with the same number sign in parallel.
    pub order: u32,
    /// 签署模式: `pc` (default), `mobile` or `any`.
    #[serde(default)]
    pub mode: Option<String>,
    /// `personal`, `organization` or `any` (default).
    #[serde(default)]
    pub seal_kind: Option<String>,
    /// The organisation the signer acts for (the signer must be a member); needed for
    /// `organization` seals.
    #[serde(default)]
    pub org_id: Option<String>,
    /// 步骤描述; the mode's default ("需要完成PC在线盖章") when absent.
    #[serde(default)]
    pub description: Option<String>,
}

/// A document of a new task: the multipart part holding the PDF and its display name (the
/// part's file name without `.pdf` when absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"part": "doc1", "name": "反担保合同"})))]
pub struct DocumentInput {
    pub part: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// The `request` part of `POST /api/v1/tasks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "反担保合同", "documents": [{"part": "doc1", "name": "反担保合同"}], "steps": [{"myself": true, "order": 1}, {"signer": {"name": "李四", "phone": "13900000002"}, "order": 2}], "deadline": "2026-12-31T16:00:00Z", "org_id": null, "start": true})))]
pub struct CreateTask {
    /// 任务名称; the first document's name when absent.
    #[serde(default)]
    pub name: Option<String>,
    pub documents: Vec<DocumentInput>,
    #[serde(default)]
    pub steps: Vec<StepInput>,
    #[serde(default)]
    pub deadline: Option<DateTime<Utc>>,
    /// The organisation the initiator acts for (its admin must have granted `initiate`);
    /// personal use when absent (needs the operator's grant).
    #[serde(default)]
    pub org_id: Option<String>,
    /// Start at once instead of leaving a draft.
    #[serde(default)]
    pub start: bool,
}

/// A document's new name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "doc_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "name": "反担保合同（终稿）"})))]
pub struct DocumentRename {
    pub id: String,
    pub name: String,
}

/// Changes to a task by its initiator: names any time before it ends; steps and deadline
/// only while it is a draft (steps are replaced as a whole).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "反担保合同（终稿）", "documents": [{"id": "doc_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "name": "反担保合同"}]})))]
pub struct UpdateTask {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub documents: Vec<DocumentRename>,
    #[serde(default)]
    pub steps: Option<Vec<StepInput>>,
    #[serde(default)]
    pub deadline: Option<DateTime<Utc>>,
}

/// Further steps after one's own signature (转发), as a new task of the same documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"steps": [{"signer": {"name": "王五", "phone": "13900000003"}, "order": 1}]})))]
pub struct ForwardTask {
    #[serde(default)]
    pub name: Option<String>,
    pub steps: Vec<StepInput>,
    #[serde(default)]
    pub deadline: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "doc_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "name": "反担保合同", "pages": 4, "size": 183204, "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "uploaded_by": "usr_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c"})))]
pub struct DocumentView {
    pub id: String,
    pub name: String,
    pub pages: u32,
    /// Bytes of the current revision's original upload.
    pub size: u64,
    /// SHA-256 of the current (latest signed) revision.
    pub sha256: String,
    pub uploaded_by: String,
    /// The public verification code (`ABCD-EFGH-IJKL-MNOP`) of a completed task's document,
    /// for `GET /api/v1/verify/{code}`; shown in the task view to participants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_code: Option<String>,
    /// The DocMDP permission (2: form filling and signing, 3: also annotations) when the
    /// document was uploaded certified; signatures then go into new signed fields after the
    /// certification (see the steps' `notices`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certified: Option<u8>,
}

/// 步骤信息: one row of a task's steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "stp_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "order": 1, "signer_id": "usr_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c", "signer_name": "张三", "org_id": null, "org_name": null, "state": "signed", "signed_at": "2026-11-23T08:05:00Z", "mode": "pc", "seal_kind": "any", "description": "需要完成PC在线盖章", "reject_reason": null})))]
pub struct StepView {
    pub id: String,
    pub order: u32,
    pub signer_id: String,
    pub signer_name: String,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    pub state: StepState,
    pub signed_at: Option<DateTime<Utc>>,
    /// 签署模式.
    pub mode: SignMode,
    pub seal_kind: SealKind,
    pub description: String,
    pub reject_reason: Option<String>,
    /// What the signer (and the initiator) should be told about this step's signatures:
    /// `certified-new-field` — a signed step on a certified (DocMDP P=2/3) document added its
    /// signatures as new signed fields after the certification, which ISO 32000, Acrobat and
    /// Signet's validator allow and pyHanko's default policy reports (docs/PDF.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
}

/// A task as its participants see it, with what the caller may do (`operations`: `view`,
/// `edit`, `start`, `cancel`, `sign`, `reject`, `forward`, `download`, `initiate_more`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"id": "tsk_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "name": "反担保合同", "state": "completed", "version": 3, "initiator_id": "usr_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c", "initiator_name": "张三", "org_id": null, "org_name": null, "created_at": "2026-11-23T08:00:00Z", "started_at": "2026-11-23T08:00:00Z", "finished_at": "2026-11-23T08:10:00Z", "deadline": null, "forwarded_from": null, "documents": [{"id": "doc_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "name": "反担保合同", "pages": 4, "size": 183204, "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "uploaded_by": "usr_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c"}], "steps": [{"id": "stp_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "order": 1, "signer_id": "usr_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c", "signer_name": "张三", "org_id": null, "org_name": null, "state": "signed", "signed_at": "2026-11-23T08:05:00Z", "mode": "pc", "seal_kind": "any", "description": "需要完成PC在线盖章", "reject_reason": null}], "operations": ["view", "download", "initiate_more"]})))]
pub struct TaskView {
    pub id: String,
    pub name: String,
    pub state: TaskState,
    /// Grows with every change.
    pub version: i32,
    pub initiator_id: String,
    pub initiator_name: String,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub deadline: Option<DateTime<Utc>>,
    pub forwarded_from: Option<String>,
    pub documents: Vec<DocumentView>,
    pub steps: Vec<StepView>,
    /// What the caller may do with the task now.
    pub operations: Vec<signet_domain::task_access::Operation>,
}

/// One page of a list ("共 N 条": `total`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"items": [], "total": 0, "page": 1, "page_size": 20})))]
pub struct TaskList {
    pub items: Vec<TaskView>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

/// Search and paging of a task list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct TaskListQuery {
    /// `to_sign` (待签署), `signed` (已签署) or `initiated` (我发起).
    #[cfg_attr(
        feature = "openapi",
        param(pattern = "^(to_sign|signed|initiated)$", example = "to_sign")
    )]
    pub list: String,
    /// Part of a task or document name (文件名称).
    #[serde(default)]
    pub name: Option<String>,
    /// Part of the initiator's name (发起人).
    #[serde(default)]
    pub initiator: Option<String>,
    /// Created at or after (RFC 3339).
    #[serde(default)]
    pub created_from: Option<DateTime<Utc>>,
    /// Created before (RFC 3339).
    #[serde(default)]
    pub created_to: Option<DateTime<Utc>>,
    /// A task state (文件状态).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        param(pattern = "^(draft|in_progress|completed|rejected|cancelled|expired)$")
    )]
    pub status: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000000))]
    pub page: Option<u64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub page_size: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"count": 2})))]
pub struct CountView {
    pub count: u64,
}

/// One signature of a step: where, which seal and certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"document_id": "doc_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "certificate_id": "crt_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "seal_id": "seal_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "kind": "seal", "page": 1, "rect": [360.0, 60.0, 120.0, 120.0], "date": {"page": 1, "at": [360.0, 40.0], "size": 12.0}})))]
pub struct StepPlacement {
    pub document_id: String,
    pub certificate_id: String,
    /// The seal printed (required unless `kind` is `invisible`).
    #[serde(default)]
    pub seal_id: Option<String>,
    /// `kind` and its fields: `seal` (`page`, `rect`), `cross_page` (骑缝章, `first`, `last`,
    /// `y`, `size`) or `invisible`; a date stamp rides on any of them with `date`.
    #[serde(flatten)]
    pub placement: Placement,
    #[serde(default)]
    pub date: Option<SignDate>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Signing a step: every placement, one PIN per certificate used, and the task version the
/// signer saw (optional; a stale one is 409 `task_changed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"placements": [{"document_id": "doc_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "certificate_id": "crt_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "seal_id": "seal_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "kind": "seal", "page": 1, "rect": [360.0, 60.0, 120.0, 120.0]}], "pins": {"crt_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b": "246810"}, "version": 1})))]
pub struct SignStep {
    pub placements: Vec<StepPlacement>,
    pub pins: std::collections::BTreeMap<String, PinText>,
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"reason": "金额有误"})))]
pub struct RejectStep {
    pub reason: String,
}

/// A certificate the signer may use for a step and the seals offered with it (those bound
/// to it first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"certificate_id": "crt_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "key_location": "server", "kind": "organization", "org_id": "org_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c", "algorithm": "p256", "subject": "示例科技有限公司", "not_after": "2027-11-23T08:00:00Z", "seals": []})))]
pub struct SigningOption {
    pub certificate_id: String,
    /// `server` (sign with its PIN) or `client` (the signer's own key: sign through the
    /// step's external path).
    pub key_location: String,
    pub kind: String,
    pub org_id: Option<String>,
    pub algorithm: KeyAlg,
    pub subject: String,
    pub not_after: DateTime<Utc>,
    pub seals: Vec<SealView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"items": []})))]
pub struct SigningOptions {
    pub items: Vec<SigningOption>,
}

/// A page as displayed (rotation applied), in points; placements use this coordinate
/// space (origin at the lower-left corner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"number": 1, "width": 595.28, "height": 841.89})))]
pub struct PageView {
    pub number: u32,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"items": [{"number": 1, "width": 595.28, "height": 841.89}]})))]
pub struct PageList {
    pub items: Vec<PageView>,
}

/// The width of a page image, in pixels (200–2000, default 1000).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct PageImageQuery {
    #[serde(default)]
    pub width: Option<u32>,
}

/// Changes to a seal (its owner, or an admin of the owning organisation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "合同专用章", "certificate_id": "crt_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b"})))]
pub struct UpdateSeal {
    #[serde(default)]
    pub name: Option<String>,
    /// Bind to this certificate (one the caller may use); `""` unbinds.
    #[serde(default)]
    pub certificate_id: Option<String>,
    /// `true` disables the seal for good.
    #[serde(default)]
    pub disabled: bool,
}

/// The `request` part of `POST /api/v1/seals` (the image is the `image` part).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "公章", "kind": "company", "org_id": "org_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c"})))]
pub struct CreateSeal {
    pub name: String,
    /// `personal` (default without `org_id`), `company` (公章) or `contract` (合同专用章).
    #[serde(default)]
    pub kind: Option<String>,
    /// Owning organisation (the caller must be its admin); personal when absent.
    #[serde(default)]
    pub org_id: Option<String>,
    #[serde(default)]
    pub certificate_id: Option<String>,
}

/// A signature-style personal seal drawn from the caller's real name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "我的签名"})))]
pub struct GenerateSeal {
    #[serde(default)]
    pub name: Option<String>,
}

/// Members of the seal's organisation allowed to use it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"user_ids": ["usr_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b"]})))]
pub struct SealGrantList {
    pub user_ids: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Evidence

/// One event of a task's audit trail, with the chain fields that make it tamper-evident:
/// `hash` = SHA-256 over the event's canonical encoding and `prev_hash` (docs/EVIDENCE.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"seq": 1, "kind": "task_created", "step_id": null, "actor_id": "usr_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c", "actor_name": "张三", "at": "2026-11-23T08:00:00.123456Z", "ip": "203.0.113.7", "user_agent": "Mozilla/5.0", "document_hashes": {"doc_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}, "detail": {}, "prev_hash": "0000000000000000000000000000000000000000000000000000000000000000", "hash": "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"})))]
pub struct AuditEventView {
    pub seq: i64,
    /// `task_created`, `task_started`, `step_activated`, `step_signed`, `step_rejected`,
    /// `task_completed`, `task_rejected`, `task_cancelled`, `task_expired`, `task_forwarded`,
    /// `page_viewed`, `document_downloaded`, `documents_downloaded`, `evidence_exported`.
    pub kind: String,
    pub step_id: Option<String>,
    /// `null` for the system (expiry).
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub at: DateTime<Utc>,
    /// The client's address; shown to the task's initiator only (`null` for signers).
    pub ip: Option<String>,
    /// The client's user agent; shown to the task's initiator only (`null` for signers).
    pub user_agent: Option<String>,
    /// SHA-256 of every document's revision at that moment, by document id.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub document_hashes: serde_json::Value,
    /// What else the event records: the step, a rejection's reason, the certificates and new
    /// revisions of a signature, the page viewed, the task forwarded to.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// A timestamp (RFC 3161, by the platform's TSA) over the chain's head at `seq`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"seq": 7, "head_hash": "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "time": "2026-11-23T08:10:01Z", "token": "MIIE…"})))]
pub struct AnchorView {
    pub seq: i64,
    pub head_hash: String,
    /// The token's time.
    pub time: Option<DateTime<Utc>>,
    /// The timestamp token (DER, base64).
    pub token: String,
}

/// A task's audit trail in chain order, and whether the chain checks out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"task_id": "tsk_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "items": [], "head_seq": 7, "head_hash": "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "intact": true, "problem": null, "anchors": []})))]
pub struct AuditTrail {
    pub task_id: String,
    pub items: Vec<AuditEventView>,
    /// The chain's last link (`0` and 64 zeros when empty).
    pub head_seq: i64,
    pub head_hash: String,
    /// True when every link and anchor checks out.
    pub intact: bool,
    /// The first broken link, when there is one.
    pub problem: Option<String>,
    pub anchors: Vec<AnchorView>,
}

/// A signer of a verified document, as the public sees it: the name, never a phone or ID
/// number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "张三", "organization": "示例科技有限公司", "signed_at": "2026-11-23T08:05:00Z"})))]
pub struct PublicSigner {
    pub name: String,
    pub organization: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
}

/// What a verification code proves: the document it names, its signers and the validator's
/// verdict on the stored file now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"document_name": "反担保合同", "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "completed_at": "2026-11-23T08:10:00Z", "signers": [{"name": "张三", "organization": "示例科技有限公司", "signed_at": "2026-11-23T08:05:00Z"}], "signatures": 2, "verdict": "valid", "verified_at": "2026-11-23T09:00:00Z"})))]
pub struct PublicVerification {
    pub document_name: String,
    /// SHA-256 of the completed (final) revision: compare it with the file in hand.
    pub sha256: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub signers: Vec<PublicSigner>,
    /// Signatures and document timestamps in the file.
    pub signatures: usize,
    /// The validator's verdict (`valid`, `untrusted`, `modified`, `invalid`, …).
    pub verdict: String,
    pub verified_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

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
