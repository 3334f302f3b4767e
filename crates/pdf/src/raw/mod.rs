//! Lossless objects: PDF values read as written, with the byte span of every value, so that an
//! incremental update can rewrite an existing object by copying its bytes and splicing in only
//! the entries it means to change (a page's `/Annots`, the form's `/Fields`, the catalog's
//! `/DSS`, …). Nothing else is re-serialised: numbers keep every digit, strings, names, hex
//! strings, comments and white space stay byte for byte.
//!
//! The model also compares values losslessly, for the validator: numbers by exact decimal
//! value (`595.30` and `595.3` are equal, `595.303937007874` and `595.304` are not), strings
//! and names by their decoded bytes, dictionaries as maps.
//!
//! lopdf (which keeps reals as `f32`) still finds the objects; this module reads their bytes,
//! from the file or from the decoded object stream that holds them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use lopdf::Document;
use lopdf::xref::XrefEntry;

/// How deep arrays and dictionaries may nest before a value is refused.
const MAX_DEPTH: usize = 64;
/// The largest object stream decoded to find an object in it.
const MAX_OBJSTM: usize = 64 << 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("object syntax at byte {at}: {what}")]
pub struct RawError {
    pub at: usize,
    pub what: String,
}

fn err(at: usize, what: impl Into<String>) -> RawError {
    RawError {
        at,
        what: what.into(),
    }
}

/// A number by its exact decimal value: `digits × 10^-scale`, normalised (no leading zeros,
/// no trailing zeros after the point, zero is never negative), so equal values are equal.
#[derive(Debug, Clone)]
pub struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    scale: u32,
    /// Written with a decimal point (`1.0`): lopdf reads it as a real. Not part of the value.
    point: bool,
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        (self.negative, &self.digits, self.scale) == (other.negative, &other.digits, other.scale)
    }
}

impl Eq for Decimal {}

impl Decimal {
    /// Parses a PDF number lexeme (`12`, `-3.50`, `.5`, `+4.`); `None` if it is not one.
    pub fn parse(lexeme: &[u8]) -> Option<Self> {
        let (negative, rest) = match lexeme.first()? {
            b'-' => (true, &lexeme[1..]),
            b'+' => (false, &lexeme[1..]),
            _ => (false, lexeme),
        };
        let (int, frac) = match rest.iter().position(|b| *b == b'.') {
            Some(p) => (&rest[..p], &rest[p + 1..]),
            None => (rest, &[][..]),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.iter().chain(frac).all(u8::is_ascii_digit) {
            return None;
        }
        let mut digits: Vec<u8> = int.iter().chain(frac).copied().collect();
        let mut scale = u32::try_from(frac.len()).ok()?;
        while scale > 0 && digits.last() == Some(&b'0') {
            digits.pop();
            scale -= 1;
        }
        let lead = digits.iter().take_while(|d| **d == b'0').count();
        digits.drain(..lead);
        let negative = negative && !digits.is_empty();
        Some(Self {
            negative,
            digits,
            scale,
            point: rest.contains(&b'.'),
        })
    }

    /// Whether the lexeme had a decimal point (a real, for lopdf, even when whole).
    pub fn written_as_real(&self) -> bool {
        self.point
    }

    /// The value as an integer, when it is one and fits.
    pub fn as_i64(&self) -> Option<i64> {
        if self.scale != 0 || self.digits.len() > 18 {
            return None;
        }
        let mut v: i64 = 0;
        for d in &self.digits {
            v = v * 10 + i64::from(d - b'0');
        }
        Some(if self.negative { -v } else { v })
    }
}

impl std::fmt::Display for Decimal {
    /// The value in plain decimal notation (`-0.05`, `595.303937007874`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = String::from_utf8_lossy(&self.digits);
        let scale = self.scale as usize;
        let sign = if self.negative { "-" } else { "" };
        if digits.is_empty() {
            return write!(f, "0");
        }
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = if digits.len() <= scale {
            format!("{}{digits}", "0".repeat(scale - digits.len() + 1))
        } else {
            digits.into_owned()
        };
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

/// A value as read. Equality is by value: spans, spelling and white space do not count.
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Decimal),
    /// The name's bytes, `#xx` escapes decoded.
    Name(Vec<u8>),
    /// The string's bytes, escapes (literal) or hex digits decoded.
    String(Vec<u8>),
    Array(Vec<Node>),
    /// Entries in file order (a repeated key keeps every occurrence; the last one counts).
    Dict(Vec<(Vec<u8>, Node)>),
    Ref(u32, u16),
    /// Any other bare word (a malformed number, an unknown keyword), by its bytes.
    Other(Vec<u8>),
}

