//! Reading the document to be updated: its pages with their boxes and rotation, the
//! catalog, the form, the kind of cross-reference section, DocMDP permissions. Reading is
//! [`crate::reader`]'s (objects into lopdf's model, stream bodies left in the file); nothing
//! here writes.

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::error::PdfError;
pub use crate::reader::Streams;

/// How the newest cross-reference section is written; an update uses the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrefKind {
    Table,
    Stream,
}

/// A rectangle in PDF points: lower-left and upper-right corners.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }
    fn from_array(o: &Object) -> Option<Rect> {
        let a = o.as_array().ok()?;
        if a.len() != 4 {
            return None;
        }
        let n: Vec<f64> = a.iter().filter_map(number).collect();
        if n.len() != 4 {
            return None;
        }
        Some(Rect {
            x0: n[0].min(n[2]),
            y0: n[1].min(n[3]),
            x1: n[0].max(n[2]),
            y1: n[1].max(n[3]),
        })
    }
    fn intersect(&self, o: &Rect) -> Rect {
        Rect {
            x0: self.x0.max(o.x0),
            y0: self.y0.max(o.y0),
            x1: self.x1.min(o.x1),
            y1: self.y1.min(o.y1),
        }
    }
}

pub fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// One page: its object, visible area (CropBox within MediaBox) and rotation.
#[derive(Debug, Clone)]
pub struct PageInfo {
    pub id: ObjectId,
    pub crop: Rect,
    /// 0, 90, 180 or 270 (clockwise, as displayed).
    pub rotate: i64,
}

impl PageInfo {
    /// Width and height as displayed (rotation applied).
    pub fn displayed_size(&self) -> (f64, f64) {
        if self.rotate % 180 == 0 {
            (self.crop.width(), self.crop.height())
        } else {
            (self.crop.height(), self.crop.width())
        }
    }

    /// Maps a point given in displayed coordinates (origin at the lower-left corner of the
    /// page as the user sees it) to default user space.
    pub fn to_user(&self, u: f64, v: f64) -> (f64, f64) {
        let (w, h) = (self.crop.width(), self.crop.height());
        let (a, b) = match self.rotate {
            90 => (w - v, u),
            180 => (w - u, h - v),
            270 => (v, h - u),
            _ => (u, v),
        };
        (self.crop.x0 + a, self.crop.y0 + b)
    }

    /// Maps a displayed rectangle (x, y, width, height) to a user-space rectangle.
    pub fn rect_to_user(&self, x: f64, y: f64, w: f64, h: f64) -> Rect {
        let (ax, ay) = self.to_user(x, y);
        let (bx, by) = self.to_user(x + w, y + h);
        Rect {
            x0: ax.min(bx),
            y0: ay.min(by),
            x1: ax.max(bx),
            y1: ay.max(by),
        }
    }

    /// The /Matrix an appearance needs so that it shows upright on the rotated page.
    pub fn upright_matrix(&self) -> [f64; 6] {
        match self.rotate {
            90 => [0.0, 1.0, -1.0, 0.0, 0.0, 0.0],
            180 => [-1.0, 0.0, 0.0, -1.0, 0.0, 0.0],
            270 => [0.0, -1.0, 1.0, 0.0, 0.0, 0.0],
            _ => [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
        }
    }
}

/// The document as read, with the bytes it was read from.
pub struct SourcePdf<'a> {
    pub bytes: &'a [u8],
    pub doc: Document,
    pub xref_kind: XrefKind,
    /// Offset of the newest cross-reference section (the next update's /Prev).
    pub startxref: usize,
    pub pages: Vec<PageInfo>,
    pub root_id: ObjectId,
    /// The first free object number.
    pub size: u32,
}

const MAX_TREE_DEPTH: usize = 64;

