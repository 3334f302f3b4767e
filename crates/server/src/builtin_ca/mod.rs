//! The built-in PKI at run time: the certificate authorities, the OCSP responders, the TSAs
//! and the platform's document-signing keys, loaded from the database (keys sealed under the
//! master key) when the server starts. `crates/pki` does the cryptography; this module keeps
//! the rows, decides statuses and serves them.
//!
//! Per algorithm (ECDSA P-256 and SM2), `signet pki init` creates:
//! - a root CA (20 years) and an issuing CA (10 years) under it;
//! - an OCSP responder certificate (2 years, `id-kp-OCSPSigning`, `ocsp-nocheck`) issued by the
//!   issuing CA, which answers for everything the issuing CA issued; certificates the root
//!   issued (issuing CAs) are answered by the root itself;
//! - a TSA certificate (10 years, `id-kp-timeStamping`) under the root (see `create_issuing`
//!   for why), and a platform document-signing certificate (5 years) from the issuing CA.
//!
//! Certificates carry URLs under `http.public_base_url`: `/pki/crl/{ca}.crl` (CRL
//! distribution point), `/pki/ocsp` (AIA OCSP) and `/pki/ca/{ca}.crt` (AIA CA issuers).

use chrono::{DateTime, Duration, Utc};
use der::{Decode, Encode};
use signet_domain::certificate::{CaKind, CaStatus, CertPurpose, KeyAlg};
use signet_pki::MasterKey;
use signet_pki::ca::{self, CaUrls, CertificateRequest, Profile, SubjectName};
use signet_pki::crl::{self, RevokedEntry};
use signet_pki::keywrap;
use signet_pki::responder::{self, Status};
use signet_pki::sign::{KeyAlgorithm, SigningKey};
use signet_pki::tsa::TimestampAuthority;
use signet_pki::verify::ocsp::{CertId, OcspResponseStatus};
use signet_store::repo::pki as repo;
use signet_store::sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};
use std::collections::HashMap;
use x509_cert::Certificate;
use x509_cert::ext::pkix::CrlReason;

/// Validity of the built-in CAs and service certificates.
mod setup;
pub use setup::{Created, init, rotate};

const ROOT_YEARS: i64 = 20;
const ISSUING_YEARS: i64 = 10;
const OCSP_YEARS: i64 = 2;
const TSA_YEARS: i64 = 10;
const PLATFORM_YEARS: i64 = 5;
/// How long an OCSP answer or a CRL may be relied on before fetching a fresh one.
pub const OCSP_NEXT_UPDATE: Duration = Duration::hours(24);
pub const CRL_NEXT_UPDATE: Duration = Duration::days(7);
/// The TSA policy OID (an arc of this project's own: replace with your organisation's).
pub const TSA_POLICY: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.61441.1.1");

pub const ALGORITHMS: [KeyAlgorithm; 2] = [KeyAlgorithm::EcdsaP256, KeyAlgorithm::Sm2];

/// The stored name of a key algorithm.
pub fn key_alg(alg: KeyAlgorithm) -> KeyAlg {
    match alg {
        KeyAlgorithm::EcdsaP256 => KeyAlg::P256,
        KeyAlgorithm::Sm2 => KeyAlg::Sm2,
    }
}

/// The key algorithm a stored name stands for.
pub fn key_algorithm(alg: KeyAlg) -> KeyAlgorithm {
    match alg {
        KeyAlg::P256 => KeyAlgorithm::EcdsaP256,
        KeyAlg::Sm2 => KeyAlgorithm::Sm2,
    }
}

/// `p256` or `sm2`, as the API and the stored rows spell it.
pub fn alg_name(alg: KeyAlgorithm) -> &'static str {
    key_alg(alg).as_str()
}

/// The key algorithm spelled `s` (`p256`, `sm2`), if any.
pub fn parse_alg(s: &str) -> Option<KeyAlgorithm> {
    KeyAlg::parse(s).map(key_algorithm)
}

