//! PAdES B-T, B-LT and B-LTA (`signet_pdf::ltv`) against an independent PKI: a CA, a TSA
//! (`openssl ts -reply`), an OCSP responder (`openssl ocsp`, offline) and a CRL (`openssl ca
//! -gencrl`) made with the openssl CLI in a temporary directory. The results are checked by
//! Signet's validator and, for P-256, by pyHanko's AdES validation (`pyhanko sign
//! adesverify`) with revocation checking from the embedded data only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Pki, corpus, tools};

use std::path::Path;
use std::process::Command;

use chrono::{Duration, Utc};
use lopdf::Document;
use signet_pdf::doc::{SourcePdf, XrefKind};
use signet_pdf::ltv::{self, DssMaterial};
use signet_pdf::verify::{ChangeKind, Level, Report, SignatureKind, Verdict, verify};
use signet_pdf::{Pades, PdfError, Signature, SignatureSpec, Visible};
use signet_pki::sign::KeyAlgorithm;
use signet_pki::verify::{CmsSignature, TimestampToken};

// ------------------------------------------------------------------------------------------
// Checks
// ------------------------------------------------------------------------------------------

fn explain(report: &Report) -> String {
    format!("{report:#?}")
}

/// The document's signature (not a document timestamp) is valid at `level`.
fn assert_signature(report: &Report, level: Level) {
    let sigs: Vec<_> = report
        .signatures
        .iter()
        .filter(|s| s.kind != SignatureKind::DocumentTimestamp)
        .collect();
    assert_eq!(sigs.len(), 1, "{}", explain(report));
    let s = sigs[0];
    assert_eq!(s.verdict, Verdict::Valid, "{}", explain(report));
    assert_eq!(s.level, Some(level), "{}", explain(report));
    let ts = s.timestamp.as_ref().expect("a signature timestamp");
    assert!(ts.imprint_matches && ts.signature_valid && ts.trust.trusted);
    assert!(s.coverage.whole_revision);
}

/// Every certificate of the signer's and the TSA's path (the root aside) is "good" by
/// embedded revocation data.
fn assert_revocation_good(report: &Report) {
    let s = report
        .signatures
        .iter()
        .find(|s| s.kind != SignatureKind::DocumentTimestamp)
        .unwrap();
    let ts = s.timestamp.as_ref().unwrap();
    for trust in [&s.trust, &ts.trust] {
        let checked: Vec<_> = trust
            .revocation
            .iter()
            .filter(|r| !r.subject.contains("Root"))
            .collect();
        assert!(!checked.is_empty(), "{}", explain(report));
        for r in checked {
            assert_eq!(r.status, "good", "{}", explain(report));
        }
    }
}

/// DER objects, or VRI keys.
type Blobs = Vec<Vec<u8>>;

