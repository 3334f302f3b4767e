//! One signature of a document: its field, its coverage of the file, and its certification.

use super::*;

impl<'a> Validator<'a> {
    pub(super) fn signature(
        &self,
        found: &FoundSignature<'_>,
        material: &RevocationMaterial,
    ) -> Sig {
        let empty = Dictionary::new();
        let d = found.dict.unwrap_or(&empty);
        let sub_filter = d
            .get(b"SubFilter")
            .ok()
            .and_then(|s| s.as_name().ok())
            .map(|s| String::from_utf8_lossy(s).into_owned());
        let is_doc_ts =
            d.has_type(b"DocTimeStamp") || sub_filter.as_deref() == Some("ETSI.RFC3161");
        let (mdp, field_lock) = transforms(&self.revisions[self.last()].doc, d);
        let lock = field_lock.or_else(|| found.lock.and_then(lock_of));
        let certifies = mdp.is_some() || self.is_certification(found.id);
        let kind = if is_doc_ts {
            SignatureKind::DocumentTimestamp
        } else if certifies {
            SignatureKind::Certification
        } else {
            SignatureKind::Approval
        };
        let claimed_pdf_time = d
            .get(b"M")
            .ok()
            .and_then(|m| m.as_str().ok())
            .and_then(parse_pdf_date);
        let mut problems = Vec::new();
        if found.dict.is_none() {
            problems.push("the field's value is not a readable signature dictionary".to_string());
        }
        let (coverage, revision, structure_ok) = self.coverage(found, d, &mut problems);
        let integrity = Integrity {
            structure_ok,
            digest_matches: false,
            signature_valid: false,
            algorithm: None,
            digest_algorithm: None,
        };
        let mut sig = Sig {
            report: SignatureReport {
                field: found.field.clone(),
                object: format!("{} {}", found.id.0, found.id.1),
                kind,
                sub_filter: sub_filter.clone(),
                verdict: Verdict::Invalid,
                problems: Vec::new(),
                coverage,
                integrity: integrity.clone(),
                signer: None,
                claimed_time: claimed_pdf_time,
                checked_at: self.options.now,
                timestamp: None,
                level: None,
                trust: untrusted(Vec::new()),
                docmdp: if kind == SignatureKind::Certification {
                    Some(mdp.unwrap_or(2))
                } else {
                    None
                },
                locked_fields: lock.as_ref().map(Lock::describe).unwrap_or_default(),
                changes_after: Vec::new(),
                name: d.get(b"Name").ok().and_then(text),
                reason: d.get(b"Reason").ok().and_then(text),
                location: d.get(b"Location").ok().and_then(text),
            },
            revision,
            timestamped: false,
            mdp: if kind == SignatureKind::Certification {
                Some(mdp.unwrap_or(2))
            } else {
                None
            },
            lock,
        };
        let contents = match d.get(b"Contents").ok().and_then(|c| c.as_str().ok()) {
            Some(c) => c,
            None => {
                problems.push("the signature dictionary has no /Contents string".into());
                sig.report.problems = problems;
                return sig;
            }
        };
        let ranges = sig.report.coverage.byte_range.clone();
        let covered = covered_slices(self.bytes, &ranges);

        let signed = Signed {
            contents,
            covered,
            material,
        };
        sig.report.integrity = integrity;
        if is_doc_ts {
            self.document_timestamp(&mut sig, &signed, &mut problems);
        } else {
            self.cms_signature(&mut sig, &signed, &mut problems);
        }
        if signed.covered.is_none() {
            sig.report.integrity.digest_matches = false;
        }
        sig.report.problems = problems;
        sig
    }

    /// Whether the catalog's /Perms /DocMDP names this signature dictionary.
    pub(super) fn is_certification(&self, id: ObjectId) -> bool {
        let snapshot = &self.snapshots[self.last()];
        snapshot
            .catalog()
            .and_then(|c| c.get(b"Perms").ok())
            .map(|p| resolve(snapshot.doc, p))
            .and_then(dict_of)
            .and_then(|p| p.get(b"DocMDP").ok())
            .is_some_and(|r| matches!(r, Object::Reference(x) if *x == id))
    }

