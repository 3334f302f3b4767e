//! Organisations: roles, grants, invitations, and isolation between organisations.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit as common;
use signet_server_testkit::on_both;

use common::{Person, TestApp, assert_problem};
use serde_json::{Value, json};

on_both!(
    create_invite_grant_and_remove,
    members_cannot_administer,
    cross_org_access_is_404
);

async fn create_org(app: &TestApp, token: &str, name: &str) -> String {
    let r = app
        .post("/api/v1/orgs", &json!({"name": name}), Some(token))
        .await;
    assert_eq!(r.status(), 201);
    let org: Value = r.json().await.unwrap();
    assert_eq!(org["my_role"], "admin");
    assert_eq!(org["verified"], false);
    org["id"].as_str().unwrap().to_owned()
}

/// Invites `who` to `org` and has them accept; returns their user id.
async fn join(app: &TestApp, admin: &str, org: &str, who: &Person, who_token: &str) -> String {
    let r = app
        .post(
            &format!("/api/v1/orgs/{org}/invitations"),
            &json!({"phone": who.phone}),
            Some(admin),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let mine: Value = app
        .get_json("/api/v1/me/invitations", Some(who_token))
        .await;
    let inv = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["org_id"] == org)
        .unwrap();
    let id = inv["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/me/invitations/{id}/accept"),
            &json!({}),
            Some(who_token),
        )
        .await;
    assert_eq!(r.status(), 200);
    let me: Value = app.get_json("/api/v1/me", Some(who_token)).await;
    me["id"].as_str().unwrap().to_owned()
}

