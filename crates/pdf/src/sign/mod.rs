//! Signing: one signature = one incremental revision holding the signature field (with its
//! seal appearance), any date stamp and cross-page slices, and the signature dictionary whose
//! `/Contents` is filled last.
//!
//! Signing is split into [`prepare`] (build the revision with a placeholder, return the bytes
//! to digest) and [`PreparedRevision::finish`] (embed a CMS signature made elsewhere), so an
//! external signer fits; [`sign`] runs both with a key held here.

use chrono::{DateTime, FixedOffset, Utc};
use lopdf::{Dictionary, Object, StringFormat, dictionary};
use signet_pki::sign::{DocumentHasher, KeyAlgorithm, SigningKey};
use std::collections::BTreeMap;
use std::io::Write;
use x509_cert::Certificate;

use crate::appearance::{self, CjkFont, SealImage};
use crate::doc::{PageInfo, Rect, SourcePdf};
use crate::error::PdfError;
use crate::object::write_string;
use crate::raw;
use crate::source::{Image, Source, Store, Whole};
use crate::update::Update;

mod form;
mod notices;
mod placement;

use form::{add_annotations, add_field_to_form};
pub use notices::{Notice, notices, notices_in};
pub use placement::check_placement;
use placement::check_rect;

/// Where the seal of a signature goes: the API's placement, one type from the request to the
/// engine. A cross-page seal (骑缝章) is cut into one vertical slice per page of
/// `first..=last`, each at the right edge of its page with its bottom at `y` (as displayed).
pub use signet_domain::placement::Placement as Visible;

/// The signing date as text at a position of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct DateStamp {
    pub page: u32,
    /// Lower-left corner of the text box, as displayed.
    pub x: f64,
    pub y: f64,
    /// Font size in points.
    pub size: f64,
    /// A chrono format string; the default is `%Y年%m月%d日`.
    pub format: String,
}

impl DateStamp {
    pub const DEFAULT_FORMAT: &'static str = "%Y年%m月%d日";
}

/// Everything about one signature except the key.
#[derive(Debug, Clone)]
pub struct SignatureSpec {
    pub visible: Visible,
    /// PNG bytes of the seal (required for visible signatures).
    pub seal_png: Option<Vec<u8>>,
    pub date: Option<DateStamp>,
    /// `/Name`, `/Reason`, `/Location` of the signature dictionary.
    pub name: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
    /// The claimed signing time (`/M`), also the date shown by a date stamp (in China time).
    pub time: DateTime<Utc>,
    /// Extra bytes reserved in `/Contents` beyond the signature itself (room for a later
    /// signature timestamp).
    pub reserve: usize,
}

/// Default room for an RFC 3161 timestamp token added later (B-T).
pub const TIMESTAMP_ROOM: usize = 8192;

impl SignatureSpec {
    pub fn new(visible: Visible, time: DateTime<Utc>) -> Self {
        Self {
            visible,
            seal_png: None,
            date: None,
            name: None,
            reason: None,
            location: None,
            time,
            reserve: TIMESTAMP_ROOM,
        }
    }
}

/// A revision with its signature placeholder, ready for the CMS value.
pub struct PreparedRevision {
    bytes: Vec<u8>,
    /// Offset of `<` of the `/Contents` hex string, and of the byte after its `>`.
    hole: (usize, usize),
    pub byte_range: [usize; 4],
}

impl PreparedRevision {
    /// A revision kept elsewhere between prepare and finish (external signing): the bytes and
    /// the offsets of `<` and of the byte after `>` of the `/Contents` placeholder, as
    /// [`hole`](Self::hole) gave them. The placeholder must be there, all zeros.
    pub fn from_parts(bytes: Vec<u8>, hole: (usize, usize)) -> Result<Self, PdfError> {
        let (start, end) = hole;
        let ok = start < end
            && end <= bytes.len()
            && end - start >= 4
            && (end - start) % 2 == 0
            && bytes[start] == b'<'
            && bytes[end - 1] == b'>'
            && bytes[start + 1..end - 1].iter().all(|b| *b == b'0');
        if !ok {
            return Err(PdfError::Unreadable(
                "the prepared revision has no empty signature placeholder there".into(),
            ));
        }
        Ok(Self {
            byte_range: [0, start, end, bytes.len() - end],
            bytes,
            hole,
        })
    }

