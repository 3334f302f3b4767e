//! The pure rules of the initiate wizard (发起在线盖章), kept apart from the page so they run
//! as host unit tests: reading "姓名 手机号", what each file's upload progress is, which part of
//! the form a problem belongs to, and the request the wizard sends.

use signet_api::{CreateTask, DocumentInput, SignerRef, StepInput};
use signet_domain::identity::PhoneNumber;

/// Why a "姓名 手机号" entry cannot be looked up; each is a text key of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryError {
    /// Not two parts separated by a half-width space (a full-width one included).
    Shape,
    /// The second part is not an 11-digit mainland mobile number.
    Phone,
}

impl EntryError {
    pub fn key(self) -> &'static str {
        match self {
            Self::Shape => "signer_entry_shape",
            Self::Phone => "signer_entry_phone",
        }
    }
}

/// Reads "张三 13122224444": the name and the phone after the last run of half-width
/// spaces, as the seed asks (so a name with spaces, "Anna Smith 13122224444", reads too). A
/// full-width space (　) is refused with the hint to use a half-width one, rather than
/// guessed.
pub fn parse_entry(text: &str) -> Result<SignerRef, EntryError> {
    let text = text.trim_matches(|c: char| c == ' ' || c == '\t');
    if text.contains('\u{3000}') {
        return Err(EntryError::Shape);
    }
    let Some((name, phone)) = text.rsplit_once(' ') else {
        return Err(EntryError::Shape);
    };
    let name = name.trim_end_matches(' ');
    if name.is_empty() {
        return Err(EntryError::Shape);
    }
    let phone = PhoneNumber::parse(phone).map_err(|_| EntryError::Phone)?;
    Ok(SignerRef {
        name: name.to_owned(),
        phone: phone.as_str().to_owned(),
    })
}

/// The share of each file already sent (0.0–1.0) when `loaded` of `total` request bytes have
/// gone. The files travel in one multipart request, in order, after a small JSON part; the
/// bytes that are not file bytes (the JSON part and the part headers) are spread in
/// proportion, so every bar reaches 1.0 exactly when the request has been sent.
pub fn file_progress(sizes: &[u64], loaded: f64, total: f64) -> Vec<f64> {
    let files: u64 = sizes.iter().sum();
    if total <= 0.0 || files == 0 {
        return vec![0.0; sizes.len()];
    }
    let sent = (loaded / total).clamp(0.0, 1.0) * files as f64;
    let mut start = 0.0;
    sizes
        .iter()
        .map(|&size| {
            let size = size as f64;
            let share = if size == 0.0 {
                if sent >= start { 1.0 } else { 0.0 }
            } else {
                ((sent - start) / size).clamp(0.0, 1.0)
            };
            start += size;
            share
        })
        .collect()
}

/// The part of the wizard a problem is shown on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Name,
    Files,
    Signers,
    Deadline,
    Org,
    /// Not about one field: shown above the buttons.
    Form,
}

/// Where the server's problem (its `field` and `code`) is shown.
pub fn section_of(field: Option<&str>, code: &str) -> Section {
    match field {
        Some("name") => Section::Name,
        Some("steps") => Section::Signers,
        Some("deadline") => Section::Deadline,
        Some("org_id") => Section::Org,
        Some(f) if f.starts_with("documents") || f.starts_with("doc") => Section::Files,
        _ => match code {
            "invalid_pdf" | "pdf_encrypted" | "part_too_large" | "too_many_documents"
            | "no_documents" => Section::Files,
            "signer_not_found" | "signer_not_member" | "invalid_step" | "too_many_steps" => {
                Section::Signers
            }
            "initiate_not_granted" => Section::Org,
            _ => Section::Form,
        },
    }
}

/// A file the initiator added, with the name the contract will have (合同名称 per file).
#[derive(Debug, Clone, PartialEq)]
pub struct FileEntry {
    pub name: String,
    pub size: u64,
}

/// A signer (or the initiator, `myself`) with the step's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SignerEntry {
    /// None for 指定由本人完成盖章.
    pub who: Option<SignerRef>,
    pub order: u32,
    pub mode: String,
    pub seal_kind: String,
    pub org_id: Option<String>,
    pub description: String,
}

/// The order number a newly added signer gets: one after the last, so signers sign in the
/// order they were added unless the initiator gives two the same number (parallel).
pub fn next_order(signers: &[SignerEntry]) -> u32 {
    signers.iter().map(|s| s.order).max().unwrap_or(0) + 1
}

/// The display name a dropped file gets: its file name without `.pdf`.
pub fn display_name(file_name: &str) -> String {
    let n = file_name.trim();
    match n.len().checked_sub(4) {
        Some(i) if n.is_char_boundary(i) && n[i..].eq_ignore_ascii_case(".pdf") => n[..i].into(),
        _ => n.into(),
    }
}

/// The multipart part name of the `i`-th file.
pub fn part_name(i: usize) -> String {
    format!("doc{}", i + 1)
}

/// The `request` part of `POST /api/v1/tasks`.
pub fn request(
    name: &str,
    files: &[FileEntry],
    signers: &[SignerEntry],
    deadline: Option<chrono::DateTime<chrono::Utc>>,
    org_id: Option<String>,
    start: bool,
) -> CreateTask {
    let text = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    CreateTask {
        name: text(name),
        documents: files
            .iter()
            .enumerate()
            .map(|(i, f)| DocumentInput {
                part: part_name(i),
                name: text(&f.name),
            })
            .collect(),
        steps: signers
            .iter()
            .map(|s| StepInput {
                signer: s.who.clone(),
                myself: s.who.is_none(),
                order: s.order,
                mode: Some(s.mode.clone()),
                seal_kind: Some(s.seal_kind.clone()),
                org_id: s.org_id.clone(),
                description: text(&s.description),
            })
            .collect(),
        deadline,
        org_id,
        start,
    }
}

