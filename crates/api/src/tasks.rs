//! Signing tasks (签署任务): initiate, steps, placements, lists, pages.

use super::*;

/// Who signs a step: a user found by real name and phone (both must match exactly; an
/// unknown pair is `signer_not_found`, whichever part is wrong), or the initiator itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "李四", "phone": "13900000002"})))]
pub struct SignerRef {
    pub name: String,
    pub phone: String,
}

/// Someone found by `POST /api/v1/signers/lookup`: the real name, the masked phone and the
/// organisations (单位) they belong to, to pick the one they sign for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "李四", "phone_masked": "139****0002", "organizations": [{"org_id": "org_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c", "org_name": "示例科技有限公司"}]})))]
pub struct SignerMatch {
    pub name: String,
    pub phone_masked: String,
    pub organizations: Vec<OrgRef>,
}

/// An organisation by id and name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"org_id": "org_0193a0c45b7e7d1a9f1e1c2d3e4f5a6c", "org_name": "示例科技有限公司"})))]
pub struct OrgRef {
    pub org_id: String,
    pub org_name: String,
}

/// The answer of a signer lookup: `signer` is null unless both the name and the phone match
/// a real-name verified user exactly (a partial match says nothing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"signer": {"name": "李四", "phone_masked": "139****0002", "organizations": []}})))]
pub struct SignerLookup {
    pub signer: Option<SignerMatch>,
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

/// A page of TaskViews.
pub type TaskList = Page<TaskView>;

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

impl TaskListQuery {
    /// The query string (without `?`) the API reads: absent filters are left out.
    pub fn to_query(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }

    /// The created-time filters as China calendar days (UTC+8, what users mean by a date):
    /// from the start of `from` to the start of the day after `to`.
    pub fn set_days(&mut self, from: Option<chrono::NaiveDate>, to: Option<chrono::NaiveDate>) {
        self.created_from = from.map(china_day_start);
        self.created_to = to.and_then(|d| d.succ_opt()).map(china_day_start);
    }

    /// The days [`set_days`](Self::set_days) was given.
    pub fn days(&self) -> (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>) {
        let day = |t: DateTime<Utc>| (t + chrono::Duration::hours(8)).date_naive();
        (
            self.created_from.map(day),
            self.created_to.map(day).and_then(|d| d.pred_opt()),
        )
    }

    /// Reads a query string (with or without its `?`), as a shared link or a reload gives it;
    /// `None` when it is not one.
    pub fn from_query(query: &str) -> Option<Self> {
        serde_urlencoded::from_str(query.trim_start_matches('?')).ok()
    }
}

/// The instant a calendar day begins in China (UTC+8, no daylight saving).
pub fn china_day_start(day: chrono::NaiveDate) -> DateTime<Utc> {
    (day.and_time(chrono::NaiveTime::MIN) - chrono::Duration::hours(8)).and_utc()
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

/// The signatures in a task document's current revision, as the validator judges them now
/// (the whole report: `POST /api/v1/verify` on the downloaded file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"document_id": "doc_0193a0c45b7e7d1a9f1e1c2d3e4f5a6d", "verdict": "valid", "signatures": [{"field": "Signature1", "kind": "approval", "signer": "张三", "issuer": "CN=Signet Issuing CA P-256", "serial": "4f1c", "key_algorithm": "ECDSA P-256", "signed_at": "2026-12-05T08:00:00Z", "timestamped": true, "verdict": "valid", "level": "B-LTA", "problems": []}]})))]
pub struct DocumentSignatures {
    pub document_id: String,
    /// The file's verdict: `valid`, `untrusted`, `modified`, `invalid`, `unsigned` or
    /// `unreadable` (docs/VERIFY.md).
    pub verdict: String,
    /// In the order they were added.
    pub signatures: Vec<SignatureSummary>,
}

/// One signature of a document, in brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"field": "Signature1", "kind": "approval", "signer": "张三", "issuer": "CN=Signet Issuing CA P-256", "serial": "4f1c", "key_algorithm": "ECDSA P-256", "signed_at": "2026-12-05T08:00:00Z", "timestamped": true, "verdict": "valid", "level": "B-LTA", "problems": []})))]
pub struct SignatureSummary {
    /// The signature field's name.
    pub field: String,
    /// `approval`, `certification` or `document_timestamp`.
    pub kind: String,
    /// The signer certificate's common name (its subject when it has none); for a document
    /// timestamp, the timestamp authority's.
    pub signer: Option<String>,
    pub issuer: Option<String>,
    /// The signer certificate's serial number, hex.
    pub serial: Option<String>,
    pub key_algorithm: Option<String>,
    /// The timestamp's time when there is one, else the time the signer's software claimed.
    pub signed_at: Option<DateTime<Utc>>,
    /// Whether the time is a timestamp authority's.
    pub timestamped: bool,
    /// As the file's verdict, for this signature.
    pub verdict: String,
    /// The PAdES level reached: `B-B`, `B-T`, `B-LT` or `B-LTA`.
    pub level: Option<String>,
    pub problems: Vec<String>,
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
