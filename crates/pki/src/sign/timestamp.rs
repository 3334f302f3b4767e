//! Signature timestamps (PAdES B-T): the token goes into the signer's unsigned attributes, edited in the DER without re-encoding the rest.

use super::*;
use crate::tlv::{
    Tlv as DerTlv, children as der_children_raw, read as der_read_raw, wrap as der_wrap,
};

fn der_err(what: &str) -> SignError {
    SignError::Der(format!("CMS signature: {what}"))
}

fn der_read(der: &[u8], at: usize, limit: usize) -> Result<DerTlv, SignError> {
    der_read_raw(der, at, limit).map_err(|e| der_err(e.0))
}

fn der_children(der: &[u8], parent: &DerTlv) -> Result<Vec<DerTlv>, SignError> {
    der_children_raw(der, parent).map_err(|e| der_err(e.0))
}

/// `id-aa-signatureTimeStampToken` (RFC 3161 appendix A).
pub(crate) const SIGNATURE_TIMESTAMP_TOKEN_OID: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// The path to the single `SignerInfo` of a DER `ContentInfo(SignedData)`: ContentInfo,
/// its content type, `[0]`, `SignedData`, `signerInfos`, the `SignerInfo`.
pub(crate) struct SignerInfoPath {
    content_info: DerTlv,
    content_type: DerTlv,
    explicit: DerTlv,
    signed_data: DerTlv,
    signer_infos: DerTlv,
    signer_info: DerTlv,
}

pub(crate) fn locate_signer_info(cms_der: &[u8]) -> Result<SignerInfoPath, SignError> {
    let content_info = der_read(cms_der, 0, cms_der.len())?;
    if content_info.tag != 0x30 {
        return Err(der_err("not a ContentInfo"));
    }
    if cms_der[content_info.end..].iter().any(|b| *b != 0) {
        return Err(der_err("data after the ContentInfo"));
    }
    let [content_type, explicit] = der_children(cms_der, &content_info)?[..] else {
        return Err(der_err("a ContentInfo has two elements"));
    };
    if content_type.tag != 0x06
        || cms_der[content_type.body..content_type.end] != *oid::ID_SIGNED_DATA.as_bytes()
        || explicit.tag != 0xa0
    {
        return Err(der_err("not a SignedData"));
    }
    let [signed_data] = der_children(cms_der, &explicit)?[..] else {
        return Err(der_err("[0] must hold one SignedData"));
    };
    let signer_infos = der_children(cms_der, &signed_data)?
        .last()
        .copied()
        .filter(|s| s.tag == 0x31 && signed_data.tag == 0x30)
        .ok_or_else(|| der_err("no signerInfos"))?;
    let infos = der_children(cms_der, &signer_infos)?;
    let [signer_info] = infos[..] else {
        return Err(der_err(&format!(
            "expected one SignerInfo, found {}",
            infos.len()
        )));
    };
    if signer_info.tag != 0x30 {
        return Err(der_err("a SignerInfo is a SEQUENCE"));
    }
    Ok(SignerInfoPath {
        content_info,
        content_type,
        explicit,
        signed_data,
        signer_infos,
        signer_info,
    })
}

/// The `signature` OCTET STRING of a `SignerInfo` and what follows it.
pub(crate) fn signature_field(
    cms_der: &[u8],
    signer_info: &DerTlv,
) -> Result<(DerTlv, Option<DerTlv>), SignError> {
    let fields = der_children(cms_der, signer_info)?;
    let at = fields
        .iter()
        .position(|f| f.tag == 0x04)
        .ok_or_else(|| der_err("the SignerInfo has no signature value"))?;
    let unsigned = match &fields[at + 1..] {
        [] => None,
        [u] if u.tag == 0xa1 => Some(*u),
        _ => return Err(der_err("unexpected fields after the signature value")),
    };
    Ok((fields[at], unsigned))
}

/// The bytes a signature timestamp covers: the `SignerInfo`'s signature value (the OCTET
/// STRING's contents) of a DER CMS `ContentInfo` with a single `SignerInfo`. Zero padding
/// after the `ContentInfo` (as in a PDF's `/Contents`) is ignored.
pub fn signature_value(cms_der: &[u8]) -> Result<Vec<u8>, SignError> {
    let path = locate_signer_info(cms_der)?;
    let (sig, _) = signature_field(cms_der, &path.signer_info)?;
    Ok(cms_der[sig.body..sig.end].to_vec())
}

/// Adds an RFC 3161 signature timestamp (`id-aa-signatureTimeStampToken`,
/// 1.2.840.113549.1.9.16.2.14) as an unsigned attribute of the single `SignerInfo` of a DER
/// CMS `ContentInfo` and returns the new DER. Only the `SignerInfo`'s unsigned attributes and
/// the lengths of the enclosing elements change: everything signed (and the certificates)
/// stays byte-identical. Existing unsigned attributes are kept. `token_der` must be one DER
/// `ContentInfo` (its contents are not checked here).
pub fn add_signature_timestamp(cms_der: &[u8], token_der: &[u8]) -> Result<Vec<u8>, SignError> {
    let token = der_read(token_der, 0, token_der.len())?;
    if token.tag != 0x30 || token.end != token_der.len() {
        return Err(SignError::Der(
            "the timestamp token is not one DER ContentInfo".into(),
        ));
    }
    let p = locate_signer_info(cms_der)?;
    let (sig, unsigned) = signature_field(cms_der, &p.signer_info)?;

    let mut attr = der_wrap(0x06, SIGNATURE_TIMESTAMP_TOKEN_OID.as_bytes());
    attr.extend_from_slice(&der_wrap(0x31, token_der));
    let attr = der_wrap(0x30, &attr);
    let mut attrs: Vec<&[u8]> = match &unsigned {
        Some(u) => der_children(cms_der, u)?
            .iter()
            .map(|a| &cms_der[a.start..a.end])
            .collect(),
        None => Vec::new(),
    };
    attrs.push(&attr);
    // DER orders a SET OF by the encodings of its elements.
    attrs.sort();
    let unsigned_attrs = der_wrap(0xa1, &attrs.concat());

    let mut info = cms_der[p.signer_info.body..sig.end].to_vec();
    info.extend_from_slice(&unsigned_attrs);
    let info = der_wrap(0x30, &info);
    let infos = der_wrap(0x31, &info);
    let mut sd = cms_der[p.signed_data.body..p.signer_infos.start].to_vec();
    sd.extend_from_slice(&infos);
    let sd = der_wrap(0x30, &sd);
    let explicit = der_wrap(p.explicit.tag, &sd);
    let mut ci = cms_der[p.content_type.start..p.content_type.end].to_vec();
    ci.extend_from_slice(&explicit);
    debug_assert_eq!(p.content_info.start, 0);
    Ok(der_wrap(0x30, &ci))
}
