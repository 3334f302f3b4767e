//! CMS `SignedData` (RFC 5652) as other producers write it: read with a lenient TLV walk
//! (indefinite lengths, constructed OCTET STRINGs, unsorted SETs are accepted), with the
//! signed attributes kept exactly as encoded for the signature check.

use super::algorithm::{self, DigestAlgorithm, SignatureAlgorithm};
use super::ber::{self, Tlv, malformed};
use super::tsp::TimestampToken;
use super::{VerifyError, oid};
use chrono::{DateTime, Utc};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::ext::pkix::name::GeneralName;

/// How the signer is named in the `SignerInfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum SignerId {
    /// `IssuerAndSerialNumber`: the issuer `Name` and the serial `INTEGER`, both as encoded.
    IssuerSerial { issuer: Vec<u8>, serial: Vec<u8> },
    /// `[0] SubjectKeyIdentifier`.
    KeyId(Vec<u8>),
}

/// An attribute with its values as encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
struct RawAttribute {
    oid: ObjectIdentifier,
    values: Vec<Vec<u8>>,
}

/// A parsed CMS `SignedData` with exactly one signer.
#[derive(Clone, Debug)]
pub struct CmsSignature {
    digest_algorithms: Vec<AlgorithmIdentifierOwned>,
    content_type: ObjectIdentifier,
    econtent: Option<Vec<u8>>,
    certificates: Vec<Certificate>,
    crls: Vec<Vec<u8>>,
    sid: SignerId,
    digest_alg: AlgorithmIdentifierOwned,
    /// The signed attributes as a DER `SET OF` (tag 0x31): what the signature covers.
    signed_attrs_der: Option<Vec<u8>>,
    signed_attrs: Vec<RawAttribute>,
    signature_alg: AlgorithmIdentifierOwned,
    signature: Vec<u8>,
    unsigned_attrs: Vec<RawAttribute>,
}

/// Result of the ESS signing-certificate(-v2) check.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum EssCheck {
    /// Neither attribute is present.
    Absent,
    /// The attribute names the signer certificate.
    Matches,
    /// The attribute names another certificate (or cannot be read).
    Mismatch,
}

/// The outcome of checking the signer of a [`CmsSignature`].
#[derive(Clone, Debug)]
pub struct SignerCheck {
    /// The certificate the `SignerInfo`'s sid names, if it was found.
    pub signer_certificate: Option<Certificate>,
    /// The message-digest attribute (or, without signed attributes, the signature itself)
    /// matches the content.
    pub digest_matches: bool,
    /// The signature verifies with the signer certificate's key.
    pub signature_valid: bool,
    /// The signature algorithm, when the signature verified.
    pub algorithm: Option<SignatureAlgorithm>,
    /// The ESS signing-certificate(-v2) check.
    pub ess_certificate: EssCheck,
    /// What is wrong, in English.
    pub problems: Vec<String>,
}

impl SignerCheck {
    /// Everything checked out: signer found, digest matches, signature valid, ESS not
    /// mismatching, no problem.
    pub fn ok(&self) -> bool {
        self.signer_certificate.is_some()
            && self.digest_matches
            && self.signature_valid
            && self.ess_certificate != EssCheck::Mismatch
            && self.problems.is_empty()
    }

    fn new() -> Self {
        Self {
            signer_certificate: None,
            digest_matches: false,
            signature_valid: false,
            algorithm: None,
            ess_certificate: EssCheck::Absent,
            problems: Vec::new(),
        }
    }
}

const CI: &str = "CMS ContentInfo";
const SD: &str = "CMS SignedData";
const SI: &str = "CMS SignerInfo";

fn decode_oid(tlv: &Tlv<'_>, what: &'static str) -> Result<ObjectIdentifier, VerifyError> {
    ObjectIdentifier::from_der(tlv.raw).map_err(|e| malformed(what, e.to_string()))
}

fn decode_alg(tlv: &Tlv<'_>, what: &'static str) -> Result<AlgorithmIdentifierOwned, VerifyError> {
    AlgorithmIdentifierOwned::from_der(tlv.raw).map_err(|e| malformed(what, e.to_string()))
}

