//! Certificates (数字证书), seals (印章) and signing: direct, external, bound outside certificates.

use super::*;

// Certificates (数字证书) and signing

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

pub use signet_domain::placement::Placement;

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
