//! A step's signer at work: the certificate + seal pairs it may use, signing with server-held
//! keys (one PIN per certificate), rejecting, and signing with a key the caller holds
//! (prepare, then finish with the signature).

use signet_api::{
    ExternalFinish, ExternalPrepared, RejectStep, SignStep, SigningOption, SigningOptions,
    StepPlacement, TaskView,
};
use signet_domain::access::Owner;
use signet_domain::certificate::CertPurpose;
use signet_domain::task_access::{TaskStanding, fits_step};
use signet_domain::workflow::{self, MAX_TEXT_CHARS};
use signet_store::repo::{orgs, pki as certs, seals};
use signet_store::tasks::Step;
use std::collections::BTreeMap;

use super::commit::{commit_plain, commit_signed, task_changed};
use super::{Loaded, load_visible};
use crate::app::certificates::certificate_owner;
use crate::app::seals::{seal_owner, seal_with_certificate};
use crate::app::signing::{self, Pipeline, slot};
use crate::app::{certificate_keys, external};
use crate::auth::ClientMeta;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

const MAX_PLACEMENTS: usize = 50;

/// The caller's active step `step` of task `l`, or the problem that says why not.
fn own_active_step<'a>(l: &'a Loaded, step: &str, user: &str) -> ApiResult<&'a Step> {
    let s = l
        .steps
        .iter()
        .find(|s| s.id == step)
        .ok_or_else(|| ApiError::not_found("step_not_found"))?;
    TaskStanding::may_act_on_step(s.signer_id == user, l.state(), s.state)?;
    Ok(s)
}

/// The step's signing mode (签署模式) allows the channel the request comes through: a
/// PC-only step is not signed from a phone's browser, a mobile-only one not from a desktop.
fn check_mode(step: &Step, meta: &ClientMeta) -> ApiResult<()> {
    let mode = step.mode;
    if mode.allows(workflow::Channel::from_user_agent(&meta.user_agent)) {
        Ok(())
    } else {
        Err(ApiError::forbidden("sign_mode_mismatch").param("mode", mode.as_str()))
    }
}

/// Whether a certificate or seal of `owner` fits the step ([`fits_step`]).
fn fits(step: &Step, owner: Owner<'_>) -> bool {
    fits_step(step.seal_kind, step.org_id.as_deref(), owner)
}

