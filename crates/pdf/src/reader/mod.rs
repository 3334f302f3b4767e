//! The reader signing uses: it follows the cross-reference sections from `startxref` (tables,
//! xref streams, hybrid files, `/Prev` chains), reads every object the sections list with the
//! lossless parser of [`crate::raw`], and never copies a stream body it does not need: content
//! streams, images and fonts keep their dictionary only (their bytes stay in the file, which the
//! update never rewrites). Object streams and xref streams are decoded (they hold structure);
//! small plain streams are kept when asked (the DSS keeps its DER objects in them).
//!
//! It reads through a [`Source`]: a document held in memory, or an [`crate::source::Image`] of a
//! file that loads only the blocks a parse asks for, so the bodies it skips are never read at
//! all. A parse over partly loaded bytes is trusted only when it stayed inside them
//! ([`Reader::parse_at`]); otherwise more is loaded and it runs again.
//!
//! The result is a `lopdf::Document` holding those objects, so the rest of the engine reads the
//! same model as before; the validator still loads every revision with lopdf itself, and
//! `tests/reader.rs` cross-checks the two readers on every corpus file.
//!
//! A file whose cross-reference data is damaged (no `startxref`, an offset that does not lead
//! to a section, an entry that does not lead to its object, a `/Prev` loop) is refused with
//! [`PdfError::DamagedXref`]: an update appended to a repaired reading would point `/Prev` at
//! data other readers cannot follow.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use lopdf::xref::{Xref, XrefEntry, XrefType};
use lopdf::{Dictionary, Document, Object, Stream, StringFormat};

use crate::doc::XrefKind;
use crate::error::PdfError;
use crate::raw::{Decimal, Node, Parser, Value};
use crate::source::{Source, Whole};

/// Sections followed through `/Prev` (and `/XRefStm`) before the chain counts as a loop.
mod filters;
use filters::decode;

const MAX_SECTIONS: usize = 4096;
/// The largest decoded xref or object stream.
const MAX_DECODED: usize = 64 << 20;
/// Streams kept under [`Streams::StructureAndSmallPlain`] are at most this large.
const SMALL_PLAIN: usize = 1 << 20;
/// All xref streams decoded for one file, together, at most.
const MAX_DECODED_TOTAL: usize = 256 << 20;
/// All stream bodies kept for one file, together, at most.
const MAX_KEPT_TOTAL: usize = 256 << 20;
/// Bytes past the end of a parse that must be loaded too (a token's delimiter, a keyword).
const MARGIN: usize = 16;
/// The largest object number (ISO 32000's implementation limit, 2^23 - 1): an update's new
/// numbers must not wrap.
const MAX_OBJECT_NUMBER: u32 = 8_388_607;

/// Which stream bodies to keep besides those of the object streams holding objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streams {
    /// None: signing needs the document's structure only.
    Structure,
    /// Also plain streams (no `/Type`, `/Subtype`, `/Length1`, `/Length2`) up to 1 MiB: the DSS
    /// keeps its certificates, OCSP responses and CRLs in them.
    StructureAndSmallPlain,
}

/// What [`load`] read.
pub struct Loaded {
    pub doc: Document,
    pub xref_kind: XrefKind,
    pub startxref: usize,
}

fn damaged() -> PdfError {
    PdfError::DamagedXref
}

/// Reads `bytes` (which must start with a `%PDF-` header within 1 KiB).
pub fn load(bytes: &[u8], streams: Streams) -> Result<Loaded, PdfError> {
    load_from(&mut Whole(bytes), streams)
}