/// The last revision's `/DSS` as read by lopdf (full load): the DER objects of `/Certs`,
/// `/OCSPs` and `/CRLs`, and the `/VRI` keys.
fn dss(pdf: &[u8]) -> (Blobs, Blobs, Blobs, Blobs) {
    let doc = Document::load_mem(pdf).unwrap();
    let catalog = doc.catalog().unwrap();
    let dss = doc
        .dereference(catalog.get(b"DSS").unwrap())
        .unwrap()
        .1
        .as_dict()
        .unwrap();
    let items = |key: &[u8]| -> Vec<Vec<u8>> {
        let Ok(arr) = dss.get(key) else {
            return Vec::new();
        };
        let arr = doc.dereference(arr).unwrap().1.as_array().unwrap();
        arr.iter()
            .map(|o| {
                let s = doc.dereference(o).unwrap().1.as_stream().unwrap();
                s.content.clone()
            })
            .collect()
    };
    let vri = dss
        .get(b"VRI")
        .map(|v| {
            doc.dereference(v)
                .unwrap()
                .1
                .as_dict()
                .unwrap()
                .iter()
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default();
    (items(b"Certs"), items(b"OCSPs"), items(b"CRLs"), vri)
}

/// `pyhanko sign adesverify --trust-replace --trust root.pem FILE`: exit status and output.
fn pyhanko_adesverify(pki: &Pki, pdf: &[u8], name: &str) -> Option<(bool, String)> {
    if !tools(&["pyhanko"]) {
        return None;
    }
    let file = pki.file(name);
    std::fs::write(&file, pdf).unwrap();
    let root = pki.file("root.pem");
    let out = Command::new("pyhanko")
        .args(["sign", "adesverify", "--trust-replace", "--trust"])
        .arg(&root)
        .arg(&file)
        .output()
        .unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if let Ok(keep) = std::env::var("SIGNET_LTV_KEEP") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::write(Path::new(&keep).join(name), pdf).unwrap();
        std::fs::copy(&root, Path::new(&keep).join("root.pem")).unwrap();
    }
    Some((out.status.success(), text))
}

// ------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------

/// B-T → B-LT → B-LTA on a file with an xref table and one with an xref stream, each level
/// checked by Signet's validator, the last also by pyHanko's AdES validation with
/// revocation checking from the embedded data only.
#[test]
fn p256_b_t_then_b_lt_then_b_lta() {
    for input in ["reportlab-three-pages.pdf", "reportlab-object-streams.pdf"] {
        let pki = Pki::new(false);
        let original = corpus(input);

        // B-T.
        let bt = pki.sign_bt(original.clone()).unwrap();
        assert_eq!(&bt[..original.len()], &original[..], "{input}: bytes kept");
        let now = Utc::now() + Duration::minutes(1);
        assert_signature(&verify(&bt, &pki.options(now)), Level::BT);

        // Revocation data made after the signature timestamp.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let needed = ltv::embedded_certificates(&bt).unwrap();
        let subjects: Vec<String> = needed
            .iter()
            .map(|c| c.tbs_certificate().subject().to_string())
            .collect();
        for who in ["Signer", "TSA", "Root"] {
            assert!(
                subjects.iter().any(|s| s.contains(who)),
                "{input}: {who} in {subjects:?}"
            );
        }
        assert_eq!(needed.len(), 3, "{input}: de-duplicated: {subjects:?}");

        // pyHanko (offline) cannot find revocation data for it yet.
        if let Some((ok, text)) = pyhanko_adesverify(&pki, &bt, &format!("bt-{input}")) {
            assert!(!ok, "{input}: pyHanko accepted B-T offline:\n{text}");
            assert!(
                text.contains("no revocation information"),
                "{input}:\n{text}"
            );
        }
        // B-LT.
        let material = pki.material();
        let lt = ltv::add_dss(bt.clone(), &material).unwrap();
        assert_eq!(&lt[..bt.len()], &bt[..]);
        let (certs, ocsps, crls, vri) = dss(&lt);
        assert_eq!(certs.len(), 4, "{input}: every certificate once");
        assert_eq!(ocsps, material.ocsps);
        assert_eq!(crls, material.crls);
        assert_eq!(vri.len(), 1);
        assert!(
            vri[0]
                .iter()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
        );
        assert_eq!(vri[0].len(), 40);
        let now = Utc::now() + Duration::minutes(1);
        let report = verify(&lt, &pki.options(now));
        assert_signature(&report, Level::BLT);
        assert_revocation_good(&report);
        let last = report.revisions.last().unwrap();
        assert!(
            last.changes
                .iter()
                .all(|c| c.kind == ChangeKind::ValidationData),
            "{}",
            explain(&report)
        );
        // Same xref kind as before.
        let xref_stream = |b: &[u8]| SourcePdf::parse(b).unwrap().xref_kind == XrefKind::Stream;
        assert_eq!(xref_stream(&lt), xref_stream(&original), "{input}");

        // pyHanko finds it in the DSS.
        if let Some((ok, text)) = pyhanko_adesverify(&pki, &lt, &format!("lt-{input}")) {
            assert!(ok, "{input}: pyHanko refused the B-LT file:\n{text}");
            assert!(
                text.contains(":INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>"),
                "{input}:\n{text}"
            );
        }
        // B-LTA.
        let lta = ltv::add_document_timestamp(lt.clone(), 16384, &mut |d: &[u8]| pki.timestamp(d))
            .unwrap();
        assert_eq!(&lta[..lt.len()], &lt[..]);
        let now = Utc::now() + Duration::minutes(1);
        let report = verify(&lta, &pki.options(now));
        assert_signature(&report, Level::BLTA);
        assert_revocation_good(&report);
        let dts: Vec<_> = report
            .signatures
            .iter()
            .filter(|s| s.kind == SignatureKind::DocumentTimestamp)
            .collect();
        assert_eq!(dts.len(), 1, "{}", explain(&report));
        assert_eq!(dts[0].verdict, Verdict::Valid, "{}", explain(&report));
        assert!(dts[0].coverage.whole_file);
        assert_eq!(report.verdict, Verdict::Valid, "{}", explain(&report));

        // The DTS's certificates are reported too, for the next round of validation data.
        let needed = ltv::embedded_certificates(&lta).unwrap();
        assert_eq!(needed.len(), 3);

        // pyHanko, AdES-style, offline: the timestamp and the long-term validation data are
        // found and valid.
        if let Some((ok, text)) = pyhanko_adesverify(&pki, &lta, &format!("lta-{input}")) {
            assert!(ok, "{input}: pyHanko refused the B-LTA file:\n{text}");
            assert!(
                text.contains(
                    ":INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>,EXTENDED_WITH_LTA_UPDATES,ACCEPTABLE_MODIFICATIONS"
                ),
                "{input}:\n{text}"
            );
        }
    }
}

/// A second `add_dss` merges: new objects are appended, known ones are not repeated, the
/// existing VRI entries stay as they are, and with nothing new the file is unchanged.
#[test]
fn add_dss_merges_into_an_existing_dss() {
    let pki = Pki::new(false);
    let bt = pki.sign_bt(corpus("reportlab-three-pages.pdf")).unwrap();
    // Revocation data made after the signature timestamp (OCSP times are in whole seconds).
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let first = DssMaterial {
        certs: vec![pki.cert_der("root"), pki.cert_der("signer")],
        ocsps: vec![pki.ocsp("signer")],
        crls: Vec::new(),
    };
    let one = ltv::add_dss(bt, &first).unwrap();
    let (certs, ocsps, crls, vri) = dss(&one);
    // The OCSP response's responder certificate comes along.
    assert_eq!(certs.len(), 3);
    assert!(certs.contains(&pki.cert_der("ocsp")));
    assert_eq!((ocsps.len(), crls.len(), vri.len()), (1, 0, 1));

    // Nothing new: unchanged.
    assert_eq!(ltv::add_dss(one.clone(), &first).unwrap(), one);

    // The full set, with the same signer OCSP response as before (a new one would be new
    // data and be added).
    let mut full = pki.material();
    full.ocsps[0] = first.ocsps[0].clone();
    let two = ltv::add_dss(one.clone(), &full).unwrap();
    assert!(two.len() > one.len());
    assert_eq!(&two[..one.len()], &one[..]);
    let (certs2, ocsps2, crls2, vri2) = dss(&two);
    assert_eq!(certs2.len(), 4, "tsa added, the rest not repeated");
    assert_eq!(&certs2[..3], &certs[..], "existing objects kept in place");
    assert_eq!(ocsps2.len(), 2);
    assert_eq!(ocsps2[0], ocsps[0]);
    assert_eq!(crls2.len(), 1);
    assert_eq!(vri2, vri);

    // Only validation data changed; the signature is B-LT.
    let report = verify(&two, &pki.options(Utc::now() + Duration::minutes(1)));
    assert_signature(&report, Level::BLT);
    assert!(
        report.revisions[2..]
            .iter()
            .flat_map(|r| &r.changes)
            .all(|c| c.kind == ChangeKind::ValidationData),
        "{}",
        explain(&report)
    );

    // After a document timestamp, its VRI entry is added, the old one kept.
    let lta = ltv::add_document_timestamp(two, 16384, &mut |d: &[u8]| pki.timestamp(d)).unwrap();
    let again = ltv::add_dss(lta, &full).unwrap();
    let (_, _, _, vri3) = dss(&again);
    assert_eq!(vri3.len(), 2);
    assert!(vri3.contains(&vri[0]));
    let report = verify(&again, &pki.options(Utc::now() + Duration::minutes(1)));
    assert_signature(&report, Level::BLTA);
    assert_eq!(report.verdict, Verdict::Valid, "{}", explain(&report));
    // pyHanko's diff policy accepts the DSS update after the document timestamp.
    if let Some((ok, text)) = pyhanko_adesverify(&pki, &again, "dss-after-dts.pdf") {
        assert!(ok, "pyHanko refused DSS → DTS → DSS:\n{text}");
        assert!(text.contains("EXTENDED_WITH_LTA_UPDATES"), "{text}");
    }
}

/// A TSA as a function of the key algorithm and the digest.
type Tsa<'a> = &'a dyn Fn(KeyAlgorithm, &[u8]) -> Result<Vec<u8>, String>;

/// TSA failures and bad tokens are errors; nothing is produced. Bad validation data too.
#[test]
fn timestamp_and_validation_data_failures_are_errors() {
    let pki = Pki::new(false);
    let input = corpus("reportlab-three-pages.pdf");
    let spec = SignatureSpec::new(Visible::Invisible, Utc::now());
    let sign_with = |spec: &SignatureSpec, tsa: Tsa<'_>| {
        let signature = Signature {
            spec: spec.clone(),
            key: pki.key("signer"),
            signer: pki.cert("signer"),
            chain: vec![],
        };
        Pades::new(signet_pdf::Level::BT, Some(&tsa)).sign(input.clone(), &[signature])
    };
    let sign = |tsa: Tsa<'_>| sign_with(&spec, tsa);
    // The TSA fails.
    let err = sign(&|_, _| Err("connection refused".to_string())).unwrap_err();
    assert!(
        matches!(&err, PdfError::Timestamp(m) if m.contains("connection refused")),
        "{err}"
    );
    // Garbage.
    let err = sign(&|_, _| Ok(b"not a token".to_vec())).unwrap_err();
    assert!(matches!(err, PdfError::Timestamp(_)), "{err}");
    // A real token, for other data.
    let err = sign(&|_, _| pki.timestamp(&[7u8; 32])).unwrap_err();
    assert!(matches!(err, PdfError::Timestamp(_)), "{err}");
    // A damaged token (a byte of its signature flipped).
    let err = sign(&|_, d| {
        let mut t = pki.timestamp(d)?;
        let n = t.len() - 10;
        t[n] ^= 0x55;
        Ok(t)
    })
    .unwrap_err();
    assert!(matches!(err, PdfError::Timestamp(_)), "{err}");
    // No room for the token.
    let mut small = spec.clone();
    small.reserve = 0;
    let err = sign_with(&small, &|_, d| pki.timestamp(d)).unwrap_err();
    assert!(matches!(err, PdfError::SignatureTooLarge { .. }), "{err}");

    // Document timestamps: the same checks, and too little room.
    let signed = pki.sign_bt(input.clone()).unwrap();
    let err = ltv::add_document_timestamp(signed.clone(), 16384, &mut |_: &[u8]| {
        Err("down".to_string())
    })
    .unwrap_err();
    assert!(matches!(err, PdfError::Timestamp(_)), "{err}");
    let err = ltv::add_document_timestamp(signed.clone(), 100, &mut |d: &[u8]| pki.timestamp(d))
        .unwrap_err();
    assert!(matches!(err, PdfError::SignatureTooLarge { .. }), "{err}");

    // Unreadable validation data.
    for material in [
        DssMaterial {
            certs: vec![b"junk".to_vec()],
            ..Default::default()
        },
        DssMaterial {
            ocsps: vec![pki.cert_der("root")],
            ..Default::default()
        },
        DssMaterial {
            crls: vec![pki.cert_der("root")],
            ..Default::default()
        },
    ] {
        let err = ltv::add_dss(signed.clone(), &material).unwrap_err();
        assert!(matches!(err, PdfError::ValidationData(_)), "{err}");
    }
}

