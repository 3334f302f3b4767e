//! The application layer: use cases that route handlers, the worker, the evidence report and
//! the command line call, so that a handler only parses, authenticates, calls and maps the
//! result.
//!
//! - [`signing`]: the one signing pipeline — plan each signature (its opened key, certificate
//!   and chain), sign in order (B-B, or B-T with the configured timestamps), extend to the
//!   level (B-LT validation data, B-LTA document timestamp) — configured once at start.
//!
//! Tasks, certificates and seals still live in `routes/` (moving them here is open work).

pub mod signing;
