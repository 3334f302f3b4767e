//! The incremental revision on its own (no cryptography): every corpus file and generated
//! cases keep their bytes, get an update of the same cross-reference kind, and read back; bad
//! inputs are refused without panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use lopdf::{Document, Object, Stream, dictionary};
use signet_pdf::doc::{SourcePdf, XrefKind};
use signet_pdf::{PdfError, SignatureSpec, Visible, prepare};
use std::path::{Path, PathBuf};

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/pdf");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .expect("../shared/corpus/pdf exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    v.sort();
    v
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let data: Vec<u8> = (0..w * h).flat_map(|_| [200, 0, 0, 255]).collect();
        enc.write_header().unwrap().write_image_data(&data).unwrap();
    }
    out
}

/// A one-page PDF written by lopdf, with optional extra catalog and trailer entries.
fn generated(
    xref_stream: bool,
    rotate: i64,
    tweak: impl FnOnce(&mut Document, (u32, u16)),
) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let content = doc.add_object(Stream::new(
        dictionary! {},
        b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET".to_vec(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Rotate" => rotate,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "CropBox" => vec![20.into(), 30.into(), 575.into(), 812.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    tweak(&mut doc, catalog);
    doc.reference_table.cross_reference_type = if xref_stream {
        lopdf::xref::XrefType::CrossReferenceStream
    } else {
        lopdf::xref::XrefType::CrossReferenceTable
    };
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn spec(visible: Visible) -> SignatureSpec {
    let mut s = SignatureSpec::new(visible, Utc::now());
    s.seal_png = Some(png(40, 40));
    s
}

fn check_update(input: &[u8], signed: &[u8]) {
    assert_eq!(&signed[..input.len()], input, "the original bytes are kept");
    let before = SourcePdf::parse(input).unwrap();
    let after = SourcePdf::parse(signed).unwrap();
    assert_eq!(
        before.xref_kind, after.xref_kind,
        "same kind of cross-reference section"
    );
    assert_eq!(before.pages.len(), after.pages.len());
    assert!(signed.ends_with(b"%%EOF\n"));
    // The field is in the form, and the page points at it.
    let catalog = after.catalog().unwrap();
    let form = after
        .resolve(catalog.get(b"AcroForm").unwrap())
        .as_dict()
        .unwrap();
    assert_eq!(form.get(b"SigFlags").unwrap().as_i64().unwrap(), 3);
    assert!(
        !after
            .resolve(form.get(b"Fields").unwrap())
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn every_corpus_file_gets_a_clean_incremental_update() {
    let files = corpus();
    assert!(files.len() >= 5);
    for f in files {
        let input = std::fs::read(&f).unwrap();
        let rev = prepare(
            &input,
            &spec(Visible::Seal {
                page: 1,
                rect: [50.0, 50.0, 80.0, 80.0],
            }),
            None,
            4096,
        )
        .unwrap();
        let br = rev.byte_range;
        assert_eq!(br[0], 0);
        let signed = rev.finish(&[0x30, 0x03, 0x02, 0x01, 0x01]).unwrap();
        assert_eq!(
            br[2] + br[3],
            signed.len(),
            "{}: the byte range reaches the end",
            f.display()
        );
        assert_eq!(signed[br[1]], b'<');
        assert_eq!(signed[br[2] - 1], b'>');
        check_update(&input, &signed);
    }
}

#[test]
fn table_and_stream_updates_and_rotation() {
    for xref_stream in [false, true] {
        for rotate in [0, 90, 180, 270] {
            let input = generated(xref_stream, rotate, |_, _| {});
            let src = SourcePdf::parse(&input).unwrap();
            assert_eq!(
                src.xref_kind,
                if xref_stream {
                    XrefKind::Stream
                } else {
                    XrefKind::Table
                }
            );
            let (w, h) = src.pages[0].displayed_size();
            let rect = [w - 90.0, h - 90.0, 80.0, 80.0];
            let signed = prepare(&input, &spec(Visible::Seal { page: 1, rect }), None, 2048)
                .unwrap()
                .finish(b"\x30\x00")
                .unwrap();
            check_update(&input, &signed);
            // Signing again appends another revision on top.
            let again = prepare(
                &signed,
                &spec(Visible::Seal {
                    page: 1,
                    rect: [10.0, 10.0, 40.0, 40.0],
                }),
                None,
                2048,
            )
            .unwrap()
            .finish(b"\x30\x00")
            .unwrap();
            check_update(&signed, &again);
            let doc = SourcePdf::parse(&again).unwrap();
            assert_eq!(
                doc.field_names(),
                vec![b"Signature1".to_vec(), b"Signature2".to_vec()]
            );
        }
    }
}

#[test]
fn refusals() {
    let input = generated(false, 0, |_, _| {});
    let e = |r: Result<signet_pdf::PreparedRevision, PdfError>| r.err().expect("refused");
    assert!(matches!(
        e(prepare(
            &input,
            &spec(Visible::Seal {
                page: 2,
                rect: [1.0, 1.0, 9.0, 9.0]
            }),
            None,
            100
        )),
        PdfError::PageOutOfRange { page: 2, pages: 1 }
    ));
    assert!(matches!(
        e(prepare(
            &input,
            &spec(Visible::Seal {
                page: 1,
                rect: [500.0, 1.0, 90.0, 9.0]
            }),
            None,
            100
        )),
        PdfError::RectOutsidePage { .. }
    ));
    assert!(matches!(
        e(prepare(
            &input,
            &spec(Visible::Seal {
                page: 1,
                rect: [1.0, 1.0, f64::NAN, 9.0]
            }),
            None,
            100
        )),
        PdfError::RectOutsidePage { .. }
    ));
    assert!(matches!(
        e(prepare(
            &input,
            &spec(Visible::CrossPage {
                first: 1,
                last: 1,
                y: 10.0,
                size: 50.0
            }),
            None,
            100
        )),
        PdfError::BadPlacement(_)
    ));
    // Page 0 and a last page far beyond the document: refused, never an overflow.
    let huge = spec(Visible::CrossPage {
        first: 0,
        last: u32::MAX,
        y: 10.0,
        size: 50.0,
    });
    assert!(matches!(
        e(prepare(&input, &huge, None, 100)),
        PdfError::PageOutOfRange { page: 0, .. }
    ));
    let src = SourcePdf::parse(&input).unwrap();
    assert!(matches!(
        signet_pdf::sign::check_placement(&src, &huge),
        Err(PdfError::PageOutOfRange { page: 0, .. })
    ));
    let mut no_seal = spec(Visible::Seal {
        page: 1,
        rect: [1.0, 1.0, 9.0, 9.0],
    });
    no_seal.seal_png = Some(b"not a png".to_vec());
    assert!(matches!(
        e(prepare(&input, &no_seal, None, 100)),
        PdfError::BadImage(_)
    ));
    assert!(matches!(
        e(prepare(b"hello", &spec(Visible::Invisible), None, 100)),
        PdfError::NotPdf
    ));

    let encrypted = generated(false, 0, |doc, _| {
        let enc = doc.add_object(dictionary! { "Filter" => "Standard", "V" => 1, "R" => 2, "O" => Object::string_literal(vec![0; 32]), "U" => Object::string_literal(vec![0; 32]), "P" => -4 });
        doc.trailer.set("Encrypt", enc);
    });
    assert!(
        matches!(
            SourcePdf::parse(&encrypted).err(),
            Some(PdfError::Encrypted)
        ),
        "an encrypted file is refused as such"
    );

    for (p, refused) in [(1, true), (2, false), (3, false)] {
        let certified = generated(false, 0, |doc, catalog| {
            let sig = doc.add_object(dictionary! {
                "Type" => "Sig",
                "Reference" => vec![Object::Dictionary(dictionary! {
                    "Type" => "SigRef", "TransformMethod" => "DocMDP",
                    "TransformParams" => dictionary! { "Type" => "TransformParams", "P" => p, "V" => "1.2" },
                })],
            });
            let cat = doc.get_object_mut(catalog).unwrap().as_dict_mut().unwrap();
            cat.set("Perms", dictionary! { "DocMDP" => sig });
        });
        let r = SourcePdf::parse(&certified);
        if refused {
            assert!(matches!(r, Err(PdfError::CertifiedNoChanges)), "P={p}");
        } else {
            // P=2 and P=3 allow signatures: the document reads, and a signature is prepared.
            assert!(r.is_ok(), "P={p}: {:?}", r.err());
            prepare(&certified, &spec(Visible::Invisible), None, 100)
                .unwrap_or_else(|e| panic!("P={p}: {e}"));
        }
    }
}

/// What a malformed input must give: the refusal docs/PDF.md documents for it (damaged
/// cross-reference data is `DamagedXref`, never repaired; sound cross-references without a
/// document are `Unreadable`), or a signed revision where the damage is one readers tolerate.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Unreadable,
    DamagedXref,
    Signs,
}

/// The catalog's /Pages reference.
fn pages_of(doc: &lopdf::Document, catalog: lopdf::ObjectId) -> lopdf::ObjectId {
    doc.get_object(catalog)
        .and_then(Object::as_dict)
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
        .unwrap()
}

#[test]
fn malformed_inputs_are_errors_not_panics() {
    let good = generated(false, 0, |_, _| {});
    let mut cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("header only", b"%PDF-1.7\n".to_vec(), Expect::DamagedXref),
        (
            "no cross-reference data at all",
            b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF".to_vec(),
            Expect::DamagedXref,
        ),
        (
            "an xref section claiming 99999999 entries",
            b"%PDF-1.4\nxref\n0 99999999\ntrailer << /Size 99999999 >>\nstartxref\n9\n%%EOF".to_vec(),
            Expect::DamagedXref,
        ),
    ];
    // A cut file has no `startxref` at its end: the table would have to be rebuilt.
    for cut in [10, good.len() / 3, good.len() / 2, good.len() - 10] {
        cases.push(("truncated", good[..cut].to_vec(), Expect::DamagedXref));
    }
    // A damaged `startxref`: refused, never repaired (docs/PDF.md).
    let text = String::from_utf8_lossy(&good).into_owned();
    cases.push((
        "wrong startxref offset",
        text.replacen("startxref\n", "startxref\n1", 1).into_bytes(),
        Expect::DamagedXref,
    ));
    let mut garbage = good.clone();
    let mid = garbage.len() / 2;
    garbage[mid..mid + 40].fill(b'#');
    // An entry no longer leads to its object.
    cases.push(("garbage over the page tree", garbage, Expect::DamagedXref));
    // Sound cross-references, but no document: unreadable.
    cases.push((
        "a trailer without /Root",
        generated(false, 0, |doc, _| {
            doc.trailer.remove(b"Root");
        }),
        Expect::Unreadable,
    ));
    // A page tree that contains itself: the cycle is not followed, the one page signs.
    cases.push((
        "page tree containing itself",
        generated(false, 0, |doc, catalog| {
            let pages = pages_of(doc, catalog);
            let kids = doc
                .get_object_mut(pages)
                .unwrap()
                .as_dict_mut()
                .unwrap()
                .get_mut(b"Kids")
                .unwrap()
                .as_array_mut()
                .unwrap();
            kids.push(Object::Reference(pages));
        }),
        Expect::Signs,
    ));
    // A /Parent chain that loops, with the box to inherit missing: the walk stops (bounded)
    // and the page gets the default box.
    cases.push((
        "looping /Parent chain",
        generated(false, 0, |doc, catalog| {
            let pages = pages_of(doc, catalog);
            let dict = doc.get_object_mut(pages).unwrap().as_dict_mut().unwrap();
            dict.set("Parent", Object::Reference(pages));
            dict.remove(b"MediaBox");
        }),
        Expect::Signs,
    ));
    for (name, case, expect) in cases {
        let r = std::panic::catch_unwind(|| {
            prepare(
                &case,
                &spec(Visible::Seal {
                    page: 1,
                    rect: [1.0, 1.0, 9.0, 9.0],
                }),
                None,
                100,
            )
            .map(|_| ())
        });
        let Ok(r) = r else {
            panic!("{name}: panicked");
        };
        let got = match &r {
            Ok(()) => Expect::Signs,
            Err(PdfError::Unreadable(_)) => Expect::Unreadable,
            Err(PdfError::DamagedXref) => Expect::DamagedXref,
            Err(e) => panic!("{name}: unexpected {e:?}"),
        };
        assert_eq!(got, expect, "{name}: {r:?}");
    }
}

/// `check_placement`, run before any key is opened, refuses exactly what signing refuses for
/// seals and cross-page seals (pages, rectangles, slices at the right edge), on every corpus
/// file and on a rotated, cropped one; a date stamp off its page is refused too.
#[test]
fn placements_are_checked_before_signing_as_signing_checks_them() {
    let mut inputs: Vec<Vec<u8>> = corpus().iter().map(|p| std::fs::read(p).unwrap()).collect();
    inputs.push(generated(false, 90, |_, _| {}));
    let mut checked = 0;
    for input in &inputs {
        let Ok(src) = SourcePdf::parse(input) else {
            continue;
        };
        let n = u32::try_from(src.pages.len()).unwrap();
        let (w, h) = src.pages[0].displayed_size();
        let mut cases = vec![
            Visible::Invisible,
            Visible::Seal {
                page: 1,
                rect: [10.0, 10.0, 80.0, 80.0],
            },
            Visible::Seal {
                page: 1,
                rect: [w - 80.0, h - 80.0, 80.0, 80.0],
            },
            Visible::Seal {
                page: 1,
                rect: [w - 79.0, 10.0, 80.0, 80.0],
            },
            Visible::Seal {
                page: 1,
                rect: [10.0, h - 1.0, 80.0, 80.0],
            },
            Visible::Seal {
                page: 1,
                rect: [-5.0, 10.0, 80.0, 80.0],
            },
            Visible::Seal {
                page: 1,
                rect: [10.0, 10.0, 0.0, 80.0],
            },
            Visible::Seal {
                page: 0,
                rect: [10.0, 10.0, 80.0, 80.0],
            },
            Visible::Seal {
                page: n + 1,
                rect: [10.0, 10.0, 80.0, 80.0],
            },
            Visible::CrossPage {
                first: 1,
                last: n.max(2),
                y: 100.0,
                size: 90.0,
            },
            Visible::CrossPage {
                first: 1,
                last: n + 1,
                y: 100.0,
                size: 90.0,
            },
            Visible::CrossPage {
                first: 1,
                last: 1,
                y: 100.0,
                size: 90.0,
            },
            Visible::CrossPage {
                first: 1,
                last: n.max(2),
                y: h - 10.0,
                size: 90.0,
            },
            Visible::CrossPage {
                first: 1,
                last: n.max(2),
                y: -1.0,
                size: 90.0,
            },
        ];
        // A slice wider than the page: a very wide seal over two pages.
        cases.push(Visible::CrossPage {
            first: 1,
            last: 2,
            y: 10.0,
            size: h - 20.0,
        });
        for visible in cases {
            let mut s = spec(visible.clone());
            s.seal_png = Some(png(400, 40));
            let before = signet_pdf::sign::check_placement(&src, &s);
            let signing = prepare(input, &s, None, 100);
            assert_eq!(
                before.is_ok(),
                signing.is_ok(),
                "{visible:?} on a {n}-page document: checked {before:?}, signing {:?}",
                signing.err()
            );
            checked += 1;
        }
        for (page, x, y) in [(n + 1, 10.0, 10.0), (1, w + 1.0, 10.0), (1, 10.0, h - 2.0)] {
            let mut s = spec(Visible::Invisible);
            s.date = Some(signet_pdf::DateStamp {
                page,
                x,
                y,
                size: 10.0,
                format: signet_pdf::DateStamp::DEFAULT_FORMAT.into(),
            });
            assert!(signet_pdf::sign::check_placement(&src, &s).is_err());
        }
    }
    assert!(checked >= 60, "{checked} cases");
}
