//! The validator on arbitrary bytes: any verdict is fine, panics, hangs and runaway memory
//! are not. Run with `make fuzz FUZZ_TARGET=verify` (stable toolchain, `-s none`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_pdf::verify::{VerifyOptions, verify};
use signet_pki::verify::TrustAnchors;

fuzz_target!(|data: &[u8]| {
    let options = VerifyOptions::new(TrustAnchors::new());
    let _ = verify(data, &options);
});
