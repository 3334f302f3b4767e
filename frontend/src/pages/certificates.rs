//! 我的证书: the certificates the user holds or may use — algorithm, holder, validity, status
//! and PIN attempts left — with issuing a personal certificate (P-256 or SM2, PIN twice),
//! changing a PIN, renewing (with the PIN) and revoking with a reason.

use leptos::prelude::*;
use leptos::task::spawn_local;
use signet_api::{
    CertificateList, CertificateView, ChangePin, CreateCertificate, PinProof, PinReset, PinText,
    RevokeCertificate,
};

use super::account::Breadcrumbs;
use super::{Captcha, CaptchaField, Field, Messages, SmsCodeField};
use crate::api::{self, Method};
use crate::i18n::{label, t, tr};
use crate::session::use_session;

const REASONS: [&str; 6] = [
    "unspecified",
    "keyCompromise",
    "affiliationChanged",
    "superseded",
    "cessationOfOperation",
    "privilegeWithdrawn",
];

fn day(t: chrono::DateTime<chrono::Utc>) -> String {
    crate::fmt::local_day(t)
}

#[component]
pub fn CertificatesPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    super::home::require_login();
    let version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.track();
        async move { api::authed_get::<CertificateList>(s, "/api/v1/certificates").await }
    });
    // The row form that is open, and what is typed in it: kept here, so reading the list
    // again (after any change) rebuilds the rows without closing the form or losing input.
    let form = RowForm {
        open: RwSignal::new(None),
        old_pin: RwSignal::new(String::new()),
        new_pin: RwSignal::new(String::new()),
        new_pin2: RwSignal::new(String::new()),
        reason: RwSignal::new("unspecified".to_owned()),
    };
    let error = RwSignal::new(None::<String>);
    // The notice is kept as its text's key, so it follows the language switch.
    let done = RwSignal::new(None::<&'static str>);
    let notice = RwSignal::new(None::<String>);
    Effect::new(move |_| notice.set(done.get().map(|k| t(lang.get(), k).to_owned())));
    let reload = move |message: &'static str| {
        error.set(None);
        done.set(Some(message));
        version.update(|v| *v += 1);
    };
    let failed = move |message: String| {
        done.set(None);
        error.set(Some(message));
    };

    // Issuing a personal certificate.
    let algorithm = RwSignal::new("p256".to_owned());
    let pin = RwSignal::new(String::new());
    let pin2 = RwSignal::new(String::new());
    let issue = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pin.get_untracked() != pin2.get_untracked() {
            failed(t(lang.get_untracked(), "pins_differ").into());
            return;
        }
        let body = CreateCertificate {
            kind: "personal".into(),
            org_id: None,
            algorithm: algorithm.get_untracked(),
            pin: PinText(pin.get_untracked()),
        };
        spawn_local(async move {
            match api::authed_json::<_, CertificateView>(
                s,
                Method::Post,
                "/api/v1/certificates",
                &body,
            )
            .await
            {
                Ok(_) => {
                    pin.set(String::new());
                    pin2.set(String::new());
                    reload("cert_issued");
                }
                Err(e) => failed(e.message),
            }
        });
    };
    let title = label("certificates");
    view! {
        <main class="wide">
            <Breadcrumbs steps=vec![(None, title)]/>
            <h1>{tr("certificates")}</h1>
            <Messages error=error notice=notice/>
            // Rows are rebuilt whenever the list is read again; the open form and its input
            // live in `form`, so they survive.
            {move || match list.get() {
                None => super::loading(),
                Some(Err(e)) => super::failed(e),
                Some(Ok(list)) if list.items.is_empty() => view! {
                    <p class="muted" id="no-certificates">{tr("no_certificates")}</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="certificates" id="certificate-table">
                        <thead><tr>
                            <th>{tr("cert_subject")}</th>
                            <th>{tr("cert_kind")}</th>
                            <th>{tr("cert_algorithm")}</th>
                            <th>{tr("cert_issuer")}</th>
                            <th>{tr("cert_validity")}</th>
                            <th>{tr("cert_status")}</th>
                            <th>{tr("cert_pin_left")}</th>
                            <th>{tr("col_actions")}</th>
                        </tr></thead>
                        {list.items.into_iter().map(|c| view! {
                            <CertificateRow cert=c form=form on_done=reload on_error=failed/>
                        }).collect_view()}
                    </table>
                }.into_any(),
            }}
            <h2>{tr("cert_issue_title")}</h2>
            <form class="inline" id="issue-form" on:submit=issue>
                <label>{tr("cert_algorithm")}
                    <select id="issue-algorithm" on:change=move |ev| algorithm.set(event_target_value(&ev))>
                        <option value="p256">"ECDSA P-256"</option>
                        <option value="sm2">"SM2"</option>
                    </select></label>
                <label>{tr("pin")}
                    <input type="password" id="issue-pin" inputmode="numeric" autocomplete="new-password" bind:value=pin/></label>
                <label>{tr("pin_again")}
                    <input type="password" id="issue-pin2" inputmode="numeric" autocomplete="new-password" bind:value=pin2/></label>
                <button type="submit" id="issue-submit">{tr("cert_issue")}</button>
            </form>
            <p class="muted">{tr("pin_hint")}</p>
        </main>
    }
}

