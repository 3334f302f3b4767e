//! The document viewer (查看): a task's documents, their pages rendered by the server, and the
//! signatures already in them. Pages are placeholders of the right shape until they come
//! into view (an `IntersectionObserver`), so a 400-page document opens as fast as a short
//! one and only the pages looked at are requested; thumbnails show the images already
//! fetched and jump to a page; zoom from 50 % to 200 % of the column's width.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};
use signet_api::{DocumentSignatures, PageList, TaskView};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::verify::verdict_key;
use crate::api;
use crate::i18n::tr;
use crate::session::use_session;

const ZOOMS: [u32; 6] = [50, 75, 100, 125, 150, 200];

/// The rendering width asked of the server for a page shown `css_px` wide: device pixels,
/// in steps of 200 (so the server's cache is shared), within 200–2000.
fn render_width(css_px: f64, device_ratio: f64) -> u32 {
    let px = (css_px * device_ratio.max(1.0)).ceil() as u32;
    (px.div_ceil(200) * 200).clamp(200, 2000)
}

#[component]
pub fn Viewer() -> impl IntoView {
    let s = use_session();
    let params = use_params_map();
    let query = use_query_map();
    super::home::require_login();
    let task_id = move || params.with(|p| p.get("id").unwrap_or_default());
    let task = LocalResource::new(move || {
        let id = task_id();
        async move { api::authed_get::<TaskView>(s, &format!("/api/v1/tasks/{id}")).await }
    });
    view! {
        <main class="viewer-page">
            {move || match task.get() {
                        None => super::loading(),
                        Some(Err(e)) => super::failed(e),
                        Some(Ok(task)) => {
                            let chosen = query.with_untracked(|q| q.get("doc"));
                            let doc = chosen
                                .filter(|d| task.documents.iter().any(|x| &x.id == d))
                                .or_else(|| task.documents.first().map(|d| d.id.clone()))
                                .unwrap_or_default();
                            view! { <TaskDocuments task=task doc=doc/> }.into_any()
                        }
            }}
        </main>
    }
}

#[component]
fn TaskDocuments(task: TaskView, doc: String) -> impl IntoView {
    let current = RwSignal::new(doc);
    let docs = task.documents.clone();
    let id = task.id.clone();
    let name = task.name.clone();
    let here = Signal::derive(move || name.clone());
    view! {
        <super::account::Breadcrumbs steps=vec![(None, here)]/>
        <h1 id="viewer-title">{task.name.clone()}</h1>
        <div class="tabs" role="tablist">
            {docs.into_iter().map(|d| {
                let did = d.id.clone();
                let shown = d.id.clone();
                view! {
                    <button type="button" role="tab" class="doc-tab"
                        class:active=move || current.get() == shown
                        on:click=move |_| current.set(did.clone())>{d.name.clone()}</button>
                }
            }).collect_view()}
        </div>
        {move || {
            let doc = current.get();
            view! { <DocumentView task_id=id.clone() doc_id=doc/> }
        }}
    }
}

