//! Certificate revocation lists (RFC 5280 §5): [`build_crl`] writes a complete (not delta)
//! X.509 v2 CRL signed by the issuing CA with ECDSA P-256 / SHA-256 or SM2 / SM3.
//!
//! The CRL carries the CRL extensions authorityKeyIdentifier (§5.2.1, the issuer's key
//! identifier) and cRLNumber (§5.2.3); each entry carries its serial number, revocation date
//! and, when a reason other than `unspecified` is given, the reasonCode entry extension
//! (§5.3.1, which says `unspecified` SHOULD be absent rather than written). With no revoked
//! certificates the `revokedCertificates` list is absent, as §5.1.2.6 requires. Times are
//! UTCTime through 2049, GeneralizedTime after (§5.1.2.4), whole seconds.

use crate::ca::{
    CaError, check_issuer, extension, key_identifier, oid, sign_checked, signature_algorithm,
    whole_seconds, x509_time,
};
use crate::sign::SigningKey;
use chrono::{DateTime, Utc};
use der::Encode;
use der::asn1::{BitString, OctetString, Uint};
use x509_cert::Certificate;
use x509_cert::certificate::Version;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::crl::CrlReason;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber, SubjectKeyIdentifier};
use x509_cert::serial_number::SerialNumber;

/// One revoked certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry {
    /// The certificate's serial number.
    pub serial: SerialNumber,
    /// When it was revoked (whole seconds are written).
    pub revoked_at: DateTime<Utc>,
    /// Why; `None` and `Some(Unspecified)` write no reasonCode.
    pub reason: Option<CrlReason>,
}

/// Most entries one CRL may hold; a CA with more revocations needs partitioned CRLs.
pub const MAX_CRL_ENTRIES: usize = 1_000_000;

