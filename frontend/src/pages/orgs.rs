//! 企业管理: my organisations and my invitations (accept or decline); create an organisation
//! (name and 统一社会信用代码); for one I administer, its members with roles and the 发起权限
//! grant (change a role, grant or withdraw, remove — the last-admin rule answers with its own
//! message), and invitations by phone (send, revoke).

use leptos::prelude::*;
use leptos::task::spawn_local;
use signet_api::{
    CreateInvitation, CreateOrg, Invitation, InvitationList, InvitationStatus, Member, MemberList,
    Org, OrgList, Role, UpdateMember,
};

use super::account::Breadcrumbs;
use super::{Messages, Outcome};
use crate::api::{self, Method};
use crate::i18n::{label, t, tr};
use crate::session::use_session;

fn day(t: chrono::DateTime<chrono::Utc>) -> String {
    crate::fmt::local_day(t)
}

#[component]
pub fn OrgsPage() -> impl IntoView {
    let s = use_session();
    super::home::require_login();
    let out = Outcome::new();
    let data = LocalResource::new(move || {
        out.version.track();
        async move {
            let orgs = api::authed_get::<OrgList>(s, "/api/v1/orgs?page_size=100").await?;
            let mine = api::authed_get::<InvitationList>(s, "/api/v1/me/invitations?page_size=100")
                .await?;
            Ok::<_, api::ApiErr>((orgs, mine))
        }
    });
    // The organisation whose members are shown.
    let open = RwSignal::new(None::<String>);

    let name = RwSignal::new(String::new());
    let uscc = RwSignal::new(String::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateOrg {
            name: name.get_untracked().trim().to_owned(),
            uscc: Some(uscc.get_untracked().trim().to_owned()).filter(|u| !u.is_empty()),
        };
        spawn_local(async move {
            let r = api::authed_json::<_, Org>(s, Method::Post, "/api/v1/orgs", &body).await;
            if let Ok(org) = &r {
                name.set(String::new());
                uscc.set(String::new());
                open.set(Some(org.id.clone()));
            }
            out.of(r, "org_created");
        });
    };
    view! {
        <main class="wide orgs-page">
            <Breadcrumbs steps=vec![(None, label("orgs_title"))]/>
            <h1>{tr("orgs_title")}</h1>
            <Messages error=out.error notice=out.notice/>
            {move || match data.get() {
                        None => super::loading(),
                        Some(Err(e)) => super::failed(e),
                        Some(Ok((orgs, mine))) => view! {
                            <MyInvitations items=mine.items out=out/>
                            <OrgTable orgs=orgs.items open=open/>
                        }.into_any(),
            }}
            {move || open.get().map(|org| view! { <OrgMembers org=org out=out/> })}
            <h2>{tr("org_create_title")}</h2>
            <form class="inline" id="create-org" on:submit=create>
                <label>{tr("org_name")}
                    <input type="text" id="org-name" bind:value=name/></label>
                <label>{tr("org_uscc")}
                    <input type="text" id="org-uscc" bind:value=uscc placeholder=tr("org_uscc_ph")/></label>
                <button type="submit" id="create-org-submit">{tr("org_create")}</button>
            </form>
        </main>
    }
}

#[component]
fn MyInvitations(items: Vec<Invitation>, out: Outcome) -> impl IntoView {
    let s = use_session();
    let pending: Vec<Invitation> = items
        .into_iter()
        .filter(|i| i.status == InvitationStatus::Pending)
        .collect();
    let answer = move |id: String, accept: bool| {
        let verb = if accept { "accept" } else { "decline" };
        spawn_local(async move {
            let r = api::authed_json_empty(
                s,
                Method::Post,
                &format!("/api/v1/me/invitations/{id}/{verb}"),
                &crate::api::Empty {},
            )
            .await;
            out.of(
                r,
                if accept {
                    "invitation_accepted"
                } else {
                    "invitation_declined"
                },
            );
        });
    };
    (!pending.is_empty()).then(|| {
        view! {
            <h2>{tr("my_invitations")}</h2>
            <ul class="invitations" id="my-invitations">
                {pending.into_iter().map(|i| {
                    let (a, d) = (i.id.clone(), i.id.clone());
                    let role = i.role.as_str();
                    view! { <li class="invitation" data-invitation=i.id.clone()>
                        <strong>{i.org_name.clone()}</strong>" · "{tr(role)}" · "{tr("invited_by")}" "{i.invited_by.clone()}
                        " · "{tr("expires")}" "{day(i.expires_at)}" "
                        <button type="button" class="accept" on:click=move |_| answer(a.clone(), true)>{tr("accept")}</button>" "
                        <button type="button" class="secondary decline" on:click=move |_| answer(d.clone(), false)>{tr("decline")}</button>
                    </li> }
                }).collect_view()}
            </ul>
        }
    })
}

