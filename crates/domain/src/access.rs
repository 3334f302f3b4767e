//! Who may do what with certificates, seals and the right to initiate. Pure rules: the
//! server gathers the facts (memberships, grants, owners) and asks these functions.

/// Who owns a certificate or a seal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    /// A person (a user id).
    Person(&'a str),
    /// An organisation (an organisation id).
    Org(&'a str),
}

// ---------------------------------------------------------------------------------------------
// Certificates

/// A caller's standing towards one certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertStanding {
    /// The person a personal certificate was issued to.
    Holder,
    /// An admin of the organisation an organisation certificate was issued to.
    OrgAdmin,
    /// A member granted a seal bound to the organisation's certificate: the right to sign
    /// with that seal (a USB key carries its certificate and seal together), nothing more.
    SealGrantee,
}

/// What can be done with a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertAction {
    /// See it (its PEM, chain and state).
    View,
    /// Sign with it, proving the PIN.
    Sign,
    /// Change its PIN.
    ChangePin,
    /// Unlock it, or replace its key under a new PIN, after an SMS check.
    ResetPin,
    /// Renew it (a new certificate for the same key).
    Renew,
    /// Revoke it (keyCompromise revokes every certificate of the key).
    Revoke,
}

/// Whether `standing` allows `action`. Holders and organisation admins manage the
/// certificate; a seal grantee may only see it and sign with it.
pub fn may_use_certificate(standing: CertStanding, action: CertAction) -> bool {
    match standing {
        CertStanding::Holder | CertStanding::OrgAdmin => true,
        CertStanding::SealGrantee => matches!(action, CertAction::View | CertAction::Sign),
    }
}

// ---------------------------------------------------------------------------------------------
// Seals and certificates

/// The seal image a signature shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealChoice<'a> {
    /// A stored seal: its owner, and the certificate it is bound to, if any.
    Stored {
        owner: Owner<'a>,
        bound_to: Option<&'a str>,
    },
    /// A one-off image uploaded with the signing request.
    Uploaded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealMismatch {
    #[error("the seal is bound to another certificate")]
    BoundElsewhere,
    #[error("the seal and the certificate have different owners")]
    OtherOwner,
    #[error("an uploaded seal image may only go with the caller's personal certificate")]
    UploadedNotPersonal,
}

