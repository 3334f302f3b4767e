//! Signing tasks over HTTP, on SQLite and PostgreSQL: the seed manual's daily flow
//! (initiate, sign in order or in parallel, sign oneself, personal + company seal with two
//! certificates and two PINs, cross-page seal), every final PDF checked by pyHanko against
//! the Signet root with all earlier signatures still valid; every access rule with its
//! problem code; N concurrent signatures of one step give exactly one success; the expiry
//! job; lists, search and paging; seals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use signet_server_testkit as common;
use signet_server_testkit::on_both;
use signet_server_testkit::pdfkit;
use signet_server_testkit::taskkit;

use common::{Backend, TestApp, assert_problem, spawn_with};
use pdfkit::{corpus_pdf, tools};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use taskkit::*;

// ---------------------------------------------------------------------------------------------

on_both!(
    two_signers_in_sequence_then_pyhanko,
    parallel_pair_and_self_signing,
    access_rules_have_their_codes,
    lists_search_and_paging,
    seals_upload_rename_disable_and_grants,
    participants_view_page_images,
    a_libreoffice_contract_stays_valid_through_two_steps,
    a_certified_contract_is_signed_and_the_step_says_so,
    participants_see_a_documents_signatures,
    signers_are_looked_up_by_exact_name_and_phone,
);

/// 添加签署人 by "姓名 手机号": an exact match gives the name, the masked phone and the
/// organisations; anything less gives nothing; only for callers who may initiate, and `/me`
/// says who may.
async fn signers_are_looked_up_by_exact_name_and_phone(app: TestApp) {
    let a = signer(&app, 891, "张三").await;
    let b = signer(&app, 892, "李四").await;
    let lookup = |name: &str, phone: &str| json!({"name": name, "phone": phone});
    let exact = lookup("李四", &b.person.phone);

    // Nobody without a right to initiate may ask.
    let me: Value = app.get_json("/api/v1/me", Some(&a.token)).await;
    assert_eq!(me["may_initiate_personally"], false);
    let r = app
        .post("/api/v1/signers/lookup", &exact, Some(&a.token))
        .await;
    assert_problem(r, 403, "initiate_not_granted").await;
    grant_initiate(&app, &a).await;
    let me: Value = app.get_json("/api/v1/me", Some(&a.token)).await;
    assert_eq!(me["may_initiate_personally"], true);

    // The signer's organisation is among what an exact match returns; the admin who made it
    // may initiate for it.
    let r = app
        .post(
            "/api/v1/orgs",
            &json!({"name": "李四贸易有限公司"}),
            Some(&b.token),
        )
        .await;
    assert_eq!(r.status(), 201);
    let org: Value = r.json().await.unwrap();
    let me: Value = app.get_json("/api/v1/me", Some(&b.token)).await;
    assert_eq!(me["organizations"][0]["may_initiate"], true, "{me}");

    let found: Value = app
        .post("/api/v1/signers/lookup", &exact, Some(&a.token))
        .await
        .json()
        .await
        .unwrap();
    let phone = &b.person.phone;
    assert_eq!(
        found,
        json!({"signer": {
            "name": "李四",
            "phone_masked": format!("{}****{}", &phone[..3], &phone[7..]),
            "organizations": [{"org_id": org["id"], "org_name": "李四贸易有限公司"}],
        }})
    );
    // Spaces around the name are the typist's, not the name's.
    let padded: Value = app
        .post(
            "/api/v1/signers/lookup",
            &lookup(" 李四 ", phone),
            Some(&a.token),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(padded["signer"]["name"], "李四");

    // A partial name, another's name, a wrong or malformed phone: nothing.
    for (name, phone) in [
        ("李", phone.as_str()),
        ("张三", phone.as_str()),
        ("李四", "13999999999"),
        ("李四", "1390000"),
    ] {
        let r = app
            .post(
                "/api/v1/signers/lookup",
                &lookup(name, phone),
                Some(&a.token),
            )
            .await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v, json!({"signer": null}), "{name} {phone}");
    }
    let r = app.post("/api/v1/signers/lookup", &exact, None).await;
    assert_eq!(r.status(), 401);
}

/// The viewer's signature list: nothing before the first signature, then each signer with
/// its certificate and a verdict; participants only.
async fn participants_see_a_documents_signatures(app: TestApp) {
    let a = signer(&app, 881, "张三").await;
    let b = signer(&app, 882, "李四").await;
    let c = signer(&app, 883, "王五").await;
    let outsider = signer(&app, 884, "赵六").await;
    grant_initiate(&app, &a).await;
    let task = created(
        &app,
        &a.token,
        json!({"name": "采购合同", "documents": [{"part": "doc1"}],
               "steps": [step(&b, 1), step(&c, 2)], "start": true}),
    )
    .await;
    let path = format!(
        "/api/v1/tasks/{}/documents/{}/signatures",
        task["id"].as_str().unwrap(),
        doc(&task)
    );
    let before: Value = app.get_json(&path, Some(&b.token)).await;
    assert_eq!(before["verdict"], "unsigned", "{before}");
    assert_eq!(before["signatures"], json!([]));

    sign_ok(&app, &task, &b, 100.0).await;
    sign_ok(&app, &task, &c, 300.0).await;
    for token in [&a.token, &b.token, &c.token] {
        let after: Value = app.get_json(&path, Some(token)).await;
        assert_eq!(after["document_id"], doc(&task));
        assert_eq!(after["verdict"], "valid", "{after}");
        let sigs = after["signatures"].as_array().unwrap();
        let signers: Vec<&str> = sigs
            .iter()
            .filter(|s| s["kind"] == "approval")
            .map(|s| s["signer"].as_str().unwrap())
            .collect();
        assert_eq!(signers, ["李四", "王五"], "{after}");
        for s in sigs {
            assert_eq!(s["verdict"], "valid", "{s}");
            assert!(s["serial"].as_str().is_some_and(|x| !x.is_empty()), "{s}");
            assert!(s["signed_at"].is_string(), "{s}");
        }
    }
    let r = app.get(&path, Some(&outsider.token)).await;
    assert_problem(r, 404, "task_not_found").await;
    let r = app
        .get(
            &format!(
                "/api/v1/tasks/{}/documents/doc_unknown/signatures",
                task["id"].as_str().unwrap()
            ),
            Some(&a.token),
        )
        .await;
    assert_eq!(r.status(), 404);
}

