//! The PDF reader and the revision builder on arbitrary bytes: errors are fine, panics, hangs
//! and runaway memory are not. Run with `make fuzz` (stable toolchain, `-s none`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_pdf::{SignatureSpec, Visible};

fuzz_target!(|data: &[u8]| {
    if signet_pdf::doc::SourcePdf::parse(data).is_ok() {
        let spec = SignatureSpec::new(Visible::Invisible, chrono::DateTime::UNIX_EPOCH);
        let _ = signet_pdf::prepare(data, &spec, None, 64);
    }
});