    /// Offsets of `<` and of the byte after `>` of the `/Contents` placeholder.
    pub fn hole(&self) -> (usize, usize) {
        self.hole
    }

    /// The whole prepared file, placeholder included (to keep until finish).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes the signature covers: everything but the `/Contents` hex string.
    pub fn covered(&self) -> [&[u8]; 2] {
        [&self.bytes[..self.hole.0], &self.bytes[self.hole.1..]]
    }

    pub fn digest(&self, alg: KeyAlgorithm) -> Vec<u8> {
        let mut h = DocumentHasher::new(alg);
        for part in self.covered() {
            h.update(part);
        }
        h.finalize()
    }

    /// Room for the DER signature, in bytes.
    pub fn room(&self) -> usize {
        (self.hole.1 - self.hole.0 - 2) / 2
    }

    /// Embeds the DER CMS signature as hex (padded with zeros) and returns the document.
    pub fn finish(mut self, cms_der: &[u8]) -> Result<Vec<u8>, PdfError> {
        let room = self.room();
        if cms_der.len() > room {
            return Err(PdfError::SignatureTooLarge {
                got: cms_der.len(),
                room,
            });
        }
        self.bytes[self.hole.0 + 1..self.hole.1 - 1].copy_from_slice(&contents_hex(cms_der, room));
        Ok(self.bytes)
    }
}

const BYTE_RANGE_PLACEHOLDER: &[u8] = b"/ByteRange [0 ********** ********** **********]";
/// Print, ReadOnly, Locked, LockedContents: seals, slices and dates cannot be moved or edited.
const WIDGET_FLAGS: i64 = 4 | 64 | 128 | 512;

fn pdf_date(t: DateTime<Utc>) -> Vec<u8> {
    t.format("D:%Y%m%d%H%M%SZ").to_string().into_bytes()
}

fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut b = vec![0xfe, 0xff];
        for u in s.encode_utf16() {
            b.extend_from_slice(&u.to_be_bytes());
        }
        Object::String(b, StringFormat::Hexadecimal)
    }
}

fn real(v: f64) -> Object {
    Object::Real(v as f32)
}

fn rect_obj(r: &Rect) -> Object {
    Object::Array(vec![real(r.x0), real(r.y0), real(r.x1), real(r.y1)])
}

/// One appearance of a signature: a widget on a page showing a form XObject.
struct Widget {
    page: u32,
    rect: Rect,
    form: (u32, u16),
}

/// An annotation to add to a page.
struct NewAnnot {
    page: u32,
    id: (u32, u16),
}

/// Adds an image appearance (image, mask, form) and returns the form's reference.
fn add_image_form(
    update: &mut Update,
    img: &SealImage,
    page: &PageInfo,
    w: f64,
    h: f64,
) -> (u32, u16) {
    let image_id = update.alloc();
    let mask_id = update.alloc();
    let form_id = update.alloc();
    let (image, mask) = img.xobjects(mask_id);
    update.set(image_id, &image);
    update.set(mask_id, &mask);
    let resources =
        dictionary! { "XObject" => dictionary! { "Im0" => Object::Reference(image_id) } };
    let form = appearance::form(
        w,
        h,
        page.upright_matrix(),
        resources,
        appearance::image_content(w, h),
    );
    update.set(form_id, &form);
    form_id
}

/// Builds the revision for `spec` on top of `input`, with `contents_room` bytes reserved for
/// the CMS signature.
pub fn prepare(
    input: &[u8],
    spec: &SignatureSpec,
    font: Option<&CjkFont>,
    contents_room: usize,
) -> Result<PreparedRevision, PdfError> {
    prepare_owned(input.to_vec(), spec, font, contents_room)
}

