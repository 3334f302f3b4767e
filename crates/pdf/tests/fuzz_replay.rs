//! Replays the fuzzer's saved inputs (`fuzz/corpus/reader`) and any crashes it found
//! (`fuzz/artifacts/reader`) through the same code as the fuzz target, so a fixed crash stays
//! fixed and `make test` needs no fuzzer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_pdf::{SignatureSpec, Visible};
use std::path::Path;

#[test]
fn saved_fuzz_inputs_do_not_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut n = 0;
    for dir in ["corpus/reader", "artifacts/reader"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let spec = SignatureSpec::new(Visible::Invisible, chrono::DateTime::UNIX_EPOCH);
            let r = std::panic::catch_unwind(|| {
                if signet_pdf::doc::SourcePdf::parse(&data).is_ok() {
                    let _ = signet_pdf::prepare(&data, &spec, None, 64);
                }
            });
            assert!(r.is_ok(), "panicked on {}", path.display());
            n += 1;
        }
    }
    assert!(n >= 3, "the fuzz corpus is committed");
}
