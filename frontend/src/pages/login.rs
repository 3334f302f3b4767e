//! Login: account or phone + password, or phone + SMS code (the seed's 账号密码登录 and
//! 手机验证码登录), and 忘记密码 (a new password after an SMS code).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use signet_api::{PasswordLogin, ResetPassword, SmsLogin, TokenPair};

use super::{Captcha, CaptchaField, Field, Messages, SmsCodeField};
use crate::api;
use crate::i18n::{t, tr};
use crate::session::use_session;

#[component]
pub fn Login() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let by_sms = RwSignal::new(false);
    let by_cert = RwSignal::new(false);
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let captcha = Captcha::new();
    let navigate = use_navigate();
    let query = use_query_map();
    if query.get_untracked().get("registered").is_some() {
        notice.set(Some(t(lang.get_untracked(), "registered").into()));
    }
    if query.get_untracked().get("reset").is_some() {
        notice.set(Some(t(lang.get_untracked(), "password_was_reset").into()));
    }

    let on_cert_login = {
        let navigate = navigate.clone();
        Callback::new(move |pair: TokenPair| {
            s.log_in(pair);
            navigate(
                &next_page(query.try_get_untracked().and_then(|q| q.get("next"))),
                Default::default(),
            );
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let l = lang.get_untracked();
        let navigate = navigate.clone();
        spawn_local(async move {
            let res = if by_sms.get_untracked() {
                let body = SmsLogin {
                    phone: phone.get_untracked(),
                    sms_code: code.get_untracked(),
                };
                api::post::<_, TokenPair>("/api/v1/auth/login/sms", &body, l, None).await
            } else {
                let body = PasswordLogin {
                    login: login.get_untracked(),
                    password: password.get_untracked(),
                };
                api::post::<_, TokenPair>("/api/v1/auth/login", &body, l, None).await
            };
            busy.set(false);
            match res {
                Ok(pair) => {
                    s.log_in(pair);
                    navigate(
                        &next_page(query.get_untracked().get("next")),
                        Default::default(),
                    );
                }
                Err(e) => {
                    notice.set(None);
                    error.set(Some(e.message));
                }
            }
        });
    };

    view! {
        <main>
            <h1>{tr("login_title")}</h1>
            <div class="tabs">
                <button type="button" id="tab-password" class:active=move || !by_sms.get() && !by_cert.get()
                    on:click=move |_| { by_sms.set(false); by_cert.set(false); error.set(None); }>
                    {tr("tab_password")}
                </button>
                <button type="button" id="tab-sms" class:active=move || by_sms.get()
                    on:click=move |_| { by_sms.set(true); by_cert.set(false); error.set(None); }>
                    {tr("tab_sms")}
                </button>
                <button type="button" id="tab-cert" class:active=move || by_cert.get()
                    on:click=move |_| { by_sms.set(false); by_cert.set(true); error.set(None); }>
                    {tr("tab_cert")}
                </button>
            </div>
            <Show when=move || by_cert.get()>
                <super::certlogin::CertLoginForm on_login=on_cert_login/>
            </Show>
            <form on:submit=submit class:hidden=move || by_cert.get()>
                <Show when=move || !by_sms.get() fallback=move || view! {
                    <Field id="phone" label="phone" placeholder="phone_ph" value=phone kind="tel"/>
                    <CaptchaField captcha=captcha/>
                    <SmsCodeField code=code phone=phone purpose="login" captcha=captcha error=error notice=notice/>
                }>
                    <Field id="login" label="account" placeholder="login_ph" value=login/>
                    <Field id="password" label="password" placeholder="password_ph" value=password kind="password"/>
                </Show>
                <Messages error=error notice=notice/>
                <div class="actions">
                    <button type="submit" id="login-submit" disabled=move || busy.get()>{tr("login")}</button>
                </div>
            </form>
            <p class="muted links">
                <A href="/register">{tr("no_account")}</A>
                <A href="/password/reset" attr:id="forgot-password">{tr("forgot_password")}</A>
            </p>
        </main>
    }
}

/// 忘记密码: a new password after the phone, the image captcha and an SMS code (purpose
/// `reset_password`); every login of the account ends, and the user logs in again.
#[component]
pub fn ForgotPassword() -> impl IntoView {
    let lang = use_session().lang;
    let phone = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let password2 = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let captcha = Captcha::new();
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        if password.get_untracked() != password2.get_untracked() {
            error.set(Some(t(l, "passwords_differ").into()));
            return;
        }
        let body = ResetPassword {
            phone: phone.get_untracked().trim().to_owned(),
            sms_code: code.get_untracked().trim().to_owned(),
            new_password: password.get_untracked(),
        };
        let navigate = navigate.clone();
        busy.set(true);
        spawn_local(async move {
            let r = api::post_empty("/api/v1/auth/password/reset", &body, l, None).await;
            busy.set(false);
            match r {
                Ok(()) => navigate("/login?reset=1", Default::default()),
                Err(e) => {
                    notice.set(None);
                    error.set(Some(e.message));
                }
            }
        });
    };
    view! {
        <main>
            <h1>{tr("forgot_password_title")}</h1>
            <form on:submit=submit>
                <Field id="phone" label="phone" placeholder="phone_ph" value=phone kind="tel"/>
                <CaptchaField captcha=captcha/>
                <SmsCodeField code=code phone=phone purpose="reset_password" captcha=captcha error=error notice=notice/>
                <Field id="password" label="new_password" placeholder="password_ph" value=password kind="password"/>
                <Field id="password2" label="password2" placeholder="password2_ph" value=password2 kind="password"/>
                <Messages error=error notice=notice/>
                <div class="actions">
                    <button type="submit" id="reset-submit" disabled=move || busy.get()>{tr("confirm")}</button>
                </div>
            </form>
            <p class="muted"><A href="/login">{tr("back_to_login")}</A></p>
        </main>
    }
}

/// Where to go after logging in: the protected page that sent the visitor here (a path of
/// this site only), else the home page.
fn next_page(next: Option<String>) -> String {
    next.filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.contains('\\'))
        .unwrap_or_else(|| "/".into())
}
