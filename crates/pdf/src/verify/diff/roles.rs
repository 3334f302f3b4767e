//! The judgments of each role an object had in the older revision: the catalog, the form, a
//! page, an annotation or field list, a field and its widget.

use super::*;

impl Judge<'_, '_, '_> {
    pub(super) fn catalog(&mut self, v: Versions<'_>) {
        let Versions { n, a, b, raw } = v;
        let r = (self.revision_of)(n);
        for (key, k) in v.changed() {
            match key.as_slice() {
                b"AcroForm" => {
                    let old_form = a
                        .get(b"AcroForm")
                        .ok()
                        .map(|f| resolve(self.old.doc, f))
                        .and_then(dict_of);
                    let new_form = b
                        .get(b"AcroForm")
                        .ok()
                        .map(|f| resolve(self.new.doc, f))
                        .and_then(dict_of);
                    let raw_forms = raw.and_then(|(ra, rb)| {
                        let empty = Node {
                            span: 0..0,
                            value: Value::Dict(Vec::new()),
                        };
                        let old = match ra.get(b"AcroForm") {
                            Some(_) => Self::raw_entry(self.old, ra, b"AcroForm")?,
                            None => empty,
                        };
                        Some((old, Self::raw_entry(self.new, rb, b"AcroForm")?))
                    });
                    match new_form {
                        Some(nf) => {
                            let empty = Dictionary::new();
                            self.acroform(Versions::of(
                                n,
                                old_form.unwrap_or(&empty),
                                nf,
                                &raw_forms,
                            ));
                        }
                        None => self.modification(n, None, "the form was removed".into()),
                    }
                }
                b"DSS" => self.push(
                    ChangeKind::ValidationData,
                    r,
                    vec![n],
                    None,
                    None,
                    "validation data (DSS) added to the catalog".into(),
                ),
                b"Extensions" => self.push(
                    ChangeKind::ValidationData,
                    r,
                    vec![n],
                    None,
                    None,
                    "developer extensions (e.g. ESIC) declared".into(),
                ),
                b"Version" | b"Metadata" => self.push(
                    ChangeKind::Metadata,
                    r,
                    vec![n],
                    None,
                    None,
                    format!("catalog /{k} updated"),
                ),
                _ => self.modification(n, None, format!("catalog entry /{k} changed")),
            }
        }
    }

    pub(super) fn acroform(&mut self, v: Versions<'_>) {
        let Versions { n, a, b, .. } = v;
        let r = (self.revision_of)(n);
        for (key, k) in v.changed() {
            match key.as_slice() {
                b"Fields" => {
                    let empty = Object::Array(Vec::new());
                    let old = a.get(b"Fields").unwrap_or(&empty);
                    let new = b.get(b"Fields").unwrap_or(&empty);
                    // An indirect array that stayed the same object is judged as itself.
                    if ref_number(old).is_some() && ref_number(old) == ref_number(new) {
                        continue;
                    }
                    self.list(n, old, new, None);
                }
                b"SigFlags" | b"DR" | b"DA" => self.push(
                    ChangeKind::Signature,
                    r,
                    vec![n],
                    None,
                    None,
                    format!("form /{k} set for signatures"),
                ),
                _ => self.modification(n, None, format!("form entry /{k} changed")),
            }
        }
    }

    pub(super) fn page(&mut self, v: Versions<'_>, page: u32) {
        let Versions { n, a, b, raw } = v;
        for key in Self::changed_keys(a, b, raw) {
            let k = String::from_utf8_lossy(&key).into_owned();
            if key.as_slice() == b"Annots" {
                let empty = Object::Array(Vec::new());
                let old = a.get(b"Annots").unwrap_or(&empty);
                let new = b.get(b"Annots").unwrap_or(&empty);
                if ref_number(old).is_some() && ref_number(old) == ref_number(new) {
                    continue;
                }
                self.list(n, old, new, Some(page));
                continue;
            }
            let mut objects = vec![n];
            if let Ok(v) = b.get(&key) {
                reachable(self.new.doc, v, &[b"Parent"], |x| {
                    if objects.len() < 16 {
                        objects.push(x);
                    }
                });
            }
            let r = (self.revision_of)(n);
            let old_refs = a.get(&key).ok().map(|v| refs_in(self.old.doc, v));
            let new_refs = b.get(&key).ok().map(|v| refs_in(self.new.doc, v));
            let shadow = match (&old_refs, &new_refs) {
                (Some(o), Some(nr)) => nr
                    .iter()
                    .any(|x| !o.contains(x) && get(self.old.doc, *x).is_some()),
                _ => false,
            };
            let description = if shadow {
                format!(
                    "page {page}: /{k} now refers to an object that already existed before (shadow attack)"
                )
            } else {
                format!("page {page}: /{k} changed")
            };
            self.push(
                ChangeKind::Modification,
                r,
                objects,
                Some(page),
                None,
                description,
            );
        }
    }

    /// An array of references that may only grow by new signature fields (the form's
    /// /Fields) or new signature widgets (a page's /Annots, when `page` is set).
    pub(super) fn list(&mut self, n: u32, old: &Object, new: &Object, page: Option<u32>) {
        let r = (self.revision_of)(n);
        let old_items = resolve(self.old.doc, old)
            .as_array()
            .cloned()
            .unwrap_or_default();
        let new_items = resolve(self.new.doc, new)
            .as_array()
            .cloned()
            .unwrap_or_default();
        let what = if page.is_some() {
            "annotation"
        } else {
            "form field"
        };
        for o in &old_items {
            if !new_items.contains(o) {
                let objects: Vec<u32> = ref_number(o).into_iter().collect();
                let where_ = page.map(|p| format!(" of page {p}")).unwrap_or_default();
                self.push(
                    ChangeKind::Modification,
                    r,
                    objects,
                    page,
                    None,
                    format!("an existing {what}{where_} was removed"),
                );
            }
        }
        for o in new_items.iter().filter(|o| !old_items.contains(o)) {
            let target = ref_number(o);
            let d = dict_of(resolve(self.new.doc, o));
            let is_new = self.new.is_new(self.old, o);
            let verdict = match (page, d) {
                (Some(_), Some(d)) => self.new.widget_field(d).map(|(sig, name)| (sig, name, d)),
                (None, Some(d)) => Some((name_of(d, b"FT") == Some(b"Sig"), field_name(d), d)),
                _ => None,
            };
            let objects: Vec<u32> = target.into_iter().collect();
            let where_ = page.map(|p| format!(" on page {p}")).unwrap_or_default();
            let (kind, field, description) = match verdict {
                // A signature widget on a page that no field of the form owns.
                Some((true, name, _))
                    if is_new
                        && page.is_some()
                        && target.is_some_and(|t| {
                            !self.new.fields.contains_key(&t) && !self.new.widgets.contains_key(&t)
                        }) =>
                {
                    (
                        ChangeKind::Modification,
                        Some(name),
                        format!(
                            "a signature {what} that belongs to no form field was added{where_}"
                        ),
                    )
                }
                // The Sneaky Signature attack: a signature field without a signature value of
                // its own (none, or one reused from an older field) whose appearance paints
                // over the page.
                Some((true, name, d)) if is_new && !self.signed(d) && self.paints(d) => (
                    ChangeKind::Modification,
                    Some(name),
                    format!(
                        "an unsigned signature {what} with a visible appearance was added{where_} (sneaky signature)"
                    ),
                ),
                Some((true, name, d)) if is_new => {
                    let kind = if is_doc_timestamp(self.new.doc, d) {
                        ChangeKind::DocumentTimestamp
                    } else {
                        ChangeKind::Signature
                    };
                    (kind, Some(name), format!("signature {what} added{where_}"))
                }
                Some((true, name, _)) => (
                    ChangeKind::Modification,
                    Some(name),
                    format!("a {what} that already existed before was added back (shadow attack)"),
                ),
                _ => {
                    let subtype = d
                        .and_then(|d| name_of(d, b"Subtype"))
                        .map(|s| format!(" (/{})", String::from_utf8_lossy(s)))
                        .unwrap_or_default();
                    (
                        ChangeKind::Modification,
                        None,
                        format!("{what}{subtype} added{where_}"),
                    )
                }
            };
            self.push(kind, r, objects, page, field, description);
        }
        if old_items.len() == new_items.len()
            && old_items.iter().all(|o| new_items.contains(o))
            && old_items != new_items
        {
            self.push(
                ChangeKind::Modification,
                r,
                vec![n],
                page,
                None,
                format!("the {what}s were reordered"),
            );
        }
    }

    /// Whether a new signature field (or one of its widgets) carries a signature value: a
    /// /V, on it or a parent field, that is a signature dictionary with /ByteRange and
    /// /Contents. (Whether that signature is valid is judged with the signatures.)
    pub(super) fn signed(&self, d: &Dictionary) -> bool {
        let doc = self.new.doc;
        let mut node = d;
        for _ in 0..MAX_DEPTH {
            if let Ok(v) = node.get(b"V") {
                // A value that already existed (another field's signature, reused) is no
                // signature of this field.
                let fresh = ref_number(v).is_some_and(|n| get(self.old.doc, n).is_none());
                return fresh
                    && dict_of(resolve(doc, v))
                        .is_some_and(|v| v.has(b"ByteRange") && v.has(b"Contents"));
            }
            match node
                .get(b"Parent")
                .ok()
                .map(|p| resolve(doc, p))
                .and_then(dict_of)
            {
                Some(p) => node = p,
                None => return false,
            }
        }
        false
    }

    /// Whether a widget (or, for a field with kids, any of them) shows something: a normal
    /// appearance, a rectangle with area, and not hidden.
    pub(super) fn paints(&self, d: &Dictionary) -> bool {
        let doc = self.new.doc;
        let num = |o: &Object| crate::doc::number(resolve(doc, o));
        let shows = |w: &Dictionary| {
            let flags = w.get(b"F").ok().and_then(num).unwrap_or(0.0) as i64;
            let hidden = flags & (2 | 32) != 0;
            let area = w
                .get(b"Rect")
                .ok()
                .map(|r| resolve(doc, r))
                .and_then(|r| r.as_array().ok())
                .map(|a| a.iter().filter_map(num).collect::<Vec<f64>>())
                .is_some_and(|n| n.len() == 4 && (n[2] - n[0]).abs() * (n[3] - n[1]).abs() > 0.0);
            let appearance = w
                .get(b"AP")
                .ok()
                .map(|ap| resolve(doc, ap))
                .and_then(dict_of)
                .is_some_and(|ap| ap.has(b"N"));
            !hidden && area && appearance
        };
        let kids_show = d
            .get(b"Kids")
            .ok()
            .map(|k| resolve(doc, k))
            .and_then(|k| k.as_array().ok())
            .is_some_and(|kids| {
                kids.iter()
                    .take(MAX_NODES)
                    .filter_map(|k| dict_of(resolve(doc, k)))
                    .any(shows)
            });
        shows(d) || kids_show
    }

    pub(super) fn field(&mut self, v: Versions<'_>, field: &FieldInfo) {
        let Versions { n, a, b, raw } = v;
        let r = (self.revision_of)(n);
        let keys = Self::changed_keys(a, b, raw);
        let page = self.old.page_of.get(&n).copied();
        let names: Vec<String> = keys
            .iter()
            .map(|k| format!("/{}", String::from_utf8_lossy(k)))
            .collect();
        let (kind, description) = if field.is_signature {
            let fill_only = keys
                .iter()
                .all(|k| matches!(k.as_slice(), b"V" | b"AP" | b"AS"));
            let new_value = b
                .get(b"V")
                .ok()
                .is_some_and(|v| self.new.is_new(self.old, v));
            if !field.signed && fill_only && new_value {
                (
                    ChangeKind::Signature,
                    format!("empty signature field {} signed", field.name),
                )
            } else {
                (
                    ChangeKind::Modification,
                    format!(
                        "signature field {} changed ({})",
                        field.name,
                        names.join(", ")
                    ),
                )
            }
        } else if keys
            .iter()
            .all(|k| matches!(k.as_slice(), b"V" | b"AP" | b"AS" | b"RV"))
        {
            (
                ChangeKind::FormFill,
                format!("form field {} filled in", field.name),
            )
        } else {
            (
                ChangeKind::Modification,
                format!("form field {} changed ({})", field.name, names.join(", ")),
            )
        };
        self.push(
            kind,
            r,
            vec![n],
            page,
            Some(field.name.clone()),
            description,
        );
    }

    pub(super) fn widget(&mut self, v: Versions<'_>, field: &FieldInfo) {
        let Versions { n, a, b, raw } = v;
        let r = (self.revision_of)(n);
        let keys = Self::changed_keys(a, b, raw);
        let page = self.old.page_of.get(&n).copied();
        let appearance_only = keys
            .iter()
            .all(|k| matches!(k.as_slice(), b"AP" | b"AS" | b"V"));
        if appearance_only && !(field.is_signature && field.signed) {
            let kind = if field.is_signature {
                ChangeKind::Signature
            } else {
                ChangeKind::FormFill
            };
            self.push(
                kind,
                r,
                vec![n],
                page,
                Some(field.name.clone()),
                format!("appearance of field {} updated", field.name),
            );
        } else {
            self.push(
                ChangeKind::Modification,
                r,
                vec![n],
                page,
                Some(field.name.clone()),
                format!("widget of field {} changed", field.name),
            );
        }
    }
}
