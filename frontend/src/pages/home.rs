//! The logged-in home: who you are and your organisations. Protected: without a session it
//! sends you to the login page. (The three task lists come with the signing-tasks issue.)

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use signet_api::{Me, RefreshRequest, TokenPair};

use crate::api::{self, ApiErr};
use crate::i18n::{Lang, t};
use crate::session::{Session, use_session};

/// GET with the access token, refreshing it once when it has expired.
async fn get_me(s: Session, lang: Lang) -> Result<Me, ApiErr> {
    let token = s.access_token();
    match api::get::<Me>("/api/v1/me", lang, token.as_deref()).await {
        Err(e) if e.code == "invalid_token" => {
            let refresh = s
                .tokens
                .get_untracked()
                .map(|p| p.refresh_token)
                .unwrap_or_default();
            let pair: TokenPair = api::post(
                "/api/v1/auth/refresh",
                &RefreshRequest {
                    refresh_token: refresh,
                },
                lang,
                None,
            )
            .await?;
            s.log_in(pair);
            api::get::<Me>("/api/v1/me", lang, s.access_token().as_deref()).await
        }
        other => other,
    }
}

#[component]
pub fn Home() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let navigate = use_navigate();
    let me = RwSignal::new(None::<Me>);
    let error = RwSignal::new(None::<String>);

    if s.tokens.get_untracked().is_none() {
        navigate("/login", Default::default());
    } else {
        let navigate = navigate.clone();
        spawn_local(async move {
            match get_me(s, lang.get_untracked()).await {
                Ok(m) => me.set(Some(m)),
                Err(e) if e.code != "network_error" => {
                    s.log_out();
                    navigate("/login", Default::default());
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    }

    let logout = move |_| {
        let token = s.access_token();
        let l = lang.get_untracked();
        let navigate = navigate.clone();
        spawn_local(async move {
            let _ = api::post_empty(
                "/api/v1/auth/logout",
                &serde_json::json!({}),
                l,
                token.as_deref(),
            )
            .await;
            s.log_out();
            navigate("/login", Default::default());
        });
    };

    view! {
        <main class="wide">
            <Show when=move || me.get().is_some() fallback=move || view! {
                <p class="muted">{move || error.get().unwrap_or_else(|| t(lang.get(), "loading").into())}</p>
            }>
                {move || me.get().map(|m| view! {
                    <h1 id="welcome">{move || t(lang.get(), "welcome")}", "{m.real_name.clone()}</h1>
                    <p>
                        <span id="account">{m.account_name.clone()}</span>" · "
                        <span id="id-card">{m.id_card_masked.clone()}</span>" · "
                        <span>{m.phone_masked.clone()}</span>" · "
                        <span>{move || t(lang.get(), if m.real_name_verified { "verified" } else { "not_verified" })}</span>
                    </p>
                    <h2>{move || t(lang.get(), "orgs")}</h2>
                    {if m.organizations.is_empty() {
                        view! { <p class="muted">{move || t(lang.get(), "none")}</p> }.into_any()
                    } else {
                        view! {
                            <table>
                                <thead><tr>
                                    <th>{move || t(lang.get(), "orgs")}</th>
                                    <th>{move || t(lang.get(), "role")}</th>
                                    <th>{move || t(lang.get(), "grants")}</th>
                                </tr></thead>
                                <tbody>
                                    {m.organizations.iter().map(|o| {
                                        let role = o.role.as_str();
                                        let can = o.grants.iter().any(|g| g == "initiate");
                                        view! { <tr>
                                            <td>{o.org_name.clone()}</td>
                                            <td>{move || t(lang.get(), role)}</td>
                                            <td>{move || if can { t(lang.get(), "initiate") } else { t(lang.get(), "none") }}</td>
                                        </tr> }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                })}
                <div class="actions">
                    <button type="button" id="logout" class="secondary" on:click=logout.clone()>{move || t(lang.get(), "logout")}</button>
                </div>
            </Show>
        </main>
    }
}
