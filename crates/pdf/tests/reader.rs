//! The signing reader (`signet_pdf::reader`) cross-checked against lopdf's full load on every
//! file of the shared corpus and of `fixtures/lossless`: the same cross-reference entries,
//! trailer, pages and objects (numbers as lopdf reads them, stream dictionaries), with no
//! stream body copied but those of the object streams that hold objects.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

mod common;

use lopdf::xref::XrefEntry;
use lopdf::{Document, Object};
use signet_pdf::reader::{Loaded, Streams, load, load_from};
use signet_pdf::source::Image;

use common::Blocks;

fn files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lossless"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/pdf"),
    ] {
        if !signet_testkit::require_file(&dir) {
            continue;
        }
        let entries = std::fs::read_dir(&dir).unwrap();
        out.extend(
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "pdf")),
        );
    }
    out.sort();
    assert!(out.len() >= 8, "{out:?}");
    out
}

/// Objects compared as values: strings by their bytes (lopdf keeps whether they were hex),
/// streams by their dictionaries.
fn same(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::String(x, _), Object::String(y, _)) => x == y,
        (Object::Array(x), Object::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Object::Dictionary(x), Object::Dictionary(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_ok_and(|w| same(v, w)))
        }
        (Object::Stream(x), Object::Stream(y)) => same(
            &Object::Dictionary(x.dict.clone()),
            &Object::Dictionary(y.dict.clone()),
        ),
        _ => a == b,
    }
}

fn in_use(e: &XrefEntry) -> bool {
    matches!(e, XrefEntry::Normal { .. } | XrefEntry::Compressed { .. })
}

#[test]
fn the_signing_reader_reads_what_lopdf_reads() {
    for path in files() {
        let name = path.display().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let theirs = Document::load_mem(&bytes).unwrap_or_else(|e| panic!("{name}: lopdf: {e}"));
        let ours = load(&bytes, Streams::Structure).unwrap_or_else(|e| panic!("{name}: {e}"));
        let doc = &ours.doc;
        assert_eq!(ours.startxref, theirs.xref_start, "{name}");
        assert_eq!(
            format!("{:?}", doc.reference_table.cross_reference_type),
            format!("{:?}", theirs.reference_table.cross_reference_type),
            "{name}"
        );
        assert_eq!(
            doc.trailer.get(b"Root").ok(),
            theirs.trailer.get(b"Root").ok(),
            "{name}"
        );
        let used = |d: &Document| -> Vec<(u32, String)> {
            d.reference_table
                .entries
                .iter()
                .filter(|(_, e)| in_use(e))
                .map(|(n, e)| (*n, format!("{e:?}")))
                .collect()
        };
        assert_eq!(used(doc), used(&theirs), "{name}: cross-reference entries");
        assert_eq!(doc.get_pages(), theirs.get_pages(), "{name}: pages");
        for (id, object) in &theirs.objects {
            let mine = doc
                .objects
                .get(id)
                .unwrap_or_else(|| panic!("{name}: object {id:?} missing"));
            assert!(
                same(object, mine),
                "{name}: object {id:?}:\n{object:?}\n{mine:?}"
            );
            if let Object::Stream(s) = mine {
                // Only object streams that hold objects keep their bytes.
                let structural = s.dict.has_type(b"ObjStm");
                assert_eq!(
                    !s.content.is_empty(),
                    structural,
                    "{name}: object {id:?}: body copied"
                );
            }
        }
    }
}

#[test]
fn small_plain_streams_are_kept_when_asked() {
    let bytes = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lossless/hybrid.pdf"),
    )
    .unwrap();
    let kept = load(&bytes, Streams::StructureAndSmallPlain).unwrap();
    let contents = kept
        .doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| !s.dict.has_type(b"ObjStm") && !s.dict.has_type(b"XRef"))
        .filter(|s| !s.content.is_empty())
        .count();
    assert_eq!(contents, 3, "the three plain content streams");
}

#[test]
fn damaged_cross_references_are_refused_not_repaired() {
    use signet_pdf::PdfError;
    let good = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lossless/lo-reals.pdf"),
    )
    .unwrap();
    let find = |needle: &[u8]| memchr::memmem::rfind(&good, needle).unwrap();
    let replace = |from: &[u8], to: &[u8]| -> Vec<u8> {
        let at = find(from);
        let mut b = good[..at].to_vec();
        b.extend_from_slice(to);
        b.extend_from_slice(&good[at + from.len()..]);
        b
    };
    let at = find(b"startxref\n") + b"startxref\n".len();
    let digits: Vec<u8> = good[at..]
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .collect();
    let offset: usize = String::from_utf8(digits).unwrap().parse().unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "startxref off by one",
            replace(
                format!("startxref\n{offset}").as_bytes(),
                format!("startxref\n{}", offset + 1).as_bytes(),
            ),
        ),
        ("no startxref", good[..at - 12].to_vec()),
        ("an entry pointing elsewhere", {
            let mut b = good.clone();
            let entry = find(b"0000000000 65535 f\r\n") + 20;
            b[entry..entry + 10].copy_from_slice(b"0000000001");
            b
        }),
        (
            "a /Prev loop",
            replace(b"/Size 12/", format!("/Size 12/Prev {offset}/").as_bytes()),
        ),
    ];
    for (what, bytes) in cases {
        match load(&bytes, Streams::Structure) {
            Err(PdfError::DamagedXref) => {}
            Err(e) => panic!("{what}: {e:?}"),
            Ok(_) => panic!("{what}: read"),
        }
    }
}

