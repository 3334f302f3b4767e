//! What the checks add up to: trust from a chain report, the verdict of a signature, and the
//! problems a certification's or a field lock's permissions find in later changes.

use super::*;

pub(super) fn untrusted(problems: Vec<String>) -> Trust {
    Trust {
        trusted: false,
        path: Vec::new(),
        problems,
        revocation: Vec::new(),
    }
}

/// Marks `trust` untrusted when its leaf was revoked after `claimed` and by `now`.
pub(super) fn revoked_since(trust: &mut Trust, claimed: DateTime<Utc>, now: DateTime<Utc>) {
    let Some(leaf) = trust.revocation.first() else {
        return;
    };
    if leaf.status == "revoked"
        && let Some(at) = leaf.time
        && at > claimed
        && at <= now
    {
        let reason = leaf.detail.clone().unwrap_or_else(|| "unspecified".into());
        trust.problems.push(format!(
            "certificate \"{}\" was revoked at {} ({reason}), and no timestamp proves the \
             signature was made before that",
            leaf.subject,
            at.format("%Y-%m-%d %H:%M:%S UTC")
        ));
        trust.trusted = false;
    }
}

pub(super) fn trust_of(r: &ChainReport) -> Trust {
    Trust {
        trusted: r.trusted,
        path: r.path.iter().map(summary_info).collect(),
        problems: r.problems.iter().map(ToString::to_string).collect(),
        revocation: r
            .revocation
            .iter()
            .map(|c| {
                let (status, source, time, detail) = match &c.status {
                    RevocationStatus::Good { source, checked_at } => {
                        ("good", Some(source_name(source)), Some(*checked_at), None)
                    }
                    RevocationStatus::Revoked {
                        source,
                        revoked_at,
                        reason,
                    } => (
                        "revoked",
                        Some(source_name(source)),
                        Some(*revoked_at),
                        reason.clone(),
                    ),
                    RevocationStatus::Unknown => ("unknown", None, None, None),
                    RevocationStatus::Invalid(why) => ("invalid", None, None, Some(why.clone())),
                };
                RevocationInfo {
                    subject: c.subject.clone(),
                    status: status.into(),
                    source: source.map(str::to_string),
                    time,
                    detail,
                }
            })
            .collect(),
    }
}

pub(super) fn source_name(s: &pv::RevocationSource) -> &'static str {
    match s {
        pv::RevocationSource::Ocsp => "ocsp",
        pv::RevocationSource::Crl => "crl",
    }
}

pub(super) fn summary_info(s: &pv::CertificateSummary) -> CertificateInfo {
    CertificateInfo {
        subject: s.subject.clone(),
        common_name: s.common_name.clone(),
        issuer: s.issuer.clone(),
        serial: s.serial_hex.clone(),
        not_before: s.not_before,
        not_after: s.not_after,
        sha256: s.sha256_hex.clone(),
        key_algorithm: s.key_algorithm.clone(),
    }
}

pub(super) fn cert_info(c: &Certificate) -> CertificateInfo {
    summary_info(&pv::CertificateSummary::of(c))
}

pub(super) fn apply_check(
    check: &SignerCheck,
    integrity: &mut Integrity,
    problems: &mut Vec<String>,
) {
    integrity.digest_matches = check.digest_matches;
    integrity.signature_valid = check.signature_valid;
    integrity.algorithm = check.algorithm.as_ref().map(|a| a.name());
    problems.extend(check.problems.iter().cloned());
}

/// The verdict of one signature; `modified` when later changes are not allowed for it.
pub(super) fn verdict_of(s: &SignatureReport, modified: bool) -> Verdict {
    if !s.integrity.intact() {
        return Verdict::Invalid;
    }
    if s.timestamp
        .as_ref()
        .is_some_and(|t| !(t.imprint_matches && t.signature_valid))
    {
        return Verdict::Invalid;
    }
    if modified {
        return Verdict::Modified;
    }
    let ts_untrusted = s.timestamp.as_ref().is_some_and(|t| !t.trust.trusted);
    if !s.trust.trusted || ts_untrusted {
        return Verdict::Untrusted;
    }
    Verdict::Valid
}

