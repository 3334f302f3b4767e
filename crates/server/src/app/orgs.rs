//! Organisation memberships as the API shows them.

use signet_store::repo::orgs;

pub fn grants_of(m: &orgs::Membership) -> Vec<String> {
    let mut g = Vec::new();
    if m.can_initiate {
        g.push("initiate".to_owned());
    }
    g
}
