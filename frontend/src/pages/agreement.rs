//! An agreement (用户协议, 隐私政策) as a readable page: its title, version, date and text.
//! The text is the small Markdown subset the operator publishes — headings, paragraphs and
//! lists — rendered as elements (never as HTML, so nothing in it can run).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use signet_api::Agreement;

use crate::api;
use crate::i18n::tr;
use crate::session::use_session;

/// A block of the text.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(u8, String),
    Paragraph(String),
    /// Items, and whether they were numbered (`1.`).
    List(bool, Vec<String>),
}

/// Reads the Markdown subset: `#`–`######` headings, `-`/`*`/`1.` list items, and
/// paragraphs (lines joined until a blank line). Anything else is text.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut list: Vec<String> = Vec::new();
    let mut numbered = false;
    fn flush(out: &mut Vec<Block>, para: &mut Vec<&str>, list: &mut Vec<String>, numbered: bool) {
        if !para.is_empty() {
            out.push(Block::Paragraph(para.join(" ")));
            para.clear();
        }
        if !list.is_empty() {
            out.push(Block::List(numbered, std::mem::take(list)));
        }
    }
    for line in text.lines() {
        let l = line.trim();
        let hashes = l.chars().take_while(|c| *c == '#').count();
        let digits = l.chars().take_while(char::is_ascii_digit).count();
        let item = match l.strip_prefix("- ").or_else(|| l.strip_prefix("* ")) {
            Some(i) => Some((false, i)),
            None => (digits > 0)
                .then(|| l[digits..].strip_prefix(". "))
                .flatten()
                .map(|i| (true, i)),
        };
        if l.is_empty() {
            flush(&mut out, &mut para, &mut list, numbered);
        } else if (1..=6).contains(&hashes) && l[hashes..].starts_with(' ') {
            flush(&mut out, &mut para, &mut list, numbered);
            out.push(Block::Heading(hashes as u8, l[hashes..].trim().to_owned()));
        } else if let Some((ordered, item)) = item {
            if !para.is_empty() || (!list.is_empty() && ordered != numbered) {
                flush(&mut out, &mut para, &mut list, numbered);
            }
            numbered = ordered;
            list.push(item.trim().to_owned());
        } else {
            if !list.is_empty() {
                flush(&mut out, &mut para, &mut list, numbered);
            }
            para.push(l);
        }
    }
    flush(&mut out, &mut para, &mut list, numbered);
    out
}

#[component]
pub fn AgreementPage() -> impl IntoView {
    let lang = use_session().lang;
    let params = use_params_map();
    let doc = LocalResource::new(move || {
        let (kind, version) = params.with(|p| (p.get("kind"), p.get("version")));
        let l = lang.get();
        async move {
            let path = format!(
                "/api/v1/agreements/{}/{}",
                kind.unwrap_or_default(),
                version.unwrap_or_default()
            );
            api::get::<Agreement>(&path, l, None).await
        }
    });
    view! {
        <main class="agreement">
            {move || match doc.get() {
                        None => super::loading(),
                        Some(Err(e)) => super::failed(e),
                        Some(Ok(a)) => view! {
                            <h1 id="agreement-title">{a.summary.title.clone()}</h1>
                            <p class="muted">{tr("agreement_version")}" "{a.summary.version}" · "
                                {crate::fmt::local_day(a.summary.published_at)}</p>
                            <article id="agreement-body">
                                {blocks(&a.body).into_iter().map(|b| match b {
                                    Block::Heading(1 | 2, t) => view! { <h2>{t}</h2> }.into_any(),
                                    Block::Heading(_, t) => view! { <h3>{t}</h3> }.into_any(),
                                    Block::Paragraph(t) => view! { <p>{t}</p> }.into_any(),
                                    Block::List(true, items) => view! {
                                        <ol>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ol>
                                    }.into_any(),
                                    Block::List(false, items) => view! {
                                        <ul>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
                                    }.into_any(),
                                }).collect_view()}
                            </article>
                        }.into_any(),
            }}
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_and_lists() {
        let text = "# 用户协议\n\n第一条 本协议\n适用于全部用户。\n\n## 权利\n- 查看\n- 下载\n1. 一\n2. 二\n\n#不是标题\n<script>x</script>";
        assert_eq!(
            blocks(text),
            vec![
                Block::Heading(1, "用户协议".into()),
                Block::Paragraph("第一条 本协议 适用于全部用户。".into()),
                Block::Heading(2, "权利".into()),
                Block::List(false, vec!["查看".into(), "下载".into()]),
                Block::List(true, vec!["一".into(), "二".into()]),
                Block::Paragraph("#不是标题 <script>x</script>".into()),
            ]
        );
        assert_eq!(blocks(""), vec![]);
    }
}
