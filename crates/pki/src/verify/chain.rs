//! Certificate path building and validation against configured trust anchors.

use super::algorithm::{describe_public_key, verify_signature};
use super::name::{common_name, format_name, hex};
use super::revocation::{RevocationCheck, RevocationMaterial, RevocationStatus, revocation_check};
use super::time::x509_time;
use super::{VerifyError, oid};
use chrono::{DateTime, Utc};
use der::{Decode, Encode};
use std::fmt;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};

/// Longest path followed (certificates, leaf and anchor included).
const MAX_PATH_LEN: usize = 10;
/// Bound on the issuer candidates tried over a whole search.
const SEARCH_BUDGET: usize = 256;
/// Complete paths evaluated at most.
const MAX_PATHS: usize = 8;

/// The certificates trusted as roots (trust anchors).
#[derive(Clone, Debug, Default)]
pub struct TrustAnchors {
    certs: Vec<Certificate>,
}

impl TrustAnchors {
    /// No anchors.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every certificate of a PEM bundle (one or many `CERTIFICATE` blocks).
    pub fn from_pem(pem: &str) -> Result<Self, VerifyError> {
        let certs =
            crate::sign::parse_certificates_pem(pem).map_err(|e| VerifyError::Malformed {
                what: "trust anchor PEM",
                detail: e.to_string(),
            })?;
        Ok(Self { certs })
    }

    /// One DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, VerifyError> {
        let cert = Certificate::from_der(der).map_err(|e| VerifyError::Malformed {
            what: "trust anchor certificate",
            detail: e.to_string(),
        })?;
        Ok(Self { certs: vec![cert] })
    }

    /// Adds an anchor.
    pub fn push(&mut self, cert: Certificate) {
        self.certs.push(cert);
    }

    /// No anchor at all?
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// The anchors.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certs
    }
}

/// What the leaf certificate is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Purpose {
    /// Signing documents: keyUsage (if present) must include digitalSignature or
    /// nonRepudiation.
    DocumentSigning,
    /// An RFC 3161 TSA: extendedKeyUsage must contain id-kp-timeStamping.
    Timestamping,
}

/// What [`validate_chain`] needs.
#[derive(Clone, Copy, Debug)]
pub struct ChainInput<'a> {
    /// The certificate to validate.
    pub leaf: &'a Certificate,
    /// Candidate intermediate certificates (any order; extras are ignored).
    pub intermediates: &'a [Certificate],
    /// Trust anchors.
    pub anchors: &'a TrustAnchors,
    /// The time of validation (signing time, timestamp time or now).
    pub at: DateTime<Utc>,
    /// OCSP responses, CRLs and further certificates.
    pub revocation: &'a RevocationMaterial,
    /// What the leaf is used for.
    pub purpose: Purpose,
}

/// A readable summary of a certificate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CertificateSummary {
    /// Subject, RFC 4514 style (`CN=…, O=…`).
    pub subject: String,
    /// The subject's common name.
    pub common_name: Option<String>,
    /// Issuer, RFC 4514 style.
    pub issuer: String,
    /// Serial number, lower-case hex.
    pub serial_hex: String,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// SHA-256 of the DER certificate, lower-case hex.
    pub sha256_hex: String,
    /// "ECDSA P-256", "SM2", "RSA 2048", ...
    pub key_algorithm: String,
}

impl CertificateSummary {
    /// Summarises `cert`.
    pub fn of(cert: &Certificate) -> Self {
        let tbs = cert.tbs_certificate();
        let der = cert.to_der().unwrap_or_default();
        Self {
            subject: format_name(tbs.subject()),
            common_name: common_name(tbs.subject()),
            issuer: format_name(tbs.issuer()),
            serial_hex: hex(tbs.serial_number().as_bytes()),
            not_before: x509_time(&tbs.validity().not_before).unwrap_or_default(),
            not_after: x509_time(&tbs.validity().not_after).unwrap_or_default(),
            sha256_hex: hex(&super::DigestAlgorithm::Sha256.digest(&der)),
            key_algorithm: describe_public_key(tbs.subject_public_key_info()),
        }
    }
}

