//! A small, bounded TLV reader for the parts of CMS and X.509 where the original encoding
//! matters (signed attributes, TBS parts) or where producers are less strict than DER
//! (indefinite lengths, constructed OCTET STRINGs, unsorted SETs).

use super::VerifyError;

/// Deepest nesting of indefinite-length elements followed.
const MAX_DEPTH: usize = 32;

/// One encoded element.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet (single-byte tags only).
    pub tag: u8,
    /// The whole element: tag, length, value (and end-of-contents for indefinite lengths).
    pub raw: &'a [u8],
    /// The contents octets.
    pub value: &'a [u8],
}

pub(crate) fn malformed(what: &'static str, detail: impl Into<String>) -> VerifyError {
    VerifyError::Malformed {
        what,
        detail: detail.into(),
    }
}

/// Reads one element from the front of `input`; returns it and the rest.
pub(crate) fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), VerifyError> {
    read_at(input, 0)
}

fn read_at(input: &[u8], depth: usize) -> Result<(Tlv<'_>, &[u8]), VerifyError> {
    const WHAT: &str = "ASN.1 element";
    if depth > MAX_DEPTH {
        return Err(malformed(WHAT, "nested too deeply"));
    }
    let (&tag, after_tag) = input
        .split_first()
        .ok_or_else(|| malformed(WHAT, "unexpected end of data"))?;
    if tag & 0x1f == 0x1f {
        return Err(malformed(WHAT, "multi-byte tags are not supported"));
    }
    let (&first, after_first) = after_tag
        .split_first()
        .ok_or_else(|| malformed(WHAT, "missing length"))?;
    if first == 0x80 {
        if tag & 0x20 == 0 {
            return Err(malformed(WHAT, "indefinite length on a primitive element"));
        }
        let mut cur = after_first;
        loop {
            if cur.len() < 2 {
                return Err(malformed(WHAT, "missing end-of-contents"));
            }
            if cur.starts_with(&[0, 0]) {
                let value_len = after_first.len() - cur.len();
                let value = after_first
                    .get(..value_len)
                    .ok_or_else(|| malformed(WHAT, "length"))?;
                let raw_len = input.len() - cur.len() + 2;
                let raw = input
                    .get(..raw_len)
                    .ok_or_else(|| malformed(WHAT, "length"))?;
                let rest = cur.get(2..).unwrap_or_default();
                return Ok((Tlv { tag, raw, value }, rest));
            }
            // Every element takes at least two bytes, so this terminates.
            let (_, rest) = read_at(cur, depth + 1)?;
            cur = rest;
        }
    }
    let (len, len_bytes) = if first < 0x80 {
        (usize::from(first), 0usize)
    } else {
        let n = usize::from(first & 0x7f);
        if n > 4 {
            return Err(malformed(WHAT, "length too large"));
        }
        let bytes = after_first
            .get(..n)
            .ok_or_else(|| malformed(WHAT, "truncated length"))?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, n)
    };
    let header_len = 2 + len_bytes;
    let end = header_len
        .checked_add(len)
        .ok_or_else(|| malformed(WHAT, "length too large"))?;
    let raw = input
        .get(..end)
        .ok_or_else(|| malformed(WHAT, "truncated (length exceeds the data)"))?;
    let value = raw.get(header_len..).unwrap_or_default();
    let rest = input.get(end..).unwrap_or_default();
    Ok((Tlv { tag, raw, value }, rest))
}

/// All elements of a constructed value, in order.
pub(crate) fn elements(value: &[u8]) -> Result<Vec<Tlv<'_>>, VerifyError> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let (tlv, r) = read(rest)?;
        out.push(tlv);
        rest = r;
    }
    Ok(out)
}

/// Reads exactly one element of tag `tag` filling `input`.
pub(crate) fn single<'a>(
    input: &'a [u8],
    tag: u8,
    what: &'static str,
) -> Result<Tlv<'a>, VerifyError> {
    let (tlv, rest) = read(input)?;
    if !rest.is_empty() {
        return Err(VerifyError::TrailingData);
    }
    expect_tag(&tlv, tag, what)?;
    Ok(tlv)
}

/// Fails unless `tlv` has tag `tag`.
pub(crate) fn expect_tag(tlv: &Tlv<'_>, tag: u8, what: &'static str) -> Result<(), VerifyError> {
    if tlv.tag == tag {
        Ok(())
    } else {
        Err(malformed(
            what,
            format!("expected tag 0x{tag:02x}, found 0x{:02x}", tlv.tag),
        ))
    }
}

/// The contents of an OCTET STRING, primitive (0x04) or constructed (0x24, BER), with the
/// chunks joined.
pub(crate) fn octet_string(tlv: &Tlv<'_>) -> Result<Vec<u8>, VerifyError> {
    octet_string_at(tlv, 0)
}

fn octet_string_at(tlv: &Tlv<'_>, depth: usize) -> Result<Vec<u8>, VerifyError> {
    match tlv.tag {
        0x04 => Ok(tlv.value.to_vec()),
        0x24 if depth < MAX_DEPTH => {
            let mut out = Vec::new();
            for chunk in elements(tlv.value)? {
                out.extend(octet_string_at(&chunk, depth + 1)?);
            }
            Ok(out)
        }
        _ => Err(malformed("OCTET STRING", "wrong tag or nested too deeply")),
    }
}

/// The first element of a SEQUENCE's contents (the TBS part of a signed structure), as
/// encoded, and the whole sequence's elements.
pub(crate) fn signed_parts<'a>(
    der: &'a [u8],
    what: &'static str,
) -> Result<Vec<Tlv<'a>>, VerifyError> {
    let outer = single(der, 0x30, what)?;
    let parts = elements(outer.value)?;
    if parts.len() < 3 {
        return Err(malformed(what, "expected TBS, algorithm and signature"));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_definite_and_indefinite_lengths() {
        let (t, rest) = read(&[0x30, 0x03, 0x02, 0x01, 0x05, 0xff]).unwrap();
        assert_eq!(t.tag, 0x30);
        assert_eq!(t.value, &[0x02, 0x01, 0x05]);
        assert_eq!(rest, &[0xff]);
        let (t, rest) = read(&[0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00, 0x07]).unwrap();
        assert_eq!(t.value, &[0x02, 0x01, 0x05]);
        assert_eq!(t.raw.len(), 7);
        assert_eq!(rest, &[0x07]);
        let (t, _) = read(&[0x24, 0x80, 0x04, 0x01, 0xaa, 0x04, 0x01, 0xbb, 0, 0]).unwrap();
        assert_eq!(octet_string(&t).unwrap(), vec![0xaa, 0xbb]);
        assert!(read(&[0x30, 0x05, 0x00]).is_err());
        assert!(read(&[0x30, 0x80, 0x02, 0x01]).is_err());
        assert!(read(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_err());
        assert!(read(&[0x04, 0x80, 0, 0]).is_err());
        assert!(read(&[]).is_err());
        // Deep indefinite nesting is refused, not followed without bound.
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 100).flatten().collect();
        assert!(read(&deep).is_err());
    }
}