/// Reads the document `src` gives, loading only what the structure needs.
pub fn load_from(src: &mut dyn Source, streams: Streams) -> Result<Loaded, PdfError> {
    let len = src.bytes().len();
    src.ensure(0, 1024)?;
    let (major, minor) = crate::header_version(src.bytes()).map_err(|_| PdfError::NotPdf)?;
    src.ensure(len.saturating_sub(1024), len)?;
    let startxref = find_startxref(src.bytes()).ok_or_else(damaged)?;
    let mut r = Reader {
        src,
        entries: BTreeMap::new(),
        trailer: None,
        objstms: HashMap::new(),
        decoded: 0,
    };
    let xref_kind = r.read_sections(startxref)?;
    let trailer_node = r.trailer.take().ok_or_else(damaged)?;
    if trailer_node.get(b"Encrypt").is_some() {
        return Err(PdfError::Encrypted);
    }
    let trailer = match to_object(&trailer_node) {
        Object::Dictionary(d) => d,
        _ => return Err(damaged()),
    };

    let mut doc = Document::new();
    doc.version = format!("{major}.{minor}");
    // Object streams some entry lives in: the only bodies kept besides small plain streams.
    let containers: HashSet<u32> = r
        .entries
        .values()
        .filter_map(|e| match e {
            XrefEntry::Compressed { container, .. } => Some(*container),
            _ => None,
        })
        .collect();
    let mut kept = 0usize;
    let entries: Vec<(u32, XrefEntry)> = r
        .entries
        .iter()
        .filter(|(_, e)| matches!(e, XrefEntry::Normal { .. } | XrefEntry::Compressed { .. }))
        .map(|(n, e)| (*n, e.clone()))
        .collect();
    for (n, entry) in &entries {
        let (id, object) = match entry {
            XrefEntry::Normal { offset, generation } => {
                let object =
                    r.normal_object(*n, *offset as usize, streams, containers.contains(n))?;
                if let Object::Stream(s) = &object {
                    kept += s.content.len();
                    if kept > MAX_KEPT_TOTAL {
                        return Err(PdfError::Unreadable("too much stream data to keep".into()));
                    }
                }
                ((*n, *generation), object)
            }
            XrefEntry::Compressed { container, index } => {
                let node = r.compressed_object(*n, *container, *index)?;
                ((*n, 0), to_object(&node))
            }
            _ => continue,
        };
        doc.objects.insert(id, object);
    }
    let size = trailer
        .get(b"Size")
        .ok()
        .and_then(|s| s.as_i64().ok())
        .and_then(|s| u32::try_from(s).ok())
        .unwrap_or(0);
    let max_id = r.entries.keys().next_back().copied().unwrap_or(0);
    let mut xref = Xref::new(
        size.max(max_id + 1),
        match xref_kind {
            XrefKind::Table => XrefType::CrossReferenceTable,
            XrefKind::Stream => XrefType::CrossReferenceStream,
        },
    );
    xref.entries = r.entries;
    doc.reference_table = xref;
    doc.trailer = trailer;
    doc.max_id = max_id;
    doc.xref_start = startxref;
    Ok(Loaded {
        doc,
        xref_kind,
        startxref,
    })
}

/// The offset after the last `startxref`, from the last KiB of the file.
fn find_startxref(bytes: &[u8]) -> Option<usize> {
    let tail_start = bytes.len().saturating_sub(1024);
    let tail = &bytes[tail_start..];
    let at = memchr::memmem::rfind(tail, b"startxref")?;
    let mut p = Parser::new(bytes, tail_start + at + b"startxref".len());
    p.skip_ws();
    let n = p.unsigned_word()?;
    usize::try_from(n)
        .ok()
        .filter(|n| *n > 0 && *n < bytes.len())
}

/// Entries of one xref table section.
type Section = Vec<(u32, XrefEntry)>;

