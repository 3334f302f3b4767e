//! The CMS `SignedData` of a PAdES signature: ESS signing-certificate-v2 (RFC 5035), prepare and finish, and signing in one step.

use super::*;

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies SEQUENCE OF
/// PolicyInformation OPTIONAL }` (RFC 5035 §3).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    /// The signer certificate first; Signet writes only that one.
    pub certs: Vec<EssCertIdV2>,
    /// Policies (never written by Signet).
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm
/// id-sha256}, certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    /// `None` stands for the DEFAULT, SHA-256, which DER omits; Signet always uses SHA-256.
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// Hash of the certificate's DER.
    pub cert_hash: OctetString,
    /// Issuer and serial number of the certificate.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    /// The issuer's name as a `directoryName`.
    pub issuer: GeneralNames,
    /// The certificate's serial number.
    pub serial_number: SerialNumber,
}

// Prepare / finish

/// A signature waiting for its signature value: the output of [`prepare`].
#[derive(Clone, Debug)]
pub struct PreparedSignature {
    key: CertKey,
    sid: SignerIdentifier,
    certificates: CertificateSet,
    signed_attrs: SignedAttributes,
    signed_attrs_der: Vec<u8>,
    max_len: usize,
}

/// The first step of a PAdES signature: builds the signed attributes (content-type id-data,
/// message-digest `document_digest`, signing-certificate-v2 naming `signer`) for the digest
/// of the document's byte ranges, made with [`DocumentHasher`] for the signer's algorithm.
/// `signer` is the signer's certificate (P-256 or SM2 key), `chain` the further certificates
/// to embed (intermediates, root; may be empty; duplicates are dropped).
pub fn prepare(
    signer: &Certificate,
    chain: &[Certificate],
    document_digest: &[u8],
) -> Result<PreparedSignature, SignError> {
    let key = CertKey::from_certificate(signer)?;
    let alg = key.algorithm();
    if document_digest.len() != alg.digest_len() {
        return Err(SignError::BadDigest {
            expected: alg.digest_len(),
            actual: document_digest.len(),
        });
    }
    let tbs = signer.tbs_certificate();
    let signer_der = signer.to_der()?;

    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(Sha256::digest(&signer_der).to_vec())?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            }),
        }],
        policies: None,
    };
    let signed_attrs = SetOfVec::try_from(vec![
        attribute(oid::CONTENT_TYPE, &oid::ID_DATA)?,
        attribute(
            oid::MESSAGE_DIGEST,
            &OctetString::new(document_digest.to_vec())?,
        )?,
        attribute(oid::SIGNING_CERTIFICATE_V2, &ess)?,
    ])?;
    let signed_attrs_der = signed_attrs.to_der()?;

    let mut seen: Vec<Vec<u8>> = vec![signer_der];
    let mut certificates = CertificateSet(SetOfVec::new());
    certificates
        .0
        .insert(CertificateChoices::Certificate(signer.clone()))?;
    for cert in chain {
        let der = cert.to_der()?;
        if !seen.contains(&der) {
            certificates
                .0
                .insert(CertificateChoices::Certificate(cert.clone()))?;
            seen.push(der);
        }
    }

    let mut prepared = PreparedSignature {
        key,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        certificates,
        signed_attrs,
        signed_attrs_der,
        max_len: 0,
    };
    // Every valid signature value is at most MAX_SIGNATURE_LEN bytes, and the encoding grows
    // with the signature, so a placeholder of that length gives the upper bound.
    prepared.max_len = prepared.encode(vec![0; MAX_SIGNATURE_LEN])?.len();
    Ok(prepared)
}

/// An attribute with a single value.
pub(crate) fn attribute(
    oid: ObjectIdentifier,
    value: &impl Encode,
) -> Result<Attribute, SignError> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![Any::from_der(&value.to_der()?)?])?,
    })
}