/// Something wrong with a certificate path.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ChainProblem {
    /// No path from the leaf to a trust anchor.
    NoPathToAnchor,
    /// A certificate's signature does not verify with its issuer's key.
    BadCertificateSignature {
        /// The certificate.
        subject: String,
    },
    /// Expired at the validation time.
    Expired {
        /// The certificate.
        subject: String,
        /// End of validity.
        not_after: DateTime<Utc>,
    },
    /// Not yet valid at the validation time.
    NotYetValid {
        /// The certificate.
        subject: String,
        /// Start of validity.
        not_before: DateTime<Utc>,
    },
    /// An issuing certificate that is not a CA (basicConstraints cA=TRUE missing).
    NotCa {
        /// The certificate.
        subject: String,
    },
    /// A CA's pathLenConstraint is exceeded.
    PathLength {
        /// The CA certificate.
        subject: String,
    },
    /// keyUsage does not allow the use.
    KeyUsage {
        /// The certificate.
        subject: String,
        /// What is missing.
        detail: String,
    },
    /// extendedKeyUsage lacks the purpose (id-kp-timeStamping for a TSA).
    ExtendedKeyUsage {
        /// The certificate.
        subject: String,
    },
    /// Revoked at or before the validation time.
    Revoked {
        /// The certificate.
        subject: String,
        /// When.
        revoked_at: DateTime<Utc>,
        /// Why.
        reason: Option<String>,
    },
    /// A signature or key algorithm that is not supported.
    UnsupportedAlgorithm {
        /// The certificate.
        subject: String,
        /// The algorithm.
        algorithm: String,
    },
    /// A certificate or extension that cannot be read.
    Malformed {
        /// The certificate.
        subject: String,
        /// What is wrong.
        detail: String,
    },
}

impl fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoPathToAnchor => write!(f, "no certificate path to a trusted root"),
            Self::BadCertificateSignature { subject } => {
                write!(
                    f,
                    "the signature of certificate \"{subject}\" does not verify with its issuer's key"
                )
            }
            Self::Expired { subject, not_after } => {
                write!(
                    f,
                    "certificate \"{subject}\" expired on {}",
                    not_after.format("%Y-%m-%d %H:%M:%S UTC")
                )
            }
            Self::NotYetValid {
                subject,
                not_before,
            } => write!(
                f,
                "certificate \"{subject}\" is not valid before {}",
                not_before.format("%Y-%m-%d %H:%M:%S UTC")
            ),
            Self::NotCa { subject } => {
                write!(
                    f,
                    "certificate \"{subject}\" issues certificates but is not a CA"
                )
            }
            Self::PathLength { subject } => {
                write!(
                    f,
                    "the path length constraint of CA \"{subject}\" is exceeded"
                )
            }
            Self::KeyUsage { subject, detail } => {
                write!(
                    f,
                    "the key usage of certificate \"{subject}\" does not allow it: {detail}"
                )
            }
            Self::ExtendedKeyUsage { subject } => write!(
                f,
                "certificate \"{subject}\" lacks the extended key usage timeStamping"
            ),
            Self::Revoked {
                subject,
                revoked_at,
                reason,
            } => {
                write!(
                    f,
                    "certificate \"{subject}\" was revoked on {}",
                    revoked_at.format("%Y-%m-%d %H:%M:%S UTC")
                )?;
                if let Some(r) = reason {
                    write!(f, " ({r})")?;
                }
                Ok(())
            }
            Self::UnsupportedAlgorithm { subject, algorithm } => write!(
                f,
                "certificate \"{subject}\" uses an unsupported algorithm: {algorithm}"
            ),
            Self::Malformed { subject, detail } => {
                write!(f, "certificate \"{subject}\" cannot be read: {detail}")
            }
        }
    }
}

/// The result of [`validate_chain`].
#[derive(Clone, Debug)]
pub struct ChainReport {
    /// A path to an anchor exists and nothing is wrong with it (unknown revocation status
    /// is not a problem: soft fail).
    pub trusted: bool,
    /// The path, leaf first, anchor last (when one was reached; else as far as it goes).
    pub path: Vec<CertificateSummary>,
    /// What is wrong.
    pub problems: Vec<ChainProblem>,
    /// One per non-anchor certificate of the path, leaf first.
    pub revocation: Vec<RevocationCheck>,
}

