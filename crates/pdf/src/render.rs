//! Page images: one page rendered to PNG at a requested width with hayro (pure Rust), so
//! participants of a task can view documents without downloading them.
//!
//! Fonts a PDF does not embed are resolved by hayro: the standard 14 from its bundled
//! substitutes, and CID (CJK) fonts from the fallback font given here (the server passes a
//! CJK TrueType collection such as WenQuanYi Micro Hei). hayro gives no no-panic guarantee
//! for malformed files, so rendering runs under `catch_unwind` and a panic becomes an error;
//! the output size is bounded by the caller's width and [`MAX_PIXELS`].

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_interpret::font::{FontData, FontQuery};
use hayro::hayro_interpret::util::TransformExt;
use hayro::hayro_syntax::Pdf;
use hayro::kurbo::Affine;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::vello_cpu::{Pixmap, RasterizerSettings, RenderContext, Resources, TargetInit};
use hayro::{RenderCache, RenderSettings, render_into};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::PdfError;

/// Largest image rendered, in pixels (width × height).
pub const MAX_PIXELS: u64 = 16 * 1024 * 1024;

/// Renders page `number` (1-based) of `pdf` to a PNG `width` pixels wide on white.
/// `fallback_font` is used for CID fonts the file does not embed.
pub fn render_page_png(
    pdf: &[u8],
    number: u32,
    width: u32,
    fallback_font: Option<Arc<Vec<u8>>>,
) -> Result<Vec<u8>, PdfError> {
    if width == 0 || width > u32::from(u16::MAX) {
        return Err(PdfError::Render(format!("width {width} is out of range")));
    }
    let data = pdf.to_vec();
    let result = catch_unwind(AssertUnwindSafe(move || {
        let pdf = Pdf::new(data).map_err(|e| PdfError::Unreadable(format!("{e:?}")))?;
        let pages = pdf.pages();
        let page = number
            .checked_sub(1)
            .and_then(|i| pages.get(i as usize))
            .ok_or(PdfError::PageOutOfRange {
                page: number,
                pages: pages.len() as u32,
            })?;
        let (w_pt, h_pt) = page.render_dimensions();
        if w_pt <= 0.0 || h_pt <= 0.0 {
            return Err(PdfError::Render("the page has no area".into()));
        }
        let scale = f64::from(width) / f64::from(w_pt);
        let height = (f64::from(h_pt) * scale).round().max(1.0);
        if height > f64::from(u16::MAX) || u64::from(width) * (height as u64) > MAX_PIXELS {
            return Err(PdfError::Render(format!(
                "a {width} pixel wide image of this page would be too large"
            )));
        }
        let height = height as u16;
        let width = width as u16;
        let settings = InterpreterSettings {
            font_resolver: Arc::new(move |query: &FontQuery| -> Option<(FontData, u32)> {
                match query {
                    FontQuery::Standard(s) => Some(s.get_font_data()),
                    FontQuery::Fallback(f) => match &fallback_font {
                        Some(bytes) => Some((bytes.clone() as FontData, 0)),
                        None => Some(f.pick_standard_font().get_font_data()),
                    },
                }
            }),
            ..Default::default()
        };
        let cache = RenderCache::new();
        let mut ctx = RenderContext::new(width, height);
        let transform = Affine::scale_non_uniform(
            f64::from(width) / f64::from(w_pt),
            f64::from(height) / f64::from(h_pt),
        ) * page.initial_transform(true).to_kurbo();
        render_into(
            page,
            &cache,
            &settings,
            &RenderSettings::default(),
            &mut ctx,
            transform,
        );
        ctx.flush();
        let mut pixmap = Pixmap::new(ctx.width(), ctx.height());
        ctx.render_with(
            &mut pixmap,
            &mut Resources::default(),
            RasterizerSettings {
                target_init: TargetInit::Clear(WHITE),
                ..Default::default()
            },
        );
        pixmap
            .into_png()
            .map_err(|e| PdfError::Render(format!("PNG encoding failed: {e}")))
    }));
    match result {
        Ok(r) => r,
        Err(_) => Err(PdfError::Render("the renderer failed on this file".into())),
    }
}
