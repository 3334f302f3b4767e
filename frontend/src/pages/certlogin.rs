//! 数字证书登录: sign the server's challenge with a certificate's key and log in. Through the
//! local signing agent when it answers (its tokens' certificates, the PIN typed here and sent
//! to the token only), else with a key file the user picks (PKCS#8 P-256 and its
//! certificate), read and used in memory only: the browser's WebCrypto signs.

use leptos::prelude::*;
use leptos::task::spawn_local;
use signet_api::{
    AgentSign, AgentSignature, AgentToken, CertChallenge, CertLogin, PinText, PublicSettings,
    TokenPair,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::Messages;
use crate::api::{self, ApiErr};
use crate::i18n::{t, tr};
use crate::keyfile;
use crate::session::use_session;

/// The agent's origin and its tokens, when it answers.
async fn agent_tokens(lang: crate::i18n::Lang) -> Option<(String, Vec<AgentToken>)> {
    let settings = api::get::<PublicSettings>("/api/v1/settings", lang, None)
        .await
        .ok()?;
    let origin = settings.agent_origin?;
    let tokens = api::get::<Vec<AgentToken>>(&format!("{origin}/tokens"), lang, None)
        .await
        .ok()?;
    Some((origin, tokens))
}

/// Signs `data` with a PKCS#8 P-256 key through WebCrypto: the DER signature.
async fn webcrypto_sign(pkcs8: &[u8], data: &[u8]) -> Result<Vec<u8>, wasm_bindgen::JsValue> {
    let subtle = web_sys::window()
        .ok_or(wasm_bindgen::JsValue::NULL)?
        .crypto()?
        .subtle();
    let params = web_sys::EcKeyImportParams::new("ECDSA");
    params.set_named_curve("P-256");
    let usages = js_sys::Array::of1(&"sign".into());
    let key_data = js_sys::Uint8Array::from(pkcs8);
    let key: web_sys::CryptoKey =
        JsFuture::from(subtle.import_key_with_object("pkcs8", &key_data, &params, false, &usages)?)
            .await?
            .dyn_into()?;
    let algorithm = web_sys::EcdsaParams::new("ECDSA", &"SHA-256".into());
    let raw = JsFuture::from(subtle.sign_with_object_and_u8_array(&algorithm, &key, data)?).await?;
    let raw = js_sys::Uint8Array::new(&raw).to_vec();
    keyfile::der_signature(&raw).ok_or(wasm_bindgen::JsValue::NULL)
}

/// How the challenge gets signed.
#[derive(Clone)]
enum Signer {
    Agent {
        origin: String,
        slot: u64,
        key_id: String,
        certificate_pem: String,
        pin: String,
    },
    File(keyfile::KeyFile),
}

/// Challenge, signature, login: the token pair.
async fn log_in_with(signer: Signer, lang: crate::i18n::Lang) -> Result<TokenPair, ApiErr> {
    let failed = |key: &'static str| ApiErr {
        code: "certificate_login_failed".into(),
        message: t(lang, key).into(),
        field: None,
    };
    let ch = api::post::<_, CertChallenge>(
        "/api/v1/auth/cert/challenge",
        &crate::api::Empty {},
        lang,
        None,
    )
    .await?;
    let (certificate, signature) = match signer {
        Signer::Agent {
            origin,
            slot,
            key_id,
            certificate_pem,
            pin,
        } => {
            let body = AgentSign {
                slot,
                key_id,
                pin: PinText(pin),
                data: keyfile::base64(ch.challenge.as_bytes()),
            };
            let sig = api::post::<_, AgentSignature>(&format!("{origin}/sign"), &body, lang, None)
                .await?;
            (certificate_pem, sig.signature)
        }
        Signer::File(file) => {
            let der = webcrypto_sign(&file.pkcs8, ch.challenge.as_bytes())
                .await
                .map_err(|_| failed("keyfile_sign_failed"))?;
            (file.certificate_pem, keyfile::base64(&der))
        }
    };
    api::post::<_, TokenPair>(
        "/api/v1/auth/cert/login",
        &CertLogin {
            challenge_id: ch.challenge_id,
            certificate,
            signature,
        },
        lang,
        None,
    )
    .await
}

