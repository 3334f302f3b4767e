//! What a caller should tell the user about a signature it adds.

use super::*;

/// Something a caller should tell the user about the signature it adds to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The document is certified with DocMDP P=2 or P=3: the signature goes into a new, signed
    /// signature field after the certification. ISO 32000, Acrobat and Signet's validator
    /// allow it; pyHanko's default policy reports any new visible field after a certification
    /// as a modification of the certifier's signature (docs/PDF.md).
    CertifiedNewField { permission: u8 },
}

impl Notice {
    /// The stable code (the `Signet-Notice` header, a step's `notices`).
    pub fn code(&self) -> &'static str {
        match self {
            Notice::CertifiedNewField { .. } => "certified-new-field",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Notice::CertifiedNewField { permission } => format!(
                "the document is certified (DocMDP P={permission}); this signature adds a new signed field after the certification"
            ),
        }
    }
}

/// What signing `input` will call for telling. Cheap for the common case: the document is
/// read only when its bytes mention `DocMDP`.
pub fn notices(input: &[u8]) -> Vec<Notice> {
    if memchr::memmem::find(input, b"DocMDP").is_none() {
        return Vec::new();
    }
    notices_from(&mut Whole(input))
}

/// As [`notices`], for a document in a store (only its structure is read).
pub fn notices_in<S: Store + ?Sized>(store: &S) -> Vec<Notice> {
    match store.as_slice() {
        Some(bytes) => notices(bytes),
        None => match Image::new(store) {
            Ok(mut image) => notices_from(&mut image),
            Err(_) => Vec::new(),
        },
    }
}

fn notices_from(src: &mut dyn Source) -> Vec<Notice> {
    let Ok(src) = SourcePdf::parse_source(src, crate::doc::Streams::Structure, true) else {
        return Vec::new();
    };
    match src.docmdp_permission() {
        Some(p @ 2..=3) => vec![Notice::CertifiedNewField {
            permission: p as u8,
        }],
        _ => Vec::new(),
    }
}
