//! The panel's pages and the widgets they share.

pub mod account;
pub mod agreement;
pub mod certificates;
pub mod certlogin;
pub mod home;
pub mod initiate;
pub mod login;
pub mod orgs;
pub mod register;
pub mod seals;
pub mod tasks;
pub mod verify;
pub mod viewer;

use leptos::prelude::*;
use leptos::task::spawn_local;
use signet_api::{CaptchaChallenge, SendSmsCode, SmsCodeSent};

use crate::api;
use crate::i18n::{t, tr};
use crate::session::use_session;

/// Text input bound to a signal.
#[component]
pub fn Field(
    id: &'static str,
    label: &'static str,
    placeholder: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    view! {
        <label for=id><span class="req">"*"</span>{tr(label)}</label>
        <input id=id name=id type=kind placeholder=tr(placeholder) bind:value=value/>
    }
}

/// Image captcha: shows the picture, refreshes on click, holds id + typed answer.
#[derive(Clone, Copy)]
pub struct Captcha {
    pub id: RwSignal<String>,
    pub image: RwSignal<String>,
    pub answer: RwSignal<String>,
}

impl Captcha {
    pub fn new() -> Self {
        let c = Self {
            id: RwSignal::new(String::new()),
            image: RwSignal::new(String::new()),
            answer: RwSignal::new(String::new()),
        };
        c.refresh();
        c
    }

    pub fn refresh(self) {
        let lang = use_session().lang.get_untracked();
        spawn_local(async move {
            if let Ok(ch) = api::post::<_, CaptchaChallenge>(
                "/api/v1/captcha",
                &crate::api::Empty {},
                lang,
                None,
            )
            .await
            {
                self.id.set(ch.captcha_id);
                self.image.set(ch.image);
                self.answer.set(String::new());
            }
        });
    }
}

#[component]
pub fn CaptchaField(captcha: Captcha) -> impl IntoView {
    view! {
        <label for="captcha"><span class="req">"*"</span>{tr("captcha")}</label>
        <div class="row captcha">
            <input id="captcha" name="captcha" type="text" autocomplete="off"
                placeholder=tr("captcha_ph") bind:value=captcha.answer/>
            <img id="captcha-image" alt="captcha" data-captcha-id=move || captcha.id.get()
                src=move || captcha.image.get() on:click=move |_| captcha.refresh()/>
            <button type="button" class="secondary" on:click=move |_| captcha.refresh()>
                {tr("captcha_refresh")}
            </button>
        </div>
    }
}

/// The SMS code input with its "send code" button.
#[component]
pub fn SmsCodeField(
    code: RwSignal<String>,
    phone: RwSignal<String>,
    purpose: &'static str,
    captcha: Captcha,
    error: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <label for="sms_code"><span class="req">"*"</span>{tr("sms_code")}</label>
        <div class="row">
            <input id="sms_code" name="sms_code" type="text" inputmode="numeric" maxlength="6"
                placeholder=tr("sms_code_ph") bind:value=code/>
            <SendCodeButton phone=phone purpose=purpose captcha=captcha error=error notice=notice/>
        </div>
    }
}

/// "Send code" button with the 60-second countdown; reports errors and notices.
#[component]
pub fn SendCodeButton(
    phone: RwSignal<String>,
    purpose: &'static str,
    captcha: Captcha,
    error: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let lang = use_session().lang;
    let countdown = RwSignal::new(0u32);
    let send = move |_: leptos::ev::MouseEvent| {
        let body = SendSmsCode {
            phone: phone.get_untracked(),
            purpose: purpose.into(),
            captcha_id: captcha.id.get_untracked(),
            captcha_answer: captcha.answer.get_untracked(),
        };
        let l = lang.get_untracked();
        spawn_local(async move {
            match api::post::<_, SmsCodeSent>("/api/v1/sms/send", &body, l, None).await {
                Ok(sent) => {
                    error.set(None);
                    notice.set(Some(t(l, "code_sent").into()));
                    countdown.set(sent.resend_after as u32);
                    tick(countdown);
                }
                Err(e) => {
                    notice.set(None);
                    error.set(Some(e.message));
                }
            }
            // The captcha is single use: show a fresh one either way.
            captcha.refresh();
        });
    };
    view! {
        <button type="button" id="send-code" class="secondary" disabled=move || { countdown.get() > 0 } on:click=send>
            {move || {
                let n = countdown.get();
                if n > 0 { format!("{n} {}", t(lang.get(), "resend_in")) } else { t(lang.get(), "send_code").to_owned() }
            }}
        </button>
    }
}

fn tick(countdown: RwSignal<u32>) {
    set_timeout(
        move || {
            // The page may have been left since: a disposed signal ends the countdown.
            if let Some(n) = countdown.try_get_untracked()
                && n > 0
            {
                countdown.try_set(n - 1);
                tick(countdown);
            }
        },
        std::time::Duration::from_secs(1),
    );
}

#[component]
pub fn Messages(
    error: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <Show when=move || error.get().is_some()>
            <div class="error" role="alert">{move || error.get().unwrap_or_default()}</div>
        </Show>
        <Show when=move || notice.get().is_some()>
            <div class="notice" role="status">{move || notice.get().unwrap_or_default()}</div>
        </Show>
    }
}

/// What a resource shows until it has answered. With [`failed`], the two other arms of a
/// `move || match resource.get() { … }`: a plain reactive closure, where `<Suspense>` with an
/// async `Suspend` in it would compile a future of its own into the wasm at every use.
pub fn loading() -> AnyView {
    view! { <p class="muted">{crate::i18n::tr("loading")}</p> }.into_any()
}

/// A failed resource: the server's message.
pub fn failed(e: crate::api::ApiErr) -> AnyView {
    view! { <div class="error" role="alert">{e.message}</div> }.into_any()
}

/// Where a page's changes end: a notice (kept as its text key, so it follows the language
/// switch) and the page's data read again (`version`), or the server's message.
#[derive(Clone, Copy)]
pub struct Outcome {
    pub done: RwSignal<Option<&'static str>>,
    pub notice: RwSignal<Option<String>>,
    pub error: RwSignal<Option<String>>,
    pub version: RwSignal<u32>,
}

impl Outcome {
    pub fn new() -> Self {
        let lang = use_session().lang;
        let out = Self {
            done: RwSignal::new(None),
            notice: RwSignal::new(None),
            error: RwSignal::new(None),
            version: RwSignal::new(0),
        };
        Effect::new(move |_| {
            out.notice
                .set(out.done.get().map(|k| t(lang.get(), k).to_owned()))
        });
        out
    }
    pub fn ok(self, key: &'static str) {
        self.error.set(None);
        self.done.set(Some(key));
        self.version.update(|v| *v += 1);
    }
    pub fn failed(self, message: String) {
        self.done.set(None);
        self.error.set(Some(message));
    }
    pub fn of<T>(self, r: Result<T, crate::api::ApiErr>, key: &'static str) {
        match r {
            Ok(_) => self.ok(key),
            Err(e) => self.failed(e.message),
        }
    }
}
