use thiserror::Error;

/// Why a PDF could not be read or signed. Every variant is a refusal made before anything
/// is written, or (for [`PdfError::Storage`]) after what was appended was taken back.
#[derive(Debug, Error)]
pub enum PdfError {
    #[error("not a PDF: the file does not start with a %PDF-x.y header")]
    NotPdf,
    #[error("the PDF cannot be read: {0}")]
    Unreadable(String),
    #[error(
        "the PDF's cross-reference data is damaged (it would need repair); refusing to append to it"
    )]
    DamagedXref,
    #[error("the PDF is encrypted; signing encrypted files is not supported")]
    Encrypted,
    #[error(
        "the document is certified with DocMDP P=1: no changes, not even signatures, are permitted"
    )]
    CertifiedNoChanges,
    #[error("page {page} does not exist (the document has {pages} pages)")]
    PageOutOfRange { page: u32, pages: u32 },
    #[error(
        "the rectangle {rect:?} is not inside page {page} ({width} × {height} points as displayed)"
    )]
    RectOutsidePage {
        page: u32,
        rect: [f64; 4],
        width: f64,
        height: f64,
    },
    #[error("invalid placement: {0}")]
    BadPlacement(String),
    #[error("the seal image is not a usable PNG: {0}")]
    BadImage(String),
    #[error("the font cannot be used: {0}")]
    BadFont(String),
    #[error("the signature ({got} bytes) does not fit the reserved space ({room} bytes)")]
    SignatureTooLarge { got: usize, room: usize },
    #[error("signing failed: {0}")]
    Signing(#[from] signet_pki::sign::SignError),
    #[error("timestamping failed: {0}")]
    Timestamp(String),
    #[error("unusable validation data: {0}")]
    ValidationData(String),
    #[error("the page cannot be rendered: {0}")]
    Render(String),
    #[error("reading or writing the document failed: {0}")]
    Storage(#[source] std::io::Error),
}