/// A value and the bytes it was read from (`span` indexes the buffer it was parsed from).
#[derive(Debug, Clone)]
pub struct Node {
    pub span: Range<usize>,
    pub value: Value,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (Name(a), Name(b)) | (String(a), String(b)) | (Other(a), Other(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (Ref(a, g), Ref(b, h)) => a == b && g == h,
            (Dict(_), Dict(_)) => {
                let (a, b) = (self.entries(), other.entries());
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k) == Some(v))
            }
            _ => false,
        }
    }
}

impl Value {
    /// A dictionary's entries as a map (the last occurrence of a repeated key wins); empty
    /// for anything else.
    pub fn entries(&self) -> HashMap<&[u8], &Node> {
        let mut m = HashMap::new();
        if let Value::Dict(items) = self {
            for (k, v) in items {
                m.insert(k.as_slice(), v);
            }
        }
        m
    }
}

impl Node {
    /// A dictionary's entry (the last occurrence of the key).
    pub fn get(&self, key: &[u8]) -> Option<&Node> {
        match &self.value {
            Value::Dict(items) => items.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn is_dict(&self) -> bool {
        matches!(self.value, Value::Dict(_))
    }

    pub fn is_array(&self) -> bool {
        matches!(self.value, Value::Array(_))
    }

    pub fn as_ref(&self) -> Option<(u32, u16)> {
        match self.value {
            Value::Ref(n, g) => Some((n, g)),
            _ => None,
        }
    }

    /// Sets a dictionary's entry: the value's bytes replaced where the key is, or the entry
    /// added before the closing `>>`.
    pub fn set(&self, key: &[u8], value: &[u8]) -> Result<Splice, RawError> {
        if !self.is_dict() {
            return Err(err(self.span.start, "not a dictionary"));
        }
        Ok(match self.get(key) {
            // A space first: the old value may have followed the key without one (`/A[]`).
            Some(old) => Splice {
                at: old.span.clone(),
                with: [b" ", value].concat(),
            },
            None => {
                let mut with = b" ".to_vec();
                crate::object::write_name(&mut with, key);
                with.push(b' ');
                with.extend_from_slice(value);
                let end = self.span.end - 2;
                Splice { at: end..end, with }
            }
        })
    }

    /// Adds entries (already serialised, ` /Key value` each) before a dictionary's `>>`; the
    /// caller makes sure the keys are new.
    pub fn add_entries(&self, entries: &[u8]) -> Result<Splice, RawError> {
        if !self.is_dict() {
            return Err(err(self.span.start, "not a dictionary"));
        }
        let end = self.span.end - 2;
        Ok(Splice {
            at: end..end,
            with: entries.to_vec(),
        })
    }

    /// Appends items (already serialised, each preceded by a space) before an array's `]`.
    pub fn push(&self, items: &[u8]) -> Result<Splice, RawError> {
        if !self.is_array() {
            return Err(err(self.span.start, "not an array"));
        }
        let end = self.span.end - 1;
        Ok(Splice {
            at: end..end,
            with: items.to_vec(),
        })
    }
}

/// One change to an object's bytes: `at` (within the object) replaced by `with`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    pub at: Range<usize>,
    pub with: Vec<u8>,
}

fn is_ws(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

fn is_delim(b: u8) -> bool {
    b"()<>[]{}/%".contains(&b)
}

/// Reads values from a buffer.
pub struct Parser<'b> {
    buf: &'b [u8],
    pub pos: usize,
}

impl<'b> Parser<'b> {
    /// A parser at `pos` (a position past the end reads as the end).
    pub fn new(buf: &'b [u8], pos: usize) -> Self {
        Self {
            buf,
            pos: pos.min(buf.len()),
        }
    }