/// The seal of a visible placement (`seal_id` required), checked for the step and the
/// certificate it goes with (`cert_id`, owned by `cert_owner`): usable by the caller, fitting
/// the step's seal kind and organisation, owned by whoever owns the certificate, and bound
/// (if at all) to that very certificate. `field` names the request field in problems.
async fn checked_seal(
    state: &AppState,
    user: &str,
    step: &Step,
    seal_id: Option<&str>,
    (cert_id, cert_owner): (&str, Owner<'_>),
    field: &'static str,
) -> ApiResult<seals::Seal> {
    let seal_id = seal_id.ok_or_else(|| {
        ApiError::bad_request("invalid_placement")
            .field(field)
            .param("reason", "a visible signature needs a seal_id")
    })?;
    let seal = crate::app::seals::usable(state, user, seal_id).await?;
    if !fits(step, seal_owner(&seal)) {
        return Err(ApiError::unprocessable("seal_not_for_step")
            .field(field)
            .param("id", &seal.id));
    }
    seal_with_certificate(Some(&seal), cert_id, cert_owner, user, field)?;
    Ok(seal)
}

/// The engine's view of a step placement; `seal_pngs` holds the seal images by seal id.
fn spec_of(p: &StepPlacement, seal_pngs: &BTreeMap<String, Vec<u8>>) -> signet_pdf::SignatureSpec {
    let png = p.seal_id.as_ref().and_then(|id| seal_pngs.get(id)).cloned();
    signing::signature_spec(&p.placement, png, p.date.as_ref(), p.reason.as_deref())
}

/// Signs the caller's active step: every placement (document, page, rectangle, seal and
/// certificate) is applied as an incremental revision, with one PIN per certificate. The
/// certificates and seals are checked before any PIN; PINs, signing and storage happen next;
/// then one short transaction checks the task's version and commits (a concurrent change is
/// 409 `task_changed`, and nothing changes).
pub async fn sign(
    state: &AppState,
    user: &str,
    meta: &ClientMeta,
    id: &str,
    step_id: &str,
    body: &SignStep,
) -> ApiResult<TaskView> {
    let pipeline = Pipeline::new(state)?;
    let l = load_visible(state, id, user).await?;
    let step = own_active_step(&l, step_id, user)?.clone();
    check_mode(&step, meta)?;
    if body.version.is_some_and(|v| v != l.task.version) {
        return Err(task_changed());
    }
    if body.placements.is_empty() {
        return Err(ApiError::bad_request("no_placements").field("placements"));
    }
    if body.placements.len() > MAX_PLACEMENTS {
        return Err(ApiError::bad_request("too_many_placements")
            .field("placements")
            .param("max", MAX_PLACEMENTS));
    }
    let _slot = slot().await?;

    // Certificates and seals: each usable by the caller and fitting the step, before any PIN.
    let mut rows = BTreeMap::new();
    let mut seal_pngs: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for p in &body.placements {
        if !l.docs.iter().any(|d| d.id == p.document_id) {
            return Err(ApiError::bad_request("unknown_document")
                .field("placements")
                .param("id", &p.document_id));
        }
        if !rows.contains_key(&p.certificate_id) {
            let row = certificate_keys::usable(state, user, &p.certificate_id).await?;
            certificate_keys::check_signable(&row)?;
            if !fits(&step, certificate_owner(&row)) {
                return Err(ApiError::unprocessable("certificate_not_for_step")
                    .field("placements")
                    .param("id", &row.id));
            }
            if !row.pin_protected {
                return Err(ApiError::conflict("certificate_client_held")
                    .field("placements")
                    .param("id", &row.id));
            }
            rows.insert(p.certificate_id.clone(), row);
        }
        if p.placement.is_visible() {
            let row = rows
                .get(&p.certificate_id)
                .ok_or_else(|| ApiError::bad_request("pin_required"))?;
            let cert = (p.certificate_id.as_str(), certificate_owner(row));
            let seal =
                checked_seal(state, user, &step, p.seal_id.as_deref(), cert, "placements").await?;
            if !seal_pngs.contains_key(&seal.id) {
                seal_pngs.insert(seal.id.clone(), state.blobs.get(&seal.image_blob).await?);
            }
        }
    }
    // Where each signature goes, against its document's pages, still before any PIN.
    for doc in &l.docs {
        let specs: Vec<_> = body
            .placements
            .iter()
            .enumerate()
            .filter(|(_, p)| p.document_id == doc.id)
            .map(|(i, p)| (i, spec_of(p, &seal_pngs)))
            .collect();
        if !specs.is_empty() {
            let pdf = state.blobs.get(&doc.current_blob).await?;
            signing::check_placements(pdf, specs)
                .await
                .map_err(|e| e.field("placements").param("document", &doc.id))?;
        }
    }
    // Open each key once; a wrong PIN stops here with nothing signed.
    let opened = certificate_keys::open_all(state, &rows, &body.pins).await?;

    // One signing pass per document with placements, in the order given.
    let level = state.settings.pki.default_level;
    let mut new_blobs: BTreeMap<String, String> = BTreeMap::new();
    for doc in &l.docs {
        let mine: Vec<_> = body
            .placements
            .iter()
            .filter(|p| p.document_id == doc.id)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let mut planned = Vec::with_capacity(mine.len());
        for p in mine {
            let spec = spec_of(p, &seal_pngs);
            planned.push(pipeline.plan_opened(spec, &p.certificate_id, &rows, &opened)?);
        }
        // Read again rather than kept from the placement check: one document in memory at a
        // time, however many the task holds.
        let pdf = state.blobs.get(&doc.current_blob).await?;
        let signed = pipeline
            .sign(pdf, planned, level)
            .await
            .map_err(|e| e.param("document", &doc.id))?;
        new_blobs.insert(doc.id.clone(), state.blobs.put(signed).await?);
    }
    drop(opened);

    let signed = serde_json::json!({
        "certificates": rows
            .values()
            .map(|r| serde_json::json!({ "id": r.id, "serial": r.serial, "subject": r.subject }))
            .collect::<Vec<_>>(),
        "revisions": new_blobs,
        "level": level.as_str(),
    });
    let answer = commit_signed(state, &l, &step.id, &new_blobs, &signed, user, meta).await?;
    tracing::info!(task = %l.task.id, step = %step.id, signatures = body.placements.len(), "step signed");
    Ok(answer)
}

/// Rejects the caller's active step with a reason (拒签): the task is rejected.
pub async fn reject(
    state: &AppState,
    user: &str,
    meta: &ClientMeta,
    id: &str,
    step_id: &str,
    body: &RejectStep,
) -> ApiResult<TaskView> {
    let l = load_visible(state, id, user).await?;
    let step = own_active_step(&l, step_id, user)?;
    if body.reason.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::bad_request("reason_too_long")
            .field("reason")
            .param("max", MAX_TEXT_CHARS));
    }
    let transition = l
        .workflow()
        .reject(&step.id, &body.reason)
        .map_err(|e| ApiError::from(e).field("reason"))?;
    commit_plain(state, &l, transition, user, meta).await
}

