//! What changed between two revisions, judged by comparing object graphs, not bytes.
//!
//! An object a later revision defines anew is looked at through the role it had in the older
//! revision: the catalog, a page, the page tree, the form and its fields, a page's
//! annotation list, a widget, the DSS, the document information. Each role allows a few
//! changes (a signature field appended to the form, its widget appended to a page's
//! annotations, a field's value filled in, validation data added); anything else — page
//! content, resources, the page tree, other annotations, other catalog entries, a reference
//! switched to another (possibly older, "shadow") object, a removed object — is a
//! modification, named with its objects and the page it affects. Objects that are new in the
//! later revision matter only through the references an allowed change adds, and those must
//! point at new objects of the allowed kind.

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{Dictionary, Document, Object};

use super::report::{Change, ChangeKind};
use crate::raw::{Locator, Node, Value};

mod roles;

/// Bounds for walking hostile graphs.
const MAX_DEPTH: usize = 32;
const MAX_NODES: usize = 200_000;

/// A form field as found in a revision.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    pub name: String,
    pub is_signature: bool,
    pub signed: bool,
}

/// One revision's document with the roles of its objects.
pub struct Snapshot<'a> {
    pub doc: &'a Document,
    /// The objects' bytes as written, for lossless comparison (numbers by exact value).
    pub raw: Locator<'a, 'a>,
    pub root: Option<u32>,
    pub info: Option<u32>,
    /// Page object number → page number (1-based).
    pub pages: BTreeMap<u32, u32>,
    /// Intermediate /Pages nodes.
    pub page_tree: BTreeSet<u32>,
    /// Any object reachable from a page (content, resources, annotations…) → first page.
    pub page_of: BTreeMap<u32, u32>,
    pub acroform: Option<u32>,
    pub fields_array: Option<u32>,
    /// Indirect /Annots arrays → page number.
    pub annots_arrays: BTreeMap<u32, u32>,
    /// Form fields (with /T or /FT).
    pub fields: BTreeMap<u32, FieldInfo>,
    /// Widget annotations that are kids of a field → the field's number.
    pub widgets: BTreeMap<u32, u32>,
    /// Everything reachable from the catalog's /DSS.
    pub dss: BTreeSet<u32>,
    pub metadata: Option<u32>,
}

pub fn get(doc: &Document, number: u32) -> Option<&Object> {
    doc.objects
        .range((number, 0)..=(number, u16::MAX))
        .next()
        .map(|(_, o)| o)
}

/// Resolves a reference (one level at a time, bounded) or returns the object itself.
pub fn resolve<'d>(doc: &'d Document, mut o: &'d Object) -> &'d Object {
    for _ in 0..MAX_DEPTH {
        match o {
            Object::Reference(id) => match doc.objects.get(id) {
                Some(next) => o = next,
                None => return &Object::Null,
            },
            _ => return o,
        }
    }
    &Object::Null
}

fn ref_number(o: &Object) -> Option<u32> {
    match o {
        Object::Reference((n, _)) => Some(*n),
        _ => None,
    }
}

pub fn dict_of(o: &Object) -> Option<&Dictionary> {
    match o {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn name_of<'o>(d: &'o Dictionary, key: &[u8]) -> Option<&'o [u8]> {
    d.get(key).ok().and_then(|o| o.as_name().ok())
}

pub fn text(o: &Object) -> Option<String> {
    match o {
        Object::String(s, _) => Some(decode_text(s)),
        Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    }
}

/// A PDF text string: UTF-16BE with a BOM, UTF-8 with a BOM, else PDFDocEncoding (read as
/// Latin-1, which agrees on the printable range).
pub fn decode_text(s: &[u8]) -> String {
    if let Some(rest) = s.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = s.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    s.iter().map(|&b| char::from(b)).collect()
}

fn id_text(n: u32, doc: &Document) -> String {
    let generation = doc
        .objects
        .range((n, 0)..=(n, u16::MAX))
        .next()
        .map(|((_, g), _)| *g)
        .unwrap_or(0);
    format!("{n} {generation}")
}

