//! Decoding xref and object streams: FlateDecode with the PNG predictors, within limits.

use super::*;

/// Decodes an xref or object stream: no filter, or FlateDecode with an optional PNG
/// predictor.
pub(super) fn decode(dict: &Node, body: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let filters: Vec<&[u8]> = match dict.get(b"Filter").map(|f| &f.value) {
        None => Vec::new(),
        Some(Value::Name(n)) => vec![n.as_slice()],
        Some(Value::Array(a)) => a
            .iter()
            .map(|f| match &f.value {
                Value::Name(n) => Ok(n.as_slice()),
                _ => Err("a filter that is not a name".to_owned()),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("a filter that is not a name".into()),
    };
    let mut data = body.to_vec();
    for f in filters {
        match f {
            b"FlateDecode" | b"Fl" => {
                let mut out = Vec::new();
                flate2::read::ZlibDecoder::new(&data[..])
                    .take(limit as u64 + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| format!("FlateDecode: {e}"))?;
                if out.len() > limit {
                    return Err("decoded stream too large".into());
                }
                data = out;
            }
            other => {
                return Err(format!(
                    "filter /{} is not supported here",
                    String::from_utf8_lossy(other)
                ));
            }
        }
    }
    let parms = match dict.get(b"DecodeParms").map(|p| &p.value) {
        Some(Value::Array(a)) => a.first(),
        Some(Value::Dict(_)) => dict.get(b"DecodeParms"),
        _ => None,
    };
    let predictor = parms
        .and_then(|p| p.get(b"Predictor"))
        .and_then(number)
        .unwrap_or(1);
    if predictor >= 10 {
        let columns = parms
            .and_then(|p| p.get(b"Columns"))
            .and_then(number)
            .and_then(|c| usize::try_from(c).ok())
            .unwrap_or(1);
        data = png_unpredict(&data, columns)?;
    } else if predictor != 1 {
        return Err(format!("predictor {predictor} is not supported here"));
    }
    Ok(data)
}

/// Undoes PNG row prediction (one byte per pixel, as xref streams use it).
fn png_unpredict(data: &[u8], columns: usize) -> Result<Vec<u8>, String> {
    if columns == 0 || columns > data.len() {
        return Err(format!("{columns} columns for {} bytes", data.len()));
    }
    let stride = columns + 1;
    let mut out = Vec::with_capacity(data.len() / stride * columns);
    let mut prev = vec![0u8; columns];
    for row in data.chunks(stride) {
        if row.len() < stride {
            break;
        }
        let (kind, raw) = (row[0], &row[1..]);
        let mut cur = vec![0u8; columns];
        for i in 0..columns {
            let left = if i > 0 { cur[i - 1] } else { 0 };
            let up = prev[i];
            let up_left = if i > 0 { prev[i - 1] } else { 0 };
            cur[i] = match kind {
                0 => raw[i],
                1 => raw[i].wrapping_add(left),
                2 => raw[i].wrapping_add(up),
                3 => raw[i].wrapping_add(((u16::from(left) + u16::from(up)) / 2) as u8),
                4 => {
                    let p = i16::from(left) + i16::from(up) - i16::from(up_left);
                    let (pa, pb, pc) = (
                        (p - i16::from(left)).abs(),
                        (p - i16::from(up)).abs(),
                        (p - i16::from(up_left)).abs(),
                    );
                    let pred = if pa <= pb && pa <= pc {
                        left
                    } else if pb <= pc {
                        up
                    } else {
                        up_left
                    };
                    raw[i].wrapping_add(pred)
                }
                _ => return Err(format!("PNG predictor type {kind}")),
            };
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}