/// The classic table at `at` in `b` (a document of `len` bytes): its entries and trailer, and
/// the position after the trailer.
fn table_section(b: &[u8], at: usize, len: u64) -> Result<((Section, Node), usize), PdfError> {
    let mut p = Parser::new(b, at + b"xref".len());
    let mut section: Section = Vec::new();
    loop {
        p.skip_ws();
        if b[p.pos..].starts_with(b"trailer") {
            p.pos += b"trailer".len();
            break;
        }
        let first = p.unsigned_word().ok_or_else(damaged)?;
        p.skip_ws();
        let count = p.unsigned_word().ok_or_else(damaged)?;
        // Each entry takes at least 18 bytes: a count beyond the file is damage.
        if count > len / 18 + 1 {
            return Err(damaged());
        }
        for i in 0..count {
            p.skip_ws();
            let offset = p.unsigned_word().ok_or_else(damaged)?;
            p.skip_ws();
            let generation = p.unsigned_word().ok_or_else(damaged)?;
            p.skip_ws();
            let kind = p.keyword();
            let n = u32::try_from(first + i).map_err(|_| damaged())?;
            let entry = match kind {
                b"n" => XrefEntry::Normal {
                    offset: u32::try_from(offset).map_err(|_| damaged())?,
                    generation: u16::try_from(generation).map_err(|_| damaged())?,
                },
                b"f" => XrefEntry::Free,
                _ => return Err(damaged()),
            };
            section.push((n, entry));
        }
    }
    let trailer = p.value().map_err(|_| damaged())?;
    if !trailer.is_dict() {
        return Err(damaged());
    }
    Ok(((section, trailer), p.pos))
}

/// An indirect object's header and value at `at` in `b`, which must be object `n`; with the
/// position after the value and whether a stream body follows it (the value is a dictionary
/// and the `stream` keyword comes next).
fn object_at(b: &[u8], at: usize, n: u32) -> Result<((Node, usize, bool), usize), PdfError> {
    let mut p = Parser::new(b, at);
    let (num, _) = p.object_header().map_err(|_| damaged())?;
    if num != n {
        return Err(damaged());
    }
    let node = p
        .value()
        .map_err(|e| PdfError::Unreadable(format!("object {n}: {e}")))?;
    let after = p.pos;
    let mut q = Parser::new(b, after);
    q.skip_ws();
    let is_stream = node.is_dict() && b[q.pos..].starts_with(b"stream");
    Ok(((node, after, is_stream), q.pos + b"stream".len()))
}

/// A decoded object stream: `/First`, its data, and its header's (number, offset) pairs.
type ObjStm = (usize, Vec<u8>, Vec<(u64, u64)>);

struct Reader<'b> {
    src: &'b mut dyn Source,
    /// Newest definition first: an entry, once set, is not replaced by an older section's.
    entries: BTreeMap<u32, XrefEntry>,
    /// The newest section's trailer (older trailers fill in keys it lacks).
    trailer: Option<Node>,
    /// Decoded object streams: (`/First`, data, the (number, offset) pairs of its header).
    objstms: HashMap<u32, ObjStm>,
    /// Bytes of xref streams decoded so far.
    decoded: usize,
}

