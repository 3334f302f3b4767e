//! The steps of the PAdES levels above B-B, as incremental revisions like everything else
//! ([`crate::pades`] puts them together):
//!
//! - **B-T**: [`timestamp_signature`] adds an RFC 3161 timestamp on the signature value as an
//!   unsigned attribute of the CMS before it is written into `/Contents` (the room for it is
//!   [`SignatureSpec::reserve`]), for a signature made here or elsewhere (external signing).
//! - **B-LT**: [`add_dss`] appends a revision with the Document Security Store: the
//!   certificates, OCSP responses and CRLs a validator needs, and a `/VRI` entry per signature.
//!   [`embedded_certificates`] tells the caller which certificates to fetch revocation data
//!   for.
//! - **B-LTA**: [`add_document_timestamp`] appends a document timestamp (`/DocTimeStamp`,
//!   `ETSI.RFC3161`) over the whole file as it is.
//!
//! Nothing here does I/O: timestamps come from a [`Timestamper`] closure and validation data
//! from the caller.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Object, ObjectId, Stream};
use sha2_011::{Digest, Sha256};
use signet_pki::verify::ocsp::{BasicOcspResponse, OcspResponse, OcspResponseStatus};
use signet_pki::verify::{CmsSignature, DigestAlgorithm, TimestampToken, oid};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::der::{Decode, Encode};

use crate::doc::SourcePdf;
use crate::error::PdfError;
use crate::object::{write_dict, write_name};
use crate::raw;
use crate::sign::{SignatureSpec, ValueKind, Visible};
use crate::update::Update;

/// Something that turns a SHA-256 digest into a DER `TimeStampToken` (a CMS `ContentInfo`)
/// from a TSA. The argument is the SHA-256 digest (32 bytes) of the data to timestamp; the
/// request should ask for the TSA's certificate (`certReq`), which the token must carry.
pub type Timestamper<'a> = dyn FnMut(&[u8]) -> Result<Vec<u8>, String> + 'a;

/// A sensible `room` for [`add_document_timestamp`]: a token with a certificate chain.
pub const DOCUMENT_TIMESTAMP_ROOM: usize = 16384;

/// Validation data for a DSS, DER each: certificates, `OCSPResponse`s, CRLs.
#[derive(Default, Clone, Debug)]
pub struct DssMaterial {
    pub certs: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
}

// ---------------------------------------------------------------------------------------------
// B-T
// ---------------------------------------------------------------------------------------------

/// Adds a signature timestamp to a finished CMS signature (for external signing: call it
/// between the signer's CMS and [`crate::PreparedRevision::finish`]). The signed part of the
/// CMS stays byte-identical.
pub fn timestamp_signature(cms_der: &[u8], tsa: &mut Timestamper<'_>) -> Result<Vec<u8>, PdfError> {
    let value = signet_pki::sign::signature_value(cms_der)?;
    let token = request_token(tsa, &Sha256::digest(&value))?;
    Ok(signet_pki::sign::add_signature_timestamp(cms_der, &token)?)
}

/// Asks `tsa` for a token on `digest` (SHA-256) and checks the answer: a timestamp token
/// whose imprint is that SHA-256 digest and whose own signature verifies with the TSA
/// certificate it carries. Returns the token's DER (without any trailing padding).
fn request_token(tsa: &mut Timestamper<'_>, digest: &[u8]) -> Result<Vec<u8>, PdfError> {
    let der = tsa(digest).map_err(|e| PdfError::Timestamp(format!("the TSA failed: {e}")))?;
    let token = TimestampToken::parse(&der).map_err(|e| {
        PdfError::Timestamp(format!("the TSA's answer is not a timestamp token: {e}"))
    })?;
    let imprint = &token.info().message_imprint;
    if token.imprint_algorithm() != Some(DigestAlgorithm::Sha256)
        || imprint.hashed_message.as_bytes() != digest
    {
        return Err(PdfError::Timestamp(
            "the token does not stamp the SHA-256 digest that was sent".into(),
        ));
    }
    let check = token.verify(&[]);
    if !check.ok() {
        return Err(PdfError::Timestamp(format!(
            "the token's signature does not verify with the TSA certificate it carries: {}",
            check.problems.join("; ")
        )));
    }
    // Drop any zero padding after the DER ContentInfo.
    let len = signet_pki::tlv::element_len(&der).unwrap_or(der.len());
    Ok(der[..len].to_vec())
}

