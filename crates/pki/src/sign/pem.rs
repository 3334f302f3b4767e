//! PEM blocks.

use super::*;

/// Splits PEM text into its blocks (label, decoded bytes), in order. Lenient about line
/// lengths, line endings and text between blocks; `None` when a block is malformed (no END
/// line, bad base64, RFC 1421 headers).
pub(crate) fn pem_blocks(text: &str) -> Option<Vec<(String, Zeroizing<Vec<u8>>)>> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after_begin = rest.get(start + BEGIN.len()..)?;
        let label_end = after_begin.find(DASHES)?;
        let label = after_begin.get(..label_end)?;
        let body_and_more = after_begin.get(label_end + DASHES.len()..)?;
        let end_line = format!("-----END {label}-----");
        let body_end = body_and_more.find(&end_line)?;
        let body = body_and_more.get(..body_end)?;
        if body.contains(':') {
            return None;
        }
        let b64: Zeroizing<String> =
            Zeroizing::new(body.chars().filter(|c| !c.is_ascii_whitespace()).collect());
        let der = Zeroizing::new(STANDARD.decode(b64.as_bytes()).ok()?);
        blocks.push((label.to_owned(), der));
        rest = body_and_more.get(body_end + end_line.len()..)?;
    }
    Some(blocks)
}
