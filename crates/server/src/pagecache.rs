//! The cache of rendered page images (`<data_dir>/cache/pages`): files named by revision
//! hash, page and width, written once (a revision never changes). Serving a cached image
//! touches its modification time, so [`trim`] can drop the least recently used ones when the
//! cache outgrows its budget (`page_cache_mb`).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Marks a cached file as just used.
pub fn touch(file: &Path) {
    if let Ok(f) = std::fs::File::options().append(true).open(file) {
        let _ = f.set_modified(SystemTime::now());
    }
}

/// Deletes the least recently used files of `dir` until it holds at most `max_bytes`.
/// Returns how many files were removed. Blocking: run it off the async executor.
pub fn trim(dir: &Path, max_bytes: u64) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            meta.is_file().then(|| {
                (
                    meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    meta.len(),
                    e.path(),
                )
            })
        })
        .collect();
    let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
    if total <= max_bytes {
        return 0;
    }
    files.sort();
    let mut removed = 0;
    for (_, len, path) in files {
        if total <= max_bytes {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total = total.saturating_sub(len);
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_least_recently_used_go_first() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = SystemTime::now() - Duration::from_secs(3600);
        for (i, name) in ["a.png", "b.png", "c.png", "d.png"].iter().enumerate() {
            let p = dir.path().join(name);
            std::fs::write(&p, vec![0u8; 1000]).unwrap();
            let f = std::fs::File::options().append(true).open(&p).unwrap();
            f.set_modified(t0 + Duration::from_secs(i as u64 * 60))
                .unwrap();
        }
        // "a" is the oldest, but it was just served.
        touch(&dir.path().join("a.png"));
        assert_eq!(trim(dir.path(), 4000), 0);
        assert_eq!(trim(dir.path(), 2500), 2);
        let left: Vec<bool> = ["a.png", "b.png", "c.png", "d.png"]
            .iter()
            .map(|n| dir.path().join(n).exists())
            .collect();
        assert_eq!(left, [true, false, false, true]);
        assert_eq!(trim(&dir.path().join("missing"), 0), 0);
    }
}