/// Calls `visit` on every object number reachable from `start` (not crossing the keys in
/// `skip`), breadth-first, bounded.
fn reachable(doc: &Document, start: &Object, skip: &[&[u8]], mut visit: impl FnMut(u32)) {
    let mut seen = BTreeSet::new();
    let mut queue: Vec<(&Object, usize)> = vec![(start, 0)];
    let mut steps = 0;
    while let Some((o, depth)) = queue.pop() {
        steps += 1;
        if steps > MAX_NODES || depth > MAX_DEPTH {
            break;
        }
        match o {
            Object::Reference(id) if seen.insert(id.0) => {
                visit(id.0);
                if let Some(next) = doc.objects.get(id) {
                    queue.push((next, depth + 1));
                }
            }
            Object::Array(items) => queue.extend(items.iter().map(|i| (i, depth + 1))),
            Object::Dictionary(d) => push_dict(&mut queue, d, skip, depth),
            Object::Stream(s) => push_dict(&mut queue, &s.dict, skip, depth),
            _ => {}
        }
    }
}

fn push_dict<'d>(
    queue: &mut Vec<(&'d Object, usize)>,
    d: &'d Dictionary,
    skip: &[&[u8]],
    depth: usize,
) {
    for (k, v) in d.iter() {
        if !skip.contains(&k.as_slice()) {
            queue.push((v, depth + 1));
        }
    }
}

impl<'a> Snapshot<'a> {
    /// `bytes` is the whole file (every revision's offsets index it).
    pub fn new(bytes: &'a [u8], doc: &'a Document) -> Self {
        let mut s = Snapshot {
            doc,
            raw: Locator::new(bytes, doc),
            root: doc.trailer.get(b"Root").ok().and_then(ref_number),
            info: doc.trailer.get(b"Info").ok().and_then(ref_number),
            pages: BTreeMap::new(),
            page_tree: BTreeSet::new(),
            page_of: BTreeMap::new(),
            acroform: None,
            fields_array: None,
            annots_arrays: BTreeMap::new(),
            fields: BTreeMap::new(),
            widgets: BTreeMap::new(),
            dss: BTreeSet::new(),
            metadata: None,
        };
        let Some(catalog) = s.catalog() else {
            return s;
        };
        s.walk_page_tree(catalog.get(b"Pages").ok());
        let pages: Vec<(u32, u32)> = s.pages.iter().map(|(n, p)| (*n, *p)).collect();
        for (number, page_no) in pages {
            let Some(page) = get(doc, number).and_then(dict_of) else {
                continue;
            };
            if let Ok(annots) = page.get(b"Annots")
                && let Some(n) = ref_number(annots)
            {
                s.annots_arrays.insert(n, page_no);
            }
            let mut reached = Vec::new();
            for (k, v) in page.iter() {
                if k.as_slice() != b"Parent" {
                    reachable(doc, v, &[b"Parent", b"P"], |n| reached.push(n));
                }
            }
            for n in reached {
                s.page_of.entry(n).or_insert(page_no);
            }
        }
        if let Ok(form) = catalog.get(b"AcroForm") {
            s.acroform = ref_number(form);
            if let Some(form) = dict_of(resolve(doc, form))
                && let Ok(fields) = form.get(b"Fields")
            {
                s.fields_array = ref_number(fields);
                let fields = resolve(doc, fields).as_array().ok().cloned();
                for f in fields.unwrap_or_default() {
                    s.walk_field(&f, "", None, 0);
                }
            }
        }
        if let Ok(dss) = catalog.get(b"DSS") {
            let mut set = BTreeSet::new();
            reachable(doc, dss, &[], |n| {
                set.insert(n);
            });
            s.dss = set;
        }
        s.metadata = catalog.get(b"Metadata").ok().and_then(ref_number);
        s
    }