async fn participants_view_page_images(app: TestApp) {
    let a = signer(&app, 871, "张三").await;
    let b = signer(&app, 872, "李四").await;
    let outsider = signer(&app, 873, "赵六").await;
    grant_initiate(&app, &a).await;
    let task = created(
        &app,
        &a.token,
        json!({"documents": [{"part": "doc1"}], "steps": [step(&b, 1)], "start": true}),
    )
    .await;
    let base = format!(
        "/api/v1/tasks/{}/documents/{}",
        task["id"].as_str().unwrap(),
        doc(&task)
    );
    let pages: Value = app.get_json(&format!("{base}/pages"), Some(&b.token)).await;
    assert_eq!(pages["items"].as_array().map(Vec::len), Some(3), "{pages}");
    assert_eq!(pages["items"][0]["number"], 1);
    let (w_pt, h_pt) = (
        pages["items"][0]["width"].as_f64().unwrap(),
        pages["items"][0]["height"].as_f64().unwrap(),
    );
    for token in [&a.token, &b.token] {
        let r = app
            .get(&format!("{base}/pages/1?width=400"), Some(token))
            .await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/png");
        let etag = r.headers()["etag"].to_str().unwrap().to_owned();
        let png = r.bytes().await.unwrap();
        let info = png::Decoder::new(std::io::Cursor::new(png.to_vec()))
            .read_info()
            .unwrap();
        assert_eq!(info.info().width, 400);
        assert!(
            info.info()
                .height
                .abs_diff((h_pt / w_pt * 400.0).round() as u32)
                <= 1
        );
        // Unchanged revision: 304 with the same tag.
        let r = app
            .client
            .get(app.url(&format!("{base}/pages/1?width=400")))
            .bearer_auth(token)
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304);
    }
    assert_problem(
        app.get(&format!("{base}/pages/1"), Some(&outsider.token))
            .await,
        404,
        "task_not_found",
    )
    .await;
    assert_problem(
        app.get(&format!("{base}/pages/1?width=50"), Some(&b.token))
            .await,
        400,
        "invalid_width",
    )
    .await;
    assert_problem(
        app.get(&format!("{base}/pages/1?width=99999"), Some(&b.token))
            .await,
        400,
        "invalid_width",
    )
    .await;
    assert_problem(
        app.get(&format!("{base}/pages/4"), Some(&b.token)).await,
        404,
        "page_not_found",
    )
    .await;
    assert_problem(
        app.get(&format!("{base}/pages/0"), Some(&b.token)).await,
        404,
        "page_not_found",
    )
    .await;
}

async fn two_signers_in_sequence_then_pyhanko(app: TestApp) {
    let a = signer(&app, 801, "张三").await;
    let b = signer(&app, 802, "李四").await;
    let c = signer(&app, 803, "王五").await;
    grant_initiate(&app, &a).await;
    let task = created(
        &app,
        &a.token,
        json!({"name": "反担保合同", "documents": [{"part": "doc1"}],
               "steps": [step(&b, 1), step(&c, 2)], "start": true}),
    )
    .await;
    assert_eq!(task["state"], "in_progress");
    assert_eq!(task["steps"][0]["state"], "active");
    assert_eq!(task["steps"][1]["state"], "waiting");
    assert_eq!(task["steps"][0]["description"], "需要完成PC在线盖章");
    assert_eq!(task["documents"][0]["name"], "doc1");
    assert_eq!(to_sign_count(&app, &b.token).await, 1);
    assert_eq!(to_sign_count(&app, &c.token).await, 0);

    // C's turn has not come; the initiator cannot download yet.
    let r = sign(
        &app,
        &task,
        &c,
        json!([seal_at(&task, &c, 100.0)]),
        json!({c.cert.clone(): PIN}),
    )
    .await;
    assert_problem(r, 409, "step_not_active").await;
    assert_problem(
        download(&app, &task, &a.token).await,
        403,
        "download_not_allowed",
    )
    .await;

    // The signer is offered its certificate with its seal.
    let opts: Value = app
        .get_json(
            &format!(
                "/api/v1/tasks/{}/steps/{}/options",
                task["id"].as_str().unwrap(),
                step_of(&task, &b)
            ),
            Some(&b.token),
        )
        .await;
    assert_eq!(
        opts["items"][0]["certificate_id"],
        b.cert.as_str(),
        "{opts}"
    );
    assert_eq!(
        opts["items"][0]["seals"][0]["id"],
        b.seal.as_str(),
        "{opts}"
    );

    let after_b = sign_ok(&app, &task, &b, 100.0).await;
    assert_eq!(after_b["steps"][0]["state"], "signed");
    assert_eq!(after_b["steps"][1]["state"], "active");
    assert_ne!(
        after_b["documents"][0]["sha256"],
        task["documents"][0]["sha256"]
    );
    assert_eq!(to_sign_count(&app, &c.token).await, 1);
    let done = sign_ok(&app, &task, &c, 300.0).await;
    assert_eq!(done["state"], "completed");
    assert!(done["finished_at"].is_string());
    let a_view = get_task(&app, task["id"].as_str().unwrap(), &a.token).await;
    assert!(
        a_view["operations"]
            .as_array()
            .unwrap()
            .contains(&json!("download"))
    );
    // The verification code of a completed task's document: in the task and in the lists.
    let code = &a_view["documents"][0]["verification_code"];
    assert!(code.is_string(), "{a_view}");
    let listed: Value = app
        .get_json("/api/v1/tasks?list=initiated", Some(&a.token))
        .await;
    assert_eq!(
        &listed["items"][0]["documents"][0]["verification_code"],
        code
    );

    // Every state change is an event with actor, address and document hashes.
    let events = app.count("task_events").await;
    assert!(events >= 7, "{events} events"); // created, started, activated×2, signed×2, completed
    let signed_events = app
        .count_sql("SELECT COUNT(*) AS n FROM task_events WHERE kind = 'step_signed' AND ip <> '' AND actor_id IS NOT NULL AND document_hashes LIKE '%doc_%'")
        .await;
    assert_eq!(signed_events, 2);

    let r = download(&app, &task, &a.token).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("final.pdf");
    std::fs::write(&pdf, r.bytes().await.unwrap()).unwrap();
    let zip = app
        .get(
            &format!("/api/v1/tasks/{}/download", task["id"].as_str().unwrap()),
            Some(&a.token),
        )
        .await;
    assert_eq!(zip.status(), 200);
    assert_eq!(zip.headers()["content-type"], "application/zip");
    assert!(
        zip.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".zip"),
    );
    // The zip (written to a temporary file and streamed) holds the final PDF, byte for byte.
    let bytes = zip.bytes().await.unwrap().to_vec();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(archive.len(), 1);
    let mut entry = archive.by_index(0).unwrap();
    assert!(entry.name().ends_with(".pdf"), "{}", entry.name());
    let mut inside = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut inside).unwrap();
    assert_eq!(inside, std::fs::read(&pdf).unwrap());
    if tools(&["pyhanko"]) {
        let root = root_pem(&app, &b.token, &b.cert, dir.path()).await;
        assert_eq!(pyhanko_valid(&pdf, &root).await, 2, "both signatures valid");
    }
}