/// The CMS keeps its signed part byte for byte; the timestamp stamps the signature value.
#[test]
fn the_signature_timestamp_is_an_unsigned_attribute() {
    let pki = Pki::new(false);
    let digest = [0x42u8; 32];
    let cms = signet_pki::sign::sign_detached(
        &pki.key("signer"),
        &pki.cert("signer"),
        &[pki.cert("root")],
        &digest,
    )
    .unwrap();
    let value = signet_pki::sign::signature_value(&cms).unwrap();
    let before = CmsSignature::parse(&cms).unwrap();
    assert_eq!(value, before.signature_value());
    let stamped = ltv::timestamp_signature(&cms, &mut |d: &[u8]| pki.timestamp(d)).unwrap();
    let after = CmsSignature::parse(&stamped).unwrap();
    assert_eq!(
        after.signed_attributes_der(),
        before.signed_attributes_der()
    );
    assert_eq!(after.signature_value(), before.signature_value());
    assert_eq!(after.certificates(), before.certificates());
    assert!(after.verify_detached(&digest, &[]).ok());
    let token = after.signature_timestamp().unwrap().unwrap();
    assert!(token.imprint_matches(&value));
    assert!(token.verify(&[]).ok());
    // Everything up to the SignerInfo's signature value is unchanged but for lengths: the
    // certificates' bytes appear as they were.
    let cert = pki.cert_der("signer");
    let find = |hay: &[u8]| hay.windows(cert.len()).position(|w| w == cert);
    assert!(find(&cms).is_some() && find(&stamped).is_some());
    // A second timestamp is added next to the first; zero padding is accepted.
    let mut padded = stamped.clone();
    padded.resize(stamped.len() + 100, 0);
    let token2 = pki.timestamp(&[1u8; 32]).unwrap();
    let twice = signet_pki::sign::add_signature_timestamp(&padded, &token2).unwrap();
    assert!(twice.len() > stamped.len() + token2.len());
    assert!(
        CmsSignature::parse(&twice)
            .unwrap()
            .verify_detached(&digest, &[])
            .ok()
    );
    // Not a CMS.
    assert!(signet_pki::sign::signature_value(b"\x30\x03\x02\x01\x01").is_err());
    assert!(signet_pki::sign::add_signature_timestamp(&cms, b"junk").is_err());
    assert!(TimestampToken::parse(&token2).is_ok());
}

