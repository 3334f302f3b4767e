//! The CMS and RFC 3161 parsers and the signer check on arbitrary bytes. Run with
//! `make fuzz FUZZ_TARGET=cms` (stable toolchain, `-s none`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_pki::verify::{CmsSignature, TimestampToken};

fuzz_target!(|data: &[u8]| {
    if let Ok(cms) = CmsSignature::parse(data) {
        let _ = cms.verify_detached(&[0u8; 32], &[]);
        let _ = cms.signing_time();
        if let Some(Ok(ts)) = cms.signature_timestamp() {
            let _ = ts.verify(&[]);
        }
    }
    if let Ok(ts) = TimestampToken::parse(data) {
        let _ = ts.imprint_matches(b"data");
        let _ = ts.verify(&[]);
    }
});