impl<'a> SourcePdf<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self, PdfError> {
        Self::parse_with(bytes, Streams::Structure, false)
    }

    /// As [`parse`](Self::parse), keeping other stream bodies too, and optionally accepting a
    /// document certified with DocMDP P=1 (which still permits validation data and document
    /// timestamps). Reading is [`crate::reader`]'s: no stream body is copied unless kept.
    pub fn parse_with(
        bytes: &'a [u8],
        streams: Streams,
        allow_certified_no_changes: bool,
    ) -> Result<Self, PdfError> {
        let loaded = crate::reader::load(bytes, streams)?;
        Self::from_loaded(bytes, loaded, allow_certified_no_changes)
    }

    /// As [`parse_with`](Self::parse_with), reading through `src`: only the document's
    /// structure is loaded (see [`crate::source`]). The bytes kept are `src`'s, where what was
    /// not loaded reads as zero; everything the engine reads of them afterwards (the objects a
    /// revision rewrites, the end of the file) was loaded.
    pub fn parse_source(
        src: &'a mut dyn crate::source::Source,
        streams: Streams,
        allow_certified_no_changes: bool,
    ) -> Result<Self, PdfError> {
        let loaded = crate::reader::load_from(&mut *src, streams)?;
        let src: &'a dyn crate::source::Source = src;
        Self::from_loaded(src.bytes(), loaded, allow_certified_no_changes)
    }

    fn from_loaded(
        bytes: &'a [u8],
        loaded: crate::reader::Loaded,
        allow_certified_no_changes: bool,
    ) -> Result<Self, PdfError> {
        let doc = loaded.doc;
        let root_id = doc
            .trailer
            .get(b"Root")
            .and_then(Object::as_reference)
            .map_err(|_| PdfError::Unreadable("the trailer has no /Root reference".into()))?;
        let trailer_size = doc
            .trailer
            .get(b"Size")
            .ok()
            .and_then(number)
            .unwrap_or(0.0);
        // The reader refuses object numbers past 2^23 - 1, so new numbers cannot wrap; a /Size
        // claiming more than that is ignored.
        let size = (trailer_size.clamp(0.0, 8_388_608.0) as u32).max(doc.max_id + 1);
        let mut pages = Vec::new();
        for (_, id) in doc.get_pages() {
            pages.push(page_info(&doc, id)?);
        }
        if pages.is_empty() {
            return Err(PdfError::Unreadable("the document has no pages".into()));
        }
        let src = Self {
            bytes,
            doc,
            xref_kind: loaded.xref_kind,
            startxref: loaded.startxref,
            pages,
            root_id,
            size,
        };
        if !allow_certified_no_changes && src.docmdp_permission() == Some(1) {
            return Err(PdfError::CertifiedNoChanges);
        }
        Ok(src)
    }

    pub fn catalog(&self) -> Result<&Dictionary, PdfError> {
        self.doc
            .get_object(self.root_id)
            .and_then(Object::as_dict)
            .map_err(|_| PdfError::Unreadable("the catalog is not a dictionary".into()))
    }

    /// An existing object's bytes, losslessly parsed, for a rewrite that must keep every
    /// entry it does not change (see [`crate::raw`]).
    pub fn raw(&self, id: ObjectId) -> Result<crate::raw::RawObject<'a>, PdfError> {
        crate::raw::Locator::new(self.bytes, &self.doc)
            .object(id.0)
            .map_err(|e| PdfError::Unreadable(format!("object {} {}: {e}", id.0, id.1)))
    }

    /// Resolves a reference (or returns the object itself).
    pub fn resolve<'o>(&'o self, o: &'o Object) -> &'o Object {
        self.doc.dereference(o).map(|(_, o)| o).unwrap_or(o)
    }

    /// The /P of a certification signature's DocMDP transform, if the document is certified.
    pub fn docmdp_permission(&self) -> Option<i64> {
        let catalog = self.catalog().ok()?;
        let perms = self.resolve(catalog.get(b"Perms").ok()?).as_dict().ok()?;
        let sig = self.resolve(perms.get(b"DocMDP").ok()?).as_dict().ok()?;
        let refs = self.resolve(sig.get(b"Reference").ok()?).as_array().ok()?;
        for r in refs {
            let Ok(r) = self.resolve(r).as_dict() else {
                continue;
            };
            if r.get(b"TransformMethod").and_then(Object::as_name).ok()
                == Some(b"DocMDP".as_slice())
            {
                let p = r
                    .get(b"TransformParams")
                    .ok()
                    .and_then(|tp| self.resolve(tp).as_dict().ok())
                    .and_then(|tp| tp.get(b"P").ok())
                    .and_then(number)
                    .unwrap_or(2.0);
                return Some(p as i64);
            }
        }
        None
    }

    /// Names of the existing fields at the top of the form, to pick an unused one.
    pub fn field_names(&self) -> Vec<Vec<u8>> {
        let mut names = Vec::new();
        let Ok(catalog) = self.catalog() else {
            return names;
        };
        let Some(form) = catalog
            .get(b"AcroForm")
            .ok()
            .and_then(|f| self.resolve(f).as_dict().ok())
        else {
            return names;
        };
        if let Some(fields) = form
            .get(b"Fields")
            .ok()
            .and_then(|f| self.resolve(f).as_array().ok())
        {
            for f in fields {
                if let Some(t) = self
                    .resolve(f)
                    .as_dict()
                    .ok()
                    .and_then(|d| d.get(b"T").ok())
                    .and_then(|t| t.as_str().ok())
                {
                    names.push(t.to_vec());
                }
            }
        }
        names
    }

    pub fn page(&self, number: u32) -> Result<&PageInfo, PdfError> {
        number
            .checked_sub(1)
            .and_then(|i| self.pages.get(i as usize))
            .ok_or(PdfError::PageOutOfRange {
                page: number,
                pages: self.pages.len() as u32,
            })
    }
}