/// A certificate with what the search compares, computed once.
struct Node<'a> {
    cert: &'a Certificate,
    der: Vec<u8>,
    subject: Vec<u8>,
    issuer: Vec<u8>,
    ski: Option<Vec<u8>>,
    aki: Option<Vec<u8>>,
    anchor: bool,
}

impl<'a> Node<'a> {
    fn new(cert: &'a Certificate, anchors: &[Vec<u8>]) -> Option<Self> {
        let tbs = cert.tbs_certificate();
        let der = cert.to_der().ok()?;
        let ski = match tbs.get_extension::<SubjectKeyIdentifier>() {
            Ok(Some((_, ski))) => Some(ski.0.as_bytes().to_vec()),
            _ => None,
        };
        let aki = match tbs.get_extension::<AuthorityKeyIdentifier>() {
            Ok(Some((_, aki))) => aki.key_identifier.map(|k| k.as_bytes().to_vec()),
            _ => None,
        };
        Some(Self {
            anchor: anchors.contains(&der),
            cert,
            subject: tbs.subject().to_der().ok()?,
            issuer: tbs.issuer().to_der().ok()?,
            ski,
            aki,
            der,
        })
    }

    fn may_be_issued_by(&self, other: &Node<'_>) -> bool {
        self.issuer == other.subject
            && match (&self.aki, &other.ski) {
                (Some(a), Some(s)) => a == s,
                _ => true,
            }
    }
}

struct Search<'n, 'a> {
    nodes: &'n [Node<'a>],
    budget: usize,
    complete: Vec<Vec<usize>>,
    longest: Vec<usize>,
}

impl Search<'_, '_> {
    fn run(&mut self, path: &mut Vec<usize>) {
        let Some(&last) = path.last() else {
            return;
        };
        if path.len() > self.longest.len() {
            self.longest = path.clone();
        }
        let Some(node) = self.nodes.get(last) else {
            return;
        };
        if node.anchor {
            self.complete.push(path.clone());
            return;
        }
        if path.len() >= MAX_PATH_LEN {
            return;
        }
        // Anchors first: the shortest way to trust.
        let mut candidates: Vec<usize> = (0..self.nodes.len())
            .filter(|&j| !path.contains(&j))
            .filter(|&j| self.nodes.get(j).is_some_and(|n| node.may_be_issued_by(n)))
            .collect();
        candidates.sort_by_key(|&j| !self.nodes.get(j).is_some_and(|n| n.anchor));
        for j in candidates {
            if self.budget == 0 || self.complete.len() >= MAX_PATHS {
                return;
            }
            self.budget -= 1;
            path.push(j);
            self.run(path);
            path.pop();
        }
    }
}

fn subject_of(cert: &Certificate) -> String {
    format_name(cert.tbs_certificate().subject())
}

/// Checks one path (leaf first); `complete` when its last certificate is an anchor.
fn evaluate(
    path: &[&Certificate],
    complete: bool,
    input: &ChainInput<'_>,
) -> (Vec<ChainProblem>, Vec<RevocationCheck>) {
    let mut problems = Vec::new();
    let mut revocation = Vec::new();
    let last = path.len().saturating_sub(1);
    for (i, cert) in path.iter().enumerate() {
        let tbs = cert.tbs_certificate();
        let subject = subject_of(cert);
        // Validity.
        match (
            x509_time(&tbs.validity().not_before),
            x509_time(&tbs.validity().not_after),
        ) {
            (Some(nb), Some(na)) => {
                if input.at < nb {
                    problems.push(ChainProblem::NotYetValid {
                        subject: subject.clone(),
                        not_before: nb,
                    });
                }
                if input.at > na {
                    problems.push(ChainProblem::Expired {
                        subject: subject.clone(),
                        not_after: na,
                    });
                }
            }
            _ => problems.push(ChainProblem::Malformed {
                subject: subject.clone(),
                detail: "validity out of range".into(),
            }),
        }
        // Signature by the next certificate.
        if let Some(issuer) = path.get(i + 1)
            && let Some(p) = signature_problem(cert, issuer, &subject)
        {
            problems.push(p);
        }
        if i == 0 {
            leaf_checks(cert, input.purpose, &subject, &mut problems);
        } else {
            let is_anchor = complete && i == last;
            ca_checks(cert, path, i, is_anchor, &subject, &mut problems);
        }
        // Revocation of every non-anchor certificate.
        let is_anchor = complete && i == last;
        if !is_anchor {
            let check = match path.get(i + 1) {
                Some(issuer) => revocation_check(cert, issuer, input.revocation),
                None => RevocationCheck {
                    subject: subject.clone(),
                    status: RevocationStatus::Unknown,
                },
            };
            if let RevocationStatus::Revoked {
                revoked_at, reason, ..
            } = &check.status
                && *revoked_at <= input.at
            {
                problems.push(ChainProblem::Revoked {
                    subject: subject.clone(),
                    revoked_at: *revoked_at,
                    reason: reason.clone(),
                });
            }
            revocation.push(check);
        }
    }
    if !complete {
        problems.insert(0, ChainProblem::NoPathToAnchor);
    }
    (problems, revocation)
}

