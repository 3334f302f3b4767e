//! The algorithm, kind and status of a built-in CA, the algorithm of a certificate and of an
//! audit anchor, the status of a certificate binding and of an invitation, and the type of a
//! seal are closed sets on both databases (migration 16): rows holding other values stop the
//! migration, named, with nothing changed; afterwards such a value cannot be inserted or
//! updated; and one that got in anyway is an error when read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::exec;

use chrono::{TimeZone, Utc};
use signet_domain::certificate::{BindingStatus, CaKind, CaStatus, CertPurpose, KeyAlg};
use signet_domain::org::{InvitationStatus, Role, SealType};
use signet_migrations::{Migrator, MigratorTrait};
use signet_store::entities::{
    audit_anchor, bound_certificate, certificate, certificate_authority, invitation, seal,
};
use signet_store::sea_orm::{
    ActiveModelTrait, DatabaseBackend, DatabaseConnection, EntityTrait, IntoActiveModel,
};

/// (table, row id, column, a value outside the set, a value inside it)
const COLUMNS: &[(&str, &str, &str, &str, &str)] = &[
    ("certificate_authorities", "ca_1", "algorithm", "rsa", "sm2"),
    (
        "certificate_authorities",
        "ca_1",
        "kind",
        "intermediate",
        "root",
    ),
    (
        "certificate_authorities",
        "ca_1",
        "status",
        "paused",
        "retired",
    ),
    ("certificates", "crt_1", "algorithm", "ed25519", "p256"),
    ("audit_anchors", "anc_1", "algorithm", "rsa", "sm2"),
    (
        "bound_certificates",
        "bnd_1",
        "status",
        "approved",
        "rejected",
    ),
    ("invitations", "inv_1", "status", "expired", "declined"),
    ("seals", "seal_1", "kind", "stamp", "contract"),
];

/// One valid row in each of the tables, written through the entities.
async fn seed(db: &DatabaseConnection) {
    let t = Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap();
    certificate_authority::Model {
        id: "ca_1".into(),
        algorithm: KeyAlg::P256,
        kind: CaKind::Issuing,
        parent_id: None,
        subject: "Signet Issuing CA".into(),
        serial: "01".into(),
        cert_der: vec![0x30],
        key_sealed: vec![0],
        status: CaStatus::Active,
        not_before: t,
        not_after: t,
        created_at: t,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap();
    certificate::Model {
        id: "crt_1".into(),
        ca_id: "ca_1".into(),
        serial: "02".into(),
        algorithm: KeyAlg::Sm2,
        purpose: CertPurpose::User,
        user_id: Some("usr_1".into()),
        org_id: None,
        subject: "张三".into(),
        cert_der: vec![0x30],
        key_id: "key_1".into(),
        key_wrapped: vec![0],
        pin_protected: true,
        pin_failures: 0,
        locked_at: None,
        revoked_at: None,
        revocation_reason: None,
        revoked_by: None,
        replaced_by: None,
        not_before: t,
        not_after: t,
        created_at: t,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap();
    audit_anchor::Model {
        id: "anc_1".into(),
        task_id: "tsk_1".into(),
        seq: 1,
        head_hash: "00".into(),
        token: vec![0x30],
        algorithm: KeyAlg::P256,
        created_at: t,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap();
    bound_certificate::Model {
        id: "bnd_1".into(),
        user_id: "usr_1".into(),
        fingerprint: "ff".into(),
        cert_der: vec![0x30],
        subject: "CN=王小明".into(),
        issuer: "CN=Example CA".into(),
        serial: "03".into(),
        status: BindingStatus::Pending,
        not_after: t,
        decided_by: None,
        decided_at: None,
        created_at: t,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap();
    invitation::Model {
        id: "inv_1".into(),
        org_id: "org_1".into(),
        phone: "13900139000".into(),
        role: Role::Member,
        status: InvitationStatus::Pending,
        invited_by: "usr_1".into(),
        expires_at: t,
        created_at: t,
        updated_at: t,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap();
    seal::Model {
        id: "seal_1".into(),
        user_id: None,
        org_id: Some("org_1".into()),
        name: "公章".into(),
        kind: SealType::Company,
        image_blob: "blob_1".into(),
        width: 480,
        height: 480,
        certificate_id: None,
        disabled_at: None,
        created_by: "usr_1".into(),
        created_at: t,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap();
}

fn set(table: &str, id: &str, column: &str, value: &str) -> String {
    format!("UPDATE {table} SET {column} = '{value}' WHERE id = '{id}'")
}

async fn closed_sets(db: DatabaseConnection) {
    // The schema before these constraints (the users, organisations and tasks the rows name
    // need not exist here).
    Migrator::up(&db, Some(15)).await.unwrap();
    let no_fks = match db.get_database_backend() {
        DatabaseBackend::Postgres => "SET session_replication_role = replica",
        _ => "PRAGMA foreign_keys = OFF",
    };
    exec(&db, no_fks).await.unwrap();
    seed(&db).await;
    for (table, id, column, bad, _) in COLUMNS {
        exec(&db, &set(table, id, column, bad)).await.unwrap();
    }

    let err = Migrator::up(&db, None).await.unwrap_err().to_string();
    for (table, _, column, bad, _) in COLUMNS {
        assert!(
            err.contains(&format!("{table}.{column} = '{bad}' (1 rows)")),
            "{err}"
        );
    }
    assert!(err.contains("Nothing was changed"), "{err}");

    for (table, id, column, _, good) in COLUMNS {
        exec(&db, &set(table, id, column, good)).await.unwrap();
    }
    Migrator::up(&db, None).await.unwrap();
    let ca = certificate_authority::Entity::find_by_id("ca_1")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (ca.algorithm, ca.kind, ca.status),
        (KeyAlg::Sm2, CaKind::Root, CaStatus::Retired)
    );
    let s = seal::Entity::find_by_id("seal_1")
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.kind, SealType::Contract);

    // Unknown values can be neither updated nor inserted in any of the columns; known ones
    // still can.
    for (i, (table, id, column, bad, good)) in COLUMNS.iter().enumerate() {
        let err = exec(&db, &set(table, id, column, bad)).await.unwrap_err();
        assert!(
            err.to_lowercase().contains("check"),
            "{table}.{column}: {err}"
        );
        let copy = format!("copy_{i}");
        exec(
            &db,
            &format!("CREATE TEMPORARY TABLE {copy} AS SELECT * FROM {table} WHERE id = '{id}'"),
        )
        .await
        .unwrap();
        exec(
            &db,
            &format!("UPDATE {copy} SET id = '{id}_copy', {column} = '{bad}'"),
        )
        .await
        .unwrap();
        let err = exec(&db, &format!("INSERT INTO {table} SELECT * FROM {copy}"))
            .await
            .unwrap_err();
        assert!(
            err.to_lowercase().contains("check"),
            "{table}.{column}: {err}"
        );
        exec(&db, &set(table, id, column, good)).await.unwrap();
    }

    // A value that got in anyway is an error when read, not a default.
    Migrator::down(&db, Some(1)).await.unwrap();
    exec(&db, &set("seals", "seal_1", "kind", "stamp"))
        .await
        .unwrap();
    let read = seal::Entity::find_by_id("seal_1").one(&db).await;
    assert!(read.is_err(), "{read:?}");
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    closed_sets(common::sqlite(&dir).await).await;
}

#[tokio::test]
async fn postgres() {
    if let Some(db) = common::postgres().await {
        closed_sets(db).await;
    }
}
