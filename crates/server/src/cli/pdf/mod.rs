//! `signet pdf sign|verify|extend`: PDF tools that need no server or database.

mod extend;
mod job;
mod sign;
mod verify;

use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

pub(super) use job::parse_rect;

use crate::app::signing::Level;

#[derive(Subcommand)]
pub(super) enum PdfCommand {
    /// Sign a PDF: one signature from the flags, or several from `--job FILE` (TOML or
    /// JSON, see docs/PDF.md). Each signature is its own incremental revision.
    Sign(Box<sign::SignArgs>),
    /// Validate every signature of a PDF: integrity, ByteRange, signer chain and revocation,
    /// timestamps, and what later revisions changed. Exit codes: 0 valid, 1 invalid,
    /// 3 untrusted, 4 modified, 5 unreadable, 6 no signatures (2: usage error).
    Verify(verify::VerifyArgs),
    /// Raise the signatures of a signed PDF to B-LT (DSS with the certificates, OCSP responses
    /// and CRLs fetched from the URLs in the certificates) or B-LTA (and a document timestamp).
    Extend(extend::ExtendArgs),
}

pub(super) fn run(command: &PdfCommand) -> ExitCode {
    match command {
        PdfCommand::Sign(args) => super::outcome("signet pdf sign", sign::sign(args)),
        PdfCommand::Verify(args) => verify::run(args),
        PdfCommand::Extend(args) => super::outcome("signet pdf extend", extend::run(args)),
    }
}

fn parse_level(s: &str) -> anyhow::Result<Level> {
    Level::parse(s).ok_or_else(|| anyhow::anyhow!("the level must be b-b, b-t, b-lt or b-lta"))
}

/// Certificates from PEM bundles or DER files, as trust anchors (or extra issuers).
fn anchors(paths: &[PathBuf]) -> anyhow::Result<signet_pki::verify::TrustAnchors> {
    let mut anchors = signet_pki::verify::TrustAnchors::new();
    for path in paths {
        let data = std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        for cert in signet_pdf::verify::anchors_from(&data)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            .certificates()
        {
            anchors.push(cert.clone());
        }
    }
    Ok(anchors)
}
