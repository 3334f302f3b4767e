//! The validator: for every signature and document timestamp of a PDF, which revision it
//! covers and whether its ByteRange is sound, whether the CMS signature matches the bytes,
//! whether the signer chains to a trust anchor (with revocation data embedded in the DSS or
//! given by the caller), the timestamps, and what every later revision changed. The result is
//! a [`Report`]; nothing here does I/O.
//!
//! The checks that defeat the known attacks on PDF signatures:
//! - *incremental saving attack*: every later revision is diffed object by object
//!   ([`diff`]); anything but signatures, validation data, form filling and metadata is a
//!   modification;
//! - *signature wrapping*: the ByteRange must start at 0, its gap must be exactly the
//!   `/Contents` hex string of this very signature dictionary (as located through the
//!   revision's cross-reference table), and it must end at that revision's `%%EOF`;
//! - *universal signature forgery*: missing or malformed ByteRange/Contents, a CMS that does
//!   not parse, or a signer that is not found by the SignerInfo's sid are failures, never
//!   skipped;
//! - *shadow attacks*: changes to existing objects (including references switched to objects
//!   that were already in the signed revision) are modifications;
//! - bytes appended after the last revision are reported.

pub mod diff;
pub mod report;
pub mod revisions;
pub mod text;

mod crypto;
mod judgments;
mod signature;

use judgments::*;

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use lopdf::xref::XrefEntry;
use lopdf::{Dictionary, Document, Object, ObjectId};
use sha2_011::{Digest, Sha256};
use signet_pki::verify::{
    self as pv, ChainInput, ChainReport, CmsSignature, Purpose, RevocationMaterial,
    RevocationStatus, SignerCheck, TimestampToken, TrustAnchors,
};
use x509_cert::Certificate;
use x509_cert::der::Decode;

use diff::{Snapshot, dict_of, resolve, text};
pub use report::*;
use revisions::Revision;

/// What the validator trusts and when it runs.
pub struct VerifyOptions {
    pub anchors: TrustAnchors,
    /// Revocation data from elsewhere (fetched online by the caller when asked).
    pub extra: RevocationMaterial,
    pub now: DateTime<Utc>,
}

impl VerifyOptions {
    pub fn new(anchors: TrustAnchors) -> Self {
        Self {
            anchors,
            extra: RevocationMaterial::default(),
            now: Utc::now(),
        }
    }
}

/// Validates every signature of `bytes`, with the revocation data embedded in it and in
/// `options.extra`.
pub fn verify(bytes: &[u8], options: &VerifyOptions) -> Report {
    verify_inner(bytes, options, None)
}

/// A caller's revocation fetcher: given certificates, their OCSP responses and CRLs.
pub type Fetch<'f> = dyn FnMut(&[Certificate]) -> RevocationMaterial + 'f;

/// As [`verify`], after handing the certificates embedded in the file (the signatures' CMS and
/// the DSS) to `fetch`, whose revocation data (fetched online by the caller) is used too.
/// The file is read once.
pub fn verify_fetching(bytes: &[u8], options: &VerifyOptions, fetch: &mut Fetch<'_>) -> Report {
    verify_inner(bytes, options, Some(fetch))
}

fn verify_inner(bytes: &[u8], options: &VerifyOptions, fetch: Option<&mut Fetch<'_>>) -> Report {
    let file = FileInfo {
        size: bytes.len() as u64,
        sha256: hex(&Sha256::digest(bytes)),
        trailing_bytes: 0,
    };
    let mut report = Report {
        report_version: REPORT_VERSION,
        validator: format!("signet {}", env!("CARGO_PKG_VERSION")),
        validated_at: options.now,
        verdict: Verdict::Unreadable,
        problems: Vec::new(),
        file,
        revisions: Vec::new(),
        signatures: Vec::new(),
    };
    let revisions = match revisions::load(bytes) {
        Ok(r) => r,
        Err(e) => {
            report.problems.push(e.to_string());
            return report;
        }
    };
    Validator::new(bytes, &revisions, options).run(report, fetch)
}

struct FoundSignature<'d> {
    field: String,
    id: ObjectId,
    /// `None` when the field's value is not a readable dictionary (reported as invalid).
    dict: Option<&'d Dictionary>,
    lock: Option<&'d Dictionary>,
}