#[component]
fn DocumentView(task_id: String, doc_id: String) -> impl IntoView {
    let s = use_session();
    let base = format!("/api/v1/tasks/{task_id}/documents/{doc_id}");
    let pages = {
        let base = base.clone();
        LocalResource::new(move || {
            let base = base.clone();
            async move { api::authed_get::<PageList>(s, &format!("{base}/pages")).await }
        })
    };
    let signatures = {
        let base = base.clone();
        LocalResource::new(move || {
            let base = base.clone();
            async move { api::authed_get::<DocumentSignatures>(s, &format!("{base}/signatures")).await }
        })
    };
    let zoom = RwSignal::new(100u32);
    view! {
        <div class="viewer">
            {
                let base = base.clone();
                move || match pages.get() {
                    None => super::loading(),
                    Some(Err(e)) => super::failed(e),
                    Some(Ok(list)) => view! { <Pages base=base.clone() list=list zoom=zoom/> }.into_any(),
                }
            }
            <aside class="signatures">
                <div class="zoom">
                    <button type="button" class="secondary" id="zoom-out"
                        disabled={move || zoom.get() <= ZOOMS[0]}
                        on:click=move |_| zoom.update(|z| *z = ZOOMS.iter().rev().copied().find(|v| v < z).unwrap_or(*z))>"−"</button>
                    <span id="zoom-level">{move || format!("{} %", zoom.get())}</span>
                    <button type="button" class="secondary" id="zoom-in"
                        disabled={move || zoom.get() >= ZOOMS[ZOOMS.len() - 1]}
                        on:click=move |_| zoom.update(|z| *z = ZOOMS.iter().copied().find(|v| v > z).unwrap_or(*z))>"+"</button>
                    <button type="button" class="secondary" id="zoom-fit" on:click=move |_| zoom.set(100)>{tr("fit_width")}</button>
                </div>
                <h2>{tr("signatures_title")}</h2>
                {move || match signatures.get() {
                    None => super::loading(),
                    Some(Err(e)) => super::failed(e),
                    Some(Ok(sigs)) => view! { <SignatureList sigs=sigs/> }.into_any(),
                }}
            </aside>
        </div>
    }
}