/// As [`prepare`], appending to `buf` in place: with spare capacity in `buf` (read the file
/// into a `Vec` with room to grow), a large document is never copied.
pub fn prepare_owned(
    buf: Vec<u8>,
    spec: &SignatureSpec,
    font: Option<&CjkFont>,
    contents_room: usize,
) -> Result<PreparedRevision, PdfError> {
    prepare_value(buf, spec, font, contents_room, ValueKind::Signature)
}

/// What the value dictionary of a new signature field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// `/Type /Sig`, `/SubFilter /ETSI.CAdES.detached`: a CMS signature.
    Signature,
    /// `/Type /DocTimeStamp`, `/SubFilter /ETSI.RFC3161`: an RFC 3161 token on the revision
    /// (the spec's appearance must be [`Visible::Invisible`]; its names and time are unused).
    DocTimeStamp,
}

/// As [`prepare_owned`], for a signature or a document timestamp.
pub(crate) fn prepare_value(
    mut buf: Vec<u8>,
    spec: &SignatureSpec,
    font: Option<&CjkFont>,
    contents_room: usize,
    kind: ValueKind,
) -> Result<PreparedRevision, PdfError> {
    let base = buf.len();
    let (tail, hole, byte_range) = {
        let mut src = Whole(&buf);
        let (written, sig_id) = build(&mut src, spec, font, contents_room, kind)?;
        placed(written, sig_id, base, contents_room)?
    };
    buf.extend_from_slice(&tail);
    Ok(PreparedRevision {
        bytes: buf,
        hole,
        byte_range,
    })
}

/// A revision ready to append: its bytes with the `/ByteRange` filled in, the offsets (in the
/// whole document) of `<` and of the byte after `>` of its `/Contents` placeholder, and the
/// byte range.
type Placed = (Vec<u8>, (usize, usize), [usize; 4]);

/// The revision `written` placed after a document of `base` bytes.
fn placed(
    written: crate::update::Written,
    sig_id: (u32, u16),
    base: usize,
    contents_room: usize,
) -> Result<Placed, PdfError> {
    let mut tail = written.tail;
    let sig_at = written
        .offsets
        .get(&sig_id.0)
        .and_then(|at| at.checked_sub(base))
        .unwrap_or(0);
    let find = |bytes: &[u8], needle: &[u8], from: usize| {
        memchr::memmem::find(bytes.get(from..)?, needle).map(|p| p + from)
    };
    let br_at = find(&tail, BYTE_RANGE_PLACEHOLDER, sig_at)
        .ok_or_else(|| PdfError::Unreadable("signature placeholder lost".into()))?;
    let lt = find(&tail, b"/Contents <", br_at)
        .map(|p| p + b"/Contents ".len())
        .ok_or_else(|| PdfError::Unreadable("contents placeholder lost".into()))?;
    let gt = lt + 2 + contents_room * 2;
    let (lt, gt, total) = (base + lt, base + gt, base + tail.len());
    let byte_range = [0, lt, gt, total - gt];
    let mut br = format!(
        "/ByteRange [0 {:<10} {:<10} {:<10}]",
        byte_range[1], byte_range[2], byte_range[3]
    )
    .into_bytes();
    if br.len() != BYTE_RANGE_PLACEHOLDER.len() {
        return Err(PdfError::Unreadable(
            "the document is too large for the ByteRange field".into(),
        ));
    }
    tail[br_at..br_at + br.len()].swap_with_slice(&mut br);
    Ok((tail, (lt, gt), byte_range))
}

