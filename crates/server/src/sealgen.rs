//! Generated seal images: a round company seal (公章) in seal red on a transparent background —
//! an outer ring, a five-pointed star, and the organisation's name set upright along the top
//! arc — rasterised with `ab_glyph` from a CJK TrueType font, encoded as PNG.

use ab_glyph::{Font, FontRef, ScaleFont};
use std::f64::consts::PI;

/// Seal red.
const RED: [u8; 3] = [218, 37, 29];

#[derive(Debug, thiserror::Error)]
pub enum SealGenError {
    #[error("the font cannot be read")]
    Font,
    #[error("the name is empty")]
    EmptyName,
    #[error("PNG encoding failed: {0}")]
    Png(String),
    #[error("{0}")]
    Image(String),
}

/// Alpha coverage of one pixel, 0.0–1.0, in a square canvas.
struct Canvas {
    size: u32,
    alpha: Vec<f32>,
}

impl Canvas {
    fn new(size: u32) -> Self {
        Self {
            size,
            alpha: vec![0.0; (size * size) as usize],
        }
    }

    fn add(&mut self, x: i64, y: i64, a: f32) {
        if x < 0 || y < 0 || x >= i64::from(self.size) || y >= i64::from(self.size) {
            return;
        }
        let i = (y as usize) * self.size as usize + x as usize;
        if let Some(p) = self.alpha.get_mut(i) {
            *p = (*p + a).min(1.0);
        }
    }

    /// Fills every pixel whose centre satisfies `inside`, with 4×4 supersampling.
    fn fill(&mut self, inside: impl Fn(f64, f64) -> bool) {
        const N: u32 = 4;
        for y in 0..self.size {
            for x in 0..self.size {
                let mut hits = 0;
                for sy in 0..N {
                    for sx in 0..N {
                        let px = f64::from(x) + (f64::from(sx) + 0.5) / f64::from(N);
                        let py = f64::from(y) + (f64::from(sy) + 0.5) / f64::from(N);
                        if inside(px, py) {
                            hits += 1;
                        }
                    }
                }
                if hits > 0 {
                    self.add(i64::from(x), i64::from(y), hits as f32 / (N * N) as f32);
                }
            }
        }
    }

    fn png(&self) -> Result<Vec<u8>, SealGenError> {
        let mut rgba = Vec::with_capacity(self.alpha.len() * 4);
        for a in &self.alpha {
            rgba.extend_from_slice(&RED);
            rgba.push((a.clamp(0.0, 1.0) * 255.0).round() as u8);
        }
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.size, self.size);
            enc.set_color(png::ColorType::Rgba);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc
                .write_header()
                .map_err(|e| SealGenError::Png(e.to_string()))?;
            w.write_image_data(&rgba)
                .map_err(|e| SealGenError::Png(e.to_string()))?;
        }
        Ok(out)
    }
}

