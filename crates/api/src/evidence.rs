//! Evidence: the audit trail, anchors and public verification.

use super::*;

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
