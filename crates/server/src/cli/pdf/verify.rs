//! `signet pdf verify`: the validator of `signet-pdf` from the command line, with trust
//! anchors from files and, when asked (`--online`), revocation data fetched from the OCSP
//! responders and CRL distribution points the certificates name.

use std::path::PathBuf;
use std::process::ExitCode;

use signet_pdf::verify::{self, Report, VerifyOptions};
use x509_cert::Certificate;

use crate::revocation::{FetchPolicy, fetch_revocation};

#[derive(clap::Args)]
pub(crate) struct VerifyArgs {
    /// The PDF to validate.
    input: PathBuf,
    /// Trust anchor certificates (PEM bundle or DER); repeatable.
    #[arg(long)]
    trust: Vec<PathBuf>,
    /// Print the JSON report (docs/VERIFY.md) instead of the summary.
    #[arg(long)]
    json: bool,
    /// Fetch revocation data from the OCSP responders and CRL distribution points named in
    /// the certificates (otherwise only data embedded in the PDF is used).
    #[arg(long)]
    online: bool,
}

/// Validates and prints; the exit code is the verdict's (2 when the command's own inputs
/// are wrong).
pub(super) fn run(args: &VerifyArgs) -> ExitCode {
    let report = match report(args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("signet pdf verify: {e:#}");
            return ExitCode::from(2);
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("signet pdf verify: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print!("{}", verify::text::render(&report));
    }
    ExitCode::from(u8::try_from(report.verdict.exit_code()).unwrap_or(1))
}

/// Reads the anchors and the file, fetches revocation data if asked, and validates.
/// Errors are about the command's own inputs (an unreadable anchor file); an unreadable PDF
/// is a report with the `unreadable` verdict.
fn report(args: &VerifyArgs) -> anyhow::Result<Report> {
    let anchors = super::anchors(&args.trust)?;
    let bytes =
        std::fs::read(&args.input).map_err(|e| anyhow::anyhow!("{}: {e}", args.input.display()))?;
    let options = VerifyOptions::new(anchors);
    if args.online {
        // The operator's own command on their own machine: any address may be asked.
        let mut fetch = |certs: &[Certificate]| {
            fetch_revocation(certs, &options.anchors, FetchPolicy::ANY_ADDRESS)
        };
        return Ok(verify::verify_fetching(&bytes, &options, &mut fetch));
    }
    Ok(verify::verify(&bytes, &options))
}
