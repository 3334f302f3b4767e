//! Operator commands for the built-in PKI and organisations: `signet pki init|show|rotate|
//! revoke` and `signet org verify`. They work on the database directly (the same settings as
//! `signet serve`); running servers pick up new CAs when restarted, revocations at once.

use chrono::Utc;
use secrecy::ExposeSecret;
use signet_pki::MasterKey;
use signet_store::repo::{orgs, pki as repo};
use signet_store::sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::trust::{self, Trust};

/// Connects, migrates and loads the master key.
pub async fn open(settings: &Settings) -> anyhow::Result<(DatabaseConnection, MasterKey)> {
    std::fs::create_dir_all(&settings.data_dir)?;
    let db = signet_store::connect(settings.database.owner_url().expose_secret(), 2).await?;
    signet_store::migrate(&db).await?;
    let master = crate::startup::load_master_key(settings)?;
    Ok((db, master))
}

pub async fn init(settings: &Settings) -> anyhow::Result<()> {
    let (db, master) = open(settings).await?;
    let created = trust::init(&db, &master, &settings.http.public_base_url, Utc::now()).await?;
    if created.lines.is_empty() {
        println!("the PKI is initialised already (see `signet pki show`)");
    }
    for line in created.lines {
        println!("created {line}");
    }
    Ok(())
}

pub async fn show(settings: &Settings) -> anyhow::Result<()> {
    let (db, _) = open(settings).await?;
    let cas = repo::authorities(&db).await?;
    if cas.is_empty() {
        println!("the PKI is not initialised: run `signet pki init`");
        return Ok(());
    }
    let base = settings.http.public_base_url.trim_end_matches('/');
    println!("certificate authorities:");
    for a in &cas {
        println!(
            "  {}  {:<5} {:<8} {:<8} serial {}  until {}  {}",
            a.id,
            a.algorithm,
            a.kind,
            a.status,
            a.serial,
            a.not_after.format("%Y-%m-%d"),
            a.subject
        );
        println!(
            "      {base}/pki/ca/{}.pem   {base}/pki/crl/{}.crl",
            a.id, a.id
        );
    }
    println!("service certificates:");
    for c in repo::services(&db).await? {
        println!(
            "  {}  {:<5} {:<8} issuer {}  serial {}  until {}",
            c.id,
            c.algorithm,
            c.purpose,
            c.ca_id,
            c.serial,
            c.not_after.format("%Y-%m-%d")
        );
    }
    println!("OCSP: {base}/pki/ocsp   TSA: {base}/pki/tsa (P-256), {base}/pki/tsa/sm2 (SM2)");
    Ok(())
}

pub async fn rotate(settings: &Settings, algorithm: &str) -> anyhow::Result<()> {
    let alg = trust::parse_alg(algorithm)
        .ok_or_else(|| anyhow::anyhow!("the algorithm must be p256 or sm2"))?;
    let (db, master) = open(settings).await?;
    let created = trust::rotate(
        &db,
        &master,
        &settings.http.public_base_url,
        alg,
        Utc::now(),
    )
    .await?;
    for line in created.lines {
        println!("created {line}");
    }
    println!(
        "restart the servers to issue from the new CA; the old one keeps answering OCSP and CRLs"
    );
    Ok(())
}

pub async fn revoke(settings: &Settings, serial: &str, reason: &str) -> anyhow::Result<()> {
    if trust::parse_reason(reason).is_none() || reason == "certificateHold" {
        anyhow::bail!(
            "unknown reason {reason:?} (keyCompromise, superseded, cessationOfOperation, affiliationChanged, privilegeWithdrawn, unspecified)"
        );
    }
    let (db, _) = open(settings).await?;
    let serial = normalize_serial(serial)?;
    let rows = repo::by_serial_any(&db, &serial).await?;
    if rows.is_empty() {
        anyhow::bail!("no certificate with serial {serial}");
    }
    for row in rows {
        if repo::revoke(&db, &row.id, reason, "operator", Utc::now()).await? {
            println!(
                "revoked {} ({}, {}) as {reason}",
                row.id, row.purpose, row.subject
            );
        } else {
            println!("{} was revoked already", row.id);
        }
    }
    Ok(())
}

