//! What a seal looks like on the page: the seal image (PNG with its alpha channel as a soft
//! mask), vertical slices of it for cross-page seals, and date text set in an embedded subset
//! of a CJK font so that text extraction finds it.

use flate2::Compression;
use flate2::write::ZlibEncoder;
use lopdf::{Dictionary, Object, Stream, StringFormat, dictionary};
use std::collections::BTreeMap;
use std::io::Write;

use crate::error::PdfError;

/// Largest seal image accepted, in pixels per side.
const MAX_SIDE: u32 = 4096;

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

pub fn flate_stream(dict: Dictionary, data: &[u8]) -> Object {
    let mut dict = dict;
    dict.set("Filter", "FlateDecode");
    Object::Stream(Stream::new(dict, deflate(data)))
}

/// A decoded seal image: 8-bit RGB and alpha planes.
#[derive(Debug, Clone)]
pub struct SealImage {
    pub width: u32,
    pub height: u32,
    rgb: Vec<u8>,
    alpha: Vec<u8>,
}

impl SealImage {
    pub fn from_png(bytes: &[u8]) -> Result<Self, PdfError> {
        let bad = |e: &dyn std::fmt::Display| PdfError::BadImage(e.to_string());
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().map_err(|e| bad(&e))?;
        let (w, h) = (reader.info().width, reader.info().height);
        if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
            return Err(PdfError::BadImage(format!(
                "{w}×{h} pixels; at most {MAX_SIDE} per side"
            )));
        }
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| bad(&"image too large"))?;
        let mut buf = vec![0; size];
        let frame = reader.next_frame(&mut buf).map_err(|e| bad(&e))?;
        let buf = &buf[..frame.buffer_size()];
        let n = (w * h) as usize;
        let mut rgb = Vec::with_capacity(n * 3);
        let mut alpha = Vec::with_capacity(n);
        match frame.color_type {
            png::ColorType::Rgba => {
                for p in buf.chunks_exact(4) {
                    rgb.extend_from_slice(&p[..3]);
                    alpha.push(p[3]);
                }
            }
            png::ColorType::Rgb => {
                rgb.extend_from_slice(buf);
                alpha.resize(n, 255);
            }
            png::ColorType::GrayscaleAlpha => {
                for p in buf.chunks_exact(2) {
                    rgb.extend_from_slice(&[p[0], p[0], p[0]]);
                    alpha.push(p[1]);
                }
            }
            png::ColorType::Grayscale => {
                for &g in buf {
                    rgb.extend_from_slice(&[g, g, g]);
                }
                alpha.resize(n, 255);
            }
            png::ColorType::Indexed => return Err(bad(&"palette not expanded")),
        }
        if rgb.len() != n * 3 || alpha.len() != n {
            return Err(bad(&"unexpected pixel data length"));
        }
        Ok(Self {
            width: w,
            height: h,
            rgb,
            alpha,
        })
    }

    /// Columns `[from, to)` of the image, for one slice of a cross-page seal.
    pub fn columns(&self, from: u32, to: u32) -> SealImage {
        let (from, to) = (
            from.min(self.width),
            to.min(self.width).max(from.min(self.width) + 1),
        );
        let to = to.min(self.width);
        let w = to - from;
        let mut rgb = Vec::with_capacity((w * self.height * 3) as usize);
        let mut alpha = Vec::with_capacity((w * self.height) as usize);
        for y in 0..self.height {
            let row = (y * self.width) as usize;
            rgb.extend_from_slice(&self.rgb[(row + from as usize) * 3..(row + to as usize) * 3]);
            alpha.extend_from_slice(&self.alpha[row + from as usize..row + to as usize]);
        }
        SealImage {
            width: w,
            height: self.height,
            rgb,
            alpha,
        }
    }

    /// The image XObject and its soft mask, as two new objects; returns (image, mask).
    pub fn xobjects(&self, mask_ref: (u32, u16)) -> (Object, Object) {
        let image = flate_stream(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image",
                "Width" => self.width as i64, "Height" => self.height as i64,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8,
                "SMask" => Object::Reference(mask_ref),
            },
            &self.rgb,
        );
        let mask = flate_stream(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image",
                "Width" => self.width as i64, "Height" => self.height as i64,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            },
            &self.alpha,
        );
        (image, mask)
    }
}

