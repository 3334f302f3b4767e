//! Typed settings, loaded once at start-up from (lowest to highest priority) built-in
//! defaults, an optional TOML file (`--config FILE` or `SIGNET_CONFIG`), and `SIGNET_*`
//! environment variables (`SIGNET_HTTP__PORT=9000`, nested keys joined by `__`).
//! `DATABASE_URL` is honoured as well as `SIGNET_DATABASE__URL`. Nothing else in the code
//! reads the environment.

use secrecy::SecretString;
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub http: HttpSettings,
    pub database: DatabaseSettings,
    /// Where SQLite files (by default), blobs and generated keys live.
    pub data_dir: PathBuf,
    /// Base64 of 32 random bytes. When absent, a key is generated into
    /// `<data_dir>/master.key` on first start (fine for one node; set it for several).
    #[serde(default)]
    pub master_key: Option<SecretString>,
    pub auth: AuthSettings,
    pub identity: IdentitySettings,
    /// Directory of the built panel (`index.html` and the wasm bundle).
    pub panel_dir: PathBuf,
    /// Seeds the demo organisation and users and exposes the dev endpoints
    /// (`/api/v1/dev/*`, whose SMS outbox lets anyone log in as anyone). Only the
    /// `signet serve --demo` flag (or code, in tests) turns it on: a configuration file or
    /// `SIGNET_DEMO` that names it is refused at start.
    #[serde(skip)]
    pub demo: bool,
    pub log: LogSettings,
    pub pki: PkiSettings,
    /// Most megabytes of rendered page images kept in `<data_dir>/cache/pages`; the least
    /// recently used go first (checked by the worker every 10 minutes).
    #[serde(default = "default_page_cache_mb")]
    pub page_cache_mb: u64,
    /// The support line the panel shows in its header (客服电话); empty: none.
    #[serde(default)]
    pub support_phone: String,
}

fn default_page_cache_mb() -> u64 {
    512
}

