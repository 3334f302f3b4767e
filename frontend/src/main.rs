//! Signet's user panel (Leptos 0.8, client-side rendered). Talks to the API over HTTP only,
//! with the request and response types of `signet-api`.

mod api;
mod fmt;
mod i18n;
mod keyfile;
mod pages;
mod session;
mod wizard;

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::i18n::{Lang, tr};
use crate::session::{Session, use_session};

fn main() {
    // No panic hook: the panel is built with `panic = "abort"` and within its size budget,
    // so a panic shows as a wasm trap in the console (the e2e tests fail on any).
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let session = Session::load();
    provide_context(session);
    view! {
        <Router>
            <TopBar/>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=pages::home::Home/>
                <Route path=path!("/login") view=pages::login::Login/>
                <Route path=path!("/register") view=pages::register::Register/>
                <Route path=path!("/password/reset") view=pages::login::ForgotPassword/>
                <Route path=path!("/agreements/:kind/:version") view=pages::agreement::AgreementPage/>
                <Route path=path!("/initiate") view=pages::initiate::InitiatePage/>
                <Route path=path!("/tasks/:id") view=pages::viewer::Viewer/>
                <Route path=path!("/account/password") view=pages::account::ChangePasswordPage/>
                <Route path=path!("/certificates") view=pages::certificates::CertificatesPage/>
                <Route path=path!("/seals") view=pages::seals::SealsPage/>
                <Route path=path!("/orgs") view=pages::orgs::OrgsPage/>
                <Route path=path!("/verify") view=pages::verify::Verify/>
                <Route path=path!("/verify/:code") view=pages::verify::VerifyCode/>
            </Routes>
            <Footer/>
        </Router>
    }
}

#[component]
fn TopBar() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    // The support line (客服电话), when the installation names one.
    let settings = LocalResource::new(move || async move {
        api::get::<signet_api::PublicSettings>("/api/v1/settings", lang.get_untracked(), None)
            .await
            .ok()
            .and_then(|s| s.support_phone)
    });
    let toggle = move |_| {
        let next = if lang.get() == Lang::Zh {
            Lang::En
        } else {
            Lang::Zh
        };
        s.set_lang(next);
    };
    view! {
        <header class="top">
            <A href="/" attr:class="brand">{tr("app_name")}</A>
            <nav>
                {move || settings.get().flatten().map(|phone| view! {
                    <span class="support" id="support-phone">{tr("support_phone")}" "{phone}</span>
                })}
                <A href="/verify" attr:id="nav-verify">{tr("verify_nav")}</A>
                <Show when=move || s.tokens.with(Option::is_some)>
                    <pages::account::AccountMenu/>
                </Show>
                <button class="secondary" id="lang-switch" on:click=toggle>
                    {tr("lang_switch")}
                </button>
            </nav>
        </header>
    }
}

#[component]
fn Footer() -> impl IntoView {
    view! { <footer>{tr("copyright")}</footer> }
}

#[component]
fn NotFound() -> impl IntoView {
    view! { <main><h1>{tr("not_found")}</h1></main> }
}
