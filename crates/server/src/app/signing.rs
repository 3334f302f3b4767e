//! The server's adapter of the PAdES pipeline ([`signet_pdf::pades`]): [`Pipeline`] plans
//! each signature with a key opened by its PIN and the built-in CA's chain, signs them in
//! order and extends the result to the level, with the configured [`Timestamps`] as the
//! timestamp source and the built-in PKI's validation data. `POST /api/v1/sign`, task steps
//! and the evidence report sign through it; external signing finishes a client's signature
//! with its [`Pipeline::extend`]. The command line (`signet pdf sign|extend`) is the other
//! adapter, with a TSA URL and revocation data fetched from the certificates' URLs.
//!
//! - B-B: one CMS signature per placement, each its own incremental revision.
//! - B-T: each signature gets an RFC 3161 timestamp on its signature value (unsigned
//!   attribute), from the built-in TSA of the signer's algorithm or the configured outside TSA.
//! - B-LT: then a revision with a DSS holding every certificate of the chains (signers and
//!   TSA) and a fresh OCSP response for each certificate the built-in CAs issued.
//! - B-LTA: then a document timestamp revision over all of it.

use chrono::Utc;
use rand::RngCore;
use signet_api::Placement;
use signet_pdf::DateStamp;
use signet_pdf::ltv::{self, DssMaterial};
use signet_pdf::{CjkFont, Pades, PdfError, SignatureSpec, TimestampSource};
use signet_pki::sign::{KeyAlgorithm, SigningKey};
use signet_pki::tsa;
use signet_pki::verify::DigestAlgorithm;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use x509_cert::Certificate;

use crate::builtin_ca::BuiltinCa;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// Signs with the platform's PKI and timestamp source, configured once at start
/// ([`AppState::timestamps`]). Borrowed per request: `Pipeline::new(&state)?`.
pub struct Pipeline<'a> {
    state: &'a AppState,
    ca: &'a BuiltinCa,
}

impl<'a> Pipeline<'a> {
    /// The pipeline, or 503 `pki_not_initialised` before `signet pki init`.
    pub fn new(state: &'a AppState) -> ApiResult<Self> {
        Ok(Self {
            state,
            ca: state.ca()?,
        })
    }

    pub fn ca(&self) -> &'a BuiltinCa {
        self.ca
    }

    /// One signature with a server-held key: the key as opened by its PIN (PKCS#8), the
    /// certificate's DER and the chain of the CA that issued it.
    pub fn plan(
        &self,
        spec: SignatureSpec,
        pkcs8: &[u8],
        cert_der: &[u8],
        ca_id: &str,
    ) -> ApiResult<Planned> {
        let key = SigningKey::from_pkcs8(pkcs8).map_err(ApiError::internal)?;
        let signer =
            <Certificate as der::Decode>::from_der(cert_der).map_err(ApiError::internal)?;
        Ok(Planned {
            spec,
            key,
            signer,
            chain: self.ca.chain_of(ca_id),
        })
    }

    /// As [`plan`](Self::plan), for certificate `id` of the request's certificate `rows`, with
    /// its key as opened by [`crate::app::certificate_keys::open_all`].
    pub fn plan_opened(
        &self,
        spec: SignatureSpec,
        id: &str,
        rows: &BTreeMap<String, signet_store::repo::pki::Certificate>,
        opened: &BTreeMap<String, zeroize::Zeroizing<Vec<u8>>>,
    ) -> ApiResult<Planned> {
        let pin_required = || ApiError::bad_request("pin_required");
        let row = rows.get(id).ok_or_else(pin_required)?;
        let pkcs8 = opened.get(id).ok_or_else(pin_required)?;
        self.plan(spec, pkcs8, &row.cert_der, &row.ca_id)
    }

    /// Applies every planned signature in order (timestamped from B-T), then extends the
    /// document to `level`; the document timestamp of B-LTA comes from the TSA of the last
    /// signature's algorithm.
    pub async fn sign(
        &self,
        pdf: Vec<u8>,
        planned: Vec<Planned>,
        level: Level,
    ) -> ApiResult<Vec<u8>> {
        let alg = planned
            .last()
            .map_or(KeyAlgorithm::EcdsaP256, |p| p.key.algorithm());
        let timestamps = self.state.timestamps.clone();
        let signed =
            actix_web::web::block(move || sign_all(pdf, planned, level, timestamps.as_ref()))
                .await?
                .map_err(pdf_error)?;
        self.extend(signed, level, alg).await
    }

    /// Adds what B-LT and B-LTA need on top of a signed document (nothing below B-LT).
    pub async fn extend(
        &self,
        pdf: Vec<u8>,
        level: Level,
        alg: KeyAlgorithm,
    ) -> ApiResult<Vec<u8>> {
        extend(
            self.ca,
            &self.state.db,
            pdf,
            level,
            alg,
            self.state.timestamps.clone(),
        )
        .await
    }
}