impl PreparedSignature {
    /// The signature algorithm, from the signer certificate's public key.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.key.algorithm()
    }

    /// The exact bytes an external signer must sign: the DER of the signed attributes as a
    /// `SET OF` (tag 0x31), per RFC 5652 §5.4. The finished `SignerInfo` carries the same bytes
    /// under the `[0] IMPLICIT` tag.
    pub fn signed_attributes_der(&self) -> &[u8] {
        &self.signed_attrs_der
    }

    /// What a digest-only signer (an HSM) must sign: SHA-256 of the signed attributes for
    /// P-256; for SM2, SM3(Z ‖ signed attributes), with Z from the signer certificate's public
    /// key and [`SM2_DEFAULT_DISTID`].
    pub fn to_be_signed_digest(&self) -> Vec<u8> {
        self.key.to_be_signed_digest(&self.signed_attrs_der)
    }

    /// An upper bound of the DER length of [`finish`](Self::finish)'s output for any valid
    /// signature value, so that the PDF can reserve `/Contents` before signing.
    pub fn max_encoded_len(&self) -> usize {
        self.max_len
    }

    /// The second step: checks that `signature_der` (a DER `ECDSA-Sig-Value`) verifies with the
    /// signer certificate's key over [`signed_attributes_der`](Self::signed_attributes_der)
    /// ([`SignError::BadSignature`] otherwise: another key, other bytes, a raw `r ‖ s`), then
    /// returns the DER of the `ContentInfo` (`SignedData`) to embed in the PDF.
    pub fn finish(&self, signature_der: &[u8]) -> Result<Vec<u8>, SignError> {
        let signature = self.key.verify(&self.signed_attrs_der, signature_der)?;
        self.encode(signature)
    }

    /// Encodes the `ContentInfo` with `signature` as the signature value.
    pub(crate) fn encode(&self, signature: Vec<u8>) -> Result<Vec<u8>, SignError> {
        let alg = self.algorithm();
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: self.sid.clone(),
            digest_alg: alg.digest_algorithm(),
            signed_attrs: Some(self.signed_attrs.clone()),
            signature_algorithm: alg.signature_algorithm(),
            signature: OctetString::new(signature)?,
            unsigned_attrs: None,
        };
        let signed_data = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![alg.digest_algorithm()])?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: oid::ID_DATA,
                econtent: None,
            },
            certificates: Some(self.certificates.clone()),
            crls: None,
            signer_infos: SignerInfos::try_from(vec![signer_info])?,
        };
        let content_info = ContentInfo {
            content_type: oid::ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data)?,
        };
        Ok(content_info.to_der()?)
    }
}

/// Checks a DER `ECDSA-Sig-Value` over `message` with the public key of `cert`: ECDSA P-256
/// with SHA-256, or SM2 with SM3 and [`SM2_DEFAULT_DISTID`] (as [`SigningKey::sign`] makes
/// them). Used for proofs of possession such as certificate login.
pub fn verify_by_certificate(
    cert: &Certificate,
    message: &[u8],
    signature_der: &[u8],
) -> Result<KeyAlgorithm, SignError> {
    let key = CertKey::from_certificate(cert)?;
    key.verify(message, signature_der)?;
    Ok(key.algorithm())
}

/// Signs with a local key: [`prepare`], [`SigningKey::sign`], [`PreparedSignature::finish`].
/// Refuses with [`SignError::KeyCertMismatch`] a key that is not the signer certificate's.
pub fn sign_detached(
    key: &SigningKey,
    signer: &Certificate,
    chain: &[Certificate],
    document_digest: &[u8],
) -> Result<Vec<u8>, SignError> {
    let cert_key = CertKey::from_certificate(signer)?;
    if cert_key.algorithm() != key.algorithm() || cert_key.public_point() != key.public_point() {
        return Err(SignError::KeyCertMismatch);
    }
    let prepared = prepare(signer, chain, document_digest)?;
    let signature = key.sign(prepared.signed_attributes_der())?;
    prepared.finish(&signature)
}
