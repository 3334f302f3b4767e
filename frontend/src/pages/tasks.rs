//! The task lists of the home page (主页): tabs 待签署 (with its count) / 已签署 / 我发起,
//! search by file name, initiator, created days and status, paging, and each task's steps
//! and signing history. The list's query lives in the address bar (`?list=…&page=…`), so a
//! reload or a shared link shows the same rows; the buttons of a row are the task's
//! `operations` as the server gives them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_location, use_navigate};
use signet_api::{AuditTrail, CountView, TaskList, TaskListQuery, TaskView};
use signet_domain::task_access::Operation;
use signet_domain::workflow::TaskState;

use crate::api;
use crate::i18n::{t, tr};
use crate::session::use_session;

const LISTS: [(&str, &str); 3] = [
    ("to_sign", "tab_to_sign"),
    ("signed", "tab_signed"),
    ("initiated", "tab_initiated"),
];
const PAGE_SIZES: [u64; 3] = [10, 20, 50];
const STATES: [TaskState; 6] = [
    TaskState::Draft,
    TaskState::InProgress,
    TaskState::Completed,
    TaskState::Rejected,
    TaskState::Cancelled,
    TaskState::Expired,
];

/// The query of the address bar, or the first tab's.
fn current_query(search: &str) -> TaskListQuery {
    TaskListQuery::from_query(search)
        .filter(|q| LISTS.iter().any(|(l, _)| *l == q.list))
        .unwrap_or_else(|| TaskListQuery {
            list: "to_sign".into(),
            ..Default::default()
        })
}

fn local_time(t: chrono::DateTime<chrono::Utc>) -> String {
    crate::fmt::local_minute(t)
}

fn event_key(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "task_created" => "ev_task_created",
        "task_started" => "ev_task_started",
        "step_activated" => "ev_step_activated",
        "step_signed" => "ev_step_signed",
        "step_rejected" => "ev_step_rejected",
        "task_completed" => "ev_task_completed",
        "task_rejected" => "ev_task_rejected",
        "task_cancelled" => "ev_task_cancelled",
        "task_expired" => "ev_task_expired",
        "task_forwarded" => "ev_task_forwarded",
        "page_viewed" => "ev_page_viewed",
        "document_downloaded" => "ev_document_downloaded",
        "documents_downloaded" => "ev_documents_downloaded",
        "evidence_exported" => "ev_evidence_exported",
        _ => return None,
    })
}