fn num(v: f64) -> Object {
    Object::Real(v as f32)
}

/// A form XObject of size `w`×`h` (displayed) showing `content`, rotated by `matrix` to stand
/// upright on a rotated page.
pub fn form(w: f64, h: f64, matrix: [f64; 6], resources: Dictionary, content: Vec<u8>) -> Object {
    flate_stream(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), num(w), num(h)],
            "Matrix" => matrix.iter().map(|v| num(*v)).collect::<Vec<_>>(),
            "Resources" => resources,
        },
        &content,
    )
}

/// Content drawing the image named `/Im0` to fill `w`×`h`.
pub fn image_content(w: f64, h: f64) -> Vec<u8> {
    let mut c = pdf_writer::Content::new();
    c.save_state();
    c.transform([w as f32, 0.0, 0.0, h as f32, 0.0, 0.0]);
    c.x_object(pdf_writer::Name(b"Im0"));
    c.restore_state();
    c.finish().to_vec()
}

/// A TrueType font loaded once and subset per text.
pub struct CjkFont {
    data: Vec<u8>,
    index: u32,
}

/// The objects of an embedded subset font (Type0 / CIDFontType2 / FontDescriptor /
/// FontFile2 / ToUnicode), with the content bytes that show the text.
pub struct ShapedText {
    /// The glyph ids of the text in the subset font, two bytes each (Identity-H).
    pub encoded: Vec<u8>,
    /// Advance of the whole text at size 1, in text space units.
    pub width_per_pt: f64,
    pub font_objects: FontObjects,
}

pub struct FontObjects {
    pub type0: Dictionary,
    pub cid_font: Dictionary,
    pub descriptor: Dictionary,
    pub font_file: Object,
    pub to_unicode: Object,
}

impl CjkFont {
    pub fn new(data: Vec<u8>) -> Result<Self, PdfError> {
        ttf_parser::Face::parse(&data, 0).map_err(|e| PdfError::BadFont(e.to_string()))?;
        Ok(Self { data, index: 0 })
    }

    /// Whether the font has a glyph for `ch`.
    pub fn has_glyph(&self, ch: char) -> bool {
        ttf_parser::Face::parse(&self.data, self.index)
            .ok()
            .and_then(|f| f.glyph_index(ch))
            .is_some()
    }

    /// The advance of each character of `text` at size 1 (text space units / 1000), `None`
    /// where the font has no glyph. Parses the face once for the whole text.
    pub fn advances(&self, text: &str) -> Vec<Option<f64>> {
        let Ok(face) = ttf_parser::Face::parse(&self.data, self.index) else {
            return text.chars().map(|_| None).collect();
        };
        let upem = f64::from(face.units_per_em());
        text.chars()
            .map(|ch| {
                face.glyph_index(ch)
                    .map(|g| f64::from(face.glyph_hor_advance(g).unwrap_or(0)) / upem)
            })
            .collect()
    }