/// Signs the document in `store` by appending the signed revision to it, with a key held
/// here: the same revision as [`sign`], but the document is never copied or held
/// whole. Only its structure is read (see [`crate::source`]); the signature's digest is taken
/// in one streaming pass over the store *after* the revision was appended, so it covers
/// exactly the bytes the store holds. `complete` sees the CMS signature before it is
/// embedded (a signature timestamp for B-T, see [`crate::pades`]). On any
/// failure after the append, the store is cut back to its length before.
pub fn sign_store<S: Store + ?Sized>(
    store: &mut S,
    spec: &SignatureSpec,
    key: &SigningKey,
    signer: &Certificate,
    chain: &[Certificate],
    font: Option<&CjkFont>,
    complete: &mut dyn FnMut(Vec<u8>) -> Result<Vec<u8>, PdfError>,
) -> Result<(), PdfError> {
    let dry = signet_pki::sign::prepare(signer, chain, &[0u8; 32])?;
    let room = dry.max_encoded_len() + spec.reserve;
    let base = usize::try_from(store.len())
        .map_err(|_| PdfError::Unreadable("the document is too large".into()))?;
    let (tail, hole, _) = {
        let built = match store.as_slice() {
            Some(bytes) => build(&mut Whole(bytes), spec, font, room, ValueKind::Signature),
            None => build(
                &mut Image::new(&*store)?,
                spec,
                font,
                room,
                ValueKind::Signature,
            ),
        };
        let (written, sig_id) = built?;
        placed(written, sig_id, base, room)?
    };
    store.append(&tail).map_err(PdfError::Storage)?;
    let signed = (|| {
        let mut h = DocumentHasher::new(dry.algorithm());
        let total = store.len();
        crate::source::hash_ranges(
            &*store,
            &[(0, hole.0 as u64), (hole.1 as u64, total)],
            &mut h,
        )?;
        let cms = signet_pki::sign::sign_detached(key, signer, chain, &h.finalize())?;
        let cms = complete(cms)?;
        if cms.len() > room {
            return Err(PdfError::SignatureTooLarge {
                got: cms.len(),
                room,
            });
        }
        store
            .write_all_at(&contents_hex(&cms, room), hole.0 as u64 + 1)
            .map_err(PdfError::Storage)
    })();
    if let Err(e) = signed {
        store.truncate(base as u64).map_err(PdfError::Storage)?;
        return Err(e);
    }
    Ok(())
}

/// The DER signature as the hex of a `/Contents` placeholder with room for `room` bytes.
fn contents_hex(der: &[u8], room: usize) -> Vec<u8> {
    let mut hex = Vec::with_capacity(room * 2);
    for b in der {
        let _ = write!(hex, "{b:02x}");
    }
    hex.resize(room * 2, b'0');
    hex
}

