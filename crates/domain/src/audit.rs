//! The evidence trail's rules: how an audit event is hashed into its task's chain, how a
//! chain is checked, and the shape of public verification codes.
//!
//! Every event of a task carries a sequence number (1, 2, 3, … with no gaps), the hash of the
//! event before it (`prev_hash`, [`GENESIS`] for the first) and its own hash: SHA-256 over the
//! canonical encoding of its fields and `prev_hash` ([`EventRecord::hash`]). Editing any
//! field, deleting an event or swapping two breaks the chain at a link that [`verify_chain`]
//! names.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

/// `prev_hash` of a task's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Domain separation of the hash: a later format gets a new tag.
const TAG: &[u8] = b"signet-audit-event-v1";

/// An audit event as the chain sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub task_id: String,
    pub seq: i64,
    pub kind: String,
    pub step_id: Option<String>,
    pub actor_id: Option<String>,
    pub at: DateTime<Utc>,
    pub ip: String,
    pub user_agent: String,
    /// JSON object: document id → SHA-256 of the revision at that moment.
    pub document_hashes: String,
    /// JSON with what else the event records (step, reason, certificate serials, page, …).
    pub detail: String,
    pub prev_hash: String,
}

impl EventRecord {
    /// The canonical encoding: the tag, then every field as a 4-byte big-endian length and its
    /// UTF-8 bytes (absent optional fields as length `0xFFFFFFFF`), times as RFC 3339 UTC with
    /// microseconds (what both databases keep). Unambiguous, so no two events share it.
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + self.detail.len() + self.document_hashes.len());
        push(&mut out, Some(TAG));
        push(&mut out, Some(self.task_id.as_bytes()));
        push(&mut out, Some(self.seq.to_string().as_bytes()));
        push(&mut out, Some(self.kind.as_bytes()));
        push(&mut out, self.step_id.as_deref().map(str::as_bytes));
        push(&mut out, self.actor_id.as_deref().map(str::as_bytes));
        push(&mut out, Some(canonical_time(self.at).as_bytes()));
        push(&mut out, Some(self.ip.as_bytes()));
        push(&mut out, Some(self.user_agent.as_bytes()));
        push(&mut out, Some(self.document_hashes.as_bytes()));
        push(&mut out, Some(self.detail.as_bytes()));
        push(&mut out, Some(self.prev_hash.as_bytes()));
        out
    }

    /// SHA-256 of [`canonical`](Self::canonical), lowercase hex.
    pub fn hash(&self) -> String {
        hex(&Sha256::digest(self.canonical()))
    }
}

fn push(out: &mut Vec<u8>, field: Option<&[u8]>) {
    match field {
        Some(bytes) => {
            let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX - 1);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(bytes);
        }
        None => out.extend_from_slice(&u32::MAX.to_be_bytes()),
    }
}

/// A time as the chain encodes it (and as events are stored: microseconds).
pub fn canonical_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `at` cut to whole microseconds, so that what is hashed is what the database gives back.
pub fn storable_time(at: DateTime<Utc>) -> DateTime<Utc> {
    let micros = at.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(at)
}

/// The next link: sequence number and `prev_hash` for an event after `head` (`None` for a
/// task without events yet).
pub fn next_link(head: Option<(i64, &str)>) -> (i64, String) {
    match head {
        Some((seq, hash)) => (seq + 1, hash.to_owned()),
        None => (1, GENESIS.to_owned()),
    }
}

/// A stored event: the record and the hash stored beside it.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: String,
    pub record: EventRecord,
    pub hash: String,
}

