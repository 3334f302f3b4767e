//! Placements checked against the pages before anything is signed (or any PIN is asked).

use super::*;

/// Checks that (x, y, w, h) as displayed lies on the page.
pub(super) fn check_rect(page_no: u32, page: &PageInfo, rect: [f64; 4]) -> Result<(), PdfError> {
    let (pw, ph) = page.displayed_size();
    let [x, y, w, h] = rect;
    let eps = 0.01;
    if !rect.iter().all(|v| v.is_finite())
        || w <= 0.0
        || h <= 0.0
        || x < -eps
        || y < -eps
        || x + w > pw + eps
        || y + h > ph + eps
    {
        return Err(PdfError::RectOutsidePage {
            page: page_no,
            rect,
            width: pw,
            height: ph,
        });
    }
    Ok(())
}

/// Checks where a signature's appearances go against the pages of `src` — before anything is
/// signed, or any key opened — by the rules signing applies: the seal's rectangle on its page,
/// each slice of a cross-page seal at the right edge of its page (its width from the seal
/// image's proportions), and the date stamp's corner and height on its page. (The date stamp's
/// width needs the font's shaping and is checked when signing.)
pub fn check_placement(src: &SourcePdf<'_>, spec: &SignatureSpec) -> Result<(), PdfError> {
    match &spec.visible {
        Visible::Invisible => {}
        Visible::Seal { page, rect } => check_rect(*page, src.page(*page)?, *rect)?,
        Visible::CrossPage {
            first,
            last,
            y,
            size,
        } => {
            if first >= last {
                return Err(PdfError::BadPlacement(
                    "a cross-page seal needs at least two pages".into(),
                ));
            }
            // Both ends are pages of the document (page 0 does not exist), so the count below
            // cannot overflow.
            src.page(*first)?;
            src.page(*last)?;
            let n = f64::from(last - first + 1);
            let aspect = spec
                .seal_png
                .as_deref()
                .and_then(png_size)
                .map_or(0.0, |(w, h)| f64::from(w) / f64::from(h));
            // Without a readable image the slices' height and pages are still checked.
            let slice_w = if aspect > 0.0 { size * aspect / n } else { 0.5 };
            for page_no in *first..=*last {
                let info = src.page(page_no)?;
                let (pw, _) = info.displayed_size();
                check_rect(page_no, info, [pw - slice_w, *y, slice_w, *size])?;
            }
        }
    }
    if let Some(date) = &spec.date {
        let info = src.page(date.page)?;
        check_rect(
            date.page,
            info,
            [date.x, date.y, date.size, date.size * 1.3],
        )?;
    }
    Ok(())
}

/// A PNG's width and height from its header, if it is one.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" || &png[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(png[20..24].try_into().ok()?);
    (w > 0 && h > 0).then_some((w, h))
}
