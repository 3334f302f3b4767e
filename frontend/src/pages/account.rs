//! The account menu of the signed-in header and the change-password page (修改密码).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use signet_api::{ChangePassword, TokenPair};

use super::{Field, Messages};
use crate::api;
use crate::i18n::{label, t, tr};
use crate::session::use_session;

/// Where the visitor is: 主页 first, then the given steps (the last one is the current page).
#[component]
pub fn Breadcrumbs(#[prop(into)] steps: Vec<(Option<String>, Signal<String>)>) -> impl IntoView {
    view! {
        <nav class="breadcrumbs" aria-label="breadcrumbs">
            <A href="/">{tr("home")}</A>
            {steps.into_iter().map(|(href, label)| view! {
                " / "
                {match href {
                    Some(href) => view! { <A href=href>{label}</A> }.into_any(),
                    None => view! { <span aria-current="page">{label}</span> }.into_any(),
                }}
            }).collect_view()}
        </nav>
    }
}

/// Ends the login on the server (its tokens stop working), forgets it here and goes to the
/// login page.
pub fn logout() -> impl Fn() + Clone {
    let s = use_session();
    let navigate = use_navigate();
    move || {
        let token = s.access_token();
        let l = s.lang.get_untracked();
        let navigate = navigate.clone();
        spawn_local(async move {
            let _ = api::post_empty(
                "/api/v1/auth/logout",
                &crate::api::Empty {},
                l,
                token.as_deref(),
            )
            .await;
            s.log_out();
            navigate("/login", Default::default());
        });
    }
}

/// The signed-in user's menu: home, change password, log out.
#[component]
pub fn AccountMenu() -> impl IntoView {
    let open = RwSignal::new(false);
    let log_out = logout();
    let logout = move |_| {
        open.set(false);
        log_out();
    };
    view! {
        <div class="account-menu">
            <button type="button" class="secondary" id="account-menu" aria-haspopup="menu"
                aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                {tr("my_account")}
            </button>
            <Show when=move || open.get()>
                <div class="menu" role="menu">
                    <A href="/" attr:role="menuitem" on:click=move |_| open.set(false)>{tr("home")}</A>
                    <A href="/certificates" attr:role="menuitem" attr:id="menu-certificates" on:click=move |_| open.set(false)>{tr("certificates")}</A>
                    <A href="/seals" attr:role="menuitem" attr:id="menu-seals" on:click=move |_| open.set(false)>{tr("seals")}</A>
                    <A href="/orgs" attr:role="menuitem" attr:id="menu-orgs" on:click=move |_| open.set(false)>{tr("orgs_title")}</A>
                    <A href="/account/password" attr:role="menuitem" attr:id="menu-password" on:click=move |_| open.set(false)>{tr("change_password")}</A>
                    <button type="button" role="menuitem" class="link" id="menu-logout" on:click=logout.clone()>{tr("logout")}</button>
                </div>
            </Show>
        </div>
    }
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    super::home::require_login();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        if new.get_untracked() != again.get_untracked() {
            error.set(Some(t(l, "passwords_differ").into()));
            return;
        }
        busy.set(true);
        let body = ChangePassword {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        let token = s.access_token();
        spawn_local(async move {
            let res =
                api::post::<_, TokenPair>("/api/v1/me/password", &body, l, token.as_deref()).await;
            busy.set(false);
            match res {
                // Every other login of the account has ended; this one goes on.
                Ok(pair) => {
                    s.log_in(pair);
                    error.set(None);
                    notice.set(Some(t(l, "password_changed").into()));
                    current.set(String::new());
                    new.set(String::new());
                    again.set(String::new());
                }
                Err(e) => {
                    notice.set(None);
                    error.set(Some(e.message));
                }
            }
        });
    };
    let title = label("change_password");
    view! {
        <main>
            <Breadcrumbs steps=vec![(None, title)]/>
            <h1>{tr("change_password")}</h1>
            <form on:submit=submit>
                <Field id="current_password" label="current_password" placeholder="current_password_ph" value=current kind="password"/>
                <Field id="new_password" label="new_password" placeholder="password_ph" value=new kind="password"/>
                <Field id="new_password2" label="password2" placeholder="password2_ph" value=again kind="password"/>
                <p class="muted">{tr("password_change_hint")}</p>
                <Messages error=error notice=notice/>
                <div class="actions">
                    <button type="submit" id="password-submit" disabled=move || busy.get()>{tr("confirm")}</button>
                </div>
            </form>
        </main>
    }
}
