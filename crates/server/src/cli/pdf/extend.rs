//! `signet pdf extend`: raise the signatures of a signed PDF to B-LT or B-LTA.

use std::path::PathBuf;

use crate::app::signing::{Level, Timestamps};

#[derive(clap::Args)]
pub(crate) struct ExtendArgs {
    /// The signed PDF.
    input: PathBuf,
    /// Where to write the result (default: replace the input).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// `b-lt` or `b-lta`.
    #[arg(long, default_value = "b-lta")]
    level: String,
    /// RFC 3161 TSA URL for the document timestamp (e.g. a Signet server's /pki/tsa).
    #[arg(long)]
    tsa: Option<String>,
    /// Certificates (PEM or DER) to add as issuers the file does not carry, e.g. the root.
    #[arg(long)]
    trust: Vec<PathBuf>,
}

pub(super) fn run(args: &ExtendArgs) -> anyhow::Result<()> {
    let level = super::parse_level(&args.level)?;
    let input =
        std::fs::read(&args.input).map_err(|e| anyhow::anyhow!("{}: {e}", args.input.display()))?;
    let tsa = args.tsa.clone().map(Timestamps::Remote);
    let out = extend(input, level, tsa.as_ref(), &super::anchors(&args.trust)?)?;
    crate::cli::write_atomically(args.output.as_ref().unwrap_or(&args.input), &out)
}

/// Raises a signed PDF to B-LT or B-LTA without a database: the certificates embedded in it,
/// OCSP responses and CRLs fetched from the URLs those certificates name, a DSS revision, and
/// for B-LTA a document timestamp from `tsa`. `trust` adds issuers the file does not carry
/// (the roots). Lower levels return the file unchanged.
pub(super) fn extend(
    pdf: Vec<u8>,
    level: Level,
    tsa: Option<&Timestamps>,
    trust: &signet_pki::verify::TrustAnchors,
) -> anyhow::Result<Vec<u8>> {
    if level < Level::BLt {
        return Ok(pdf);
    }
    let embedded = signet_pdf::ltv::embedded_certificates(&pdf)?;
    let fetched = crate::revocation::fetch_revocation(
        &embedded,
        trust,
        crate::revocation::FetchPolicy::ANY_ADDRESS,
    );
    let mut material = signet_pdf::ltv::DssMaterial::default();
    for cert in embedded
        .iter()
        .chain(fetched.certificates.iter())
        .chain(trust.certificates().iter())
    {
        let der = der::Encode::to_der(cert)?;
        if !material.certs.contains(&der) {
            material.certs.push(der);
        }
    }
    material.ocsps = fetched.ocsp_responses;
    material.crls = fetched.crls;
    let pdf = signet_pdf::ltv::add_dss(pdf, &material)?;
    if level < Level::BLta {
        return Ok(pdf);
    }
    let source = tsa.ok_or_else(|| anyhow::anyhow!("b-lta needs --tsa URL"))?;
    let mut stamp = |digest: &[u8]| source.token(signet_pki::sign::KeyAlgorithm::EcdsaP256, digest);
    Ok(signet_pdf::ltv::add_document_timestamp(
        pdf,
        16 * 1024,
        &mut stamp,
    )?)
}