#[derive(Debug, Clone, Deserialize)]
pub struct PkiSettings {
    /// Create the CAs and service certificates at start-up when there are none (always done
    /// with `--demo`); otherwise run `signet pki init` once.
    pub auto_init: bool,
    /// Validity of the certificates issued to users and organisations, in days.
    pub certificate_days: i64,
    /// An outside RFC 3161 TSA for signature and document timestamps; empty: the built-in TSA.
    pub tsa_url: String,
    /// The PAdES level of signatures made over the API when the request names none:
    /// `b-b`, `b-t`, `b-lt` or `b-lta` (anything else stops the start).
    pub default_level: signet_domain::pades::Level,
    /// Outside CAs whose certificates users may bind to their accounts (PEM files, e.g. a
    /// commercial CA issuing USB-key certificates).
    #[serde(default)]
    pub outside_ca_files: Vec<PathBuf>,
    /// Bound certificates wait for an operator's approval (`signet cert approve`).
    #[serde(default)]
    pub binding_requires_approval: bool,
    /// Let the server fetch revocation data (OCSP, CRL URLs named in outside certificates)
    /// from loopback, private and link-local addresses. Off: those URLs come from
    /// certificates users upload, and must not reach the server's own network (SSRF).
    #[serde(default)]
    pub revocation_fetch_private: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HttpSettings {
    pub host: String,
    pub port: u16,
    /// The externally visible base URL (used in links, and later in certificates).
    pub public_base_url: String,
    /// Worker threads; 0 means one per core.
    #[serde(default)]
    pub workers: usize,
    /// Trust `X-Forwarded-For` from a reverse proxy for client IPs.
    #[serde(default)]
    pub trust_forwarded_for: bool,
    /// Public verification uploads (`POST /api/v1/verify`) allowed per client IP and minute.
    #[serde(default = "default_verify_per_minute")]
    pub verify_per_minute: u32,
    /// Password logins (`POST /api/v1/auth/login`) allowed per client IP and minute (a locked
    /// account answers 423 before this is counted).
    #[serde(default = "default_login_per_minute")]
    pub login_per_minute: u32,
    /// Requests to the signing PKI services (CRLs, OCSP, timestamps) allowed per client IP
    /// and minute.
    #[serde(default = "default_pki_per_minute")]
    pub pki_per_minute: u32,
    /// Registrations (`POST /api/v1/auth/register`) allowed per client IP and minute.
    #[serde(default = "default_register_per_minute")]
    pub register_per_minute: u32,
    /// Signer lookups (`POST /api/v1/signers/lookup`) allowed per signed-in caller and minute.
    #[serde(default = "default_signer_lookups_per_minute")]
    pub signer_lookups_per_minute: u32,
    /// Who may embed the panel in a frame: the CSP `frame-ancestors` sources, e.g.
    /// `https://portal.example.com`; empty: nobody (`'none'`).
    #[serde(default)]
    pub frame_ancestors: String,
    /// The origin of the local signing agent (`signet agent`) the panel may call, added to
    /// the CSP `connect-src`; empty: none.
    #[serde(default = "default_agent_origin")]
    pub agent_origin: String,
}

fn default_login_per_minute() -> u32 {
    60
}

fn default_pki_per_minute() -> u32 {
    600
}

fn default_register_per_minute() -> u32 {
    10
}

fn default_signer_lookups_per_minute() -> u32 {
    30
}

fn default_agent_origin() -> String {
    "http://127.0.0.1:9321".into()
}

fn default_verify_per_minute() -> u32 {
    20
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// What the application connects as.
    pub url: SecretString,
    pub max_connections: u32,
    /// When set, migrations run as this (the schema owner) and `url` may be a role that
    /// cannot change or delete audit events (docs/EVIDENCE.md, `signet db grant-app`).
    #[serde(default)]
    pub migrate_url: Option<SecretString>,
}

impl DatabaseSettings {
    /// The URL migrations run with: `migrate_url` when set, else `url`.
    pub fn owner_url(&self) -> &SecretString {
        self.migrate_url.as_ref().unwrap_or(&self.url)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    /// Access-token lifetime in seconds.
    pub access_ttl_secs: u64,
    /// Refresh-token lifetime in days.
    pub refresh_ttl_days: u64,
    pub issuer: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IdentitySettings {
    /// `dev` (local rules, see docs/ARCHITECTURE.md) — the only provider so far.
    pub provider: String,
    /// Calls slower than this fail as "provider unavailable".
    pub timeout_ms: u64,
    /// Dev provider: `normal` or `down` (every check fails as unavailable).
    pub dev_mode: String,
    /// Dev provider: how long a "slow" test identity (phone ending 8888) takes.
    pub dev_slow_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    /// `pretty` or `json`.
    pub format: String,
    /// A tracing filter, e.g. `info,signet_server=debug`.
    pub filter: String,
}

const DEFAULTS: &str = r#"
data_dir = "data"
panel_dir = "frontend/dist"

[http]
host = "127.0.0.1"
port = 8080
public_base_url = "http://127.0.0.1:8080"
workers = 0
trust_forwarded_for = false

[database]
url = "sqlite://data/signet.db?mode=rwc"
max_connections = 16

[auth]
access_ttl_secs = 900
refresh_ttl_days = 30
issuer = "signet"

[identity]
provider = "dev"
timeout_ms = 5000
dev_mode = "normal"
dev_slow_ms = 10000

[log]
format = "pretty"
filter = "info"

[pki]
auto_init = false
certificate_days = 365
tsa_url = ""
default_level = "b-lta"
outside_ca_files = []
binding_requires_approval = false
"#;

impl Settings {
    /// Loads defaults, then `file` (if any), then the process environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Self, config::ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        Self::load_from(file, vars)
    }

    /// As [`Settings::load`], with the environment given explicitly (tests).
    pub fn load_from(
        file: Option<&std::path::Path>,
        vars: Vec<(String, String)>,
    ) -> Result<Self, config::ConfigError> {
        let mut env: std::collections::HashMap<String, String> = vars
            .iter()
            .filter(|(k, _)| k.starts_with("SIGNET_") && k != "SIGNET_CONFIG")
            .cloned()
            .collect();
        if let Some((_, url)) = vars.iter().find(|(k, _)| k == "DATABASE_URL")
            && !env.contains_key("SIGNET_DATABASE__URL")
        {
            env.insert("SIGNET_DATABASE__URL".into(), url.clone());
        }
        let file = file.map(std::path::Path::to_path_buf).or_else(|| {
            vars.iter()
                .find(|(k, _)| k == "SIGNET_CONFIG")
                .map(|(_, v)| PathBuf::from(v))
        });
        let mut b = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        if let Some(f) = file {
            b = b.add_source(config::File::from(f).format(config::FileFormat::Toml));
        }
        let built = b
            .add_source(
                config::Environment::with_prefix("SIGNET")
                    .prefix_separator("_")
                    .separator("__")
                    .try_parsing(true)
                    .source(Some(env)),
            )
            .build()?;
        if built.get::<config::Value>("demo").is_ok() {
            return Err(config::ConfigError::Message(
                "demo mode is switched on only by `signet serve --demo`; remove `demo` from the \
                 configuration file and SIGNET_DEMO from the environment"
                    .into(),
            ));
        }
        built.try_deserialize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn defaults_then_env() {
        let s = Settings::load_from(None, vec![]).unwrap();
        assert_eq!(s.http.port, 8080);
        assert_eq!(
            s.database.url.expose_secret(),
            "sqlite://data/signet.db?mode=rwc"
        );
        let s = Settings::load_from(
            None,
            vec![
                ("SIGNET_HTTP__PORT".into(), "9000".into()),
                ("DATABASE_URL".into(), "postgres://x/y".into()),
                ("SIGNET_MASTER_KEY".into(), "c2VjcmV0".into()),
            ],
        )
        .unwrap();
        assert_eq!(s.http.port, 9000);
        assert!(!s.demo);
        assert_eq!(s.database.url.expose_secret(), "postgres://x/y");
        // Secrets never show in Debug output (and so never in logs).
        let dbg = format!("{s:?}");
        assert!(
            !dbg.contains("postgres://x/y") && !dbg.contains("c2VjcmV0"),
            "{dbg}"
        );
    }

    #[test]
    fn the_default_level_is_a_level_or_the_start_stops() {
        let s = Settings::load_from(None, vec![]).unwrap();
        assert_eq!(s.pki.default_level, signet_domain::pades::Level::BLta);
        let s = Settings::load_from(
            None,
            vec![("SIGNET_PKI__DEFAULT_LEVEL".into(), "B-T".into())],
        )
        .unwrap();
        assert_eq!(s.pki.default_level, signet_domain::pades::Level::BT);
        let err = Settings::load_from(
            None,
            vec![("SIGNET_PKI__DEFAULT_LEVEL".into(), "b-ltx".into())],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unknown PAdES level"), "{err}");
    }

    #[test]
    fn toml_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("signet.toml");
        std::fs::write(&f, "[http]\nport = 7000\n").unwrap();
        let s = Settings::load_from(Some(&f), vec![]).unwrap();
        assert_eq!(s.http.port, 7000);
        assert_eq!(s.http.host, "127.0.0.1");
    }

    #[test]
    fn demo_mode_cannot_be_configured() {
        let err = Settings::load_from(None, vec![("SIGNET_DEMO".into(), "true".into())])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--demo"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("signet.toml");
        std::fs::write(&f, "demo = true\n").unwrap();
        assert!(Settings::load_from(Some(&f), vec![]).is_err());
        std::fs::write(&f, "demo = false\n").unwrap();
        assert!(Settings::load_from(Some(&f), vec![]).is_err());
    }
}