/// One rule for every signing path (direct, external, task step): a seal goes with the
/// certificate it is bound to, or, when unbound, with a certificate of the same owner; an
/// uploaded one-off image signs only with the caller's own personal certificate, so it can
/// never put an organisation's name under a picture of its seal.
pub fn seal_goes_with(
    seal: SealChoice<'_>,
    certificate_id: &str,
    certificate_owner: Owner<'_>,
    caller: &str,
) -> Result<(), SealMismatch> {
    match seal {
        SealChoice::Uploaded => match certificate_owner {
            Owner::Person(p) if p == caller => Ok(()),
            _ => Err(SealMismatch::UploadedNotPersonal),
        },
        SealChoice::Stored {
            bound_to: Some(bound),
            ..
        } if bound != certificate_id => Err(SealMismatch::BoundElsewhere),
        SealChoice::Stored { owner, .. } if owner != certificate_owner => {
            Err(SealMismatch::OtherOwner)
        }
        SealChoice::Stored { .. } => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Initiating

/// A caller's standing in one organisation, as far as initiating goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub admin: bool,
    /// The admin granted 发起权限.
    pub can_initiate: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the caller has not been granted the right to initiate")]
pub struct InitiateDenied;

/// May the caller initiate a task: for an organisation (`membership` in it: an admin, or a
/// member granted `initiate`), or personally (`personal_grant`, given by the operator)?
/// Checked when a task is created, when a draft is started (a grant may have been withdrawn
/// since) and when a task is forwarded.
pub fn may_initiate(
    for_org: bool,
    membership: Option<Membership>,
    personal_grant: bool,
) -> Result<(), InitiateDenied> {
    let ok = if for_org {
        membership.is_some_and(|m| m.admin || m.can_initiate)
    } else {
        personal_grant
    };
    if ok { Ok(()) } else { Err(InitiateDenied) }
}

/// The organisation a forwarded task (转发) belongs to. Forwarding initiates a new task, so
/// the forwarder needs the right to initiate now: the source task's organisation is kept
/// only while the forwarder may still initiate for it (`membership` there); otherwise the
/// forward is personal and needs the personal grant. Returns whether the new task keeps the
/// organisation.
pub fn forward_keeps_org(
    source_has_org: bool,
    membership: Option<Membership>,
    personal_grant: bool,
) -> Result<bool, InitiateDenied> {
    if source_has_org && may_initiate(true, membership, false).is_ok() {
        return Ok(true);
    }
    may_initiate(false, None, personal_grant).map(|()| false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_grantees_sign_but_do_not_manage() {
        use CertAction::*;
        let all = [View, Sign, ChangePin, ResetPin, Renew, Revoke];
        for a in all {
            assert!(may_use_certificate(CertStanding::Holder, a));
            assert!(may_use_certificate(CertStanding::OrgAdmin, a));
        }
        assert!(may_use_certificate(CertStanding::SealGrantee, View));
        assert!(may_use_certificate(CertStanding::SealGrantee, Sign));
        for a in [ChangePin, ResetPin, Renew, Revoke] {
            assert!(!may_use_certificate(CertStanding::SealGrantee, a), "{a:?}");
        }
    }

    #[test]
    fn a_seal_goes_with_its_certificate_or_its_owner() {
        let org = Owner::Org("org_a");
        let me = Owner::Person("usr_me");
        let bound = SealChoice::Stored {
            owner: org,
            bound_to: Some("crt_org"),
        };
        assert_eq!(seal_goes_with(bound, "crt_org", org, "usr_me"), Ok(()));
        // A grantee's personal key under the company seal.
        assert_eq!(
            seal_goes_with(bound, "crt_mine", me, "usr_me"),
            Err(SealMismatch::BoundElsewhere)
        );
        // Another certificate of the same organisation, while the seal is bound: refused.
        assert_eq!(
            seal_goes_with(bound, "crt_org2", org, "usr_me"),
            Err(SealMismatch::BoundElsewhere)
        );
        let unbound = SealChoice::Stored {
            owner: org,
            bound_to: None,
        };
        assert_eq!(seal_goes_with(unbound, "crt_org2", org, "usr_me"), Ok(()));
        assert_eq!(
            seal_goes_with(unbound, "crt_mine", me, "usr_me"),
            Err(SealMismatch::OtherOwner)
        );
        assert_eq!(
            seal_goes_with(unbound, "crt_b", Owner::Org("org_b"), "usr_me"),
            Err(SealMismatch::OtherOwner)
        );
        let personal = SealChoice::Stored {
            owner: me,
            bound_to: None,
        };
        assert_eq!(seal_goes_with(personal, "crt_mine", me, "usr_me"), Ok(()));
        assert_eq!(
            seal_goes_with(personal, "crt_org", org, "usr_me"),
            Err(SealMismatch::OtherOwner)
        );
        // One-off images: the caller's personal certificate only.
        assert_eq!(
            seal_goes_with(SealChoice::Uploaded, "crt_mine", me, "usr_me"),
            Ok(())
        );
        assert_eq!(
            seal_goes_with(SealChoice::Uploaded, "crt_org", org, "usr_me"),
            Err(SealMismatch::UploadedNotPersonal)
        );
        assert_eq!(
            seal_goes_with(
                SealChoice::Uploaded,
                "crt_other",
                Owner::Person("usr_x"),
                "usr_me"
            ),
            Err(SealMismatch::UploadedNotPersonal)
        );
    }

    #[test]
    fn initiating_needs_a_grant_now() {
        let member = Membership {
            admin: false,
            can_initiate: false,
        };
        let granted = Membership {
            can_initiate: true,
            ..member
        };
        let admin = Membership {
            admin: true,
            can_initiate: false,
        };
        assert!(may_initiate(true, Some(admin), false).is_ok());
        assert!(may_initiate(true, Some(granted), false).is_ok());
        assert_eq!(may_initiate(true, Some(member), true), Err(InitiateDenied));
        assert_eq!(may_initiate(true, None, true), Err(InitiateDenied));
        assert!(may_initiate(false, None, true).is_ok());
        assert_eq!(may_initiate(false, Some(admin), false), Err(InitiateDenied));
    }

    #[test]
    fn a_forward_keeps_the_organisation_only_with_the_grant() {
        let granted = Membership {
            admin: false,
            can_initiate: true,
        };
        let lost = Membership {
            admin: false,
            can_initiate: false,
        };
        assert_eq!(forward_keeps_org(true, Some(granted), false), Ok(true));
        // Lost the grant or left: personal, if the operator granted that.
        assert_eq!(forward_keeps_org(true, Some(lost), true), Ok(false));
        assert_eq!(forward_keeps_org(true, None, true), Ok(false));
        assert_eq!(forward_keeps_org(true, None, false), Err(InitiateDenied));
        assert_eq!(forward_keeps_org(false, Some(granted), true), Ok(false));
        assert_eq!(
            forward_keeps_org(false, Some(granted), false),
            Err(InitiateDenied)
        );
    }
}