/// The end of the day the initiator picked (China time, 23:59:59) as the deadline.
pub fn deadline_of(day: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let d = chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").ok()?;
    let china = chrono::FixedOffset::east_opt(8 * 3600)?;
    let end = d
        .and_hms_opt(23, 59, 59)?
        .and_local_timezone(china)
        .single()?;
    Some(end.with_timezone(&chrono::Utc))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_entry_is_a_name_and_a_phone_split_by_a_half_width_space() {
        let r = parse_entry("张三 13122224444").unwrap();
        assert_eq!((r.name.as_str(), r.phone.as_str()), ("张三", "13122224444"));
        let r = parse_entry("  黄铁诚   13900000002 ").unwrap();
        assert_eq!(
            (r.name.as_str(), r.phone.as_str()),
            ("黄铁诚", "13900000002")
        );
        assert_eq!(parse_entry("张三　13122224444"), Err(EntryError::Shape));
        assert_eq!(parse_entry("张三13122224444"), Err(EntryError::Shape));
        let r = parse_entry("Anna Smith 13122224444").unwrap();
        assert_eq!(r.name, "Anna Smith");
        assert_eq!(parse_entry(" 13122224444"), Err(EntryError::Shape));
        assert_eq!(parse_entry(""), Err(EntryError::Shape));
        assert_eq!(parse_entry("张三 1312222444"), Err(EntryError::Phone));
        assert_eq!(parse_entry("张三 23122224444"), Err(EntryError::Phone));
    }

    #[test]
    fn each_file_fills_in_its_turn_and_all_are_full_at_the_end() {
        let sizes = [100, 300];
        // 10 bytes of JSON and headers: 410 bytes in all.
        assert_eq!(file_progress(&sizes, 0.0, 410.0), vec![0.0, 0.0]);
        let p = file_progress(&sizes, 205.0, 410.0); // 200 file bytes
        assert_eq!(p[0], 1.0);
        assert!((p[1] - 1.0 / 3.0).abs() < 1e-9, "{p:?}");
        assert_eq!(file_progress(&sizes, 410.0, 410.0), vec![1.0, 1.0]);
        // Over-reporting never goes past full; an unknown total shows nothing yet.
        assert_eq!(file_progress(&sizes, 999.0, 410.0), vec![1.0, 1.0]);
        assert_eq!(file_progress(&sizes, 5.0, 0.0), vec![0.0, 0.0]);
        assert_eq!(file_progress(&[0, 10], 20.0, 20.0), vec![1.0, 1.0]);
    }

    #[test]
    fn problems_land_on_the_field_they_name() {
        assert_eq!(section_of(Some("name"), "invalid_name"), Section::Name);
        assert_eq!(
            section_of(Some("steps"), "signer_not_found"),
            Section::Signers
        );
        assert_eq!(
            section_of(Some("deadline"), "invalid_deadline"),
            Section::Deadline
        );
        assert_eq!(
            section_of(Some("documents[0].name"), "invalid_name"),
            Section::Files
        );
        assert_eq!(section_of(Some("documents"), "invalid_pdf"), Section::Files);
        assert_eq!(section_of(None, "part_too_large"), Section::Files);
        assert_eq!(section_of(None, "initiate_not_granted"), Section::Org);
        assert_eq!(section_of(None, "internal_error"), Section::Form);
    }

    fn entry(order: u32, who: Option<&str>) -> SignerEntry {
        SignerEntry {
            who: who.map(|n| SignerRef {
                name: n.into(),
                phone: "13900000002".into(),
            }),
            order,
            mode: "pc".into(),
            seal_kind: "any".into(),
            org_id: None,
            description: String::new(),
        }
    }

    #[test]
    fn new_signers_come_after_the_last_and_the_request_says_what_the_form_shows() {
        assert_eq!(next_order(&[]), 1);
        assert_eq!(next_order(&[entry(1, None), entry(3, Some("李四"))]), 4);
        let files = [
            FileEntry {
                name: "反担保合同".into(),
                size: 10,
            },
            FileEntry {
                name: " ".into(),
                size: 20,
            },
        ];
        let r = request(
            " 采购 ",
            &files,
            &[entry(1, None), entry(1, Some("李四"))],
            None,
            None,
            true,
        );
        assert_eq!(r.name.as_deref(), Some("采购"));
        assert_eq!(r.documents[0].part, "doc1");
        assert_eq!(r.documents[1].part, "doc2");
        assert_eq!(r.documents[1].name, None);
        assert!(r.steps[0].myself && r.steps[0].signer.is_none());
        assert!(!r.steps[1].myself && r.steps[1].order == 1);
        assert_eq!(r.steps[1].description, None);
        assert!(r.start);
    }

    #[test]
    fn names_and_deadlines() {
        assert_eq!(display_name("反担保合同.PDF"), "反担保合同");
        assert_eq!(display_name("a.pdf.txt"), "a.pdf.txt");
        assert_eq!(display_name("合同"), "合同");
        assert_eq!(
            deadline_of("2026-12-31").unwrap().to_rfc3339(),
            "2026-12-31T15:59:59+00:00"
        );
        assert_eq!(deadline_of("31/12/2026"), None);
    }
}