pub use signet_pdf::Level;

/// Most certificates a file may carry for B-LT / B-LTA validation data.
const MAX_DSS_CERTIFICATES: usize = 200;
/// Largest TSA answer read from an outside TSA.
const TSA_RESPONSE_LIMIT: u64 = 256 * 1024;

/// Where timestamps come from.
#[derive(Clone)]
pub enum Timestamps {
    /// The built-in TSAs (in-process, no HTTP round trip).
    Builtin(Arc<BuiltinCa>),
    /// An outside RFC 3161 TSA.
    Remote(String),
}

impl Timestamps {
    /// The configured source: `pki.tsa_url` when set, else the built-in TSA.
    pub fn from_settings(tsa_url: &str, trust: Option<Arc<BuiltinCa>>) -> Option<Self> {
        if !tsa_url.trim().is_empty() {
            return Some(Self::Remote(tsa_url.trim().to_owned()));
        }
        trust.map(Self::Builtin)
    }
}

/// A timestamp token over `digest` (SHA-256), for a signature or document of `alg`.
impl TimestampSource for Timestamps {
    /// Blocking: call it off the async executor.
    fn token(&self, alg: KeyAlgorithm, digest: &[u8]) -> Result<Vec<u8>, String> {
        let nonce = rand::rngs::OsRng.next_u64() >> 1;
        let request = tsa::timestamp_request(DigestAlgorithm::Sha256, digest, Some(nonce), true)
            .map_err(|e| e.to_string())?;
        let response = match self {
            Self::Builtin(trust) => trust
                .timestamp(alg, &request, Utc::now())
                .ok_or_else(|| "no built-in TSA for this algorithm".to_owned())?,
            Self::Remote(url) => remote_timestamp(url, &request)?,
        };
        tsa::token_from_response(&response, digest, Some(nonce)).map_err(|e| e.to_string())
    }
}

/// POSTs an RFC 3161 request to an outside TSA (RFC 3161 §3.4), reading at most 256 KiB.
pub fn remote_timestamp(url: &str, request: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| e.to_string())?;
    let resp = client
        .post(url)
        .header("Content-Type", "application/timestamp-query")
        .body(request.to_vec())
        .send()
        .map_err(|e| format!("TSA {url}: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("TSA {url} answered HTTP {}", resp.status()));
    }
    let mut body = Vec::new();
    resp.take(TSA_RESPONSE_LIMIT)
        .read_to_end(&mut body)
        .map_err(|e| format!("TSA {url}: {e}"))?;
    Ok(body)
}

/// One signature to apply: what it looks like and the opened key.
pub type Planned = signet_pdf::Signature;

/// The CJK font embedded at build time (WenQuanYi Micro Hei; see `build.rs`).
#[cfg(embedded_cjk_font)]
const EMBEDDED_FONT: Option<&[u8]> =
    Some(include_bytes!(concat!(env!("OUT_DIR"), "/cjk-font.bin")));
#[cfg(not(embedded_cjk_font))]
const EMBEDDED_FONT: Option<&[u8]> = None;

/// Where Debian's fonts-wqy-microhei installs the CJK font (used when none is built in).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

/// The CJK font for date stamps, generated seals, evidence reports and page images of files
/// that do not embed their CJK fonts: the one built into the binary, else the installed file
/// (Debian's fonts-wqy-microhei), read once.
pub fn cjk_font_bytes() -> Option<Arc<Vec<u8>>> {
    static BYTES: OnceLock<Option<Arc<Vec<u8>>>> = OnceLock::new();
    BYTES
        .get_or_init(|| match EMBEDDED_FONT {
            Some(bytes) => Some(Arc::new(bytes.to_vec())),
            None => std::fs::read(DEFAULT_FONT).ok().map(Arc::new),
        })
        .clone()
}

