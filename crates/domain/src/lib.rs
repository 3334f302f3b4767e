//! Pure types and rules of Signet. Nothing in this crate performs I/O: callers pass the
//! current time and stored state in, and get decisions (and new state) back.
//!
//! Input is parsed at the edge into newtypes ([`identity`]) so that an invalid account name,
//! phone number or ID-card number cannot exist past the HTTP layer.

pub mod access;
pub mod audit;
pub mod certificate;
mod closed;
pub mod error;
pub mod identity;
pub mod login;
pub mod org;
pub mod pades;
pub mod placement;
pub mod sms;
pub mod task_access;
pub mod workflow;

pub use error::ValidationError;
