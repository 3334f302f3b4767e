//! 印章管理: my seals and my organisations' seals with their images (on a checkerboard, so a
//! transparent background shows as such); a signature seal generated from my name; a scan
//! or image uploaded as a personal seal or, for an organisation I administer, as its 公章 or
//! 合同专用章; and on the seals I manage: rename, bind to a certificate, disable, and (an
//! organisation's seal) grant it to members.

use leptos::prelude::*;
use leptos::task::spawn_local;
use signet_api::{
    CertificateList, CertificateView, CreateSeal, GenerateSeal, Me, MemberList, Role,
    SealGrantList, SealList, SealType, SealView, UpdateSeal,
};
use std::rc::Rc;

use super::account::Breadcrumbs;
use super::{Messages, Outcome};
use crate::api::{self, Method};
use crate::i18n::{label, t, tr};
use crate::session::use_session;

fn kind_key(kind: SealType) -> &'static str {
    match kind {
        SealType::Personal => "seal_kind_personal",
        SealType::Company => "seal_kind_company",
        SealType::Contract => "seal_kind_contract",
    }
}

#[component]
pub fn SealsPage() -> impl IntoView {
    let s = use_session();
    super::home::require_login();
    let out = Outcome::new();
    let data = LocalResource::new(move || {
        out.version.track();
        async move {
            let me = api::authed_get::<Me>(s, "/api/v1/me").await?;
            let seals = api::authed_get::<SealList>(s, "/api/v1/seals").await?;
            let certs = api::authed_get::<CertificateList>(s, "/api/v1/certificates").await?;
            Ok::<_, api::ApiErr>((me, seals, certs))
        }
    });
    let title = label("seals");
    view! {
        <main class="wide seals-page">
            <Breadcrumbs steps=vec![(None, title)]/>
            <h1>{tr("seals")}</h1>
            <Messages error=out.error notice=out.notice/>
            {move || match data.get() {
                        None => super::loading(),
                        Some(Err(e)) => super::failed(e),
                        Some(Ok((me, seals, certs))) => view! { <Seals me=me seals=seals certs=certs out=out/> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn Seals(me: Me, seals: SealList, certs: CertificateList, out: Outcome) -> impl IntoView {
    let admin_of: Vec<(String, String)> = me
        .organizations
        .iter()
        .filter(|o| o.role == Role::Admin)
        .map(|o| (o.org_id.clone(), o.org_name.clone()))
        .collect();
    let org_name = {
        let all: Vec<(String, String)> = me
            .organizations
            .iter()
            .map(|o| (o.org_id.clone(), o.org_name.clone()))
            .collect();
        move |id: &str| {
            all.iter()
                .find(|(o, _)| o == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        }
    };
    let certs = Rc::new(certs.items);
    view! {
        <div class="seal-grid" id="seal-grid">
            {if seals.items.is_empty() {
                view! { <p class="muted" id="no-seals">{tr("no_seals")}</p> }.into_any()
            } else {
                seals.items.into_iter().map(|seal| {
                    let manage = match &seal.org_id {
                        None => true,
                        Some(org) => admin_of.iter().any(|(id, _)| id == org),
                    };
                    let owner = seal.org_id.as_deref().map(&org_name);
                    // Certificates it may be bound to: of the same owner, still usable.
                    let offered: Vec<CertificateView> = certs
                        .iter()
                        .filter(|c| c.status == "valid" && c.replaced_by.is_none() && c.org_id == seal.org_id)
                        .cloned()
                        .collect();
                    let bound = seal
                        .certificate_id
                        .as_ref()
                        .and_then(|c| certs.iter().find(|o| &o.id == c))
                        .map(|c| c.subject.clone());
                    view! { <SealCard seal=seal owner=owner bound=bound manage=manage offered=offered out=out/> }
                }).collect_view().into_any()
            }}
        </div>
        <NewSeals admin_of=admin_of out=out/>
    }
}

/// What a card's form is for.
#[derive(Clone, Copy, PartialEq)]
enum Edit {
    Rename,
    Bind,
    Grants,
}

#[component]
fn SealCard(
    seal: SealView,
    owner: Option<String>,
    /// The subject of the certificate it is bound to (any state), if any.
    bound: Option<String>,
    manage: bool,
    offered: Vec<CertificateView>,
    out: Outcome,
) -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let id = seal.id.clone();
    let image = LocalResource::new({
        let id = id.clone();
        move || {
            let id = id.clone();
            async move { api::authed_image(s, &format!("/api/v1/seals/{id}/image")).await }
        }
    });
    on_cleanup(move || {
        if let Some(Ok(url)) = image.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    let edit = RwSignal::new(None::<Edit>);
    let name = RwSignal::new(seal.name.clone());
    let cert = RwSignal::new(seal.certificate_id.clone().unwrap_or_default());
    let patch = {
        let id = id.clone();
        move |body: UpdateSeal, done: &'static str| {
            let id = id.clone();
            spawn_local(async move {
                let r = api::authed_json::<_, SealView>(
                    s,
                    Method::Patch,
                    &format!("/api/v1/seals/{id}"),
                    &body,
                )
                .await;
                match r {
                    Ok(_) => out.ok(done),
                    Err(e) => out.failed(e.message),
                }
            });
        }
    };
    let save = {
        let patch = patch.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let body = match edit.get_untracked() {
                Some(Edit::Rename) => UpdateSeal {
                    name: Some(name.get_untracked()),
                    certificate_id: None,
                    disabled: false,
                },
                Some(Edit::Bind) => UpdateSeal {
                    name: None,
                    certificate_id: Some(cert.get_untracked()),
                    disabled: false,
                },
                _ => return,
            };
            patch(body, "seal_saved");
        }
    };
    let disable = move |_| {
        let sure = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(t(lang.get_untracked(), "seal_disable_confirm"))
                    .ok()
            })
            .unwrap_or(false);
        if sure {
            patch(
                UpdateSeal {
                    name: None,
                    certificate_id: None,
                    disabled: true,
                },
                "seal_disabled",
            );
        }
    };
    let options: Vec<(String, String)> = offered
        .iter()
        .map(|c| {
            let alg = if c.algorithm.as_str() == "sm2" {
                "SM2"
            } else {
                "P-256"
            };
            (c.id.clone(), format!("{} ({alg})", c.subject))
        })
        .collect();
    let options = StoredValue::new(options);
    let alt = seal.name.clone();
    let kind = kind_key(seal.kind);
    let org_seal = seal.org_id.clone();
    view! {
        <article class="seal-card" data-seal=seal.id.clone() data-kind=seal.kind.as_str()>
            <div class="seal-image">
                {move || image.get().and_then(Result::ok).map(|src| view! { <img src=src alt=alt.clone()/> })}
            </div>
            <h3 class="seal-name">{seal.name.clone()}</h3>
            <p class="muted">
                {tr(kind)}" · "
                {match owner.clone() {
                    Some(o) => o.into_any(),
                    None => (tr("acting_personal")).into_any(),
                }}
            </p>
            <p class="muted bound">{tr("seal_certificate")}": "
                {match bound.clone() {
                    Some(b) => b.into_any(),
                    None => (tr("seal_unbound")).into_any(),
                }}
            </p>
            {manage.then(|| view! {
                <div class="ops">
                    <button type="button" class="link op-rename" on:click=move |_| edit.set(Some(Edit::Rename))>{tr("rename")}</button>
                    <button type="button" class="link op-bind" on:click=move |_| edit.set(Some(Edit::Bind))>{tr("seal_bind")}</button>
                    {org_seal.is_some().then(|| view! {
                        <button type="button" class="link op-grants" on:click=move |_| edit.set(Some(Edit::Grants))>{tr("seal_grants")}</button>
                    })}
                    <button type="button" class="link op-disable" on:click=disable>{tr("seal_disable")}</button>
                </div>
            })}
            <Show when=move || matches!(edit.get(), Some(Edit::Rename | Edit::Bind))>
                <form class="inline seal-edit" on:submit=save.clone()>
                    <Show when=move || edit.get() == Some(Edit::Rename)>
                        <input type="text" class="seal-new-name" bind:value=name/>
                    </Show>
                    <Show when=move || edit.get() == Some(Edit::Bind)>
                        <select class="seal-cert" on:change=move |ev| cert.set(event_target_value(&ev))>
                            // Built when the form opens, selecting the current binding; later
                            // the select itself is what changes `cert`.
                            <option value="" selected=cert.get_untracked().is_empty()>{tr("seal_unbound")}</option>
                            {options.get_value().into_iter().map(|(id, label)| {
                                let on = cert.get_untracked() == id;
                                view! { <option value=id selected=on>{label}</option> }
                            }).collect_view()}
                        </select>
                    </Show>
                    <button type="submit" class="seal-save">{tr("confirm")}</button>
                    <button type="button" class="secondary" on:click=move |_| edit.set(None)>{tr("cancel")}</button>
                </form>
            </Show>
            {seal.org_id.clone().map(|org| view! {
                <Show when=move || edit.get() == Some(Edit::Grants)>
                    <Grants seal=id.clone() org=org.clone() close=move || edit.set(None) out=out/>
                </Show>
            })}
        </article>
    }
}

/// 授权: the members of the seal's organisation, ticked when granted the seal.
#[component]
fn Grants(
    seal: String,
    org: String,
    close: impl Fn() + Copy + Send + Sync + 'static,
    out: Outcome,
) -> impl IntoView {
    let s = use_session();
    let chosen = RwSignal::new(Vec::<String>::new());
    let data = LocalResource::new({
        let (seal, org) = (seal.clone(), org.clone());
        move || {
            let (seal, org) = (seal.clone(), org.clone());
            async move {
                let members = api::authed_get::<MemberList>(
                    s,
                    &format!("/api/v1/orgs/{org}/members?page_size=100"),
                )
                .await?;
                let granted =
                    api::authed_get::<SealGrantList>(s, &format!("/api/v1/seals/{seal}/grants"))
                        .await?;
                chosen.set(granted.user_ids);
                Ok::<_, api::ApiErr>(members)
            }
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let seal = seal.clone();
        let body = SealGrantList {
            user_ids: chosen.get_untracked(),
        };
        spawn_local(async move {
            let r = api::authed_json::<_, SealGrantList>(
                s,
                Method::Put,
                &format!("/api/v1/seals/{seal}/grants"),
                &body,
            )
            .await;
            match r {
                Ok(_) => {
                    close();
                    out.ok("seal_grants_saved");
                }
                Err(e) => out.failed(e.message),
            }
        });
    };
    view! {
        <form class="grants" on:submit=save>
            {move || match data.get() {
                        None => super::loading(),
                        Some(Err(e)) => super::failed(e),
                        Some(Ok(members)) => members.items.into_iter().filter(|m| m.role != Role::Admin).map(|m| {
                            let id = m.user_id.clone();
                            let checked = {
                                let id = id.clone();
                                move || chosen.with(|c| c.contains(&id))
                            };
                            view! {
                                <label class="check grant">
                                    <input type="checkbox" data-user=id.clone() prop:checked=checked
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            let id = id.clone();
                                            chosen.update(|c| {
                                                c.retain(|x| *x != id);
                                                if on { c.push(id); }
                                            });
                                        }/>
                                    {m.real_name.clone()}" "<span class="muted">{m.phone_masked.clone()}</span>
                                </label>
                            }
                        }).collect_view().into_any(),
            }}
            <p class="muted">{tr("seal_grants_hint")}</p>
            <button type="submit" class="grants-save">{tr("confirm")}</button>
            <button type="button" class="secondary" on:click=move |_| close()>{tr("cancel")}</button>
        </form>
    }
}

/// 生成签名章 and 上传印章.
#[component]
fn NewSeals(admin_of: Vec<(String, String)>, out: Outcome) -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let gen_name = RwSignal::new(String::new());
    let generate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = Some(gen_name.get_untracked().trim().to_owned()).filter(|n| !n.is_empty());
        spawn_local(async move {
            let r = api::authed_json::<_, SealView>(
                s,
                Method::Post,
                "/api/v1/seals/generate",
                &GenerateSeal { name },
            )
            .await;
            match r {
                Ok(_) => {
                    gen_name.set(String::new());
                    out.ok("seal_created");
                }
                Err(e) => out.failed(e.message),
            }
        });
    };

    let name = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let kind = RwSignal::new("personal".to_owned());
    let file = RwSignal::new_local(None::<web_sys::File>);
    let preview = RwSignal::new(None::<String>);
    let pick = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let f = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|l| l.get(0));
        if let Some(old) = preview.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&old);
        }
        preview.set(
            f.as_ref()
                .and_then(|f| web_sys::Url::create_object_url_with_blob(f).ok()),
        );
        if name.get_untracked().is_empty()
            && let Some(f) = &f
        {
            let n = f.name();
            name.set(
                n.rsplit_once('.')
                    .map_or(n.clone(), |(stem, _)| stem.to_owned()),
            );
        }
        file.set(f);
    };
    on_cleanup(move || {
        if let Some(url) = preview.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    let upload = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        let Some(f) = file.get_untracked() else {
            out.failed(t(l, "seal_choose_image").into());
            return;
        };
        let org = Some(owner.get_untracked()).filter(|o| !o.is_empty());
        let request = CreateSeal {
            name: name.get_untracked().trim().to_owned(),
            kind: Some(if org.is_some() {
                kind.get_untracked()
            } else {
                "personal".to_owned()
            }),
            org_id: org,
            certificate_id: None,
        };
        let Ok(form) = web_sys::FormData::new() else {
            return;
        };
        if form
            .append_with_str(
                "request",
                &serde_json::to_string(&request).unwrap_or_default(),
            )
            .and_then(|()| form.append_with_blob_and_filename("image", &f, &f.name()))
            .is_err()
        {
            return;
        }
        spawn_local(async move {
            let r =
                api::authed_upload::<SealView>(s, "/api/v1/seals", &form, Rc::new(|_, _| {})).await;
            match r {
                Ok(_) => {
                    name.set(String::new());
                    file.set(None);
                    // The page may have been left during the upload (a disposed signal reads
                    // as nothing, never a trap).
                    if let Some(url) = preview.try_get_untracked().flatten() {
                        let _ = web_sys::Url::revoke_object_url(&url);
                    }
                    preview.set(None);
                    out.ok("seal_created");
                }
                Err(e) => out.failed(e.message),
            }
        });
    };
    let for_org = move || !owner.get().is_empty();
    view! {
        <div class="new-seals">
            <section>
                <h2>{tr("seal_generate_title")}</h2>
                <p class="muted">{tr("seal_generate_hint")}</p>
                <form class="inline" id="generate-form" on:submit=generate>
                    <input type="text" id="generate-name" bind:value=gen_name placeholder=tr("seal_name_ph")/>
                    <button type="submit" id="generate-submit">{tr("seal_generate")}</button>
                </form>
            </section>
            <section>
                <h2>{tr("seal_upload_title")}</h2>
                <p class="muted">{tr("seal_upload_hint")}</p>
                <form id="upload-form" on:submit=upload>
                    <label for="seal-owner">{tr("seal_owner")}</label>
                    <select id="seal-owner" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        // An organisation's seal is its 公章 unless chosen otherwise.
                        kind.set(if v.is_empty() { "personal" } else { "company" }.to_owned());
                        owner.set(v);
                    }>
                        <option value="">{tr("acting_personal")}</option>
                        {admin_of.into_iter().map(|(id, n)| view! { <option value=id>{n}</option> }).collect_view()}
                    </select>
                    <Show when=for_org>
                        <label for="seal-kind">{tr("col_seal_kind")}</label>
                        // The first option is the initial kind; later changes (another owner) set the value.
                        <select id="seal-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                            <option value="company">{tr("seal_kind_company")}</option>
                            <option value="contract">{tr("seal_kind_contract")}</option>
                        </select>
                    </Show>
                    <label for="seal-name"><span class="req">"*"</span>{tr("seal_name")}</label>
                    <input type="text" id="seal-name" bind:value=name placeholder=tr("seal_name_ph")/>
                    <label for="seal-file"><span class="req">"*"</span>{tr("seal_image")}</label>
                    <input type="file" id="seal-file" accept="image/png,image/jpeg" on:change=pick/>
                    {move || preview.get().map(|src| view! { <div class="seal-image preview"><img id="seal-preview" src=src alt=""/></div> })}
                    <div class="actions"><button type="submit" id="upload-submit">{tr("seal_upload")}</button></div>
                </form>
            </section>
        </div>
    }
}
