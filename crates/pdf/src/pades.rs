//! The PAdES pipeline (ETSI EN 319 142-1): sign at a baseline level, then extend.
//!
//! What each level adds is decided here, once; where timestamps and validation data come from
//! is the caller's, behind two traits. The server (the built-in CA and TSAs, or an outside
//! TSA) and the command line (a TSA URL, revocation data fetched from the certificates' URLs)
//! are two adapters of this one pipeline:
//!
//! - B-B: one CMS signature per [`Signature`], each its own incremental revision;
//! - B-T: each signature value stamped by the [`TimestampSource`] (the unsigned attribute
//!   `id-aa-signatureTimeStampToken`);
//! - B-LT: then one revision with a DSS holding what the [`ValidationSource`] gives for every
//!   certificate embedded in the document;
//! - B-LTA: then a document timestamp over all of it.

use signet_pki::sign::{KeyAlgorithm, SigningKey};
use x509_cert::Certificate;

pub use signet_domain::pades::Level;

use crate::appearance::CjkFont;
use crate::error::PdfError;
use crate::ltv::{self, DssMaterial};
use crate::sign::SignatureSpec;
use crate::source::Store;

/// Where signature and document timestamps come from (an RFC 3161 TSA).
pub trait TimestampSource {
    /// A timestamp token over `digest` (SHA-256) for a signature or document by a key of
    /// `alg` (a source may keep one TSA per algorithm). May block.
    fn token(&self, alg: KeyAlgorithm, digest: &[u8]) -> Result<Vec<u8>, String>;
}

/// A function as a source: `|alg, digest| …` (tests, one-off tools).
impl<F: Fn(KeyAlgorithm, &[u8]) -> Result<Vec<u8>, String>> TimestampSource for F {
    fn token(&self, alg: KeyAlgorithm, digest: &[u8]) -> Result<Vec<u8>, String> {
        self(alg, digest)
    }
}

/// Where the validation data of B-LT comes from: certificates, OCSP responses and CRLs for
/// the certificates embedded in the document.
pub trait ValidationSource {
    /// The material for `embedded` (every distinct certificate of the document's signatures
    /// and timestamps, in order). May block.
    fn material(&self, embedded: &[Certificate]) -> Result<DssMaterial, String>;
}

/// Validation data gathered beforehand (the server gathers it from its database, which the
/// pipeline does not reach): the same material whatever is asked.
impl ValidationSource for DssMaterial {
    fn material(&self, _embedded: &[Certificate]) -> Result<DssMaterial, String> {
        Ok(self.clone())
    }
}

/// One signature to apply: what it looks like, the opened key and its certificates.
pub struct Signature {
    pub spec: SignatureSpec,
    pub key: SigningKey,
    pub signer: Certificate,
    /// The issuers to embed, nearest first.
    pub chain: Vec<Certificate>,
}

/// Room reserved in a document timestamp's `/Contents`.
const DOC_TIMESTAMP_ROOM: usize = ltv::DOCUMENT_TIMESTAMP_ROOM;

/// The pipeline at one level with its timestamp source.
#[derive(Clone, Copy)]
pub struct Pades<'a> {
    level: Level,
    timestamps: Option<&'a dyn TimestampSource>,
    font: Option<&'a CjkFont>,
}

impl<'a> Pades<'a> {
    /// The pipeline for `level`. Signing from B-T on and extending to B-LTA need
    /// `timestamps` ([`PdfError::Timestamp`] without).
    pub fn new(level: Level, timestamps: Option<&'a dyn TimestampSource>) -> Self {
        Self {
            level,
            timestamps,
            font: None,
        }
    }

    /// The timestamp source when `level` or above is asked for; `None` below it.
    fn timestamps_from(&self, level: Level) -> Result<Option<&'a dyn TimestampSource>, PdfError> {
        if self.level < level {
            return Ok(None);
        }
        self.timestamps.map(Some).ok_or_else(|| {
            PdfError::Timestamp(format!(
                "{} needs a timestamp authority, and none is configured",
                self.level.as_str()
            ))
        })
    }

    /// The CJK font date stamps are drawn with.
    pub fn with_font(self, font: Option<&'a CjkFont>) -> Self {
        Self { font, ..self }
    }

    pub fn level(&self) -> Level {
        self.level
    }

    fn font_for(&self, s: &Signature) -> Result<Option<&'a CjkFont>, PdfError> {
        match (&s.spec.date, self.font) {
            (None, _) => Ok(None),
            (Some(_), Some(font)) => Ok(Some(font)),
            (Some(_), None) => Err(PdfError::BadFont(
                "no CJK font for date stamps is installed (fonts-wqy-microhei)".into(),
            )),
        }
    }

    /// The signature timestamp of B-T on a finished CMS; the CMS as it is below B-T.
    fn complete(&self, alg: KeyAlgorithm, cms: Vec<u8>) -> Result<Vec<u8>, PdfError> {
        match self.timestamps_from(Level::BT)? {
            Some(source) => {
                let mut stamp = |digest: &[u8]| source.token(alg, digest);
                ltv::timestamp_signature(&cms, &mut stamp)
            }
            None => Ok(cms),
        }
    }

    /// Applies every signature in order to the document in `store` (B-B, or B-T), each its
    /// own revision appended in place. The first failure stops: the signatures before it
    /// stay applied.
    pub fn sign_store<S: Store + ?Sized>(
        &self,
        store: &mut S,
        signatures: &[Signature],
    ) -> Result<(), PdfError> {
        self.timestamps_from(Level::BT)?;
        for s in signatures {
            let alg = s.key.algorithm();
            crate::sign::sign_store(
                store,
                &s.spec,
                &s.key,
                &s.signer,
                &s.chain,
                self.font_for(s)?,
                &mut |cms| self.complete(alg, cms),
            )?;
        }
        Ok(())
    }

    /// As [`sign_store`](Self::sign_store) on a document in memory.
    pub fn sign(&self, mut pdf: Vec<u8>, signatures: &[Signature]) -> Result<Vec<u8>, PdfError> {
        self.sign_store(&mut pdf, signatures)?;
        Ok(pdf)
    }

    /// Adds what B-LT and B-LTA need on top of a signed document: the validation data of every
    /// embedded certificate in a DSS revision, then (B-LTA) a document timestamp from the TSA
    /// of `alg`. Below B-LT the document is returned as it is.
    pub fn extend(
        &self,
        pdf: Vec<u8>,
        validation: &dyn ValidationSource,
        alg: KeyAlgorithm,
    ) -> Result<Vec<u8>, PdfError> {
        if self.level < Level::BLt {
            return Ok(pdf);
        }
        let embedded = ltv::embedded_certificates(&pdf)?;
        let material = validation
            .material(&embedded)
            .map_err(PdfError::ValidationData)?;
        let pdf = ltv::add_dss(pdf, &material)?;
        match self.timestamps_from(Level::BLta)? {
            Some(source) => {
                let mut stamp = |digest: &[u8]| source.token(alg, digest);
                ltv::add_document_timestamp(pdf, DOC_TIMESTAMP_ROOM, &mut stamp)
            }
            None => Ok(pdf),
        }
    }
}