/// The open row form (certificate id and action) and its inputs; one form is open at a time.
#[derive(Clone, Copy)]
struct RowForm {
    open: RwSignal<Option<(String, Action)>>,
    old_pin: RwSignal<String>,
    new_pin: RwSignal<String>,
    new_pin2: RwSignal<String>,
    reason: RwSignal<String>,
}

/// What a row's action form asks for.
#[derive(Clone, Copy, PartialEq)]
enum Action {
    ChangePin,
    Renew,
    Revoke,
    /// 忘记证书密码, by SMS: unlock a locked key (`rekey: false`), or replace a key whose
    /// PIN is forgotten (a new key and certificate under a new PIN).
    Reset {
        rekey: bool,
    },
}

#[component]
fn CertificateRow(
    cert: CertificateView,
    form: RowForm,
    on_done: impl Fn(&'static str) + Copy + Send + Sync + 'static,
    on_error: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let RowForm {
        open,
        old_pin,
        new_pin,
        new_pin2,
        reason,
    } = form;
    let me = StoredValue::new(cert.id.clone());
    let action = Memo::new(move |_| {
        open.with(|o| {
            o.as_ref()
                .filter(|(id, _)| me.with_value(|m| m == id))
                .map(|(_, a)| *a)
        })
    });
    // Opens (or closes) this row's form, empty.
    let set = move |a: Option<Action>| {
        for f in [old_pin, new_pin, new_pin2] {
            f.set(String::new());
        }
        reason.set("unspecified".to_owned());
        open.set(a.map(|a| (me.get_value(), a)));
    };
    let id = cert.id.clone();
    let reset_id = cert.id.clone();
    let status = cert.status.clone();
    // A renewed certificate stays valid until it expires, but its successor is the one used.
    let replaced = cert.replaced_by.is_some();
    let usable = status == "valid" && cert.key_location == "server" && !replaced;
    let revocable = status != "revoked";
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = id.clone();
        let Some(act) = action.get_untracked() else {
            return;
        };
        if matches!(act, Action::Reset { .. }) {
            return;
        }
        let l = lang.get_untracked();
        if act == Action::ChangePin && new_pin.get_untracked() != new_pin2.get_untracked() {
            on_error(t(l, "pins_differ").into());
            return;
        }
        let (old, new, why) = (
            old_pin.get_untracked(),
            new_pin.get_untracked(),
            reason.get_untracked(),
        );
        spawn_local(async move {
            let base = format!("/api/v1/certificates/{id}");
            let result = match act {
                Action::ChangePin => api::authed_json_empty(
                    s,
                    Method::Put,
                    &format!("{base}/pin"),
                    &ChangePin {
                        old_pin: PinText(old),
                        new_pin: PinText(new),
                    },
                )
                .await
                .map(|()| "pin_changed"),
                Action::Renew => api::authed_json::<_, CertificateView>(
                    s,
                    Method::Post,
                    &format!("{base}/renew"),
                    &PinProof { pin: PinText(old) },
                )
                .await
                .map(|_| "cert_renewed"),
                Action::Revoke => api::authed_json::<_, CertificateView>(
                    s,
                    Method::Post,
                    &format!("{base}/revoke"),
                    &RevokeCertificate { reason: why },
                )
                .await
                .map(|_| "cert_revoked"),
                Action::Reset { .. } => return,
            };
            match result {
                Ok(message) => {
                    set(None);
                    on_done(message);
                }
                Err(e) => on_error(e.message),
            }
        });
    };
    let status_key: &'static str = match status.as_str() {
        "valid" => "cert_valid",
        "locked" => "cert_locked",
        "revoked" => "cert_revoked_status",
        _ => "cert_expired",
    };
    let kind_key: &'static str = if cert.kind == "personal" {
        "cert_personal"
    } else {
        "cert_organization"
    };
    let algorithm = cert.algorithm.as_str();
    view! {
        <tbody class="certificate" data-status=cert.status.clone()>
            <tr>
                <td class="subject">{cert.subject.clone()}</td>
                <td>{tr(kind_key)}</td>
                <td>{if algorithm == "sm2" { "SM2" } else { "ECDSA P-256" }}</td>
                <td>{cert.issuer.clone()}</td>
                <td>{format!("{} – {}", day(cert.not_before), day(cert.not_after))}</td>
                <td class="status">{tr(status_key)}
                    {replaced.then(|| view! { <div class="muted">{tr("cert_replaced")}</div> })}</td>
                <td class="pin-left">{cert.pin_attempts_left}</td>
                <td class="ops">
                    {usable.then(|| view! {
                        <button type="button" class="link op-pin" on:click=move |_| set(Some(Action::ChangePin))>{tr("change_pin")}</button>
                        <button type="button" class="link op-renew" on:click=move |_| set(Some(Action::Renew))>{tr("renew")}</button>
                    })}
                    {(status == "locked").then(|| view! {
                        <button type="button" class="link op-unlock" on:click=move |_| set(Some(Action::Reset { rekey: false }))>{tr("cert_unlock")}</button>
                    })}
                    {(cert.key_location == "server" && !replaced && matches!(status.as_str(), "valid" | "locked")).then(|| view! {
                        <button type="button" class="link op-forgot" on:click=move |_| set(Some(Action::Reset { rekey: true }))>{tr("cert_forgot_pin")}</button>
                    })}
                    {revocable.then(|| view! {
                        <button type="button" class="link op-revoke" on:click=move |_| set(Some(Action::Revoke))>{tr("revoke")}</button>
                    })}
                </td>
            </tr>
            {move || match action.get() {
                Some(Action::Reset { rekey }) => Some(view! {
                    <tr class="details"><td colspan="8">
                        <PinResetForm id=reset_id.clone() rekey=rekey close=move || set(None) on_done=on_done/>
                    </td></tr>
                }),
                _ => None,
            }}
            <Show when=move || matches!(action.get(), Some(Action::ChangePin | Action::Renew | Action::Revoke))>
                <tr class="details"><td colspan="8">
                    <form class="inline cert-action" on:submit=submit.clone()>
                        <Show when=move || matches!(action.get(), Some(Action::ChangePin | Action::Renew))>
                            <label>{tr("current_pin")}
                                <input type="password" class="old-pin" inputmode="numeric" bind:value=old_pin/></label>
                        </Show>
                        <Show when=move || action.get() == Some(Action::ChangePin)>
                            <label>{tr("new_pin")}
                                <input type="password" class="new-pin" inputmode="numeric" bind:value=new_pin/></label>
                            <label>{tr("pin_again")}
                                <input type="password" class="new-pin2" inputmode="numeric" bind:value=new_pin2/></label>
                        </Show>
                        <Show when=move || action.get() == Some(Action::Revoke)>
                            <label>{tr("revoke_reason")}
                                <select class="reason" on:change=move |ev| reason.set(event_target_value(&ev))>
                                    {REASONS.iter().map(|r| view! { <option value=*r>{tr(r)}</option> }).collect_view()}
                                </select></label>
                        </Show>
                        <button type="submit" class="action-submit">{tr("confirm")}</button>
                        <button type="button" class="secondary" on:click=move |_| set(None)>{tr("cancel")}</button>
                    </form>
                </td></tr>
            </Show>
        </tbody>
    }
}