// ---------------------------------------------------------------------------------------------
// B-LTA
// ---------------------------------------------------------------------------------------------

/// Appends a document timestamp revision: an invisible signature field whose `/V` is a
/// dictionary `/Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161`, with the
/// token on the SHA-256 of the ByteRange bytes in `/Contents`. `room`: bytes reserved for the
/// token (e.g. [`DOCUMENT_TIMESTAMP_ROOM`]); a larger token is
/// [`PdfError::SignatureTooLarge`]. Allowed even after a DocMDP P=1 certification.
pub fn add_document_timestamp(
    buf: Vec<u8>,
    room: usize,
    tsa: &mut Timestamper<'_>,
) -> Result<Vec<u8>, PdfError> {
    let spec = SignatureSpec::new(Visible::Invisible, DateTime::<Utc>::UNIX_EPOCH);
    let rev = crate::sign::prepare_value(buf, &spec, None, room, ValueKind::DocTimeStamp)?;
    let mut h = Sha256::new();
    for part in rev.covered() {
        h.update(part);
    }
    let token = request_token(tsa, &h.finalize())?;
    rev.finish(&token)
}

// ---------------------------------------------------------------------------------------------
// Signatures of a document
// ---------------------------------------------------------------------------------------------

/// A signature or document timestamp found in the form.
struct FoundValue {
    /// The `/Contents` bytes as stored (with their zero padding).
    contents: Vec<u8>,
    doc_timestamp: bool,
}

const MAX_FIELD_DEPTH: usize = 32;
const MAX_FIELDS: usize = 10_000;

/// The signature values of the document's signature fields, in form order.
fn signature_values(src: &SourcePdf<'_>) -> Vec<FoundValue> {
    let mut out = Vec::new();
    let Some(fields) = src
        .catalog()
        .ok()
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|f| src.resolve(f).as_dict().ok())
        .and_then(|f| f.get(b"Fields").ok())
        .and_then(|f| src.resolve(f).as_array().ok())
    else {
        return out;
    };
    let mut seen = BTreeSet::new();
    let mut stack: Vec<(&Object, usize, bool)> =
        fields.iter().rev().map(|f| (f, 0, false)).collect();
    while let Some((f, depth, inherited_sig)) = stack.pop() {
        if depth > MAX_FIELD_DEPTH || seen.len() > MAX_FIELDS {
            break;
        }
        if let Object::Reference(id) = f
            && !seen.insert(*id)
        {
            continue;
        }
        let Ok(d) = src.resolve(f).as_dict() else {
            continue;
        };
        let is_sig = match d.get(b"FT").ok().and_then(|t| t.as_name().ok()) {
            Some(t) => t == b"Sig",
            None => inherited_sig,
        };
        if let Ok(kids) = d.get(b"Kids").and_then(|k| src.resolve(k).as_array()) {
            stack.extend(kids.iter().rev().map(|k| (k, depth + 1, is_sig)));
        }
        if !is_sig {
            continue;
        }
        let Some(v) = d.get(b"V").ok().and_then(|v| src.resolve(v).as_dict().ok()) else {
            continue;
        };
        let Some(contents) = v.get(b"Contents").ok().and_then(|c| c.as_str().ok()) else {
            continue;
        };
        let doc_timestamp = v.has_type(b"DocTimeStamp")
            || v.get(b"SubFilter").and_then(Object::as_name).ok() == Some(b"ETSI.RFC3161");
        if !out.iter().any(|o: &FoundValue| o.contents == contents) {
            out.push(FoundValue {
                contents: contents.to_vec(),
                doc_timestamp,
            });
        }
    }
    out
}

/// The certificates embedded in a signature value: the CMS's and its signature timestamp's
/// (signer first), or a document timestamp token's.
fn certificates_of(value: &FoundValue) -> Vec<Certificate> {
    let mut certs = Vec::new();
    let cms = if value.doc_timestamp {
        TimestampToken::parse(&value.contents).map(|t| t.cms().clone())
    } else {
        CmsSignature::parse(&value.contents)
    };
    let Ok(cms) = cms else {
        return certs;
    };
    if let Some(signer) = cms.find_signer_certificate(&[]) {
        certs.push(signer.clone());
    }
    certs.extend(cms.certificates().iter().cloned());
    if let Some(Ok(ts)) = cms.signature_timestamp() {
        if let Some(signer) = ts.cms().find_signer_certificate(&[]) {
            certs.push(signer.clone());
        }
        certs.extend(ts.cms().certificates().iter().cloned());
    }
    certs
}

