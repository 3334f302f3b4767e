//! Signet's PDF engine: reads PDFs from any producer (lopdf), never rewrites their bytes, and
//! appends incremental revisions carrying PAdES signatures with visible seals, date stamps
//! and cross-page seals. Validation is built by the validator issue.

pub mod appearance;
pub mod doc;
pub mod error;
pub mod ltv;
pub mod object;
pub mod pades;
pub mod raw;
pub mod reader;
pub mod render;
pub mod report;
pub mod sign;
pub mod source;
pub mod update;
pub mod verify;

pub use appearance::CjkFont;
pub use error::PdfError;
pub use ltv::{DssMaterial, Timestamper, add_document_timestamp, add_dss, embedded_certificates};
pub use pades::{Level, Pades, Signature, TimestampSource, ValidationSource};
pub use sign::{
    DateStamp, Notice, PreparedRevision, SignatureSpec, Visible, notices, notices_in, prepare,
    prepare_owned, sign, sign_store,
};
pub use source::Store;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SniffError {
    #[error("not a PDF: the file does not start with a %PDF-x.y header")]
    NotPdf,
}

/// The version in the `%PDF-x.y` header, which must appear within the first 1024 bytes
/// (as readers such as Acrobat and pdf.js allow).
pub fn header_version(bytes: &[u8]) -> Result<(u8, u8), SniffError> {
    let head = &bytes[..bytes.len().min(1024)];
    let at = head
        .windows(5)
        .position(|w| w == b"%PDF-")
        .ok_or(SniffError::NotPdf)?;
    match head.get(at + 5..at + 8) {
        Some([major @ b'1'..=b'2', b'.', minor @ b'0'..=b'9']) => Ok((major - b'0', minor - b'0')),
        _ => Err(SniffError::NotPdf),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_files_have_headers() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/pdf");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("skipping: no corpus at {}", dir.display());
            return;
        };
        let mut n = 0;
        for e in entries {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "pdf") {
                let bytes = std::fs::read(&path).unwrap();
                assert!(header_version(&bytes).is_ok(), "{}", path.display());
                n += 1;
            }
        }
        assert!(n >= 5);
    }

    #[test]
    fn rejects_non_pdf() {
        assert_eq!(header_version(b"PK\x03\x04"), Err(SniffError::NotPdf));
        assert_eq!(header_version(b"%PDF-x.y"), Err(SniffError::NotPdf));
        assert_eq!(header_version(b""), Err(SniffError::NotPdf));
        assert_eq!(header_version(b"junk\n%PDF-1.7\n"), Ok((1, 7)));
        assert_eq!(header_version(b"%PDF-2.0"), Ok((2, 0)));
    }
}