/// The certificate + seal pairs the caller may use for its step: certificates that fit the
/// step's seal kind and organisation, each with its bound seals first, then the other seals
/// of the same owner that fit the step.
pub async fn options(
    state: &AppState,
    user: &str,
    id: &str,
    step_id: &str,
) -> ApiResult<SigningOptions> {
    let l = load_visible(state, id, user).await?;
    let step = own_active_step(&l, step_id, user)?;
    let usable_seals = crate::app::seals::usable_by(state, user).await?;
    let mut candidates = certs::held_by(&state.db, user).await?;
    for (_, o) in orgs::memberships_of(&state.db, user).await? {
        for c in certs::of_org(&state.db, &o.id).await? {
            if !candidates.iter().any(|x| x.id == c.id) {
                candidates.push(c);
            }
        }
    }
    let mut items = Vec::new();
    for c in candidates {
        if certificate_keys::check_signable(&c).is_err() || !fits(step, certificate_owner(&c)) {
            continue;
        }
        if certificate_keys::usable(state, user, &c.id).await.is_err() {
            continue;
        }
        let owner = certificate_owner(&c);
        let mut offered: Vec<&seals::Seal> = usable_seals
            .iter()
            .filter(|s| s.certificate_id.as_deref() == Some(c.id.as_str()))
            .collect();
        offered.extend(
            usable_seals.iter().filter(|s| {
                s.certificate_id.is_none() && seal_owner(s) == owner && fits(step, owner)
            }),
        );
        items.push(SigningOption {
            certificate_id: c.id.clone(),
            key_location: if c.pin_protected { "server" } else { "client" }.into(),
            kind: if c.purpose == CertPurpose::Org {
                "organization"
            } else {
                "personal"
            }
            .into(),
            org_id: c.org_id.clone(),
            algorithm: c.algorithm,
            subject: c.subject.clone(),
            not_after: c.not_after,
            seals: offered.into_iter().map(crate::app::seals::view).collect(),
        });
    }
    Ok(SigningOptions { items })
}

