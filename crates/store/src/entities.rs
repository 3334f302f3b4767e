//! sea-orm entities, one module per table. The schema itself lives in `signet-migrations`.

pub mod agreement;
pub mod agreement_acceptance;
pub mod audit_anchor;
pub mod bound_certificate;
pub mod captcha;
pub mod certificate;
pub mod certificate_authority;
pub mod external_signing;
pub mod initiate_grant;
pub mod invitation;
pub mod job;
pub mod login_challenge;
pub mod membership;
pub mod organization;
pub mod refresh_token;
pub mod seal;
pub mod seal_grant;
pub mod server_key;
pub mod sms_code;
pub mod task;
pub mod task_document;
pub mod task_event;
pub mod task_step;
pub mod user;
pub mod verification_code;