/// Where and why a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("task {task_id}: broken at seq {seq} (event {event_id}): {reason}")]
pub struct BrokenLink {
    pub task_id: String,
    pub seq: i64,
    pub event_id: String,
    pub reason: LinkProblem,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkProblem {
    #[error("expected sequence number {expected}")]
    Sequence { expected: i64 },
    #[error("prev_hash does not match the hash of the event before it")]
    PrevHash,
    #[error("the stored hash does not match the event's content")]
    Content,
    #[error("the event belongs to task {0}")]
    WrongTask(String),
}

/// The head of a sound chain: its last sequence number and hash (`(0, GENESIS)` when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// Checks one task's events, given in sequence order as stored. The first broken link wins:
/// a gap or repeat in the sequence, a `prev_hash` that is not the previous event's hash, or
/// a stored hash that does not match the content.
pub fn verify_chain(task_id: &str, events: &[StoredEvent]) -> Result<Head, BrokenLink> {
    let mut head = Head {
        seq: 0,
        hash: GENESIS.to_owned(),
    };
    for e in events {
        let broken = |reason| BrokenLink {
            task_id: task_id.to_owned(),
            seq: e.record.seq,
            event_id: e.id.clone(),
            reason,
        };
        if e.record.task_id != task_id {
            return Err(broken(LinkProblem::WrongTask(e.record.task_id.clone())));
        }
        if e.record.seq != head.seq + 1 {
            return Err(broken(LinkProblem::Sequence {
                expected: head.seq + 1,
            }));
        }
        if e.record.prev_hash != head.hash {
            return Err(broken(LinkProblem::PrevHash));
        }
        if e.record.hash() != e.hash {
            return Err(broken(LinkProblem::Content));
        }
        head = Head {
            seq: e.record.seq,
            hash: e.hash.clone(),
        };
    }
    Ok(head)
}

// ---------------------------------------------------------------------------------------------
// Verification codes

/// Characters of a code: RFC 4648 base32 without padding.
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Length of a code: 16 base32 characters carry 80 bits.
pub const CODE_CHARS: usize = 16;

/// A public verification code of a completed document: 16 base32 characters (80 bits),
/// shown grouped as `ABCD-EFGH-IJKL-MNOP`.
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationCode(String);

impl std::fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerificationCode(…)")
    }
}

impl VerificationCode {
    /// The code made of the first 80 bits of `secret` (a keyed digest the caller computes).
    pub fn from_bits(secret: &[u8; 10]) -> Self {
        let mut bits: u128 = 0;
        for b in secret {
            bits = (bits << 8) | u128::from(*b);
        }
        let mut s = String::with_capacity(CODE_CHARS);
        for i in (0..CODE_CHARS).rev() {
            let idx = ((bits >> (i * 5)) & 31) as usize;
            s.push(char::from(BASE32[idx]));
        }
        Self(s)
    }

    /// Reads a code as a person may type it: any case, with dashes or spaces between groups.
    /// `None` for anything else (the caller answers exactly as for an unknown code).
    pub fn parse(input: &str) -> Option<Self> {
        let s: String = input
            .chars()
            .filter(|c| *c != '-' && *c != ' ')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (s.len() == CODE_CHARS && s.bytes().all(|b| BASE32.contains(&b))).then_some(Self(s))
    }

    /// The 16 characters, ungrouped (what is hashed for the lookup).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code grouped by four for printing.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// SHA-256 of the code (lowercase hex): codes are stored and looked up by this.
    pub fn lookup_hash(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: i64, prev: &str) -> EventRecord {
        EventRecord {
            task_id: "tsk_1".into(),
            seq,
            kind: "task_created".into(),
            step_id: None,
            actor_id: Some("usr_1".into()),
            at: DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap_or_default(),
            ip: "127.0.0.1".into(),
            user_agent: "test".into(),
            document_hashes: "{}".into(),
            detail: "{}".into(),
            prev_hash: prev.into(),
        }
    }

    fn chain(n: i64) -> Vec<StoredEvent> {
        let mut out: Vec<StoredEvent> = Vec::new();
        for seq in 1..=n {
            let prev = out.last().map_or(GENESIS.to_owned(), |e| e.hash.clone());
            let mut r = record(seq, &prev);
            r.kind = format!("kind{seq}");
            let hash = r.hash();
            out.push(StoredEvent {
                id: format!("evt_{seq}"),
                record: r,
                hash,
            });
        }
        out
    }

    #[test]
    fn a_sound_chain_verifies_to_its_head() {
        let c = chain(4);
        let head = verify_chain("tsk_1", &c).unwrap();
        assert_eq!(head.seq, 4);
        assert_eq!(head.hash, c[3].hash);
        assert_eq!(
            verify_chain("tsk_1", &[]).unwrap(),
            Head {
                seq: 0,
                hash: GENESIS.into()
            }
        );
    }

