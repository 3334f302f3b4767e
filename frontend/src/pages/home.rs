//! The logged-in home (主页): who you are, your organisations and your task lists. Protected:
//! without a session it sends you to the login page, and back here afterwards.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};
use signet_api::Me;

use crate::api;
use crate::i18n::{t, tr};
use crate::session::use_session;

/// Sends the visitor to the login page, and back to this page (path and query) after logging
/// in: for a signed-out visitor and for a session that could not be refreshed.
pub fn login_redirect() -> impl Fn() + Clone {
    let navigate = use_navigate();
    let location = use_location();
    move || {
        let search = location.search.get_untracked();
        let search = search.trim_start_matches('?');
        let path = location.pathname.get_untracked();
        let here = if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        };
        let next = String::from(js_sys::encode_uri_component(&here));
        navigate(&format!("/login?next={next}"), Default::default());
    }
}

/// The guard of a protected page: a signed-out visitor goes to the login page and comes back
/// here afterwards.
pub fn require_login() {
    if use_session().tokens.get_untracked().is_none() {
        login_redirect()();
    }
}

#[component]
pub fn Home() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let me = RwSignal::new(None::<Me>);
    let error = RwSignal::new(None::<String>);

    let to_login = login_redirect();
    if s.tokens.get_untracked().is_none() {
        to_login();
    } else {
        spawn_local(async move {
            match api::authed_get::<Me>(s, "/api/v1/me").await {
                Ok(m) => me.set(Some(m)),
                Err(e) if e.code != "network_error" => {
                    s.log_out();
                    to_login();
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    }

    let log_out = super::account::logout();
    let logout = move |_| log_out();

    view! {
        <main class="wide">
            <Show when=move || me.get().is_some() fallback=move || view! {
                <p class="muted">{move || error.get().unwrap_or_else(|| t(lang.get(), "loading").into())}</p>
            }>
                {move || me.get().map(|m| view! {
                    <h1 id="welcome">{tr("welcome")}", "{m.real_name.clone()}</h1>
                    <p>
                        <span id="account">{m.account_name.clone()}</span>" · "
                        <span id="id-card">{m.id_card_masked.clone()}</span>" · "
                        <span>{m.phone_masked.clone()}</span>" · "
                        <span>{move || t(lang.get(), if m.real_name_verified { "verified" } else { "not_verified" })}</span>
                    </p>
                    <h2>{tr("orgs")}</h2>
                    {if m.organizations.is_empty() {
                        view! { <p class="muted">{tr("none")}</p> }.into_any()
                    } else {
                        view! {
                            <table>
                                <thead><tr>
                                    <th>{tr("orgs")}</th>
                                    <th>{tr("role")}</th>
                                    <th>{tr("grants")}</th>
                                </tr></thead>
                                <tbody>
                                    {m.organizations.iter().map(|o| {
                                        let role = o.role.as_str();
                                        let can = o.grants.iter().any(|g| g == "initiate");
                                        view! { <tr>
                                            <td>{o.org_name.clone()}</td>
                                            <td>{tr(role)}</td>
                                            <td>{move || if can { t(lang.get(), "initiate") } else { t(lang.get(), "none") }}</td>
                                        </tr> }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                })}
                <div class="actions">
                    <Show when=move || me.with(|m| m.as_ref().is_some_and(|m| {
                        m.may_initiate_personally || m.organizations.iter().any(|o| o.may_initiate)
                    }))>
                        <A href="/initiate" attr:class="button" attr:id="start-initiate">{tr("start_initiate")}</A>
                    </Show>
                    <button type="button" id="logout" class="secondary" on:click=logout.clone()>{tr("logout")}</button>
                </div>
                <super::tasks::TaskBoard/>
            </Show>
        </main>
    }
}
