//! The `signet` server: configuration, the actix-web application, authentication, problem
//! responses, OpenAPI, the panel's static files and the demo seed. Business rules live in
//! `signet-domain`, persistence in `signet-store`.

pub mod adapters;
pub mod agreements;
pub mod app;
pub mod auth;
pub mod benchseed;
pub mod builtin_ca;
pub mod cli;
pub mod config;
pub mod demo;
pub mod evidence;
pub mod gc;
pub mod headers;
pub mod i18n;
pub mod locks;
pub mod openapi;
pub mod pagecache;
pub mod problem;
pub mod ratelimit;
pub mod report;
pub mod revocation;
pub mod routes;
pub mod sealgen;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod worker;