/// Prepares the signature of the caller's active step with a key the caller holds (a
/// client-held certificate of the built-in CA, or a bound outside certificate): one placement
/// on one document. Answers what to sign; [`external_finish`] completes the step.
pub async fn external_prepare(
    state: &AppState,
    user: &str,
    meta: &ClientMeta,
    id: &str,
    step_id: &str,
    p: StepPlacement,
) -> ApiResult<ExternalPrepared> {
    let trust = state.ca()?;
    let l = load_visible(state, id, user).await?;
    let step = own_active_step(&l, step_id, user)?.clone();
    check_mode(&step, meta)?;
    let doc = l
        .docs
        .iter()
        .find(|d| d.id == p.document_id)
        .ok_or_else(|| ApiError::bad_request("unknown_document").field("document_id"))?;
    // A bound outside certificate is the signer's own (personal); a built-in one must fit.
    let cert = certificate_keys::signing_ref(state, user, &p.certificate_id).await?;
    let owner = match &cert {
        certificate_keys::CertRef::Bound(_) => Owner::Person(user),
        certificate_keys::CertRef::Issued(row) => certificate_owner(row),
    };
    if !fits(&step, owner) {
        return Err(ApiError::unprocessable("certificate_not_for_step").field("certificate_id"));
    }
    let mut seal_pngs = BTreeMap::new();
    if p.placement.is_visible() {
        let cert = (p.certificate_id.as_str(), owner);
        let seal = checked_seal(state, user, &step, p.seal_id.as_deref(), cert, "seal_id").await?;
        seal_pngs.insert(seal.id.clone(), state.blobs.get(&seal.image_blob).await?);
    }
    let spec = spec_of(&p, &seal_pngs);
    let _slot = slot().await?;
    let level = state.settings.pki.default_level;
    let pdf = state.blobs.get(&doc.current_blob).await?;
    external::prepare_session(
        state,
        trust,
        user,
        pdf,
        spec,
        &p.certificate_id,
        level,
        Some(external::StepLink {
            task_id: l.task.id.clone(),
            step_id: step.id.clone(),
            document_id: doc.id.clone(),
            task_version: l.task.version,
        }),
    )
    .await
}

/// Embeds the external signature prepared for the caller's step, stores the revision and
/// marks the step signed. 409 `task_changed` if the task changed since it was prepared.
#[allow(clippy::too_many_arguments)]
pub async fn external_finish(
    state: &AppState,
    user: &str,
    meta: &ClientMeta,
    id: &str,
    step_id: &str,
    session_id: &str,
    body: &ExternalFinish,
) -> ApiResult<TaskView> {
    let trust = state.ca()?;
    let l = load_visible(state, id, user).await?;
    let step = own_active_step(&l, step_id, user)?.clone();
    let session = external::session_of(state, user, session_id)
        .await?
        .filter(|s| {
            s.task_id.as_deref() == Some(&l.task.id) && s.step_id.as_deref() == Some(&step.id)
        })
        .ok_or_else(|| ApiError::not_found("signing_session_not_found"))?;
    if session.task_version != Some(l.task.version) {
        return Err(task_changed());
    }
    let doc_id = session.document_id.clone().unwrap_or_default();
    let signed = external::finish_session(state, trust, user, &session, &body.signature).await?;
    let new_blobs = BTreeMap::from([(doc_id, state.blobs.put(signed).await?)]);
    let (signer, _) =
        external::external_signer(state, trust, user, &session.certificate_id).await?;
    let signed = serde_json::json!({
        "certificates": [{
            "id": session.certificate_id,
            "serial": signet_pki::ca::serial_hex(signer.tbs_certificate().serial_number()),
            "subject": signer.tbs_certificate().subject().to_string(),
        }],
        "revisions": new_blobs,
        "level": session.level.as_str(),
        "external": true,
    });
    let answer = commit_signed(state, &l, &step.id, &new_blobs, &signed, user, meta).await?;
    tracing::info!(task = %l.task.id, step = %step.id, "step signed externally");
    Ok(answer)
}