#[component]
pub fn TaskBoard() -> impl IntoView {
    let s = use_session();
    let location = use_location();
    let navigate = use_navigate();
    let query = Memo::new(move |_| current_query(&location.search.get()));

    // The search form, filled from the address bar (again whenever it changes: a tab, a
    // page, the browser's back button).
    let name = RwSignal::new(String::new());
    let initiator = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    Effect::new(move |_| {
        let q = query.get();
        let (first, last) = q.days();
        let day = |d: Option<chrono::NaiveDate>| d.map(crate::fmt::date).unwrap_or_default();
        name.set(q.name.clone().unwrap_or_default());
        initiator.set(q.initiator.clone().unwrap_or_default());
        from.set(day(first));
        to.set(day(last));
        status.set(q.status.clone().unwrap_or_default());
    });
    let goto = RwSignal::new(String::new());

    let go = {
        let navigate = navigate.clone();
        move |q: TaskListQuery| navigate(&format!("/?{}", q.to_query()), Default::default())
    };
    let rows = LocalResource::new(move || {
        let q = query.get();
        async move { api::authed_get::<TaskList>(s, &format!("/api/v1/tasks?{}", q.to_query())).await }
    });
    let to_sign = LocalResource::new(move || {
        query.track();
        async move { api::authed_get::<CountView>(s, "/api/v1/tasks/to_sign/count").await }
    });

    let search = {
        let go = go.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let day = |v: String| chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok();
            let text = |v: String| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
            let mut q = TaskListQuery {
                list: query.get_untracked().list,
                name: text(name.get_untracked()),
                initiator: text(initiator.get_untracked()),
                status: text(status.get_untracked()),
                page_size: query.get_untracked().page_size,
                ..Default::default()
            };
            q.set_days(day(from.get_untracked()), day(to.get_untracked()));
            go(q);
        }
    };
    let tab = {
        let go = go.clone();
        move |list: &'static str| {
            let go = go.clone();
            move |_| {
                go(TaskListQuery {
                    list: list.into(),
                    page_size: query.get_untracked().page_size,
                    ..Default::default()
                })
            }
        }
    };
    let to_page = {
        let go = go.clone();
        move |page: u64| {
            go(TaskListQuery {
                page: Some(page),
                ..query.get_untracked()
            })
        }
    };
    let size_changed = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            let size = event_target_value(&ev).parse().ok();
            go(TaskListQuery {
                page: None,
                page_size: size,
                ..query.get_untracked()
            })
        }
    };

    view! {
        <section class="board">
            <div class="tabs" role="tablist">
                {LISTS.iter().map(|(list, key)| {
                    let list: &'static str = list;
                    view! {
                        <button type="button" role="tab" id=format!("tab-{list}")
                            class:active=move || query.get().list == list
                            on:click=tab(list)>
                            {tr(key)}
                            {(list == "to_sign").then(|| view! {
                                {move || to_sign.get().and_then(Result::ok).filter(|c| c.count > 0).map(|c| view! {
                                    <span class="badge" id="to-sign-count">{c.count}</span>
                                })}
                            })}
                        </button>
                    }
                }).collect_view()}
            </div>
            <form class="search" on:submit=search>
                <label>{tr("search_name")}
                    <input type="text" id="search-name" bind:value=name/></label>
                <label>{tr("search_initiator")}
                    <input type="text" id="search-initiator" bind:value=initiator/></label>
                <label>{tr("search_from")}
                    <input type="date" id="search-from" bind:value=from/></label>
                <label>{tr("search_to")}
                    <input type="date" id="search-to" bind:value=to/></label>
                <Show when=move || query.get().list == "initiated">
                    <label>{tr("search_status")}
                        <select id="search-status" prop:value=move || status.get()
                            on:change=move |ev| status.set(event_target_value(&ev))>
                            <option value="">{tr("any_status")}</option>
                            {STATES.iter().map(|st| {
                                let v = st.as_str();
                                view! { <option value=v>{tr(v)}</option> }
                            }).collect_view()}
                        </select></label>
                </Show>
                <button type="submit" id="search-submit">{tr("search")}</button>
            </form>
            {move || match rows.get() {
                None => super::loading(),
                Some(Err(e)) => super::failed(e),
                Some(Ok(list)) => {
                    let initiated = query.get_untracked().list == "initiated";
                    view! { <TaskTable list=list initiated=initiated/> }.into_any()
                }
            }}
            {move || {
                    let to_page = to_page.clone();
                    let size_changed = size_changed.clone();
                        rows.get().and_then(Result::ok).map(|list| {
                            let pages = list.page_count();
                            let page = list.page;
                            let prev = to_page.clone();
                            let next = to_page.clone();
                            let jump = to_page.clone();
                            view! {
                                <nav class="pager" aria-label="pages">
                                    <span id="total">{tr("total_prefix")}" "{list.total}" "{tr("total_suffix")}</span>
                                    <select id="page-size" on:change=size_changed.clone()>
                                        {PAGE_SIZES.iter().map(|n| view! {
                                            <option value=n.to_string() selected={*n == list.page_size}>{*n}" "{tr("per_page")}</option>
                                        }).collect_view()}
                                    </select>
                                    <button type="button" class="secondary" id="prev-page" disabled={page <= 1}
                                        on:click=move |_| prev(page - 1)>{tr("prev_page")}</button>
                                    <span id="page-of">{page}" / "{pages}</span>
                                    <button type="button" class="secondary" id="next-page" disabled={page >= pages}
                                        on:click=move |_| next(page + 1)>{tr("next_page")}</button>
                                    <form class="goto" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                        ev.prevent_default();
                                        if let Ok(n) = goto.get_untracked().trim().parse::<u64>() {
                                            jump(n.clamp(1, pages));
                                        }
                                    }>
                                        {tr("goto_prefix")}
                                        <input type="text" inputmode="numeric" id="goto-page" size="3" bind:value=goto/>
                                        {tr("goto_suffix")}
                                    </form>
                                </nav>
                            }
                        })
            }}
        </section>
    }
}