/// The revision's new and changed objects, serialised for appending, and the signature
/// dictionary's id (its placeholders are found and patched by [`prepare_owned`]).
fn build(
    input: &mut dyn Source,
    spec: &SignatureSpec,
    font: Option<&CjkFont>,
    contents_room: usize,
    kind: ValueKind,
) -> Result<(crate::update::Written, (u32, u16)), PdfError> {
    // Document timestamps are allowed even after a DocMDP P=1 certification.
    let src = SourcePdf::parse_source(
        input,
        crate::doc::Streams::Structure,
        kind == ValueKind::DocTimeStamp,
    )?;
    if kind == ValueKind::DocTimeStamp && spec.visible != Visible::Invisible {
        return Err(PdfError::BadPlacement(
            "a document timestamp is invisible".into(),
        ));
    }
    let mut update = Update::new(src.size);
    let seal = match (&spec.visible, &spec.seal_png) {
        (Visible::Invisible, _) => None,
        (_, Some(png)) => Some(SealImage::from_png(png)?),
        (_, None) => {
            return Err(PdfError::BadPlacement(
                "a visible signature needs a seal image".into(),
            ));
        }
    };

    // The signature dictionary, written by hand so its placeholders can be found again.
    let sig_id = update.alloc();
    let mut sig = Vec::new();
    sig.extend_from_slice(match kind {
        ValueKind::Signature => {
            b"<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached ".as_slice()
        }
        ValueKind::DocTimeStamp => {
            b"<</Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 "
        }
    });
    sig.extend_from_slice(BYTE_RANGE_PLACEHOLDER);
    sig.extend_from_slice(b" /Contents <");
    sig.resize(sig.len() + contents_room * 2, b'0');
    sig.extend_from_slice(b">");
    if kind == ValueKind::Signature {
        sig.extend_from_slice(b" /M ");
        write_string(&mut sig, &pdf_date(spec.time), StringFormat::Literal);
    }
    for (key, value) in [
        ("Name", &spec.name),
        ("Reason", &spec.reason),
        ("Location", &spec.location),
    ] {
        if let Some(v) = value {
            let _ = write!(sig, " /{key} ");
            crate::object::write_object(&mut sig, &text_string(v));
        }
    }
    sig.extend_from_slice(b">>");
    update.set_raw(sig_id, sig);

    // The appearances: one widget per placement (seal, each cross-page slice, date stamp).
    let mut widgets: Vec<Widget> = Vec::new();
    match (&spec.visible, &seal) {
        (Visible::Seal { page, rect }, Some(img)) => {
            let info = src.page(*page)?;
            check_rect(*page, info, *rect)?;
            let form = add_image_form(&mut update, img, info, rect[2], rect[3]);
            widgets.push(Widget {
                page: *page,
                rect: info.rect_to_user(rect[0], rect[1], rect[2], rect[3]),
                form,
            });
        }
        (
            Visible::CrossPage {
                first,
                last,
                y,
                size,
            },
            Some(img),
        ) => {
            if first >= last {
                return Err(PdfError::BadPlacement(
                    "a cross-page seal needs at least two pages".into(),
                ));
            }
            // Both ends are pages of the document (page 0 does not exist), so the count below
            // cannot overflow.
            src.page(*first)?;
            src.page(*last)?;
            let n = last - first + 1;
            let slice_w = size * f64::from(img.width) / f64::from(img.height) / f64::from(n);
            for (i, page_no) in (*first..=*last).enumerate() {
                let info = src.page(page_no)?;
                let (pw, _) = info.displayed_size();
                let rect = [pw - slice_w, *y, slice_w, *size];
                check_rect(page_no, info, rect)?;
                let i = i as u32;
                let cols = img.columns(img.width * i / n, img.width * (i + 1) / n);
                let form = add_image_form(&mut update, &cols, info, rect[2], rect[3]);
                widgets.push(Widget {
                    page: page_no,
                    rect: info.rect_to_user(rect[0], rect[1], rect[2], rect[3]),
                    form,
                });
            }
        }
        _ => {}
    }
    if let Some(date) = &spec.date {
        let font = font.ok_or_else(|| PdfError::BadFont("a date stamp needs a CJK font".into()))?;
        widgets.push(date_stamp(&mut update, &src, font, date, spec.time)?);
    }

    // The signature field. With one widget, field and widget are one dictionary; with more,
    // the widgets are the field's kids (see docs/PDF.md for why each kid also names /V).
    let field_id = update.alloc();
    let existing = src.field_names();
    let prefix = match kind {
        ValueKind::Signature => "Signature",
        ValueKind::DocTimeStamp => "DocTimeStamp",
    };
    let field_name = (1..)
        .map(|i| format!("{prefix}{i}"))
        .find(|n| !existing.iter().any(|e| e == n.as_bytes()))
        .unwrap_or_else(|| prefix.into());
    let mut field = dictionary! {
        "FT" => "Sig",
        "T" => Object::String(field_name.into_bytes(), StringFormat::Literal),
        "V" => Object::Reference(sig_id),
    };
    let mut annots: Vec<NewAnnot> = Vec::new();
    let widget_dict = |w: &Widget| -> Result<Dictionary, PdfError> {
        Ok(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "F" => WIDGET_FLAGS,
            "Rect" => rect_obj(&w.rect), "P" => Object::Reference(src.page(w.page)?.id),
            "AP" => dictionary! { "N" => Object::Reference(w.form) },
        })
    };
    match widgets.as_slice() {
        [] => {
            let mut d = widget_dict(&Widget {
                page: 1,
                rect: Rect {
                    x0: 0.0,
                    y0: 0.0,
                    x1: 0.0,
                    y1: 0.0,
                },
                form: (0, 0),
            })?;
            d.remove(b"AP");
            field.extend(&d);
            annots.push(NewAnnot {
                page: 1,
                id: field_id,
            });
        }
        [one] => {
            field.extend(&widget_dict(one)?);
            annots.push(NewAnnot {
                page: one.page,
                id: field_id,
            });
        }
        many => {
            let mut kids = Vec::new();
            for w in many {
                let id = update.alloc();
                let mut d = widget_dict(w)?;
                d.set("Parent", Object::Reference(field_id));
                d.set("V", Object::Reference(sig_id));
                update.set(id, &Object::Dictionary(d));
                kids.push(Object::Reference(id));
                annots.push(NewAnnot { page: w.page, id });
            }
            field.set("Kids", kids);
        }
    }
    update.set(field_id, &Object::Dictionary(field));

    add_annotations(&mut update, &src, &annots)?;
    add_field_to_form(&mut update, &src, field_id)?;

    Ok((update.write(&src), sig_id))
}