/// Whether the font is built into this binary.
pub fn font_is_embedded() -> bool {
    EMBEDDED_FONT.is_some()
}

/// The CJK font for date stamps, parsed once.
pub fn date_font() -> Option<&'static CjkFont> {
    static FONT: OnceLock<Option<CjkFont>> = OnceLock::new();
    FONT.get_or_init(|| cjk_font_bytes().and_then(|bytes| CjkFont::new(bytes.to_vec()).ok()))
        .as_ref()
}

/// Applies every signature in order (B-B, or B-T with `timestamps`). Blocking.
fn sign_all(
    pdf: Vec<u8>,
    planned: Vec<Planned>,
    level: Level,
    timestamps: Option<&Timestamps>,
) -> Result<Vec<u8>, PdfError> {
    Pades::new(level, timestamps.map(|t| t as &dyn TimestampSource))
        .with_font(date_font())
        .sign(pdf, &planned)
}

/// Validation data for every certificate embedded in `pdf`: the chains (from the built-in
/// PKI) and an OCSP response for each certificate a built-in CA issued.
pub async fn validation_data(
    trust: &BuiltinCa,
    db: &impl signet_store::sea_orm::ConnectionTrait,
    pdf: &[u8],
) -> Result<DssMaterial, ApiError> {
    let embedded = ltv::embedded_certificates(pdf).map_err(ApiError::internal)?;
    // Each certificate costs signature checks and an OCSP signature: a crafted file with
    // thousands of signatures must not buy that much work.
    if embedded.len() > MAX_DSS_CERTIFICATES {
        return Err(
            ApiError::unprocessable("too_many_certificates").param("limit", MAX_DSS_CERTIFICATES)
        );
    }
    let now = Utc::now();
    // Every distinct certificate once, in order, with the built-in CA that issued it (none for
    // a root); the built-in chain of each is added, so the DSS is complete even if a CMS
    // carried only the signer.
    let mut queue: Vec<Certificate> = embedded;
    let mut certs: Vec<(Certificate, Vec<u8>, Option<&crate::builtin_ca::CaHandle>)> = Vec::new();
    let mut next = 0;
    while let Some(cert) = queue.get(next).cloned() {
        next += 1;
        let der = der::Encode::to_der(&cert).map_err(ApiError::internal)?;
        if certs.iter().any(|(_, d, _)| *d == der) {
            continue;
        }
        let issuer = trust.issuer_of_certificate(&cert);
        if let Some(ca) = issuer {
            queue.extend(trust.chain_of(&ca.id));
        }
        let issuer = issuer.filter(|ca| ca.cert != cert);
        certs.push((cert, der, issuer));
    }
    let mut material = DssMaterial {
        certs: certs.iter().map(|(_, der, _)| der.clone()).collect(),
        ..DssMaterial::default()
    };
    // The CRL of every CA that issued a certificate here: the roots' cover the issuing CAs,
    // the issuing CAs' cover the end entities next to their OCSP responses. Validators differ
    // in what they read: pyHanko, for one, tries a certificate's OCSP URL online first and on
    // failure falls back to CRLs only, never to an OCSP response in the DSS.
    for ca in trust.cas() {
        if certs
            .iter()
            .any(|(_, _, issuer)| issuer.is_some_and(|i| i.id == ca.id))
            && let Some(crl) = trust.crl(db, &ca.id, now).await.map_err(ApiError::from)?
        {
            material.crls.push(crl);
        }
    }
    // OCSP for end entities only: CAs are covered by their issuer's CRL, roots need nothing.
    for (cert, _, issuer) in &certs {
        if let (Some(ca), false) = (issuer, is_ca(cert))
            && let Some(resp) = trust.ocsp_for(db, ca, cert, now).await?
        {
            material.ocsps.push(resp);
        }
    }
    Ok(material)
}

