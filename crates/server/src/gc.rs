//! Garbage collection, run by the worker with its periodic sweep (`worker::SWEEP_EVERY`):
//! blobs no row names any more (a document revision replaced by a later one that contains it,
//! an upload whose task was never created, an expired external signing's prepared file) once
//! they are older than [`BLOB_GRACE`], and captchas and login challenges that expired more
//! than an hour ago.
//!
//! Safety: the set of names rows still need is read first, then the blobs older than the
//! grace period are listed. A blob a row started naming since then was written (or put again,
//! which refreshes its time under the store's lock) after the snapshot, so it is younger than
//! the grace period and kept; the store deletes only a blob still older than it.

use chrono::{DateTime, Duration, Utc};
use signet_store::repo::{captchas, gc};

use crate::state::AppState;

/// How old an unreferenced blob must be before it is deleted.
pub const BLOB_GRACE: Duration = Duration::hours(24);
/// How long expired captchas and challenges are kept (for the logs of a late request).
pub const EXPIRED_GRACE: Duration = Duration::hours(1);

/// What one sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub blobs: usize,
    pub captchas: u64,
    pub challenges: u64,
}

/// One garbage-collection pass at `now`.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<Swept> {
    let referenced = gc::referenced_blobs(&state.db, now).await?;
    let before = std::time::SystemTime::from(now - BLOB_GRACE);
    let mut swept = Swept::default();
    for name in state.blobs.written_before(before).await? {
        if !referenced.contains(&name)
            && state.blobs.delete_if_written_before(&name, before).await?
        {
            swept.blobs += 1;
        }
    }
    swept.captchas = captchas::purge(&state.db, now - EXPIRED_GRACE).await?;
    swept.challenges = gc::purge_challenges(&state.db, now - EXPIRED_GRACE).await?;
    Ok(swept)
}
