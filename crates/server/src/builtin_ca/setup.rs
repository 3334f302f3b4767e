//! Creating the hierarchy (`signet pki init`) and rotating an algorithm's issuing CA and
//! service certificates (`signet pki rotate`).

use super::*;

/// What `init` or `rotate` created, for the CLI to print.
#[derive(Debug, Default)]
pub struct Created {
    pub lines: Vec<String>,
}

/// Creates the root and issuing CA and the service certificates for every algorithm that has
/// no active root yet. Idempotent.
pub async fn init(
    db: &DatabaseConnection,
    master: &MasterKey,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<Created, BuiltinCaError> {
    match init_once(db, master, base_url, now).await {
        Ok(created) => Ok(created),
        // Another node initialised at the same moment: its CAs won the unique index.
        Err(BuiltinCaError::Db(e)) if has_all_roots(db).await.unwrap_or(false) => {
            tracing::info!(error = %e, "the PKI was initialised concurrently by another node");
            Ok(Created::default())
        }
        Err(e) => Err(e),
    }
}

async fn has_all_roots(db: &DatabaseConnection) -> Result<bool, DbErr> {
    let all = repo::authorities(db).await?;
    Ok(ALGORITHMS
        .iter()
        .all(|alg| all.iter().any(|a| is_active(a, *alg, CaKind::Root))))
}

async fn init_once(
    db: &DatabaseConnection,
    master: &MasterKey,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<Created, BuiltinCaError> {
    let txn = db.begin().await?;
    let existing = repo::authorities(&txn).await?;
    let mut created = Created::default();
    for alg in ALGORITHMS {
        let has_root = existing.iter().any(|a| is_active(a, alg, CaKind::Root));
        if has_root {
            continue;
        }
        let (root_id, root_key, root_cert) =
            create_ca(&txn, master, base_url, alg, None, now).await?;
        created
            .lines
            .push(format!("root CA {root_id} ({})", alg_label(alg)));
        let issuing_id = create_issuing(
            &txn,
            master,
            base_url,
            alg,
            &root_id,
            &root_key,
            &root_cert,
            now,
            &mut created,
        )
        .await?;
        let _ = issuing_id;
    }
    txn.commit().await?;
    Ok(created)
}

/// Creates a new issuing CA (and its service certificates) under the active root of `alg`
/// and retires the previous issuing CA, which keeps answering OCSP and CRL requests for what
/// it issued. Running nodes pick the new CA up when they restart.
pub async fn rotate(
    db: &DatabaseConnection,
    master: &MasterKey,
    base_url: &str,
    alg: KeyAlgorithm,
    now: DateTime<Utc>,
) -> Result<Created, BuiltinCaError> {
    let txn = db.begin().await?;
    let all = repo::authorities(&txn).await?;
    let root = all
        .iter()
        .rfind(|a| is_active(a, alg, CaKind::Root))
        .ok_or(BuiltinCaError::NotInitialised)?;
    let root_key = open_key(master, &ca_key_id(&root.id), &root.key_sealed)?;
    let root_cert = Certificate::from_der(&root.cert_der)?;
    for old in all.iter().filter(|a| is_active(a, alg, CaKind::Issuing)) {
        repo::set_authority_status(&txn, &old.id, CaStatus::Retired).await?;
    }
    repo::supersede_services(&txn, key_alg(alg), now).await?;
    let mut created = Created::default();
    create_issuing(
        &txn,
        master,
        base_url,
        alg,
        &root.id,
        &root_key,
        &root_cert,
        now,
        &mut created,
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

#[allow(clippy::too_many_arguments)]
async fn create_issuing<C: ConnectionTrait>(
    db: &C,
    master: &MasterKey,
    base_url: &str,
    alg: KeyAlgorithm,
    root_id: &str,
    root_key: &SigningKey,
    root_cert: &Certificate,
    now: DateTime<Utc>,
    created: &mut Created,
) -> Result<String, BuiltinCaError> {
    let (issuing_id, issuing_key, issuing_cert) = create_ca(
        db,
        master,
        base_url,
        alg,
        Some((root_id, root_key, root_cert)),
        now,
    )
    .await?;
    created
        .lines
        .push(format!("issuing CA {issuing_id} ({})", alg_label(alg)));
    for (purpose, profile, name, validity) in [
        (
            CertPurpose::Ocsp,
            Profile::OcspResponder,
            "OCSP Responder",
            OCSP_YEARS,
        ),
        (
            CertPurpose::Tsa,
            Profile::TimeStamping,
            "Time Stamping Authority",
            TSA_YEARS,
        ),
        (
            CertPurpose::Platform,
            Profile::Signer,
            "Platform Document Signing",
            PLATFORM_YEARS,
        ),
    ] {
        let subject = SubjectName {
            common_name: format!("Signet {name} {}", alg_label(alg)),
            organization: Some("Signet".into()),
            organizational_unit: None,
            serial_number: None,
            country: Some("CN".into()),
        };
        // The TSA hangs directly under the root: the last document timestamp of a B-LTA file
        // is checked at the current time, when nothing later proves the existence of an
        // intermediate certificate, so its chain is kept to the trust anchor alone.
        let (ca_id, ca_key, ca_cert) = if purpose == CertPurpose::Tsa {
            (root_id, root_key, root_cert)
        } else {
            (issuing_id.as_str(), &issuing_key, &issuing_cert)
        };
        let id = issue_service(
            db,
            master,
            base_url,
            alg,
            ca_id,
            ca_key,
            ca_cert,
            purpose,
            profile,
            &subject,
            now,
            years(validity),
        )
        .await?;
        created
            .lines
            .push(format!("{purpose} certificate {id} ({})", alg_label(alg)));
    }
    Ok(issuing_id)
}

async fn create_ca<C: ConnectionTrait>(
    db: &C,
    master: &MasterKey,
    base_url: &str,
    alg: KeyAlgorithm,
    parent: Option<(&str, &SigningKey, &Certificate)>,
    now: DateTime<Utc>,
) -> Result<(String, SigningKey, Certificate), BuiltinCaError> {
    let id = signet_store::new_id("ca");
    let key = SigningKey::generate(alg)?;
    let spki = key.public_key_spki_der()?;
    let short = id.get(id.len().saturating_sub(8)..).unwrap_or_default();
    let (kind, label, profile, validity) = match parent {
        None => (CaKind::Root, "Root CA", Profile::RootCa, ROOT_YEARS),
        Some(_) => (
            CaKind::Issuing,
            "Issuing CA",
            Profile::IssuingCa,
            ISSUING_YEARS,
        ),
    };
    let subject = SubjectName {
        common_name: format!("Signet {label} {} {short}", alg_label(alg)),
        organization: Some("Signet".into()),
        organizational_unit: Some("Signet PKI".into()),
        serial_number: None,
        country: Some("CN".into()),
    };
    let serial = ca::random_serial();
    let request = CertificateRequest {
        subject: &subject,
        public_key_spki_der: &spki,
        serial: serial.clone(),
        not_before: now - Duration::minutes(5),
        not_after: now + years(validity),
        profile,
        urls: match parent {
            None => CaUrls {
                crl: None,
                ocsp: None,
                ca_issuers: None,
            },
            Some((pid, _, _)) => CaUrls {
                ocsp: None,
                ..urls(base_url, pid)
            },
        },
    };
    let cert = match parent {
        None => ca::issue(&request, &key, None)?,
        Some((_, pkey, pcert)) => ca::issue(&request, pkey, Some(pcert))?,
    };
    let pkcs8 = key.to_pkcs8_der()?;
    repo::insert_authority(
        db,
        repo::Authority {
            id: id.clone(),
            algorithm: key_alg(alg),
            kind,
            parent_id: parent.map(|p| p.0.to_owned()),
            subject: subject.common_name.clone(),
            serial: ca::serial_hex(&serial),
            cert_der: cert.to_der()?,
            key_sealed: keywrap::seal_service_key(master, &ca_key_id(&id), &pkcs8),
            status: CaStatus::Active,
            not_before: request.not_before,
            not_after: request.not_after,
            created_at: now,
        },
    )
    .await?;
    Ok((id, key, cert))
}

#[allow(clippy::too_many_arguments)]
async fn issue_service<C: ConnectionTrait>(
    db: &C,
    master: &MasterKey,
    base_url: &str,
    alg: KeyAlgorithm,
    ca_id: &str,
    ca_key: &SigningKey,
    ca_cert: &Certificate,
    purpose: CertPurpose,
    profile: Profile,
    subject: &SubjectName,
    now: DateTime<Utc>,
    validity: Duration,
) -> Result<String, BuiltinCaError> {
    let id = signet_store::new_id("crt");
    let key = SigningKey::generate(alg)?;
    let spki = key.public_key_spki_der()?;
    let serial = ca::random_serial();
    let mut u = urls(base_url, ca_id);
    if purpose == CertPurpose::Ocsp {
        // An OCSP responder's own status is not checked (id-pkix-ocsp-nocheck), so its
        // certificate names no revocation source (RFC 6960 §4.2.2.2.1).
        u.ocsp = None;
        u.crl = None;
    }
    let request = CertificateRequest {
        subject,
        public_key_spki_der: &spki,
        serial: serial.clone(),
        not_before: now - Duration::minutes(5),
        not_after: now + validity,
        profile,
        urls: u,
    };
    let cert = ca::issue(&request, ca_key, Some(ca_cert))?;
    let key_id = service_key_id(&id);
    let pkcs8 = key.to_pkcs8_der()?;
    repo::insert_certificate(
        db,
        repo::Certificate {
            key_wrapped: keywrap::seal_service_key(master, &key_id, &pkcs8),
            key_id,
            ..issued_row(id.clone(), ca_id, alg, purpose, &request, &cert, now)?
        },
    )
    .await?;
    Ok(id)
}