/// Whether `issuer` issued `cert`: the issuer name matches and the signature verifies with
/// the issuer's key.
pub fn signed_by(cert: &Certificate, issuer: &Certificate) -> bool {
    cert.tbs_certificate().issuer() == issuer.tbs_certificate().subject()
        && signature_problem(cert, issuer, "").is_none()
}

fn signature_problem(
    cert: &Certificate,
    issuer: &Certificate,
    subject: &str,
) -> Option<ChainProblem> {
    if cert.tbs_certificate().signature() != cert.signature_algorithm() {
        return Some(ChainProblem::Malformed {
            subject: subject.into(),
            detail: "the signature algorithm inside and outside the signed part differ".into(),
        });
    }
    let Some(sig) = cert.signature().as_bytes() else {
        return Some(ChainProblem::BadCertificateSignature {
            subject: subject.into(),
        });
    };
    let tbs = match cert.tbs_certificate().to_der() {
        Ok(t) => t,
        Err(e) => {
            return Some(ChainProblem::Malformed {
                subject: subject.into(),
                detail: e.to_string(),
            });
        }
    };
    let spki = issuer.tbs_certificate().subject_public_key_info();
    match verify_signature(spki, cert.signature_algorithm(), None, &tbs, sig) {
        Ok(_) => None,
        Err(VerifyError::UnsupportedAlgorithm(algorithm)) => {
            Some(ChainProblem::UnsupportedAlgorithm {
                subject: subject.into(),
                algorithm,
            })
        }
        Err(_) => Some(ChainProblem::BadCertificateSignature {
            subject: subject.into(),
        }),
    }
}

fn leaf_checks(
    cert: &Certificate,
    purpose: Purpose,
    subject: &str,
    problems: &mut Vec<ChainProblem>,
) {
    let tbs = cert.tbs_certificate();
    match tbs.get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) => {
            if !(ku.digital_signature() || ku.non_repudiation()) {
                problems.push(ChainProblem::KeyUsage {
                    subject: subject.into(),
                    detail: "neither digitalSignature nor nonRepudiation".into(),
                });
            }
        }
        Ok(None) => {}
        Err(e) => problems.push(ChainProblem::Malformed {
            subject: subject.into(),
            detail: format!("keyUsage: {e}"),
        }),
    }
    if purpose == Purpose::Timestamping {
        match tbs.get_extension::<ExtendedKeyUsage>() {
            Ok(Some((_, eku))) if eku.0.contains(&oid::KP_TIME_STAMPING) => {}
            Ok(_) => problems.push(ChainProblem::ExtendedKeyUsage {
                subject: subject.into(),
            }),
            Err(e) => problems.push(ChainProblem::Malformed {
                subject: subject.into(),
                detail: format!("extendedKeyUsage: {e}"),
            }),
        }
    }
}