    pub fn skip_ws(&mut self) {
        while let Some(&b) = self.buf.get(self.pos) {
            if is_ws(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(&c) = self.buf.get(self.pos) {
                    if c == b'\r' || c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// A bare word (regular characters up to white space or a delimiter).
    fn word(&mut self) -> &'b [u8] {
        let start = self.pos;
        while let Some(&b) = self.buf.get(self.pos) {
            if is_ws(b) || is_delim(b) {
                break;
            }
            self.pos += 1;
        }
        &self.buf[start..self.pos]
    }

    /// The next bare word, if it is an unsigned integer (up to 10 digits).
    pub fn unsigned_word(&mut self) -> Option<u64> {
        let w = self.word();
        Self::unsigned(w)
    }

    /// The next bare word.
    pub fn keyword(&mut self) -> &'b [u8] {
        self.word()
    }

    fn unsigned(word: &[u8]) -> Option<u64> {
        if word.is_empty() || word.len() > 10 || !word.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(word).ok()?.parse().ok()
    }

    /// Reads `N G obj` and returns N and G.
    pub fn object_header(&mut self) -> Result<(u32, u16), RawError> {
        self.skip_ws();
        let at = self.pos;
        let n = Self::unsigned(self.word()).and_then(|n| u32::try_from(n).ok());
        self.skip_ws();
        let g = Self::unsigned(self.word()).and_then(|g| u16::try_from(g).ok());
        self.skip_ws();
        let kw = self.word();
        match (n, g, kw) {
            (Some(n), Some(g), b"obj") => Ok((n, g)),
            _ => Err(err(at, "no `N G obj` header")),
        }
    }

    /// One value, starting after any white space.
    pub fn value(&mut self) -> Result<Node, RawError> {
        self.value_at_depth(0)
    }

    fn value_at_depth(&mut self, depth: usize) -> Result<Node, RawError> {
        if depth > MAX_DEPTH {
            return Err(err(self.pos, "nested too deeply"));
        }
        self.skip_ws();
        let start = self.pos;
        let b = *self
            .buf
            .get(start)
            .ok_or_else(|| err(start, "unexpected end"))?;
        let value = match b {
            b'<' if self.buf.get(start + 1) == Some(&b'<') => {
                self.pos += 2;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.buf.get(self.pos) {
                        Some(b'>') if self.buf.get(self.pos + 1) == Some(&b'>') => {
                            self.pos += 2;
                            break;
                        }
                        Some(b'/') => {
                            let key = self.name()?;
                            let v = self.value_at_depth(depth + 1)?;
                            items.push((key, v));
                        }
                        Some(_) => return Err(err(self.pos, "a dictionary key must be a name")),
                        None => return Err(err(start, "unterminated dictionary")),
                    }
                }
                Value::Dict(items)
            }
            b'<' => Value::String(self.hex_string()?),
            b'(' => Value::String(self.literal_string()?),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.buf.get(self.pos) {
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        Some(_) => items.push(self.value_at_depth(depth + 1)?),
                        None => return Err(err(start, "unterminated array")),
                    }
                }
                Value::Array(items)
            }
            b'/' => Value::Name(self.name()?),
            _ => {
                let word = self.word();
                if word.is_empty() {
                    return Err(err(start, format!("unexpected byte {:?}", b as char)));
                }
                match word {
                    b"true" => Value::Bool(true),
                    b"false" => Value::Bool(false),
                    b"null" => Value::Null,
                    _ => match Decimal::parse(word) {
                        Some(d) => self.maybe_reference(word).unwrap_or(Value::Number(d)),
                        None => Value::Other(word.to_vec()),
                    },
                }
            }
        };
        Ok(Node {
            span: start..self.pos,
            value,
        })
    }

    /// After an unsigned integer: `G R` makes it a reference (the position moves past it);
    /// otherwise nothing is consumed.
    fn maybe_reference(&mut self, first: &[u8]) -> Option<Value> {
        let n = u32::try_from(Self::unsigned(first)?).ok()?;
        let save = self.pos;
        self.skip_ws();
        let g = Self::unsigned(self.word()).and_then(|g| u16::try_from(g).ok());
        self.skip_ws();
        let r = self.word();
        if let (Some(g), b"R") = (g, r) {
            return Some(Value::Ref(n, g));
        }
        self.pos = save;
        None
    }

