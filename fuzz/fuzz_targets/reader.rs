//! The PDF reader and the revision builder on arbitrary bytes: errors are fine, panics, hangs
//! and runaway memory are not. The reader is also run over the bytes read in small blocks
//! (as `signet pdf sign` reads a file) and must read exactly what it reads from the whole:
//! a parse that ran into bytes not yet read is never trusted. Run with `make fuzz` (stable
//! toolchain, `-s none`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_pdf::reader::{Loaded, Streams, load, load_from};
use signet_pdf::source::Image;
use signet_pdf::{PdfError, SignatureSpec, Visible};

fn reading(r: &Result<Loaded, PdfError>) -> String {
    match r {
        Ok(l) => format!(
            "{} {:?} {:?} {:?} {:?}",
            l.startxref, l.xref_kind, l.doc.reference_table.entries, l.doc.trailer, l.doc.objects
        ),
        Err(e) => format!("error: {e:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let whole = reading(&load(data, Streams::Structure));
    let block = 1 + usize::from(data.last().copied().unwrap_or(0) % 97);
    let store = data.to_vec();
    if let Ok(mut image) = Image::with_blocks(&store, block, 0) {
        let partial = reading(&load_from(&mut image, Streams::Structure));
        assert_eq!(partial, whole, "blocks of {block}");
    }
    if signet_pdf::doc::SourcePdf::parse(data).is_ok() {
        let spec = SignatureSpec::new(Visible::Invisible, chrono::DateTime::UNIX_EPOCH);
        let _ = signet_pdf::prepare(data, &spec, None, 64);
    }
});