/// Signature fields with a value in the form of `snapshot`, in field order.
fn find_signatures<'d>(snapshot: &Snapshot<'d>) -> Vec<FoundSignature<'d>> {
    let doc = snapshot.doc;
    let mut out = Vec::new();
    for (&n, info) in &snapshot.fields {
        if !info.is_signature {
            continue;
        }
        let Some(field) = diff::get(doc, n).and_then(dict_of) else {
            continue;
        };
        let generation = doc
            .objects
            .range((n, 0)..=(n, u16::MAX))
            .next()
            .map_or(0, |((_, g), _)| *g);
        let (id, dict) = match field.get(b"V") {
            Err(_) | Ok(Object::Null) => continue,
            Ok(Object::Reference(id)) => (*id, doc.objects.get(id).and_then(dict_of)),
            Ok(Object::Dictionary(d)) => ((n, generation), Some(d)),
            Ok(_) => ((n, generation), None),
        };
        let lock = field
            .get(b"Lock")
            .ok()
            .map(|l| resolve(doc, l))
            .and_then(dict_of);
        out.push(FoundSignature {
            field: info.name.clone(),
            id,
            dict,
            lock,
        });
    }
    out
}

/// Certificates, OCSP responses and CRLs of the DSS (and its VRI entries).
fn read_dss(doc: &Document, snapshot: &Snapshot<'_>) -> RevocationMaterial {
    let mut m = RevocationMaterial::default();
    let Some(dss) = snapshot
        .catalog()
        .and_then(|c| c.get(b"DSS").ok())
        .map(|d| resolve(doc, d))
        .and_then(dict_of)
    else {
        return m;
    };
    let mut dicts = vec![dss];
    if let Some(vri) = dss
        .get(b"VRI")
        .ok()
        .map(|v| resolve(doc, v))
        .and_then(dict_of)
    {
        for (_, entry) in vri.iter() {
            if let Some(d) = dict_of(resolve(doc, entry)) {
                dicts.push(d);
            }
        }
    }
    for d in dicts {
        for (keys, kind) in [
            (&[b"Certs".as_slice(), b"Cert"][..], 0),
            (&[b"OCSPs".as_slice(), b"OCSP"][..], 1),
            (&[b"CRLs".as_slice(), b"CRL"][..], 2),
        ] {
            for key in keys {
                let Some(items) = d.get(key).ok().map(|a| resolve(doc, a)) else {
                    continue;
                };
                let Ok(items) = items.as_array() else {
                    continue;
                };
                for item in items.iter().take(10_000) {
                    let Object::Stream(s) = resolve(doc, item) else {
                        continue;
                    };
                    let data = if s.dict.has(b"Filter") {
                        match s.decompressed_content() {
                            Ok(d) => d,
                            Err(_) => continue,
                        }
                    } else {
                        s.content.clone()
                    };
                    match kind {
                        0 => {
                            if let Ok(c) = Certificate::from_der(&data) {
                                m.certificates.push(c);
                            }
                        }
                        1 => m.ocsp_responses.push(data),
                        _ => m.crls.push(data),
                    }
                }
            }
        }
    }
    m
}

struct Validator<'a> {
    bytes: &'a [u8],
    revisions: &'a [Revision],
    snapshots: Vec<Snapshot<'a>>,
    options: &'a VerifyOptions,
}

/// Work in progress for one signature.
/// What a signature's cryptography is checked on: its `/Contents`, the bytes its ByteRange
/// covers (`None` when the range is unusable) and the revocation material at hand.
struct Signed<'c> {
    contents: &'c [u8],
    covered: Option<[&'c [u8]; 2]>,
    material: &'c RevocationMaterial,
}

struct Sig {
    report: SignatureReport,
    revision: Option<usize>,
    /// Intact signature timestamp (for levels).
    timestamped: bool,
    mdp: Option<u8>,
    lock: Option<Lock>,
}

#[derive(Clone)]
enum Lock {
    All,
    Include(Vec<String>),
    Exclude(Vec<String>),
}

impl Lock {
    fn covers(&self, field: &str) -> bool {
        match self {
            Self::All => true,
            Self::Include(f) => f.iter().any(|x| x == field),
            Self::Exclude(f) => !f.iter().any(|x| x == field),
        }
    }
    fn describe(&self) -> Vec<String> {
        match self {
            Self::All => vec!["*".into()],
            Self::Include(f) => f.clone(),
            Self::Exclude(f) => f.iter().map(|x| format!("!{x}")).collect(),
        }
    }
}