/// Adds what B-LT and B-LTA need on top of signed `pdf`. `alg` picks the built-in TSA of the
/// document timestamp.
async fn extend(
    trust: &BuiltinCa,
    db: &impl signet_store::sea_orm::ConnectionTrait,
    pdf: Vec<u8>,
    level: Level,
    alg: KeyAlgorithm,
    timestamps: Option<Timestamps>,
) -> Result<Vec<u8>, ApiError> {
    if level < Level::BLt {
        return Ok(pdf);
    }
    // Validators take revocation data as evidence only when it was issued after the
    // signature timestamps (ETSI EN 319 102-1), and both carry whole seconds: wait for the next
    // second so the OCSP responses are strictly newer than the tokens made just before.
    let into_second = Utc::now().timestamp_subsec_millis();
    tokio::time::sleep(Duration::from_millis(
        u64::from(1000 - into_second.min(999)) + 5,
    ))
    .await;
    // The material is gathered here, where the database is; the pipeline adds it and the
    // document timestamp.
    let material = validation_data(trust, db, &pdf).await?;
    actix_web::web::block(move || {
        Pades::new(
            level,
            timestamps.as_ref().map(|t| t as &dyn TimestampSource),
        )
        .extend(pdf, &material, alg)
    })
    .await?
    .map_err(pdf_error)
}

/// Problem codes for engine refusals: the caller's input is at fault except for a failing
/// TSA (503) and internal limits.
pub fn pdf_error(e: PdfError) -> ApiError {
    match e {
        PdfError::NotPdf => ApiError::unprocessable("invalid_pdf").param("reason", "not a PDF"),
        // The parser's own text stays in the log; the client gets the code and a plain reason.
        PdfError::Unreadable(_) | PdfError::DamagedXref => {
            tracing::info!(error = %e, "unreadable PDF");
            ApiError::unprocessable("invalid_pdf")
                .param("reason", "the file cannot be read as a PDF")
        }
        PdfError::Encrypted => ApiError::unprocessable("pdf_encrypted"),
        PdfError::CertifiedNoChanges => ApiError::unprocessable("pdf_certified_no_changes"),
        PdfError::PageOutOfRange { .. }
        | PdfError::RectOutsidePage { .. }
        | PdfError::BadPlacement(_) => ApiError::bad_request("invalid_placement")
            .field("signatures")
            .param("reason", e.to_string()),
        PdfError::BadImage(_) => {
            tracing::info!(error = %e, "unreadable seal image");
            ApiError::bad_request("invalid_seal_image")
                .field("seal")
                .param("reason", "not a readable PNG or JPEG image")
        }
        PdfError::Timestamp(_) => {
            tracing::warn!(error = %e, "timestamping failed");
            ApiError::unavailable("tsa_unavailable", 30)
        }
        other => ApiError::internal(other),
    }
}

const BASIC_CONSTRAINTS: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("2.5.29.19");

/// Whether a certificate is a CA's (basicConstraints cA).
fn is_ca(cert: &Certificate) -> bool {
    use der::Decode as _;
    cert.tbs_certificate()
        .extensions()
        .into_iter()
        .flatten()
        .filter(|e| e.extn_id == BASIC_CONSTRAINTS)
        .any(|e| {
            x509_cert::ext::pkix::BasicConstraints::from_der(e.extn_value.as_bytes())
                .is_ok_and(|b| b.ca)
        })
}

/// How long a signing request waits for a free slot before 503 `signing_busy`.
const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A signing slot: waits up to [`SLOT_WAIT`] for one, then 503 `signing_busy`.
pub async fn slot() -> ApiResult<tokio::sync::SemaphorePermit<'static>> {
    match tokio::time::timeout(SLOT_WAIT, SLOTS.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(ApiError::unavailable("signing_busy", 5)),
    }
}

/// Largest PDF accepted.
pub const MAX_PDF: usize = 50 * 1024 * 1024;

/// Largest seal image.
pub const MAX_SEAL: usize = 2 * 1024 * 1024;

/// Signing requests served at once per node: each may hold a 50 MB document and its copies,
/// so more wait for a slot (503 with Retry-After) rather than exhaust memory.
pub const MAX_CONCURRENT: usize = 8;

static SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_CONCURRENT);