    fn name(&mut self) -> Result<Vec<u8>, RawError> {
        self.pos += 1; // the '/'
        let raw = self.word();
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'#'
                && let Some(v) = raw
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
            out.push(raw[i]);
            i += 1;
        }
        Ok(out)
    }

    fn hex_string(&mut self) -> Result<Vec<u8>, RawError> {
        let start = self.pos;
        self.pos += 1;
        let mut nibbles = Vec::new();
        loop {
            let b = *self
                .buf
                .get(self.pos)
                .ok_or_else(|| err(start, "unterminated hex string"))?;
            self.pos += 1;
            match b {
                b'>' => break,
                b'0'..=b'9' => nibbles.push(b - b'0'),
                b'a'..=b'f' => nibbles.push(b - b'a' + 10),
                b'A'..=b'F' => nibbles.push(b - b'A' + 10),
                _ if is_ws(b) => {}
                _ => return Err(err(self.pos - 1, "not a hex digit")),
            }
        }
        if nibbles.len() % 2 == 1 {
            nibbles.push(0);
        }
        Ok(nibbles.chunks(2).map(|c| c[0] << 4 | c[1]).collect())
    }

    fn literal_string(&mut self) -> Result<Vec<u8>, RawError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 0usize;
        loop {
            let b = *self
                .buf
                .get(self.pos)
                .ok_or_else(|| err(start, "unterminated string"))?;
            self.pos += 1;
            match b {
                b'\\' => {
                    let c = *self
                        .buf
                        .get(self.pos)
                        .ok_or_else(|| err(start, "unterminated string"))?;
                    self.pos += 1;
                    match c {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(c - b'0');
                            for _ in 0..2 {
                                match self.buf.get(self.pos) {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        // A backslash before an end of line continues the string.
                        b'\r' => {
                            if self.buf.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' if depth == 0 => break,
                b')' => {
                    depth -= 1;
                    out.push(b);
                }
                // An unescaped end of line reads as a single line feed.
                b'\r' => {
                    if self.buf.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    }
                    out.push(b'\n');
                }
                _ => out.push(b),
            }
        }
        Ok(out)
    }
}

/// Parses one value at the start of `buf` (white space allowed before it).
pub fn parse(buf: &[u8]) -> Result<Node, RawError> {
    Parser::new(buf, 0).value()
}

/// The bytes an object was read from: the file itself, or a decoded object stream.
#[derive(Debug, Clone)]
pub enum Buf<'s> {
    File(&'s [u8]),
    Decoded(Rc<Vec<u8>>),
}

impl Buf<'_> {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Buf::File(b) => b,
            Buf::Decoded(v) => v,
        }
    }
}

/// An existing object: its value with spans into `buf`.
#[derive(Debug, Clone)]
pub struct RawObject<'s> {
    pub buf: Buf<'s>,
    pub node: Node,
}

impl RawObject<'_> {
    /// The object's bytes as written.
    pub fn original(&self) -> &[u8] {
        &self.buf.bytes()[self.node.span.clone()]
    }

    /// The object's bytes with the splices applied (their spans index the same buffer and
    /// must lie within the object and not overlap; insertions at one place keep their order).
    pub fn spliced(&self, mut splices: Vec<Splice>) -> Result<Vec<u8>, RawError> {
        splices.sort_by_key(|s| (s.at.start, s.at.end));
        let span = self.node.span.clone();
        let buf = self.buf.bytes();
        let mut out =
            Vec::with_capacity(span.len() + splices.iter().map(|s| s.with.len()).sum::<usize>());
        let mut at = span.start;
        for s in &splices {
            if s.at.start < at || s.at.end > span.end || s.at.start > s.at.end {
                return Err(err(s.at.start, "overlapping or misplaced edit"));
            }
            out.extend_from_slice(&buf[at..s.at.start]);
            out.extend_from_slice(&s.with);
            at = s.at.end;
        }
        out.extend_from_slice(&buf[at..span.end]);
        Ok(out)
    }
}

/// A decoded object stream: its `/First`, its data, and its header's (number, offset) pairs.
type Decoded = (usize, Rc<Vec<u8>>, Rc<Vec<(u32, usize)>>);

/// Finds objects' bytes through a document's cross-reference table (as lopdf read it),
/// decoding each object stream once.
pub struct Locator<'s, 'd> {
    bytes: &'s [u8],
    doc: &'d Document,
    streams: RefCell<HashMap<u32, Decoded>>,
}

