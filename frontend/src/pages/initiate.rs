//! 发起在线盖章, the initiate wizard: files (dropped or picked, each renamed as the contract
//! will be called), then the signers (盖章参与方选择: "姓名 手机号" looked up exactly, or
//! 指定由本人完成盖章), each with an order number, signing mode, seal kind, the organisation
//! they act for and a step description, then a review that saves a draft or starts the task
//! while each file's upload progress shows. With `?from=<task>` it sends a completed task's
//! documents on to further signers (发起 on the 我发起 list) instead of uploading files.
//! Problems from the API are shown on the part of the form they name.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use signet_api::{ForwardTask, Me, OrgRef, SignerLookup, SignerMatch, TaskView};
use std::rc::Rc;

use super::account::Breadcrumbs;
use crate::api::{self, ApiErr, Method};
use crate::i18n::{label, t, tr};
use crate::session::use_session;
use crate::wizard::{self, FileEntry, Section, SignerEntry};

const MODES: [&str; 3] = ["pc", "mobile", "any"];
const SEAL_KINDS: [&str; 3] = ["any", "personal", "organization"];

/// A signer row: the step's settings, who it is as shown, and the organisations they may
/// act for.
#[derive(Clone, PartialEq)]
struct Row {
    entry: SignerEntry,
    label: String,
    orgs: Vec<OrgRef>,
}

/// Problems shown on the part of the form they belong to.
#[derive(Clone, Copy)]
struct Problems(RwSignal<Vec<(Section, String)>>);

impl Problems {
    fn on(self, section: Section) -> impl Fn() -> Option<String> + Copy {
        move || {
            self.0.with(|p| {
                p.iter()
                    .find(|(s, _)| *s == section)
                    .map(|(_, m)| m.clone())
            })
        }
    }
    /// Shows `e` on its section; `forwarding` has no organisation field, so what belongs
    /// there shows above the buttons.
    fn set(self, e: &ApiErr, forwarding: bool) -> Section {
        let section = match wizard::section_of(e.field.as_deref(), &e.code) {
            Section::Org if forwarding => Section::Form,
            s => s,
        };
        self.0.set(vec![(section, e.message.clone())]);
        section
    }
    fn clear(self) {
        self.0.set(Vec::new());
    }
}

#[component]
fn FieldError(problems: Problems, section: Section) -> impl IntoView {
    let text = problems.on(section);
    view! {
        {move || text().map(|m| view! { <div class="error field-error" role="alert">{m}</div> })}
    }
}

#[component]
pub fn InitiatePage() -> impl IntoView {
    let s = use_session();
    super::home::require_login();
    let query = use_query_map();
    let from = query.with_untracked(|q| q.get("from"));
    // Read once into a signal set once: the wizard (its files and signers) is built from it
    // and must never be rebuilt while the user works in it.
    let me = RwSignal::new(None::<Result<Me, ApiErr>>);
    spawn_local(async move { me.set(Some(api::authed_get::<Me>(s, "/api/v1/me").await)) });
    view! {
        <main class="wide initiate">
            {move || {
                let from = from.clone();
                        match me.get() {
                            None => super::loading(),
                            Some(Err(e)) => super::failed(e),
                            Some(Ok(me)) => {
                                let may = me.may_initiate_personally
                                    || me.organizations.iter().any(|o| o.may_initiate);
                                if may {
                                    view! { <Wizard me=me from=from/> }.into_any()
                                } else {
                                    view! {
                                        <Breadcrumbs steps=vec![(None, label("start_initiate"))]/>
                                        <p class="error" id="no-initiate-right">{tr("no_initiate_right")}</p>
                                    }.into_any()
                                }
                            }
                        }
            }}
        </main>
    }
}

