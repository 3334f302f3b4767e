#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::verify::{ChainInput, Purpose, RevocationMaterial, TrustAnchors, validate_chain};
use chrono::Duration;
use x509_cert::ext::pkix::ExtendedKeyUsage;

pub(crate) struct TestPki {
    pub root_key: SigningKey,
    pub root: Certificate,
    pub ca_key: SigningKey,
    pub ca: Certificate,
}

pub(crate) fn pki(alg: KeyAlgorithm) -> TestPki {
    let now = Utc::now();
    let root_key = SigningKey::generate(alg).unwrap();
    let root_spki = root_key.public_key_spki_der().unwrap();
    let root_name = SubjectName {
        organization: Some("Signet".into()),
        country: Some("CN".into()),
        ..SubjectName::common("Test Root")
    };
    let root = issue(
        &CertificateRequest {
            subject: &root_name,
            public_key_spki_der: &root_spki,
            serial: random_serial(),
            not_before: now - Duration::hours(1),
            not_after: now + Duration::days(3650),
            profile: Profile::RootCa,
            urls: CaUrls::default(),
        },
        &root_key,
        None,
    )
    .unwrap();
    let ca_key = SigningKey::generate(alg).unwrap();
    let ca_spki = ca_key.public_key_spki_der().unwrap();
    let ca = issue(
        &CertificateRequest {
            subject: &SubjectName::common("Test Issuing CA"),
            public_key_spki_der: &ca_spki,
            serial: random_serial(),
            not_before: now - Duration::hours(1),
            not_after: now + Duration::days(1825),
            profile: Profile::IssuingCa,
            urls: CaUrls::default(),
        },
        &root_key,
        Some(&root),
    )
    .unwrap();
    TestPki {
        root_key,
        root,
        ca_key,
        ca,
    }
}

pub(crate) fn leaf(p: &TestPki, profile: Profile, alg: KeyAlgorithm) -> (SigningKey, Certificate) {
    let now = Utc::now();
    let key = SigningKey::generate(alg).unwrap();
    let spki = key.public_key_spki_der().unwrap();
    let cert = issue(
        &CertificateRequest {
            subject: &SubjectName::common("Leaf"),
            public_key_spki_der: &spki,
            serial: random_serial(),
            not_before: now - Duration::hours(1),
            not_after: now + Duration::days(365),
            profile,
            urls: CaUrls {
                crl: Some("http://ca.example.test/ca.crl".into()),
                ocsp: Some("http://ca.example.test/ocsp".into()),
                ca_issuers: None,
            },
        },
        &p.ca_key,
        Some(&p.ca),
    )
    .unwrap();
    (key, cert)
}

#[test]
fn chains_validate_with_our_own_verifier() {
    for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Sm2] {
        let p = pki(alg);
        let anchors = {
            let mut a = TrustAnchors::new();
            a.push(p.root.clone());
            a
        };
        for (profile, purpose) in [
            (Profile::Signer, Purpose::DocumentSigning),
            (Profile::TimeStamping, Purpose::Timestamping),
        ] {
            let (_, cert) = leaf(&p, profile, alg);
            let report = validate_chain(&ChainInput {
                leaf: &cert,
                intermediates: std::slice::from_ref(&p.ca),
                anchors: &anchors,
                at: Utc::now(),
                revocation: &RevocationMaterial::default(),
                purpose,
            });
            assert!(report.trusted, "{alg:?} {profile:?}: {:?}", report.problems);
            assert_eq!(report.path.len(), 3);
        }
        // A signer certificate cannot be used as a timestamping certificate.
        let (_, signer) = leaf(&p, Profile::Signer, alg);
        let report = validate_chain(&ChainInput {
            leaf: &signer,
            intermediates: std::slice::from_ref(&p.ca),
            anchors: &anchors,
            at: Utc::now(),
            revocation: &RevocationMaterial::default(),
            purpose: Purpose::Timestamping,
        });
        assert!(!report.trusted);
    }
}