/// Whether (x, y) lies inside the polygon (even-odd rule).
fn in_polygon(points: &[(f64, f64)], x: f64, y: f64) -> bool {
    let mut inside = false;
    let mut j = points.len().saturating_sub(1);
    for i in 0..points.len() {
        let (xi, yi) = points[i];
        let (xj, yj) = points[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// A round company seal for `name`, `size` pixels square (PNG). Without a font the ring and
/// the star are drawn and the name is left out.
pub fn company_seal(name: &str, font: Option<&[u8]>, size: u32) -> Result<Vec<u8>, SealGenError> {
    if name.trim().is_empty() {
        return Err(SealGenError::EmptyName);
    }
    let mut canvas = Canvas::new(size);
    let s = f64::from(size);
    let (cx, cy) = (s / 2.0, s / 2.0);
    let outer = s * 0.48;
    let ring = s * 0.035;
    canvas.fill(|x, y| {
        let d = ((x - cx).powi(2) + (y - cy).powi(2)).sqrt();
        d <= outer && d >= outer - ring
    });
    // The star: ten points alternating between the outer and inner radius, one tip up.
    let (r1, r2) = (s * 0.16, s * 0.16 * 0.382);
    let star: Vec<(f64, f64)> = (0..10)
        .map(|i| {
            let r = if i % 2 == 0 { r1 } else { r2 };
            let a = -PI / 2.0 + f64::from(i) * PI / 5.0;
            (cx + r * a.cos(), cy + r * a.sin())
        })
        .collect();
    canvas.fill(|x, y| in_polygon(&star, x, y));

    if let Some(bytes) = font {
        let font = FontRef::try_from_slice_and_index(bytes, 0)
            .or_else(|_| FontRef::try_from_slice(bytes))
            .map_err(|_| SealGenError::Font)?;
        let chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
        let n = chars.len().max(1) as f64;
        // The name spans up to 240° of the top arc, centred on the top.
        let span = (PI * 4.0 / 3.0).min(n * 0.42);
        let glyph_px = (s * 0.13).min(outer * span / n * 0.95) as f32;
        let text_radius = outer - ring - f64::from(glyph_px) * 0.75;
        let scaled = font.as_scaled(glyph_px);
        for (i, ch) in chars.iter().enumerate() {
            // Angle from the top, clockwise; each glyph upright with its foot to the centre.
            let t = if chars.len() == 1 {
                0.0
            } else {
                -span / 2.0 + span * (i as f64) / (n - 1.0)
            };
            let (gx, gy) = (cx + text_radius * t.sin(), cy - text_radius * t.cos());
            let glyph = scaled.scaled_glyph(*ch);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let (w, h) = (bounds.width() as usize + 1, bounds.height() as usize + 1);
            let mut cov = vec![0f32; w * h];
            outline.draw(|x, y, c| {
                if let Some(p) = cov.get_mut(y as usize * w + x as usize) {
                    *p = c;
                }
            });
            // Rotate the glyph bitmap by t around its centre onto the canvas (inverse mapping).
            let (sin, cos) = t.sin_cos();
            let half = (w.max(h) as f64) * 0.75;
            for dy in (-half as i64)..=(half as i64) {
                for dx in (-half as i64)..=(half as i64) {
                    let (fx, fy) = (dx as f64, dy as f64);
                    let u = fx * cos + fy * sin + w as f64 / 2.0;
                    let v = -fx * sin + fy * cos + h as f64 / 2.0;
                    if u < 0.0 || v < 0.0 {
                        continue;
                    }
                    let (ui, vi) = (u as usize, v as usize);
                    if ui >= w || vi >= h {
                        continue;
                    }
                    let c = cov[vi * w + ui];
                    if c > 0.0 {
                        canvas.add(gx.round() as i64 + dx, gy.round() as i64 + dy, c);
                    }
                }
            }
        }
    }
    canvas.png()
}

/// A square personal seal (名章) for `name`, `size` pixels: a border and the name in
/// columns read right to left, two-character names completed with 之印 and three-character
/// names with 印, as personal seals are cut.
pub fn personal_seal(name: &str, font: &[u8], size: u32) -> Result<Vec<u8>, SealGenError> {
    let mut chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
    match chars.len() {
        0 => return Err(SealGenError::EmptyName),
        2 => chars.extend(['之', '印']),
        3 => chars.push('印'),
        _ => {}
    }
    let font = FontRef::try_from_slice_and_index(font, 0)
        .or_else(|_| FontRef::try_from_slice(font))
        .map_err(|_| SealGenError::Font)?;
    let mut canvas = Canvas::new(size);
    let s = f64::from(size);
    let (outer, border) = (s * 0.04, s * 0.055);
    canvas.fill(|x, y| {
        let inside_outer = x >= outer && y >= outer && x <= s - outer && y <= s - outer;
        let inside_inner = x >= outer + border
            && y >= outer + border
            && x <= s - outer - border
            && y <= s - outer - border;
        inside_outer && !inside_inner
    });
    let n = chars.len();
    let rows = (n as f64).sqrt().ceil().max(1.0) as usize;
    let cols = n.div_ceil(rows);
    let inner = s - 2.0 * (outer + border);
    let (cell_w, cell_h) = (inner / cols as f64, inner / rows as f64);
    let px = (cell_w.min(cell_h) * 0.9) as f32;
    for (i, ch) in chars.iter().enumerate() {
        // Column-major from the right, top to bottom.
        let (col, row) = (cols - 1 - i / rows, i % rows);
        let cx = outer + border + cell_w * (col as f64 + 0.5);
        let cy = outer + border + cell_h * (row as f64 + 0.5);
        let glyph = font.as_scaled(px).scaled_glyph(*ch);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let b = outline.px_bounds();
        let (w, h) = (f64::from(b.width()), f64::from(b.height()));
        // Stretch each glyph to fill its cell, as seal script does.
        let (sx, sy) = (cell_w * 0.86 / w.max(1.0), cell_h * 0.86 / h.max(1.0));
        let (bw, bh) = (b.width() as usize + 1, b.height() as usize + 1);
        let mut cov = vec![0f32; bw * bh];
        outline.draw(|x, y, c| {
            if let Some(p) = cov.get_mut(y as usize * bw + x as usize) {
                *p = c;
            }
        });
        let (half_w, half_h) = (w * sx / 2.0, h * sy / 2.0);
        for dy in (-half_h as i64)..=(half_h as i64) {
            for dx in (-half_w as i64)..=(half_w as i64) {
                let u = (dx as f64 + half_w) / sx;
                let v = (dy as f64 + half_h) / sy;
                let (ui, vi) = (u as usize, v as usize);
                if ui < bw && vi < bh {
                    let c = cov[vi * bw + ui];
                    if c > 0.0 {
                        canvas.add(cx.round() as i64 + dx, cy.round() as i64 + dy, c);
                    }
                }
            }
        }
    }
    canvas.png()
}

/// Largest side of an uploaded seal image, in pixels.
pub const MAX_UPLOAD_SIDE: u32 = 2000;
/// Smallest side of an uploaded seal image, in pixels.
pub const MIN_UPLOAD_SIDE: u32 = 32;

/// Checks an uploaded seal image (a real PNG or JPEG within the size limits) and returns it
/// as an RGBA PNG with its size. Transparency is kept; an image without any (a scan on
/// white) gets its white background made transparent, with a soft edge so anti-aliased ink
/// stays smooth.
pub fn normalise_upload(bytes: &[u8]) -> Result<(Vec<u8>, u32, u32), SealGenError> {
    let format = image::guess_format(bytes)
        .map_err(|_| SealGenError::Image("not a PNG or JPEG image".into()))?;
    if !matches!(format, image::ImageFormat::Png | image::ImageFormat::Jpeg) {
        return Err(SealGenError::Image("only PNG and JPEG are accepted".into()));
    }
    let reader = image::io::Reader::with_format(std::io::Cursor::new(bytes), format);
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| SealGenError::Image(e.to_string()))?;
    if w > MAX_UPLOAD_SIDE || h > MAX_UPLOAD_SIDE || w < MIN_UPLOAD_SIDE || h < MIN_UPLOAD_SIDE {
        return Err(SealGenError::Image(format!(
            "the image is {w}×{h} pixels; each side must be {MIN_UPLOAD_SIDE}–{MAX_UPLOAD_SIDE}"
        )));
    }
    let img = image::load_from_memory_with_format(bytes, format)
        .map_err(|e| SealGenError::Image(e.to_string()))?;
    let mut rgba = img.to_rgba8();
    let transparent = rgba.pixels().any(|p| p.0[3] < 250);
    if !transparent {
        for p in rgba.pixels_mut() {
            let [r, g, b, _] = p.0;
            let light = r.min(g).min(b);
            // Fully transparent from light grey up; ink keeps full opacity below.
            p.0[3] = match light {
                235..=255 => 0,
                160..=234 => ((235 - u32::from(light)) * 255 / 75) as u8,
                _ => 255,
            };
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc
            .write_header()
            .map_err(|e| SealGenError::Png(e.to_string()))?;
        wr.write_image_data(rgba.as_raw())
            .map_err(|e| SealGenError::Png(e.to_string()))?;
    }
    Ok((out, w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(png_bytes: &[u8]) -> (u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        (info.width, buf)
    }

    #[test]
    fn ring_and_star_are_red_on_transparent() {
        let png_bytes = company_seal("示例科技有限公司", None, 200).unwrap();
        let (w, px) = decode(&png_bytes);
        assert_eq!(w, 200);
        let alpha = |x: usize, y: usize| px[(y * 200 + x) * 4 + 3];
        assert_eq!(alpha(0, 0), 0, "corners are transparent");
        assert_eq!(alpha(100, 100), 255, "the star's centre");
        assert_eq!(alpha(100, 100 - 94), 255, "the ring at the top");
        assert_eq!(alpha(100, 40), 0, "between ring and star");
        assert_eq!(&px[(100 * 200 + 100) * 4..][..3], &RED);
        assert!(company_seal(" ", None, 200).is_err());
    }

    #[test]
    fn the_name_is_drawn_along_the_arc_with_a_font() {
        let Ok(font) = std::fs::read(crate::app::signing::DEFAULT_FONT) else {
            eprintln!(
                "skipping: no CJK font at {}",
                crate::app::signing::DEFAULT_FONT
            );
            return;
        };
        let plain = company_seal("示例科技有限公司", None, 240).unwrap();
        let named = company_seal("示例科技有限公司", Some(&font), 240).unwrap();
        let ink = |b: &[u8]| decode(b).1.chunks(4).filter(|p| p[3] > 128).count();
        // The name adds ink in the band between the ring and the star, in the top half.
        let (_, px) = decode(&named);
        let band = (20..100)
            .flat_map(|y| (20..220).map(move |x| (x, y)))
            .filter(|&(x, y)| {
                let d = ((x as f64 - 120.0).powi(2) + (y as f64 - 120.0).powi(2)).sqrt();
                (50.0..95.0).contains(&d) && px[(y * 240 + x) * 4 + 3] > 128
            })
            .count();
        assert!(band > 500, "name pixels in the band: {band}");
        assert!(ink(&named) > ink(&plain) + 500);
        assert!(company_seal("示例", Some(b"not a font"), 240).is_err());
    }
}