async fn parallel_pair_and_self_signing(app: TestApp) {
    let a = signer(&app, 811, "张三").await;
    let b = signer(&app, 812, "李四").await;
    let c = signer(&app, 813, "王五").await;
    grant_initiate(&app, &a).await;
    let task = created(
        &app,
        &a.token,
        json!({"documents": [{"part": "doc1", "name": "劳务派遣合同"}],
               "steps": [{"myself": true, "order": 1}, step(&b, 2), step(&c, 2)]}),
    )
    .await;
    assert_eq!(task["state"], "draft");
    assert_eq!(task["name"], "劳务派遣合同");
    // A draft is the initiator's alone.
    let r = app
        .get(
            &format!("/api/v1/tasks/{}", task["id"].as_str().unwrap()),
            Some(&b.token),
        )
        .await;
    assert_problem(r, 404, "task_not_found").await;
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/start", task["id"].as_str().unwrap()),
            &json!({}),
            Some(&a.token),
        )
        .await;
    assert_eq!(r.status(), 200);
    let task: Value = r.json().await.unwrap();
    assert_eq!(to_sign_count(&app, &a.token).await, 1);
    assert_eq!(to_sign_count(&app, &b.token).await, 0);

    sign_ok(&app, &task, &a, 60.0).await;
    // Both of order 2 are active together.
    assert_eq!(to_sign_count(&app, &b.token).await, 1);
    assert_eq!(to_sign_count(&app, &c.token).await, 1);
    let mid = sign_ok(&app, &task, &c, 200.0).await;
    assert_eq!(mid["state"], "in_progress");
    let done = sign_ok(&app, &task, &b, 340.0).await;
    assert_eq!(done["state"], "completed");

    let r = download(&app, &task, &a.token).await;
    assert_eq!(r.status(), 200);
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("final.pdf");
    std::fs::write(&pdf, r.bytes().await.unwrap()).unwrap();
    if tools(&["pyhanko"]) {
        let root = root_pem(&app, &a.token, &a.cert, dir.path()).await;
        assert_eq!(pyhanko_valid(&pdf, &root).await, 3);
    }
}

async fn access_rules_have_their_codes(app: TestApp) {
    let a = signer(&app, 821, "张三").await;
    let b = signer(&app, 822, "李四").await;
    let c = signer(&app, 823, "王五").await;
    let outsider = signer(&app, 824, "赵六").await;

    // Initiating needs the grant.
    let req = json!({"documents": [{"part": "doc1"}], "steps": [step(&b, 1)], "start": true});
    let r = create_task(&app, &a.token, req.clone(), &[("doc1", corpus_pdf())]).await;
    assert_problem(r, 403, "initiate_not_granted").await;
    grant_initiate(&app, &a).await;
    // Signers are found by exact name and phone only.
    let wrong = json!({"documents": [{"part": "doc1"}], "steps": [{"signer": {"name": "李", "phone": b.person.phone}, "order": 1}]});
    let r = create_task(&app, &a.token, wrong, &[("doc1", corpus_pdf())]).await;
    assert_problem(r, 422, "signer_not_found").await;
    let nobody = json!({"documents": [{"part": "doc1"}], "steps": [{"signer": {"name": "李四", "phone": "13999999999"}, "order": 1}]});
    let r = create_task(&app, &a.token, nobody, &[("doc1", corpus_pdf())]).await;
    assert_problem(r, 422, "signer_not_found").await;
    // One step per signer (several seals go into one step).
    let twice = json!({"documents": [{"part": "doc1"}], "steps": [step(&b, 1), step(&b, 2)]});
    let r = create_task(&app, &a.token, twice, &[("doc1", corpus_pdf())]).await;
    assert_problem(r, 400, "invalid_step").await;
    // Not a PDF.
    let r = create_task(&app, &a.token, req.clone(), &[("doc1", b"hello".to_vec())]).await;
    assert_problem(r, 422, "invalid_pdf").await;
    let r = create_task(
        &app,
        &a.token,
        json!({"documents": [{"part": "doc1"}], "deadline": "2020-01-01T00:00:00Z"}),
        &[("doc1", corpus_pdf())],
    )
    .await;
    assert_problem(r, 400, "invalid_deadline").await;

    let task = created(
        &app,
        &a.token,
        json!({"documents": [{"part": "doc1"}], "steps": [{"myself": true, "order": 1}, step(&b, 2), step(&c, 3)], "start": true}),
    )
    .await;
    let id = task["id"].as_str().unwrap().to_owned();
    // Outsiders (any other user, any other organisation) do not see it.
    let r = app
        .get(&format!("/api/v1/tasks/{id}"), Some(&outsider.token))
        .await;
    assert_problem(r, 404, "task_not_found").await;
    // Placements are checked against the pages before any PIN: a seal off its page or a
    // date stamp on a page the document lacks is refused without costing a PIN attempt.
    let mut off_page = seal_at(&task, &a, 60.0);
    off_page["rect"] = json!([5000.0, 80.0, 90.0, 90.0]);
    let mut no_page = seal_at(&task, &a, 60.0);
    no_page["date"]["page"] = json!(99);
    for bad in [off_page, no_page] {
        let r = sign(
            &app,
            &task,
            &a,
            json!([seal_at(&task, &a, 200.0), bad]),
            json!({a.cert.clone(): "000000"}),
        )
        .await;
        let p = assert_problem(r, 400, "invalid_placement").await;
        assert_eq!(p["field"], "placements", "{p}");
    }
    // Wrong step, wrong PIN, not yet active, wrong state.
    let r = sign(
        &app,
        &task,
        &a,
        json!([seal_at(&task, &a, 60.0)]),
        json!({a.cert.clone(): "000000"}),
    )
    .await;
    let p = assert_problem(r, 403, "wrong_pin").await;
    assert!(
        p["detail"].as_str().unwrap().contains("还可尝试 4 次"),
        "the refused placements cost no attempt: {p}"
    );
    let path = format!("/api/v1/tasks/{id}/steps/{}/sign", step_of(&task, &a));
    let r = app
        .post(
            &path,
            &json!({"placements": [seal_at(&task, &b, 60.0)], "pins": {b.cert.clone(): PIN}}),
            Some(&b.token),
        )
        .await;
    assert_problem(r, 403, "not_step_signer").await;
    let r = app
        .post(
            &format!("/api/v1/tasks/{id}/start"),
            &json!({}),
            Some(&a.token),
        )
        .await;
    assert_problem(r, 409, "task_not_draft").await;
    let r = app
        .post(
            &format!("/api/v1/tasks/{id}/cancel"),
            &json!({}),
            Some(&b.token),
        )
        .await;
    assert_problem(r, 403, "not_task_initiator").await;
    // Someone else's seal and certificate do not exist for the signer.
    let r = sign(
        &app,
        &task,
        &a,
        json!([seal_at(&task, &b, 60.0)]),
        json!({b.cert.clone(): PIN}),
    )
    .await;
    assert_problem(r, 404, "certificate_not_found").await;
    // A stale version is a conflict.
    let path = format!("/api/v1/tasks/{id}/steps/{}/sign", step_of(&task, &a));
    let r = app
        .post(&path, &json!({"placements": [seal_at(&task, &a, 60.0)], "pins": {a.cert.clone(): PIN}, "version": 0}), Some(&a.token))
        .await;
    assert_problem(r, 409, "task_changed").await;
    // Forwarding before signing.
    let fwd = json!({"steps": [step(&outsider, 1)]});
    let r = app
        .post(&format!("/api/v1/tasks/{id}/forward"), &fwd, Some(&a.token))
        .await;
    assert_problem(r, 403, "forward_not_signed").await;

    sign_ok(&app, &task, &a, 60.0).await;
    sign_ok(&app, &task, &b, 200.0).await;
    // B signed, but did not upload the document: it may not re-send it.
    let r = app
        .post(&format!("/api/v1/tasks/{id}/forward"), &fwd, Some(&b.token))
        .await;
    assert_problem(r, 403, "forward_not_uploader").await;
    // A uploaded it and signed: forwarding makes a new task of the signed revision.
    let r = app
        .post(&format!("/api/v1/tasks/{id}/forward"), &fwd, Some(&a.token))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let forwarded: Value = r.json().await.unwrap();
    assert_eq!(forwarded["forwarded_from"], id.as_str());
    assert_eq!(forwarded["state"], "in_progress");
    assert_eq!(to_sign_count(&app, &outsider.token).await, 1);

    // C rejects with a reason; then nothing can be signed and nobody downloads.
    let reject = format!("/api/v1/tasks/{id}/steps/{}/reject", step_of(&task, &c));
    let r = app
        .post(&reject, &json!({"reason": "  "}), Some(&c.token))
        .await;
    assert_problem(r, 400, "reason_required").await;
    let r = app
        .post(&reject, &json!({"reason": "金额有误"}), Some(&c.token))
        .await;
    assert_eq!(r.status(), 200);
    let rejected: Value = r.json().await.unwrap();
    assert_eq!(rejected["state"], "rejected");
    assert_eq!(rejected["steps"][2]["reject_reason"], "金额有误");
    let r = sign(
        &app,
        &task,
        &c,
        json!([seal_at(&task, &c, 300.0)]),
        json!({c.cert.clone(): PIN}),
    )
    .await;
    assert_problem(r, 409, "task_not_in_progress").await;
    assert_problem(
        download(&app, &task, &a.token).await,
        403,
        "download_not_allowed",
    )
    .await;

    // Cancel: initiator only, in progress only.
    let t2 = created(
        &app,
        &a.token,
        json!({"documents": [{"part": "doc1"}], "steps": [step(&b, 1)], "start": true}),
    )
    .await;
    let t2id = t2["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/tasks/{t2id}/cancel"),
            &json!({}),
            Some(&a.token),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .post(
            &format!("/api/v1/tasks/{t2id}/cancel"),
            &json!({}),
            Some(&a.token),
        )
        .await;
    assert_problem(r, 409, "task_not_in_progress").await;
    assert_eq!(to_sign_count(&app, &b.token).await, 0);

    // A completed task: only the initiator downloads.
    let t3 = created(
        &app,
        &a.token,
        json!({"documents": [{"part": "doc1"}], "steps": [step(&b, 1)], "start": true}),
    )
    .await;
    sign_ok(&app, &t3, &b, 100.0).await;
    assert_problem(
        download(&app, &t3, &b.token).await,
        403,
        "download_not_allowed",
    )
    .await;
    assert_eq!(download(&app, &t3, &a.token).await.status(), 200);
    let r = sign(
        &app,
        &t3,
        &b,
        json!([seal_at(&t3, &b, 100.0)]),
        json!({b.cert.clone(): PIN}),
    )
    .await;
    assert_problem(r, 409, "task_not_in_progress").await;
}