    pub fn catalog(&self) -> Option<&'a Dictionary> {
        self.root.and_then(|n| get(self.doc, n)).and_then(dict_of)
    }

    fn walk_page_tree(&mut self, node: Option<&Object>) {
        let Some(node) = node else { return };
        let mut stack = vec![(node.clone(), 0usize)];
        let mut seen = BTreeSet::new();
        let mut page_no = 0u32;
        // Depth-first in document order: push kids reversed.
        while let Some((o, depth)) = stack.pop() {
            let Some(n) = ref_number(&o) else { continue };
            if depth > MAX_DEPTH || !seen.insert(n) || seen.len() > MAX_NODES {
                continue;
            }
            let Some(d) = get(self.doc, n).and_then(dict_of) else {
                continue;
            };
            match d.get(b"Kids").ok().map(|k| resolve(self.doc, k)) {
                Some(Object::Array(kids)) if name_of(d, b"Type") != Some(b"Page") => {
                    self.page_tree.insert(n);
                    for k in kids.iter().rev() {
                        stack.push((k.clone(), depth + 1));
                    }
                }
                _ => {
                    page_no += 1;
                    self.pages.insert(n, page_no);
                }
            }
        }
    }

    fn walk_field(&mut self, o: &Object, prefix: &str, inherited_ft: Option<&[u8]>, depth: usize) {
        if depth > MAX_DEPTH || self.fields.len() > MAX_NODES {
            return;
        }
        let Some(n) = ref_number(o) else { return };
        if self.fields.contains_key(&n) {
            return;
        }
        let Some(d) = get(self.doc, n).and_then(dict_of) else {
            return;
        };
        let partial = d.get(b"T").ok().and_then(text);
        let ft = name_of(d, b"FT").or(inherited_ft);
        let name = match (&partial, prefix.is_empty()) {
            (Some(t), true) => t.clone(),
            (Some(t), false) => format!("{prefix}.{t}"),
            (None, _) => prefix.to_string(),
        };
        let is_signature = ft == Some(b"Sig");
        self.fields.insert(
            n,
            FieldInfo {
                name: name.clone(),
                is_signature,
                signed: d.has(b"V"),
            },
        );
        let kids = d
            .get(b"Kids")
            .ok()
            .and_then(|k| resolve(self.doc, k).as_array().ok())
            .cloned()
            .unwrap_or_default();
        let ft = ft.map(<[u8]>::to_vec);
        for kid in kids {
            let Some(k) = ref_number(&kid) else { continue };
            let Some(kd) = get(self.doc, k).and_then(dict_of) else {
                continue;
            };
            if kd.has(b"T") {
                self.walk_field(&kid, &name, ft.as_deref(), depth + 1);
            } else {
                self.widgets.insert(k, n);
            }
        }
    }

    /// The field an annotation belongs to (itself when merged), if it is a widget.
    fn widget_field(&self, d: &Dictionary) -> Option<(bool, String)> {
        if name_of(d, b"Subtype") != Some(b"Widget") {
            return None;
        }
        let mut node = d;
        let mut name = Vec::new();
        let mut ft = None;
        for _ in 0..MAX_DEPTH {
            if let Some(t) = node.get(b"T").ok().and_then(text) {
                name.push(t);
            }
            if ft.is_none() {
                ft = name_of(node, b"FT");
            }
            match node.get(b"Parent").ok().and_then(ref_number) {
                Some(p) => match get(self.doc, p).and_then(dict_of) {
                    Some(pd) => node = pd,
                    None => break,
                },
                None => break,
            }
        }
        name.reverse();
        Some((ft == Some(b"Sig"), name.join(".")))
    }

    fn is_new(&self, old: &Snapshot<'_>, o: &Object) -> bool {
        ref_number(o).is_some_and(|n| get(old.doc, n).is_none())
    }
}

/// Judges what `new` changed relative to `old`. `changed` are the object numbers whose
/// definition differs; `revision_of(n)` says which revision made the change.
pub fn diff(
    old: &Snapshot<'_>,
    new: &Snapshot<'_>,
    changed: &[u32],
    revision_of: &dyn Fn(u32) -> usize,
) -> Vec<Change> {
    let mut out = Judge {
        old,
        new,
        changes: Vec::new(),
        revision_of,
    };
    if old.root != new.root {
        let r = new.root.map(revision_of).unwrap_or(0);
        out.push(
            ChangeKind::Modification,
            r,
            new.root.into_iter().collect(),
            None,
            None,
            "the trailer's /Root now points to another catalog".into(),
        );
    }
    for &n in changed {
        out.object(n);
    }
    out.changes
}

/// Object `n` as a dictionary in the older (`a`) and the newer (`b`) revision, with both
/// revisions' lossless parse of it when there is one.
#[derive(Clone, Copy)]
struct Versions<'v> {
    n: u32,
    a: &'v Dictionary,
    b: &'v Dictionary,
    raw: Option<&'v (Node, Node)>,
}

impl<'v> Versions<'v> {
    fn of(n: u32, a: &'v Dictionary, b: &'v Dictionary, raw: &'v Option<(Node, Node)>) -> Self {
        Self {
            n,
            a,
            b,
            raw: raw.as_ref(),
        }
    }

