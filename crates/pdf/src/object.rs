//! Serialising lopdf objects to PDF syntax, for the objects an incremental update *adds*
//! (signature fields, widgets, appearances, fonts, DSS streams). Existing objects are never
//! re-serialised from lopdf's model (its reals are 32-bit floats): a revision that changes one
//! copies its bytes and splices in what it changes (`crate::raw`).

use lopdf::{Dictionary, Object, StringFormat};
use std::io::Write;

fn is_regular(b: u8) -> bool {
    (0x21..=0x7e).contains(&b) && !b"()<>[]{}/%#".contains(&b)
}

pub fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        if is_regular(b) {
            out.push(b);
        } else {
            let _ = write!(out, "#{b:02X}");
        }
    }
}

pub fn write_string(out: &mut Vec<u8>, s: &[u8], format: StringFormat) {
    match format {
        StringFormat::Hexadecimal => {
            out.push(b'<');
            for b in s {
                let _ = write!(out, "{b:02X}");
            }
            out.push(b'>');
        }
        StringFormat::Literal => {
            out.push(b'(');
            for &b in s {
                match b {
                    b'(' | b')' | b'\\' => {
                        out.push(b'\\');
                        out.push(b);
                    }
                    0x20..=0x7e => out.push(b),
                    _ => {
                        let _ = write!(out, "\\{b:03o}");
                    }
                }
            }
            out.push(b')');
        }
    }
}

/// A number Signet computes (a new widget's rectangle, an appearance's size): at most four
/// decimals, 1/10000 pt. Never used for a number read from the document.
pub fn write_real(out: &mut Vec<u8>, v: f64) {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let _ = write!(out, "{}", v as i64);
    } else {
        let s = format!("{v:.4}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        out.extend_from_slice(if s == "-0" { b"0" } else { s.as_bytes() });
    }
}

pub fn write_dict(out: &mut Vec<u8>, d: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        write_name(out, k);
        out.push(b' ');
        write_object(out, v);
    }
    out.extend_from_slice(b">>");
}

pub fn write_object(out: &mut Vec<u8>, obj: &Object) {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Object::Real(r) => write_real(out, f64::from(*r)),
        Object::Name(n) => write_name(out, n),
        Object::String(s, f) => write_string(out, s, *f),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => write_dict(out, d),
        Object::Stream(s) => {
            let mut dict = s.dict.clone();
            dict.set("Length", Object::Integer(s.content.len() as i64));
            write_dict(out, &dict);
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&s.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference((n, g)) => {
            let _ = write!(out, "{n} {g} R");
        }
    }
}

pub fn to_bytes(obj: &Object) -> Vec<u8> {
    let mut v = Vec::new();
    write_object(&mut v, obj);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    #[test]
    fn serialises_and_round_trips_through_lopdf() {
        let d = dictionary! {
            "Type" => "Annot",
            "T" => Object::String(b"Sig (1) \\ \xe4".to_vec(), StringFormat::Literal),
            "Rect" => vec![Object::Real(1.5), 2.into(), Object::Real(-0.25), 4.into()],
            "P" => Object::Reference((12, 0)),
            "Odd Name#" => Object::Null,
        };
        let bytes = to_bytes(&Object::Dictionary(d.clone()));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/Odd#20Name#23 null"), "{text}");
        assert!(text.contains("[1.5 2 -0.25 4]"), "{text}");
        assert!(text.contains("/P 12 0 R"), "{text}");
        assert!(text.contains(r"(Sig \(1\) \\ \344)"), "{text}");
    }
}
