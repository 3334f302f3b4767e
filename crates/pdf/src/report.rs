//! Text documents of the platform's own, such as the evidence report: A4 pages of a title,
//! headings, labelled fields, wrapped text and QR codes, set in one embedded subset of a CJK
//! font with a ToUnicode map, so that text extraction (`pdftotext`) finds every character.
//! The result is an ordinary unsigned PDF for the signing engine.

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat, dictionary};
use pdf_writer::{Content, Name, Str};

use crate::appearance::CjkFont;
use crate::error::PdfError;

/// A4 in points.
const PAGE_W: f64 = 595.276;
const PAGE_H: f64 = 841.89;
const MARGIN: f64 = 56.0;
const FOOTER_Y: f64 = 30.0;
/// Line height as a multiple of the font size.
const LEADING: f64 = 1.45;

/// One piece of a text document, top to bottom.
#[derive(Debug, Clone)]
pub enum Block {
    /// The document's title, large and centred.
    Title(String),
    /// A section heading.
    Heading(String),
    /// `label：value`, the value wrapped under itself.
    Field { label: String, value: String },
    /// A paragraph.
    Text(String),
    /// Small print (hashes, user agents).
    Small(String),
    /// A QR code (`modules` row by row, `width` per side, dark = true) with a caption.
    Qr {
        modules: Vec<bool>,
        width: usize,
        caption: String,
    },
    /// Vertical space.
    Gap,
}

/// A document to lay out.
#[derive(Debug, Clone)]
pub struct TextDocument {
    pub title: String,
    pub blocks: Vec<Block>,
    pub created: DateTime<Utc>,
    /// The footer's page label, with `{n}` and `{total}` replaced, e.g. `第 {n} 页 / 共 {total} 页`.
    pub page_label: String,
}

struct Line {
    x: f64,
    y: f64,
    size: f64,
    text: String,
}

#[derive(Default)]
struct Page {
    lines: Vec<Line>,
    /// Dark squares: x, y, side.
    squares: Vec<(f64, f64, f64)>,
}

struct Layout<'f> {
    font: &'f CjkFont,
    pages: Vec<Page>,
    y: f64,
}

impl<'f> Layout<'f> {
    fn new(font: &'f CjkFont) -> Self {
        Self {
            font,
            pages: vec![Page::default()],
            y: PAGE_H - MARGIN,
        }
    }

    /// Moves down by `h`, starting a new page when it does not fit.
    fn room(&mut self, h: f64) {
        if self.y - h < MARGIN + 10.0 {
            self.pages.push(Page::default());
            self.y = PAGE_H - MARGIN;
        }
        self.y -= h;
    }

    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn line(&mut self, x: f64, size: f64, text: String) {
        self.room(size * LEADING);
        let y = self.y;
        self.page().lines.push(Line { x, y, size, text });
    }

