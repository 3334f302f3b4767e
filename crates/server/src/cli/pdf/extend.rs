//! `signet pdf extend`: raise the signatures of a signed PDF to B-LT or B-LTA.

use std::path::PathBuf;

use signet_pdf::ltv::DssMaterial;
use signet_pdf::{Level, Pades, TimestampSource, ValidationSource};
use signet_pki::sign::KeyAlgorithm;
use signet_pki::verify::TrustAnchors;
use x509_cert::Certificate;

use crate::app::signing::Timestamps;

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
    trust: &TrustAnchors,
) -> anyhow::Result<Vec<u8>> {
    if level >= Level::BLta && tsa.is_none() {
        anyhow::bail!("b-lta needs --tsa URL");
    }
    let pades = Pades::new(level, tsa.map(|t| t as &dyn TimestampSource));
    Ok(pades.extend(pdf, &Fetched { trust }, KeyAlgorithm::EcdsaP256)?)
}

/// Validation data fetched over the network: OCSP responses and CRLs from the URLs the
/// certificates name (any address: the command line runs where its user decides), and the
/// certificates with the issuers `trust` adds.
struct Fetched<'a> {
    trust: &'a TrustAnchors,
}

impl ValidationSource for Fetched<'_> {
    fn material(&self, embedded: &[Certificate]) -> Result<DssMaterial, String> {
        let fetched = crate::revocation::fetch_revocation(
            embedded,
            self.trust,
            crate::revocation::FetchPolicy::ANY_ADDRESS,
        );
        let mut material = DssMaterial::default();
        for cert in embedded
            .iter()
            .chain(fetched.certificates.iter())
            .chain(self.trust.certificates().iter())
        {
            let der = der::Encode::to_der(cert).map_err(|e| e.to_string())?;
            if !material.certs.contains(&der) {
                material.certs.push(der);
            }
        }
        material.ocsps = fetched.ocsp_responses;
        material.crls = fetched.crls;
        Ok(material)
    }
}