impl<'a> Validator<'a> {
    fn new(bytes: &'a [u8], revisions: &'a [Revision], options: &'a VerifyOptions) -> Self {
        let snapshots = revisions
            .iter()
            .map(|r| Snapshot::new(bytes, &r.doc))
            .collect();
        Self {
            bytes,
            revisions,
            snapshots,
            options,
        }
    }

    fn last(&self) -> usize {
        self.revisions.len().saturating_sub(1)
    }

    /// The revision (after `from`) in which object `n` took its final definition.
    fn revision_of(&self, from: usize, n: u32) -> usize {
        let last = self.last();
        let final_entry = revisions::entry(&self.revisions[last].doc, n);
        for r in from + 1..=last {
            let e = revisions::entry(&self.revisions[r].doc, n);
            let same = match (e, final_entry) {
                (Some(a), Some(b)) => revisions::same_entry(a, b),
                (None, None) => true,
                _ => false,
            };
            if same {
                return r;
            }
        }
        last
    }

    fn changes(&self, from: usize, to: usize) -> Vec<Change> {
        let old = &self.snapshots[from];
        let new = &self.snapshots[to];
        let changed = revisions::changed_objects(old.doc, new.doc);
        let revision_of = |n: u32| {
            if to == self.last() {
                self.revision_of(from, n)
            } else {
                to
            }
        };
        let mut changes = diff::diff(old, new, &changed, &revision_of);
        changes.sort_by_key(|c| c.revision);
        changes
    }

    /// The certificates of the signatures' CMS (and their timestamps) and of the DSS.
    fn embedded_certificates(&self, dss: &RevocationMaterial) -> Vec<Certificate> {
        let mut certs = dss.certificates.clone();
        for sig in find_signatures(&self.snapshots[self.last()]) {
            if let Some(cms) = sig
                .dict
                .and_then(|d| d.get(b"Contents").ok())
                .and_then(|c| c.as_str().ok())
                .and_then(|c| CmsSignature::parse(c).ok())
            {
                certs.extend(cms.certificates().iter().cloned());
                if let Some(Ok(ts)) = cms.signature_timestamp() {
                    certs.extend(ts.cms().certificates().iter().cloned());
                }
            }
        }
        certs
    }