#[component]
fn Wizard(me: Me, from: Option<String>) -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let navigate = use_navigate();
    let stage = RwSignal::new(1u8);
    let problems = Problems(RwSignal::new(Vec::new()));

    // Stage 1: name, acting party, files, deadline.
    let name = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    let initiating_orgs: Vec<OrgRef> = me
        .organizations
        .iter()
        .filter(|o| o.may_initiate)
        .map(|o| OrgRef {
            org_id: o.org_id.clone(),
            org_name: o.org_name.clone(),
        })
        .collect();
    let personal = me.may_initiate_personally;
    let acting = RwSignal::new(if personal {
        String::new()
    } else {
        initiating_orgs
            .first()
            .map(|o| o.org_id.clone())
            .unwrap_or_default()
    });
    let files = RwSignal::new_local(Vec::<web_sys::File>::new());
    let entries = RwSignal::new(Vec::<FileEntry>::new());
    let progress = RwSignal::new(Vec::<f64>::new());
    let busy = RwSignal::new(false);

    // Forwarding a completed task: its documents instead of uploads.
    let source = from.clone().map(|id| {
        LocalResource::new(move || {
            let id = id.clone();
            async move { api::authed_get::<TaskView>(s, &format!("/api/v1/tasks/{id}")).await }
        })
    });

    if let Some(src) = source {
        Effect::new(move |_| {
            if let Some(Ok(task)) = src.get() {
                entries.set(
                    task.documents
                        .iter()
                        .map(|d| FileEntry {
                            name: d.name.clone(),
                            size: d.size,
                        })
                        .collect(),
                );
                if name.get_untracked().trim().is_empty() {
                    name.set(task.name);
                }
            }
        });
    }

    let add_files = move |list: Option<web_sys::FileList>| {
        let Some(list) = list else { return };
        for i in 0..list.length() {
            let Some(f) = list.item(i) else { continue };
            entries.update(|e| {
                e.push(FileEntry {
                    name: wizard::display_name(&f.name()),
                    size: f.size() as u64,
                })
            });
            files.update(|v| v.push(f));
        }
        progress.set(Vec::new());
        if name.get_untracked().trim().is_empty()
            && let Some(first) = entries.with_untracked(|e| e.first().map(|f| f.name.clone()))
        {
            name.set(first);
        }
    };
    let remove_file = move |i: usize| {
        entries.update(|e| {
            if i < e.len() {
                e.remove(i);
            }
        });
        files.update(|v| {
            if i < v.len() {
                v.remove(i);
            }
        });
        progress.set(Vec::new());
    };
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        add_files(ev.data_transfer().and_then(|d| d.files()));
    };
    let on_pick = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let input = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            add_files(input.files());
            // Picking the same file again is a new pick.
            input.set_value("");
        }
    };

    // Stage 2: signers.
    let rows = RwSignal::new(Vec::<Row>::new());
    let entry = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Result<Option<(SignerMatch, signet_api::SignerRef)>, String>>);
    let my_orgs: Vec<OrgRef> = me
        .organizations
        .iter()
        .map(|o| OrgRef {
            org_id: o.org_id.clone(),
            org_name: o.org_name.clone(),
        })
        .collect();
    let my_label = format!("{}（{}）", me.real_name, me.phone_masked);
    let add_row = move |who: Option<signet_api::SignerRef>, label: String, orgs: Vec<OrgRef>| {
        rows.update(|r| {
            let order = wizard::next_order(&r.iter().map(|x| x.entry.clone()).collect::<Vec<_>>());
            r.push(Row {
                entry: SignerEntry {
                    who,
                    order,
                    mode: "pc".into(),
                    seal_kind: "any".into(),
                    org_id: None,
                    description: String::new(),
                },
                label,
                orgs,
            })
        });
        problems.clear();
    };
    let myself = Signal::derive(move || rows.with(|r| r.iter().any(|x| x.entry.who.is_none())));
    let toggle_myself = {
        let my_label = my_label.clone();
        let my_orgs = my_orgs.clone();
        move |_| {
            if myself.get_untracked() {
                rows.update(|r| r.retain(|x| x.entry.who.is_some()));
            } else {
                add_row(None, my_label.clone(), my_orgs.clone());
            }
        }
    };
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = lang.get_untracked();
        match wizard::parse_entry(&entry.get_untracked()) {
            Err(e) => found.set(Some(Err(t(l, e.key()).into()))),
            Ok(who) => spawn_local(async move {
                let r = api::authed_json::<_, SignerLookup>(
                    s,
                    Method::Post,
                    "/api/v1/signers/lookup",
                    &who,
                )
                .await;
                found.set(Some(match r {
                    Ok(l) => Ok(l.signer.map(|m| (m, who))),
                    Err(e) => Err(e.message),
                }));
            }),
        }
    };
    let choose = move |(m, who): (SignerMatch, signet_api::SignerRef)| {
        let taken = rows.with_untracked(|r| {
            r.iter()
                .any(|x| x.entry.who.as_ref().is_some_and(|w| w.phone == who.phone))
        });
        if !taken {
            add_row(
                Some(who),
                format!("{}（{}）", m.name, m.phone_masked),
                m.organizations,
            );
        }
        entry.set(String::new());
        found.set(None);
    };
    let edit = move |i: usize, f: Box<dyn Fn(&mut SignerEntry)>| {
        rows.update(|r| {
            if let Some(x) = r.get_mut(i) {
                f(&mut x.entry);
            }
        })
    };

    // Stage 3: save as a draft, start, or forward.
    let forwarding = from.is_some();
    let submit = {
        let navigate = navigate.clone();
        let from = from.clone();
        move |start: bool| {
            problems.clear();
            let signers: Vec<SignerEntry> =
                rows.get_untracked().into_iter().map(|r| r.entry).collect();
            let deadline = wizard::deadline_of(&deadline.get_untracked());
            let navigate = navigate.clone();
            let from = from.clone();
            busy.set(true);
            spawn_local(async move {
                let result = match from {
                    Some(id) => {
                        let req = wizard::request(
                            &name.get_untracked(),
                            &[],
                            &signers,
                            deadline,
                            None,
                            true,
                        );
                        let body = ForwardTask {
                            name: req.name,
                            steps: req.steps,
                            deadline: req.deadline,
                        };
                        api::authed_json::<_, TaskView>(
                            s,
                            Method::Post,
                            &format!("/api/v1/tasks/{id}/forward"),
                            &body,
                        )
                        .await
                    }
                    None => {
                        upload(
                            s, name, acting, &signers, deadline, start, files, entries, progress,
                        )
                        .await
                    }
                };
                busy.set(false);
                match result {
                    Ok(_) => navigate("/?list=initiated", Default::default()),
                    Err(e) => {
                        // Back to the stage that shows the problem.
                        match problems.set(&e, forwarding) {
                            Section::Name | Section::Files | Section::Deadline | Section::Org => {
                                stage.set(1)
                            }
                            Section::Signers => stage.set(2),
                            Section::Form => {}
                        }
                    }
                }
            });
        }
    };
    let draft = {
        let submit = submit.clone();
        move |_| submit(false)
    };
    let start = move |_| submit(true);

    let crumbs = move || {
        let mut steps = vec![(None, label("start_initiate"))];
        if stage.get() >= 2 {
            steps[0].0 = Some("/initiate".to_owned());
            steps.push((None, label("choose_signers")));
        }
        view! { <Breadcrumbs steps=steps/> }
    };
    let doc_names = Signal::derive(move || {
        entries.with(|e| {
            e.iter()
                .map(|f| f.name.clone())
                .collect::<Vec<_>>()
                .join("、")
        })
    });
    let orgs_for_select = initiating_orgs.clone();

    view! {
        {crumbs}
        <ol class="wizard-steps">
            {["wizard_files", "choose_signers", "wizard_review"].iter().enumerate().map(|(i, k)| {
                let n = i as u8 + 1;
                view! { <li class:active=move || stage.get() == n>{n}". "{tr(k)}</li> }
            }).collect_view()}
        </ol>

        // Stage 1.
        <section class="stage" id="stage-files" class:hidden=move || stage.get() != 1>
            <p class="muted">{tr("rename_hint")}</p>
            <label for="task-name"><span class="req">"*"</span>{tr("contract_name")}</label>
            <input id="task-name" type="text" bind:value=name placeholder=tr("contract_name_ph")/>
            <FieldError problems=problems section=Section::Name/>
            {(!forwarding).then(|| {
                let orgs = orgs_for_select.clone();
                view! {
                    <label for="acting">{tr("acting_for")}</label>
                    <select id="acting" prop:value=move || acting.get() on:change=move |ev| acting.set(event_target_value(&ev))>
                        {personal.then(|| view! { <option value="">{tr("acting_personal")}</option> })}
                        {orgs.into_iter().map(|o| view! { <option value=o.org_id.clone()>{o.org_name.clone()}</option> }).collect_view()}
                    </select>
                    <FieldError problems=problems section=Section::Org/>
                    <label><span class="req">"*"</span>{tr("upload_files")}</label>
                    <label class="dropzone" id="dropzone" class:dragging=move || dragging.get()
                        on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                        on:dragleave=move |_| dragging.set(false)
                        on:drop=on_drop>
                        <input type="file" id="file-input" accept="application/pdf,.pdf" multiple class="visually-hidden" on:change=on_pick/>
                        <span class="link">{tr("choose_files")}</span>
                        " "{tr("drop_hint")}
                    </label>
                }
            })}
            {source.map(|src| view! {
                {move || match src.get() {
                    None => view! { <p class="muted">{tr("loading")}</p> }.into_any(),
                    Some(Err(e)) => view! { <div class="error" role="alert">{e.message}</div> }.into_any(),
                    Some(Ok(_)) => view! { <p id="forward-source">{tr("forward_docs")}</p> }.into_any(),
                }}
            })}
            <FileTable entries=entries progress=progress editable=!forwarding remove=remove_file/>
            <FieldError problems=problems section=Section::Files/>
            <label for="deadline">{tr("deadline")}</label>
            <input id="deadline" type="date" bind:value=deadline/>
            <FieldError problems=problems section=Section::Deadline/>
            <div class="actions">
                <button type="button" id="to-signers" disabled=move || entries.with(Vec::is_empty)
                    on:click=move |_| stage.set(2)>{tr("next_step")}</button>
            </div>
        </section>

        // Stage 2: 盖章参与方选择.
        <section class="stage" id="stage-signers" class:hidden=move || stage.get() != 2>
            <p id="signers-for">{tr("signers_for_prefix")}<strong>{doc_names}</strong>{tr("signers_for_suffix")}</p>
            <label class="check"><input type="checkbox" id="myself" prop:checked=myself on:change=toggle_myself/>
                {tr("sign_myself")}</label>
            <form class="row lookup" on:submit=search>
                <input id="signer-entry" type="text" bind:value=entry placeholder=tr("signer_entry_ph")/>
                <button type="submit" id="signer-search">{tr("search")}</button>
            </form>
            <p class="muted">{tr("signer_entry_hint")}</p>
            <table id="signer-results">
                <thead><tr>
                    <th>{tr("col_no")}</th>
                    <th>{tr("col_person")}</th>
                    <th>{tr("phone")}</th>
                    <th>{tr("col_units")}</th>
                    <th>{tr("col_actions")}</th>
                </tr></thead>
                <tbody>
                    {move || match found.get() {
                        Some(Ok(Some((m, who)))) => {
                            let units = m.organizations.iter().map(|o| o.org_name.clone()).collect::<Vec<_>>().join("、");
                            let pick = (m.clone(), who);
                            view! { <tr class="found">
                                <td>"1"</td><td>{m.name.clone()}</td><td>{m.phone_masked.clone()}</td><td>{units}</td>
                                <td><button type="button" id="choose-signer" class="secondary" on:click=move |_| choose(pick.clone())>
                                    {tr("choose")}</button></td>
                            </tr> }.into_any()
                        }
                        Some(Ok(None)) => view! { <tr><td colspan="5" class="muted" id="no-match">{tr("no_signer_match")}</td></tr> }.into_any(),
                        Some(Err(m)) => view! { <tr><td colspan="5" class="error" id="lookup-error">{m}</td></tr> }.into_any(),
                        None => view! { <tr><td colspan="5" class="muted">{tr("no_data_search")}</td></tr> }.into_any(),
                    }}
                </tbody>
            </table>
            <p class="muted">{tr("total_prefix")}" "{move || usize::from(matches!(found.get(), Some(Ok(Some(_)))))}" "{tr("total_suffix")}</p>

            <h3>{tr("chosen_signers")}</h3>
            <p class="muted">{tr("order_hint")}</p>
            <table id="signer-rows">
                <thead><tr>
                    <th>{tr("col_order")}</th>
                    <th>{tr("col_signer")}</th>
                    <th>{tr("col_mode")}</th>
                    <th>{tr("col_seal_kind")}</th>
                    <th>{tr("col_org")}</th>
                    <th>{tr("col_description")}</th>
                    <th>{tr("col_actions")}</th>
                </tr></thead>
                <tbody>
                    {move || rows.get().into_iter().enumerate().map(|(i, r)| {
                        let e = r.entry.clone();
                        view! { <tr class="signer-row">
                            <td><input type="number" min="1" max="1000" class="order" prop:value=e.order.to_string()
                                on:change=move |ev| { let v = event_target_value(&ev).parse().unwrap_or(1); edit(i, Box::new(move |x| x.order = v)) }/></td>
                            <td class="who">{r.label.clone()}</td>
                            <td><select class="mode" on:change=move |ev| { let v = event_target_value(&ev); edit(i, Box::new(move |x| x.mode = v.clone())) }>
                                {MODES.iter().map(|m| view! { <option value=*m selected={e.mode == *m}>{tr(m)}</option> }).collect_view()}
                            </select></td>
                            <td><select class="seal-kind" on:change=move |ev| { let v = event_target_value(&ev); edit(i, Box::new(move |x| x.seal_kind = v.clone())) }>
                                {SEAL_KINDS.iter().map(|k| {
                                    let key = match *k { "any" => "seal_any", "personal" => "seal_personal", _ => "seal_org" };
                                    view! { <option value=*k selected={e.seal_kind == *k}>{tr(key)}</option> }
                                }).collect_view()}
                            </select></td>
                            <td><select class="org" on:change=move |ev| { let v = event_target_value(&ev); edit(i, Box::new(move |x| x.org_id = Some(v.clone()).filter(|v| !v.is_empty()))) }>
                                <option value="">{tr("acting_personal")}</option>
                                {r.orgs.iter().map(|o| view! { <option value=o.org_id.clone() selected={e.org_id.as_deref() == Some(o.org_id.as_str())}>{o.org_name.clone()}</option> }).collect_view()}
                            </select></td>
                            <td><input type="text" class="description" prop:value=e.description.clone() placeholder=tr("description_ph")
                                on:change=move |ev| { let v = event_target_value(&ev); edit(i, Box::new(move |x| x.description = v.clone())) }/></td>
                            <td><button type="button" class="link remove-signer" on:click=move |_| rows.update(|r| { if i < r.len() { r.remove(i); } })>
                                {tr("remove")}</button></td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
            <FieldError problems=problems section=Section::Signers/>
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| stage.set(1)>{tr("prev_step")}</button>
                <button type="button" id="to-review" disabled=move || rows.with(Vec::is_empty)
                    on:click=move |_| stage.set(3)>{tr("next_step")}</button>
            </div>
        </section>

        // Stage 3: review and send.
        <section class="stage" id="stage-review" class:hidden=move || stage.get() != 3>
            <dl class="review">
                <dt>{tr("contract_name")}</dt><dd id="review-name">{move || name.get()}</dd>
                <dt>{tr("deadline")}</dt>
                <dd>{move || Some(deadline.get()).filter(|d| !d.is_empty()).unwrap_or_else(|| t(lang.get(), "none").into())}</dd>
                <dt>{tr("chosen_signers")}</dt>
                <dd><ol id="review-signers">{move || {
                    let mut r = rows.get();
                    r.sort_by_key(|x| x.entry.order);
                    r.into_iter().map(|x| view! { <li>{x.entry.order}" · "{x.label}" · "{move || t(lang.get(), match x.entry.mode.as_str() { "mobile" => "mobile", "any" => "any", _ => "pc" })}</li> }).collect_view()
                }}</ol></dd>
            </dl>
            <FileTable entries=entries progress=progress editable=false remove=remove_file/>
            <FieldError problems=problems section=Section::Form/>
            <Show when=move || busy.get() && progress.with(|p| !p.is_empty() && p.iter().all(|x| *x >= 1.0))>
                <p class="muted" id="processing">{tr("processing")}</p>
            </Show>
            <div class="actions">
                <button type="button" class="secondary" disabled=move || busy.get() on:click=move |_| stage.set(2)>{tr("prev_step")}</button>
                {(!forwarding).then(|| view! {
                    <button type="button" class="secondary" id="save-draft" disabled=move || busy.get() on:click=draft.clone()>{tr("save_draft")}</button>
                })}
                <button type="button" id="start-task" disabled=move || busy.get() on:click=start.clone()>{tr("start_task")}</button>
            </div>
        </section>
    }
}

/// Uploads the files and the request in one multipart POST, with each file's progress.
#[allow(clippy::too_many_arguments)]
async fn upload(
    s: crate::session::Session,
    name: RwSignal<String>,
    acting: RwSignal<String>,
    signers: &[SignerEntry],
    deadline: Option<chrono::DateTime<chrono::Utc>>,
    start: bool,
    files: RwSignal<Vec<web_sys::File>, LocalStorage>,
    entries: RwSignal<Vec<FileEntry>>,
    progress: RwSignal<Vec<f64>>,
) -> Result<TaskView, ApiErr> {
    let lang = s.lang.get_untracked();
    let network = |_| ApiErr {
        code: "network_error".into(),
        message: t(lang, "network_error").into(),
        field: None,
    };
    let list = entries.get_untracked();
    let org = Some(acting.get_untracked()).filter(|o| !o.is_empty());
    let req = wizard::request(&name.get_untracked(), &list, signers, deadline, org, start);
    let form = web_sys::FormData::new().map_err(network)?;
    let json = serde_json::to_string(&req).unwrap_or_default();
    form.append_with_str("request", &json).map_err(network)?;
    for (i, f) in files.get_untracked().iter().enumerate() {
        form.append_with_blob_and_filename(&wizard::part_name(i), f, &f.name())
            .map_err(network)?;
    }
    let sizes: Vec<u64> = list.iter().map(|f| f.size).collect();
    progress.set(vec![0.0; sizes.len()]);
    let report: Rc<dyn Fn(f64, f64)> = Rc::new(move |sent, total| {
        // The page may have been left since.
        progress.try_set(wizard::file_progress(&sizes, sent, total));
    });
    api::authed_upload(s, "/api/v1/tasks", &form, report).await
}

/// The files: number, name (editable before sending), size, upload progress, remove.
#[component]
fn FileTable(
    entries: RwSignal<Vec<FileEntry>>,
    progress: RwSignal<Vec<f64>>,
    editable: bool,
    remove: impl Fn(usize) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let rename = move |i: usize, v: String| {
        entries.update(|e| {
            if let Some(f) = e.get_mut(i) {
                f.name = v;
            }
        })
    };
    view! {
        <Show when=move || entries.with(|e| !e.is_empty())>
            <table class="files" id=if editable { "file-table" } else { "review-files" }>
                <thead><tr>
                    <th>{tr("col_no")}</th>
                    <th>{tr("col_files")}</th>
                    <th>{tr("col_size")}</th>
                    <th>{tr("col_progress")}</th>
                    {editable.then(|| view! { <th>{tr("col_actions")}</th> })}
                </tr></thead>
                <tbody>
                    {move || entries.get().into_iter().enumerate().map(|(i, f)| {
                        let share = move || progress.with(|p| p.get(i).copied());
                        view! { <tr class="file-row">
                            <td>{i + 1}</td>
                            <td>{if editable {
                                view! { <input type="text" class="file-name" prop:value=f.name.clone()
                                    on:change=move |ev| rename(i, event_target_value(&ev))/> }.into_any()
                            } else {
                                view! { <span class="file-name">{f.name.clone()}</span> }.into_any()
                            }}</td>
                            <td>{crate::fmt::size(f.size)}</td>
                            <td class="progress-cell">
                                {move || share().map(|p| {
                                    let pm = crate::fmt::per_mille(p);
                                    view! {
                                        <progress max="1000" value=pm data-share=crate::fmt::mille_text(pm)></progress>
                                        " "{pm / 10}" %"
                                    }
                                })}
                            </td>
                            {editable.then(|| view! {
                                <td><button type="button" class="link remove-file" on:click=move |_| remove(i)>{tr("remove")}</button></td>
                            })}
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </Show>
    }
}
