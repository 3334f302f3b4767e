//! Real-name registration, with the seed's fields: 账号, 姓名, 身份证号码, 密码, 确认密码,
//! 手机号码, 验证码 (image), 短信验证码, and acceptance of 用户协议 and 隐私政策.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use signet_api::{AcceptedAgreement, AgreementList, Me, RegisterRequest};

use super::{Captcha, CaptchaField, Field, Messages, SmsCodeField};
use crate::api;
use crate::i18n::{t, tr};
use crate::session::use_session;

#[component]
pub fn Register() -> impl IntoView {
    let lang = use_session().lang;
    let account = RwSignal::new(String::new());
    let real_name = RwSignal::new(String::new());
    let id_card = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let password2 = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let agreed = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let captcha = Captcha::new();
    let navigate = use_navigate();

    let agreements = LocalResource::new(move || {
        let l = lang.get();
        async move {
            api::get::<AgreementList>("/api/v1/agreements", l, None)
                .await
                .map(|a| a.items)
                .unwrap_or_default()
        }
    });

    let reset = move |_| {
        for s in [
            account, real_name, id_card, password, password2, phone, code,
        ] {
            s.set(String::new());
        }
        agreed.set(false);
        error.set(None);
        notice.set(None);
        captcha.refresh();
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        if password.get_untracked() != password2.get_untracked() {
            error.set(Some(t(l, "passwords_differ").into()));
            return;
        }
        if !agreed.get_untracked() {
            error.set(Some(t(l, "must_agree").into()));
            return;
        }
        let accepted: Vec<AcceptedAgreement> = agreements
            .get_untracked()
            .unwrap_or_default()
            .iter()
            .map(|a| AcceptedAgreement {
                kind: a.kind.clone(),
                version: a.version,
            })
            .collect();
        let body = RegisterRequest {
            account_name: account.get_untracked(),
            real_name: real_name.get_untracked(),
            id_card_number: id_card.get_untracked(),
            password: password.get_untracked(),
            phone: phone.get_untracked(),
            sms_code: code.get_untracked(),
            agreements: accepted,
        };
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let res = api::post::<_, Me>("/api/v1/auth/register", &body, l, None).await;
            busy.set(false);
            match res {
                Ok(_) => navigate("/login?registered=1", Default::default()),
                Err(e) => {
                    notice.set(None);
                    error.set(Some(e.message));
                }
            }
        });
    };

    view! {
        <main>
            <div class="title-row">
                <h1>{tr("register_title")}</h1>
                // The seed's 取消注册: leave the form for the login page.
                <A href="/login" attr:id="cancel-register" attr:class="link">{tr("cancel_register")}</A>
            </div>
            <form on:submit=submit>
                <Field id="account_name" label="account" placeholder="account_ph" value=account/>
                <Field id="real_name" label="real_name" placeholder="real_name_ph" value=real_name/>
                <Field id="id_card_number" label="id_card" placeholder="id_card_ph" value=id_card/>
                <Field id="password" label="password" placeholder="password_ph" value=password kind="password"/>
                <Field id="password2" label="password2" placeholder="password2_ph" value=password2 kind="password"/>
                <Field id="phone" label="phone" placeholder="phone_ph" value=phone kind="tel"/>
                <CaptchaField captcha=captcha/>
                <SmsCodeField code=code phone=phone purpose="register" captcha=captcha error=error notice=notice/>
                <p>
                    <label class="row">
                        <input type="checkbox" id="agree" bind:checked=agreed/>
                        <span>
                            {tr("agree_prefix")}" "
                                {move || agreements.get().map(|items| {
                                    let n = items.len();
                                    items.into_iter().enumerate().map(|(i, a)| view! {
                                        <a href=format!("/agreements/{}/{}", a.kind, a.version) target="_blank">"《"{a.title.clone()}"》"</a>
                                        {if i + 2 == n { Some(view! { " " {tr("and")} " " }) } else { None }}
                                    }).collect_view()
                                })}
                        </span>
                    </label>
                </p>
                <Messages error=error notice=notice/>
                <div class="actions">
                    <button type="submit" id="register-submit" disabled=move || busy.get()>{tr("confirm")}</button>
                    <button type="button" class="secondary" on:click=reset>{tr("reset")}</button>
                </div>
            </form>
            <p class="muted"><A href="/login">{tr("have_account")}</A></p>
        </main>
    }
}
