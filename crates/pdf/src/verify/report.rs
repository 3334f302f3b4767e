//! The validation report: what `signet pdf verify --json` prints and what the API returns
//! unchanged. Versioned by [`REPORT_VERSION`]; fields are only ever added within a version.
//! docs/VERIFY.md documents every field.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Bumped when a field changes meaning or disappears (adding fields does not bump it).
pub const REPORT_VERSION: u32 = 1;

/// The outcome, for one signature and for the whole file. Ordered from best to worst: the
/// file's verdict is the worst of its signatures'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Intact, trusted, and followed by allowed changes only.
    Valid,
    /// Intact, but the signer (or timestamp authority) does not chain to a trust anchor, or
    /// its certificate was expired, revoked or unfit at signing time.
    Untrusted,
    /// Intact, but the document was changed after signing beyond what is allowed.
    Modified,
    /// The signature does not match the document, or its structure is unsound.
    Invalid,
    /// The file has no signatures to verify.
    Unsigned,
    /// The file cannot be read as a PDF.
    Unreadable,
}

impl Verdict {
    /// The process exit code of `signet pdf verify` for this verdict. 2 is left to usage
    /// errors.
    pub fn exit_code(self) -> i32 {
        match self {
            Self::Valid => 0,
            Self::Invalid => 1,
            Self::Untrusted => 3,
            Self::Modified => 4,
            Self::Unreadable => 5,
            Self::Unsigned => 6,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Untrusted => "untrusted",
            Self::Modified => "modified",
            Self::Invalid => "invalid",
            Self::Unsigned => "unsigned",
            Self::Unreadable => "unreadable",
        }
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub report_version: u32,
    /// The validator and its version, e.g. `signet 0.1.0`.
    pub validator: String,
    /// When the validation ran.
    pub validated_at: DateTime<Utc>,
    pub verdict: Verdict,
    /// One line per reason when the verdict is not `valid`.
    pub problems: Vec<String>,
    pub file: FileInfo,
    /// Every revision, oldest first.
    pub revisions: Vec<RevisionInfo>,
    /// Every signature and document timestamp, in the order of the revisions they cover.
    pub signatures: Vec<SignatureReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileInfo {
    pub size: u64,
    pub sha256: String,
    /// Bytes after the end of the last revision that are not whitespace (an appended tail
    /// that no signature and no revision accounts for).
    pub trailing_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionInfo {
    /// 0 is the original document.
    pub index: usize,
    /// Offset of the byte after this revision's `%%EOF` line.
    pub end: u64,
    /// The fields of the signatures whose ByteRange ends here.
    pub signed_by: Vec<String>,
    /// What this revision changed relative to the one before (empty for revision 0).
    pub changes: Vec<Change>,
}

/// How a change is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new signature field, its widgets and appearance, and its signature value.
    Signature,
    /// A new document timestamp.
    DocumentTimestamp,
    /// Validation data: the DSS dictionary, its VRI entries and streams.
    ValidationData,
    /// A form field's value (and appearance) filled in.
    FormFill,
    /// Document information or XMP metadata.
    Metadata,
    /// An object written again without a change.
    Unchanged,
    /// Anything else: page content, page tree, annotations, catalog entries, references
    /// switched to other objects, removed objects, unaccounted bytes.
    Modification,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// The revision that made the change.
    pub revision: usize,
    /// The objects involved, as `"12 0"`.
    pub objects: Vec<String>,
    /// The page it affects (1-based), when there is one.
    pub page: Option<u32>,
    /// The form field it concerns, when there is one.
    pub field: Option<String>,
    pub description: String,
}

impl Change {
    pub fn is_modification(&self) -> bool {
        self.kind == ChangeKind::Modification
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    /// An approval signature.
    Approval,
    /// A certification signature (DocMDP).
    Certification,
    /// A document timestamp (RFC 3161, `/SubFilter /ETSI.RFC3161`).
    DocumentTimestamp,
}

/// PAdES baseline level reached by a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    #[serde(rename = "B-B")]
    BB,
    #[serde(rename = "B-T")]
    BT,
    #[serde(rename = "B-LT")]
    BLT,
    #[serde(rename = "B-LTA")]
    BLTA,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BB => "B-B",
            Self::BT => "B-T",
            Self::BLT => "B-LT",
            Self::BLTA => "B-LTA",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureReport {
    /// The signature field's full name.
    pub field: String,
    /// The signature dictionary, as `"12 0"`.
    pub object: String,
    pub kind: SignatureKind,
    pub sub_filter: Option<String>,
    pub verdict: Verdict,
    /// Why the verdict is not `valid`, one line each.
    pub problems: Vec<String>,
    pub coverage: Coverage,
    pub integrity: Integrity,
    pub signer: Option<CertificateInfo>,
    /// The signing time claimed by the signer (signingTime attribute, else `/M`).
    pub claimed_time: Option<DateTime<Utc>>,
    /// The time the certificate was checked at: the timestamp's time when there is a valid
    /// one, else the claimed time, else the validation time.
    pub checked_at: DateTime<Utc>,
    pub timestamp: Option<TimestampReport>,
    pub level: Option<Level>,
    pub trust: Trust,
    /// DocMDP permission (1, 2 or 3) of a certification signature.
    pub docmdp: Option<u8>,
    /// Fields locked by this signature (FieldMDP); `["*"]` for all.
    pub locked_fields: Vec<String>,
    /// Every change made after the revision this signature covers, allowed or not.
    pub changes_after: Vec<Change>,
    /// `/Name`, `/Reason`, `/Location`, `/ContactInfo` as written in the signature dictionary
    /// (claims of the signer's software, not verified).
    pub name: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub byte_range: Vec<i64>,
    /// The revision the ByteRange ends with, if it ends with one.
    pub revision: Option<usize>,
    /// True when the ByteRange covers its revision entirely but for the `/Contents` string.
    pub whole_revision: bool,
    /// True when the signature covers the whole file.
    pub whole_file: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Integrity {
    /// The ByteRange and `/Contents` are sound (see `problems` otherwise).
    pub structure_ok: bool,
    /// The digest of the covered bytes equals the signed message digest.
    pub digest_matches: bool,
    /// The signature value verifies with the signer certificate's key.
    pub signature_valid: bool,
    pub algorithm: Option<String>,
    pub digest_algorithm: Option<String>,
}

impl Integrity {
    pub fn intact(&self) -> bool {
        self.structure_ok && self.digest_matches && self.signature_valid
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateInfo {
    pub subject: String,
    pub common_name: Option<String>,
    pub issuer: String,
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub sha256: String,
    pub key_algorithm: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trust {
    pub trusted: bool,
    /// Signer first, trust anchor last.
    pub path: Vec<CertificateInfo>,
    pub problems: Vec<String>,
    pub revocation: Vec<RevocationInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevocationInfo {
    pub subject: String,
    /// `good`, `revoked`, `unknown` or `invalid`.
    pub status: String,
    /// `ocsp` or `crl`, when known.
    pub source: Option<String>,
    /// Revocation time for `revoked`; production time of the evidence for `good`.
    pub time: Option<DateTime<Utc>>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimestampReport {
    pub time: DateTime<Utc>,
    /// The token's message imprint equals the hash of what it stamps (the signature value, or
    /// for a document timestamp the covered bytes).
    pub imprint_matches: bool,
    /// The token's own CMS signature verifies.
    pub signature_valid: bool,
    pub authority: Option<CertificateInfo>,
    pub trust: Trust,
}