fn attributes(value: &[u8]) -> Result<Vec<RawAttribute>, VerifyError> {
    const WHAT: &str = "CMS attribute";
    let mut out = Vec::new();
    for attr in ber::elements(value)? {
        ber::expect_tag(&attr, 0x30, WHAT)?;
        let parts = ber::elements(attr.value)?;
        let [oid_tlv, set] = parts.as_slice() else {
            return Err(malformed(WHAT, "expected a type and a set of values"));
        };
        ber::expect_tag(set, 0x31, WHAT)?;
        let oid = decode_oid(oid_tlv, WHAT)?;
        let values = ber::elements(set.value)?
            .iter()
            .map(|v| v.raw.to_vec())
            .collect();
        out.push(RawAttribute { oid, values });
    }
    Ok(out)
}

/// Strips trailing zero padding; fails on any other trailing byte.
fn only_padding(rest: &[u8]) -> Result<(), VerifyError> {
    if rest.iter().all(|b| *b == 0) {
        Ok(())
    } else {
        Err(VerifyError::TrailingData)
    }
}

impl CmsSignature {
    /// Parses a `ContentInfo(SignedData)`. Accepts trailing `0x00` padding after the DER
    /// element (a PDF `/Contents` is zero-padded) but no other trailing bytes. Exactly one
    /// `SignerInfo`, else an error. Embedded certificates that cannot be read are skipped
    /// (they can never be the signer then).
    pub fn parse(der: &[u8]) -> Result<Self, VerifyError> {
        let (ci, rest) = ber::read(der)?;
        only_padding(rest)?;
        ber::expect_tag(&ci, 0x30, CI)?;
        let parts = ber::elements(ci.value)?;
        let (Some(ct), Some(content)) = (parts.first(), parts.get(1)) else {
            return Err(malformed(CI, "expected a content type and a content"));
        };
        let content_type = decode_oid(ct, CI)?;
        if content_type != oid::ID_SIGNED_DATA {
            return Err(VerifyError::NotSignedData(content_type.to_string()));
        }
        ber::expect_tag(content, 0xa0, CI)?;
        let inner = ber::elements(content.value)?;
        let [sd] = inner.as_slice() else {
            return Err(malformed(CI, "[0] must hold exactly one SignedData"));
        };
        ber::expect_tag(sd, 0x30, SD)?;
        let fields = ber::elements(sd.value)?;
        let mut it = fields.iter().peekable();

        let version = it.next().ok_or_else(|| malformed(SD, "empty"))?;
        ber::expect_tag(version, 0x02, SD)?;
        let algs = it
            .next()
            .ok_or_else(|| malformed(SD, "no digestAlgorithms"))?;
        ber::expect_tag(algs, 0x31, SD)?;
        let digest_algorithms = ber::elements(algs.value)?
            .iter()
            .map(|a| decode_alg(a, SD))
            .collect::<Result<Vec<_>, _>>()?;

        let eci = it
            .next()
            .ok_or_else(|| malformed(SD, "no encapContentInfo"))?;
        ber::expect_tag(eci, 0x30, SD)?;
        let eci_parts = ber::elements(eci.value)?;
        let econtent_type = decode_oid(
            eci_parts
                .first()
                .ok_or_else(|| malformed(SD, "empty encapContentInfo"))?,
            SD,
        )?;
        let econtent = match eci_parts.get(1) {
            None => None,
            Some(wrapper) => {
                ber::expect_tag(wrapper, 0xa0, SD)?;
                let octets = ber::elements(wrapper.value)?;
                let [os] = octets.as_slice() else {
                    return Err(malformed(SD, "eContent must be one OCTET STRING"));
                };
                Some(ber::octet_string(os)?)
            }
        };
        if eci_parts.len() > 2 {
            return Err(malformed(SD, "extra fields in encapContentInfo"));
        }

        let mut certificates = Vec::new();
        let mut crls = Vec::new();
        if let Some(certs) = it.next_if(|t| t.tag == 0xa0) {
            for choice in ber::elements(certs.value)? {
                // Only plain certificates; attribute and other certificate formats are skipped.
                if choice.tag == 0x30
                    && let Ok(cert) = Certificate::from_der(choice.raw)
                {
                    certificates.push(cert);
                }
            }
        }
        if let Some(list) = it.next_if(|t| t.tag == 0xa1) {
            for choice in ber::elements(list.value)? {
                if choice.tag == 0x30 {
                    crls.push(choice.raw.to_vec());
                }
            }
        }
        let infos = it.next().ok_or_else(|| malformed(SD, "no signerInfos"))?;
        ber::expect_tag(infos, 0x31, SD)?;
        if it.next().is_some() {
            return Err(malformed(SD, "extra fields after signerInfos"));
        }
        let signer_infos = ber::elements(infos.value)?;
        let [si] = signer_infos.as_slice() else {
            return Err(VerifyError::SignerInfoCount(signer_infos.len()));
        };
        ber::expect_tag(si, 0x30, SI)?;
        let fields = ber::elements(si.value)?;
        let mut it = fields.iter().peekable();
        let version = it.next().ok_or_else(|| malformed(SI, "empty"))?;
        ber::expect_tag(version, 0x02, SI)?;
        let sid_tlv = it.next().ok_or_else(|| malformed(SI, "no sid"))?;
        let sid = match sid_tlv.tag {
            0x30 => {
                let parts = ber::elements(sid_tlv.value)?;
                let [issuer, serial] = parts.as_slice() else {
                    return Err(malformed(SI, "IssuerAndSerialNumber"));
                };
                ber::expect_tag(issuer, 0x30, SI)?;
                ber::expect_tag(serial, 0x02, SI)?;
                SignerId::IssuerSerial {
                    issuer: issuer.raw.to_vec(),
                    serial: serial.raw.to_vec(),
                }
            }
            0x80 => SignerId::KeyId(sid_tlv.value.to_vec()),
            0xa0 => SignerId::KeyId(ber::octet_string(&ber::single(sid_tlv.value, 0x04, SI)?)?),
            other => return Err(malformed(SI, format!("unknown sid tag 0x{other:02x}"))),
        };
        let digest_alg = decode_alg(
            it.next()
                .ok_or_else(|| malformed(SI, "no digestAlgorithm"))?,
            SI,
        )?;
        let (signed_attrs_der, signed_attrs) = match it.next_if(|t| t.tag == 0xa0) {
            Some(sa) => {
                let mut der = sa.raw.to_vec();
                if let Some(first) = der.first_mut() {
                    *first = 0x31;
                }
                (Some(der), attributes(sa.value)?)
            }
            None => (None, Vec::new()),
        };
        let signature_alg = decode_alg(
            it.next()
                .ok_or_else(|| malformed(SI, "no signatureAlgorithm"))?,
            SI,
        )?;
        let signature = ber::octet_string(it.next().ok_or_else(|| malformed(SI, "no signature"))?)?;
        let unsigned_attrs = match it.next_if(|t| t.tag == 0xa1) {
            Some(ua) => attributes(ua.value)?,
            None => Vec::new(),
        };
        if it.next().is_some() {
            return Err(malformed(SI, "extra fields"));
        }
        Ok(Self {
            digest_algorithms,
            content_type: econtent_type,
            econtent,
            certificates,
            crls,
            sid,
            digest_alg,
            signed_attrs_der,
            signed_attrs,
            signature_alg,
            signature,
            unsigned_attrs,
        })
    }