impl Reader<'_> {
    fn len(&self) -> usize {
        self.src.bytes().len()
    }

    /// Runs `parse` over the document; it starts reading at `at` and returns what it read with
    /// the position after the last byte it looked at. More of the document is loaded and the
    /// parse runs again until that position (and a margin) is inside the bytes loaded from
    /// `at` on, or everything from `at` to the end is loaded: a parse that wandered into bytes
    /// not yet read is never trusted, and neither is its failure.
    fn parse_at<T>(
        &mut self,
        at: usize,
        parse: impl Fn(&[u8]) -> Result<(T, usize), PdfError>,
    ) -> Result<T, PdfError> {
        let len = self.len();
        let mut window = self.src.first_window().max(1);
        loop {
            self.src.ensure(at, at.saturating_add(window))?;
            let loaded = self.src.loaded_end(at);
            let whole = loaded >= len;
            match parse(self.src.bytes()) {
                Ok((t, end)) if whole || end.saturating_add(MARGIN) <= loaded => return Ok(t),
                Err(e) if whole => return Err(e),
                _ => window = window.saturating_mul(8),
            }
        }
    }

    /// `at` moved past white space and comments.
    fn skip_ws_at(&mut self, at: usize) -> Result<usize, PdfError> {
        self.parse_at(at, |b| {
            let mut p = Parser::new(b, at);
            p.skip_ws();
            // What follows is looked at too: a keyword (`xref`) or an object header.
            Ok((p.pos, p.pos + 8))
        })
    }

    /// Follows the sections from `start`; returns the newest section's kind.
    fn read_sections(&mut self, start: usize) -> Result<XrefKind, PdfError> {
        let mut next = Some(start);
        let mut seen = Vec::new();
        let mut kind = None;
        while let Some(at) = next {
            // Offsets that differ only by white space lead to the same section.
            let at = self.skip_ws_at(at)?;
            if seen.contains(&at) || seen.len() >= MAX_SECTIONS {
                return Err(damaged());
            }
            seen.push(at);
            let (section_kind, trailer) = if self.src.bytes()[at..].starts_with(b"xref") {
                let (trailer, free) = self.table(at)?;
                // A hybrid file: the section's xref stream lists the objects its table cannot
                // (those in object streams); its entries come before older sections'.
                if let Some(xs) = trailer.get(b"XRefStm").and_then(number) {
                    let xs = usize::try_from(xs).map_err(|_| damaged())?;
                    if xs >= self.len() {
                        return Err(damaged());
                    }
                    // Where the object really starts: offsets that differ only by white
                    // space are the same section.
                    let xs = self.skip_ws_at(xs)?;
                    if seen.contains(&xs) {
                        return Err(damaged());
                    }
                    seen.push(xs);
                    self.stream_section(xs, Some(&free))?;
                }
                (XrefKind::Table, trailer)
            } else {
                (XrefKind::Stream, self.stream_section(at, None)?)
            };
            kind.get_or_insert(section_kind);
            next = match trailer.get(b"Prev").and_then(number) {
                Some(p) => Some(
                    usize::try_from(p)
                        .ok()
                        .filter(|p| *p < self.len())
                        .ok_or_else(damaged)?,
                ),
                None => None,
            };
            self.merge_trailer(trailer);
        }
        kind.ok_or_else(damaged)
    }

    fn merge_trailer(&mut self, older: Node) {
        match &mut self.trailer {
            None => self.trailer = Some(older),
            Some(newest) => {
                if let (Value::Dict(items), Value::Dict(old_items)) =
                    (&mut newest.value, older.value)
                {
                    for (k, v) in old_items {
                        if !items.iter().any(|(nk, _)| *nk == k) {
                            items.push((k, v));
                        }
                    }
                }
            }
        }
    }

    /// Records an entry unless a newer section defined `n`; `own_free` are the numbers the
    /// same section's table marked free, which a hybrid file's xref stream may define.
    fn set(
        &mut self,
        n: u32,
        entry: XrefEntry,
        own_free: Option<&HashSet<u32>>,
    ) -> Result<(), PdfError> {
        if n > MAX_OBJECT_NUMBER {
            return Err(damaged());
        }
        match self.entries.get(&n) {
            None => {
                self.entries.insert(n, entry);
            }
            Some(XrefEntry::Free) if own_free.is_some_and(|f| f.contains(&n)) => {
                self.entries.insert(n, entry);
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// A classic table at `at`; returns its trailer and the numbers it newly marked free.
    fn table(&mut self, at: usize) -> Result<(Node, HashSet<u32>), PdfError> {
        let len = self.len() as u64;
        let (section, trailer) = self.parse_at(at, |b| table_section(b, at, len))?;
        let mut free = HashSet::new();
        for (n, e) in section {
            // Object 0 is the head of the free list; an "n" entry for it is nonsense.
            if n != 0 {
                if matches!(e, XrefEntry::Free) && !self.entries.contains_key(&n) {
                    free.insert(n);
                }
                self.set(n, e, None)?;
            }
        }
        Ok((trailer, free))
    }

    /// An xref stream at `at`; returns its dictionary (the trailer of that section).
    /// `own_free`: in a hybrid file, the entries its table marked free, which these replace.
    fn stream_section(
        &mut self,
        at: usize,
        own_free: Option<&HashSet<u32>>,
    ) -> Result<Node, PdfError> {
        let (dict, after) = self.parse_at(at, |b| {
            let mut p = Parser::new(b, at);
            p.object_header().map_err(|_| damaged())?;
            let dict = p.value().map_err(|_| damaged())?;
            Ok(((dict, p.pos), p.pos))
        })?;
        let is_xref =
            matches!(dict.get(b"Type").map(|t| &t.value), Some(Value::Name(n)) if n == b"XRef");
        if !is_xref {
            return Err(damaged());
        }
        // An xref stream's /Length is direct (nothing can be looked up before it is read).
        let length = dict.get(b"Length").and_then(number);
        let (start, end) = self.stream_body(after, length)?.ok_or_else(damaged)?;
        let data =
            decode(&dict, &self.src.bytes()[start..end], MAX_DECODED).map_err(|_| damaged())?;
        self.decoded += data.len();
        if self.decoded > MAX_DECODED_TOTAL {
            return Err(damaged());
        }
        let widths: Vec<usize> = match dict.get(b"W").map(|w| &w.value) {
            Some(Value::Array(a)) if a.len() == 3 => a
                .iter()
                .map(|x| {
                    number(x)
                        .and_then(|x| usize::try_from(x).ok())
                        .filter(|x| *x <= 8)
                })
                .collect::<Option<Vec<usize>>>()
                .ok_or_else(damaged)?,
            _ => return Err(damaged()),
        };
        let row = widths.iter().sum::<usize>();
        if row == 0 {
            return Err(damaged());
        }
        let size = dict.get(b"Size").and_then(number).ok_or_else(damaged)?;
        let index: Vec<u64> = match dict.get(b"Index").map(|i| &i.value) {
            Some(Value::Array(a)) => a
                .iter()
                .map(number)
                .collect::<Option<Vec<u64>>>()
                .ok_or_else(damaged)?,
            _ => vec![0, size],
        };
        if !index.len().is_multiple_of(2) {
            return Err(damaged());
        }
        let mut rows = data.chunks_exact(row);
        for pair in index.chunks(2) {
            for i in 0..pair[1] {
                let Some(r) = rows.next() else {
                    return Err(damaged());
                };
                let field = |k: usize| -> u64 {
                    let start: usize = widths[..k].iter().sum();
                    r[start..start + widths[k]]
                        .iter()
                        .fold(0u64, |v, b| v << 8 | u64::from(*b))
                };
                let kind = if widths[0] == 0 { 1 } else { field(0) };
                let n = u32::try_from(pair[0] + i).map_err(|_| damaged())?;
                let entry = match kind {
                    0 => XrefEntry::Free,
                    1 => XrefEntry::Normal {
                        offset: u32::try_from(field(1)).map_err(|_| damaged())?,
                        generation: u16::try_from(field(2)).unwrap_or(0),
                    },
                    2 => XrefEntry::Compressed {
                        container: u32::try_from(field(1)).map_err(|_| damaged())?,
                        index: u16::try_from(field(2)).map_err(|_| damaged())?,
                    },
                    // Unknown types are to be ignored (ISO 32000-1, 7.5.8.3).
                    _ => continue,
                };
                if n != 0 {
                    self.set(n, entry, own_free)?;
                }
            }
        }
        Ok(dict)
    }

    /// The object at `offset`, which must be object `n`; stream bodies kept per `streams`.
    fn normal_object(
        &mut self,
        n: u32,
        offset: usize,
        streams: Streams,
        container: bool,
    ) -> Result<Object, PdfError> {
        if offset >= self.len() {
            return Err(damaged());
        }
        let (node, after, is_stream) = self.parse_at(offset, |b| object_at(b, offset, n))?;
        let Object::Dictionary(dict) = to_object(&node) else {
            return Ok(to_object(&node));
        };
        if !is_stream {
            return Ok(Object::Dictionary(dict));
        }
        let keep = (container && dict.has_type(b"ObjStm"))
            || (streams == Streams::StructureAndSmallPlain
                && !dict.has(b"Type")
                && !dict.has(b"Subtype")
                && !dict.has(b"Length1")
                && !dict.has(b"Length2"));
        let content = if keep {
            let length = self.length_of(&node)?;
            let (start, end) = self
                .stream_body(after, length)?
                .ok_or_else(|| PdfError::Unreadable(format!("object {n}: stream without end")))?;
            if end - start > SMALL_PLAIN && !container {
                Vec::new()
            } else {
                self.src.bytes()[start..end].to_vec()
            }
        } else {
            Vec::new()
        };
        let length = dict.get(b"Length").ok().cloned();
        let mut stream = Stream::new(dict, content);
        // The dictionary as written: /Length is the body's in the file, not what is kept.
        if let Some(length) = length {
            stream.dict.set("Length", length);
        }
        stream.allows_compression = false;
        Ok(Object::Stream(stream))
    }

    /// A stream's `/Length`, direct or the integer object it points at; `None` when there is
    /// none to be found (the body then ends at the next `endstream`).
    fn length_of(&mut self, dict: &Node) -> Result<Option<u64>, PdfError> {
        let Some(l) = dict.get(b"Length") else {
            return Ok(None);
        };
        let Some(r) = l.as_ref() else {
            return Ok(number(l));
        };
        let Some(XrefEntry::Normal { offset, .. }) = self.entries.get(&r.0).cloned() else {
            return Ok(None);
        };
        let offset = offset as usize;
        match self.parse_at(offset, |b| object_at(b, offset, r.0)) {
            Ok((node, _, _)) => Ok(number(&node)),
            Err(e @ PdfError::Storage(_)) => Err(e),
            Err(_) => Ok(None),
        }
    }

    /// The body of the stream whose dictionary ends at `after_dict`, loaded: `/Length`
    /// (`length`) bytes after the `stream` keyword and its end of line, when `endstream`
    /// follows them; otherwise up to the next `endstream` (as readers do with a wrong
    /// `/Length`). `None` when there is no `stream` keyword or no `endstream`.
    fn stream_body(
        &mut self,
        after_dict: usize,
        length: Option<u64>,
    ) -> Result<Option<(usize, usize)>, PdfError> {
        let start = self.parse_at(after_dict, |b| {
            let mut p = Parser::new(b, after_dict);
            p.skip_ws();
            if !b[p.pos..].starts_with(b"stream") {
                return Ok((None, p.pos + b"stream".len()));
            }
            let mut start = p.pos + b"stream".len();
            match b.get(start..start + 2) {
                Some(b"\r\n") => start += 2,
                _ if matches!(b.get(start), Some(b'\n' | b'\r')) => start += 1,
                _ => {}
            }
            Ok((Some(start), start + 2))
        })?;
        let Some(start) = start else {
            return Ok(None);
        };
        if let Some(len) = length.and_then(|l| usize::try_from(l).ok())
            && let Some(end) = start.checked_add(len)
            && end <= self.len()
        {
            self.src.ensure(start, end)?;
            let confirmed = self.parse_at(end, |b| {
                let mut q = Parser::new(b, end);
                q.skip_ws();
                Ok((
                    b[q.pos..].starts_with(b"endstream"),
                    q.pos + b"endstream".len(),
                ))
            })?;
            if confirmed {
                return Ok(Some((start, end)));
            }
        }
        // A wrong /Length: the next `endstream` may be anywhere after.
        self.src.ensure(start, usize::MAX)?;
        let bytes = self.src.bytes();
        let Some(at) = memchr::memmem::find(&bytes[start..], b"endstream") else {
            return Ok(None);
        };
        let mut body_end = start + at;
        if bytes[..body_end].ends_with(b"\r\n") {
            body_end -= 2;
        } else if bytes[..body_end].ends_with(b"\n") || bytes[..body_end].ends_with(b"\r") {
            body_end -= 1;
        }
        Ok(Some((start, body_end.max(start))))
    }

    /// Object `n`, entry `index` of object stream `container`.
    fn compressed_object(&mut self, n: u32, container: u32, index: u16) -> Result<Node, PdfError> {
        if !self.objstms.contains_key(&container) {
            let Some(XrefEntry::Normal { offset, .. }) = self.entries.get(&container).cloned()
            else {
                return Err(damaged());
            };
            let offset = offset as usize;
            let (dict, after, _) = self
                .parse_at(offset, |b| object_at(b, offset, container))
                .map_err(|e| match e {
                    PdfError::Storage(_) => e,
                    _ => damaged(),
                })?;
            let length = self.length_of(&dict)?;
            let (start, end) = self.stream_body(after, length)?.ok_or_else(damaged)?;
            let data = decode(&dict, &self.src.bytes()[start..end], MAX_DECODED)
                .map_err(|e| PdfError::Unreadable(format!("object stream {container}: {e}")))?;
            let first = dict
                .get(b"First")
                .and_then(number)
                .and_then(|f| usize::try_from(f).ok())
                .filter(|f| *f <= data.len())
                .ok_or_else(damaged)?;
            // The header, read once: at most /N pairs, and never more than the data holds.
            let count = dict
                .get(b"N")
                .and_then(number)
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(0)
                .min(first / 2);
            let pairs = crate::raw::objstm_header(&data[..first], count);
            self.objstms.insert(container, (first, data, pairs));
        }
        let (first, data, pairs) = self.objstms.get(&container).ok_or_else(damaged)?;
        let (num, off) = *pairs.get(usize::from(index)).ok_or_else(damaged)?;
        if num != u64::from(n) {
            return Err(damaged());
        }
        let at = usize::try_from(off)
            .ok()
            .and_then(|o| first.checked_add(o))
            .filter(|a| *a < data.len())
            .ok_or_else(damaged)?;
        Parser::new(data, at)
            .value()
            .map_err(|e| PdfError::Unreadable(format!("object {n} in stream {container}: {e}")))
    }
}

/// A non-negative integer value.
fn number(n: &Node) -> Option<u64> {
    match &n.value {
        Value::Number(d) => d.as_i64().and_then(|v| u64::try_from(v).ok()),
        _ => None,
    }
}

/// A lossless value as lopdf's model (numbers as lopdf reads them: integers, else 32-bit reals).
pub fn to_object(n: &Node) -> Object {
    match &n.value {
        Value::Null | Value::Other(_) => Object::Null,
        Value::Bool(b) => Object::Boolean(*b),
        Value::Number(d) => number_object(d),
        Value::Name(v) => Object::Name(v.clone()),
        Value::String(v) => Object::String(v.clone(), StringFormat::Literal),
        Value::Array(items) => Object::Array(items.iter().map(to_object).collect()),
        Value::Dict(items) => {
            let mut d = Dictionary::new();
            for (k, v) in items {
                d.set(k.clone(), to_object(v));
            }
            Object::Dictionary(d)
        }
        Value::Ref(num, g) => Object::Reference((*num, *g)),
    }
}

fn number_object(d: &Decimal) -> Object {
    match d.as_i64().filter(|_| !d.written_as_real()) {
        Some(i) => Object::Integer(i),
        None => Object::Real(d.to_string().parse::<f32>().unwrap_or(0.0)),
    }
}