/// SM2 with SM3 at B-T (the TSA's key is SM2 too), then B-LTA, by Signet's validator.
#[test]
fn sm2_b_t() {
    let pki = Pki::new(true);
    let original = corpus("pdftex-libtasn1-manual.pdf");
    let bt = pki.sign_bt(original.clone()).unwrap();
    assert_eq!(&bt[..original.len()], &original[..]);
    let report = verify(&bt, &pki.options(Utc::now() + Duration::minutes(1)));
    assert_signature(&report, Level::BT);
    let s = &report.signatures[0];
    assert_eq!(
        s.integrity.digest_algorithm.as_deref(),
        Some("SM3"),
        "{}",
        explain(&report)
    );
    let ts = s.timestamp.as_ref().unwrap();
    assert!(
        ts.authority
            .as_ref()
            .is_some_and(|a| a.subject.contains("TSA")),
        "{}",
        explain(&report)
    );
    // And a document timestamp on top (no revocation data: B-T stays B-T).
    let with_dts =
        ltv::add_document_timestamp(bt, 16384, &mut |d: &[u8]| pki.timestamp(d)).unwrap();
    let report = verify(&with_dts, &pki.options(Utc::now() + Duration::minutes(1)));
    assert_signature(&report, Level::BT);
    assert_eq!(report.verdict, Verdict::Valid, "{}", explain(&report));
}

