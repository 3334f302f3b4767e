//! `signet pki init|show|rotate|revoke`: the built-in PKI. The commands work on the
//! database directly (the same settings as `signet serve`); running servers pick up new CAs
//! when restarted, revocations at once.

use chrono::Utc;
use clap::Subcommand;
use signet_store::repo::pki as repo;

use super::db::open;
use crate::builtin_ca;
use crate::config::Settings;

#[derive(Subcommand)]
pub(super) enum PkiCommand {
    /// Create a root CA, an issuing CA, and the OCSP, TSA and platform certificates for ECDSA
    /// P-256 and for SM2, unless they exist (keys sealed under the master key).
    Init,
    /// List the CAs and service certificates with their URLs.
    Show,
    /// Start a new issuing CA for an algorithm; the old one is retired but keeps answering
    /// OCSP and CRL requests.
    Rotate {
        /// `p256` or `sm2`.
        #[arg(long)]
        algorithm: String,
    },
    /// Revoke the certificate with this serial number (hex).
    Revoke {
        serial: String,
        /// RFC 5280 reason: keyCompromise, superseded, cessationOfOperation, affiliationChanged,
        /// privilegeWithdrawn, unspecified.
        #[arg(long, default_value = "unspecified")]
        reason: String,
    },
}

pub(super) async fn run(settings: &Settings, command: PkiCommand) -> anyhow::Result<()> {
    match command {
        PkiCommand::Init => init(settings).await,
        PkiCommand::Show => show(settings).await,
        PkiCommand::Rotate { algorithm } => rotate(settings, &algorithm).await,
        PkiCommand::Revoke { serial, reason } => revoke(settings, &serial, &reason).await,
    }
}

async fn init(settings: &Settings) -> anyhow::Result<()> {
    let (db, master) = open(settings).await?;
    let created =
        builtin_ca::init(&db, &master, &settings.http.public_base_url, Utc::now()).await?;
    if created.lines.is_empty() {
        println!("the PKI is initialised already (see `signet pki show`)");
    }
    for line in created.lines {
        println!("created {line}");
    }
    Ok(())
}

async fn show(settings: &Settings) -> anyhow::Result<()> {
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

async fn rotate(settings: &Settings, algorithm: &str) -> anyhow::Result<()> {
    let alg = builtin_ca::parse_alg(algorithm)
        .ok_or_else(|| anyhow::anyhow!("the algorithm must be p256 or sm2"))?;
    let (db, master) = open(settings).await?;
    let created = builtin_ca::rotate(
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

async fn revoke(settings: &Settings, serial: &str, reason: &str) -> anyhow::Result<()> {
    if builtin_ca::parse_reason(reason).is_none() || reason == "certificateHold" {
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