    /// ByteRange checks. Returns the coverage, the revision the signature covers and whether
    /// the structure is sound.
    pub(super) fn coverage(
        &self,
        found: &FoundSignature<'_>,
        d: &Dictionary,
        problems: &mut Vec<String>,
    ) -> (Coverage, Option<usize>, bool) {
        let ranges: Vec<i64> = d
            .get(b"ByteRange")
            .ok()
            .map(|b| resolve(&self.revisions[self.last()].doc, b))
            .and_then(|b| b.as_array().ok())
            .map(|a| {
                a.iter()
                    .map(|x| match x {
                        Object::Integer(i) => *i,
                        _ => -1,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut coverage = Coverage {
            byte_range: ranges.clone(),
            revision: None,
            whole_revision: false,
            whole_file: false,
        };
        let len = self.bytes.len() as i64;
        let [a, b, c, l] = ranges.as_slice() else {
            problems.push("the /ByteRange is not an array of four integers".into());
            return (coverage, None, false);
        };
        let (a, b, c, l) = (*a, *b, *c, *l);
        if a < 0 || b < 0 || c < 0 || l < 0 {
            problems.push("the /ByteRange holds negative or non-integer values".into());
            return (coverage, None, false);
        }
        let mut ok = true;
        if a != 0 {
            problems.push(format!("the /ByteRange starts at {a}, not at 0"));
            ok = false;
        }
        let Some(end) = c.checked_add(l) else {
            problems.push("the /ByteRange overflows".into());
            return (coverage, None, false);
        };
        if a.checked_add(b).is_none_or(|first_end| first_end > c) || end > len {
            problems.push("the /ByteRange ranges overlap or run past the end of the file".into());
            return (coverage, None, false);
        }
        let (b, c, end) = (b as usize, c as usize, end as usize);
        let start_gap = a as usize + b;
        // The revision this signature ends with.
        let revision = self
            .revisions
            .iter()
            .position(|r| r.end == end || r.eof_end == end);
        coverage.revision = revision;
        let Some(rev) = revision else {
            problems.push(format!(
                "the /ByteRange ends at byte {end}, which is not the end of a revision"
            ));
            return (coverage, None, false);
        };
        // The gap must be exactly this dictionary's /Contents hex string.
        let gap = &self.bytes[start_gap..c];
        let contents = d.get(b"Contents").ok().and_then(|c| c.as_str().ok());
        let hex_ok = gap.len() >= 2
            && gap.first() == Some(&b'<')
            && gap.last() == Some(&b'>')
            && gap[1..gap.len() - 1].iter().all(u8::is_ascii_hexdigit)
            && contents.is_some_and(|cv| decode_hex(&gap[1..gap.len() - 1]).as_deref() == Some(cv));
        if !hex_ok {
            problems.push(format!(
                "the /ByteRange gap ({} bytes at {start_gap}) is not exactly the /Contents hex string",
                c - start_gap
            ));
            ok = false;
        }
        // Located through the revision's xref: the dictionary's /Contents sits in the gap.
        let entry = revisions::entry(&self.revisions[rev].doc, found.id.0);
        let final_entry = revisions::entry(&self.revisions[self.last()].doc, found.id.0);
        match (entry, final_entry) {
            (Some(e), Some(f)) if revisions::same_entry(e, f) => {
                if let XrefEntry::Normal { offset, .. } = e {
                    let offset = *offset as usize;
                    let before = self.bytes.get(offset..start_gap).unwrap_or_default();
                    let trimmed = trim_end(before);
                    let after = trim_start(self.bytes.get(c..end).unwrap_or_default());
                    let placed = offset < start_gap
                        && memchr::memmem::find(before, b"endobj").is_none()
                        && trimmed.ends_with(b"/Contents")
                        && (after.starts_with(b"/") || after.starts_with(b">>"));
                    if !placed {
                        problems.push(
                            "the /Contents in the ByteRange gap does not belong to this signature dictionary".into(),
                        );
                        ok = false;
                    }
                } else {
                    problems.push("the signature dictionary is inside an object stream".into());
                    ok = false;
                }
            }
            (Some(_), Some(_)) => {
                problems.push("the signature dictionary was redefined after signing".into());
                ok = false;
            }
            _ => {
                problems.push(format!(
                    "the signature dictionary is not part of revision {rev}, which its /ByteRange covers"
                ));
                ok = false;
            }
        }
        coverage.whole_revision = ok;
        coverage.whole_file = ok
            && rev == self.last()
            && revisions::trailing_bytes(self.bytes, self.revisions[rev].end) == 0;
        (coverage, Some(rev), ok)
    }
}