fn ca_checks(
    cert: &Certificate,
    path: &[&Certificate],
    i: usize,
    is_anchor: bool,
    subject: &str,
    problems: &mut Vec<ChainProblem>,
) {
    let tbs = cert.tbs_certificate();
    match tbs.get_extension::<BasicConstraints>() {
        Ok(Some((_, bc))) => {
            if !bc.ca {
                problems.push(ChainProblem::NotCa {
                    subject: subject.into(),
                });
            } else if let Some(max) = bc.path_len_constraint {
                // Non-self-issued intermediates between this CA and the leaf.
                let below = path
                    .get(1..i)
                    .unwrap_or_default()
                    .iter()
                    .filter(|c| c.tbs_certificate().subject() != c.tbs_certificate().issuer())
                    .count();
                if below > usize::from(max) {
                    problems.push(ChainProblem::PathLength {
                        subject: subject.into(),
                    });
                }
            }
        }
        // A trust anchor without basicConstraints (an old v1 root) is accepted as configured.
        Ok(None) => {
            if !is_anchor {
                problems.push(ChainProblem::NotCa {
                    subject: subject.into(),
                });
            }
        }
        Err(e) => problems.push(ChainProblem::Malformed {
            subject: subject.into(),
            detail: format!("basicConstraints: {e}"),
        }),
    }
    match tbs.get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) if !ku.key_cert_sign() => problems.push(ChainProblem::KeyUsage {
            subject: subject.into(),
            detail: "keyCertSign missing on an issuing certificate".into(),
        }),
        Ok(_) => {}
        Err(e) => problems.push(ChainProblem::Malformed {
            subject: subject.into(),
            detail: format!("keyUsage: {e}"),
        }),
    }
}

/// Builds the paths from `input.leaf` to a trust anchor (issuer found by subject/issuer name
/// and, when present, AKI/SKI; alternatives tried; at most 10 certificates; loops cut),
/// checks every one (signatures, validity at `input.at`, CA constraints, the leaf's purpose,
/// revocation) and reports the best: one without problems if there is one.
pub fn validate_chain(input: &ChainInput<'_>) -> ChainReport {
    let anchor_ders: Vec<Vec<u8>> = input
        .anchors
        .certificates()
        .iter()
        .filter_map(|c| c.to_der().ok())
        .collect();
    let mut nodes: Vec<Node<'_>> = Vec::new();
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let all = std::iter::once(input.leaf)
        .chain(input.intermediates.iter())
        .chain(input.anchors.certificates().iter())
        .chain(input.revocation.certificates.iter());
    for cert in all {
        if let Some(node) = Node::new(cert, &anchor_ders)
            && !seen.contains(&node.der)
        {
            seen.push(node.der.clone());
            nodes.push(node);
        }
    }
    let leaf_ok = nodes
        .first()
        .is_some_and(|n| std::ptr::eq(n.cert, input.leaf));
    if !leaf_ok {
        let subject = subject_of(input.leaf);
        return ChainReport {
            trusted: false,
            path: vec![CertificateSummary::of(input.leaf)],
            problems: vec![
                ChainProblem::Malformed {
                    subject,
                    detail: "cannot be encoded".into(),
                },
                ChainProblem::NoPathToAnchor,
            ],
            revocation: Vec::new(),
        };
    }
    let mut search = Search {
        nodes: &nodes,
        budget: SEARCH_BUDGET,
        complete: Vec::new(),
        longest: Vec::new(),
    };
    search.run(&mut vec![0]);
    let to_certs = |p: &[usize]| -> Vec<&Certificate> {
        p.iter()
            .filter_map(|&j| nodes.get(j).map(|n| n.cert))
            .collect()
    };
    let mut best: Option<(Vec<&Certificate>, Vec<ChainProblem>, Vec<RevocationCheck>)> = None;
    for p in &search.complete {
        let certs = to_certs(p);
        let (problems, revocation) = evaluate(&certs, true, input);
        let better = best
            .as_ref()
            .is_none_or(|(_, bp, _)| problems.len() < bp.len());
        if better {
            let done = problems.is_empty();
            best = Some((certs, problems, revocation));
            if done {
                break;
            }
        }
    }
    let (path, problems, revocation) = match best {
        Some(b) => b,
        None => {
            let certs = to_certs(&search.longest);
            let (problems, revocation) = evaluate(&certs, false, input);
            (certs, problems, revocation)
        }
    };
    ChainReport {
        trusted: problems.is_empty(),
        path: path.iter().map(|c| CertificateSummary::of(c)).collect(),
        problems,
        revocation,
    }
}