/// The stored form of a serial typed by an operator: `0x…`, OpenSSL's `5F:1C:…`, upper case
/// and leading zero bytes are all accepted.
fn normalize_serial(input: &str) -> anyhow::Result<String> {
    let mut hex: String = input
        .trim()
        .trim_start_matches("0x")
        .chars()
        .filter(|c| *c != ':' && !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if hex.len() % 2 == 1 {
        hex.insert(0, '0');
    }
    let bytes = hex::decode(&hex)
        .map_err(|_| anyhow::anyhow!("not a hexadecimal serial number: {input:?}"))?;
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let out = hex::encode(bytes.get(start..).unwrap_or_default());
    Ok(if out.is_empty() { "0".into() } else { out })
}

/// Marks an organisation verified (by id or exact name).
pub async fn org_verify(settings: &Settings, org: &str) -> anyhow::Result<()> {
    let (db, _) = open(settings).await?;
    // By id only: names are not unique, and verifying the wrong one would give a stranger
    // the right to the organisation's certificates.
    let Some(o) = orgs::by_id(&db, org).await? else {
        let named = orgs::all_by_name(&db, org).await?;
        if named.is_empty() {
            anyhow::bail!("no organisation with id {org:?}");
        }
        let ids: Vec<String> = named
            .iter()
            .map(|o| format!("{} (USCC {})", o.id, o.uscc.as_deref().unwrap_or("none")))
            .collect();
        anyhow::bail!(
            "signet org verify takes an organisation id; {} organisation(s) are named {org:?}: {}",
            named.len(),
            ids.join(", ")
        );
    };
    orgs::set_verified(&db, &o.id, Some(Utc::now())).await?;
    println!("verified {} ({})", o.name, o.id);
    Ok(())
}

/// `signet audit verify`: checks every task's audit chain (or one task's) and its TSA
/// anchors; prints one line per chain and fails naming the first broken link of each broken
/// chain.
pub async fn audit_verify(settings: &Settings, task: Option<&str>) -> anyhow::Result<()> {
    let (db, master) = open(settings).await?;
    let trust = Trust::load(&db, &master, &settings.http.public_base_url).await?;
    let tsa_ok = crate::evidence::tsa_trust(trust.as_ref(), settings);
    let checks = crate::evidence::check_all(&db, task, &tsa_ok).await?;
    if checks.is_empty() {
        match task {
            Some(t) => anyhow::bail!("task {t} has no events"),
            None => println!("no audit events yet"),
        }
    }
    let mut broken = 0;
    for c in &checks {
        if c.ok() {
            println!(
                "ok\t{}\t{} events\thead {} {}\t{} anchor(s)",
                c.task_id,
                c.events,
                c.head_seq.unwrap_or(0),
                c.head_hash.as_deref().unwrap_or(""),
                c.anchors.len()
            );
            continue;
        }
        broken += 1;
        if let Some(b) = &c.broken {
            println!("BROKEN\t{b}");
        }
        for a in c.anchors.iter().filter(|a| !a.problems.is_empty()) {
            println!(
                "BROKEN\ttask {}: anchor at seq {}: {}",
                c.task_id,
                a.seq,
                a.problems.join("; ")
            );
        }
    }
    if broken > 0 {
        anyhow::bail!("{broken} of {} audit chain(s) are broken", checks.len());
    }
    Ok(())
}

/// Grants (or withdraws) a user's right to initiate personal signing tasks.
pub async fn grant_initiate(settings: &Settings, user: &str, grant: bool) -> anyhow::Result<()> {
    let (db, _) = open(settings).await?;
    let found = match signet_store::repo::users::by_account_name(&db, user).await? {
        Some(u) => Some(u),
        None => signet_store::repo::users::by_phone(&db, user).await?,
    };
    let u = found.ok_or_else(|| anyhow::anyhow!("no user {user:?}"))?;
    signet_store::tasks::set_initiate_grant(&db, &u.id, grant, "operator", Utc::now()).await?;
    let what = if grant { "granted" } else { "withdrew" };
    println!("{what} initiate for {} ({})", u.account_name, u.id);
    Ok(())
}

/// Approves (`approve == true`) or rejects a pending certificate binding.
pub async fn decide_binding(settings: &Settings, id: &str, approve: bool) -> anyhow::Result<()> {
    let (db, _) = open(settings).await?;
    let to = if approve { "active" } else { "rejected" };
    if !signet_store::repo::bound::decide(&db, id, "pending", to, "operator", Utc::now()).await? {
        anyhow::bail!("no pending binding {id}");
    }
    println!("binding {id} is {to}");
    Ok(())
}

/// The loaded PKI, for commands that need its keys.
pub async fn load(settings: &Settings) -> anyhow::Result<(DatabaseConnection, Trust)> {
    let (db, master) = open(settings).await?;
    let t = Trust::load(&db, &master, &settings.http.public_base_url)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the PKI is not initialised: run `signet pki init`"))?;
    Ok((db, t))
}

#[cfg(test)]
mod tests {
    use super::normalize_serial;

    #[test]
    fn serials_in_the_forms_tools_print() {
        assert_eq!(normalize_serial("0a:1B:ff").unwrap(), "0a1bff");
        assert_eq!(normalize_serial("0x000A1BFF").unwrap(), "0a1bff");
        assert_eq!(normalize_serial("a1bff").unwrap(), "0a1bff");
        assert_eq!(normalize_serial("00").unwrap(), "0");
        assert!(normalize_serial("zz").is_err());
    }
}