    /// The `SignerInfo`'s digest algorithm.
    pub fn digest_algorithm(&self) -> Result<DigestAlgorithm, VerifyError> {
        DigestAlgorithm::from_oid(&self.digest_alg.oid).ok_or_else(|| {
            VerifyError::UnsupportedAlgorithm(format!("digest {}", self.digest_alg.oid))
        })
    }

    /// The `SignedData`'s `digestAlgorithms` (informative only).
    pub fn digest_algorithms(&self) -> &[AlgorithmIdentifierOwned] {
        &self.digest_algorithms
    }

    /// The `SignerInfo`'s signature algorithm as written.
    pub fn signature_algorithm(&self) -> &AlgorithmIdentifierOwned {
        &self.signature_alg
    }

    /// The embedded certificates (those that could be read), in order.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// The embedded CRLs (`[1] crls`, plain `CertificateList`s only), DER.
    pub fn crls(&self) -> &[Vec<u8>] {
        &self.crls
    }

    /// Does the sid name `cert`?
    fn names(&self, cert: &Certificate) -> bool {
        let tbs = cert.tbs_certificate();
        match &self.sid {
            SignerId::IssuerSerial { issuer, serial } => {
                tbs.issuer().to_der().is_ok_and(|d| &d == issuer)
                    && tbs.serial_number().to_der().is_ok_and(|d| &d == serial)
            }
            SignerId::KeyId(id) => matches!(
                tbs.get_extension::<SubjectKeyIdentifier>(),
                Ok(Some((_, ski))) if ski.0.as_bytes() == id.as_slice()
            ),
        }
    }