/// Builds and signs a DER CRL v2 for the CA `issuer` (key `issuer_key`) listing `revoked`
/// (in the order given), valid from `this_update` until `next_update`, with CRL number
/// `crl_number` (monotonically increasing per CA, the caller keeps it).
///
/// Refuses an issuer certificate that is not a CA allowed to sign CRLs (basicConstraints
/// cA, keyUsage cRLSign), a key that is not the issuer certificate's, `next_update` not
/// after `this_update`, duplicate serial numbers, and `removeFromCRL` (delta CRLs only).
pub fn build_crl(
    issuer_key: &SigningKey,
    issuer: &Certificate,
    revoked: &[RevokedEntry],
    this_update: DateTime<Utc>,
    next_update: DateTime<Utc>,
    crl_number: u64,
) -> Result<Vec<u8>, CaError> {
    check_issuer(issuer, true)?;
    let this_update = whole_seconds(this_update);
    let next_update = whole_seconds(next_update);
    if next_update <= this_update {
        return Err(CaError::InvalidTime(
            "nextUpdate is not after thisUpdate".into(),
        ));
    }
    if revoked.len() > MAX_CRL_ENTRIES {
        return Err(CaError::Invalid(format!(
            "{} entries in one CRL (at most {MAX_CRL_ENTRIES})",
            revoked.len()
        )));
    }
    let mut serials: Vec<&[u8]> = revoked.iter().map(|e| e.serial.as_bytes()).collect();
    serials.sort_unstable();
    if serials.windows(2).any(|w| w.first() == w.get(1)) {
        return Err(CaError::Invalid("a serial number is listed twice".into()));
    }
    let mut entries = Vec::with_capacity(revoked.len());
    for e in revoked {
        let crl_entry_extensions = match e.reason {
            None | Some(CrlReason::Unspecified) => None,
            Some(CrlReason::RemoveFromCRL) => {
                return Err(CaError::Invalid(
                    "removeFromCRL belongs in delta CRLs only".into(),
                ));
            }
            Some(reason) => Some(vec![extension(oid::CRL_REASON, false, &reason)?]),
        };
        entries.push(RevokedCert {
            serial_number: e.serial.clone(),
            revocation_date: x509_time(whole_seconds(e.revoked_at))?,
            crl_entry_extensions,
        });
    }

    let itbs = issuer.tbs_certificate();
    let key_id = match itbs.get_extension::<SubjectKeyIdentifier>() {
        Ok(Some((_, ski))) => ski.0.as_bytes().to_vec(),
        _ => key_identifier(itbs.subject_public_key_info()),
    };
    let crl_extensions = vec![
        extension(
            <AuthorityKeyIdentifier as der::oid::AssociatedOid>::OID,
            false,
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(key_id)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        )?,
        extension(
            <CrlNumber as der::oid::AssociatedOid>::OID,
            false,
            &CrlNumber(Uint::try_from(crl_number)?),
        )?,
    ];
    let signature_alg = signature_algorithm(issuer_key.algorithm());
    let tbs = TbsCertList {
        version: Version::V2,
        signature: signature_alg.clone(),
        issuer: itbs.subject().clone(),
        this_update: x509_time(this_update)?,
        next_update: Some(x509_time(next_update)?),
        revoked_certificates: if entries.is_empty() {
            None
        } else {
            Some(entries)
        },
        crl_extensions: Some(crl_extensions),
    };
    let tbs_der = tbs.to_der()?;
    let signature = sign_checked(issuer_key, itbs.subject_public_key_info(), &tbs_der)?;
    let crl = CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: signature_alg,
        signature: BitString::from_bytes(&signature)?,
    };
    Ok(crl.to_der()?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::ca::tests::{leaf, pki};
    use crate::ca::{Profile, random_serial};
    use crate::sign::KeyAlgorithm;
    use crate::verify::{RevocationMaterial, RevocationSource, RevocationStatus, check_revocation};
    use chrono::Duration;
    use der::Decode;

    #[test]
    fn crls_are_accepted_by_the_verifier() {
        for alg in [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Sm2] {
            let p = pki(alg);
            let (_, revoked) = leaf(&p, Profile::Signer, alg);
            let (_, good) = leaf(&p, Profile::Signer, alg);
            let now = Utc::now();
            let at = now - Duration::minutes(5);
            let entries = [
                RevokedEntry {
                    serial: revoked.tbs_certificate().serial_number().clone(),
                    revoked_at: at,
                    reason: Some(CrlReason::KeyCompromise),
                },
                RevokedEntry {
                    serial: random_serial(),
                    revoked_at: at,
                    reason: None,
                },
            ];
            let der =
                build_crl(&p.ca_key, &p.ca, &entries, now, now + Duration::days(7), 42).unwrap();
            let crl: CertificateList = CertificateList::from_der(&der).unwrap();
            let list = crl.tbs_cert_list.revoked_certificates.as_ref().unwrap();
            assert_eq!(list.len(), 2);
            assert!(list[1].crl_entry_extensions.is_none());
            let material = RevocationMaterial {
                crls: vec![der.clone()],
                ..Default::default()
            };
            match check_revocation(&revoked, &p.ca, &material) {
                RevocationStatus::Revoked {
                    source,
                    revoked_at,
                    reason,
                } => {
                    assert_eq!(source, RevocationSource::Crl);
                    assert_eq!(revoked_at, whole_seconds(at));
                    assert_eq!(reason.as_deref(), Some("keyCompromise"));
                }
                other => panic!("{alg:?}: {other:?}"),
            }
            assert!(matches!(
                check_revocation(&good, &p.ca, &material),
                RevocationStatus::Good { .. }
            ));
            // A flipped bit in the signed part makes the CRL invalid.
            let mut bad = der.clone();
            let i = bad.len() / 3;
            bad[i] ^= 0x01;
            let material = RevocationMaterial {
                crls: vec![bad],
                ..Default::default()
            };
            assert!(!matches!(
                check_revocation(&revoked, &p.ca, &material),
                RevocationStatus::Revoked { .. }
            ));

            // An empty CRL has no revokedCertificates at all.
            let empty = build_crl(&p.ca_key, &p.ca, &[], now, now + Duration::days(1), 43).unwrap();
            let crl: CertificateList = CertificateList::from_der(&empty).unwrap();
            assert!(crl.tbs_cert_list.revoked_certificates.is_none());
        }
    }

    #[test]
    fn bad_arguments_are_refused() {
        let p = pki(KeyAlgorithm::EcdsaP256);
        let now = Utc::now();
        let later = now + Duration::days(1);
        let entry = RevokedEntry {
            serial: random_serial(),
            revoked_at: now,
            reason: None,
        };
        assert!(matches!(
            build_crl(&p.ca_key, &p.ca, &[], later, now, 1),
            Err(CaError::InvalidTime(_))
        ));
        assert!(matches!(
            build_crl(
                &p.ca_key,
                &p.ca,
                &[entry.clone(), entry.clone()],
                now,
                later,
                1
            ),
            Err(CaError::Invalid(_))
        ));
        assert!(matches!(
            build_crl(&p.root_key, &p.ca, &[], now, later, 1),
            Err(CaError::KeyMismatch)
        ));
        let (k, signer) = leaf(&p, Profile::Signer, KeyAlgorithm::EcdsaP256);
        assert!(matches!(
            build_crl(&k, &signer, &[], now, later, 1),
            Err(CaError::IssuerNotAuthorized(_))
        ));
        let remove = RevokedEntry {
            reason: Some(CrlReason::RemoveFromCRL),
            ..entry
        };
        assert!(build_crl(&p.ca_key, &p.ca, &[remove], now, later, 1).is_err());
    }
}
