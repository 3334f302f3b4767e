//! The background worker: claims due jobs from the database-backed queue
//! (`signet_store::jobs`) and runs them. Every node runs one; the queue's claim makes sure a
//! job runs on one node at a time, and a job whose node died is due again when its lease
//! runs out. Failures are retried with backoff by the queue.
//!
//! Jobs: `task.expire` (payload: task id) expires an in-progress task after its deadline;
//! `audit.anchor` (payload: task id) timestamps the head of an ended task's audit chain.
//! Every [`SWEEP_EVERY`] the worker also anchors ended tasks whose chains grew since
//! (`evidence::sweep`), trims the page-image cache to its budget (`pagecache::trim`) and
//! collects garbage: unreferenced blobs, expired captchas and challenges (`gc::sweep`).

use chrono::{Duration, Utc};
use signet_store::jobs;
use std::time::Duration as StdDuration;

use crate::state::AppState;

/// How long a claimed job is ours before another worker may take it.
const LEASE_SECS: i64 = 60;
/// The job kinds this version runs.
const KINDS: &[&str] = &[crate::app::tasks::EXPIRE_JOB, crate::evidence::ANCHOR_JOB];
/// Pause between polls when nothing is due.
const IDLE: StdDuration = StdDuration::from_millis(500);
/// How often ended tasks' grown chains are anchored again.
pub const SWEEP_EVERY: StdDuration = StdDuration::from_secs(600);

/// Runs jobs until the task is aborted.
pub async fn run(state: actix_web::web::Data<AppState>) {
    let name = format!("worker-{}", uuid::Uuid::now_v7().simple());
    let mut last_sweep = tokio::time::Instant::now();
    loop {
        if last_sweep.elapsed() >= SWEEP_EVERY {
            last_sweep = tokio::time::Instant::now();
            if let Err(e) = crate::evidence::sweep(&state).await {
                tracing::warn!(error = %e, "anchoring audit chains failed");
            }
            match crate::gc::sweep(&state, Utc::now()).await {
                Ok(s) if s != crate::gc::Swept::default() => tracing::info!(
                    blobs = s.blobs,
                    captchas = s.captchas,
                    challenges = s.challenges,
                    "garbage collected"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "garbage collection failed"),
            }
            let dir = state.settings.data_dir.join("cache").join("pages");
            let max = state.settings.page_cache_mb.saturating_mul(1024 * 1024);
            if let Ok(n) =
                tokio::task::spawn_blocking(move || crate::pagecache::trim(&dir, max)).await
                && n > 0
            {
                tracing::info!(removed = n, "page image cache trimmed");
            }
        }
        match run_once(&state, &name).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "job queue unavailable"),
        }
        tokio::time::sleep(IDLE).await;
    }
}

/// Claims and runs one due job; `Ok(false)` when nothing was due.
pub async fn run_once(
    state: &AppState,
    worker: &str,
) -> Result<bool, signet_store::sea_orm::DbErr> {
    let now = Utc::now();
    let Some(job) =
        jobs::claim(&state.db, worker, now, Duration::seconds(LEASE_SECS), KINDS).await?
    else {
        return Ok(false);
    };
    let result = match job.kind.as_str() {
        crate::app::tasks::EXPIRE_JOB => crate::app::tasks::expire(state, &job.payload, Utc::now())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        crate::evidence::ANCHOR_JOB => crate::evidence::anchor(state, &job.payload)
            .await
            .map(|_| ()),
        other => Err(format!("unknown job kind {other}")),
    };
    match result {
        Ok(()) => {
            jobs::complete(&state.db, &job.id, worker, Utc::now()).await?;
        }
        Err(e) => {
            tracing::warn!(job = %job.id, kind = %job.kind, error = %e, "job failed");
            jobs::fail(&state.db, &job, worker, &e, Utc::now()).await?;
        }
    }
    Ok(true)
}
