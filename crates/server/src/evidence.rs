//! The evidence trail around tasks: what happens when a task ends (its chain is queued for a
//! TSA anchor, a completed task's documents get verification codes), anchoring chain heads
//! with timestamp tokens, and checking every chain (`signet audit verify`).
//!
//! The chain's rules are pure (`signet_domain::audit`); the rows are in `signet_store::audit`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use signet_domain::audit::{self as rules, BrokenLink, Head, VerificationCode};
use signet_domain::workflow::TaskState;
use signet_pdf::TimestampSource as _;
use signet_pki::MasterKey;
use signet_pki::sign::KeyAlgorithm;
use signet_pki::verify::TimestampToken;
use signet_store::audit;
use signet_store::sea_orm::{ConnectionTrait, DbErr};
use std::collections::BTreeMap;

use crate::problem::ApiResult;
use crate::state::AppState;

/// The job that timestamps a task's chain head (payload: task id).
pub const ANCHOR_JOB: &str = "audit.anchor";
/// Blind-index purpose of verification codes.
const CODE_PURPOSE: &str = "verification-code";
/// Most tasks one periodic sweep anchors.
const SWEEP_BATCH: u64 = 50;

/// The verification code of a document's final revision: a keyed digest of the document id
/// and its SHA-256, so it is derived again whenever it is shown and never stored in clear.
pub fn verification_code(master: &MasterKey, document_id: &str, sha256: &str) -> VerificationCode {
    let mac = master.blind_index(CODE_PURPOSE, format!("{document_id}\n{sha256}").as_bytes());
    let mut bits = [0u8; 10];
    for (i, b) in bits.iter_mut().enumerate() {
        *b = u8::from_str_radix(mac.get(2 * i..2 * i + 2).unwrap_or("00"), 16).unwrap_or(0);
    }
    VerificationCode::from_bits(&bits)
}

