//! The cryptography of a signature and of a document timestamp: the CMS, the signer's chain
//! and its revocation, the timestamp token.

use super::*;

impl<'a> Validator<'a> {
    pub(super) fn cms_signature(
        &self,
        sig: &mut Sig,
        signed: &Signed<'_>,
        problems: &mut Vec<String>,
    ) {
        let (contents, covered, material) = (signed.contents, &signed.covered, signed.material);
        let cms = match CmsSignature::parse(contents) {
            Ok(c) => c,
            Err(e) => {
                problems.push(format!("the CMS signature cannot be read: {e}"));
                return;
            }
        };
        let digest_alg = match cms.digest_algorithm() {
            Ok(a) => a,
            Err(e) => {
                problems.push(format!("{e}"));
                return;
            }
        };
        sig.report.integrity.digest_algorithm = Some(digest_alg.name().to_string());
        let digest = covered.map(|parts| digest_of(digest_alg, parts));
        let check = cms.verify_detached(
            digest.as_deref().unwrap_or_default(),
            &material.certificates,
        );
        apply_check(&check, &mut sig.report.integrity, problems);
        sig.report.signer = check.signer_certificate.as_ref().map(cert_info);
        let claimed = cms.signing_time().or(sig.report.claimed_time);
        sig.report.claimed_time = claimed;

        // Signature timestamp.
        let mut at = claimed.unwrap_or(self.options.now);
        if let Some(ts) = cms.signature_timestamp() {
            match ts {
                Ok(token) => {
                    let imprint = token.imprint_matches(cms.signature_value());
                    let tcheck = token.verify(&material.certificates);
                    let trust = token
                        .cms()
                        .find_signer_certificate(&material.certificates)
                        .map(|c| {
                            self.chain(
                                c,
                                token.cms().certificates(),
                                token.gen_time(),
                                material,
                                Purpose::Timestamping,
                            )
                        })
                        .unwrap_or_else(|| {
                            untrusted(vec!["the timestamp's signer certificate is missing".into()])
                        });
                    let valid = imprint && tcheck.ok();
                    if !imprint {
                        problems
                            .push("the signature timestamp does not stamp this signature".into());
                    }
                    if !tcheck.ok() {
                        problems.push(format!(
                            "the signature timestamp's own signature is invalid: {}",
                            tcheck.problems.join("; ")
                        ));
                    }
                    if valid {
                        at = token.gen_time();
                        sig.timestamped = true;
                    }
                    sig.report.timestamp = Some(TimestampReport {
                        time: token.gen_time(),
                        imprint_matches: imprint,
                        signature_valid: tcheck.ok(),
                        authority: tcheck.signer_certificate.as_ref().map(cert_info),
                        trust,
                    });
                    if !valid {
                        sig.report.integrity.signature_valid = false;
                    }
                }
                Err(e) => {
                    problems.push(format!("the signature timestamp cannot be read: {e}"));
                    sig.report.integrity.signature_valid = false;
                }
            }
        }
        sig.report.checked_at = at;
        if let Some(cert) = check.signer_certificate.as_ref() {
            sig.report.trust = self.chain(
                cert,
                cms.certificates(),
                at,
                material,
                Purpose::DocumentSigning,
            );
            // Without a valid signature timestamp nothing proves the signature existed before
            // its signer's certificate was revoked: the claimed time is the signer's word (a
            // stolen key can backdate it), so a revocation up to now counts.
            if !sig.timestamped {
                revoked_since(&mut sig.report.trust, at, self.options.now);
            }
        } else {
            sig.report.trust = untrusted(vec!["no signer certificate".into()]);
        }
        if !sig.report.trust.trusted {
            for p in sig.report.trust.problems.clone() {
                problems.push(format!("untrusted: {p}"));
            }
        }
        if let Some(ts) = &sig.report.timestamp
            && !ts.trust.trusted
        {
            for p in &ts.trust.problems {
                problems.push(format!("timestamp untrusted: {p}"));
            }
        }
    }

    pub(super) fn document_timestamp(
        &self,
        sig: &mut Sig,
        signed: &Signed<'_>,
        problems: &mut Vec<String>,
    ) {
        let (contents, covered, material) = (signed.contents, &signed.covered, signed.material);
        let token = match TimestampToken::parse(contents) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("the document timestamp cannot be read: {e}"));
                return;
            }
        };
        let Some(alg) = token.imprint_algorithm() else {
            problems.push("the timestamp's imprint uses an unknown hash".into());
            return;
        };
        sig.report.integrity.digest_algorithm = Some(alg.name().to_string());
        let digest = covered.map(|parts| digest_of(alg, parts));
        let imprint =
            digest.as_deref() == Some(token.info().message_imprint.hashed_message.as_bytes());
        let check = token.verify(&material.certificates);
        apply_check(&check, &mut sig.report.integrity, problems);
        sig.report.integrity.digest_matches = imprint && sig.report.integrity.digest_matches;
        if !imprint {
            problems
                .push("the document timestamp's imprint does not match the covered bytes".into());
        }
        sig.report.signer = check.signer_certificate.as_ref().map(cert_info);
        sig.report.claimed_time = Some(token.gen_time());
        sig.report.checked_at = token.gen_time();
        let trust = match check.signer_certificate.as_ref() {
            Some(cert) => self.chain(
                cert,
                token.cms().certificates(),
                token.gen_time(),
                material,
                Purpose::Timestamping,
            ),
            None => untrusted(vec!["no timestamp authority certificate".into()]),
        };
        if !trust.trusted {
            for p in &trust.problems {
                problems.push(format!("untrusted: {p}"));
            }
        }
        sig.report.timestamp = Some(TimestampReport {
            time: token.gen_time(),
            imprint_matches: imprint,
            signature_valid: check.ok(),
            authority: sig.report.signer.clone(),
            trust: trust.clone(),
        });
        sig.report.trust = trust;
    }

    pub(super) fn chain(
        &self,
        leaf: &Certificate,
        embedded: &[Certificate],
        at: DateTime<Utc>,
        material: &RevocationMaterial,
        purpose: Purpose,
    ) -> Trust {
        let mut intermediates = embedded.to_vec();
        intermediates.extend(material.certificates.iter().cloned());
        if self.options.anchors.is_empty() {
            return untrusted(vec!["no trust anchors were given".into()]);
        }
        let report = pv::validate_chain(&ChainInput {
            leaf,
            intermediates: &intermediates,
            anchors: &self.options.anchors,
            at,
            revocation: material,
            purpose,
        });
        trust_of(&report)
    }
}