/// 忘记证书密码: the phone, the image captcha and an SMS code (purpose `certificate_pin`);
/// with `rekey`, the new PIN twice.
#[component]
fn PinResetForm(
    id: String,
    rekey: bool,
    close: impl Fn() + Copy + Send + Sync + 'static,
    on_done: impl Fn(&'static str) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let s = use_session();
    let captcha = Captcha::new();
    let phone = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let pin2 = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = s.lang.get_untracked();
        if rekey && pin.get_untracked() != pin2.get_untracked() {
            error.set(Some(t(l, "pins_differ").into()));
            return;
        }
        let body = PinReset {
            sms_code: code.get_untracked().trim().to_owned(),
            new_pin: rekey.then(|| PinText(pin.get_untracked())),
        };
        let id = id.clone();
        spawn_local(async move {
            let r = api::authed_json::<_, CertificateView>(
                s,
                Method::Post,
                &format!("/api/v1/certificates/{id}/pin/reset"),
                &body,
            )
            .await;
            match r {
                Ok(_) => {
                    close();
                    on_done(if rekey {
                        "cert_rekeyed"
                    } else {
                        "cert_unlocked"
                    });
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <form class="pin-reset" on:submit=submit>
            <p class="muted">{tr(if rekey { "cert_rekey_hint" } else { "cert_unlock_hint" })}</p>
            <Field id="reset-phone" label="phone" placeholder="phone_ph" value=phone kind="tel"/>
            <CaptchaField captcha=captcha/>
            <SmsCodeField code=code phone=phone purpose="certificate_pin" captcha=captcha error=error notice=notice/>
            {rekey.then(|| view! {
                <Field id="reset-pin" label="new_pin" placeholder="pin_ph" value=pin kind="password"/>
                <Field id="reset-pin2" label="pin_again" placeholder="pin_ph" value=pin2 kind="password"/>
            })}
            <Messages error=error notice=notice/>
            <div class="actions">
                <button type="submit" id="reset-submit">{tr(if rekey { "cert_rekey" } else { "cert_unlock" })}</button>
                <button type="button" class="secondary" on:click=move |_| close()>{tr("cancel")}</button>
            </div>
        </form>
    }
}