async fn lists_search_and_paging(app: TestApp) {
    let a = signer(&app, 831, "张三").await;
    let b = signer(&app, 832, "李四").await;
    grant_initiate(&app, &a).await;
    for i in 0..5 {
        let name = if i % 2 == 0 {
            format!("采购合同{i}")
        } else {
            format!("Lease_{i}%")
        };
        created(&app, &a.token, json!({"name": name, "documents": [{"part": "doc1", "name": format!("附件{i}")}], "steps": [step(&b, 1)], "start": true})).await;
    }
    let list = |q: &str, token: &str| {
        let path = format!("/api/v1/tasks?{q}");
        let token = token.to_owned();
        let app = &app;
        async move {
            let r = app.get(&path, Some(&token)).await;
            assert_eq!(r.status(), 200, "{path}");
            r.json::<Value>().await.unwrap()
        }
    };
    let v = list("list=initiated&page_size=2", &a.token).await;
    assert_eq!(v["total"], 5);
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    // Newest first.
    assert_eq!(v["items"][0]["name"], "采购合同4");
    assert_eq!(v["items"][0]["steps"][0]["signer_name"], "李四");
    let v = list("list=initiated&page=3&page_size=2", &a.token).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let v = list(
        &format!("list=to_sign&name={}", urlencode("采购")),
        &b.token,
    )
    .await;
    assert_eq!(v["total"], 3);
    assert!(
        v["items"][0]["operations"]
            .as_array()
            .unwrap()
            .contains(&json!("sign"))
    );
    // Document names match too, case-insensitively; LIKE wildcards are literal.
    let v = list(
        &format!("list=to_sign&name={}", urlencode("附件1")),
        &b.token,
    )
    .await;
    assert_eq!(v["total"], 1);
    let v = list("list=to_sign&name=lease_", &b.token).await;
    assert_eq!(v["total"], 2);
    let v = list(&format!("list=to_sign&name={}", urlencode("%")), &b.token).await;
    assert_eq!(v["total"], 2);
    let v = list(
        &format!("list=to_sign&initiator={}", urlencode("张")),
        &b.token,
    )
    .await;
    assert_eq!(v["total"], 5);
    let v = list(
        &format!("list=to_sign&initiator={}", urlencode("王")),
        &b.token,
    )
    .await;
    assert_eq!(v["total"], 0);
    let v = list(
        "list=to_sign&created_from=2000-01-01T00:00:00Z&created_to=2001-01-01T00:00:00Z",
        &b.token,
    )
    .await;
    assert_eq!(v["total"], 0);
    assert_eq!(list("list=signed", &b.token).await["total"], 0);
    // Sign one: it moves from to-sign to signed, and shows completed to the initiator.
    let first = list("list=to_sign&page_size=1", &b.token).await["items"][0].clone();
    sign_ok(&app, &first, &b, 100.0).await;
    assert_eq!(list("list=signed", &b.token).await["total"], 1);
    assert_eq!(list("list=to_sign", &b.token).await["total"], 4);
    assert_eq!(
        list("list=initiated&status=completed", &a.token).await["total"],
        1
    );
    assert_eq!(
        list("list=initiated&status=in_progress", &a.token).await["total"],
        4
    );
    // The initiator's list is not anyone else's.
    assert_eq!(list("list=initiated", &b.token).await["total"], 0);
    let r = app.get("/api/v1/tasks?list=mine", Some(&a.token)).await;
    assert_problem(r, 400, "invalid_list").await;
    let r = app
        .get("/api/v1/tasks?list=to_sign&status=done", Some(&a.token))
        .await;
    assert_problem(r, 400, "invalid_status").await;
    let r = app
        .get("/api/v1/tasks?list=to_sign&page_size=1000", Some(&a.token))
        .await;
    assert_problem(r, 400, "invalid_page").await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A scanned seal: red ink on an opaque white background (PNG, RGB).
fn scanned_seal() -> Vec<u8> {
    let (w, h) = (64u32, 64u32);
    let mut data = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let ink = (x as i32 - 32).pow(2) + (y as i32 - 32).pow(2) < 400;
            data.extend_from_slice(if ink {
                &[200, 20, 20]
            } else {
                &[255, 255, 255]
            });
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header().unwrap().write_image_data(&data).unwrap();
    }
    out
}

