//! Closed sets of values stored as strings: one declaration gives the enum, its stored and
//! wire spelling (`as_str`, `parse`, `Display`, serde), every value (`ALL`), and — behind the
//! crate's features — a sea-orm active enum (`sea-orm`) and an OpenAPI string enum (`utoipa`).
//! The spelling is what the database holds and the audit chain hashes: never change one.

/// Declares a closed set. The spellings are taken as raw tokens (`tt`, not `literal`): a
/// `literal` fragment reaches derive macros wrapped in an invisible group, which serde reads
/// but utoipa silently ignores (the OpenAPI enum then shows the variant names).
///
///
/// ```
/// signet_domain::closed_set! {
///     /// Where a key lives.
///     pub enum Place (example = "server") {
///         Server = "server",
///         Client = "client",
///     }
/// }
/// assert_eq!(Place::parse("client"), Some(Place::Client));
/// assert_eq!(Place::Server.as_str(), "server");
/// assert_eq!(Place::ALL.len(), 2);
/// ```
#[macro_export]
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        pub enum $name:ident (example = $example:tt) {
            $( $(#[$vmeta:meta])* $variant:ident = $value:tt ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(
            feature = "sea-orm",
            derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum)
        )]
        #[cfg_attr(feature = "sea-orm", sea_orm(rs_type = "String", db_type = "Text"))]
        #[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "utoipa", schema(example = $example))]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $value)]
                #[cfg_attr(feature = "sea-orm", sea_orm(string_value = $value))]
                $variant,
            )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored (and wire) spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $value,)+
                }
            }

            /// The value spelled `s`, if it is one.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($value => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::certificate::{BindingStatus, CaKind, CaStatus, CertPurpose, KeyAlg};
    use crate::org::{InvitationStatus, Role, SealType};
    use crate::workflow::{SealKind, SignMode, StepState, TaskState};

    /// serde writes and reads exactly the stored spelling, `parse` inverts `as_str`, and
    /// nothing else parses.
    fn spelled_once<T>(all: &[T], as_str: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
    where
        T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
    {
        for &v in all {
            let s = as_str(v);
            assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<T>(&format!("\"{s}\"")).unwrap(), v);
            assert_eq!(parse(s), Some(v));
            assert_eq!(parse(&s.to_uppercase()), None, "{s}");
        }
        assert_eq!(parse(""), None);
    }

    #[test]
    fn every_closed_set_has_one_spelling() {
        spelled_once(TaskState::ALL, TaskState::as_str, TaskState::parse);
        spelled_once(StepState::ALL, StepState::as_str, StepState::parse);
        spelled_once(SignMode::ALL, SignMode::as_str, SignMode::parse);
        spelled_once(SealKind::ALL, SealKind::as_str, SealKind::parse);
        spelled_once(Role::ALL, Role::as_str, Role::parse);
        spelled_once(
            InvitationStatus::ALL,
            InvitationStatus::as_str,
            InvitationStatus::parse,
        );
        spelled_once(SealType::ALL, SealType::as_str, SealType::parse);
        spelled_once(CertPurpose::ALL, CertPurpose::as_str, CertPurpose::parse);
        spelled_once(KeyAlg::ALL, KeyAlg::as_str, KeyAlg::parse);
        spelled_once(CaKind::ALL, CaKind::as_str, CaKind::parse);
        spelled_once(CaStatus::ALL, CaStatus::as_str, CaStatus::parse);
        spelled_once(
            BindingStatus::ALL,
            BindingStatus::as_str,
            BindingStatus::parse,
        );
        spelled_once(
            crate::task_access::Operation::ALL,
            crate::task_access::Operation::as_str,
            crate::task_access::Operation::parse,
        );
        assert_eq!(
            TaskState::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
            [
                "draft",
                "in_progress",
                "completed",
                "rejected",
                "cancelled",
                "expired"
            ]
        );
        assert_eq!(KeyAlg::P256.to_string(), "p256");
    }
}
