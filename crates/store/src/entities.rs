//! sea-orm entities, one module per table. The schema itself lives in `signet-migrations`.

pub mod agreement;
pub mod agreement_acceptance;
pub mod captcha;
pub mod invitation;
pub mod membership;
pub mod organization;
pub mod refresh_token;
pub mod server_key;
pub mod sms_code;
pub mod user;
