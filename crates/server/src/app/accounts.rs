//! Accounts: the stored row of a person whose real identity was verified.

use chrono::{DateTime, Utc};
use signet_domain::identity::IdCardNumber;
use signet_store::repo::users;

use crate::state::AppState;

/// Who registers: names, the ID-card number (sealed under the master key, kept as a blind
/// index for uniqueness and masked for display), phone and password hash.
pub struct Person<'a> {
    pub account_name: &'a str,
    pub real_name: &'a str,
    pub id_card: &'a IdCardNumber,
    pub phone: &'a str,
    pub password_hash: String,
}

/// The ID-card number's blind index (the uniqueness key that does not reveal the number).
pub fn id_card_index(state: &AppState, id_card: &IdCardNumber) -> String {
    state
        .master
        .blind_index("id_card", id_card.expose().as_bytes())
}

/// The row of user `id`, verified at `now`, with no failed logins and no lock.
pub fn verified_user(
    state: &AppState,
    id: String,
    person: Person<'_>,
    now: DateTime<Utc>,
) -> users::User {
    users::User {
        id_card_sealed: state.master.seal(
            "id_card",
            id.as_bytes(),
            person.id_card.expose().as_bytes(),
        ),
        id_card_index: id_card_index(state, person.id_card),
        id_card_masked: person.id_card.masked(),
        id,
        account_name: person.account_name.to_owned(),
        real_name: person.real_name.to_owned(),
        phone: person.phone.to_owned(),
        password_hash: person.password_hash,
        real_name_verified_at: Some(now),
        failed_logins: 0,
        failure_window_start: None,
        locked_until: None,
        created_at: now,
        updated_at: now,
    }
}
