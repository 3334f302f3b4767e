//! Readable distinguished names (RFC 4514 style, most specific first: `CN=…, O=…, C=…`),
//! with UTF8String, BMPString and UniversalString values decoded (Chinese names stay
//! readable).

use super::ber;
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};

/// Short names of the common attribute types.
fn short_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    Some(match oid.to_string().as_str() {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "SERIALNUMBER",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "T",
        "2.5.4.42" => "GN",
        "2.5.4.43" => "initials",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.97" => "organizationIdentifier",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.2.840.113549.1.9.1" => "emailAddress",
        _ => return None,
    })
}

/// The text of a directory string value, if it is one of the string types.
fn value_text(tlv: &ber::Tlv<'_>) -> Option<String> {
    match tlv.tag {
        // UTF8String, PrintableString, IA5String, VisibleString, NumericString
        0x0c | 0x13 | 0x16 | 0x1a | 0x12 => Some(String::from_utf8_lossy(tlv.value).into_owned()),
        // TeletexString: treat as Latin-1 (what it means in practice)
        0x14 => Some(tlv.value.iter().map(|b| char::from(*b)).collect()),
        // BMPString: UTF-16BE
        0x1e => {
            let units: Vec<u16> = tlv
                .value
                .chunks_exact(2)
                .map(|c| {
                    u16::from_be_bytes([
                        c.first().copied().unwrap_or(0),
                        c.get(1).copied().unwrap_or(0),
                    ])
                })
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        // UniversalString: UTF-32BE
        0x1c => Some(
            tlv.value
                .chunks_exact(4)
                .map(|c| {
                    let mut b = [0u8; 4];
                    for (d, s) in b.iter_mut().zip(c) {
                        *d = *s;
                    }
                    char::from_u32(u32::from_be_bytes(b)).unwrap_or('\u{fffd}')
                })
                .collect(),
        ),
        _ => None,
    }
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let count = value.chars().count();
    for (i, c) in value.chars().enumerate() {
        match c {
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i + 1 == count => out.push_str("\\ "),
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' | '=' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// `(type, value)` pairs of a DER `Name`, most specific (last RDN) first.
fn attributes(name_der: &[u8]) -> Option<Vec<(ObjectIdentifier, String)>> {
    let seq = ber::single(name_der, 0x30, "Name").ok()?;
    let mut out = Vec::new();
    for rdn in ber::elements(seq.value).ok()?.iter().rev() {
        for atv in ber::elements(rdn.value).ok()? {
            let parts = ber::elements(atv.value).ok()?;
            let oid = ObjectIdentifier::from_der(parts.first()?.raw).ok()?;
            let value = parts.get(1)?;
            let text = match value_text(value) {
                Some(t) => escape(&t),
                None => format!("#{}", hex(value.raw)),
            };
            out.push((oid, text));
        }
    }
    Some(out)
}

/// RFC 4514-ish text of a `Name` (given as DER): `CN=Alice, O=Example, C=CN`.
pub(crate) fn format_name_der(name_der: &[u8]) -> String {
    match attributes(name_der) {
        Some(attrs) => attrs
            .iter()
            .map(|(oid, v)| match short_name(oid) {
                Some(n) => format!("{n}={v}"),
                None => format!("{oid}={v}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        None => format!("#{}", hex(name_der)),
    }
}

/// RFC 4514-ish text of a `Name`.
pub(crate) fn format_name(name: &x509_cert::name::Name) -> String {
    match name.to_der() {
        Ok(der) => format_name_der(&der),
        Err(_) => String::from("(unencodable name)"),
    }
}

/// The (most specific) common name, unescaped.
pub(crate) fn common_name(name: &x509_cert::name::Name) -> Option<String> {
    let der = name.to_der().ok()?;
    let seq = ber::single(&der, 0x30, "Name").ok()?;
    for rdn in ber::elements(seq.value).ok()?.iter().rev() {
        for atv in ber::elements(rdn.value).ok()? {
            let parts = ber::elements(atv.value).ok()?;
            let oid: ObjectIdentifier = ObjectIdentifier::from_der(parts.first()?.raw).ok()?;
            if oid.to_string() == "2.5.4.3" {
                return value_text(parts.get(1)?);
            }
        }
    }
    None
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr as _;

    #[test]
    fn names_are_readable() {
        let name = x509_cert::name::Name::from_str("CN=Test Signer,O=Signet,C=CN").unwrap();
        assert_eq!(format_name(&name), "CN=Test Signer, O=Signet, C=CN");
        assert_eq!(common_name(&name).as_deref(), Some("Test Signer"));
        // A UTF8String and a BMPString in Chinese.
        let mut der = vec![];
        let utf8 = "张三".as_bytes();
        let bmp: Vec<u8> = "公司"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        let atv = |oid: &[u8], tag: u8, v: &[u8]| {
            let mut a = vec![0x06, u8::try_from(oid.len()).unwrap()];
            a.extend_from_slice(oid);
            a.push(tag);
            a.push(u8::try_from(v.len()).unwrap());
            a.extend_from_slice(v);
            let mut s = vec![0x30, u8::try_from(a.len()).unwrap()];
            s.extend(a);
            let mut set = vec![0x31, u8::try_from(s.len()).unwrap()];
            set.extend(s);
            set
        };
        let o = atv(&[0x55, 0x04, 0x0a], 0x1e, &bmp);
        let cn = atv(&[0x55, 0x04, 0x03], 0x0c, utf8);
        der.push(0x30);
        der.push(u8::try_from(o.len() + cn.len()).unwrap());
        der.extend(o);
        der.extend(cn);
        assert_eq!(format_name_der(&der), "CN=张三, O=公司");
        assert_eq!(escape(" a,b "), "\\ a\\,b\\ ");
    }
}
