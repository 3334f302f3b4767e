//! The local signing agent's wire types (`signet-agent`, the seed's 安全客户端): what it
//! answers and takes, shared by the agent and the panel that calls it.

use super::*;

/// `GET /tokens`: one initialised token (USB key) and the certificates on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentToken {
    pub slot: u64,
    pub label: String,
    pub serial: String,
    pub certificates: Vec<AgentCertificate>,
}

/// A certificate on a token, with the id of the key that signs for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentCertificate {
    /// `CKA_ID`, hex: the key with the same id signs for it.
    pub key_id: String,
    pub label: String,
    pub certificate_pem: String,
}

/// `POST /sign`: what to sign, with which key, after which PIN.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgentSign {
    pub slot: u64,
    pub key_id: String,
    pub pin: PinText,
    /// Base64 of the bytes to sign.
    pub data: String,
}

/// The answer of `POST /sign`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgentSignature {
    /// Base64 of the DER `ECDSA-Sig-Value`.
    pub signature: String,
}