/// What the changes after a signature mean for it: every modification, and the allowed
/// changes its DocMDP permission (P=1: validation data, document timestamps and metadata
/// only) or FieldMDP lock forbids.
pub(super) fn permission_problems(
    mdp: Option<u8>,
    lock: Option<&Lock>,
    changes: &[Change],
) -> Vec<String> {
    let mut problems = Vec::new();
    for c in changes {
        if c.is_modification() {
            problems.push(format!(
                "modified after signing (revision {}): {}",
                c.revision, c.description
            ));
            continue;
        }
        if let Some(p) = mdp
            && p == 1
            && matches!(c.kind, ChangeKind::Signature | ChangeKind::FormFill)
        {
            problems.push(format!(
                "the certification (DocMDP P={p}) forbids this change (revision {}): {}",
                c.revision, c.description
            ));
        }
        if c.kind == ChangeKind::FormFill
            && let (Some(lock), Some(field)) = (lock, &c.field)
            && lock.covers(field)
        {
            problems.push(format!(
                "field {field} is locked by this signature (FieldMDP) but was filled in revision {}",
                c.revision
            ));
        }
    }
    problems
}

/// DocMDP permission and FieldMDP lock from a signature dictionary's /Reference.
pub(super) fn transforms(doc: &Document, d: &Dictionary) -> (Option<u8>, Option<Lock>) {
    let mut mdp = None;
    let mut lock = None;
    let Some(refs) = d
        .get(b"Reference")
        .ok()
        .map(|r| resolve(doc, r))
        .and_then(|r| r.as_array().ok())
    else {
        return (None, None);
    };
    for r in refs.iter().take(16) {
        let Some(r) = dict_of(resolve(doc, r)) else {
            continue;
        };
        let params = r
            .get(b"TransformParams")
            .ok()
            .map(|p| resolve(doc, p))
            .and_then(dict_of);
        match r
            .get(b"TransformMethod")
            .ok()
            .and_then(|m| m.as_name().ok())
        {
            Some(b"DocMDP") => {
                let p = params
                    .and_then(|p| p.get(b"P").ok())
                    .and_then(|p| p.as_i64().ok())
                    .unwrap_or(2)
                    .clamp(1, 3);
                mdp = Some(p as u8);
            }
            Some(b"FieldMDP") => lock = params.and_then(lock_of),
            _ => {}
        }
    }
    (mdp, lock)
}

pub(super) fn lock_of(p: &Dictionary) -> Option<Lock> {
    let fields: Vec<String> = p
        .get(b"Fields")
        .ok()
        .and_then(|f| f.as_array().ok())
        .map(|a| a.iter().filter_map(text).collect())
        .unwrap_or_default();
    match p.get(b"Action").ok().and_then(|a| a.as_name().ok()) {
        Some(b"All") => Some(Lock::All),
        Some(b"Include") => Some(Lock::Include(fields)),
        Some(b"Exclude") => Some(Lock::Exclude(fields)),
        _ => None,
    }
}

/// The digest of the bytes a ByteRange covers.
pub(super) fn digest_of(alg: pv::DigestAlgorithm, parts: [&[u8]; 2]) -> Vec<u8> {
    let mut h = alg.hasher();
    for p in parts {
        h.update(p);
    }
    h.finalize()
}

pub(super) fn covered_slices<'b>(bytes: &'b [u8], ranges: &[i64]) -> Option<[&'b [u8]; 2]> {
    let [a, b, c, d] = ranges else { return None };
    let get = |start: i64, len: i64| -> Option<&'b [u8]> {
        let start = usize::try_from(start).ok()?;
        let end = start.checked_add(usize::try_from(len).ok()?)?;
        bytes.get(start..end)
    };
    Some([get(*a, *b)?, get(*c, *d)?])
}

pub(super) fn decode_hex(h: &[u8]) -> Option<Vec<u8>> {
    let digits: Vec<u8> = h
        .iter()
        .filter(|b| !b.is_ascii_whitespace())
        .copied()
        .collect();
    let mut out = Vec::with_capacity(digits.len() / 2 + 1);
    for pair in digits.chunks(2) {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = match pair.get(1) {
            Some(c) => (*c as char).to_digit(16)?,
            None => 0,
        };
        out.push((hi * 16 + lo) as u8);
    }
    Some(out)
}

pub(super) fn trim_end(b: &[u8]) -> &[u8] {
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &b[..end]
}

pub(super) fn trim_start(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}
