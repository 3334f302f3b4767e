//! Organisation roles, grants and the rules for who may change what.

use serde::{Deserialize, Serialize};

crate::closed_set! {
    pub enum Role (example = "admin") {
        Admin = "admin",
        Member = "member",
    }
}

crate::closed_set! {
    /// An invitation to join an organisation: open until answered, withdrawn or past its
    /// expiry time.
    pub enum InvitationStatus (example = "pending") {
        Pending = "pending",
        Accepted = "accepted",
        Declined = "declined",
        Revoked = "revoked",
    }
}

crate::closed_set! {
    /// What a seal is (印章类型): a person's signature seal, an organisation's company seal
    /// (公章) or its contract seal (合同专用章).
    pub enum SealType (example = "company") {
        Personal = "personal",
        Company = "company",
        Contract = "contract",
    }
}

/// Rights an admin grants to members. `Initiate` is the seed platform's 发起权限.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    Initiate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrgRuleError {
    #[error("only an organisation admin may do this")]
    NotAdmin,
    #[error("the organisation must keep at least one admin")]
    LastAdmin,
}

/// Only admins manage members, roles, grants and invitations.
pub fn require_admin(actor: Role) -> Result<(), OrgRuleError> {
    match actor {
        Role::Admin => Ok(()),
        Role::Member => Err(OrgRuleError::NotAdmin),
    }
}

/// Changing `target`'s role from `from` to `to` must leave at least one admin.
pub fn check_role_change(
    actor: Role,
    from: Role,
    to: Role,
    admins: u64,
) -> Result<(), OrgRuleError> {
    require_admin(actor)?;
    if from == Role::Admin && to != Role::Admin && admins <= 1 {
        return Err(OrgRuleError::LastAdmin);
    }
    Ok(())
}

/// Removing a member with `role` must leave at least one admin.
pub fn check_removal(actor: Role, role: Role, admins: u64) -> Result<(), OrgRuleError> {
    require_admin(actor)?;
    if role == Role::Admin && admins <= 1 {
        return Err(OrgRuleError::LastAdmin);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage() {
        assert_eq!(require_admin(Role::Admin), Ok(()));
        assert_eq!(require_admin(Role::Member), Err(OrgRuleError::NotAdmin));
    }

    #[test]
    fn last_admin_stays() {
        assert_eq!(
            check_role_change(Role::Admin, Role::Admin, Role::Member, 1),
            Err(OrgRuleError::LastAdmin)
        );
        assert_eq!(
            check_role_change(Role::Admin, Role::Admin, Role::Member, 2),
            Ok(())
        );
        assert_eq!(
            check_role_change(Role::Member, Role::Member, Role::Admin, 1),
            Err(OrgRuleError::NotAdmin)
        );
        assert_eq!(
            check_removal(Role::Admin, Role::Admin, 1),
            Err(OrgRuleError::LastAdmin)
        );
        assert_eq!(check_removal(Role::Admin, Role::Member, 1), Ok(()));
    }

    #[test]
    fn roles_round_trip() {
        for r in [Role::Admin, Role::Member] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