#[component]
fn TaskTable(list: TaskList, initiated: bool) -> impl IntoView {
    if list.items.is_empty() {
        return view! { <p class="muted" id="no-tasks">{tr("no_tasks")}</p> }.into_any();
    }
    let first = (list.page - 1) * list.page_size;
    view! {
        <table class="tasks" id="task-table">
            <thead><tr>
                <th>{tr("col_no")}</th>
                <th>{tr("col_task")}</th>
                <th>{tr("col_files")}</th>
                <th>{tr("col_org")}</th>
                <th>{tr("col_initiator")}</th>
                <th>{tr("col_created")}</th>
                {initiated.then(|| view! { <th>{tr("col_status")}</th> })}
                <th>{tr("col_actions")}</th>
            </tr></thead>
            {list.items.into_iter().enumerate().map(|(i, task)| view! {
                <TaskRow n=first + i as u64 + 1 task=task initiated=initiated/>
            }).collect_view()}
        </table>
    }
    .into_any()
}

#[component]
fn TaskRow(n: u64, task: TaskView, initiated: bool) -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let open = RwSignal::new(false);
    let files = task
        .documents
        .iter()
        .map(|d| d.name.clone())
        .collect::<Vec<_>>()
        .join("、");
    let state = task.state.as_str();
    let ops = task.operations.clone();
    let has = move |op: Operation| ops.contains(&op);
    let (view_op, sign_op, more_op, download_op) = (
        has(Operation::View),
        has(Operation::Sign),
        has(Operation::InitiateMore),
        has(Operation::Download),
    );
    let id = task.id.clone();
    let name = task.name.clone();
    let failed = RwSignal::new(None::<String>);
    let download = move |_| {
        let (id, name) = (id.clone(), name.clone());
        spawn_local(async move {
            let path = format!("/api/v1/tasks/{id}/download");
            let result = api::authed_download(s, &path, &format!("{name}.zip")).await;
            failed.set(result.err().map(|e| e.message));
        });
    };
    let colspan = if initiated { 8 } else { 7 };
    let details = task.clone();
    view! {
        <tbody class="task" data-task=task.id.clone()>
            <tr>
                <td>{n}</td>
                <td class="task-name">{task.name.clone()}</td>
                <td class="files">{files}</td>
                <td>{match task.org_name.clone() {
                    Some(org) => org.into_any(),
                    // The seed's 所属公司 of a personal task: 无.
                    None => (tr("none")).into_any(),
                }}</td>
                <td>{task.initiator_name.clone()}</td>
                <td>{local_time(task.created_at)}</td>
                {initiated.then(|| view! { <td class="state">{tr(state)}</td> })}
                <td class="ops">
                    {view_op.then(|| view! {
                        <a class="link op-view" href=format!("/tasks/{}", task.id)>{tr("op_view")}</a>
                    })}
                    <button type="button" class="link op-details" on:click=move |_| open.update(|o| *o = !*o)>
                        {move || t(lang.get(), if open.get() { "op_hide" } else { "op_details" })}
                    </button>
                    {sign_op.then(|| view! {
                        <a class="button op-sign" href=format!("/tasks/{}/sign", task.id)>{tr("op_sign")}</a>
                    })}
                    {more_op.then(|| view! {
                        <a class="button secondary op-initiate" href=format!("/initiate?from={}", task.id)>{tr("op_initiate_more")}</a>
                    })}
                    {download_op.then(|| view! {
                        <button type="button" class="secondary op-download" on:click=download.clone()>{tr("op_download")}</button>
                    })}
                    {move || failed.get().map(|m| view! { <div class="error" role="alert">{m}</div> })}
                </td>
            </tr>
            <Show when=move || open.get()>
                <tr class="details"><td colspan=colspan>
                    <TaskDetails task=details.clone()/>
                </td></tr>
            </Show>
        </tbody>
    }
}