#[component]
fn OrgTable(orgs: Vec<Org>, open: RwSignal<Option<String>>) -> impl IntoView {
    if orgs.is_empty() {
        return view! { <p class="muted" id="no-orgs">{tr("no_orgs")}</p> }.into_any();
    }
    view! {
        <table id="org-table">
            <thead><tr>
                <th>{tr("org_name")}</th>
                <th>{tr("org_uscc")}</th>
                <th>{tr("org_verified")}</th>
                <th>{tr("role")}</th>
                <th>{tr("grants")}</th>
                <th>{tr("col_actions")}</th>
            </tr></thead>
            <tbody>
                {orgs.into_iter().map(|o| {
                    let id = o.id.clone();
                    let role = o.my_role.as_str();
                    let initiate = o.my_grants.iter().any(|g| g == "initiate") || o.my_role == Role::Admin;
                    view! { <tr class="org" data-org=o.id.clone()>
                        <td class="org-name">{o.name.clone()}</td>
                        <td>{o.uscc.clone().unwrap_or_default()}</td>
                        <td>{tr(if o.verified { "org_is_verified" } else { "org_not_verified" })}</td>
                        <td>{tr(role)}</td>
                        <td>{tr(if initiate { "initiate" } else { "none" })}</td>
                        <td><button type="button" class="link op-members" on:click=move |_| open.set(Some(id.clone()))>{tr("org_members")}</button></td>
                    </tr> }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The members of one organisation, and for its admins the means to manage them.
#[component]
fn OrgMembers(org: String, out: Outcome) -> impl IntoView {
    let s = use_session();
    let data = LocalResource::new({
        let org = org.clone();
        move || {
            out.version.track();
            let org = org.clone();
            async move {
                let this = api::authed_get::<Org>(s, &format!("/api/v1/orgs/{org}")).await?;
                let members = api::authed_get::<MemberList>(
                    s,
                    &format!("/api/v1/orgs/{org}/members?page_size=100"),
                )
                .await?;
                // Only admins may see the organisation's invitations.
                let invitations = if this.my_role == Role::Admin {
                    api::authed_get::<InvitationList>(
                        s,
                        &format!("/api/v1/orgs/{org}/invitations?page_size=100"),
                    )
                    .await?
                    .items
                } else {
                    Vec::new()
                };
                Ok::<_, api::ApiErr>((this, members.items, invitations))
            }
        }
    });
    view! {
        <section class="org-members" id="org-members">
            {move || match data.get() {
                        None => super::loading(),
                        Some(Err(e)) => super::failed(e),
                        Some(Ok((this, members, invitations))) => {
                            let admin = this.my_role == Role::Admin;
                            view! {
                                <h2 id="members-title">{this.name.clone()}" · "{tr("org_members")}</h2>
                                <MemberTable org=this.id.clone() members=members admin=admin out=out/>
                                {admin.then(|| view! { <Invitations org=this.id.clone() items=invitations out=out/> })}
                            }.into_any()
                        }
            }}
        </section>
    }
}

#[component]
fn MemberTable(org: String, members: Vec<Member>, admin: bool, out: Outcome) -> impl IntoView {
    let s = use_session();
    let org = StoredValue::new(org);
    let update = move |user: String, body: UpdateMember| {
        spawn_local(async move {
            let path = format!("/api/v1/orgs/{}/members/{user}", org.get_value());
            let r = api::authed_json::<_, Member>(s, Method::Patch, &path, &body).await;
            out.of(r, "member_updated");
        });
    };
    let remove = move |user: String| {
        let lang = s.lang.get_untracked();
        let sure = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(t(lang, "member_remove_confirm"))
                    .ok()
            })
            .unwrap_or(false);
        if !sure {
            return;
        }
        spawn_local(async move {
            let path = format!("/api/v1/orgs/{}/members/{user}", org.get_value());
            let r = api::authed_json_empty(s, Method::Delete, &path, &crate::api::Empty {}).await;
            out.of(r, "member_removed");
        });
    };
    view! {
        <table id="member-table">
            <thead><tr>
                <th>{tr("real_name")}</th>
                <th>{tr("account")}</th>
                <th>{tr("phone")}</th>
                <th>{tr("role")}</th>
                <th>{tr("grants")}</th>
                <th>{tr("joined_at")}</th>
                {admin.then(|| view! { <th>{tr("col_actions")}</th> })}
            </tr></thead>
            <tbody>
                {members.into_iter().map(|m| {
                    let role = m.role.as_str();
                    let is_admin = m.role == Role::Admin;
                    let initiate = m.grants.iter().any(|g| g == "initiate");
                    let (u1, u2, u3) = (m.user_id.clone(), m.user_id.clone(), m.user_id.clone());
                    view! { <tr class="member" data-user=m.user_id.clone()>
                        <td class="member-name">{m.real_name.clone()}</td>
                        <td>{m.account_name.clone()}</td>
                        <td>{m.phone_masked.clone()}</td>
                        <td class="member-role">{tr(role)}</td>
                        <td class="member-grants">{tr(if is_admin || initiate { "initiate" } else { "none" })}</td>
                        <td>{day(m.joined_at)}</td>
                        {admin.then(|| view! { <td class="ops">
                            <button type="button" class="link op-role" on:click=move |_| update(u1.clone(), UpdateMember {
                                role: Some(if is_admin { "member" } else { "admin" }.into()),
                                grants: None,
                            })>{tr(if is_admin { "make_member" } else { "make_admin" })}</button>
                            {(!is_admin).then(|| view! {
                                <button type="button" class="link op-grant" on:click=move |_| update(u2.clone(), UpdateMember {
                                    role: None,
                                    grants: Some(if initiate { Vec::new() } else { vec!["initiate".into()] }),
                                })>{tr(if initiate { "withdraw_initiate" } else { "grant_initiate" })}</button>
                            })}
                            <button type="button" class="link op-remove" on:click=move |_| remove(u3.clone())>{tr("remove")}</button>
                        </td> })}
                    </tr> }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Invitations(org: String, items: Vec<Invitation>, out: Outcome) -> impl IntoView {
    let s = use_session();
    let org = StoredValue::new(org);
    let phone = RwSignal::new(String::new());
    let role = RwSignal::new("member".to_owned());
    let invite = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateInvitation {
            phone: phone.get_untracked().trim().to_owned(),
            role: Some(role.get_untracked()),
        };
        spawn_local(async move {
            let path = format!("/api/v1/orgs/{}/invitations", org.get_value());
            let r = api::authed_json::<_, Invitation>(s, Method::Post, &path, &body).await;
            if r.is_ok() {
                phone.set(String::new());
            }
            out.of(r, "invitation_sent");
        });
    };
    let revoke = move |id: String| {
        spawn_local(async move {
            let path = format!("/api/v1/orgs/{}/invitations/{id}", org.get_value());
            let r = api::authed_json_empty(s, Method::Delete, &path, &crate::api::Empty {}).await;
            out.of(r, "invitation_revoked");
        });
    };
    let pending: Vec<Invitation> = items
        .into_iter()
        .filter(|i| i.status == InvitationStatus::Pending)
        .collect();
    view! {
        <h3>{tr("org_invitations")}</h3>
        <form class="inline" id="invite-form" on:submit=invite>
            <label>{tr("phone")}
                <input type="tel" id="invite-phone" bind:value=phone placeholder=tr("phone_ph")/></label>
            <label>{tr("role")}
                <select id="invite-role" on:change=move |ev| role.set(event_target_value(&ev))>
                    <option value="member">{tr("member")}</option>
                    <option value="admin">{tr("admin")}</option>
                </select></label>
            <button type="submit" id="invite-submit">{tr("invite")}</button>
        </form>
        <ul class="invitations" id="org-invitations">
            {pending.into_iter().map(|i| {
                let id = i.id.clone();
                let role = i.role.as_str();
                view! { <li class="invitation">
                    {i.phone_masked.clone()}" · "{tr(role)}" · "{tr("expires")}" "{day(i.expires_at)}" "
                    <button type="button" class="link op-revoke" on:click=move |_| revoke(id.clone())>{tr("revoke_invitation")}</button>
                </li> }
            }).collect_view()}
        </ul>
    }
}
