//! Agreements (用户协议, 隐私政策), captcha and SMS codes, accounts and sessions.

use super::*;

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
#[cfg_attr(feature = "openapi", schema(example = json!({"org_id": "org_0193a0c4…", "org_name": "示例科技有限公司", "role": "admin", "grants": ["initiate"], "may_initiate": true})))]
pub struct MembershipSummary {
    pub org_id: String,
    pub org_name: String,
    pub role: Role,
    /// Granted rights, e.g. `initiate`.
    pub grants: Vec<String>,
    /// May the user initiate tasks for this organisation (an admin, or granted `initiate`)?
    #[serde(default)]
    pub may_initiate: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "usr_0193a0c45b7e7d1a9f1e1c2d3e4f5a6b", "account_name": "zhangsan01", "real_name": "张三",
    "id_card_masked": "1101**********002X", "phone_masked": "138****8000",
    "real_name_verified": true, "created_at": "2026-11-23T08:00:00Z", "organizations": [],
    "may_initiate_personally": false
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
    /// May the user initiate tasks of their own (the operator's personal grant)? For an
    /// organisation, see its membership's `may_initiate`.
    #[serde(default)]
    pub may_initiate_personally: bool,
}