/// A task's steps (步骤信息) and its signing history (文件签署过程).
#[component]
fn TaskDetails(task: TaskView) -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let id = task.id.clone();
    let trail = LocalResource::new(move || {
        let id = id.clone();
        async move { api::authed_get::<AuditTrail>(s, &format!("/api/v1/tasks/{id}/events")).await }
    });
    let mut steps = task.steps.clone();
    steps.sort_by_key(|st| st.order);
    // A completed task: each document's public verification code, and for whoever may
    // download it, the signed evidence report (证据报告).
    let codes: Vec<(String, String)> = task
        .documents
        .iter()
        .filter_map(|d| d.verification_code.clone().map(|c| (d.name.clone(), c)))
        .collect();
    let may_download = task.operations.contains(&Operation::Download);
    let evidence_failed = RwSignal::new(None::<String>);
    let (task_id, task_name) = (task.id.clone(), task.name.clone());
    let evidence = move |_| {
        let (id, name) = (task_id.clone(), task_name.clone());
        let file = format!("{}-{name}.pdf", t(lang.get_untracked(), "evidence_report"));
        spawn_local(async move {
            let path = format!("/api/v1/tasks/{id}/evidence");
            let result = api::authed_download(s, &path, &file).await;
            evidence_failed.set(result.err().map(|e| e.message));
        });
    };
    view! {
        {(!codes.is_empty() || may_download).then(|| view! {
            <h3>{tr("evidence_title")}</h3>
            <ul class="codes">
                {codes.into_iter().map(|(name, code)| view! {
                    <li>{name}" · "{tr("verification_code")}": "
                        <a class="link verification-code" href=format!("/verify/{code}")>{code.clone()}</a></li>
                }).collect_view()}
            </ul>
            {may_download.then(|| view! {
                <button type="button" class="secondary op-evidence" on:click=evidence.clone()>{tr("evidence_download")}</button>
            })}
            {move || evidence_failed.get().map(|m| view! { <div class="error" role="alert">{m}</div> })}
        })}
        <h3>{tr("steps_title")}</h3>
        <table class="steps">
            <thead><tr>
                <th>{tr("col_step_no")}</th>
                <th>{tr("col_signer")}</th>
                <th>{tr("col_org")}</th>
                <th>{tr("col_step_status")}</th>
                <th>{tr("col_done_at")}</th>
                <th>{tr("col_mode")}</th>
                <th>{tr("col_description")}</th>
            </tr></thead>
            <tbody>
                {steps.into_iter().map(|st| {
                    let state = st.state.as_str();
                    let mode = st.mode.as_str();
                    view! { <tr class="step">
                        <td>{st.order}</td>
                        <td>{st.signer_name}</td>
                        <td>{st.org_name.unwrap_or_default()}</td>
                        <td>{tr(state)}</td>
                        <td>{st.signed_at.map(local_time).unwrap_or_default()}</td>
                        <td>{tr(mode)}</td>
                        <td>{st.description}</td>
                    </tr> }
                }).collect_view()}
            </tbody>
        </table>
        <h3>{tr("history_title")}</h3>
            {move || match trail.get() {
                    None => super::loading(),
                    Some(Err(e)) => super::failed(e),
                    Some(Ok(trail)) => view! {
                        <ol class="history">
                            {trail.items.into_iter().map(|e| {
                                let label = event_key(&e.kind);
                                let kind = e.kind.clone();
                                view! { <li>
                                    <span class="when">{local_time(e.at)}</span>" "
                                    <span class="who">{e.actor_name.unwrap_or_default()}</span>" "
                                    <span class="what">{move || label.map_or_else(|| kind.clone(), |k| t(lang.get(), k).to_owned())}</span>
                                </li> }
                            }).collect_view()}
                        </ol>
                    }.into_any(),
            }}
    }
}