#[test]
fn profiles_set_the_extensions() {
    let p = pki(KeyAlgorithm::EcdsaP256);
    let root = p.root.tbs_certificate();
    assert_eq!(root.issuer(), root.subject());
    let (crit, bc) = root.get_extension::<BasicConstraints>().unwrap().unwrap();
    assert!(crit && bc.ca && bc.path_len_constraint.is_none());
    assert!(
        root.get_extension::<AuthorityKeyIdentifier>()
            .unwrap()
            .is_none()
    );
    let ca = p.ca.tbs_certificate();
    let (_, bc) = ca.get_extension::<BasicConstraints>().unwrap().unwrap();
    assert_eq!(bc.path_len_constraint, Some(0));
    let (_, aki) = ca
        .get_extension::<AuthorityKeyIdentifier>()
        .unwrap()
        .unwrap();
    let (_, root_ski) = root
        .get_extension::<SubjectKeyIdentifier>()
        .unwrap()
        .unwrap();
    assert_eq!(aki.key_identifier.unwrap(), root_ski.0);

    let (_, tsa) = leaf(&p, Profile::TimeStamping, KeyAlgorithm::EcdsaP256);
    let (crit, eku) = tsa
        .tbs_certificate()
        .get_extension::<ExtendedKeyUsage>()
        .unwrap()
        .unwrap();
    assert!(crit);
    assert_eq!(eku.0, vec![voi::KP_TIME_STAMPING]);

    let (_, ocsp) = leaf(&p, Profile::OcspResponder, KeyAlgorithm::EcdsaP256);
    let tbs = ocsp.tbs_certificate();
    assert!(
        tbs.extensions()
            .unwrap()
            .iter()
            .any(|e| e.extn_id == voi::OCSP_NOCHECK)
    );
    assert_eq!(
        crate::verify::ocsp_urls(&ocsp),
        vec!["http://ca.example.test/ocsp".to_owned()]
    );
    assert_eq!(
        crate::verify::crl_urls(&ocsp),
        vec!["http://ca.example.test/ca.crl".to_owned()]
    );

    let (_, signer) = leaf(&p, Profile::Signer, KeyAlgorithm::EcdsaP256);
    let (crit, ku) = signer
        .tbs_certificate()
        .get_extension::<KeyUsage>()
        .unwrap()
        .unwrap();
    assert!(crit && ku.digital_signature() && ku.non_repudiation() && !ku.key_cert_sign());
}

#[test]
fn mixed_algorithms_and_mismatched_keys() {
    // An SM2 CA may certify a P-256 key and vice versa.
    let p = pki(KeyAlgorithm::Sm2);
    let (_, cert) = leaf(&p, Profile::Signer, KeyAlgorithm::EcdsaP256);
    assert_eq!(cert.signature_algorithm().oid, voi::SM2_WITH_SM3);

    // The wrong key for the issuer certificate.
    let spki = SigningKey::generate(KeyAlgorithm::Sm2)
        .unwrap()
        .public_key_spki_der()
        .unwrap();
    let name = SubjectName::common("x");
    let req = CertificateRequest {
        subject: &name,
        public_key_spki_der: &spki,
        serial: random_serial(),
        not_before: Utc::now(),
        not_after: Utc::now() + Duration::days(1),
        profile: Profile::Signer,
        urls: CaUrls::default(),
    };
    assert!(matches!(
        issue(&req, &p.root_key, Some(&p.ca)),
        Err(CaError::KeyMismatch)
    ));
    // Self-signed with a key that is not the subject's.
    assert!(matches!(
        issue(&req, &p.root_key, None),
        Err(CaError::KeyMismatch)
    ));
    // A non-CA issuer.
    let (leaf_key, leaf_cert) = leaf(&p, Profile::Signer, KeyAlgorithm::Sm2);
    assert!(matches!(
        issue(&req, &leaf_key, Some(&leaf_cert)),
        Err(CaError::IssuerNotAuthorized(_))
    ));
    // An issuing CA (pathLenConstraint 0) cannot make another CA.
    let sub_ca = CertificateRequest {
        profile: Profile::IssuingCa,
        ..req.clone()
    };
    assert!(matches!(
        issue(&sub_ca, &p.ca_key, Some(&p.ca)),
        Err(CaError::IssuerNotAuthorized(_))
    ));
    // Empty validity.
    let bad = CertificateRequest {
        not_after: req.not_before,
        ..req.clone()
    };
    assert!(matches!(
        issue(&bad, &p.ca_key, Some(&p.ca)),
        Err(CaError::InvalidTime(_))
    ));
    // Junk key.
    let junk = CertificateRequest {
        public_key_spki_der: b"\x30\x00",
        ..req.clone()
    };
    assert!(matches!(
        issue(&junk, &p.ca_key, Some(&p.ca)),
        Err(CaError::BadPublicKey(_))
    ));
    assert!(issue(&req, &p.ca_key, Some(&p.ca)).is_ok());
}

