//! Interfaces to services a production installation buys from outside (SMS gateway, carrier
//! identity check), each with a local dev implementation that behaves like the real one.

pub mod identity;
pub mod sms;