async fn create_invite_grant_and_remove(app: TestApp) {
    let (a, b) = (Person::new(31), Person::new(32));
    let ta = app.signup(&a).await;
    let tb = app.signup(&b).await;
    let org = create_org(&app, &ta, "福建瑞术信息科技有限公司").await;
    assert_problem(
        app.post("/api/v1/orgs", &json!({"name": "x"}), Some(&ta))
            .await,
        400,
        "invalid_org_name",
    )
    .await;
    assert_problem(
        app.post(
            "/api/v1/orgs",
            &json!({"name": "有效名称", "uscc": "123"}),
            Some(&ta),
        )
        .await,
        400,
        "invalid_uscc",
    )
    .await;

    // An invitation to a phone nobody has registered yet is accepted the same way.
    let r = app
        .post(
            &format!("/api/v1/orgs/{org}/invitations"),
            &json!({"phone": "13911112222"}),
            Some(&ta),
        )
        .await;
    assert_eq!(r.status(), 201);
    let inv: Value = r.json().await.unwrap();
    assert_eq!(inv["phone_masked"], "139****2222");
    assert_problem(
        app.post(
            &format!("/api/v1/orgs/{org}/invitations"),
            &json!({"phone": "1"}),
            Some(&ta),
        )
        .await,
        400,
        "invalid_phone",
    )
    .await;
    assert_problem(
        app.post(
            &format!("/api/v1/orgs/{org}/invitations"),
            &json!({"phone": "13911112223", "role": "owner"}),
            Some(&ta),
        )
        .await,
        400,
        "invalid_role",
    )
    .await;

    let b_id = join(&app, &ta, &org, &b, &tb).await;
    // Joining twice is refused.
    let r = app
        .post(
            &format!("/api/v1/orgs/{org}/invitations"),
            &json!({"phone": b.phone}),
            Some(&ta),
        )
        .await;
    assert_problem(r, 409, "already_member").await;

    let members: Value = app
        .get_json(&format!("/api/v1/orgs/{org}/members"), Some(&tb))
        .await;
    assert_eq!(members["total"], 2);
    let b_row = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == b_id.as_str())
        .unwrap();
    assert_eq!(b_row["role"], "member");
    assert_eq!(b_row["grants"], json!([]));

    // The admin grants `initiate` (发起权限).
    let r = app
        .patch(
            &format!("/api/v1/orgs/{org}/members/{b_id}"),
            &json!({"grants": ["initiate"]}),
            &ta,
        )
        .await;
    assert_eq!(r.status(), 200);
    let me: Value = app.get_json("/api/v1/me", Some(&tb)).await;
    assert_eq!(me["organizations"][0]["grants"], json!(["initiate"]));
    let r = app
        .patch(
            &format!("/api/v1/orgs/{org}/members/{b_id}"),
            &json!({"grants": ["fly"]}),
            &ta,
        )
        .await;
    assert_problem(r, 400, "invalid_grant").await;

    // The last admin can neither step down nor be removed; with a second admin it can.
    let a_id = app
        .get("/api/v1/me", Some(&ta))
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .patch(
            &format!("/api/v1/orgs/{org}/members/{a_id}"),
            &json!({"role": "member"}),
            &ta,
        )
        .await;
    assert_problem(r, 409, "last_admin").await;
    assert_problem(
        app.delete(&format!("/api/v1/orgs/{org}/members/{a_id}"), &ta)
            .await,
        409,
        "last_admin",
    )
    .await;
    let r = app
        .patch(
            &format!("/api/v1/orgs/{org}/members/{b_id}"),
            &json!({"role": "admin"}),
            &ta,
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.delete(&format!("/api/v1/orgs/{org}/members/{a_id}"), &tb)
            .await
            .status(),
        204
    );
    assert_problem(
        app.get(&format!("/api/v1/orgs/{org}"), Some(&ta)).await,
        404,
        "org_not_found",
    )
    .await;

    // Invitations: listed for admins, revocable, and declined ones cannot be accepted.
    let list: Value = app
        .get_json(&format!("/api/v1/orgs/{org}/invitations"), Some(&tb))
        .await;
    assert_eq!(list["total"], 2);
    let pending = inv["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&format!("/api/v1/orgs/{org}/invitations/{pending}"), &tb)
            .await
            .status(),
        204
    );
    assert_problem(
        app.delete(&format!("/api/v1/orgs/{org}/invitations/{pending}"), &tb)
            .await,
        404,
        "invitation_not_found",
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/orgs/{org}/invitations"),
            &json!({"phone": a.phone}),
            Some(&tb),
        )
        .await;
    let again: Value = r.json().await.unwrap();
    let id = again["id"].as_str().unwrap();
    assert_eq!(
        app.post(
            &format!("/api/v1/me/invitations/{id}/decline"),
            &json!({}),
            Some(&ta)
        )
        .await
        .status(),
        204
    );
    assert_problem(
        app.post(
            &format!("/api/v1/me/invitations/{id}/accept"),
            &json!({}),
            Some(&ta),
        )
        .await,
        404,
        "invitation_not_found",
    )
    .await;
    let orgs: Value = app.get_json("/api/v1/orgs", Some(&tb)).await;
    assert_eq!(orgs["total"], 1);
    assert_eq!(orgs["page"], 1);
}

async fn members_cannot_administer(app: TestApp) {
    let (a, b) = (Person::new(33), Person::new(34));
    let ta = app.signup(&a).await;
    let tb = app.signup(&b).await;
    let org = create_org(&app, &ta, "甲公司").await;
    let b_id = join(&app, &ta, &org, &b, &tb).await;
    let r = app
        .patch(
            &format!("/api/v1/orgs/{org}/members/{b_id}"),
            &json!({"grants": ["initiate"]}),
            &tb,
        )
        .await;
    assert_problem(r, 403, "not_org_admin").await;
    let r = app
        .post(
            &format!("/api/v1/orgs/{org}/invitations"),
            &json!({"phone": "13911113333"}),
            Some(&tb),
        )
        .await;
    assert_problem(r, 403, "not_org_admin").await;
    assert_problem(
        app.get(&format!("/api/v1/orgs/{org}/invitations"), Some(&tb))
            .await,
        403,
        "not_org_admin",
    )
    .await;
    assert_problem(
        app.delete(&format!("/api/v1/orgs/{org}/members/{b_id}"), &tb)
            .await,
        403,
        "not_org_admin",
    )
    .await;
    // An invitation addressed to someone else cannot be accepted by b.
    let r = app
        .post(
            &format!("/api/v1/orgs/{org}/invitations"),
            &json!({"phone": "13911114444"}),
            Some(&ta),
        )
        .await;
    let inv: Value = r.json().await.unwrap();
    let id = inv["id"].as_str().unwrap();
    assert_problem(
        app.post(
            &format!("/api/v1/me/invitations/{id}/accept"),
            &json!({}),
            Some(&tb),
        )
        .await,
        404,
        "invitation_not_found",
    )
    .await;
}

