//! Signing a document in a store (`signet_pdf::sign_store`), as `signet pdf sign` signs a
//! file: only the structure is read, the digest is one pass over the store, the revision is
//! the one signing in memory appends, and a failure leaves the store as it was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Utc;
use signet_pdf::verify::{Verdict, verify};
use signet_pdf::{PdfError, SignatureSpec, Store, Visible};

use common::{Blocks, Pki};

fn spec(visible: Visible) -> SignatureSpec {
    // Now (after the test PKI was made): a fixed time would fall outside its certificates'
    // validity one day, or before it on the day the PKI is made.
    let mut spec = SignatureSpec::new(visible, Utc::now());
    spec.name = Some("Store Signer".into());
    spec
}

/// The bytes of a signed file with its newest `/Contents` hex string blanked out.
fn without_value(pdf: &[u8]) -> Vec<u8> {
    let at = memchr::memmem::rfind(pdf, b"/Contents <").unwrap() + b"/Contents <".len();
    let end = at + pdf[at..].iter().position(|b| *b == b'>').unwrap();
    let mut out = pdf.to_vec();
    out[at..end].fill(b'0');
    out
}

#[test]
fn a_store_gets_the_revision_memory_gets() {
    let pki = Pki::new(false);
    let (key, cert, chain) = (pki.key("signer"), pki.cert("signer"), [pki.cert("root")]);
    for name in ["lo-reals.pdf", "objstm.pdf", "hybrid.pdf", "revisions.pdf"] {
        let input = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/lossless")
                .join(name),
        )
        .unwrap();
        let spec = spec(Visible::Invisible);
        let in_memory = signet_pdf::sign(&input, &spec, &key, &cert, &chain, None).unwrap();
        for block in [5, 200, 4096] {
            let mut store = Blocks::new(input.clone(), block);
            signet_pdf::sign_store(&mut store, &spec, &key, &cert, &chain, None, &mut Ok).unwrap();
            assert_eq!(
                without_value(&store.data),
                without_value(&in_memory),
                "{name}: blocks of {block}"
            );
            let report = verify(&store.data, &pki.options(Utc::now()));
            assert_eq!(report.verdict, Verdict::Valid, "{name}: {report:#?}");
        }
    }
}

/// An 8 MB scan is signed reading its structure and hashing it once: the bytes read are the
/// document once plus a few blocks.
#[test]
fn a_large_scan_is_read_once() {
    let pki = Pki::new(false);
    let pdf = common::scanned_pdf(8 << 20);
    let block = 64 * 1024;
    let mut store = Blocks::new(pdf.clone(), block);
    let seal = {
        let mut png = Vec::new();
        let mut enc = png::Encoder::new(&mut png, 2, 2);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header()
            .unwrap()
            .write_image_data(&[200; 16])
            .unwrap();
        png
    };
    let mut spec = spec(Visible::Seal {
        page: 1,
        rect: [360.0, 60.0, 120.0, 120.0],
    });
    spec.seal_png = Some(seal);
    signet_pdf::sign_store(
        &mut store,
        &spec,
        &pki.key("signer"),
        &pki.cert("signer"),
        &[pki.cert("root")],
        None,
        &mut Ok,
    )
    .unwrap();
    assert_eq!(&store.data[..pdf.len()], &pdf[..]);
    let read = store.read.get();
    assert!(
        read <= store.data.len() + 3 * block,
        "{read} bytes read for a {} byte document",
        store.data.len()
    );
    let report = verify(&store.data, &pki.options(Utc::now()));
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
}

/// When the signature cannot be completed (here: the TSA fails), the appended revision is
/// taken back: the store holds the document as it was.
#[test]
fn a_failed_signature_leaves_the_store_as_it_was() {
    let pki = Pki::new(false);
    let input = common::scanned_pdf(300_000);
    let mut store = Blocks::new(input.clone(), 4096);
    let err = signet_pdf::sign_store(
        &mut store,
        &spec(Visible::Invisible),
        &pki.key("signer"),
        &pki.cert("signer"),
        &[],
        None,
        &mut |_| Err(PdfError::Timestamp("the TSA is down".into())),
    )
    .unwrap_err();
    assert!(matches!(err, PdfError::Timestamp(_)), "{err:?}");
    assert_eq!(store.len(), input.len() as u64);
    assert_eq!(store.data, input);
}
