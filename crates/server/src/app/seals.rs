//! Seals (印章) a caller may use, their views, and the one rule of every signing path for
//! which certificate a seal may go with.

use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use signet_api::SealView;
use signet_domain::access::{Owner, SealChoice, seal_goes_with};
use signet_domain::org::Role;
use signet_pdf::SignatureSpec;
use signet_store::repo::{orgs, seals};
use signet_store::tasks;
use std::collections::BTreeMap;

/// Who owns a seal: its organisation, or the person it belongs to.
pub fn seal_owner(seal: &seals::Seal) -> Owner<'_> {
    match (&seal.org_id, &seal.user_id) {
        (Some(org), _) => Owner::Org(org),
        (None, Some(user)) => Owner::Person(user),
        // Owned by nobody a certificate can name.
        (None, None) => Owner::Person(""),
    }
}

/// A seal as the API shows it.
pub fn view(s: &seals::Seal) -> SealView {
    SealView {
        id: s.id.clone(),
        name: s.name.clone(),
        kind: s.kind,
        owner: if s.org_id.is_some() {
            "organization"
        } else {
            "personal"
        }
        .into(),
        org_id: s.org_id.clone(),
        certificate_id: s.certificate_id.clone(),
        width: u32::try_from(s.width).unwrap_or_default(),
        height: u32::try_from(s.height).unwrap_or_default(),
        created_at: s.created_at,
    }
}

pub async fn is_admin(state: &AppState, org_id: &str, user_id: &str) -> ApiResult<bool> {
    Ok(orgs::membership(&state.db, org_id, user_id)
        .await?
        .is_some_and(|m| m.role == Role::Admin))
}

/// A seal the caller may use, or 404 `seal_not_found`: their own, or an organisation's
/// while they administer it or were granted that seal (and are still a member).
pub async fn usable(state: &AppState, user_id: &str, id: &str) -> ApiResult<seals::Seal> {
    let not_found = || ApiError::not_found("seal_not_found");
    let seal = seals::by_id(&state.db, id).await?.ok_or_else(not_found)?;
    if seal.disabled_at.is_some() {
        return Err(not_found());
    }
    match (&seal.org_id, &seal.user_id) {
        (Some(org_id), _) => {
            let m = orgs::membership(&state.db, org_id, user_id)
                .await?
                .ok_or_else(not_found)?;
            if m.role == Role::Admin || tasks::seal_granted(&state.db, &seal.id, user_id).await? {
                Ok(seal)
            } else {
                Err(not_found())
            }
        }
        (None, Some(owner)) if owner == user_id => Ok(seal),
        _ => Err(not_found()),
    }
}

/// Every seal the caller may use: personal, of organisations they administer, and granted.
pub async fn usable_by(state: &AppState, user_id: &str) -> ApiResult<Vec<seals::Seal>> {
    let mut rows = seals::of_user(&state.db, user_id).await?;
    let granted = tasks::seals_granted_to(&state.db, user_id).await?;
    for (m, o) in orgs::memberships_of(&state.db, user_id).await? {
        let admin = m.role == Role::Admin;
        for s in seals::of_org(&state.db, &o.id).await? {
            if admin || granted.contains(&s.id) {
                rows.push(s);
            }
        }
    }
    Ok(rows)
}

/// The engine's view of a placement, with its stored seal (`seal_id`, one the caller may use)
/// loaded from the blob store. The seal must go with the placement's certificate (`cert_id`,
/// owned by `cert_owner`): see [`seal_with_certificate`].
pub(crate) async fn placement_spec(
    state: &AppState,
    user_id: &str,
    p: &signet_api::SignPlacement,
    seals: &BTreeMap<String, Vec<u8>>,
    cert_id: &str,
    cert_owner: Owner<'_>,
) -> ApiResult<SignatureSpec> {
    let mut spec = crate::app::signing::spec_of(p, seals)?;
    if p.placement.is_visible() {
        match &p.seal_id {
            Some(id) => {
                let seal = crate::app::seals::usable(state, user_id, id).await?;
                seal_with_certificate(Some(&seal), cert_id, cert_owner, user_id, "signatures")?;
                spec.seal_png = Some(state.blobs.get(&seal.image_blob).await?);
            }
            None => seal_with_certificate(None, cert_id, cert_owner, user_id, "signatures")?,
        }
    }
    Ok(spec)
}

/// The one seal rule of every signing path (direct, external, task step), decided by
/// [`signet_domain::access::seal_goes_with`]: a stored seal (`Some`) goes with the certificate
/// it is bound to or, unbound, with a certificate of its owner; an uploaded image (`None`)
/// only with the caller's personal certificate. Otherwise 422 `seal_certificate_mismatch`.
pub(crate) fn seal_with_certificate(
    seal: Option<&signet_store::repo::seals::Seal>,
    cert_id: &str,
    cert_owner: Owner<'_>,
    caller: &str,
    field: &'static str,
) -> ApiResult<()> {
    let choice = match seal {
        Some(seal) => SealChoice::Stored {
            owner: seal_owner(seal),
            bound_to: seal.certificate_id.as_deref(),
        },
        None => SealChoice::Uploaded,
    };
    seal_goes_with(choice, cert_id, cert_owner, caller).map_err(|e| {
        let mut err = ApiError::unprocessable("seal_certificate_mismatch")
            .field(field)
            .param("reason", e.to_string());
        if let Some(seal) = seal {
            err = err.param("id", &seal.id);
        }
        err
    })
}