#[component]
fn SignatureList(sigs: DocumentSignatures) -> impl IntoView {
    if sigs.signatures.is_empty() {
        return view! { <p class="muted" id="no-signatures">{tr("no_signatures")}</p> }.into_any();
    }
    let verdict: &'static str = verdict_key(&sigs.verdict);
    view! {
        <p id="file-verdict" class=format!("verdict {}", sigs.verdict)>{tr(verdict)}</p>
        <ol class="signature-list">
            {sigs.signatures.into_iter().map(|sig| {
                let v: &'static str = verdict_key(&sig.verdict);
                let kind = sig.kind.clone();
                view! {
                    <li class="signature" data-verdict=sig.verdict.clone()>
                        <strong class="signer">{sig.signer.clone().unwrap_or_default()}</strong>
                        {(kind == "document_timestamp").then(|| view! { " " <span class="muted">{tr("doc_timestamp")}</span> })}
                        <div class="muted">{sig.signed_at.map(crate::fmt::local_second).unwrap_or_default()}
                            {sig.level.clone().map(|l| format!(" · {l}"))}</div>
                        <div class="muted cert">{sig.issuer.clone().unwrap_or_default()}
                            {sig.serial.clone().map(|x| format!(" · {x}"))}</div>
                        <div class=format!("verdict {}", sig.verdict)>{tr(v)}</div>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// The pages of a document: placeholders of each page's shape; a page's image is fetched
/// once it comes near the view, and shown in its thumbnail too.
#[component]
fn Pages(base: String, list: PageList, zoom: RwSignal<u32>) -> impl IntoView {
    let s = use_session();
    let wanted = RwSignal::new(BTreeSet::<u32>::new());
    let images = RwSignal::new(BTreeMap::<u32, String>::new());
    let column = NodeRef::<leptos::html::Div>::new();

    // Which pages are in (or near) the view (the viewport, clipped by the page column that
    // scrolls them).
    let observer = StoredValue::new_local(None::<Watch>);
    Effect::new(move |_| {
        let Some(col) = column.get() else {
            return;
        };
        // Observed once the column is in the document and laid out: a target observed
        // before that counts as in view.
        request_animation_frame(move || observe(col, wanted, observer));
    });
    // Leaving the document: stop watching, and free the images fetched.
    on_cleanup(move || {
        if let Some(watch) = observer.try_update_value(Option::take).flatten() {
            watch.observer.disconnect();
        }
        if let Some(urls) = images.try_get_untracked() {
            for url in urls.values() {
                let _ = web_sys::Url::revoke_object_url(url);
            }
        }
    });

    // Fetch each wanted page once, at the width it is shown.
    let requested = StoredValue::new(BTreeSet::<u32>::new());
    let base_for_fetch = base.clone();
    Effect::new(move |_| {
        let want = wanted.get();
        let width = column
            .get_untracked()
            .map_or(800.0, |c| f64::from(c.client_width()))
            * f64::from(zoom.get_untracked())
            / 100.0;
        let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        for n in want {
            if requested.with_value(|r| r.contains(&n)) {
                continue;
            }
            requested.update_value(|r| {
                r.insert(n);
            });
            let path = format!(
                "{base_for_fetch}/pages/{n}?width={}",
                render_width(width, ratio)
            );
            spawn_local(async move {
                if let Ok(url) = api::authed_image(s, &path).await {
                    images.update(|m| {
                        m.insert(n, url);
                    });
                }
            });
        }
    });

    let items = list.items;
    let thumbs = items.clone();
    view! {
        <nav class="thumbs" aria-label="pages">
            {thumbs.into_iter().map(|p| {
                let n = p.number;
                let ratio = p.height / p.width.max(1.0);
                let jump = move |_| {
                    if let Some(el) = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.get_element_by_id(&format!("page-{n}")))
                    {
                        el.scroll_into_view();
                    }
                };
                view! {
                    <button type="button" class="thumb" data-thumb=n on:click=jump
                        style:aspect-ratio=format!("1 / {ratio:.4}")>
                        {move || images.with(|m| m.get(&n).cloned()).map(|src| view! { <img src=src alt=""/> })}
                        <span>{n}</span>
                    </button>
                }
            }).collect_view()}
        </nav>
        <div class="pages" node_ref=column>
            {items.into_iter().map(|p| {
                let n = p.number;
                let ratio = p.height / p.width.max(1.0);
                view! {
                    <div class="page" id=format!("page-{n}") data-page=n
                        style:width=move || format!("{}%", zoom.get()) style:aspect-ratio=format!("1 / {ratio:.4}")>
                        {move || images.with(|m| m.get(&n).cloned()).map(|src| view! { <img src=src alt=format!("{n}")/> })}
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

/// An observer and the callback it calls (kept alive as long as the observer is).
struct Watch {
    observer: web_sys::IntersectionObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

/// Watches the pages of `col`: a page near its view joins `wanted`.
fn observe(
    col: web_sys::HtmlDivElement,
    wanted: RwSignal<BTreeSet<u32>>,
    observer: StoredValue<Option<Watch>, LocalStorage>,
) {
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        for entry in entries.iter() {
            let Ok(entry) = entry.dyn_into::<web_sys::IntersectionObserverEntry>() else {
                continue;
            };
            if entry.is_intersecting()
                && let Some(n) = entry
                    .target()
                    .get_attribute("data-page")
                    .and_then(|v| v.parse::<u32>().ok())
            {
                wanted.try_update(|w| {
                    w.insert(n);
                });
            }
        }
    });
    let init = web_sys::IntersectionObserverInit::new();
    init.set_root_margin("100px 0px");
    let Ok(obs) =
        web_sys::IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &init)
    else {
        return;
    };
    if let Ok(nodes) = col.query_selector_all(".page") {
        for i in 0..nodes.length() {
            if let Some(el) = nodes
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                obs.observe(&el);
            }
        }
    }
    // The page may have been left before this frame: then nothing is kept watching.
    let watch = Watch {
        observer: obs,
        _callback: callback,
    };
    if let Some(unkept) = observer.try_set_value(Some(watch)).flatten() {
        unkept.observer.disconnect();
    }
}

#[cfg(test)]
mod tests {
    use super::render_width;

    #[test]
    fn render_widths_are_steps_of_200() {
        assert_eq!(render_width(700.0, 1.0), 800);
        assert_eq!(render_width(700.0, 2.0), 1400);
        assert_eq!(render_width(50.0, 1.0), 200);
        assert_eq!(render_width(5000.0, 1.0), 2000);
    }
}