async fn upload_seal(
    app: &TestApp,
    token: &str,
    request: Value,
    image: Vec<u8>,
) -> reqwest::Response {
    let form = Form::new()
        .text("request", request.to_string())
        .part("image", Part::bytes(image).file_name("seal.png"));
    app.client
        .post(app.url("/api/v1/seals"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn seals_upload_rename_disable_and_grants(app: TestApp) {
    let a = signer(&app, 841, "张三").await;
    // A scan's white becomes transparent; the ink stays.
    let r = upload_seal(&app, &a.token, json!({"name": "扫描章"}), scanned_seal()).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let seal: Value = r.json().await.unwrap();
    assert_eq!(seal["owner"], "personal");
    let png = app
        .get(
            &format!("/api/v1/seals/{}/image", seal["id"].as_str().unwrap()),
            Some(&a.token),
        )
        .await
        .bytes()
        .await
        .unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png.to_vec()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut buf).unwrap();
    assert_eq!(buf[3], 0, "corner transparent");
    let centre = ((32 * 64 + 32) * 4) as usize;
    assert_eq!(buf[centre + 3], 255, "ink opaque");
    // A person's seal is personal: a contract seal is an organisation's, and a kind the
    // platform does not have is refused.
    for kind in ["contract", "stamp"] {
        assert_problem(
            upload_seal(
                &app,
                &a.token,
                json!({"name": "章", "kind": kind}),
                scanned_seal(),
            )
            .await,
            400,
            "invalid_seal_kind",
        )
        .await;
    }
    // Not an image; too large.
    let r = upload_seal(
        &app,
        &a.token,
        json!({"name": "x"}),
        b"GIF89a not really".to_vec(),
    )
    .await;
    assert_problem(r, 400, "invalid_seal_image").await;
    let r = upload_seal(
        &app,
        &a.token,
        json!({"name": "x"}),
        vec![0u8; 3 * 1024 * 1024],
    )
    .await;
    assert_problem(r, 413, "part_too_large").await;
    // Rename, then disable: a disabled seal is gone for use.
    let id = seal["id"].as_str().unwrap();
    let r = app
        .patch(
            &format!("/api/v1/seals/{id}"),
            &json!({"name": "新名字"}),
            &a.token,
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["name"], "新名字");
    let r = app
        .patch(
            &format!("/api/v1/seals/{id}"),
            &json!({"certificate_id": a.cert}),
            &a.token,
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .patch(
            &format!("/api/v1/seals/{id}"),
            &json!({"disabled": true}),
            &a.token,
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .get(&format!("/api/v1/seals/{id}/image"), Some(&a.token))
        .await;
    assert_problem(r, 404, "seal_not_found").await;

    // The demo company seal: usable by the admin; the member only once granted, and then
    // together with the certificate it is bound to.
    let admin = app
        .login("demoadmin", signet_server::demo::DEMO_PASSWORD)
        .await;
    let member = app
        .login("demouser", signet_server::demo::DEMO_PASSWORD)
        .await;
    let seals: Value = app.get_json("/api/v1/seals", Some(&admin)).await;
    let company = seals["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "company")
        .unwrap()
        .clone();
    let cid = company["id"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/seals/{cid}/image"), Some(&member))
        .await;
    assert_problem(r, 404, "seal_not_found").await;
    let me: Value = app.get_json("/api/v1/me", Some(&member)).await;
    let r = app
        .client
        .put(app.url(&format!("/api/v1/seals/{cid}/grants")))
        .bearer_auth(&member)
        .json(&json!({"user_ids": [me["id"]]}))
        .send()
        .await
        .unwrap();
    assert_problem(r, 404, "seal_not_found").await;
    let r = app
        .client
        .put(app.url(&format!("/api/v1/seals/{cid}/grants")))
        .bearer_auth(&admin)
        .json(&json!({"user_ids": [a.id]}))
        .send()
        .await
        .unwrap();
    assert_problem(r, 422, "not_a_member").await;
    let r = app
        .client
        .put(app.url(&format!("/api/v1/seals/{cid}/grants")))
        .bearer_auth(&admin)
        .json(&json!({"user_ids": [me["id"]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.get(&format!("/api/v1/seals/{cid}/image"), Some(&member))
            .await
            .status(),
        200
    );
    let r = app
        .patch(
            &format!("/api/v1/seals/{cid}"),
            &json!({"name": "x"}),
            &member,
        )
        .await;
    assert_problem(r, 403, "seal_not_manageable").await;
}

/// An organisation step for a member: the company seal and the certificate it is bound to
/// are offered only once an admin granted the member that seal.
#[tokio::test]
async fn an_org_seal_is_offered_to_a_member_only_once_granted() {
    let app = common::spawn_app(Backend::Sqlite).await.unwrap();
    let admin = app
        .login("demoadmin", signet_server::demo::DEMO_PASSWORD)
        .await;
    let member = app
        .login("demouser", signet_server::demo::DEMO_PASSWORD)
        .await;
    let me: Value = app.get_json("/api/v1/me", Some(&member)).await;
    let orgs: Value = app.get_json("/api/v1/orgs", Some(&admin)).await;
    let org = orgs["items"][0]["id"].as_str().unwrap().to_owned();
    let seals: Value = app.get_json("/api/v1/seals", Some(&admin)).await;
    let company = seals["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "company")
        .unwrap()
        .clone();
    let r = create_task(
        &app,
        &admin,
        json!({"org_id": org, "documents": [{"part": "doc1"}],
               "steps": [{"signer": {"name": "李四", "phone": "13800000002"}, "order": 1, "org_id": org, "seal_kind": "organization"}],
               "start": true}),
        &[("doc1", corpus_pdf())],
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let task: Value = r.json().await.unwrap();
    let options = format!(
        "/api/v1/tasks/{}/steps/{}/options",
        task["id"].as_str().unwrap(),
        task["steps"][0]["id"].as_str().unwrap()
    );
    let before: Value = app.get_json(&options, Some(&member)).await;
    assert_eq!(before["items"].as_array().unwrap().len(), 0, "{before}");
    let r = app
        .client
        .put(app.url(&format!(
            "/api/v1/seals/{}/grants",
            company["id"].as_str().unwrap()
        )))
        .bearer_auth(&admin)
        .json(&json!({"user_ids": [me["id"]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let after: Value = app.get_json(&options, Some(&member)).await;
    let items = after["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{after}");
    assert_eq!(items[0]["certificate_id"], company["certificate_id"]);
    assert_eq!(items[0]["seals"][0]["id"], company["id"]);
    // The member signs with the granted seal and its certificate (its PIN is the org's).
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/steps/{}/sign", task["id"].as_str().unwrap(), task["steps"][0]["id"].as_str().unwrap()),
            &json!({"placements": [{"document_id": doc(&task), "certificate_id": company["certificate_id"], "seal_id": company["id"],
                    "kind": "seal", "page": 1, "rect": [80.0, 80.0, 90.0, 90.0]}],
                    "pins": {company["certificate_id"].as_str().unwrap(): signet_server::demo::DEMO_PIN}}),
            Some(&member),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// Personal seal + company seal (cross-page) with two certificates and two PINs in one
/// request, by the demo admin acting for the demo organisation; pyHanko accepts both.
#[tokio::test]
async fn personal_and_company_seal_with_two_pins() {
    let app = common::spawn_app(Backend::Sqlite).await.unwrap();
    let admin = app
        .login("demoadmin", signet_server::demo::DEMO_PASSWORD)
        .await;
    let me: Value = app.get_json("/api/v1/me", Some(&admin)).await;
    let orgs: Value = app.get_json("/api/v1/orgs", Some(&admin)).await;
    let org = orgs["items"][0]["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/v1/certificates",
            &json!({"kind": "personal", "algorithm": "p256", "pin": PIN}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status(), 201);
    let personal_cert: Value = r.json().await.unwrap();
    let personal_seal: Value = app
        .post("/api/v1/seals/generate", &json!({}), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    let task = {
        let r = create_task(
            &app,
            &admin,
            json!({"org_id": org, "documents": [{"part": "doc1"}],
                   "steps": [{"myself": true, "order": 1, "org_id": org, "seal_kind": "any"}], "start": true}),
            &[("doc1", corpus_pdf())],
        )
        .await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        r.json::<Value>().await.unwrap()
    };
    let step = task["steps"][0]["id"].as_str().unwrap();
    let opts: Value = app
        .get_json(
            &format!(
                "/api/v1/tasks/{}/steps/{step}/options",
                task["id"].as_str().unwrap()
            ),
            Some(&admin),
        )
        .await;
    let items = opts["items"].as_array().unwrap();
    let company = items
        .iter()
        .find(|o| o["kind"] == "organization" && o["algorithm"] == "p256")
        .expect("the org's P-256 certificate is offered");
    assert_eq!(
        company["seals"][0]["kind"], "company",
        "its bound seal first: {opts}"
    );
    let company_cert = company["certificate_id"].as_str().unwrap();
    let company_seal = company["seals"][0]["id"].as_str().unwrap();
    assert!(
        items
            .iter()
            .any(|o| o["certificate_id"] == personal_cert["id"])
    );

    let placements = json!([
        {"document_id": doc(&task), "certificate_id": personal_cert["id"], "seal_id": personal_seal["id"],
         "kind": "seal", "page": 1, "rect": [80.0, 80.0, 90.0, 90.0], "date": {"page": 1, "at": [80.0, 60.0]}},
        {"document_id": doc(&task), "certificate_id": company_cert, "seal_id": company_seal,
         "kind": "cross_page", "first": 1, "last": 3, "y": 300.0, "size": 110.0},
    ]);
    // A seal bound to one certificate cannot be used with another.
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/steps/{step}/sign", task["id"].as_str().unwrap()),
            &json!({"placements": [{"document_id": doc(&task), "certificate_id": personal_cert["id"], "seal_id": company_seal,
                    "kind": "seal", "page": 1, "rect": [80.0, 80.0, 90.0, 90.0]}],
                    "pins": {personal_cert["id"].as_str().unwrap(): PIN}}),
            Some(&admin),
        )
        .await;
    assert_problem(r, 422, "seal_certificate_mismatch").await;
    // Nor may an organisation's certificate sign under a personal seal.
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/steps/{step}/sign", task["id"].as_str().unwrap()),
            &json!({"placements": [{"document_id": doc(&task), "certificate_id": company_cert, "seal_id": personal_seal["id"],
                    "kind": "seal", "page": 1, "rect": [80.0, 80.0, 90.0, 90.0]}],
                    "pins": {company_cert: signet_server::demo::DEMO_PIN}}),
            Some(&admin),
        )
        .await;
    assert_problem(r, 422, "seal_certificate_mismatch").await;
    let r = app
        .post(
            &format!("/api/v1/tasks/{}/steps/{step}/sign", task["id"].as_str().unwrap()),
            &json!({"placements": placements,
                    "pins": {personal_cert["id"].as_str().unwrap(): PIN, company_cert: signet_server::demo::DEMO_PIN}}),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["state"], "completed");
    assert_eq!(done["org_name"], signet_server::demo::DEMO_ORG);
    assert_eq!(done["initiator_id"], me["id"]);
    let r = download(&app, &task, &admin).await;
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("final.pdf");
    std::fs::write(&pdf, r.bytes().await.unwrap()).unwrap();
    if tools(&["pyhanko"]) {
        let root = root_pem(
            &app,
            &admin,
            personal_cert["id"].as_str().unwrap(),
            dir.path(),
        )
        .await;
        assert_eq!(pyhanko_valid(&pdf, &root).await, 2);
    }
}

/// N concurrent signatures of one step: exactly one succeeds, the rest are 409 and the task
/// holds exactly one signature.
#[tokio::test]
async fn concurrent_signatures_of_one_step_give_one_success() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = spawn_with(backend, |s| {
            s.pki.default_level = signet_server::app::signing::Level::BB
        })
        .await
        else {
            continue;
        };
        let a = signer(&app, 851, "张三").await;
        let b = signer(&app, 852, "李四").await;
        grant_initiate(&app, &a).await;
        let task = created(
            &app,
            &a.token,
            json!({"documents": [{"part": "doc1"}], "steps": [step(&b, 1)], "start": true}),
        )
        .await;
        let n = 4;
        let mut handles = Vec::new();
        for i in 0..n {
            let body = json!({"placements": [seal_at(&task, &b, 60.0 + 40.0 * f64::from(i))], "pins": {b.cert.clone(): PIN}});
            let url = app.url(&format!(
                "/api/v1/tasks/{}/steps/{}/sign",
                task["id"].as_str().unwrap(),
                step_of(&task, &b)
            ));
            let client = app.client.clone();
            let token = b.token.clone();
            handles.push(tokio::spawn(async move {
                let r = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                let body: Value = r.json().await.unwrap();
                (status, body)
            }));
        }
        let mut ok = 0;
        for h in handles {
            let (status, body) = h.await.unwrap();
            if status == StatusCode::OK {
                ok += 1;
            } else {
                assert_eq!(status, StatusCode::CONFLICT, "{body}");
                assert!(
                    ["task_changed", "step_not_active", "task_not_in_progress"]
                        .contains(&body["code"].as_str().unwrap()),
                    "{body}"
                );
            }
        }
        assert_eq!(ok, 1, "{backend:?}");
        let signed = app
            .count_sql("SELECT COUNT(*) AS n FROM task_events WHERE kind = 'step_signed'")
            .await;
        assert_eq!(signed, 1);
        let t = get_task(&app, task["id"].as_str().unwrap(), &a.token).await;
        assert_eq!(t["state"], "completed");
    }
}

/// A started task with a deadline expires by the background job; the signer's list drops it.
#[tokio::test]
async fn the_expiry_job_expires_overdue_tasks() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = common::spawn_app(backend).await else {
            continue;
        };
        let a = signer(&app, 861, "张三").await;
        let b = signer(&app, 862, "李四").await;
        grant_initiate(&app, &a).await;
        let deadline = chrono::Utc::now() + chrono::Duration::seconds(2);
        let task = created(
            &app,
            &a.token,
            json!({"documents": [{"part": "doc1"}], "steps": [step(&b, 1)], "start": true, "deadline": deadline}),
        )
        .await;
        assert_eq!(to_sign_count(&app, &b.token).await, 1);
        let id = task["id"].as_str().unwrap();
        let mut state = String::new();
        for _ in 0..40 {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            state = get_task(&app, id, &a.token).await["state"]
                .as_str()
                .unwrap()
                .to_owned();
            if state == "expired" {
                break;
            }
        }
        assert_eq!(state, "expired", "{backend:?}");
        assert_eq!(to_sign_count(&app, &b.token).await, 0);
        let r = sign(
            &app,
            &task,
            &b,
            json!([seal_at(&task, &b, 60.0)]),
            json!({b.cert.clone(): PIN}),
        )
        .await;
        assert_problem(r, 409, "task_not_in_progress").await;
        let expired = app
            .count_sql("SELECT COUNT(*) AS n FROM task_events WHERE kind = 'task_expired' AND actor_id IS NULL")
            .await;
        assert_eq!(expired, 1);
        let done = app.count_sql("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'task.expire' AND done_at IS NOT NULL AND failed = false").await;
        assert_eq!(done, 1);
    }
}

/// A signer whose key is not on the server signs its step through the external path: the
/// server prepares the revision, the signer's key signs the attributes, the server embeds it
/// and the task moves on; pyHanko accepts the result.
#[tokio::test]
async fn a_step_signed_with_a_client_held_key() {
    if !tools(&["openssl"]) {
        return;
    }
    let app = common::spawn_app(Backend::Sqlite).await.unwrap();
    let a = signer(&app, 881, "张三").await;
    let b = signer(&app, 882, "李四").await;
    grant_initiate(&app, &a).await;
    let dir = tempfile::tempdir().unwrap();
    let (key_path, csr_path) = (dir.path().join("b.key"), dir.path().join("b.csr"));
    let (k, c) = (key_path.clone(), csr_path.clone());
    tokio::task::spawn_blocking(move || {
        pdfkit::ok(
            std::process::Command::new("openssl")
                .args([
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-out",
                ])
                .arg(&k),
        );
        pdfkit::ok(
            std::process::Command::new("openssl")
                .args(["req", "-new", "-sha256", "-subj", "/CN=ignored", "-key"])
                .arg(&k)
                .arg("-out")
                .arg(&c),
        );
    })
    .await
    .unwrap();
    let csr = std::fs::read_to_string(&csr_path).unwrap();
    let r = app
        .post(
            "/api/v1/certificates/csr",
            &json!({"kind": "personal", "csr": csr}),
            Some(&b.token),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let client_cert: Value = r.json().await.unwrap();
    let client_id = client_cert["id"].as_str().unwrap();
    let key = signet_pki::sign::SigningKey::from_pem(&std::fs::read_to_string(&key_path).unwrap())
        .unwrap();

    let task = created(
        &app,
        &a.token,
        json!({"documents": [{"part": "doc1"}], "steps": [step(&b, 1)], "start": true}),
    )
    .await;
    let base = format!(
        "/api/v1/tasks/{}/steps/{}",
        task["id"].as_str().unwrap(),
        step_of(&task, &b)
    );
    let opts: Value = app
        .get_json(&format!("{base}/options"), Some(&b.token))
        .await;
    let client = opts["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["certificate_id"] == client_id)
        .unwrap();
    assert_eq!(client["key_location"], "client");

    // The PIN path refuses a key the server does not hold.
    let r = sign(
        &app,
        &task,
        &b,
        json!([{"document_id": doc(&task), "certificate_id": client_id, "seal_id": b.seal,
        "kind": "seal", "page": 1, "rect": [300.0, 80.0, 90.0, 90.0]}]),
        json!({client_id: PIN}),
    )
    .await;
    assert_problem(r, 409, "certificate_client_held").await;
    let placement = json!({"document_id": doc(&task), "certificate_id": client_id, "seal_id": b.seal,
                           "kind": "seal", "page": 1, "rect": [300.0, 80.0, 90.0, 90.0]});
    let r = app
        .post(&format!("{base}/external"), &placement, Some(&b.token))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let prepared: Value = r.json().await.unwrap();
    let session = prepared["id"].as_str().unwrap();
    use base64::Engine as _;
    let attrs = base64::engine::general_purpose::STANDARD
        .decode(prepared["signed_attributes"].as_str().unwrap())
        .unwrap();
    let signature = base64::engine::general_purpose::STANDARD.encode(key.sign(&attrs).unwrap());
    // A step's session does not finish through the plain endpoint (no PDF leaves the task).
    let r = app
        .post(
            &format!("/api/v1/sign/external/{session}/finish"),
            &json!({"signature": signature}),
            Some(&b.token),
        )
        .await;
    assert_problem(r, 404, "signing_session_not_found").await;
    // Nor with a signature over other bytes.
    let wrong = base64::engine::general_purpose::STANDARD.encode(key.sign(b"other").unwrap());
    let r = app
        .post(
            &format!("{base}/external/{session}/finish"),
            &json!({"signature": wrong}),
            Some(&b.token),
        )
        .await;
    assert_problem(r, 422, "bad_signature").await;
    let r = app
        .post(
            &format!("{base}/external/{session}/finish"),
            &json!({"signature": signature}),
            Some(&b.token),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["state"], "completed");
    let r = download(&app, &task, &a.token).await;
    let pdf = dir.path().join("final.pdf");
    std::fs::write(&pdf, r.bytes().await.unwrap()).unwrap();
    if tools(&["pyhanko"]) {
        let root = root_pem(&app, &b.token, &b.cert, dir.path()).await;
        assert_eq!(pyhanko_valid(&pdf, &root).await, 1);
    }
}

/// Many correct, concurrent uses of one certificate (different tasks) all succeed: the PIN
/// attempt reserved before each check must not add up to a lock.
#[tokio::test]
async fn concurrent_uses_of_one_certificate_do_not_lock_it() {
    let app = spawn_with(Backend::Sqlite, |s| {
        s.pki.default_level = signet_server::app::signing::Level::BB
    })
    .await
    .unwrap();
    let a = signer(&app, 891, "张三").await;
    let b = signer(&app, 892, "李四").await;
    grant_initiate(&app, &a).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        tasks.push(
            created(
                &app,
                &a.token,
                json!({"documents": [{"part": "doc1"}], "steps": [step(&b, 1)], "start": true}),
            )
            .await,
        );
    }
    let mut handles = Vec::new();
    for task in &tasks {
        let body = json!({"placements": [seal_at(task, &b, 60.0)], "pins": {b.cert.clone(): PIN}});
        let url = app.url(&format!(
            "/api/v1/tasks/{}/steps/{}/sign",
            task["id"].as_str().unwrap(),
            step_of(task, &b)
        ));
        let (client, token) = (app.client.clone(), b.token.clone());
        handles.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }));
    }
    for h in handles {
        let (status, body) = h.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(to_sign_count(&app, &b.token).await, 0);
}

/// A step's signing mode (签署模式) decides the devices it is signed from: a mobile-only
/// step refuses a desktop browser (and API clients) and takes a phone's browser; PC-only is
/// the reverse.
#[tokio::test]
async fn the_signing_mode_decides_the_device() {
    let app = common::spawn_app(Backend::Sqlite).await.unwrap();
    let a = signer(&app, 871, "张三").await;
    let b = signer(&app, 872, "李四").await;
    grant_initiate(&app, &a).await;
    let phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
    let desktop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
    for (mode, refused, accepted) in [("mobile", desktop, phone), ("pc", phone, desktop)] {
        let mut st = step(&b, 1);
        st["mode"] = json!(mode);
        let task = created(
            &app,
            &a.token,
            json!({"name": "模式", "documents": [{"part": "doc1"}], "steps": [st], "start": true}),
        )
        .await;
        let path = format!(
            "/api/v1/tasks/{}/steps/{}/sign",
            task["id"].as_str().unwrap(),
            step_of(&task, &b)
        );
        let body =
            json!({"placements": [seal_at(&task, &b, 100.0)], "pins": {b.cert.clone(): PIN}});
        let send = |ua: &'static str| {
            app.client
                .post(app.url(&path))
                .bearer_auth(&b.token)
                .header("user-agent", ua)
                .json(&body)
                .send()
        };
        let r = send(refused).await.unwrap();
        let p = assert_problem(r, 403, "sign_mode_mismatch").await;
        assert!(p["detail"].as_str().unwrap().contains(mode), "{p}");
        let r = send(accepted).await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
}

/// The contract a user exports from LibreOffice (A4 as `595.303937007874 x 841.889763779528`):
/// step 1 places a seal with a date stamp and a cross-page seal over every page, step 2 a seal
/// on the last page. Every rewrite of a page keeps its box to the last digit, so the final
/// file is VALID in Signet's validator with every signature valid, and pyHanko judges every
/// signature valid (no illegal or suspicious modification).
async fn a_libreoffice_contract_stays_valid_through_two_steps(app: TestApp) {
    let a = signer(&app, 811, "赵六").await;
    let b = signer(&app, 812, "钱七").await;
    let c = signer(&app, 813, "孙八").await;
    grant_initiate(&app, &a).await;
    let contract = lossless_fixture("lo-reals.pdf");
    let r = create_task(
        &app,
        &a.token,
        json!({"name": "采购合同", "documents": [{"part": "doc1"}],
               "steps": [step(&b, 1), step(&c, 2)], "start": true}),
        &[("doc1", contract)],
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let task: Value = r.json().await.unwrap();

    let r = sign(
        &app,
        &task,
        &b,
        json!([
            seal_at(&task, &b, 380.0),
            {"document_id": doc(&task), "certificate_id": b.cert, "seal_id": b.seal,
             "kind": "cross_page", "first": 1, "last": 3, "y": 300.0, "size": 100.0},
        ]),
        json!({b.cert.clone(): PIN}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = sign(
        &app,
        &task,
        &c,
        json!([{"document_id": doc(&task), "certificate_id": c.cert, "seal_id": c.seal,
                "kind": "seal", "page": 3, "rect": [250.0, 100.0, 90.0, 90.0]}]),
        json!({c.cert.clone(): PIN}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["state"], "completed");

    let r = download(&app, &task, &a.token).await;
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let dir = tempfile::tempdir().unwrap();
    let root = root_pem(&app, &b.token, &b.cert, dir.path()).await;
    let report = signet_report(&bytes, std::fs::read(&root).unwrap());
    assert_eq!(
        report.verdict,
        signet_pdf::verify::Verdict::Valid,
        "{:#?}",
        report.problems
    );
    let signatures = report
        .signatures
        .iter()
        .filter(|s| s.kind != signet_pdf::verify::SignatureKind::DocumentTimestamp)
        .count();
    assert!(signatures >= 3, "{signatures}");
    // The box of every page as the producer wrote it, in every revision that rewrote a page.
    let text = String::from_utf8_lossy(&bytes);
    let boxes: Vec<&str> = text
        .match_indices("/MediaBox")
        .map(|(at, _)| &text[at..at + 50])
        .collect();
    assert!(
        boxes.len() >= 4,
        "the pages and the page tree, and the rewritten pages: {boxes:?}"
    );
    for b in boxes {
        assert!(
            b.starts_with("/MediaBox[0 0 595.303937007874 841.889763779528]"),
            "{b}"
        );
    }
    if tools(&["pyhanko"]) {
        let pdf = dir.path().join("final.pdf");
        std::fs::write(&pdf, &bytes).unwrap();
        assert_eq!(pyhanko_valid(&pdf, &root).await, signatures);
    }
}

/// A contract certified with DocMDP P=2: the document view shows the permission, the step
/// signs (a new signed field after the certification), its view carries the notice, and the
/// certification stays valid in Signet's validator.
async fn a_certified_contract_is_signed_and_the_step_says_so(app: TestApp) {
    let a = signer(&app, 821, "周九").await;
    let b = signer(&app, 822, "吴十").await;
    grant_initiate(&app, &a).await;
    let certified = lossless_fixture("certified-p2.pdf");
    let r = create_task(
        &app,
        &a.token,
        json!({"name": "已认证合同", "documents": [{"part": "doc1"}],
               "steps": [step(&b, 1)], "start": true}),
        &[("doc1", certified)],
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let task: Value = r.json().await.unwrap();
    assert_eq!(task["documents"][0]["certified"], 2);
    assert!(task["steps"][0].get("notices").is_none(), "{task}");
    let done = sign_ok(&app, &task, &b, 380.0).await;
    assert_eq!(done["state"], "completed");
    assert_eq!(done["steps"][0]["notices"], json!(["certified-new-field"]));

    let bytes = download(&app, &task, &a.token)
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let dir = tempfile::tempdir().unwrap();
    let root = root_pem(&app, &b.token, &b.cert, dir.path()).await;
    let mut pem = std::fs::read(&root).unwrap();
    pem.extend(lossless_fixture("certifier.pem"));
    let report = signet_report(&bytes, pem);
    assert_eq!(
        report.verdict,
        signet_pdf::verify::Verdict::Valid,
        "{:#?}",
        report.problems
    );
    assert!(report.signatures.iter().any(|s| s.docmdp == Some(2)));
}

/// A file of the PDF engine's generated test inputs (`crates/pdf/tests/fixtures/lossless`).
fn lossless_fixture(name: &str) -> Vec<u8> {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pdf/tests/fixtures/lossless");
    std::fs::read(dir.join(name)).unwrap()
}

/// Signet's validator on `bytes`, trusting the certificates of `pem`.
fn signet_report(bytes: &[u8], pem: Vec<u8>) -> signet_pdf::verify::Report {
    let anchors = signet_pdf::verify::anchors_from(&pem).unwrap();
    signet_pdf::verify::verify(bytes, &signet_pdf::verify::VerifyOptions::new(anchors))
}
