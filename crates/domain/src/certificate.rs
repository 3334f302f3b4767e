//! What a certificate of the built-in CA is for.

/// Who or what a certificate issued by the built-in CA belongs to. Stored as `user`, `org`,
/// `platform`, `ocsp` or `tsa`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum)
)]
#[cfg_attr(feature = "sea-orm", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum CertPurpose {
    /// A person's (个人证书).
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "user"))]
    User,
    /// An organisation's (单位证书); its PIN is held by an admin.
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "org"))]
    Org,
    /// The platform's document-signing certificate (evidence reports).
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "platform"))]
    Platform,
    /// The OCSP responder's.
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "ocsp"))]
    Ocsp,
    /// The timestamp authority's.
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "tsa"))]
    Tsa,
}

impl CertPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Org => "org",
            Self::Platform => "platform",
            Self::Ocsp => "ocsp",
            Self::Tsa => "tsa",
        }
    }

    /// A certificate of the platform's own services, not of a user or an organisation.
    pub fn is_service(self) -> bool {
        matches!(self, Self::Platform | Self::Ocsp | Self::Tsa)
    }
}

impl std::fmt::Display for CertPurpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