fn date_stamp(
    update: &mut Update,
    src: &SourcePdf<'_>,
    font: &CjkFont,
    date: &DateStamp,
    time: DateTime<Utc>,
) -> Result<Widget, PdfError> {
    if !(date.size > 0.0 && date.size <= 200.0) {
        return Err(PdfError::BadPlacement(format!(
            "date font size {} out of range",
            date.size
        )));
    }
    let cst = FixedOffset::east_opt(8 * 3600)
        .ok_or_else(|| PdfError::BadPlacement("time zone".into()))?;
    let format = if date.format.is_empty() {
        DateStamp::DEFAULT_FORMAT
    } else {
        date.format.as_str()
    };
    let mut text = String::new();
    {
        use std::fmt::Write as _;
        // chrono reports an invalid format string as a formatting error.
        write!(text, "{}", time.with_timezone(&cst).format(format))
            .map_err(|_| PdfError::BadPlacement(format!("bad date format {format:?}")))?;
    }
    let ids = [
        update.alloc(),
        update.alloc(),
        update.alloc(),
        update.alloc(),
    ];
    let type0_id = update.alloc();
    let shaped = font.shape(&text, ids)?;
    let w = shaped.width_per_pt * date.size + 2.0;
    let h = date.size * 1.3;
    let info = src.page(date.page)?;
    check_rect(date.page, info, [date.x, date.y, w, h])?;
    let f = shaped.font_objects;
    update.set(ids[0], &Object::Dictionary(f.cid_font));
    update.set(ids[1], &Object::Dictionary(f.descriptor));
    update.set(ids[2], &f.font_file);
    update.set(ids[3], &f.to_unicode);
    update.set(type0_id, &Object::Dictionary(f.type0));
    let content = appearance::text_content(
        &shaped.encoded,
        date.size,
        1.0,
        date.size * 0.3,
        [0.75, 0.1, 0.1],
    );
    let resources = dictionary! { "Font" => dictionary! { "F0" => Object::Reference(type0_id) } };
    let form_id = update.alloc();
    update.set(
        form_id,
        &appearance::form(w, h, info.upright_matrix(), resources, content),
    );
    Ok(Widget {
        page: date.page,
        rect: info.rect_to_user(date.x, date.y, w, h),
        form: form_id,
    })
}

/// Signs with a key held here: prepare, digest, CMS, finish. The room reserved is the
/// largest possible CMS for this certificate chain plus `spec.reserve`.
pub fn sign(
    input: &[u8],
    spec: &SignatureSpec,
    key: &SigningKey,
    signer: &Certificate,
    chain: &[Certificate],
    font: Option<&CjkFont>,
) -> Result<Vec<u8>, PdfError> {
    let mut buf = input.to_vec();
    sign_store(&mut buf, spec, key, signer, chain, font, &mut Ok)?;
    Ok(buf)
}