    fn run(self, mut report: Report, fetch: Option<&mut Fetch<'_>>) -> Report {
        let last = self.last();
        let last_end = self.revisions[last].end;
        let trailing = revisions::trailing_bytes(self.bytes, last_end);
        report.file.trailing_bytes = trailing as u64;
        let final_snapshot = &self.snapshots[last];
        let dss = read_dss(&self.revisions[last].doc, final_snapshot);
        let mut material = dss.clone();
        let fetched = fetch.map(|f| f(&self.embedded_certificates(&dss)));
        for extra in std::iter::once(&self.options.extra).chain(fetched.as_ref()) {
            material
                .certificates
                .extend(extra.certificates.iter().cloned());
            material
                .ocsp_responses
                .extend(extra.ocsp_responses.iter().cloned());
            material.crls.extend(extra.crls.iter().cloned());
        }
        let has_dss_revocation = !dss.ocsp_responses.is_empty() || !dss.crls.is_empty();

        let mut sigs: Vec<Sig> = find_signatures(final_snapshot)
            .into_iter()
            .map(|f| self.signature(&f, &material))
            .collect();
        sigs.sort_by_key(|s| s.revision.unwrap_or(usize::MAX));

        // Revisions and their changes.
        for (i, rev) in self.revisions.iter().enumerate() {
            let changes = if i == 0 {
                Vec::new()
            } else {
                self.changes(i - 1, i)
            };
            report.revisions.push(RevisionInfo {
                index: i,
                end: rev.end as u64,
                signed_by: sigs
                    .iter()
                    .filter(|s| s.revision == Some(i))
                    .map(|s| s.report.field.clone())
                    .collect(),
                changes,
            });
        }

        // The revision where validation data first appears.
        let dss_revision = self
            .snapshots
            .iter()
            .position(|s| s.catalog().is_some_and(|c| c.has(b"DSS")));
        let doc_timestamps: Vec<usize> = sigs
            .iter()
            .filter(|s| {
                s.report.kind == SignatureKind::DocumentTimestamp && s.report.integrity.intact()
            })
            .filter_map(|s| s.revision)
            .collect();

        // Fields whose signature value does not verify: adding one is no allowed signature
        // but a painted field posing as one (the Sneaky Signature attack with a fake value).
        // By object number: fields whose value is no intact signature (or is not read as a
        // signature at all), and the widgets of such fields.
        let intact: BTreeSet<&str> = sigs
            .iter()
            .filter(|s| s.report.integrity.intact())
            .map(|s| s.report.object.as_str())
            .collect();
        let broken: BTreeSet<u32> = self
            .snapshots
            .get(last)
            .map(|snap| {
                let mut set: BTreeSet<u32> = snap
                    .fields
                    .iter()
                    .filter(|(_, f)| f.is_signature && f.signed)
                    .filter(|(n, _)| {
                        let value = diff::get(snap.doc, **n)
                            .and_then(dict_of)
                            .and_then(|d| d.get(b"V").ok())
                            .and_then(|v| v.as_reference().ok());
                        !value.is_some_and(|(v, g)| intact.contains(format!("{v} {g}").as_str()))
                    })
                    .map(|(n, _)| *n)
                    .collect();
                let widgets: Vec<u32> = snap
                    .widgets
                    .iter()
                    .filter(|(_, field)| set.contains(field))
                    .map(|(w, _)| *w)
                    .collect();
                set.extend(widgets);
                set
            })
            .unwrap_or_default();

        for s in &mut sigs {
            let Some(rev) = s.revision else {
                continue;
            };
            let mut changes = self.changes(rev, last);
            changes.retain(|c| c.kind != ChangeKind::Unchanged);
            for c in &mut changes {
                let posing = matches!(
                    c.kind,
                    ChangeKind::Signature | ChangeKind::DocumentTimestamp
                ) && c.objects.iter().any(|o| {
                    o.split(' ')
                        .next()
                        .and_then(|n| n.parse::<u32>().ok())
                        .is_some_and(|n| broken.contains(&n))
                });
                if posing {
                    c.kind = ChangeKind::Modification;
                    c.description = format!(
                        "{}, but its signature does not verify (sneaky signature)",
                        c.description
                    );
                }
            }
            if trailing > 0 {
                changes.push(Change {
                    kind: ChangeKind::Modification,
                    revision: last + 1,
                    objects: Vec::new(),
                    page: None,
                    field: None,
                    description: format!(
                        "{trailing} bytes after the last revision are not covered by any signature or revision"
                    ),
                });
            }
            let problems = permission_problems(s.mdp, s.lock.as_ref(), &changes);
            let modified = !problems.is_empty();
            s.report.problems.extend(problems);
            s.report.changes_after = changes;
            if s.report.kind != SignatureKind::DocumentTimestamp {
                let lt =
                    s.timestamped && has_dss_revocation && dss_revision.is_some_and(|d| d >= rev);
                let lta = lt && doc_timestamps.iter().any(|&t| t > rev);
                s.report.level = Some(if lta {
                    Level::BLTA
                } else if lt {
                    Level::BLT
                } else if s.timestamped {
                    Level::BT
                } else {
                    Level::BB
                });
            }
            s.report.verdict = verdict_of(&s.report, modified);
        }

        report.signatures = sigs.into_iter().map(|s| s.report).collect();
        report.verdict = if report.signatures.is_empty() {
            report
                .problems
                .push("the document has no signatures".into());
            Verdict::Unsigned
        } else {
            report
                .signatures
                .iter()
                .map(|s| s.verdict)
                .max()
                .unwrap_or(Verdict::Unsigned)
        };
        for s in &report.signatures {
            for p in &s.problems {
                report.problems.push(format!("{}: {p}", s.field));
            }
        }
        report
    }
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A PDF date: `D:YYYYMMDDHHmmSSOHH'mm'` (every part after the year optional).
pub fn parse_pdf_date(s: &[u8]) -> Option<DateTime<Utc>> {
    let s = std::str::from_utf8(s).ok()?;
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    let part = |from: usize, len: usize, default: u32| -> Option<u32> {
        match digits.get(from..from + len) {
            Some(p) => p.parse().ok(),
            None => Some(default),
        }
    };
    let year: i32 = digits.get(0..4)?.parse().ok()?;
    let month = part(4, 2, 1)?;
    let day = part(6, 2, 1)?;
    let hour = part(8, 2, 0)?;
    let minute = part(10, 2, 0)?;
    let second = part(12, 2, 0)?;
    let naive = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, minute, second)?;
    let rest = &s[digits.len()..];
    let offset_secs = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let tz: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let h: i32 = tz.get(0..2).and_then(|x| x.parse().ok()).unwrap_or(0);
            let m: i32 = tz.get(2..4).and_then(|x| x.parse().ok()).unwrap_or(0);
            let secs = h * 3600 + m * 60;
            if sign == '-' { -secs } else { secs }
        }
        _ => 0,
    };
    let offset = chrono::FixedOffset::east_opt(offset_secs)?;
    offset
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// Parses a PEM bundle (or DER) of trust anchors.
pub fn anchors_from(data: &[u8]) -> Result<TrustAnchors, pv::VerifyError> {
    if data.starts_with(b"-----") || data.windows(11).any(|w| w == b"-----BEGIN ") {
        TrustAnchors::from_pem(&String::from_utf8_lossy(data))
    } else {
        TrustAnchors::from_der(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    #[test]
    fn pdf_dates() {
        let t = parse_pdf_date(b"D:20261123103000+08'00'").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-23T02:30:00+00:00");
        let t = parse_pdf_date(b"D:2026").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert!(parse_pdf_date(b"D:20261340").is_none());
        assert!(parse_pdf_date(b"garbage").is_none());
    }

    fn change(kind: ChangeKind, field: Option<&str>) -> Change {
        Change {
            kind,
            revision: 2,
            objects: vec!["9 0".into()],
            page: None,
            field: field.map(str::to_string),
            description: "x".into(),
        }
    }

    #[test]
    fn docmdp_and_fieldmdp_decide_what_later_changes_may_do() {
        let doc = Document::new();
        let mdp = |p: i64| {
            dictionary! { "Reference" => vec![Object::Dictionary(dictionary! {
                "TransformMethod" => "DocMDP",
                "TransformParams" => dictionary! { "P" => p },
            })] }
        };
        assert_eq!(transforms(&doc, &mdp(1)).0, Some(1));
        assert_eq!(transforms(&doc, &mdp(3)).0, Some(3));
        assert_eq!(transforms(&doc, &lopdf::Dictionary::new()).0, None);
        let sig = change(ChangeKind::Signature, Some("S2"));
        let dss = change(ChangeKind::ValidationData, None);
        let fill = change(ChangeKind::FormFill, Some("amount"));
        let other = change(ChangeKind::FormFill, Some("note"));
        // P=1: only validation data (and timestamps, metadata) may follow.
        assert!(permission_problems(Some(1), None, std::slice::from_ref(&dss)).is_empty());
        assert_eq!(
            permission_problems(Some(1), None, std::slice::from_ref(&sig)).len(),
            1
        );
        assert_eq!(
            permission_problems(Some(1), None, std::slice::from_ref(&fill)).len(),
            1
        );
        // P=2 (and approval signatures): signatures and form filling are fine.
        assert!(permission_problems(Some(2), None, &[sig.clone(), fill.clone()]).is_empty());
        assert!(permission_problems(None, None, &[sig, fill.clone()]).is_empty());
        // Modifications are always reported.
        let m = change(ChangeKind::Modification, None);
        assert_eq!(permission_problems(Some(3), None, &[m]).len(), 1);
        // FieldMDP: Include locks the named fields, Exclude all but them, All every field.
        let lock = |action: &str| {
            dictionary! { "Reference" => vec![Object::Dictionary(dictionary! {
                "TransformMethod" => "FieldMDP",
                "TransformParams" => dictionary! {
                    "Action" => Object::Name(action.as_bytes().to_vec()),
                    "Fields" => vec![Object::string_literal("amount")],
                },
            })] }
        };
        let include = transforms(&doc, &lock("Include")).1.unwrap();
        assert_eq!(
            permission_problems(None, Some(&include), std::slice::from_ref(&fill)).len(),
            1
        );
        assert!(permission_problems(None, Some(&include), std::slice::from_ref(&other)).is_empty());
        let exclude = transforms(&doc, &lock("Exclude")).1.unwrap();
        assert!(permission_problems(None, Some(&exclude), std::slice::from_ref(&fill)).is_empty());
        assert_eq!(
            permission_problems(None, Some(&exclude), std::slice::from_ref(&other)).len(),
            1
        );
        let all = transforms(&doc, &lock("All")).1.unwrap();
        assert_eq!(all.describe(), vec!["*".to_string()]);
        assert_eq!(
            permission_problems(None, Some(&all), &[fill, other]).len(),
            2
        );
    }

    #[test]
    fn hex_strings() {
        assert_eq!(decode_hex(b"0a1B 2").unwrap(), vec![0x0a, 0x1b, 0x20]);
        assert!(decode_hex(b"zz").is_none());
    }
}