/// Whether `a` is the active CA of this kind for `alg`.
fn is_active(a: &repo::Authority, alg: KeyAlgorithm, kind: CaKind) -> bool {
    a.algorithm == key_alg(alg) && a.kind == kind && a.status == CaStatus::Active
}

fn alg_label(alg: KeyAlgorithm) -> &'static str {
    match alg {
        KeyAlgorithm::EcdsaP256 => "P-256",
        KeyAlgorithm::Sm2 => "SM2",
    }
}

/// The RFC 5280 name of a revocation reason, as stored and as the API takes it.
pub fn parse_reason(s: &str) -> Option<CrlReason> {
    Some(match s {
        "unspecified" => CrlReason::Unspecified,
        "keyCompromise" => CrlReason::KeyCompromise,
        "affiliationChanged" => CrlReason::AffiliationChanged,
        "superseded" => CrlReason::Superseded,
        "cessationOfOperation" => CrlReason::CessationOfOperation,
        "certificateHold" => CrlReason::CertificateHold,
        "privilegeWithdrawn" => CrlReason::PrivilegeWithdrawn,
        _ => return None,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum BuiltinCaError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("certificate authority: {0}")]
    Ca(#[from] ca::CaError),
    #[error("key: {0}")]
    Key(#[from] signet_pki::sign::SignError),
    #[error("a stored key could not be opened (wrong master key?)")]
    Sealed,
    #[error("a stored certificate is damaged: {0}")]
    Der(#[from] der::Error),
    #[error("the PKI is not initialised: run `signet pki init`")]
    NotInitialised,
    #[error("{0}")]
    Other(String),
}

impl From<BuiltinCaError> for crate::problem::ApiError {
    fn from(e: BuiltinCaError) -> Self {
        match e {
            BuiltinCaError::Db(db) => db.into(),
            BuiltinCaError::NotInitialised => Self::unavailable("pki_not_initialised", 60),
            other => Self::internal(other),
        }
    }
}

/// A CA with its key, in memory.
pub struct CaHandle {
    pub id: String,
    pub algorithm: KeyAlgorithm,
    pub kind: CaKind,
    pub status: CaStatus,
    pub parent_id: Option<String>,
    pub cert: Certificate,
    pub der: Vec<u8>,
    key: SigningKey,
}

/// A service certificate (OCSP responder, TSA, platform signer) with its key, in memory.
pub struct ServiceKey {
    pub id: String,
    pub ca_id: String,
    pub algorithm: KeyAlgorithm,
    pub cert: Certificate,
    pub key: SigningKey,
}

/// Everything the PKI serves, loaded once at start-up.
pub struct BuiltinCa {
    base_url: String,
    cas: Vec<CaHandle>,
    /// OCSP responder per CA id.
    responders: HashMap<String, ServiceKey>,
    tsas: HashMap<&'static str, ServiceKey>,
    platform: HashMap<&'static str, ServiceKey>,
}

fn urls(base: &str, issuer_id: &str) -> CaUrls {
    let base = base.trim_end_matches('/');
    CaUrls {
        crl: Some(format!("{base}/pki/crl/{issuer_id}.crl")),
        ocsp: Some(format!("{base}/pki/ocsp")),
        ca_issuers: Some(format!("{base}/pki/ca/{issuer_id}.crt")),
    }
}

fn years(n: i64) -> Duration {
    Duration::days(365 * n + n / 4)
}

/// Key ids bind sealed keys to their row: a sealed key cannot be moved to another row.
fn service_key_id(cert_id: &str) -> String {
    format!("svc:{cert_id}")
}

fn ca_key_id(ca_id: &str) -> String {
    format!("ca:{ca_id}")
}

fn open_key(master: &MasterKey, key_id: &str, sealed: &[u8]) -> Result<SigningKey, BuiltinCaError> {
    let pkcs8 =
        keywrap::open_service_key(master, key_id, sealed).map_err(|_| BuiltinCaError::Sealed)?;
    Ok(SigningKey::from_pkcs8(&pkcs8)?)
}

/// Who a holder certificate is for.
pub struct Holder<'a> {
    /// [`CertPurpose::User`] or [`CertPurpose::Org`].
    pub purpose: CertPurpose,
    pub user_id: &'a str,
    pub org_id: Option<&'a str>,
    pub subject: SubjectName,
}

/// The subject of an organisation's certificate: its name, and its unified social credit code
/// (or, until it has one, its id) as serialNumber.
pub fn org_subject(org: &signet_store::repo::orgs::Organization) -> SubjectName {
    SubjectName {
        common_name: org.name.clone(),
        organization: Some(org.name.clone()),
        organizational_unit: None,
        // PrintableString has no '_'.
        serial_number: Some(org.uscc.clone().unwrap_or_else(|| org.id.replace('_', "-"))),
        country: Some("CN".into()),
    }
}

/// A freshly issued holder certificate.
pub struct Issued {
    pub row: repo::Certificate,
}

impl BuiltinCa {
    /// Loads the CAs and service keys. `Ok(None)` when `signet pki init` has not run.
    pub async fn load(
        db: &impl ConnectionTrait,
        master: &MasterKey,
        base_url: &str,
    ) -> Result<Option<Self>, BuiltinCaError> {
        let rows = repo::authorities(db).await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut cas = Vec::new();
        for a in rows {
            let algorithm = key_algorithm(a.algorithm);
            cas.push(CaHandle {
                key: open_key(master, &ca_key_id(&a.id), &a.key_sealed)?,
                cert: Certificate::from_der(&a.cert_der)?,
                der: a.cert_der,
                id: a.id,
                algorithm,
                kind: a.kind,
                status: a.status,
                parent_id: a.parent_id,
            });
        }
        let mut trust = Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            cas,
            responders: HashMap::new(),
            tsas: HashMap::new(),
            platform: HashMap::new(),
        };
        // Oldest first, so the newest certificate of a kind wins.
        for row in repo::services(db).await? {
            let algorithm = key_algorithm(row.algorithm);
            let service = ServiceKey {
                key: open_key(master, &row.key_id, &row.key_wrapped)?,
                cert: Certificate::from_der(&row.cert_der)?,
                id: row.id,
                ca_id: row.ca_id.clone(),
                algorithm,
            };
            let issuer_active = trust
                .ca(&row.ca_id)
                .is_some_and(|c| c.status == CaStatus::Active);
            // An expired responder, TSA or platform certificate is not used: its CA signs OCSP
            // answers itself, and timestamps wait for `signet pki rotate`.
            if row.not_after <= Utc::now() {
                tracing::warn!(certificate = %service.id, purpose = %row.purpose, "service certificate expired; run `signet pki rotate`");
                continue;
            }
            match row.purpose {
                CertPurpose::Ocsp => {
                    trust.responders.insert(row.ca_id, service);
                }
                CertPurpose::Tsa if issuer_active => {
                    trust.tsas.insert(alg_name(algorithm), service);
                }
                CertPurpose::Platform if issuer_active => {
                    trust.platform.insert(alg_name(algorithm), service);
                }
                _ => {}
            }
        }
        Ok(Some(trust))
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn cas(&self) -> &[CaHandle] {
        &self.cas
    }

    pub fn ca(&self, id: &str) -> Option<&CaHandle> {
        self.cas.iter().find(|c| c.id == id)
    }

    /// The active issuing CA of `alg`.
    pub fn issuing(&self, alg: KeyAlgorithm) -> Option<&CaHandle> {
        self.cas.iter().rev().find(|c| {
            c.algorithm == alg && c.kind == CaKind::Issuing && c.status == CaStatus::Active
        })
    }

    /// The roots (every algorithm, active or not): the trust anchors of what Signet issued.
    pub fn roots(&self) -> impl Iterator<Item = &CaHandle> {
        self.cas.iter().filter(|c| c.kind == CaKind::Root)
    }

    /// The chain above a certificate issued by `ca_id`: that CA, then its parents.
    pub fn chain_of(&self, ca_id: &str) -> Vec<Certificate> {
        let mut out = Vec::new();
        let mut next = Some(ca_id.to_owned());
        while let Some(id) = next {
            let Some(ca) = self.ca(&id) else { break };
            out.push(ca.cert.clone());
            next = ca.parent_id.clone();
            if out.len() > 4 {
                break;
            }
        }
        out
    }

    pub fn tsa(&self, alg: KeyAlgorithm) -> Option<&ServiceKey> {
        self.tsas.get(alg_name(alg))
    }

    pub fn platform(&self, alg: KeyAlgorithm) -> Option<&ServiceKey> {
        self.platform.get(alg_name(alg))
    }

    /// Issues a holder certificate from the active issuing CA of `alg`, its new key wrapped
    /// under `pin` and the master key, and stores it.
    #[allow(clippy::too_many_arguments)]
    pub async fn issue_holder<C: ConnectionTrait>(
        &self,
        db: &C,
        master: &MasterKey,
        alg: KeyAlgorithm,
        holder: &Holder<'_>,
        pin: &str,
        validity: Duration,
        now: DateTime<Utc>,
    ) -> Result<Issued, BuiltinCaError> {
        let key = SigningKey::generate(alg)?;
        let key_id = signet_store::new_id("key");
        let pkcs8 = key.to_pkcs8_der()?;
        let wrapped = {
            let pin = pin.to_owned();
            let master = master.clone();
            let key_id = key_id.clone();
            let pkcs8 = pkcs8.to_vec();
            tokio::task::spawn_blocking(move || {
                let mut pkcs8 = zeroize::Zeroizing::new(pkcs8);
                let out = keywrap::wrap_with_pin(&master, &key_id, &pin, &pkcs8);
                zeroize::Zeroize::zeroize(&mut *pkcs8);
                out
            })
            .await
            .map_err(|e| BuiltinCaError::Other(e.to_string()))?
            .map_err(|_| BuiltinCaError::Sealed)?
        };
        let spki = key.public_key_spki_der()?;
        drop(key);
        self.store_holder(db, alg, holder, &spki, key_id, wrapped, validity, now)
            .await
    }

    /// Issues a new certificate for an existing wrapped key (renewal): same key, new serial
    /// and validity. With `wrapped` empty the key is the holder's own, never seen here (a
    /// certificate from a PKCS#10 request): it can sign only through external signing.
    #[allow(clippy::too_many_arguments)]
    pub async fn store_holder<C: ConnectionTrait>(
        &self,
        db: &C,
        alg: KeyAlgorithm,
        holder: &Holder<'_>,
        spki: &[u8],
        key_id: String,
        wrapped: Vec<u8>,
        validity: Duration,
        now: DateTime<Utc>,
    ) -> Result<Issued, BuiltinCaError> {
        let pin_protected = !wrapped.is_empty();
        let ca = self.issuing(alg).ok_or(BuiltinCaError::NotInitialised)?;
        let serial = ca::random_serial();
        let request = CertificateRequest {
            subject: &holder.subject,
            public_key_spki_der: spki,
            serial: serial.clone(),
            not_before: now - Duration::minutes(5),
            // Never beyond the issuing CA's own validity.
            not_after: (now + validity).min(
                signet_pki::verify::time::x509_time(
                    &ca.cert.tbs_certificate().validity().not_after,
                )
                .unwrap_or(now + validity),
            ),
            profile: Profile::Signer,
            urls: urls(&self.base_url, &ca.id),
        };
        let cert = ca::issue(&request, &ca.key, Some(&ca.cert))?;
        let row = repo::Certificate {
            user_id: Some(holder.user_id.to_owned()),
            org_id: holder.org_id.map(str::to_owned),
            key_id,
            key_wrapped: wrapped,
            pin_protected,
            ..issued_row(
                signet_store::new_id("crt"),
                &ca.id,
                alg,
                holder.purpose,
                &request,
                &cert,
                now,
            )?
        };
        repo::insert_certificate(db, row.clone()).await?;
        Ok(Issued { row })
    }

    /// The CA whose certificate the CertID names as issuer.
    fn issuer_of(&self, id: &CertId) -> Option<&CaHandle> {
        self.cas.iter().find(|c| responder::issued_by(id, &c.cert))
    }

    /// The status of the certificate `serial` issued by `ca`, from the database.
    async fn status_of<C: ConnectionTrait>(
        &self,
        db: &C,
        ca: &CaHandle,
        serial: &str,
    ) -> Result<Status, DbErr> {
        if let Some(row) = repo::by_serial(db, &ca.id, serial).await? {
            return Ok(match row.revoked_at {
                Some(at) => Status::Revoked {
                    at,
                    reason: row.revocation_reason.as_deref().and_then(parse_reason),
                },
                None => Status::Good,
            });
        }
        // A CA issued by this one.
        if self.cas.iter().any(|c| {
            c.parent_id.as_deref() == Some(ca.id.as_str())
                && ca::serial_hex(c.cert.tbs_certificate().serial_number()) == serial
        }) {
            // CAs are retired, never revoked, by this version's tools.
            return Ok(Status::Good);
        }
        Ok(Status::Unknown)
    }

    /// Answers a DER OCSP request (RFC 6960): every CertID must name the same issuer, one of
    /// the built-in CAs; the answer is signed by that CA's responder (or the CA itself).
    pub async fn ocsp<C: ConnectionTrait>(
        &self,
        db: &C,
        request: &[u8],
        now: DateTime<Utc>,
    ) -> Vec<u8> {
        let Ok(parsed) = responder::parse_request(request) else {
            return responder::error_response(OcspResponseStatus::MalformedRequest);
        };
        let Some(ca) = parsed.ids.first().and_then(|id| self.issuer_of(id)) else {
            return responder::error_response(OcspResponseStatus::Unauthorized);
        };
        if !parsed
            .ids
            .iter()
            .all(|id| responder::issued_by(id, &ca.cert))
        {
            return responder::error_response(OcspResponseStatus::Unauthorized);
        }
        let mut answers = Vec::with_capacity(parsed.ids.len());
        for id in &parsed.ids {
            let serial = ca::serial_hex(&id.serial_number);
            match self.status_of(db, ca, &serial).await {
                Ok(status) => answers.push((id.clone(), status)),
                Err(e) => {
                    tracing::error!(error = %e, "OCSP status lookup failed");
                    return responder::error_response(OcspResponseStatus::TryLater);
                }
            }
        }
        self.sign_ocsp(ca, &answers, parsed.nonce.as_deref(), now)
    }

    fn sign_ocsp(
        &self,
        ca: &CaHandle,
        answers: &[(CertId, Status)],
        nonce: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> Vec<u8> {
        let (key, cert) = match self.responders.get(&ca.id) {
            Some(r) => (&r.key, &r.cert),
            None => (&ca.key, &ca.cert),
        };
        responder::respond(
            key,
            cert,
            &[],
            answers,
            nonce,
            now,
            Some(now + OCSP_NEXT_UPDATE),
        )
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "OCSP response could not be signed");
            responder::error_response(OcspResponseStatus::InternalError)
        })
    }

    /// The built-in CA that signed `cert` (a root for itself), if any.
    pub fn issuer_of_certificate(&self, cert: &Certificate) -> Option<&CaHandle> {
        self.cas
            .iter()
            .find(|c| signet_pki::verify::chain::signed_by(cert, &c.cert))
    }

    /// The OCSP response for `cert` issued by `ca` (for a DSS).
    pub async fn ocsp_for<C: ConnectionTrait>(
        &self,
        db: &C,
        ca: &CaHandle,
        cert: &Certificate,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<u8>>, DbErr> {
        let Ok(id) = CertId::new(cert, &ca.cert, signet_pki::verify::DigestAlgorithm::Sha1) else {
            return Ok(None);
        };
        let serial = ca::serial_hex(cert.tbs_certificate().serial_number());
        let status = self.status_of(db, ca, &serial).await?;
        Ok(Some(self.sign_ocsp(ca, &[(id, status)], None, now)))
    }

    /// A fresh CRL of the CA `ca_id` (DER), or `None` for an unknown CA. The CRL number is
    /// the issue time in milliseconds, so it grows without a counter to keep.
    pub async fn crl<C: ConnectionTrait>(
        &self,
        db: &C,
        ca_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<u8>>, BuiltinCaError> {
        let Some(ca) = self.ca(ca_id) else {
            return Ok(None);
        };
        let mut revoked: Vec<RevokedEntry> = Vec::new();
        for row in repo::revoked_by_ca(db, &ca.id).await? {
            let Some(at) = row.revoked_at else { continue };
            let Some(serial) = serial_from_hex(&row.serial) else {
                continue;
            };
            revoked.push(RevokedEntry {
                serial,
                revoked_at: at,
                reason: row.revocation_reason.as_deref().and_then(parse_reason),
            });
        }
        // Milliseconds: CRLs issued in the same second still get distinct, growing numbers.
        let number = u64::try_from(now.timestamp_millis()).unwrap_or_default();
        Ok(Some(crl::build_crl(
            &ca.key,
            &ca.cert,
            &revoked,
            now,
            now + CRL_NEXT_UPDATE,
            number,
        )?))
    }

    /// Answers a DER RFC 3161 request with the TSA of `alg`.
    pub fn timestamp(
        &self,
        alg: KeyAlgorithm,
        request: &[u8],
        now: DateTime<Utc>,
    ) -> Option<Vec<u8>> {
        let tsa = self.tsa(alg)?;
        let chain = self.chain_of(&tsa.ca_id);
        let authority = TimestampAuthority {
            key: &tsa.key,
            cert: &tsa.cert,
            chain: &chain,
            policy: TSA_POLICY,
        };
        Some(authority.respond(request, ca::random_serial(), now))
    }
}

/// The row of a certificate just issued by `ca_id`: valid, not revoked, held by no one and
/// with no key yet (the caller adds its holder and its wrapped key).
fn issued_row(
    id: String,
    ca_id: &str,
    alg: KeyAlgorithm,
    purpose: CertPurpose,
    request: &ca::CertificateRequest<'_>,
    cert: &Certificate,
    now: DateTime<Utc>,
) -> Result<repo::Certificate, der::Error> {
    Ok(repo::Certificate {
        id,
        ca_id: ca_id.to_owned(),
        serial: ca::serial_hex(&request.serial),
        algorithm: key_alg(alg),
        purpose,
        user_id: None,
        org_id: None,
        subject: request.subject.common_name.clone(),
        cert_der: cert.to_der()?,
        key_id: String::new(),
        key_wrapped: Vec::new(),
        pin_protected: false,
        pin_failures: 0,
        locked_at: None,
        revoked_at: None,
        revocation_reason: None,
        revoked_by: None,
        replaced_by: None,
        not_before: request.not_before,
        not_after: request.not_after,
        created_at: now,
    })
}

/// Parses the lowercase hex of a serial back into a DER serial number.
pub fn serial_from_hex(hex_serial: &str) -> Option<x509_cert::serial_number::SerialNumber> {
    let mut bytes = hex::decode(hex_serial).ok()?;
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    x509_cert::serial_number::SerialNumber::new(&bytes).ok()
}