/// What a task's end adds, in the transaction of the transition: an anchor job for its chain
/// and, when it completed, a verification code per document (`hashes`: final revisions).
pub async fn on_final<C: ConnectionTrait>(
    state: &AppState,
    db: &C,
    task_id: &str,
    end: TaskState,
    hashes: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    signet_store::jobs::enqueue(db, ANCHOR_JOB, task_id, now, 10, now).await?;
    if end == TaskState::Completed {
        for (doc, sha) in hashes {
            let code = verification_code(&state.master, doc, sha);
            audit::insert_code(
                db,
                audit::Code {
                    code_hash: code.lookup_hash(),
                    task_id: task_id.to_owned(),
                    document_id: doc.clone(),
                    document_sha256: sha.clone(),
                    created_at: now,
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Timestamps the head of task `task_id`'s chain unless it is anchored already. The token's
/// message imprint is the head event's hash (SHA-256 of its canonical encoding).
/// `Ok(false)` when there was nothing new to anchor.
pub async fn anchor(state: &AppState, task_id: &str) -> Result<bool, String> {
    let db = &state.db;
    let Some((seq, hash)) = audit::head(db, task_id).await.map_err(|e| e.to_string())? else {
        return Ok(false);
    };
    let anchors = audit::anchors(db, task_id)
        .await
        .map_err(|e| e.to_string())?;
    if anchors.iter().any(|a| a.seq >= seq) {
        return Ok(false);
    }
    let source = state
        .timestamps
        .clone()
        .ok_or("no timestamp authority is configured")?;
    let digest = hex::decode(&hash).map_err(|e| e.to_string())?;
    let alg = KeyAlgorithm::EcdsaP256;
    let token = tokio::task::spawn_blocking(move || source.token(alg, &digest))
        .await
        .map_err(|e| e.to_string())??;
    audit::insert_anchor(
        db,
        audit::Anchor {
            id: signet_store::new_id("anc"),
            task_id: task_id.to_owned(),
            seq,
            head_hash: hash,
            token,
            algorithm: crate::builtin_ca::key_alg(alg),
            created_at: Utc::now(),
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    tracing::info!(task = %task_id, seq, "audit chain anchored");
    Ok(true)
}

/// Anchors ended tasks whose chains grew since their last anchor (views and downloads
/// after the end); run periodically by the worker. Returns how many were anchored.
pub async fn sweep(state: &AppState) -> Result<usize, String> {
    let due = audit::unanchored(&state.db, SWEEP_BATCH)
        .await
        .map_err(|e| e.to_string())?;
    let mut n = 0;
    for task in due {
        if anchor(state, &task).await? {
            n += 1;
        }
    }
    Ok(n)
}

/// The organisation each step's signer acted for, by step id: the organisation whose
/// certificate the signer used (as its `step_signed` event recorded). A step of an
/// organisation signed with a personal certificate acted for nobody but the signer, and the
/// organisation is not named for it. Steps acting for no organisation are absent.
pub async fn acting_orgs<C: ConnectionTrait>(
    db: &C,
    steps: &[signet_store::tasks::Step],
    events: &[audit::Event],
) -> Result<BTreeMap<String, String>, DbErr> {
    let mut acting: BTreeMap<String, String> = BTreeMap::new();
    let known: std::collections::BTreeSet<&str> = steps.iter().map(|s| s.id.as_str()).collect();
    for e in events {
        let Some(step) = e.step_id.clone().filter(|s| {
            e.kind == "step_signed" && known.contains(s.as_str()) && !acting.contains_key(s)
        }) else {
            continue;
        };
        let Ok(detail) = serde_json::from_str::<serde_json::Value>(&e.detail) else {
            continue;
        };
        for c in detail["certificates"].as_array().into_iter().flatten() {
            if let Some(id) = c["id"].as_str()
                && let Some(cert) = signet_store::repo::pki::certificate(db, id).await?
                && let Some(org) = cert.org_id
            {
                acting.entry(step.clone()).or_insert(org);
            }
        }
    }
    Ok(acting)
}

/// The real names of the events' actors, by user id.
pub async fn actor_names<C: ConnectionTrait>(
    db: &C,
    events: &[audit::Event],
) -> Result<BTreeMap<String, String>, DbErr> {
    let mut names = BTreeMap::new();
    for id in events.iter().filter_map(|e| e.actor_id.as_ref()) {
        if !names.contains_key(id)
            && let Some(u) = signet_store::repo::users::by_id(db, id).await?
        {
            names.insert(id.clone(), u.real_name);
        }
    }
    Ok(names)
}

// ---------------------------------------------------------------------------------------------
// Checking

/// Which timestamp authorities an anchor may come from: one a Signet CA issued, or, when the
/// platform is configured to use an outside TSA (`pki.tsa_url`), that TSA (whose token
/// signature and imprint are still checked; trusting it is the operator's choice).
pub fn tsa_trust<'a>(
    trust: Option<&'a crate::builtin_ca::BuiltinCa>,
    settings: &crate::config::Settings,
) -> impl Fn(&x509_cert::Certificate) -> bool + 'a {
    let outside = !settings.pki.tsa_url.trim().is_empty();
    move |cert| outside || trust.is_some_and(|t| t.issuer_of_certificate(cert).is_some())
}

/// One anchor as checked.
#[derive(Debug, Clone, Serialize)]
pub struct AnchorCheck {
    pub seq: i64,
    pub head_hash: String,
    /// The token's time, when it could be read.
    pub time: Option<DateTime<Utc>>,
    /// What is wrong; empty when the token is sound and stamps the chain's event at `seq`.
    pub problems: Vec<String>,
}

/// One task's chain as checked.
#[derive(Debug, Clone, Serialize)]
pub struct ChainCheck {
    pub task_id: String,
    pub events: usize,
    /// The head when the chain is sound.
    pub head_seq: Option<i64>,
    pub head_hash: Option<String>,
    /// The first broken link.
    pub broken: Option<String>,
    pub anchors: Vec<AnchorCheck>,
}

impl ChainCheck {
    pub fn ok(&self) -> bool {
        self.broken.is_none() && self.anchors.iter().all(|a| a.problems.is_empty())
    }
}

/// Checks a task's chain and its anchors. `tsa_ok` decides whether a token's signer is a TSA
/// the caller trusts.
pub async fn check_task<C: ConnectionTrait>(
    db: &C,
    task_id: &str,
    tsa_ok: &dyn Fn(&x509_cert::Certificate) -> bool,
) -> Result<ChainCheck, DbErr> {
    let events = audit::chain(db, task_id).await?;
    let anchors = audit::anchors(db, task_id).await?;
    Ok(check_loaded(task_id, &events, &anchors, tsa_ok))
}

/// Checks a task's chain and anchors as read (`events` in chain order).
pub fn check_loaded(
    task_id: &str,
    events: &[audit::Event],
    anchors: &[audit::Anchor],
    tsa_ok: &dyn Fn(&x509_cert::Certificate) -> bool,
) -> ChainCheck {
    let stored: Vec<_> = events.iter().map(audit::stored).collect();
    let verdict: Result<Head, BrokenLink> = rules::verify_chain(task_id, &stored);
    let mut check = ChainCheck {
        task_id: task_id.to_owned(),
        events: events.len(),
        head_seq: None,
        head_hash: None,
        broken: None,
        anchors: Vec::new(),
    };
    match verdict {
        Ok(head) => {
            check.head_seq = Some(head.seq);
            check.head_hash = Some(head.hash);
        }
        Err(b) => check.broken = Some(b.to_string()),
    }
    for a in anchors {
        let mut problems = Vec::new();
        let mut time = None;
        match events.iter().find(|e| e.seq == a.seq) {
            Some(e) if e.hash == a.head_hash => {}
            Some(_) => problems.push(format!(
                "the event at seq {} no longer has the anchored hash",
                a.seq
            )),
            None => problems.push(format!("no event at seq {}", a.seq)),
        }
        match TimestampToken::parse(&a.token) {
            Ok(token) => {
                time = Some(token.gen_time());
                let imprint = token.info().message_imprint.hashed_message.as_bytes();
                if hex::decode(&a.head_hash).ok().as_deref() != Some(imprint) {
                    problems.push("the token stamps another hash".into());
                }
                let signer = token.verify(&[]);
                if !signer.ok() {
                    problems.push(format!(
                        "the token's signature does not verify: {}",
                        signer.problems.join("; ")
                    ));
                } else if !signer.signer_certificate.as_ref().is_some_and(tsa_ok) {
                    problems.push("the token was not issued by a trusted TSA".into());
                }
            }
            Err(e) => problems.push(format!("unreadable token: {e}")),
        }
        check.anchors.push(AnchorCheck {
            seq: a.seq,
            head_hash: a.head_hash.clone(),
            time,
            problems,
        });
    }
    check
}

/// Checks one task, or every task with events, page by page.
pub async fn check_all<C: ConnectionTrait>(
    db: &C,
    only: Option<&str>,
    tsa_ok: &dyn Fn(&x509_cert::Certificate) -> bool,
) -> Result<Vec<ChainCheck>, DbErr> {
    if let Some(task) = only {
        return Ok(vec![check_task(db, task, tsa_ok).await?]);
    }
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = audit::tasks_with_events(db, after.as_deref(), 500).await?;
        if page.is_empty() {
            return Ok(out);
        }
        for task in &page {
            out.push(check_task(db, task, tsa_ok).await?);
        }
        after = page.last().cloned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_keyed_by_document_and_revision() {
        let k = MasterKey::generate();
        let a = verification_code(&k, "doc_1", "aa");
        assert_eq!(a, verification_code(&k, "doc_1", "aa"));
        assert_ne!(a, verification_code(&k, "doc_1", "ab"));
        assert_ne!(a, verification_code(&k, "doc_2", "aa"));
        assert_ne!(a, verification_code(&MasterKey::generate(), "doc_1", "aa"));
        assert_eq!(VerificationCode::parse(&a.grouped()), Some(a));
    }
}