impl<'s, 'd> Locator<'s, 'd> {
    pub fn new(bytes: &'s [u8], doc: &'d Document) -> Self {
        Self {
            bytes,
            doc,
            streams: RefCell::new(HashMap::new()),
        }
    }

    /// The object `number` as the document's newest cross-reference entry defines it.
    pub fn object(&self, number: u32) -> Result<RawObject<'s>, RawError> {
        match self.doc.reference_table.entries.get(&number) {
            Some(XrefEntry::Normal { offset, .. }) => {
                let offset = *offset as usize;
                let mut p = Parser::new(self.bytes, offset);
                let (n, _) = p.object_header()?;
                if n != number {
                    return Err(err(offset, format!("object {number} is not at its offset")));
                }
                let node = p.value()?;
                Ok(RawObject {
                    buf: Buf::File(self.bytes),
                    node,
                })
            }
            Some(XrefEntry::Compressed { container, index }) => {
                let (first, data, pairs) = self.stream(*container)?;
                let (n, at) =
                    objstm_entry(&data, first, &pairs, *index as usize).ok_or_else(|| {
                        err(0, format!("object stream {container} has no entry {index}"))
                    })?;
                if n != number {
                    return Err(err(
                        at,
                        format!("object stream {container} does not hold {number}"),
                    ));
                }
                let node = Parser::new(&data, at).value()?;
                Ok(RawObject {
                    buf: Buf::Decoded(data),
                    node,
                })
            }
            _ => Err(err(0, format!("object {number} is not in use"))),
        }
    }

    /// A decoded object stream and its `/First`.
    fn stream(&self, container: u32) -> Result<Decoded, RawError> {
        if let Some(d) = self.streams.borrow().get(&container) {
            return Ok(d.clone());
        }
        let stream = self
            .doc
            .objects
            .range((container, 0)..=(container, u16::MAX))
            .next()
            .and_then(|(_, o)| o.as_stream().ok())
            .ok_or_else(|| err(0, format!("object stream {container} is missing")))?;
        let data = stream
            .get_plain_content_with_limit(MAX_OBJSTM)
            .map_err(|e| err(0, format!("object stream {container}: {e}")))?;
        let first = stream
            .dict
            .get(b"First")
            .and_then(lopdf::Object::as_i64)
            .ok()
            .and_then(|f| usize::try_from(f).ok())
            .filter(|f| *f <= data.len())
            .ok_or_else(|| err(0, format!("object stream {container} has no valid /First")))?;
        // The header, read once (at most /N pairs, and never more than it can hold).
        let count = stream
            .dict
            .get(b"N")
            .and_then(lopdf::Object::as_i64)
            .ok()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0)
            .min(first / 2);
        let pairs: Vec<(u32, usize)> = objstm_header(&data[..first], count)
            .into_iter()
            .filter_map(|(n, o)| Some((u32::try_from(n).ok()?, usize::try_from(o).ok()?)))
            .collect();
        let entry = (first, Rc::new(data), Rc::new(pairs));
        self.streams.borrow_mut().insert(container, entry.clone());
        Ok(entry)
    }
}

/// An object stream's header: up to `count` (object number, offset) pairs, stopping at the
/// first that does not read.
pub fn objstm_header(header: &[u8], count: usize) -> Vec<(u64, u64)> {
    let mut pairs = Vec::with_capacity(count.min(header.len() / 2));
    let mut p = Parser::new(header, 0);
    for _ in 0..count {
        p.skip_ws();
        let Some(n) = p.unsigned_word() else { break };
        p.skip_ws();
        let Some(off) = p.unsigned_word() else { break };
        pairs.push((n, off));
    }
    pairs
}

/// In a decoded object stream, the number and start of entry `index`.
fn objstm_entry(
    data: &[u8],
    first: usize,
    pairs: &[(u32, usize)],
    index: usize,
) -> Option<(u32, usize)> {
    let (n, off) = *pairs.get(index)?;
    let at = first.checked_add(off)?;
    (at < data.len()).then_some((n, at))
}

/// Serialises references as ` N G R` items for [`Node::push`].
pub fn ref_items(ids: &[(u32, u16)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, g) in ids {
        out.extend_from_slice(format!(" {n} {g} R").as_bytes());
    }
    out
}

#[cfg(test)]
mod tests;
