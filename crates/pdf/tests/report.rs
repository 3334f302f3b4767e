//! The text-document layout of the evidence report: Chinese text survives extraction (the
//! subset font carries a ToUnicode map), long text wraps onto further pages, characters the
//! font lacks become `?`, and the engine reads and signs the result.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_pdf::CjkFont;
use signet_pdf::report::{Block, TextDocument, build};

const FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

fn font() -> Option<CjkFont> {
    if !signet_testkit::require_file(std::path::Path::new(FONT)) {
        return None;
    }
    Some(CjkFont::new(std::fs::read(FONT).unwrap()).unwrap())
}

fn doc(blocks: Vec<Block>) -> TextDocument {
    TextDocument {
        title: "证据报告".into(),
        blocks,
        created: chrono::Utc::now(),
        page_label: "第 {n} 页 / 共 {total} 页".into(),
    }
}

fn text_of(pdf: &[u8]) -> Option<String> {
    if !signet_testkit::require_commands(&["pdftotext"]) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn chinese_text_is_extractable_and_long_text_wraps_onto_pages() {
    let Some(font) = font() else { return };
    let mut blocks = vec![
        Block::Title("电子签署证据报告".into()),
        Block::Heading("一、任务信息".into()),
        Block::Field {
            label: "任务名称".into(),
            value: "反担保合同".into(),
        },
        Block::Field {
            label: "SHA-256".into(),
            value: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        },
        Block::Small("UA Mozilla/5.0 😀 \u{7}".into()),
    ];
    for i in 0..120 {
        blocks.push(Block::Text(format!(
            "#{i} 2026-11-23 08:00:00 完成签署 李四 这是一段很长的文字，用来检查自动换行是否正确，\
             and some English words that should break at spaces rather than inside words"
        )));
    }
    let qr = qrcode_like(21);
    blocks.push(Block::Qr {
        modules: qr,
        width: 21,
        caption: "扫码验证".into(),
    });
    let pdf = build(&doc(blocks), &font).unwrap();
    let parsed = signet_pdf::doc::SourcePdf::parse(&pdf).unwrap();
    assert!(parsed.pages.len() >= 4, "{} pages", parsed.pages.len());
    if let Some(text) = text_of(&pdf) {
        for needle in [
            "电子签署证据报告",
            "任务名称：",
            "反担保合同",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "#119",
            "扫码验证",
            "UA Mozilla/5.0 ?",
        ] {
            assert!(text.contains(needle), "{needle:?} not in:\n{text}");
        }
        let total = parsed.pages.len();
        // pdftotext may drop the narrow spaces around the numbers.
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(compact.contains(&format!("第1页/共{total}页")), "{text}");
    }
}

#[test]
fn an_empty_document_is_one_page() {
    let Some(font) = font() else { return };
    let pdf = build(&doc(Vec::new()), &font).unwrap();
    let parsed = signet_pdf::doc::SourcePdf::parse(&pdf).unwrap();
    assert_eq!(parsed.pages.len(), 1);
}

fn qrcode_like(w: usize) -> Vec<bool> {
    (0..w * w)
        .map(|i| (i / w + i % w).is_multiple_of(3))
        .collect()
}