/// Checks where each signature goes against the pages of `pdf` — before any key is opened,
/// so that a placement the engine would refuse never costs a PIN attempt
/// ([`signet_pdf::sign::check_placement`]). `specs` are numbered as the request gives them; a
/// refused placement is 400 `invalid_placement` naming the number (`placement`); a document
/// that cannot be read is its engine problem (`invalid_pdf`, …). Answers `pdf` back.
pub async fn check_placements(
    pdf: Vec<u8>,
    specs: Vec<(usize, SignatureSpec)>,
) -> ApiResult<Vec<u8>> {
    let (pdf, checked) = actix_web::web::block(move || {
        let checked = match signet_pdf::doc::SourcePdf::parse(&pdf) {
            Ok(src) => specs.iter().try_for_each(|(i, spec)| {
                signet_pdf::sign::check_placement(&src, spec).map_err(|e| (Some(*i), e))
            }),
            Err(e) => Err((None, e)),
        };
        (pdf, checked)
    })
    .await?;
    checked.map(|()| pdf).map_err(|(i, e)| match i {
        Some(i) => pdf_error(e).param("placement", i),
        None => pdf_error(e),
    })
}

/// The engine's view of a signature: where it goes, the seal image it prints (for a visible
/// placement), its date stamp and reason.
pub(crate) fn signature_spec(
    placement: &Placement,
    seal_png: Option<Vec<u8>>,
    date: Option<&signet_api::SignDate>,
    reason: Option<&str>,
) -> SignatureSpec {
    let mut spec = SignatureSpec::new(placement.clone(), chrono::Utc::now());
    if placement.is_visible() {
        spec.seal_png = seal_png;
    }
    spec.reason = reason.map(str::to_owned);
    spec.date = date.map(|d| DateStamp {
        page: d.page,
        x: d.at[0],
        y: d.at[1],
        size: d.size,
        format: DateStamp::DEFAULT_FORMAT.into(),
    });
    spec
}

/// The engine's view of one direct placement, with its seal image from the form's parts
/// (a stored `seal_id` is loaded by [`placement_spec`]).
pub(crate) fn spec_of(
    p: &signet_api::SignPlacement,
    seals: &BTreeMap<String, Vec<u8>>,
) -> ApiResult<SignatureSpec> {
    let mut png = None;
    if p.placement.is_visible() && p.seal_id.is_none() {
        let part = p.seal.as_deref().ok_or_else(|| {
            ApiError::bad_request("invalid_placement")
                .field("signatures")
                .param(
                    "reason",
                    "a visible signature needs a seal image part or a seal_id",
                )
        })?;
        let image = seals.get(part).ok_or_else(|| {
            ApiError::bad_request("missing_part")
                .param("part", part)
                .field("seal")
        })?;
        png = Some(image.clone());
    }
    Ok(signature_spec(
        &p.placement,
        png,
        p.date.as_ref(),
        p.reason.as_deref(),
    ))
}

/// The level a signing request asks for, or the configured default.
pub(crate) fn requested_level(state: &AppState, level: Option<&str>) -> ApiResult<Level> {
    match level {
        Some(l) => {
            Level::parse(l).ok_or_else(|| ApiError::bad_request("invalid_level").field("level"))
        }
        None => Ok(state.settings.pki.default_level),
    }
}

/// The `file` part must at least look like a PDF before any certificate is touched.
pub(crate) fn check_pdf_header(pdf: &[u8]) -> ApiResult<()> {
    signet_pdf::header_version(pdf).map(|_| ()).map_err(|_| {
        ApiError::unprocessable("invalid_pdf")
            .param("reason", "not a PDF")
            .field("file")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `make` installs the font before building, so CI binaries carry it: seals, date stamps
    /// and reports work on a machine without it.
    #[test]
    fn the_cjk_font_is_built_in() {
        if !signet_testkit::require("a build with fonts-wqy-microhei", font_is_embedded()) {
            return;
        }
        assert!(font_is_embedded());
        let font = cjk_font_bytes().expect("font bytes");
        assert!(CjkFont::new(font.to_vec()).is_ok());
        assert!(date_font().is_some_and(|f| f.has_glyph('张') && f.has_glyph('7')));
    }
}
