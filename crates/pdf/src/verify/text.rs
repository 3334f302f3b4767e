//! The human-readable summary `signet pdf verify` prints without `--json`.

use std::fmt::Write;

use super::report::{ChangeKind, Report, SignatureKind, Verdict};

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "NO" }
}

/// Renders `report` as plain text, one block per signature.
pub fn render(report: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Verdict: {} ({} signature{}, {} revision{}, {} bytes, SHA-256 {})",
        report.verdict.as_str().to_uppercase(),
        report.signatures.len(),
        if report.signatures.len() == 1 {
            ""
        } else {
            "s"
        },
        report.revisions.len(),
        if report.revisions.len() == 1 { "" } else { "s" },
        report.file.size,
        report.file.sha256
    );
    if report.verdict == Verdict::Unreadable || report.verdict == Verdict::Unsigned {
        for p in &report.problems {
            let _ = writeln!(o, "  {p}");
        }
        return o;
    }
    for (i, s) in report.signatures.iter().enumerate() {
        let kind = match s.kind {
            SignatureKind::Approval => "signature",
            SignatureKind::Certification => "certification signature",
            SignatureKind::DocumentTimestamp => "document timestamp",
        };
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "[{}] {} {:?} (object {}): {}",
            i + 1,
            kind,
            s.field,
            s.object,
            s.verdict.as_str().to_uppercase()
        );
        if let Some(signer) = &s.signer {
            let _ = writeln!(
                o,
                "    signer:     {}",
                signer.common_name.as_deref().unwrap_or(&signer.subject)
            );
            let _ = writeln!(o, "    subject:    {}", signer.subject);
            let _ = writeln!(o, "    issuer:     {}", signer.issuer);
            let _ = writeln!(o, "    serial:     {}", signer.serial);
        }
        if let Some(t) = s.claimed_time {
            let _ = writeln!(
                o,
                "    time:       {} (claimed by the signer)",
                t.to_rfc3339()
            );
        }
        if let Some(ts) = &s.timestamp {
            let _ = writeln!(
                o,
                "    timestamp:  {} (imprint {}, signature {}, TSA trusted {})",
                ts.time.to_rfc3339(),
                if ts.imprint_matches { "ok" } else { "MISMATCH" },
                if ts.signature_valid { "ok" } else { "INVALID" },
                yes(ts.trust.trusted)
            );
        }
        let _ = writeln!(
            o,
            "    algorithm:  {}",
            s.integrity.algorithm.as_deref().unwrap_or("unknown")
        );
        if let Some(level) = s.level {
            let _ = writeln!(o, "    level:      PAdES {}", level.as_str());
        }
        if let Some(p) = s.docmdp {
            let _ = writeln!(o, "    DocMDP:     P={p}");
        }
        let _ = writeln!(
            o,
            "    integrity:  structure {}, digest {}, signature {}",
            if s.integrity.structure_ok {
                "ok"
            } else {
                "BROKEN"
            },
            if s.integrity.digest_matches {
                "ok"
            } else {
                "MISMATCH"
            },
            if s.integrity.signature_valid {
                "ok"
            } else {
                "INVALID"
            }
        );
        let coverage = match (s.coverage.whole_file, s.coverage.revision) {
            (true, _) => "the whole file".to_string(),
            (false, Some(r)) => format!("revision {r} of {}", report.revisions.len() - 1),
            (false, None) => "no complete revision".to_string(),
        };
        let _ = writeln!(o, "    covers:     {coverage}");
        let _ = writeln!(
            o,
            "    trusted:    {} (checked at {})",
            yes(s.trust.trusted),
            s.checked_at.to_rfc3339()
        );
        for r in &s.trust.revocation {
            let _ = writeln!(
                o,
                "    revocation: {} — {}{}",
                r.subject,
                r.status,
                r.source
                    .as_deref()
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default()
            );
        }
        let allowed: Vec<_> = s
            .changes_after
            .iter()
            .filter(|c| c.kind != ChangeKind::Modification)
            .collect();
        if !allowed.is_empty() {
            let _ = writeln!(o, "    later allowed changes:");
            for c in allowed {
                let _ = writeln!(o, "      - revision {}: {}", c.revision, c.description);
            }
        }
        for p in &s.problems {
            let _ = writeln!(o, "    ! {p}");
        }
    }
    o
}