    /// The keys whose values differ, each with its name as text.
    fn changed(&self) -> Vec<(Vec<u8>, String)> {
        Judge::changed_keys(self.a, self.b, self.raw)
            .into_iter()
            .map(|key| {
                let name = String::from_utf8_lossy(&key).into_owned();
                (key, name)
            })
            .collect()
    }
}

struct Judge<'j, 'a, 'b> {
    old: &'j Snapshot<'a>,
    new: &'j Snapshot<'b>,
    changes: Vec<Change>,
    revision_of: &'j dyn Fn(u32) -> usize,
}

impl Judge<'_, '_, '_> {
    fn push(
        &mut self,
        kind: ChangeKind,
        revision: usize,
        objects: Vec<u32>,
        page: Option<u32>,
        field: Option<String>,
        description: String,
    ) {
        let objects = objects
            .into_iter()
            .map(|n| id_text(n, self.new.doc))
            .collect();
        self.changes.push(Change {
            kind,
            revision,
            objects,
            page,
            field,
            description,
        });
    }

    fn modification(&mut self, n: u32, page: Option<u32>, description: String) {
        let r = (self.revision_of)(n);
        self.push(
            ChangeKind::Modification,
            r,
            vec![n],
            page,
            None,
            description,
        );
    }

    fn object(&mut self, n: u32) {
        let old_obj = get(self.old.doc, n);
        let new_obj = get(self.new.doc, n);
        let structural = |o: Option<&Object>| {
            o.and_then(dict_of)
                .is_some_and(|d| d.has_type(b"XRef") || d.has_type(b"ObjStm"))
        };
        if structural(old_obj) || structural(new_obj) {
            return;
        }
        let r = (self.revision_of)(n);
        let (old_obj, new_obj) = match (old_obj, new_obj) {
            (None, _) => return, // new: judged through whatever references it
            (Some(_), None) => {
                let page = self.old.page_of.get(&n).copied();
                self.modification(n, page, format!("object {n} was deleted"));
                return;
            }
            (Some(a), Some(b)) => (a, b),
        };
        let raw = self.raw_pair(n);
        let same = match (&raw, old_obj, new_obj) {
            // Stream contents are compared as lopdf read them (large ones by hash).
            (_, Object::Stream(_), _) | (_, _, Object::Stream(_)) => old_obj == new_obj,
            // Not readable losslessly: lopdf's equality would hide a change of precision.
            (None, _, _) => false,
            (Some((a, b)), _, _) => a == b,
        };
        if same {
            self.push(
                ChangeKind::Unchanged,
                r,
                vec![n],
                None,
                None,
                format!("object {n} written again unchanged"),
            );
            return;
        }
        let is_stream =
            matches!(old_obj, Object::Stream(_)) || matches!(new_obj, Object::Stream(_));
        if raw.is_none() && !is_stream && old_obj == new_obj {
            let page = self.old.page_of.get(&n).copied();
            self.modification(
                n,
                page,
                format!("object {n} was redefined and cannot be compared exactly"),
            );
            return;
        }
        let old_d = dict_of(old_obj);
        let new_d = dict_of(new_obj);
        let both = old_d.zip(new_d);
        let old = self.old;
        if Some(n) == old.root {
            match both {
                Some((a, b)) => self.catalog(Versions::of(n, a, b, &raw)),
                None => self.modification(n, None, "the catalog is no longer a dictionary".into()),
            }
        } else if Some(n) == old.info || Some(n) == self.new.info {
            self.push(
                ChangeKind::Metadata,
                r,
                vec![n],
                None,
                None,
                "document information updated".into(),
            );
        } else if let Some(&page) = old.pages.get(&n) {
            match both {
                Some((a, b)) => self.page(Versions::of(n, a, b, &raw), page),
                None => self.modification(n, Some(page), format!("page {page} was replaced")),
            }
        } else if old.page_tree.contains(&n) {
            self.modification(n, None, format!("the page tree node {n} changed"));
        } else if Some(n) == old.acroform {
            match both {
                Some((a, b)) => self.acroform(Versions::of(n, a, b, &raw)),
                None => self.modification(n, None, "the form was replaced".into()),
            }
        } else if Some(n) == old.fields_array {
            self.list(n, old_obj, new_obj, None);
        } else if let Some(&page) = old.annots_arrays.get(&n) {
            self.list(n, old_obj, new_obj, Some(page));
        } else if let Some(field) = old.fields.get(&n).cloned() {
            match both {
                Some((a, b)) => self.field(Versions::of(n, a, b, &raw), &field),
                None => self.modification(n, None, format!("field {} was replaced", field.name)),
            }
        } else if let Some(parent) = old.widgets.get(&n).copied() {
            let field = old.fields.get(&parent).cloned();
            match (both, field) {
                (Some((a, b)), Some(field)) => self.widget(Versions::of(n, a, b, &raw), &field),
                _ => {
                    let page = old.page_of.get(&n).copied();
                    self.modification(n, page, format!("widget {n} was replaced"))
                }
            }
        } else if old.dss.contains(&n) {
            self.push(
                ChangeKind::ValidationData,
                r,
                vec![n],
                None,
                None,
                "validation data (DSS) updated".into(),
            );
        } else if Some(n) == old.metadata {
            self.push(
                ChangeKind::Metadata,
                r,
                vec![n],
                None,
                None,
                "XMP metadata updated".into(),
            );
        } else {
            let page = old.page_of.get(&n).copied();
            let what = match page {
                Some(p) => format!("object {n}, used by page {p}, was redefined"),
                None => format!("object {n} was redefined"),
            };
            self.modification(n, page, what);
        }
    }

    /// Object `n` as written in the old and the new revision, losslessly; `None` when either
    /// cannot be read that way (the comparison then falls back to lopdf's objects).
    fn raw_pair(&self, n: u32) -> Option<(Node, Node)> {
        let a = self.old.raw.object(n).ok()?;
        let b = self.new.raw.object(n).ok()?;
        Some((a.node, b.node))
    }

    /// A dictionary entry's value in one revision, losslessly, through a reference.
    fn raw_entry(snapshot: &Snapshot<'_>, holder: &Node, key: &[u8]) -> Option<Node> {
        let v = holder.get(key)?;
        match v.as_ref() {
            Some((n, _)) => snapshot.raw.object(n).ok().map(|o| o.node),
            None => Some(v.clone()),
        }
    }

    /// The keys whose values differ. With the lossless objects, numbers compare by exact
    /// decimal value (a change of spelling only is no change; a change at any precision is);
    /// otherwise as lopdf read them.
    fn changed_keys(a: &Dictionary, b: &Dictionary, raw: Option<&(Node, Node)>) -> Vec<Vec<u8>> {
        if let Some((ra, rb)) = raw
            && let (Value::Dict(_), Value::Dict(_)) = (&ra.value, &rb.value)
        {
            let (ea, eb) = (ra.value.entries(), rb.value.entries());
            let mut keys: BTreeSet<Vec<u8>> = ea.keys().map(|k| k.to_vec()).collect();
            keys.extend(eb.keys().map(|k| k.to_vec()));
            return keys
                .into_iter()
                .filter(|k| ea.get(k.as_slice()) != eb.get(k.as_slice()))
                .collect();
        }
        let mut keys: BTreeSet<Vec<u8>> = a.iter().map(|(k, _)| k.clone()).collect();
        keys.extend(b.iter().map(|(k, _)| k.clone()));
        keys.into_iter()
            .filter(|k| a.get(k).ok() != b.get(k).ok())
            .collect()
    }
}

fn field_name(d: &Dictionary) -> String {
    d.get(b"T").ok().and_then(text).unwrap_or_default()
}

fn is_doc_timestamp(doc: &Document, field: &Dictionary) -> bool {
    field
        .get(b"V")
        .ok()
        .map(|v| resolve(doc, v))
        .and_then(dict_of)
        .is_some_and(|v| {
            v.has_type(b"DocTimeStamp") || name_of(v, b"SubFilter") == Some(b"ETSI.RFC3161")
        })
}

/// The object numbers referenced directly by a value (through arrays and direct
/// dictionaries, not through other objects).
fn refs_in(doc: &Document, o: &Object) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    let mut stack = vec![(o, 0usize)];
    while let Some((o, depth)) = stack.pop() {
        if depth > MAX_DEPTH || out.len() > MAX_NODES {
            break;
        }
        match o {
            Object::Reference((n, _)) => {
                out.insert(*n);
            }
            Object::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            Object::Dictionary(d) => stack.extend(d.iter().map(|(_, v)| (v, depth + 1))),
            _ => {}
        }
    }
    let _ = doc;
    out
}