    #[test]
    fn an_edited_field_breaks_the_link_of_that_event() {
        for edit in 0..8 {
            let mut c = chain(3);
            let r = &mut c[1].record;
            match edit {
                0 => r.kind.push('x'),
                1 => r.ip = "10.0.0.1".into(),
                2 => r.user_agent.push('x'),
                3 => r.document_hashes = "{\"doc\":\"00\"}".into(),
                4 => r.detail = "{\"x\":1}".into(),
                5 => r.actor_id = None,
                6 => r.at += chrono::Duration::microseconds(1),
                _ => r.step_id = Some(String::new()),
            }
            let err = verify_chain("tsk_1", &c).unwrap_err();
            assert_eq!(
                (err.seq, err.reason),
                (2, LinkProblem::Content),
                "edit {edit}"
            );
        }
    }

    #[test]
    fn a_rehashed_edit_breaks_the_next_link() {
        let mut c = chain(3);
        c[1].record.ip = "10.0.0.1".into();
        c[1].hash = c[1].record.hash();
        let err = verify_chain("tsk_1", &c).unwrap_err();
        assert_eq!((err.seq, err.reason), (3, LinkProblem::PrevHash));
    }

    #[test]
    fn deletion_and_reordering_break_the_sequence() {
        let mut c = chain(4);
        c.remove(1);
        let err = verify_chain("tsk_1", &c).unwrap_err();
        assert_eq!(err.reason, LinkProblem::Sequence { expected: 2 });
        assert_eq!(err.event_id, "evt_3");

        let mut c = chain(4);
        c.swap(1, 2);
        let err = verify_chain("tsk_1", &c).unwrap_err();
        assert_eq!(
            (err.seq, err.reason),
            (3, LinkProblem::Sequence { expected: 2 })
        );

        // Renumbered after the swap: the prev hashes give it away.
        let mut c = chain(4);
        c.swap(1, 2);
        c[1].record.seq = 2;
        c[2].record.seq = 3;
        let err = verify_chain("tsk_1", &c).unwrap_err();
        assert_eq!(err.reason, LinkProblem::PrevHash);

        let c = chain(2);
        assert!(matches!(
            verify_chain("tsk_2", &c).unwrap_err().reason,
            LinkProblem::WrongTask(_)
        ));
    }

    #[test]
    fn the_encoding_tells_absent_from_empty_and_field_boundaries_apart() {
        let a = record(1, GENESIS);
        let mut b = a.clone();
        b.step_id = Some(String::new());
        assert_ne!(a.hash(), b.hash());
        let mut c = a.clone();
        c.ip = "127.0.0.1t".into();
        c.user_agent = "est".into();
        assert_ne!(a.hash(), c.hash());
        // Stable across releases: a change of this value breaks every stored chain.
        assert_eq!(a.hash().len(), 64);
        assert_eq!(a.hash(), record(1, GENESIS).hash());
    }

    #[test]
    fn times_are_hashed_at_microsecond_precision() {
        let mut a = record(1, GENESIS);
        let mut b = a.clone();
        a.at = DateTime::from_timestamp(1_790_000_000, 123_456_789).unwrap_or_default();
        b.at = storable_time(a.at);
        assert_eq!(a.hash(), b.hash());
        assert_eq!(canonical_time(b.at), "2026-09-21T14:13:20.123456Z");
    }

    #[test]
    fn next_link_starts_at_genesis() {
        assert_eq!(next_link(None), (1, GENESIS.to_owned()));
        assert_eq!(next_link(Some((4, "ab"))), (5, "ab".to_owned()));
    }

    #[test]
    fn codes_have_80_bits_and_parse_as_typed() {
        let code = VerificationCode::from_bits(&[0xff; 10]);
        assert_eq!(code.as_str(), "7777777777777777");
        let code = VerificationCode::from_bits(&[0; 10]);
        assert_eq!(code.as_str(), "AAAAAAAAAAAAAAAA");
        let code = VerificationCode::from_bits(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(code.as_str().len(), CODE_CHARS);
        let typed = code.grouped().to_lowercase().replace('-', " - ");
        assert_eq!(VerificationCode::parse(&typed), Some(code.clone()));
        assert_eq!(code.grouped().len(), 19);
        assert_eq!(code.lookup_hash().len(), 64);
        for bad in [
            "",
            "ABCD",
            "AAAAAAAAAAAAAAA1",
            "AAAAAAAAAAAAAAAAA",
            "AAAAAAAA AAAAAAA€",
        ] {
            assert_eq!(VerificationCode::parse(bad), None, "{bad}");
        }
        assert!(!format!("{code:?}").contains(code.as_str()));
    }
}
