//! Revisions: every prefix of the file that ends with `startxref N %%EOF` and reads as a
//! complete document is one revision. Each is loaded on its own, so the validator sees the
//! objects exactly as a reader stopping there would, and the objects a later revision
//! (re)defines are those whose cross-reference entry differs.

use lopdf::xref::XrefEntry;
use lopdf::{Document, Object, ObjectId};
use sha2_011::{Digest, Sha256};

/// A file with more revisions than this is refused: each one is loaded separately.
pub const MAX_REVISIONS: usize = 64;

/// Streams larger than this (or with a /Subtype: images, forms, fonts) keep only a hash of
/// their content: comparisons still see any change, and memory stays small.
const KEEP_STREAM_LIMIT: usize = 1 << 20;

pub struct Revision {
    /// The byte after `%%EOF` and its end-of-line.
    pub end: usize,
    /// The byte after `%%EOF`.
    pub eof_end: usize,
    pub doc: Document,
}

/// Loading filter: keeps dictionaries whole and small untyped streams whole (validation data
/// lives in those), and replaces the content of any other stream by its SHA-256.
fn hash_big_streams(id: ObjectId, obj: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(s) = obj
        && !s.dict.has_type(b"ObjStm")
        && !s.dict.has_type(b"XRef")
        && (s.dict.has(b"Subtype") || s.content.len() > KEEP_STREAM_LIMIT)
    {
        let mut digest = b"signet-sha256:".to_vec();
        digest.extend_from_slice(&Sha256::digest(&s.content));
        s.set_content(digest);
        s.dict.remove(b"Filter");
        s.dict.remove(b"DecodeParms");
    }
    // lopdf keeps `obj` for top-level objects and the returned copy for objects inside
    // object streams; both are the same.
    Some((id, obj.clone()))
}

/// Offsets just after each `%%EOF` that closes a trailer (`startxref` shortly before it),
/// with and without the end-of-line that follows.
fn candidate_ends(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut ends = Vec::new();
    let finder = memchr::memmem::Finder::new(b"%%EOF");
    for at in finder.find_iter(bytes) {
        let window = &bytes[at.saturating_sub(48)..at];
        let Some(sx) = memchr::memmem::rfind(window, b"startxref") else {
            continue;
        };
        let number = &window[sx + b"startxref".len()..];
        let digits: Vec<u8> = number
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            continue;
        }
        let offset: usize = std::str::from_utf8(&digits)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        // A linearized file's first-page trailer says `startxref 0`: not a revision.
        if offset == 0 || offset >= at {
            continue;
        }
        let eof_end = at + 5;
        let mut end = eof_end;
        match bytes.get(end..end + 2) {
            Some(b"\r\n") => end += 2,
            _ => {
                if matches!(bytes.get(end), Some(b'\r' | b'\n')) {
                    end += 1;
                }
            }
        }
        ends.push((eof_end, end));
    }
    ends
}

#[derive(Debug, thiserror::Error)]
pub enum RevisionError {
    #[error("not a PDF: no %PDF- header")]
    NotPdf,
    #[error("no complete revision: {0}")]
    Unreadable(String),
    #[error("the cross-reference data is damaged and would need repair")]
    Damaged,
    #[error("the PDF is encrypted; encrypted files are not validated")]
    Encrypted,
    #[error("more than {MAX_REVISIONS} revisions")]
    TooManyRevisions,
}

/// Loads every revision, oldest first.
pub fn load(bytes: &[u8]) -> Result<Vec<Revision>, RevisionError> {
    crate::header_version(bytes).map_err(|_| RevisionError::NotPdf)?;
    let candidates = candidate_ends(bytes);
    if candidates.len() > MAX_REVISIONS * 2 {
        return Err(RevisionError::TooManyRevisions);
    }
    let mut revisions: Vec<Revision> = Vec::new();
    let mut last_error = String::from("no %%EOF after a startxref");
    let n = candidates.len();
    for (i, (eof_end, end)) in candidates.into_iter().enumerate() {
        let options = lopdf::LoadOptions {
            filter: Some(hash_big_streams),
            ..Default::default()
        };
        let Some(prefix) = bytes.get(..end) else {
            continue;
        };
        match Document::load_mem_with_options(prefix, options) {
            Ok(doc) => {
                if doc.xref_recovery.is_some() {
                    // The last candidate must read cleanly; an earlier one that does not is
                    // not a revision (e.g. a `%%EOF` inside a stream).
                    if i + 1 == n {
                        return Err(RevisionError::Damaged);
                    }
                    continue;
                }
                if doc.trailer.get(b"Encrypt").is_ok() {
                    return Err(RevisionError::Encrypted);
                }
                if revisions.len() == MAX_REVISIONS {
                    return Err(RevisionError::TooManyRevisions);
                }
                revisions.push(Revision { end, eof_end, doc });
            }
            Err(e) => last_error = e.to_string(),
        }
    }
    if revisions.is_empty() {
        return Err(RevisionError::Unreadable(last_error));
    }
    Ok(revisions)
}

/// Non-whitespace bytes after the end of the last revision.
pub fn trailing_bytes(bytes: &[u8], last_end: usize) -> usize {
    let tail = bytes.get(last_end..).unwrap_or_default();
    let Some(first) = tail
        .iter()
        .position(|b| !(b.is_ascii_whitespace() || *b == 0))
    else {
        return 0;
    };
    tail.len() - first
}

/// Whether two cross-reference entries point at the same definition.
pub fn same_entry(a: &XrefEntry, b: &XrefEntry) -> bool {
    match (a, b) {
        (
            XrefEntry::Normal {
                offset: o1,
                generation: g1,
            },
            XrefEntry::Normal {
                offset: o2,
                generation: g2,
            },
        ) => o1 == o2 && g1 == g2,
        (
            XrefEntry::Compressed {
                container: c1,
                index: i1,
            },
            XrefEntry::Compressed {
                container: c2,
                index: i2,
            },
        ) => c1 == c2 && i1 == i2,
        (XrefEntry::Free, XrefEntry::Free) | (XrefEntry::UnusableFree, XrefEntry::UnusableFree) => {
            true
        }
        _ => false,
    }
}

pub fn in_use(e: &XrefEntry) -> bool {
    matches!(e, XrefEntry::Normal { .. } | XrefEntry::Compressed { .. })
}

/// Object numbers whose definition differs between `old` and `new` (new, redefined or
/// freed). An object inside an object stream counts as redefined when its container is.
pub fn changed_objects(old: &Document, new: &Document) -> Vec<u32> {
    let old_entries = &old.reference_table.entries;
    let new_entries = &new.reference_table.entries;
    let redefined = |n: u32| -> bool {
        match (old_entries.get(&n), new_entries.get(&n)) {
            (Some(a), Some(b)) => !same_entry(a, b),
            (None, Some(b)) => in_use(b),
            (Some(a), None) => in_use(a),
            (None, None) => false,
        }
    };
    let mut out = Vec::new();
    for (&n, entry) in new_entries.iter() {
        let changed = redefined(n)
            || matches!(entry, XrefEntry::Compressed { container, .. } if redefined(*container));
        if changed {
            out.push(n);
        }
    }
    for (&n, entry) in old_entries.iter() {
        if !new_entries.contains_key(&n) && in_use(entry) {
            out.push(n);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The cross-reference entry of an object, if in use.
pub fn entry(doc: &Document, number: u32) -> Option<&XrefEntry> {
    doc.reference_table
        .entries
        .get(&number)
        .filter(|e| in_use(e))
}