/// Damaged inputs (bytes overwritten, digits changed where the cross-references are, the file
/// cut) give errors or a reading, never a panic: a cheap, deterministic fuzz of the reader and
/// the engine on top of it (`make fuzz` runs the coverage-guided one).
#[test]
fn mutated_inputs_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lossless");
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for name in [
        "hybrid.pdf",
        "objstm.pdf",
        "revisions.pdf",
        "indirect-arrays.pdf",
    ] {
        let good = std::fs::read(dir.join(name)).unwrap();
        for _ in 0..1500 {
            let mut bytes = good.clone();
            let len = bytes.len() as u64;
            match next() % 4 {
                // A byte anywhere.
                0 => bytes[(next() % len) as usize] = (next() % 256) as u8,
                // A digit in the last 30 %: the cross-reference data and trailer.
                1 | 2 => {
                    let at = (len * 7 / 10 + next() % (len * 3 / 10)) as usize;
                    if bytes[at].is_ascii_digit() {
                        bytes[at] = b'0' + (next() % 10) as u8;
                    } else {
                        bytes[at] = b"9 /<>[]R"[(next() % 8) as usize];
                    }
                }
                _ => bytes.truncate((next() % len) as usize),
            }
            let r = std::panic::catch_unwind(|| {
                if let Ok(src) = signet_pdf::doc::SourcePdf::parse(&bytes) {
                    let spec = signet_pdf::SignatureSpec::new(
                        signet_pdf::Visible::Invisible,
                        chrono::DateTime::UNIX_EPOCH,
                    );
                    let _ = signet_pdf::prepare(&bytes, &spec, None, 64);
                    drop(src);
                }
            });
            assert!(r.is_ok(), "{name}: panicked on a mutation");
        }
    }
}

/// Everything a reading holds, spelled out (object values by lopdf's `Debug`).
fn reading(r: &Result<Loaded, signet_pdf::PdfError>) -> String {
    match r {
        Ok(l) => format!(
            "{} {:?} {:?} {:?} {:?}",
            l.startxref, l.xref_kind, l.doc.reference_table.entries, l.doc.trailer, l.doc.objects
        ),
        Err(e) => format!("error: {e:?}"),
    }
}

/// The reader over a store read in blocks of 1 to 4096 bytes (never the whole file at once)
/// reads exactly what it reads from the whole file in memory, on every test file, with both
/// stream policies: a parse that ran into bytes not yet read is never trusted.
#[test]
fn reading_in_blocks_reads_what_reading_whole_reads() {
    for path in files() {
        let name = path.display().to_string();
        let bytes = std::fs::read(&path).unwrap();
        for streams in [Streams::Structure, Streams::StructureAndSmallPlain] {
            let whole = reading(&load(&bytes, streams));
            for block in [1, 7, 61, 512, 4096] {
                let store = Blocks::new(bytes.clone(), block);
                let mut image = Image::with_blocks(&store, block, 0).unwrap();
                let partial = reading(&load_from(&mut image, streams));
                assert_eq!(partial, whole, "{name}: blocks of {block}, {streams:?}");
            }
        }
    }
}

/// The same on damaged files: a reading in blocks fails exactly where, and as, the whole
/// reading fails (a failure seen over bytes not yet read is not believed).
#[test]
fn reading_in_blocks_fails_as_reading_whole_fails() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lossless");
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for name in ["hybrid.pdf", "objstm.pdf", "revisions.pdf", "lo-reals.pdf"] {
        let good = std::fs::read(dir.join(name)).unwrap();
        let mut failures = 0;
        for _ in 0..300 {
            let mut bytes = good.clone();
            let len = bytes.len() as u64;
            let at = (len * 6 / 10 + next() % (len * 4 / 10)) as usize;
            match next() % 3 {
                0 => {
                    let alphabet = b"0123456789 /<>[]Rn\n";
                    bytes[at] = alphabet[(next() % alphabet.len() as u64) as usize];
                }
                1 => bytes[at] = (next() % 256) as u8,
                _ => bytes.truncate(at),
            }
            let whole = reading(&load(&bytes, Streams::Structure));
            failures += usize::from(whole.starts_with("error"));
            let block = [3, 64, 1000][(next() % 3) as usize];
            let store = Blocks::new(bytes, block);
            let mut image = Image::with_blocks(&store, block, 0).unwrap();
            let partial = reading(&load_from(&mut image, Streams::Structure));
            assert_eq!(partial, whole, "{name}: blocks of {block}");
        }
        assert!(
            failures > 30,
            "{name}: only {failures} of the damaged files were refused"
        );
    }
}

/// A large scan: only the structure is read (a few blocks at its start and end), not the
/// image that makes up the file.
#[test]
fn a_large_image_is_never_read() {
    let pdf = common::scanned_pdf(8 << 20);
    let store = Blocks::new(pdf.clone(), 64 * 1024);
    let mut image = Image::new(&store).unwrap();
    let partial = reading(&load_from(&mut image, Streams::Structure));
    assert_eq!(partial, reading(&load(&pdf, Streams::Structure)));
    assert!(
        store.read.get() <= 4 * 64 * 1024,
        "{} bytes read of {}",
        store.read.get(),
        pdf.len()
    );
}
