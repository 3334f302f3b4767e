//! RFC 3161 time-stamp protocol structures (encode and decode) and [`TimestampToken`].

use super::algorithm::DigestAlgorithm;
use super::cms::{CmsSignature, SignerCheck};
use super::time::GenTime;
use super::{VerifyError, oid};
use chrono::{DateTime, Utc};
use der::asn1::{BitString, Int, ObjectIdentifier, OctetString};
use der::{Any, Decode, Enumerated, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;

/// `TimeStampReq ::= SEQUENCE { version INTEGER { v1(1) }, messageImprint MessageImprint,
/// reqPolicy TSAPolicyId OPTIONAL, nonce INTEGER OPTIONAL, certReq BOOLEAN DEFAULT FALSE,
/// extensions [0] IMPLICIT Extensions OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TimeStampReq {
    /// Always 1.
    pub version: u8,
    /// Hash of the data to be time-stamped.
    pub message_imprint: MessageImprint,
    /// Requested TSA policy.
    #[asn1(optional = "true")]
    pub req_policy: Option<ObjectIdentifier>,
    /// Nonce.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// Ask the TSA to include its certificate.
    #[asn1(default = "Default::default")]
    pub cert_req: bool,
    /// Extensions.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// `MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET
/// STRING }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct MessageImprint {
    /// The hash algorithm.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// The hash.
    pub hashed_message: OctetString,
}

/// `TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken
/// OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TimeStampResp {
    /// Status.
    pub status: PkiStatusInfo,
    /// The token (a `ContentInfo`), when granted.
    #[asn1(optional = "true")]
    pub time_stamp_token: Option<Any>,
}

impl TimeStampResp {
    /// The token, parsed, if the response carries one.
    pub fn token(&self) -> Option<Result<TimestampToken, VerifyError>> {
        let any = self.time_stamp_token.as_ref()?;
        Some(
            der::Encode::to_der(any)
                .map_err(VerifyError::from)
                .and_then(|der| TimestampToken::parse(&der)),
        )
    }
}

/// `PKIStatus` (RFC 3161 §2.4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enumerated)]
#[asn1(type = "INTEGER")]
#[repr(u8)]
pub enum PkiStatus {
    /// `granted`.
    Granted = 0,
    /// `grantedWithMods`.
    GrantedWithMods = 1,
    /// `rejection`.
    Rejection = 2,
    /// `waiting`.
    Waiting = 3,
    /// `revocationWarning`.
    RevocationWarning = 4,
    /// `revocationNotification`.
    RevocationNotification = 5,
}

/// `PKIStatusInfo ::= SEQUENCE { status PKIStatus, statusString PKIFreeText OPTIONAL,
/// failInfo PKIFailureInfo OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct PkiStatusInfo {
    /// Status.
    pub status: PkiStatus,
    /// Free text (`SEQUENCE OF UTF8String`).
    #[asn1(optional = "true")]
    pub status_string: Option<Vec<String>>,
    /// Failure bits.
    #[asn1(optional = "true")]
    pub fail_info: Option<BitString>,
}

/// `TSTInfo` (RFC 3161 §2.4.2).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct TstInfo {
    /// Always 1.
    pub version: u8,
    /// TSA policy.
    pub policy: ObjectIdentifier,
    /// The imprint of the time-stamped data.
    pub message_imprint: MessageImprint,
    /// Serial number (up to 160 bits).
    pub serial_number: Int,
    /// Time of the stamp (fractional seconds accepted).
    pub gen_time: GenTime,
    /// Accuracy.
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    /// Ordering.
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    /// The request's nonce.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// The TSA's name.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    /// Extensions.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// `Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999) OPTIONAL,
/// micros [1] INTEGER (1..999) OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct Accuracy {
    /// Seconds.
    #[asn1(optional = "true")]
    pub seconds: Option<u32>,
    /// Milliseconds.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<u16>,
    /// Microseconds.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<u16>,
}

/// An RFC 3161 timestamp token: a CMS `SignedData` with `eContentType` `id-ct-TSTInfo`.
#[derive(Clone, Debug)]
pub struct TimestampToken {
    cms: CmsSignature,
    info: TstInfo,
}

impl TimestampToken {
    /// Parses a `ContentInfo(SignedData)` with `eContentType` `id-ct-TSTInfo` and its
    /// `TSTInfo`.
    pub fn parse(der: &[u8]) -> Result<Self, VerifyError> {
        let cms = CmsSignature::parse(der)?;
        if cms.content_type() != oid::ID_CT_TST_INFO {
            return Err(VerifyError::NotTimestampToken(format!(
                "content type {}",
                cms.content_type()
            )));
        }
        let content = cms
            .encapsulated_content()
            .ok_or_else(|| VerifyError::NotTimestampToken("no TSTInfo".into()))?;
        let info = TstInfo::from_der(content)
            .map_err(|e| VerifyError::NotTimestampToken(format!("unreadable TSTInfo: {e}")))?;
        Ok(Self { cms, info })
    }

    /// The token's signature.
    pub fn cms(&self) -> &CmsSignature {
        &self.cms
    }

    /// The `TSTInfo`.
    pub fn info(&self) -> &TstInfo {
        &self.info
    }

    /// The time of the stamp.
    pub fn gen_time(&self) -> DateTime<Utc> {
        self.info.gen_time.0
    }

    /// The imprint's hash algorithm, if supported.
    pub fn imprint_algorithm(&self) -> Option<DigestAlgorithm> {
        DigestAlgorithm::from_oid(&self.info.message_imprint.hash_algorithm.oid)
    }

    /// Hashes `data` with the imprint's algorithm and compares with the `messageImprint`.
    pub fn imprint_matches(&self, data: &[u8]) -> bool {
        self.imprint_algorithm()
            .is_some_and(|d| d.digest(data) == self.info.message_imprint.hashed_message.as_bytes())
    }

    /// Checks the token's own signature (attached `TSTInfo`).
    pub fn verify(&self, extra_certs: &[Certificate]) -> SignerCheck {
        self.cms.verify_attached(extra_certs)
    }
}