    /// Shapes `text` (one glyph per character, left to right) and subsets the font to it.
    /// `refs` are the object numbers for the CID font, descriptor, font file and ToUnicode.
    pub fn shape(&self, text: &str, refs: [(u32, u16); 4]) -> Result<ShapedText, PdfError> {
        let face = ttf_parser::Face::parse(&self.data, self.index)
            .map_err(|e| PdfError::BadFont(e.to_string()))?;
        let upem = f64::from(face.units_per_em());
        let mut remapper = subsetter::GlyphRemapper::new();
        let mut encoded = Vec::new();
        let mut widths: BTreeMap<u16, f64> = BTreeMap::new();
        let mut to_unicode: BTreeMap<u16, char> = BTreeMap::new();
        let mut total = 0.0;
        for ch in text.chars() {
            let gid = face
                .glyph_index(ch)
                .ok_or_else(|| PdfError::BadFont(format!("the font has no glyph for {ch:?}")))?;
            let new = remapper.remap(gid.0);
            let adv = f64::from(face.glyph_hor_advance(gid).unwrap_or(0)) * 1000.0 / upem;
            widths.insert(new, adv);
            to_unicode.insert(new, ch);
            total += adv / 1000.0;
            encoded.extend_from_slice(&new.to_be_bytes());
        }
        let subset = subsetter::subset(&self.data, self.index, &remapper)
            .map_err(|e| PdfError::BadFont(e.to_string()))?;
        let bbox = face.global_bounding_box();
        let scale = |v: i16| Object::Integer((f64::from(v) * 1000.0 / upem).round() as i64);
        let name = "SGNTCJ+SignetCJK";
        let descriptor = dictionary! {
            "Type" => "FontDescriptor", "FontName" => name, "Flags" => 4,
            "FontBBox" => vec![scale(bbox.x_min), scale(bbox.y_min), scale(bbox.x_max), scale(bbox.y_max)],
            "ItalicAngle" => 0, "Ascent" => scale(face.ascender()), "Descent" => scale(face.descender()),
            "CapHeight" => scale(face.capital_height().unwrap_or(face.ascender())), "StemV" => 80,
            "FontFile2" => Object::Reference(refs[2]),
        };
        let w: Vec<Object> = widths
            .iter()
            .flat_map(|(g, adv)| {
                [
                    Object::Integer(i64::from(*g)),
                    Object::Array(vec![Object::Real(*adv as f32)]),
                ]
            })
            .collect();
        let cid_font = dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => name,
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::String(b"Adobe".to_vec(), StringFormat::Literal),
                "Ordering" => Object::String(b"Identity".to_vec(), StringFormat::Literal),
                "Supplement" => 0,
            },
            "FontDescriptor" => Object::Reference(refs[1]),
            "DW" => 1000, "W" => w, "CIDToGIDMap" => "Identity",
        };
        let type0 = dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => name, "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Reference(refs[0])],
            "ToUnicode" => Object::Reference(refs[3]),
        };
        let font_file = flate_stream(dictionary! { "Length1" => subset.len() as i64 }, &subset);
        let to_unicode = flate_stream(Dictionary::new(), cmap(&to_unicode).as_bytes());
        Ok(ShapedText {
            encoded,
            width_per_pt: total,
            font_objects: FontObjects {
                type0,
                cid_font,
                descriptor,
                font_file,
                to_unicode,
            },
        })
    }
}

fn cmap(map: &BTreeMap<u16, char>) -> String {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in map.iter().collect::<Vec<_>>().chunks(100) {
        s.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (gid, ch) in chunk {
            let mut units = [0u16; 2];
            let hex: String = ch
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            s.push_str(&format!("<{gid:04X}> <{hex}>\n"));
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

/// Content showing shaped text with font `/F0` at `size`, starting at (x, y).
pub fn text_content(encoded: &[u8], size: f64, x: f64, y: f64, rgb: [f32; 3]) -> Vec<u8> {
    let mut c = pdf_writer::Content::new();
    c.begin_text();
    c.set_fill_rgb(rgb[0], rgb[1], rgb[2]);
    c.set_font(pdf_writer::Name(b"F0"), size as f32);
    c.next_line(x as f32, y as f32);
    c.show(pdf_writer::Str(encoded));
    c.end_text();
    c.finish().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_bytes(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(png::ColorType::Rgba);
            enc.set_depth(png::BitDepth::Eight);
            let mut wr = enc.write_header().unwrap();
            let data: Vec<u8> = (0..w * h)
                .flat_map(|i| [(i % 256) as u8, 0, 0, if i % 2 == 0 { 255 } else { 0 }])
                .collect();
            wr.write_image_data(&data).unwrap();
        }
        out
    }

    #[test]
    fn png_alpha_and_slices() {
        let img = SealImage::from_png(&png_bytes(10, 4)).unwrap();
        assert_eq!((img.width, img.height), (10, 4));
        assert_eq!(img.alpha[0], 255);
        assert_eq!(img.alpha[1], 0);
        let s = img.columns(3, 7);
        assert_eq!((s.width, s.height), (4, 4));
        assert_eq!(s.rgb[0], 3);
        assert!(SealImage::from_png(b"not a png").is_err());
    }

    #[test]
    fn cmap_maps_glyphs_to_unicode() {
        let mut m = BTreeMap::new();
        m.insert(1u16, '年');
        m.insert(2u16, '𠀀');
        let c = cmap(&m);
        assert!(c.contains("<0001> <5E74>"));
        assert!(c.contains("<0002> <D840DC00>"));
    }
}
