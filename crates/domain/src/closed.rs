//! Closed sets of values stored as strings: one declaration gives the enum, its stored and
//! wire spelling (`as_str`, `parse`, `Display`, serde), every value (`ALL`), and — behind the
//! crate's features — a sea-orm active enum (`sea-orm`) and an OpenAPI string enum (`utoipa`).
//! The spelling is what the database holds and the audit chain hashes: never change one.

/// Declares a closed set:
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
        pub enum $name:ident (example = $example:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),+ $(,)?
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
