//! PAdES baseline levels (ETSI EN 319 142-1): what a signature carries beyond the CMS.

/// A PAdES baseline level, ordered: each includes the ones before it. In settings and JSON
/// it is written `b-b`, `b-t`, `b-lt` or `b-lta` (read in any case); anything else is refused.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "&'static str")]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum)
)]
#[cfg_attr(feature = "sea-orm", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum Level {
    /// B-B: the signature alone.
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "b-b"))]
    BB,
    /// B-T: with a signature timestamp.
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "b-t"))]
    BT,
    /// B-LT: and the validation data (certificates, OCSP responses, CRLs) in a DSS.
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "b-lt"))]
    BLt,
    /// B-LTA: and a document timestamp over all of it.
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "b-lta"))]
    BLta,
}

impl Level {
    /// `b-b`, `b-t`, `b-lt` or `b-lta`, in any case.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "b-b" => Some(Self::BB),
            "b-t" => Some(Self::BT),
            "b-lt" => Some(Self::BLt),
            "b-lta" => Some(Self::BLta),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BB => "b-b",
            Self::BT => "b-t",
            Self::BLt => "b-lt",
            Self::BLta => "b-lta",
        }
    }
}

impl TryFrom<String> for Level {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
            .ok_or_else(|| format!("unknown PAdES level {s:?}: use b-b, b-t, b-lt or b-lta"))
    }
}

impl From<Level> for &'static str {
    fn from(l: Level) -> Self {
        l.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_back_and_order() {
        for l in [Level::BB, Level::BT, Level::BLt, Level::BLta] {
            assert_eq!(Level::parse(l.as_str()), Some(l));
            assert_eq!(Level::parse(&l.as_str().to_uppercase()), Some(l));
        }
        assert_eq!(Level::parse("b-x"), None);
        assert!(Level::BB < Level::BT && Level::BT < Level::BLt && Level::BLt < Level::BLta);
    }

    #[derive(serde::Deserialize)]
    struct Settings {
        level: Level,
    }

    #[test]
    fn settings_name_a_level_or_are_refused() {
        let ok: Settings = serde_json::from_str(r#"{"level": "B-LTA"}"#).unwrap();
        assert_eq!(ok.level, Level::BLta);
        let err = serde_json::from_str::<Settings>(r#"{"level": "b-ltx"}"#)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("unknown PAdES level"), "{err}");
        assert_eq!(serde_json::to_string(&Level::BT).unwrap(), r#""b-t""#);
    }
}
