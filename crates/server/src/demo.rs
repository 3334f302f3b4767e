//! The demo tenant (`signet serve --demo`): an organisation with an admin and a member, so a
//! person can log in at once. Idempotent: runs at every demo start, creates what is missing.

use chrono::Utc;
use signet_domain::certificate::KeyAlg;
use signet_domain::identity::IdCardNumber;
use signet_domain::org::SealType;
use signet_store::repo::{orgs, users};
use signet_store::sea_orm::TransactionTrait;

use crate::state::AppState;

pub struct DemoAccount {
    pub account_name: &'static str,
    pub real_name: &'static str,
    pub phone: &'static str,
    /// First 17 digits of the ID number; the check digit is computed.
    pub id17: &'static str,
    pub admin: bool,
}

pub const DEMO_PASSWORD: &str = "Signet-demo-2026";
pub const DEMO_ORG: &str = "示例科技有限公司";
/// The PIN of the demo organisation's certificates (held by the demo admin).
pub const DEMO_PIN: &str = "246810";

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        account_name: "demoadmin",
        real_name: "张三",
        phone: "13800000001",
        id17: "44010619850615123",
        admin: true,
    },
    DemoAccount {
        account_name: "demouser",
        real_name: "李四",
        phone: "13800000002",
        id17: "35010219920202002",
        admin: false,
    },
];

pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    seed_accounts(state).await?;
    seed_certificates(state).await?;
    seed_company_seal(state).await
}

/// The demo organisation's company seal (公章), generated from its name and bound to its
/// P-256 certificate.
async fn seed_company_seal(state: &AppState) -> anyhow::Result<()> {
    use signet_store::repo::seals;
    let Some(org) = orgs::by_name(&state.db, DEMO_ORG).await? else {
        return Ok(());
    };
    if !seals::of_org(&state.db, &org.id).await?.is_empty() {
        return Ok(());
    }
    let font = crate::app::signing::cjk_font_bytes();
    if font.is_none() {
        tracing::warn!(
            font = crate::app::signing::DEFAULT_FONT,
            "no CJK font: the demo company seal is drawn without its name"
        );
    }
    const SIZE: u32 = 480;
    let png = crate::sealgen::company_seal(&org.name, font.as_deref().map(Vec::as_slice), SIZE)?;
    let blob = state.blobs.put(png).await?;
    let certificate = signet_store::repo::pki::of_org(&state.db, &org.id)
        .await?
        .into_iter()
        .find(|c| c.algorithm == KeyAlg::P256 && c.revoked_at.is_none())
        .map(|c| c.id);
    seals::insert(
        &state.db,
        seals::Seal {
            id: signet_store::new_id("seal"),
            user_id: None,
            org_id: Some(org.id.clone()),
            name: "公章".into(),
            kind: SealType::Company,
            image_blob: blob,
            width: SIZE as i32,
            height: SIZE as i32,
            certificate_id: certificate,
            disabled_at: None,
            created_by: org.created_by.clone(),
            created_at: Utc::now(),
        },
    )
    .await?;
    tracing::info!("demo company seal created");
    Ok(())
}

/// The demo organisation's certificates: one ECDSA P-256 and one SM2, held by the demo admin
/// under [`DEMO_PIN`].
async fn seed_certificates(state: &AppState) -> anyhow::Result<()> {
    let Some(trust) = state.ca.as_deref() else {
        return Ok(());
    };
    let Some(admin) = users::by_account_name(&state.db, ACCOUNTS[0].account_name).await? else {
        return Ok(());
    };
    let Some(org) = orgs::by_name(&state.db, DEMO_ORG).await? else {
        return Ok(());
    };
    let existing = signet_store::repo::pki::of_org(&state.db, &org.id).await?;
    for alg in crate::builtin_ca::ALGORITHMS {
        if existing
            .iter()
            .any(|c| c.algorithm == crate::builtin_ca::key_alg(alg) && c.revoked_at.is_none())
        {
            continue;
        }
        let holder = crate::builtin_ca::Holder {
            purpose: signet_domain::certificate::CertPurpose::Org,
            user_id: &admin.id,
            org_id: Some(&org.id),
            subject: crate::builtin_ca::org_subject(&org),
        };
        let validity = chrono::Duration::days(state.settings.pki.certificate_days.max(1));
        trust
            .issue_holder(
                &state.db,
                &state.master,
                alg,
                &holder,
                DEMO_PIN,
                validity,
                Utc::now(),
            )
            .await?;
        tracing::info!(
            algorithm = crate::builtin_ca::alg_name(alg),
            "demo organisation certificate issued"
        );
    }
    Ok(())
}

async fn seed_accounts(state: &AppState) -> anyhow::Result<()> {
    if users::by_account_name(&state.db, ACCOUNTS[0].account_name)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let now = Utc::now();
    let hash = crate::auth::hash_password(DEMO_PASSWORD.to_owned())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let txn = state.db.begin().await?;
    let mut ids = Vec::new();
    for a in ACCOUNTS {
        let number = format!(
            "{}{}",
            a.id17,
            IdCardNumber::check_digit(a.id17.as_bytes()) as char
        );
        let id_card = IdCardNumber::parse(&number, now.date_naive())?;
        let id = signet_store::new_id("usr");
        users::insert(
            &txn,
            crate::app::accounts::verified_user(
                state,
                id.clone(),
                crate::app::accounts::Person {
                    account_name: a.account_name,
                    real_name: a.real_name,
                    id_card: &id_card,
                    phone: a.phone,
                    password_hash: hash.clone(),
                },
                now,
            ),
        )
        .await?;
        ids.push((id, a.admin));
    }
    let creator = ids.first().map(|(id, _)| id.clone()).unwrap_or_default();
    let org = orgs::insert(
        &txn,
        orgs::Organization {
            id: signet_store::new_id("org"),
            name: DEMO_ORG.into(),
            uscc: None,
            verified_at: Some(now),
            created_by: creator,
            created_at: now,
        },
    )
    .await?;
    for (id, admin) in ids {
        // Demo users may initiate personal tasks (off by default for real users).
        signet_store::tasks::set_initiate_grant(&txn, &id, true, "demo", now).await?;
        orgs::add_member(
            &txn,
            orgs::Membership {
                id: signet_store::new_id("mem"),
                org_id: org.id.clone(),
                user_id: id,
                role: if admin {
                    signet_domain::org::Role::Admin
                } else {
                    signet_domain::org::Role::Member
                },
                can_initiate: admin,
                created_at: now,
            },
        )
        .await?;
    }
    txn.commit().await?;
    tracing::info!("demo organisation and users created");
    Ok(())
}

/// The lines `signet serve --demo` prints.
pub fn credentials_banner(base_url: &str) -> String {
    let mut s = format!(
        "\nSignet demo is running at {base_url}/\n  API docs: {base_url}/api/docs/\n  Organisation: {DEMO_ORG}\n"
    );
    for a in ACCOUNTS {
        s.push_str(&format!(
            "  {} {} ({}): account {} / phone {} / password {}\n",
            if a.admin { "admin " } else { "member" },
            a.real_name,
            if a.admin { "may initiate" } else { "member" },
            a.account_name,
            a.phone,
            DEMO_PASSWORD
        ));
    }
    s.push_str(&format!(
        "  Certificates: the organisation's P-256 and SM2 certificates, PIN {DEMO_PIN}, and its company seal (公章) — held by the admin\n"
    ));
    s.push_str(
        "  SMS codes: GET /api/v1/dev/sms-outbox · captcha answers: GET /api/v1/dev/captcha/{id}\n",
    );
    s
}