    /// Characters the font lacks become `?`; control characters become spaces.
    fn clean(&self, text: &str) -> String {
        let adv = self.font.advances(text);
        text.chars()
            .zip(adv)
            .map(|(c, a)| {
                if c.is_control() {
                    ' '
                } else if a.is_some() {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    }

    /// Splits `text` into lines no wider than `width` at `size`, preferring to break after a
    /// space when the line is mostly Latin.
    fn wrap(&self, text: &str, size: f64, width: f64) -> Vec<String> {
        let text = self.clean(text);
        let chars: Vec<char> = text.chars().collect();
        let adv = self.font.advances(&text);
        let mut out = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            let mut w = 0.0;
            let mut end = start;
            while end < chars.len() {
                let a = adv.get(end).copied().flatten().unwrap_or(0.5) * size;
                if w + a > width && end > start {
                    break;
                }
                w += a;
                end += 1;
            }
            if end < chars.len()
                && let Some(sp) = chars[start..end].iter().rposition(|c| *c == ' ')
                && sp > (end - start) / 2
            {
                end = start + sp + 1;
            }
            out.push(
                chars[start..end]
                    .iter()
                    .collect::<String>()
                    .trim_end()
                    .to_owned(),
            );
            start = end;
        }
        if out.is_empty() {
            out.push(String::new());
        }
        out
    }

    fn width_of(&self, text: &str, size: f64) -> f64 {
        self.font
            .advances(text)
            .into_iter()
            .map(|a| a.unwrap_or(0.5) * size)
            .sum()
    }

    fn block(&mut self, b: &Block) {
        let full = PAGE_W - 2.0 * MARGIN;
        match b {
            Block::Title(t) => {
                for l in self.wrap(t, 18.0, full) {
                    let x = (PAGE_W - self.width_of(&l, 18.0)) / 2.0;
                    self.line(x.max(MARGIN), 18.0, l);
                }
                self.y -= 8.0;
            }
            Block::Heading(t) => {
                self.room(6.0);
                for l in self.wrap(t, 13.0, full) {
                    self.line(MARGIN, 13.0, l);
                }
                self.y -= 2.0;
            }
            Block::Field { label, value } => {
                let label = format!("{}：", self.clean(label));
                let indent = self.width_of(&label, 10.0).min(full / 2.0);
                let lines = self.wrap(value, 10.0, full - indent);
                for (i, l) in lines.into_iter().enumerate() {
                    if i == 0 {
                        self.line(MARGIN, 10.0, label.clone());
                        let y = self.y;
                        self.page().lines.push(Line {
                            x: MARGIN + indent,
                            y,
                            size: 10.0,
                            text: l,
                        });
                    } else {
                        self.line(MARGIN + indent, 10.0, l);
                    }
                }
            }
            Block::Text(t) => {
                for l in self.wrap(t, 10.0, full) {
                    self.line(MARGIN, 10.0, l);
                }
            }
            Block::Small(t) => {
                for l in self.wrap(t, 8.0, full) {
                    self.line(MARGIN, 8.0, l);
                }
            }
            Block::Qr {
                modules,
                width,
                caption,
            } => {
                let module = 2.5;
                let side = module * (*width as f64 + 8.0);
                self.room(side);
                let (x0, y0) = (MARGIN + 4.0 * module, self.y + 4.0 * module);
                let w = *width;
                let squares: Vec<(f64, f64, f64)> = modules
                    .iter()
                    .enumerate()
                    .filter(|(_, dark)| **dark)
                    .map(|(i, _)| {
                        let (row, col) = (i / w.max(1), i % w.max(1));
                        (
                            x0 + col as f64 * module,
                            y0 + (w - 1 - row) as f64 * module,
                            module,
                        )
                    })
                    .collect();
                self.page().squares.extend(squares);
                for l in self.wrap(caption, 8.0, full) {
                    self.line(MARGIN, 8.0, l);
                }
            }
            Block::Gap => self.y -= 8.0,
        }
    }
}

/// Lays `doc` out and writes it as a PDF.
pub fn build(doc: &TextDocument, font: &CjkFont) -> Result<Vec<u8>, PdfError> {
    let mut layout = Layout::new(font);
    for b in &doc.blocks {
        layout.block(b);
    }
    let total = layout.pages.len();
    for n in 1..=total {
        let label = doc
            .page_label
            .replace("{n}", &n.to_string())
            .replace("{total}", &total.to_string());
        let label = layout.clean(&label);
        let x = (PAGE_W - layout.width_of(&label, 8.0)) / 2.0;
        layout.pages[n - 1].lines.push(Line {
            x,
            y: FOOTER_Y,
            size: 8.0,
            text: label,
        });
    }

    let mut pdf = Document::with_version("1.7");
    let refs: [ObjectId; 4] = [
        pdf.new_object_id(),
        pdf.new_object_id(),
        pdf.new_object_id(),
        pdf.new_object_id(),
    ];
    // One subset for the whole document: shape every line's text at once, then cut the
    // glyph string back into lines (two bytes per character).
    let all: String = layout
        .pages
        .iter()
        .flat_map(|p| p.lines.iter().map(|l| l.text.as_str()))
        .collect();
    let shaped = font.shape(&all, refs)?;
    let objects = shaped.font_objects;
    pdf.objects
        .insert(refs[0], Object::Dictionary(objects.cid_font));
    pdf.objects
        .insert(refs[1], Object::Dictionary(objects.descriptor));
    pdf.objects.insert(refs[2], objects.font_file);
    pdf.objects.insert(refs[3], objects.to_unicode);
    let font_id = pdf.add_object(Object::Dictionary(objects.type0));

    let pages_id = pdf.new_object_id();
    let mut kids = Vec::with_capacity(total);
    let mut offset = 0usize;
    for page in &layout.pages {
        let mut c = Content::new();
        if !page.squares.is_empty() {
            c.set_fill_gray(0.0);
            for (x, y, s) in &page.squares {
                c.rect(*x as f32, *y as f32, *s as f32, *s as f32);
            }
            c.fill_nonzero();
        }
        for l in &page.lines {
            let n = l.text.chars().count() * 2;
            let glyphs = shaped.encoded.get(offset..offset + n).ok_or_else(|| {
                PdfError::BadFont("shaped text is shorter than the layout".into())
            })?;
            offset += n;
            c.begin_text();
            c.set_font(Name(b"F1"), l.size as f32);
            c.next_line(l.x as f32, l.y as f32);
            c.show(Str(glyphs));
            c.end_text();
        }
        let content = pdf.add_object(crate::appearance::flate_stream(
            Dictionary::new(),
            &c.finish(),
        ));
        let page_id = pdf.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(PAGE_W as f32), Object::Real(PAGE_H as f32)],
            "Contents" => content,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        });
        kids.push(Object::Reference(page_id));
    }
    pdf.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => total as i64,
        }),
    );
    let catalog = pdf.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info = pdf.add_object(dictionary! {
        "Title" => Object::String(utf16be(&doc.title), StringFormat::Hexadecimal),
        "Producer" => Object::string_literal(format!("Signet {}", env!("CARGO_PKG_VERSION"))),
        "CreationDate" => Object::string_literal(doc.created.format("D:%Y%m%d%H%M%SZ").to_string()),
    });
    pdf.trailer.set("Root", catalog);
    pdf.trailer.set("Info", info);
    let mut out = Vec::new();
    pdf.save_to(&mut out)
        .map_err(|e| PdfError::Unreadable(e.to_string()))?;
    Ok(out)
}

/// A PDF text string in UTF-16BE with its byte-order mark.
fn utf16be(s: &str) -> Vec<u8> {
    let mut out = vec![0xfe, 0xff];
    for u in s.encode_utf16() {
        out.extend_from_slice(&u.to_be_bytes());
    }
    out
}
