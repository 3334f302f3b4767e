use std::fmt;

/// A rejected input value: which field, and a stable snake_case code that clients translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    pub field: &'static str,
    pub code: &'static str,
}

impl ValidationError {
    pub const fn new(field: &'static str, code: &'static str) -> Self {
        Self { field, code }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.code)
    }
}