    /// The certificate named by the `SignerInfo`'s sid (`IssuerAndSerialNumber` or
    /// `SubjectKeyIdentifier`), searched in the embedded certificates and then in `extra`.
    /// Never guesses.
    pub fn find_signer_certificate<'a>(
        &'a self,
        extra: &'a [Certificate],
    ) -> Option<&'a Certificate> {
        self.certificates
            .iter()
            .chain(extra.iter())
            .find(|c| self.names(c))
    }

    fn signed_attr(&self, oid: ObjectIdentifier) -> Vec<&RawAttribute> {
        self.signed_attrs.iter().filter(|a| a.oid == oid).collect()
    }

    /// The single value of the single signed attribute `oid`, if so.
    fn single_signed_value(&self, oid: ObjectIdentifier) -> Result<Option<&[u8]>, String> {
        match self.signed_attr(oid).as_slice() {
            [] => Ok(None),
            [a] => match a.values.as_slice() {
                [v] => Ok(Some(v.as_slice())),
                _ => Err(format!(
                    "the {} attribute must have exactly one value",
                    attr_name(oid)
                )),
            },
            _ => Err(format!(
                "the {} attribute appears more than once",
                attr_name(oid)
            )),
        }
    }

    /// The signingTime signed attribute.
    pub fn signing_time(&self) -> Option<DateTime<Utc>> {
        let v = self.single_signed_value(oid::SIGNING_TIME).ok()??;
        if let Ok(t) = x509_cert::time::Time::from_der(v) {
            return super::time::x509_time(&t);
        }
        super::time::GenTime::from_der(v).ok().map(|t| t.0)
    }

    /// The `eContentType`.
    pub fn content_type(&self) -> ObjectIdentifier {
        self.content_type
    }

    /// The `eContent` octets (timestamp tokens carry their `TSTInfo` here); `None` when
    /// detached.
    pub fn encapsulated_content(&self) -> Option<&[u8]> {
        self.econtent.as_deref()
    }

    /// The `SignerInfo`'s signature octets (what a signature timestamp imprints).
    pub fn signature_value(&self) -> &[u8] {
        &self.signature
    }

    /// The signed attributes as a DER `SET OF`, exactly as the signer encoded them (what the
    /// signature covers), if there are any.
    pub fn signed_attributes_der(&self) -> Option<&[u8]> {
        self.signed_attrs_der.as_deref()
    }

    /// Checks the signer: the message-digest attribute equals `content_digest` (computed by the
    /// caller over the detached content with [`digest_algorithm`](Self::digest_algorithm)),
    /// the signature over the signed attributes verifies with the signer certificate's key,
    /// the ESS signing-certificate(-v2) attribute (if present) names the signer certificate,
    /// the content-type attribute is present and equals `eContentType`. Without signed
    /// attributes the signature must verify over `content_digest` itself.
    pub fn verify_detached(
        &self,
        content_digest: &[u8],
        extra_certs: &[Certificate],
    ) -> SignerCheck {
        let mut check = SignerCheck::new();
        let digest = match self.digest_algorithm() {
            Ok(d) => Some(d),
            Err(e) => {
                check.problems.push(e.to_string());
                None
            }
        };
        let cert = self.find_signer_certificate(extra_certs).cloned();
        if cert.is_none() {
            check.problems.push(
                "the signer certificate named by the SignerInfo is neither in the signature nor among the given certificates".into(),
            );
        }
        match &self.signed_attrs_der {
            Some(attrs_der) => {
                // content-type
                match self.single_signed_value(oid::CONTENT_TYPE) {
                    Ok(Some(v)) => match ObjectIdentifier::from_der(v) {
                        Ok(ct) if ct == self.content_type => {}
                        Ok(_) => check.problems.push(
                            "the content-type attribute does not match the encapsulated content type".into(),
                        ),
                        Err(_) => check.problems.push("the content-type attribute is unreadable".into()),
                    },
                    Ok(None) => check.problems.push("the content-type signed attribute is missing".into()),
                    Err(e) => check.problems.push(e),
                }
                // message-digest
                match self.single_signed_value(oid::MESSAGE_DIGEST) {
                    Ok(Some(v)) => match OctetString::from_der(v) {
                        Ok(md) => {
                            check.digest_matches = md.as_bytes() == content_digest;
                            if !check.digest_matches {
                                check.problems.push(
                                    "message-digest attribute does not match the document".into(),
                                );
                            }
                        }
                        Err(_) => check
                            .problems
                            .push("the message-digest attribute is unreadable".into()),
                    },
                    Ok(None) => check
                        .problems
                        .push("the message-digest signed attribute is missing".into()),
                    Err(e) => check.problems.push(e),
                }
                if let Some(cert) = &cert {
                    let spki = cert.tbs_certificate().subject_public_key_info();
                    match algorithm::verify_signature(
                        spki,
                        &self.signature_alg,
                        digest,
                        attrs_der,
                        &self.signature,
                    ) {
                        Ok(alg) => {
                            check.signature_valid = true;
                            check.algorithm = Some(alg);
                        }
                        Err(e) => check.problems.push(signature_problem(&e)),
                    }
                    check.ess_certificate = self.ess_check(cert);
                    if check.ess_certificate == EssCheck::Mismatch {
                        check.problems.push(
                            "the signing-certificate attribute does not name the signer certificate".into(),
                        );
                    }
                }
            }
            None => {
                if let Some(cert) = &cert {
                    let spki = cert.tbs_certificate().subject_public_key_info();
                    match algorithm::verify_signature_prehashed(
                        spki,
                        &self.signature_alg,
                        digest,
                        content_digest,
                        &self.signature,
                    ) {
                        Ok(alg) => {
                            check.signature_valid = true;
                            check.digest_matches = true;
                            check.algorithm = Some(alg);
                        }
                        Err(e) => check.problems.push(signature_problem(&e)),
                    }
                }
            }
        }
        check.signer_certificate = cert;
        check
    }

    /// Same as [`verify_detached`](Self::verify_detached) for an attached `eContent`
    /// (timestamp tokens): digests the `eContent` itself.
    pub fn verify_attached(&self, extra_certs: &[Certificate]) -> SignerCheck {
        let Some(content) = &self.econtent else {
            let mut check = SignerCheck::new();
            check.signer_certificate = self.find_signer_certificate(extra_certs).cloned();
            check
                .problems
                .push("the signature has no encapsulated content".into());
            return check;
        };
        match self.digest_algorithm() {
            Ok(d) => self.verify_detached(&d.digest(content), extra_certs),
            Err(e) => {
                let mut check = self.verify_detached(&[], extra_certs);
                check.digest_matches = false;
                if !check.problems.contains(&e.to_string()) {
                    check.problems.push(e.to_string());
                }
                check
            }
        }
    }

    /// The RFC 3161 token in the unsigned attribute `id-aa-signatureTimeStampToken`
    /// (1.2.840.113549.1.9.16.2.14), if any (the first one).
    pub fn signature_timestamp(&self) -> Option<Result<TimestampToken, VerifyError>> {
        let attr = self
            .unsigned_attrs
            .iter()
            .find(|a| a.oid == oid::SIGNATURE_TIMESTAMP_TOKEN)?;
        Some(match attr.values.first() {
            Some(v) => TimestampToken::parse(v),
            None => Err(malformed("signature timestamp attribute", "no value")),
        })
    }

    /// The ESS signing-certificate-v2 (or v1) attribute against `cert`.
    fn ess_check(&self, cert: &Certificate) -> EssCheck {
        let v2 = self.single_signed_value(oid::SIGNING_CERTIFICATE_V2);
        let v1 = self.single_signed_value(oid::SIGNING_CERTIFICATE);
        let Ok(cert_der) = cert.to_der() else {
            return EssCheck::Mismatch;
        };
        let matches_serial = |is: &Option<crate::sign::IssuerSerial>| {
            match is {
            None => true,
            Some(is) => {
                is.serial_number == *cert.tbs_certificate().serial_number()
                    && is.issuer.iter().any(|n| {
                        matches!(n, GeneralName::DirectoryName(name) if name == cert.tbs_certificate().issuer())
                    })
            }
        }
        };
        match (v2, v1) {
            (Err(_), _) | (_, Err(_)) => EssCheck::Mismatch,
            (Ok(Some(v)), _) => match crate::sign::SigningCertificateV2::from_der(v) {
                Ok(sc) => match sc.certs.first() {
                    Some(id) => {
                        let alg = id
                            .hash_algorithm
                            .as_ref()
                            .map(|a| DigestAlgorithm::from_oid(&a.oid))
                            .unwrap_or(Some(DigestAlgorithm::Sha256));
                        match alg {
                            Some(d)
                                if d.digest(&cert_der) == id.cert_hash.as_bytes()
                                    && matches_serial(&id.issuer_serial) =>
                            {
                                EssCheck::Matches
                            }
                            _ => EssCheck::Mismatch,
                        }
                    }
                    None => EssCheck::Mismatch,
                },
                Err(_) => EssCheck::Mismatch,
            },
            (Ok(None), Ok(Some(v))) => match SigningCertificate::from_der(v) {
                Ok(sc) => match sc.certs.first() {
                    Some(id)
                        if DigestAlgorithm::Sha1.digest(&cert_der) == id.cert_hash.as_bytes()
                            && matches_serial(&id.issuer_serial) =>
                    {
                        EssCheck::Matches
                    }
                    _ => EssCheck::Mismatch,
                },
                Err(_) => EssCheck::Mismatch,
            },
            (Ok(None), Ok(None)) => EssCheck::Absent,
        }
    }
}

fn signature_problem(e: &VerifyError) -> String {
    match e {
        VerifyError::BadSignature => {
            "the signature does not verify with the signer certificate's key".into()
        }
        other => format!("the signature cannot be checked: {other}"),
    }
}

fn attr_name(oid: ObjectIdentifier) -> &'static str {
    match oid {
        oid::CONTENT_TYPE => "content-type",
        oid::MESSAGE_DIGEST => "message-digest",
        oid::SIGNING_TIME => "signing-time",
        oid::SIGNING_CERTIFICATE => "signing-certificate",
        oid::SIGNING_CERTIFICATE_V2 => "signing-certificate-v2",
        _ => "signed",
    }
}

/// `SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies SEQUENCE OF
/// PolicyInformation OPTIONAL }` (RFC 2634 §5.4, SHA-1 hashes).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificate {
    /// The signer certificate first.
    pub certs: Vec<EssCertId>,
    /// Policies.
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

/// `ESSCertID ::= SEQUENCE { certHash Hash (SHA-1), issuerSerial IssuerSerial OPTIONAL }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertId {
    /// SHA-1 of the certificate's DER.
    pub cert_hash: OctetString,
    /// Issuer and serial number.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<crate::sign::IssuerSerial>,
}
