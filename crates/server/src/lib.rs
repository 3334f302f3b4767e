//! The `signet` server: configuration, the actix-web application, authentication, problem
//! responses, OpenAPI, the panel's static files and the demo seed. Business rules live in
//! `signet-domain`, persistence in `signet-store`.

pub mod adapters;
pub mod agreements;
pub mod auth;
pub mod config;
pub mod demo;
pub mod i18n;
pub mod openapi;
pub mod pdfcli;
pub mod problem;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod verifycli;