#[test]
fn names_round_trip_and_bad_ones_are_refused() {
    let name = SubjectName {
        common_name: "张三".into(),
        organization: Some("示例科技有限公司".into()),
        organizational_unit: Some("法务部".into()),
        serial_number: Some("91110000MA01ABCD2X".into()),
        country: Some("CN".into()),
    };
    let n = name.to_name().unwrap();
    assert_eq!(n.common_name().unwrap().unwrap().value(), "张三");
    assert_eq!(
        n.organization().unwrap().unwrap().value(),
        "示例科技有限公司"
    );
    assert_eq!(n.country().unwrap().unwrap().as_str(), "CN");
    let der = n.to_der().unwrap();
    // UTF8String (0x0c) for CN, PrintableString (0x13) for C.
    assert!(der.windows(2).any(|w| w == [0x0c, 6]));
    assert!(der.windows(4).any(|w| w == [0x13, 2, b'C', b'N']));
    for bad in [
        SubjectName::common(""),
        SubjectName::common("a".repeat(65)),
        SubjectName::common("a\nb"),
        SubjectName {
            country: Some("cn".into()),
            ..SubjectName::common("a")
        },
        SubjectName {
            serial_number: Some("号码".into()),
            ..SubjectName::common("a")
        },
    ] {
        assert!(
            matches!(bad.to_name(), Err(CaError::InvalidName(_))),
            "{bad:?}"
        );
    }
    // 64 Chinese characters are fine (characters, not bytes).
    assert!(SubjectName::common("印".repeat(64)).to_name().is_ok());
}

#[test]
fn serials_are_positive_sixteen_bytes_and_hex_has_no_leading_zero() {
    let mut seen = std::collections::HashSet::new();
    for _ in 0..64 {
        let s = random_serial();
        assert_eq!(s.as_bytes().len(), 16);
        assert!(s.as_bytes()[0] & 0x80 == 0 && s.as_bytes()[0] != 0);
        assert_eq!(serial_hex(&s).len(), 32);
        assert!(seen.insert(serial_hex(&s)));
    }
    assert_eq!(
        serial_hex(&SerialNumber::new(&[0x80, 0x01]).unwrap()),
        "8001"
    );
    assert_eq!(serial_hex(&SerialNumber::from(1u8)), "01");
    assert_eq!(
        serial_hex(&SerialNumber::new(&[0x0a, 0xbc]).unwrap()),
        "0abc"
    );
}

#[test]
fn times_switch_to_generalized_time_in_2050() {
    let t = DateTime::parse_from_rfc3339("2049-12-31T23:59:59.5Z")
        .unwrap()
        .with_timezone(&Utc);
    assert!(matches!(x509_time(t).unwrap(), Time::UtcTime(_)));
    let t = DateTime::parse_from_rfc3339("2050-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    assert!(matches!(x509_time(t).unwrap(), Time::GeneralTime(_)));
    let t = DateTime::parse_from_rfc3339("1969-12-31T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    assert!(x509_time(t).is_err());
}
