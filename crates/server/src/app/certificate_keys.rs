//! Server-held certificate keys: who may use which certificate, and opening a key with its
//! PIN under the lockout rule (5 wrong PINs lock the key until an SMS-verified reset).
//!
//! The PIN is checked by unwrapping the key (argon2id + AES-256-GCM, `signet_pki::keywrap`) on
//! a blocking thread; the PKCS#8 bytes are wiped as soon as the key object is built, and the
//! key object itself is wiped when the request drops it. The PIN is never stored or logged:
//! `Pin`'s `Debug` prints `***` and no handler logs request bodies.

use actix_web::http::StatusCode;
use chrono::Utc;
use signet_domain::access::{CertAction, CertStanding, may_use_certificate};
use signet_domain::certificate::{BindingStatus, CertPurpose};
use signet_domain::identity::Pin;
use signet_domain::org::Role;
use signet_pki::keywrap::{self, KeyWrapError};
use signet_pki::sign::SigningKey;
use signet_store::repo::{orgs, pki as repo};

use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Wrong PINs in a row that lock a key.
pub const MAX_PIN_ATTEMPTS: i32 = 5;

/// The lock that serialises PIN checks of one key on this node.
fn key_lock(key_id: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static LOCKS: crate::locks::KeyedLocks = crate::locks::KeyedLocks::new();
    LOCKS.get(key_id)
}

/// A certificate a signer names by id: one the built-in CA issued, or an outside CA's
/// certificate bound to the caller's account. Ids are opaque: which one an id is comes from
/// where it is found, never from how it is spelled.
pub enum CertRef {
    Issued(repo::Certificate),
    Bound(signet_store::repo::bound::Bound),
}

/// The certificate `id` the caller may sign with: an issued one they may use (see
/// [`usable`]), or an active binding of their own; otherwise 404 `certificate_not_found`.
pub async fn signing_ref(state: &AppState, user_id: &str, id: &str) -> ApiResult<CertRef> {
    if repo::certificate(&state.db, id).await?.is_some() {
        return usable(state, user_id, id).await.map(CertRef::Issued);
    }
    signet_store::repo::bound::by_id(&state.db, id)
        .await?
        .filter(|b| b.user_id == user_id && b.status == BindingStatus::Active)
        .map(CertRef::Bound)
        .ok_or_else(|| ApiError::not_found("certificate_not_found"))
}

/// The certificate `id` if the caller may see it and sign with it (see [`for_action`]).
pub async fn usable(state: &AppState, user_id: &str, id: &str) -> ApiResult<repo::Certificate> {
    for_action(state, user_id, id, CertAction::Sign).await
}

/// The certificate `id` if the caller may do `action` with it. The caller's standing is
/// worked out here (their personal certificate; an organisation's certificate while they
/// are an admin of it, or were granted a seal bound to it) and judged by
/// [`signet_domain::access::may_use_certificate`]: a seal grantee signs, but PIN changes,
/// unlocks, renewals and revocations are for the organisation's admins (403
/// `certificate_admin_only`). Without any standing: 404 `certificate_not_found`, as if it
/// did not exist.
pub async fn for_action(
    state: &AppState,
    user_id: &str,
    id: &str,
    action: CertAction,
) -> ApiResult<repo::Certificate> {
    let not_found = || ApiError::not_found("certificate_not_found");
    let row = repo::certificate(&state.db, id)
        .await?
        .ok_or_else(not_found)?;
    let standing = match row.purpose {
        CertPurpose::User if row.user_id.as_deref() == Some(user_id) => CertStanding::Holder,
        CertPurpose::Org => {
            let org_id = row.org_id.as_deref().ok_or_else(not_found)?;
            let m = orgs::membership(&state.db, org_id, user_id)
                .await?
                .ok_or_else(not_found)?;
            if m.role == Role::Admin {
                CertStanding::OrgAdmin
            } else {
                let mut granted = false;
                for seal in signet_store::repo::seals::of_certificate(&state.db, &row.id).await? {
                    if signet_store::tasks::seal_granted(&state.db, &seal.id, user_id).await? {
                        granted = true;
                        break;
                    }
                }
                if !granted {
                    return Err(not_found());
                }
                CertStanding::SealGrantee
            }
        }
        _ => return Err(not_found()),
    };
    if may_use_certificate(standing, action) {
        Ok(row)
    } else {
        Err(ApiError::forbidden("certificate_admin_only").param("id", &row.id))
    }
}

