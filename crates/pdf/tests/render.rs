//! Page images: every corpus file renders (first and last page) to a PNG of the requested
//! width with ink on it; a page whose CJK font is not embedded renders its text with the
//! fallback font; bad input is an error, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use lopdf::{Document, Object, Stream, dictionary};
use signet_pdf::PdfError;
use signet_pdf::doc::SourcePdf;
use signet_pdf::render::render_page_png;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const CJK_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/pdf");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("../shared/corpus/pdf exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    files.sort();
    files
}

/// (width, height, share of pixels that are not white) of a PNG.
fn inspect(png_bytes: &[u8]) -> (u32, u32, f64) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes.to_vec()));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = (info.width * info.height) as usize;
    let ink = buf[..pixels * channels]
        .chunks(channels)
        .filter(|p| p[..3.min(channels)].iter().any(|&c| c < 200))
        .count();
    (info.width, info.height, ink as f64 / pixels as f64)
}

#[test]
fn every_corpus_file_renders_first_and_last_page() {
    let files = corpus();
    assert!(files.len() >= 5, "{files:?}");
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let src = SourcePdf::parse(&bytes).unwrap();
        let pages = src.pages.len() as u32;
        let (w_pt, h_pt) = src.pages[0].displayed_size();
        for page in [1, pages] {
            let png = render_page_png(&bytes, page, 400, None)
                .unwrap_or_else(|e| panic!("{}: page {page}: {e}", f.display()));
            let (w, h, ink) = inspect(&png);
            assert_eq!(w, 400, "{}", f.display());
            if page == 1 {
                let expected = (h_pt / w_pt * 400.0).round() as u32;
                assert!(
                    h.abs_diff(expected) <= 1,
                    "{}: {h} vs {expected}",
                    f.display()
                );
            }
            assert!(ink > 0.001, "{}: page {page} is blank ({ink})", f.display());
        }
    }
}

/// A page whose text uses a CID font that is not embedded (STSong-Light, UniGB-UCS2-H).
fn unembedded_cjk_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let cid_font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType0", "BaseFont" => "STSong-Light",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("GB1"),
            "Supplement" => 4,
        },
        "FontDescriptor" => dictionary! {
            "Type" => "FontDescriptor", "FontName" => "STSong-Light", "Flags" => 6,
            "FontBBox" => vec![0.into(), (-200).into(), 1000.into(), 900.into()],
            "ItalicAngle" => 0, "Ascent" => 880, "Descent" => -120, "CapHeight" => 880, "StemV" => 80,
        },
        "DW" => 1000,
    });
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "STSong-Light",
        "Encoding" => "UniGB-UCS2-H", "DescendantFonts" => vec![cid_font.into()],
    });
    // 合同 in UCS-2, large, black.
    let content = b"BT /F1 96 Tf 60 300 Td <5408540C> Tj ET".to_vec();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 400.into(), 500.into()],
        "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn an_unembedded_cjk_font_falls_back_to_the_cjk_font() {
    if !signet_testkit::require_file(std::path::Path::new(CJK_FONT)) {
        return;
    }
    let font = std::fs::read(CJK_FONT).unwrap();
    let pdf = unembedded_cjk_pdf();
    let with = render_page_png(&pdf, 1, 400, Some(Arc::new(font))).unwrap();
    let (_, _, ink_with) = inspect(&with);
    assert!(ink_with > 0.01, "the two characters are drawn ({ink_with})");
}

#[test]
fn bad_input_is_an_error() {
    assert!(matches!(
        render_page_png(b"not a pdf", 1, 400, None),
        Err(PdfError::Unreadable(_))
    ));
    let bytes = std::fs::read(&corpus()[0]).unwrap();
    assert!(matches!(
        render_page_png(&bytes, 0, 400, None),
        Err(PdfError::PageOutOfRange { .. })
    ));
    assert!(matches!(
        render_page_png(&bytes, 9999, 400, None),
        Err(PdfError::PageOutOfRange { .. })
    ));
    assert!(matches!(
        render_page_png(&bytes, 1, 0, None),
        Err(PdfError::Render(_))
    ));
    // Far beyond the pixel budget.
    assert!(matches!(
        render_page_png(&bytes, 1, 60000, None),
        Err(PdfError::Render(_))
    ));
    // Truncated files never panic.
    for cut in [100, bytes.len() / 3, bytes.len() / 2, bytes.len() - 10] {
        let _ = render_page_png(&bytes[..cut], 1, 300, None);
    }
}
