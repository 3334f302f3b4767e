//! What a certificate of the built-in CA is for.

crate::closed_set! {
    /// Who or what a certificate issued by the built-in CA belongs to. Stored as `user`, `org`,
    /// `platform`, `ocsp` or `tsa`.
    pub enum CertPurpose (example = "user") {
        /// A person's (个人证书).
        User = "user",
        /// An organisation's (单位证书); its PIN is held by an admin.
        Org = "org",
        /// The platform's document-signing certificate (evidence reports).
        Platform = "platform",
        /// The OCSP responder's.
        Ocsp = "ocsp",
        /// The timestamp authority's.
        Tsa = "tsa",
    }
}

impl CertPurpose {
    /// A certificate of the platform's own services, not of a user or an organisation.
    pub fn is_service(self) -> bool {
        matches!(self, Self::Platform | Self::Ocsp | Self::Tsa)
    }
}

crate::closed_set! {
    /// The signature algorithm of a key, a certificate or a CA.
    pub enum KeyAlg (example = "sm2") {
        /// ECDSA on P-256 with SHA-256.
        P256 = "p256",
        /// SM2 with SM3 (GB/T 32918, GM/T 0009).
        Sm2 = "sm2",
    }
}

crate::closed_set! {
    /// A CA of the built-in PKI: the self-signed root, or the issuing CA under it.
    pub enum CaKind (example = "issuing") {
        Root = "root",
        Issuing = "issuing",
    }
}

crate::closed_set! {
    /// A built-in CA's state: one active root and issuing CA per algorithm; a rotated one is
    /// retired (it keeps answering OCSP and CRL requests for what it issued).
    pub enum CaStatus (example = "active") {
        Active = "active",
        Retired = "retired",
        Revoked = "revoked",
    }
}

crate::closed_set! {
    /// A certificate of an outside CA bound to an account: waiting for an operator (when
    /// approval is required), usable, or refused.
    pub enum BindingStatus (example = "active") {
        Pending = "pending",
        Active = "active",
        Rejected = "rejected",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_are_the_platform_ocsp_and_tsa() {
        let services: Vec<_> = [
            CertPurpose::User,
            CertPurpose::Org,
            CertPurpose::Platform,
            CertPurpose::Ocsp,
            CertPurpose::Tsa,
        ]
        .into_iter()
        .filter(|p| p.is_service())
        .map(CertPurpose::as_str)
        .collect();
        assert_eq!(services, ["platform", "ocsp", "tsa"]);
    }
}