/// Whether a certificate may sign now: not revoked, not expired, not locked.
pub fn check_signable(row: &repo::Certificate) -> ApiResult<()> {
    let now = Utc::now();
    if row.revoked_at.is_some() {
        return Err(ApiError::conflict("certificate_revoked").param("id", &row.id));
    }
    if now > row.not_after || now < row.not_before {
        return Err(ApiError::conflict("certificate_expired").param("id", &row.id));
    }
    if row.locked_at.is_some() || row.pin_failures >= MAX_PIN_ATTEMPTS {
        return Err(locked(&row.id));
    }
    Ok(())
}

fn locked(id: &str) -> ApiError {
    ApiError::new(StatusCode::LOCKED, "certificate_locked").param("id", id)
}

/// Opens the key of `row` with `pin`. A wrong PIN counts against the lockout; the fifth locks
/// the key. The attempt is counted before the check, so concurrent guesses cannot exceed it.
pub async fn open(state: &AppState, row: &repo::Certificate, pin: &Pin) -> ApiResult<SigningKey> {
    let pkcs8 = unwrap(state, row, pin).await?;
    SigningKey::from_pkcs8(&pkcs8).map_err(ApiError::internal)
}

/// As [`open`], returning the PKCS#8 bytes (wiped when dropped).
pub async fn unwrap(
    state: &AppState,
    row: &repo::Certificate,
    pin: &Pin,
) -> ApiResult<zeroize::Zeroizing<Vec<u8>>> {
    if !row.pin_protected {
        return Err(ApiError::not_found("certificate_not_found"));
    }
    if row.revoked_at.is_some() {
        return Err(ApiError::conflict("certificate_revoked").param("id", &row.id));
    }
    if row.locked_at.is_some() {
        return Err(locked(&row.id));
    }
    // One PIN check per key at a time on this node: the attempt is reserved in the database
    // before the check (so concurrent guesses never exceed the limit), and without this a
    // burst of correct, concurrent uses of one certificate (an organisation's, say) would
    // fill the reservations and be refused as locked.
    let key_lock = key_lock(&row.key_id);
    let _serial = key_lock.lock().await;
    if !repo::take_pin_attempt(&state.db, &row.key_id, MAX_PIN_ATTEMPTS).await? {
        return Err(locked(&row.id));
    }
    let master = state.master.clone();
    let key_id = row.key_id.clone();
    let wrapped = row.key_wrapped.clone();
    let pin_text = zeroize::Zeroizing::new(pin.expose().to_owned());
    let result = actix_web::web::block(move || {
        keywrap::unwrap_with_pin(&master, &key_id, &pin_text, &wrapped)
    })
    .await?;
    match result {
        Ok(pkcs8) => {
            repo::pin_ok(&state.db, &row.key_id).await?;
            Ok(pkcs8)
        }
        Err(KeyWrapError::WrongPin) => {
            let left =
                repo::pin_wrong(&state.db, &row.key_id, MAX_PIN_ATTEMPTS, Utc::now()).await?;
            tracing::info!(certificate = %row.id, attempts_left = left, "wrong certificate PIN");
            if left == 0 {
                Err(locked(&row.id))
            } else {
                Err(ApiError::new(StatusCode::FORBIDDEN, "wrong_pin")
                    .field("pin")
                    .param("id", &row.id)
                    .param("remaining", left))
            }
        }
        Err(KeyWrapError::Damaged) => Err(ApiError::internal(anyhow::anyhow!(
            "certificate {} key cannot be opened (master key changed?)",
            row.id
        ))),
    }
}

/// Opens every certificate of `rows` with its PIN from `pins` (by certificate id): all PINs
/// are parsed first, then each key is opened once; the first wrong PIN stops it, with
/// nothing signed. 400 `pin_required` names a certificate without a PIN.
pub async fn open_all(
    state: &AppState,
    rows: &std::collections::BTreeMap<String, repo::Certificate>,
    pins: &std::collections::BTreeMap<String, signet_api::PinText>,
) -> ApiResult<std::collections::BTreeMap<String, zeroize::Zeroizing<Vec<u8>>>> {
    let mut parsed = std::collections::BTreeMap::new();
    for id in rows.keys() {
        let text = pins.get(id).ok_or_else(|| {
            ApiError::bad_request("pin_required")
                .field("pins")
                .param("id", id)
        })?;
        parsed.insert(
            id.clone(),
            Pin::parse(text.expose()).map_err(|e| ApiError::from(e).field("pins"))?,
        );
    }
    let mut opened = std::collections::BTreeMap::new();
    for (id, row) in rows {
        let pin = parsed
            .get(id)
            .ok_or_else(|| ApiError::bad_request("pin_required"))?;
        opened.insert(id.clone(), unwrap(state, row, pin).await?);
    }
    Ok(opened)
}