/// Validation data from a fixed set, recording which certificates it was asked about.
struct Recorded {
    material: DssMaterial,
    asked: std::cell::RefCell<Vec<String>>,
}

impl signet_pdf::ValidationSource for Recorded {
    fn material(&self, embedded: &[x509_cert::Certificate]) -> Result<DssMaterial, String> {
        self.asked.borrow_mut().extend(
            embedded
                .iter()
                .map(|c| c.tbs_certificate().subject().to_string()),
        );
        Ok(self.material.clone())
    }
}

/// The pipeline reaches each level from its two sources: B-B signs alone, B-T stamps each
/// signature, B-LT asks the validation source about every embedded certificate and adds what
/// it gives, B-LTA adds a document timestamp; a level that needs a TSA without one is refused
/// before anything is written.
#[test]
fn the_pades_pipeline_reaches_each_level_from_its_sources() {
    use signet_pdf::pades::Level as PadesLevel;
    let pki = Pki::new(false);
    let input = corpus("reportlab-three-pages.pdf");
    let tsa = |_: KeyAlgorithm, d: &[u8]| pki.timestamp(d);
    let signature = || Signature {
        spec: SignatureSpec::new(Visible::Invisible, Utc::now()),
        key: pki.key("signer"),
        signer: pki.cert("signer"),
        chain: vec![pki.cert("root")],
    };
    let kind = |pdf: &[u8]| {
        let report = verify(pdf, &pki.options(Utc::now() + Duration::minutes(1)));
        let s = report
            .signatures
            .iter()
            .find(|s| s.kind != SignatureKind::DocumentTimestamp)
            .cloned()
            .unwrap();
        (s.verdict, s.level, report.signatures.len())
    };

    // B-B: no TSA needed, none asked.
    let bb = Pades::new(PadesLevel::BB, None)
        .sign(input.clone(), &[signature()])
        .unwrap();
    assert_eq!(kind(&bb), (Verdict::Valid, Some(Level::BB), 1));
    // B-T without a TSA is refused.
    let err = Pades::new(PadesLevel::BT, None)
        .sign(input.clone(), &[signature()])
        .unwrap_err();
    assert!(matches!(err, PdfError::Timestamp(_)), "{err}");

    for (level, expected, signatures) in [
        (PadesLevel::BT, Level::BT, 1),
        (PadesLevel::BLt, Level::BLT, 1),
        (PadesLevel::BLta, Level::BLTA, 2),
    ] {
        let pades = Pades::new(level, Some(&tsa));
        let signed = pades.sign(input.clone(), &[signature()]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let source = Recorded {
            material: pki.material(),
            asked: Default::default(),
        };
        let done = pades
            .extend(signed.clone(), &source, KeyAlgorithm::EcdsaP256)
            .unwrap();
        assert_eq!(&done[..signed.len()], &signed[..], "{level:?}: bytes kept");
        assert_eq!(kind(&done), (Verdict::Valid, Some(expected), signatures));
        let asked = source.asked.borrow();
        if level >= PadesLevel::BLt {
            for who in ["Signer", "TSA", "Root"] {
                assert!(asked.iter().any(|s| s.contains(who)), "{who} in {asked:?}");
            }
        } else {
            assert!(asked.is_empty(), "{asked:?}");
            assert_eq!(done, signed);
        }
    }

    // B-LT needs no TSA to extend; B-LTA does.
    let bt = Pades::new(PadesLevel::BT, Some(&tsa))
        .sign(input.clone(), &[signature()])
        .unwrap();
    let lt = Pades::new(PadesLevel::BLt, None)
        .extend(bt.clone(), &pki.material(), KeyAlgorithm::EcdsaP256)
        .unwrap();
    assert!(lt.len() > bt.len());
    let err = Pades::new(PadesLevel::BLta, None)
        .extend(bt, &pki.material(), KeyAlgorithm::EcdsaP256)
        .unwrap_err();
    assert!(matches!(err, PdfError::Timestamp(_)), "{err}");
}
