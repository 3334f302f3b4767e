//! Replays the fuzzers' saved inputs (`fuzz/corpus/TARGET`) and any crashes they found
//! (`fuzz/artifacts/TARGET`) through the same code as the fuzz targets, so a fixed crash
//! stays fixed and `make test` needs no fuzzer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_pdf::reader::{Loaded, Streams, load, load_from};
use signet_pdf::source::Image;
use signet_pdf::{PdfError, SignatureSpec, Visible};
use std::path::Path;

/// Every saved input of `target`, with the number found.
fn replay(target: &str, run: impl Fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut n = 0;
    for dir in [format!("corpus/{target}"), format!("artifacts/{target}")] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&data)));
            assert!(r.is_ok(), "{target} panicked on {}", path.display());
            n += 1;
        }
    }
    n
}

#[test]
fn saved_reader_inputs_do_not_panic() {
    let n = replay("reader", |data| {
        let reading = |r: Result<Loaded, PdfError>| match r {
            Ok(l) => format!(
                "{} {:?} {:?} {:?}",
                l.startxref, l.doc.reference_table.entries, l.doc.trailer, l.doc.objects
            ),
            Err(e) => format!("error: {e:?}"),
        };
        let whole = reading(load(data, Streams::Structure));
        let block = 1 + usize::from(data.last().copied().unwrap_or(0) % 97);
        let store = data.to_vec();
        let mut image = Image::with_blocks(&store, block, 0).unwrap();
        assert_eq!(reading(load_from(&mut image, Streams::Structure)), whole);
        let spec = SignatureSpec::new(Visible::Invisible, chrono::DateTime::UNIX_EPOCH);
        if signet_pdf::doc::SourcePdf::parse(data).is_ok() {
            let _ = signet_pdf::prepare(data, &spec, None, 64);
        }
    });
    assert!(n >= 3, "the fuzz corpus is committed");
}

#[test]
fn saved_verify_inputs_do_not_panic() {
    let n = replay("verify", |data| {
        let options =
            signet_pdf::verify::VerifyOptions::new(signet_pki::verify::TrustAnchors::new());
        let _ = signet_pdf::verify::verify(data, &options);
    });
    assert!(n >= 2, "the fuzz corpus is committed");
}

#[test]
fn saved_cms_inputs_do_not_panic() {
    use signet_pki::verify::{CmsSignature, TimestampToken};
    let n = replay("cms", |data| {
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
    assert!(n >= 1, "the fuzz corpus is committed");
}