/// A page's attribute, looked up through its ancestors as the spec's inheritance says.
fn inherited<'d>(doc: &'d Document, page: &'d Dictionary, key: &[u8]) -> Option<&'d Object> {
    let mut node = page;
    for _ in 0..MAX_TREE_DEPTH {
        if let Ok(v) = node.get(key) {
            return doc.dereference(v).ok().map(|(_, o)| o);
        }
        let parent = node.get(b"Parent").ok()?.as_reference().ok()?;
        node = doc.get_object(parent).ok()?.as_dict().ok()?;
    }
    None
}

fn page_info(doc: &Document, id: ObjectId) -> Result<PageInfo, PdfError> {
    let page = doc.get_object(id).and_then(Object::as_dict).map_err(|_| {
        PdfError::Unreadable(format!("page object {} {} is not a dictionary", id.0, id.1))
    })?;
    let media = inherited(doc, page, b"MediaBox")
        .and_then(Rect::from_array)
        .unwrap_or(Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 612.0,
            y1: 792.0,
        });
    let crop = inherited(doc, page, b"CropBox")
        .and_then(Rect::from_array)
        .map(|c| c.intersect(&media))
        .filter(|c| c.width() > 0.0 && c.height() > 0.0)
        .unwrap_or(media);
    let rotate = inherited(doc, page, b"Rotate")
        .and_then(number)
        .unwrap_or(0.0) as i64;
    let rotate = rotate.rem_euclid(360) / 90 * 90;
    Ok(PageInfo { id, crop, rotate })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(rotate: i64) -> PageInfo {
        PageInfo {
            id: (1, 0),
            crop: Rect {
                x0: 10.0,
                y0: 20.0,
                x1: 610.0,
                y1: 820.0,
            },
            rotate,
        }
    }

    #[test]
    fn displayed_rectangles_map_to_user_space() {
        let r = page(0).rect_to_user(100.0, 50.0, 40.0, 30.0);
        assert_eq!((r.x0, r.y0, r.x1, r.y1), (110.0, 70.0, 150.0, 100.0));
        // Rotated 90° clockwise: displayed 800 wide, 600 high.
        assert_eq!(page(90).displayed_size(), (800.0, 600.0));
        let r = page(90).rect_to_user(100.0, 50.0, 40.0, 30.0);
        assert_eq!(
            (r.x0, r.y0, r.x1, r.y1),
            (10.0 + 600.0 - 80.0, 120.0, 10.0 + 550.0, 160.0)
        );
        let r = page(180).rect_to_user(0.0, 0.0, 10.0, 10.0);
        assert_eq!((r.x0, r.y0, r.x1, r.y1), (600.0, 810.0, 610.0, 820.0));
        let r = page(270).rect_to_user(0.0, 0.0, 10.0, 20.0);
        assert_eq!((r.x0, r.y0, r.x1, r.y1), (10.0, 810.0, 30.0, 820.0));
    }
}
