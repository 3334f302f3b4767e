//! Public verification (签名验证), no login: look a document up by the verification code
//! printed in its evidence report (the QR code leads to `/verify/{code}`), or upload a PDF and
//! read the validator's verdict on every signature in it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use serde_json::Value;
use signet_api::PublicVerification;
use wasm_bindgen::JsCast;

use crate::api;
use crate::i18n::{Lang, t, tr};
use crate::session::use_session;

/// The text key of a validator's verdict.
pub fn verdict_key(v: &str) -> &'static str {
    match v {
        "valid" => "verdict_valid",
        "untrusted" => "verdict_untrusted",
        "modified" => "verdict_modified",
        "invalid" => "verdict_invalid",
        "unsigned" => "verdict_unsigned",
        _ => "verdict_unreadable",
    }
}

fn local_time(s: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| crate::fmt::local_second(t.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| s.to_owned())
}

/// `/verify`: a code to look up, or a PDF to check.
#[component]
pub fn Verify() -> impl IntoView {
    let lang = use_session().lang;
    let code = RwSignal::new(String::new());
    let report = RwSignal::new(None::<Value>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();

    let lookup = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let c = code.get_untracked().trim().to_owned();
        if !c.is_empty() {
            navigate(&format!("/verify/{c}"), Default::default());
        }
    };
    let upload = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let l = lang.get_untracked();
        busy.set(true);
        error.set(None);
        report.set(None);
        spawn_local(async move {
            match api::post_pdf::<Value>("/api/v1/verify", &file, l).await {
                Ok(r) => report.set(Some(r)),
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
        });
    };

    view! {
        <main>
            <h1>{tr("verify_title")}</h1>
            <form on:submit=lookup>
                <label for="verify-code">{tr("verify_code")}</label>
                <input id="verify-code" name="verify-code" type="text" bind:value=code
                    placeholder=tr("verify_code_ph")/>
                <button type="submit" id="verify-lookup">{tr("verify_lookup")}</button>
            </form>
            <h2>{tr("verify_upload")}</h2>
            <p class="hint">{tr("verify_upload_hint")}</p>
            <input id="verify-file" type="file" accept="application/pdf,.pdf" on:change=upload/>
            <Show when=move || busy.get()>
                <p class="notice">{tr("verify_checking")}</p>
            </Show>
            {move || error.get().map(|e| view! { <p class="error" id="verify-error">{e}</p> })}
            {move || report.get().map(|r| view! { <ReportView report=r/> })}
        </main>
    }
}

/// The validator's report, summarised: the verdict and each signature.
#[component]
fn ReportView(report: Value) -> impl IntoView {
    let lang = use_session().lang;
    let verdict = report["verdict"].as_str().unwrap_or("").to_owned();
    let sha = report["file"]["sha256"].as_str().unwrap_or("").to_owned();
    let problems: Vec<String> = report["problems"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let signatures = report["signatures"].as_array().cloned().unwrap_or_default();
    let v = verdict.clone();
    let class = format!("verdict-{verdict}");
    view! {
        <section class="verdict" id="verify-report" data-verdict=verdict>
            <h2 class=class>{move || t(lang.get(), verdict_key(&v))}</h2>
            <p><span class="label">"SHA-256 "</span><code>{sha}</code></p>
            <ul class="problems">
                {problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
            </ul>
            <ol class="signatures">
                {signatures.into_iter().map(|s| {
                    let who = s["signer"]["common_name"].as_str()
                        .or_else(|| s["signer"]["subject"].as_str())
                        .unwrap_or("—").to_owned();
                    let when = s["timestamp"]["time"].as_str()
                        .or_else(|| s["claimed_time"].as_str())
                        .map(local_time).unwrap_or_default();
                    let level = s["level"].as_str().unwrap_or("").to_owned();
                    let sv = s["verdict"].as_str().unwrap_or("").to_owned();
                    view! {
                        <li>
                            <strong>{who}</strong>" "{when}" "{level}" · "
                            {move || t(lang.get(), verdict_key(&sv))}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

/// `/verify/{code}`: what a verification code proves.
#[component]
pub fn VerifyCode() -> impl IntoView {
    let lang = use_session().lang;
    let params = use_params_map();
    let result = RwSignal::new(None::<Result<PublicVerification, String>>);
    Effect::new(move |_| {
        let code = params.with(|p| p.get("code").unwrap_or_default());
        let l: Lang = lang.get_untracked();
        spawn_local(async move {
            let path = format!("/api/v1/verify/{}", urlencode(&code));
            let r = api::get::<PublicVerification>(&path, l, None)
                .await
                .map_err(|e| e.message);
            result.set(Some(r));
        });
    });
    view! {
        <main>
            <h1>{tr("verify_title")}</h1>
            {move || match result.get() {
                None => view! { <p>{tr("loading")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" id="verify-error">{e}</p> }.into_any(),
                Some(Ok(v)) => {
                    let verdict = v.verdict.clone();
                    let class = format!("verdict-{verdict}");
                    view! {
                        <section class="verdict" id="verify-result" data-verdict=v.verdict.clone()>
                            <h2 class=class>{move || t(lang.get(), verdict_key(&verdict))}</h2>
                            <dl>
                                <dt>{tr("verify_document")}</dt>
                                <dd id="verify-document">{v.document_name.clone()}</dd>
                                <dt>"SHA-256"</dt>
                                <dd><code>{v.sha256.clone()}</code></dd>
                                <dt>{tr("verify_completed")}</dt>
                                <dd>{v.completed_at.map(|t| local_time(&t.to_rfc3339())).unwrap_or_default()}</dd>
                                <dt>{tr("verify_signers")}</dt>
                                <dd>
                                    <ul id="verify-signers">
                                        {v.signers.iter().map(|s| {
                                            let org = s.organization.clone().map(|o| format!("（{o}）")).unwrap_or_default();
                                            let when = s.signed_at.map(|t| local_time(&t.to_rfc3339())).unwrap_or_default();
                                            view! { <li>{s.name.clone()}{org}" "{when}</li> }
                                        }).collect_view()}
                                    </ul>
                                </dd>
                            </dl>
                            <p class="hint">{tr("verify_compare")}</p>
                        </section>
                    }.into_any()
                }
            }}
        </main>
    }
}

fn urlencode(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}
