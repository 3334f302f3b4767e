//! The one hand-written DER reader of the crate, for the few places that must edit or measure
//! DER bytes without decoding and re-encoding them (a signature timestamp goes into a
//! `SignerInfo` as bytes; a timestamp token's length inside zero padding). Everything else
//! decodes with the `der` crate.

/// What is wrong with the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DerError(pub &'static str);

/// One DER element of a buffer: its tag and the offsets of its header, contents and end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv {
    pub tag: u8,
    pub start: usize,
    pub body: usize,
    pub end: usize,
}

/// Reads the DER element at `at`, which must end by `limit` (single-byte tags, definite
/// lengths of up to four bytes).
pub fn read(der: &[u8], at: usize, limit: usize) -> Result<Tlv, DerError> {
    let tag = *der.get(at).ok_or(DerError("truncated"))?;
    if tag & 0x1f == 0x1f {
        return Err(DerError("multi-byte tags are not supported"));
    }
    let first = *der.get(at + 1).ok_or(DerError("truncated"))?;
    let (len, body) = match first {
        0..=0x7f => (usize::from(first), at + 2),
        0x80 => return Err(DerError("indefinite lengths (BER) are not supported")),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7f);
            let bytes = der.get(at + 2..at + 2 + n).ok_or(DerError("truncated"))?;
            let len = bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (len, at + 2 + n)
        }
        _ => return Err(DerError("length too large")),
    };
    let end = body
        .checked_add(len)
        .filter(|e| *e <= limit)
        .ok_or(DerError("an element runs past its container"))?;
    Ok(Tlv {
        tag,
        start: at,
        body,
        end,
    })
}

/// The elements inside a constructed element.
pub fn children(der: &[u8], parent: &Tlv) -> Result<Vec<Tlv>, DerError> {
    let mut out = Vec::new();
    let mut at = parent.body;
    while at < parent.end {
        let tlv = read(der, at, parent.end)?;
        at = tlv.end;
        out.push(tlv);
    }
    Ok(out)
}

/// The length of the DER element at the start of `der` (header and contents), when it is one
/// that fits.
pub fn element_len(der: &[u8]) -> Option<usize> {
    read(der, 0, der.len()).ok().map(|t| t.end)
}

/// `tag`, DER length, `content`.
pub fn wrap(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_wraps() {
        for n in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let content = vec![7u8; n];
            let mut der = wrap(0x30, &content);
            assert_eq!(element_len(&der), Some(der.len()));
            let t = read(&der, 0, der.len()).unwrap();
            assert_eq!((t.tag, t.end - t.body), (0x30, n));
            // Zero padding after the element is not part of it.
            der.extend_from_slice(&[0; 9]);
            assert_eq!(element_len(&der), Some(der.len() - 9));
        }
        let outer = wrap(0x30, &[wrap(0x02, &[1]), wrap(0x04, &[2, 3])].concat());
        let kids = children(&outer, &read(&outer, 0, outer.len()).unwrap()).unwrap();
        assert_eq!(kids.iter().map(|k| k.tag).collect::<Vec<_>>(), [0x02, 0x04]);
    }

    #[test]
    fn refuses_what_is_not_der() {
        assert_eq!(read(&[], 0, 0), Err(DerError("truncated")));
        assert_eq!(
            read(&[0x30, 0x80, 0, 0], 0, 4).err(),
            Some(DerError("indefinite lengths (BER) are not supported"))
        );
        assert_eq!(
            read(&[0x1f, 0x01, 0], 0, 3).err(),
            Some(DerError("multi-byte tags are not supported"))
        );
        assert_eq!(
            read(&[0x30, 0x05, 0], 0, 3).err(),
            Some(DerError("an element runs past its container"))
        );
        assert_eq!(
            read(&[0x30, 0x85, 1, 1, 1, 1, 1], 0, 7).err(),
            Some(DerError("length too large"))
        );
        assert_eq!(element_len(&[0x30, 0x82, 0x01]), None);
    }
}