/// Reads the picked files' text.
async fn read_files(list: web_sys::FileList) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..list.length() {
        if let Some(f) = list.item(i)
            && let Ok(text) = JsFuture::from(f.text()).await
            && let Some(text) = text.as_string()
        {
            out.push(text);
        }
    }
    out
}

#[component]
pub fn CertLoginForm(on_login: Callback<TokenPair>) -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let agent = LocalResource::new(move || agent_tokens(lang.get_untracked()));
    // The chosen agent certificate: "slot/key_id".
    let chosen = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let file = RwSignal::new(None::<keyfile::KeyFile>);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let pick = move |ev: leptos::ev::Event| {
        let list = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files());
        let Some(list) = list else { return };
        spawn_local(async move {
            let texts = read_files(list).await;
            match keyfile::read(&texts) {
                Ok(f) => {
                    error.set(None);
                    file.set(Some(f));
                }
                Err(e) => {
                    file.set(None);
                    error.set(Some(t(lang.get_untracked(), e.key()).into()));
                }
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let signer = match agent.get().flatten() {
            Some((origin, tokens)) => {
                let choice = chosen.get_untracked();
                let found = tokens.iter().find_map(|tok| {
                    tok.certificates
                        .iter()
                        .find(|c| format!("{}/{}", tok.slot, c.key_id) == choice)
                        .map(|c| (tok.slot, c.clone()))
                });
                let Some((slot, c)) = found else {
                    error.set(Some(t(l, "agent_choose_certificate").into()));
                    return;
                };
                Signer::Agent {
                    origin,
                    slot,
                    key_id: c.key_id,
                    certificate_pem: c.certificate_pem,
                    pin: pin.get_untracked(),
                }
            }
            None => match file.get_untracked() {
                Some(f) => Signer::File(f),
                None => {
                    error.set(Some(t(l, "keyfile_choose").into()));
                    return;
                }
            },
        };
        busy.set(true);
        spawn_local(async move {
            let r = log_in_with(signer, l).await;
            busy.set(false);
            match r {
                // The login page may have been left while the agent or the server answered.
                Ok(pair) => {
                    let _ = on_login.try_run(pair);
                }
                Err(e) => {
                    notice.set(None);
                    error.set(Some(e.message));
                }
            }
        });
    };
    view! {
        <form id="cert-login" on:submit=submit>
            {move || match agent.get() {
                None => super::loading(),
                Some(Some((_, tokens))) => view! {
                    <p class="muted" id="agent-found">{tr("agent_found")}</p>
                    <div class="agent-certificates">
                        {tokens.into_iter().flat_map(|tok| {
                            let (slot, label) = (tok.slot, tok.label.clone());
                            tok.certificates.into_iter().map(move |c| {
                                let value = format!("{slot}/{}", c.key_id);
                                let v2 = value.clone();
                                view! {
                                    <label class="check">
                                        <input type="radio" name="agent-cert" value=value.clone()
                                            on:change=move |_| chosen.set(v2.clone())/>
                                        {format!("{label} · {}", c.label)}
                                    </label>
                                }
                            }).collect::<Vec<_>>()
                        }).collect_view()}
                    </div>
                    <label for="agent-pin"><span class="req">"*"</span>{tr("pin")}</label>
                    <input id="agent-pin" type="password" inputmode="numeric" autocomplete="off" bind:value=pin/>
                }.into_any(),
                Some(None) => view! {
                    <p class="muted" id="agent-missing">{tr("agent_missing")}</p>
                    <label for="key-file"><span class="req">"*"</span>{tr("keyfile")}</label>
                    <input id="key-file" type="file" accept=".pem,.key,.crt,.cer" multiple on:change=pick/>
                    <p class="muted">{tr("keyfile_hint")}</p>
                    {move || file.get().map(|_| view! { <p class="notice" id="key-file-ready">{tr("keyfile_ready")}</p> })}
                }.into_any(),
            }}
            <Messages error=error notice=notice/>
            <div class="actions">
                <button type="submit" id="cert-login-submit" disabled=move || busy.get()>{tr("login")}</button>
            </div>
        </form>
    }
}