/// Every certificate the validator will need revocation data for: the signer certificates and
/// the certificates embedded in each signature's CMS, in signature timestamp tokens and in
/// document timestamps (DER de-duplicated, signers first within each signature). Trust
/// anchors among them (self-signed roots) are included; the caller may skip them. Use them to
/// fetch OCSP responses and CRLs before [`add_dss`].
pub fn embedded_certificates(pdf: &[u8]) -> Result<Vec<Certificate>, PdfError> {
    let src = SourcePdf::parse_with(pdf, crate::doc::Streams::Structure, true)?;
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut out = Vec::new();
    for value in signature_values(&src) {
        for cert in certificates_of(&value) {
            let der = cert
                .to_der()
                .map_err(|e| PdfError::Unreadable(e.to_string()))?;
            if !seen.contains(&der) {
                seen.push(der);
                out.push(cert);
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// B-LT: the DSS
// ---------------------------------------------------------------------------------------------

/// One DER object of the DSS: how the DSS refers to it and its bytes (`None` when they
/// cannot be read).
struct Item {
    reference: Object,
    der: Option<Vec<u8>>,
}

/// The three arrays of a DSS.
#[derive(Default)]
struct Items {
    certs: Vec<Item>,
    ocsps: Vec<Item>,
    crls: Vec<Item>,
}

const KINDS: [(&[u8], &[u8]); 3] = [(b"Certs", b"Cert"), (b"OCSPs", b"OCSP"), (b"CRLs", b"CRL")];

impl Items {
    fn list(&mut self, kind: usize) -> &mut Vec<Item> {
        match kind {
            0 => &mut self.certs,
            1 => &mut self.ocsps,
            _ => &mut self.crls,
        }
    }

    fn get(&self, kind: usize) -> &[Item] {
        match kind {
            0 => &self.certs,
            1 => &self.ocsps,
            _ => &self.crls,
        }
    }
}

fn stream_data(src: &SourcePdf<'_>, o: &Object) -> Option<Vec<u8>> {
    let Object::Stream(s) = src.resolve(o) else {
        return None;
    };
    if s.dict.has(b"Filter") {
        s.decompressed_content().ok()
    } else {
        Some(s.content.clone())
    }
}

/// The DER objects `material` adds, checked: certificates (plus the responder certificates
/// OCSP responses carry), successful OCSP responses, CRLs.
fn checked_material(material: &DssMaterial) -> Result<[Vec<Vec<u8>>; 3], PdfError> {
    let bad = |what: &str, i: usize, e: &dyn std::fmt::Display| {
        PdfError::ValidationData(format!("{what} {} is not readable: {e}", i + 1))
    };
    let mut certs = Vec::new();
    for (i, der) in material.certs.iter().enumerate() {
        Certificate::from_der(der).map_err(|e| bad("certificate", i, &e))?;
        certs.push(der.clone());
    }
    for (i, der) in material.ocsps.iter().enumerate() {
        let resp = OcspResponse::from_der(der).map_err(|e| bad("OCSP response", i, &e))?;
        let bytes = match (resp.response_status, resp.response_bytes) {
            (OcspResponseStatus::Successful, Some(b)) if b.response_type == oid::OCSP_BASIC => b,
            _ => {
                return Err(PdfError::ValidationData(format!(
                    "OCSP response {} is not a successful basic response",
                    i + 1
                )));
            }
        };
        let basic = BasicOcspResponse::from_der(bytes.response.as_bytes())
            .map_err(|e| bad("OCSP response", i, &e))?;
        for cert in basic.certs.unwrap_or_default() {
            certs.push(cert.to_der().map_err(|e| bad("OCSP response", i, &e))?);
        }
    }
    for (i, der) in material.crls.iter().enumerate() {
        <CertificateList>::from_der(der).map_err(|e| bad("CRL", i, &e))?;
    }
    Ok([certs, material.ocsps.clone(), material.crls.clone()])
}

/// Appends an incremental revision adding a `/DSS` dictionary to the catalog (or extending an
/// existing one) with `/Certs`, `/OCSPs` and `/CRLs` arrays of streams, each DER object stored
/// once (objects already in the DSS are not added again), and a `/VRI` entry for every
/// signature and document timestamp that has none yet, keyed by the uppercase hex SHA-1 of its
/// `/Contents` bytes and listing the DSS objects relevant to it (PAdES part 4; existing VRI
/// entries are left as they are). The cross-reference section is of the same kind as the
/// previous one. Certificates carried by the OCSP responses are added to `/Certs` too.
///
/// When there is nothing to add, the document is returned unchanged. Unreadable material is
/// refused with [`PdfError::ValidationData`] before anything is written.
pub fn add_dss(mut buf: Vec<u8>, material: &DssMaterial) -> Result<Vec<u8>, PdfError> {
    let new = checked_material(material)?;
    let tail = {
        let src = SourcePdf::parse_with(&buf, crate::doc::Streams::StructureAndSmallPlain, true)?;
        match dss_update(&src, new)? {
            Some(update) => update.write(&src).tail,
            None => return Ok(buf),
        }
    };
    buf.extend_from_slice(&tail);
    Ok(buf)
}

/// The revision [`add_dss`] appends, or `None` if it would change nothing.
fn dss_update(src: &SourcePdf<'_>, new: [Vec<Vec<u8>>; 3]) -> Result<Option<Update>, PdfError> {
    let catalog = src.catalog()?.clone();
    let dss_entry = catalog.get(b"DSS").ok().cloned();
    let old_dss: Dictionary = match &dss_entry {
        Some(o) => src
            .resolve(o)
            .as_dict()
            .cloned()
            .map_err(|_| PdfError::Unreadable("the /DSS is not a dictionary".into()))?,
        None => Dictionary::new(),
    };

    // What the DSS holds already.
    let mut items = Items::default();
    for (kind, (key, _)) in KINDS.iter().enumerate() {
        if let Some(arr) = old_dss
            .get(key)
            .ok()
            .and_then(|a| src.resolve(a).as_array().ok())
        {
            for o in arr {
                items.list(kind).push(Item {
                    reference: o.clone(),
                    der: stream_data(src, o),
                });
            }
        }
    }

    // The new objects.
    let mut update = Update::new(src.size);
    let mut added: [Vec<ObjectId>; 3] = Default::default();
    for (kind, ders) in new.into_iter().enumerate() {
        for der in ders {
            if items
                .get(kind)
                .iter()
                .any(|i| i.der.as_deref() == Some(&der[..]))
            {
                continue;
            }
            let id = update.alloc();
            update.set(
                id,
                &Object::Stream(Stream::new(Dictionary::new(), der.clone())),
            );
            items.list(kind).push(Item {
                reference: Object::Reference(id),
                der: Some(der),
            });
            added[kind].push(id);
        }
    }

    // VRI entries for the signatures that have none.
    let old_vri = match old_dss.get(b"VRI").ok() {
        Some(v) => src
            .resolve(v)
            .as_dict()
            .cloned()
            .map_err(|_| PdfError::Unreadable("the DSS /VRI is not a dictionary".into()))?,
        None => Dictionary::new(),
    };
    let parsed = Parsed::of(&items);
    let mut new_vri: Vec<(Vec<u8>, Dictionary)> = Vec::new();
    for value in signature_values(src) {
        let key = hex_upper(&DigestAlgorithm::Sha1.digest(&value.contents));
        if old_vri.has(key.as_bytes()) || new_vri.iter().any(|(k, _)| k == key.as_bytes()) {
            continue;
        }
        let entry = parsed.vri_entry(&items, &certificates_of(&value));
        new_vri.push((key.into_bytes(), entry));
    }
    if added.iter().all(Vec::is_empty) && new_vri.is_empty() {
        return Ok(None);
    }

    // The DSS itself, written again from its own bytes with only the new references and VRI
    // entries added; arrays and /VRI that were indirect stay so, a direct DSS stays direct.
    let catalog = src.raw(src.root_id)?;
    match catalog.node.get(b"DSS").map(|d| (d, d.as_ref())) {
        Some((_, Some(dss_id))) => {
            let dss = src.raw(dss_id)?;
            let splices = dss_splices(&mut update, src, &dss.node, &added, &new_vri)?;
            update.set_raw(dss_id, dss.spliced(splices).map_err(unreadable)?);
        }
        Some((d, None)) if d.is_dict() => {
            let splices = dss_splices(&mut update, src, d, &added, &new_vri)?;
            update.set_raw(src.root_id, catalog.spliced(splices).map_err(unreadable)?);
        }
        _ => {
            let mut dss = Dictionary::new();
            dss.set("Type", "DSS");
            for (kind, (key, _)) in KINDS.iter().enumerate() {
                if !added[kind].is_empty() {
                    let refs = added[kind]
                        .iter()
                        .map(|id| Object::Reference(*id))
                        .collect();
                    dss.set(key.to_vec(), Object::Array(refs));
                }
            }
            let mut vri = Dictionary::new();
            for (k, e) in new_vri {
                vri.set(k, Object::Dictionary(e));
            }
            dss.set("VRI", Object::Dictionary(vri));
            let id = update.alloc();
            update.set(id, &Object::Dictionary(dss));
            let splice = catalog
                .node
                .set(b"DSS", format!("{} {} R", id.0, id.1).as_bytes())
                .map_err(unreadable)?;
            update.set_raw(
                src.root_id,
                catalog.spliced(vec![splice]).map_err(unreadable)?,
            );
        }
    }
    Ok(Some(update))
}

fn unreadable(e: raw::RawError) -> PdfError {
    PdfError::Unreadable(format!("the DSS: {e}"))
}

/// The edits to an existing DSS dictionary (`dss` indexes the buffer the splices apply to):
/// new references appended to its arrays (an indirect array is written again instead) and new
/// entries added to its /VRI (likewise).
fn dss_splices(
    update: &mut Update,
    src: &SourcePdf<'_>,
    dss: &raw::Node,
    added: &[Vec<ObjectId>; 3],
    new_vri: &[(Vec<u8>, Dictionary)],
) -> Result<Vec<raw::Splice>, PdfError> {
    if !dss.is_dict() {
        return Err(PdfError::Unreadable("the /DSS is not a dictionary".into()));
    }
    let mut splices = Vec::new();
    for (kind, (key, _)) in KINDS.iter().enumerate() {
        if added[kind].is_empty() {
            continue;
        }
        let items = raw::ref_items(&added[kind]);
        match dss.get(key).map(|n| (n, n.as_ref())) {
            Some((_, Some(arr_id))) => {
                let arr = src.raw(arr_id)?;
                let splice = arr.node.push(&items).map_err(unreadable)?;
                update.set_raw(arr_id, arr.spliced(vec![splice]).map_err(unreadable)?);
            }
            Some((n, None)) if n.is_array() => splices.push(n.push(&items).map_err(unreadable)?),
            _ => {
                let mut arr = b"[".to_vec();
                arr.extend_from_slice(&items[1..]);
                arr.push(b']');
                splices.push(dss.set(key, &arr).map_err(unreadable)?);
            }
        }
    }
    if !new_vri.is_empty() {
        let mut entries = Vec::new();
        for (k, e) in new_vri {
            entries.push(b' ');
            write_name(&mut entries, k);
            entries.push(b' ');
            write_dict(&mut entries, e);
        }
        match dss.get(b"VRI").map(|n| (n, n.as_ref())) {
            Some((_, Some(vri_id))) => {
                let vri = src.raw(vri_id)?;
                let splice = vri.node.add_entries(&entries).map_err(unreadable)?;
                update.set_raw(vri_id, vri.spliced(vec![splice]).map_err(unreadable)?);
            }
            Some((n, None)) if n.is_dict() => {
                splices.push(n.add_entries(&entries).map_err(unreadable)?);
            }
            _ => {
                let mut vri = b"<<".to_vec();
                vri.extend_from_slice(&entries);
                vri.extend_from_slice(b" >>");
                splices.push(dss.set(b"VRI", &vri).map_err(unreadable)?);
            }
        }
    }
    Ok(splices)
}

fn hex_upper(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// The DSS objects, parsed, to decide which are relevant to a signature.
struct Parsed {
    certs: Vec<Option<Certificate>>,
    /// Per OCSP response: (hash algorithm, issuer name hash, serial) of each single response,
    /// and the certificates it carries.
    ocsps: Vec<(Vec<OcspId>, Vec<Certificate>)>,
    /// Per CRL: its issuer's DER name.
    crls: Vec<Option<Vec<u8>>>,
}

struct OcspId {
    alg: Option<DigestAlgorithm>,
    issuer_name_hash: Vec<u8>,
    serial: Vec<u8>,
}

impl Parsed {
    fn of(items: &Items) -> Self {
        let certs = items
            .certs
            .iter()
            .map(|i| i.der.as_deref().and_then(|d| Certificate::from_der(d).ok()))
            .collect();
        let ocsps = items
            .ocsps
            .iter()
            .map(|i| {
                let basic = i
                    .der
                    .as_deref()
                    .and_then(|d| OcspResponse::from_der(d).ok())
                    .and_then(|r| r.response_bytes)
                    .and_then(|b| BasicOcspResponse::from_der(b.response.as_bytes()).ok());
                match basic {
                    Some(b) => (
                        b.tbs_response_data
                            .responses
                            .iter()
                            .map(|r| OcspId {
                                alg: DigestAlgorithm::from_oid(&r.cert_id.hash_algorithm.oid),
                                issuer_name_hash: r.cert_id.issuer_name_hash.as_bytes().to_vec(),
                                serial: r.cert_id.serial_number.as_bytes().to_vec(),
                            })
                            .collect(),
                        b.certs.unwrap_or_default(),
                    ),
                    None => (Vec::new(), Vec::new()),
                }
            })
            .collect();
        let crls = items
            .crls
            .iter()
            .map(|i| {
                i.der
                    .as_deref()
                    .and_then(|d| <CertificateList>::from_der(d).ok())
                    .and_then(|c| c.tbs_cert_list.issuer.to_der().ok())
            })
            .collect();
        Self { certs, ocsps, crls }
    }

    /// The VRI entry for a signature with `embedded` certificates: the DSS certificates of
    /// their paths (issuers by name, OCSP responders), and the OCSP responses and CRLs about
    /// any of those.
    fn vri_entry(&self, items: &Items, embedded: &[Certificate]) -> Dictionary {
        let mut relevant: Vec<Certificate> = embedded.to_vec();
        let mut cert_hits = vec![false; self.certs.len()];
        let mut ocsp_hits = vec![false; self.ocsps.len()];
        let mut crl_hits = vec![false; self.crls.len()];
        // Grow the set until nothing changes (bounded by the number of DSS objects).
        for _ in 0..=(self.certs.len() + self.ocsps.len()) {
            let mut grew = false;
            let issuers: Vec<Vec<u8>> = relevant
                .iter()
                .filter_map(|c| c.tbs_certificate().issuer().to_der().ok())
                .collect();
            let same_cert = |a: &Certificate| relevant.iter().any(|r| r == a);
            let mut more = Vec::new();
            for (i, c) in self.certs.iter().enumerate() {
                let Some(c) = c else { continue };
                let subject = c.tbs_certificate().subject().to_der().ok();
                let is_issuer = subject.is_some_and(|s| issuers.contains(&s));
                if !cert_hits[i] && (same_cert(c) || is_issuer) {
                    cert_hits[i] = true;
                    grew = true;
                    if !same_cert(c) {
                        more.push(c.clone());
                    }
                }
            }
            for (i, (ids, carried)) in self.ocsps.iter().enumerate() {
                if ocsp_hits[i] {
                    continue;
                }
                let about = ids.iter().any(|id| {
                    relevant.iter().any(|c| {
                        let tbs = c.tbs_certificate();
                        id.serial == tbs.serial_number().as_bytes()
                            && id.alg.is_some_and(|alg| {
                                tbs.issuer()
                                    .to_der()
                                    .is_ok_and(|n| alg.digest(&n) == id.issuer_name_hash)
                            })
                    })
                });
                if about {
                    ocsp_hits[i] = true;
                    grew = true;
                    more.extend(carried.iter().filter(|c| !same_cert(c)).cloned());
                }
            }
            for (i, issuer) in self.crls.iter().enumerate() {
                if !crl_hits[i] && issuer.as_ref().is_some_and(|n| issuers.contains(n)) {
                    crl_hits[i] = true;
                    grew = true;
                }
            }
            relevant.extend(more);
            if !grew {
                break;
            }
        }
        let pick = |list: &[Item], hits: &[bool]| -> Vec<Object> {
            list.iter()
                .zip(hits)
                .filter(|(_, h)| **h)
                .map(|(i, _)| i.reference.clone())
                .collect()
        };
        let mut entry = Dictionary::new();
        entry.set("Type", "VRI");
        for (kind, hits) in [(0, &cert_hits), (1, &ocsp_hits), (2, &crl_hits)] {
            let refs = pick(items.get(kind), hits);
            if !refs.is_empty() {
                entry.set(KINDS[kind].1.to_vec(), Object::Array(refs));
            }
        }
        entry
    }
}
