//! Building and running the application: the same path for `signet serve` and the tests'
//! `spawn_app` (which binds port 0).

use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};
use chrono::Utc;
use secrecy::ExposeSecret;
use signet_pki::MasterKey;
use signet_store::blob::FsBlobStore;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tracing_actix_web::TracingLogger;

use crate::adapters::identity::DevIdentity;
use crate::adapters::sms::DevSms;
use crate::auth::JwtKeys;
use crate::config::Settings;
use crate::state::AppState;
use crate::{demo, problem, routes};

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let state = web::Data::new(build_state(settings).await?);
        let listener =
            TcpListener::bind((state.settings.http.host.as_str(), state.settings.http.port))?;
        let port = listener.local_addr()?.port();
        let workers = match state.settings.http.workers {
            0 => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            n => n,
        };
        let data = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(Compress::default())
                .wrap(from_fn(problem::problem_layer))
                .wrap(TracingLogger::default())
                // Outermost: every response leaves with the security headers.
                .wrap(from_fn(crate::headers::security_headers))
                .app_data(data.clone())
                .configure(routes::configure)
        })
        .workers(workers)
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Self {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until stopped, with the background job worker beside the HTTP server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let worker = tokio::spawn(crate::worker::run(self.state.clone()));
        let result = self.server.await;
        worker.abort();
        result
    }
}

/// Demo mode serves only on a loopback address (`127.0.0.1`, `::1`, `localhost`) unless
/// the operator forces it: its dev SMS outbox lets anyone log in as anyone.
pub fn check_demo_listen(host: &str, forced: bool) -> anyhow::Result<()> {
    let loopback = host == "localhost"
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback || forced {
        Ok(())
    } else {
        anyhow::bail!(
            "--demo refuses to listen on {host}: demo mode lets anyone log in as anyone. Listen on \
             127.0.0.1, or add --allow-public-demo if this really is a throwaway demo"
        )
    }
}

/// Connects, migrates, loads keys and adapters, and seeds the demo data when asked.
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&settings.data_dir)?;
    if let Some(owner) = &settings.database.migrate_url {
        let db = signet_store::connect(owner.expose_secret(), 2).await?;
        signet_store::migrate(&db).await?;
        db.close().await?;
    }
    let db = signet_store::connect(
        settings.database.url.expose_secret(),
        settings.database.max_connections,
    )
    .await?;
    if settings.database.migrate_url.is_none() {
        signet_store::migrate(&db).await?;
    }
    let master = load_master_key(&settings)?;
    let jwt = JwtKeys::load_or_create(
        &db,
        &master,
        &settings.auth.issuer,
        chrono::Duration::seconds(settings.auth.access_ttl_secs as i64),
    )
    .await?;
    if settings.identity.provider != "dev" {
        anyhow::bail!("unknown identity provider {:?}", settings.identity.provider);
    }
    let identity = Arc::new(DevIdentity {
        down: settings.identity.dev_mode == "down",
        slow: Duration::from_millis(settings.identity.dev_slow_ms),
    });
    let dev_sms = Arc::new(DevSms::default());
    let blobs = Arc::new(FsBlobStore::new(settings.data_dir.join("blobs")));
    if settings.pki.auto_init || settings.demo {
        let created =
            crate::builtin_ca::init(&db, &master, &settings.http.public_base_url, Utc::now())
                .await?;
        for line in created.lines {
            tracing::info!("pki: created {line}");
        }
    }
    let trust = crate::builtin_ca::BuiltinCa::load(&db, &master, &settings.http.public_base_url)
        .await?
        .map(Arc::new);
    if trust.is_none() {
        tracing::warn!("the PKI is not initialised: run `signet pki init` to issue certificates");
    }
    let mut outside = signet_pki::verify::TrustAnchors::new();
    for path in &settings.pki.outside_ca_files {
        let bytes = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("pki.outside_ca_files {}: {e}", path.display()))?;
        for cert in signet_pdf::verify::anchors_from(&bytes)
            .map_err(|e| anyhow::anyhow!("pki.outside_ca_files {}: {e}", path.display()))?
            .certificates()
        {
            outside.push(cert.clone());
        }
    }
    let timestamps =
        crate::app::signing::Timestamps::from_settings(&settings.pki.tsa_url, trust.clone());
    let state = AppState {
        ca: trust,
        timestamps,
        outside_cas: Arc::new(outside),
        db,
        master,
        jwt,
        sms: dev_sms.clone(),
        dev_sms: Some(dev_sms),
        identity,
        blobs,
        verify_limiter: crate::ratelimit::RateLimiter::per_minute(settings.http.verify_per_minute),
        login_limiter: crate::ratelimit::RateLimiter::per_minute(settings.http.login_per_minute),
        register_limiter: crate::ratelimit::RateLimiter::per_minute(
            settings.http.register_per_minute,
        ),
        pki_limiter: crate::ratelimit::RateLimiter::per_minute(settings.http.pki_per_minute),
        lookup_limiter: crate::ratelimit::RateLimiter::per_minute(
            settings.http.signer_lookups_per_minute,
        ),
        settings,
    };
    if state.settings.demo {
        demo::seed(&state).await?;
    }
    Ok(state)
}

/// The master key from settings, or from `<data_dir>/master.key`, created on first start.
pub fn load_master_key(settings: &Settings) -> anyhow::Result<MasterKey> {
    if let Some(k) = &settings.master_key {
        return Ok(MasterKey::from_base64(k.expose_secret())?);
    }
    let path = settings.data_dir.join("master.key");
    if path.exists() {
        return Ok(MasterKey::from_base64(&std::fs::read_to_string(&path)?)?);
    }
    let key = MasterKey::generate();
    write_private(&path, key.to_base64().as_bytes())?;
    tracing::warn!(path = %path.display(), "generated a new master key; back it up, or set SIGNET_MASTER_KEY");
    Ok(key)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::check_demo_listen;

    #[test]
    fn demo_listens_on_loopback_unless_forced() {
        for host in ["127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"] {
            assert!(check_demo_listen(host, false).is_ok(), "{host}");
        }
        for host in ["0.0.0.0", "::", "192.168.1.10", "example.com"] {
            assert!(check_demo_listen(host, false).is_err(), "{host}");
            assert!(check_demo_listen(host, true).is_ok(), "{host}");
        }
    }
}