async fn cross_org_access_is_404(app: TestApp) {
    let (a, b) = (Person::new(35), Person::new(36));
    let ta = app.signup(&a).await;
    let tb = app.signup(&b).await;
    let org_a = create_org(&app, &ta, "甲公司").await;
    let org_b = create_org(&app, &tb, "乙公司").await;
    let b_id = app
        .get("/api/v1/me", Some(&tb))
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post(
            &format!("/api/v1/orgs/{org_b}/invitations"),
            &json!({"phone": "13911115555"}),
            Some(&tb),
        )
        .await;
    let inv_b = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Every org-B resource, as a member (and admin) of org A: 404, the same as nonexistent.
    let gets = [
        format!("/api/v1/orgs/{org_b}"),
        format!("/api/v1/orgs/{org_b}/members"),
        format!("/api/v1/orgs/{org_b}/invitations"),
        "/api/v1/orgs/org_does_not_exist".to_owned(),
    ];
    for path in gets {
        assert_problem(app.get(&path, Some(&ta)).await, 404, "org_not_found").await;
    }
    let r = app
        .patch(
            &format!("/api/v1/orgs/{org_b}/members/{b_id}"),
            &json!({"role": "member"}),
            &ta,
        )
        .await;
    assert_problem(r, 404, "org_not_found").await;
    assert_problem(
        app.delete(&format!("/api/v1/orgs/{org_b}/members/{b_id}"), &ta)
            .await,
        404,
        "org_not_found",
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/orgs/{org_b}/invitations"),
            &json!({"phone": a.phone}),
            Some(&ta),
        )
        .await;
    assert_problem(r, 404, "org_not_found").await;
    assert_problem(
        app.delete(&format!("/api/v1/orgs/{org_b}/invitations/{inv_b}"), &ta)
            .await,
        404,
        "org_not_found",
    )
    .await;
    // Org A's admin cannot reach org B's invitation through org A either.
    assert_problem(
        app.delete(&format!("/api/v1/orgs/{org_a}/invitations/{inv_b}"), &ta)
            .await,
        404,
        "invitation_not_found",
    )
    .await;
    // Org A's admin cannot act on org B's member through org A.
    let r = app
        .patch(
            &format!("/api/v1/orgs/{org_a}/members/{b_id}"),
            &json!({"role": "admin"}),
            &ta,
        )
        .await;
    assert_problem(r, 404, "member_not_found").await;
    // Lists show only one's own organisations.
    let orgs: Value = app.get_json("/api/v1/orgs", Some(&ta)).await;
    assert_eq!(orgs["total"], 1);
    assert_eq!(orgs["items"][0]["id"], org_a.as_str());
    // ... paged.
    create_org(&app, &ta, "丙公司").await;
    create_org(&app, &ta, "丁公司").await;
    let page2: Value = app
        .get_json("/api/v1/orgs?page=2&page_size=2", Some(&ta))
        .await;
    assert_eq!(
        (
            page2["total"].as_u64(),
            page2["items"].as_array().unwrap().len()
        ),
        (Some(3), 1)
    );
    assert_eq!(page2["items"][0]["name"], "丁公司");
}
