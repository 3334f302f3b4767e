//! Content-addressed blob store. Blobs are named by the SHA-256 of their bytes, so the same
//! document uploaded twice is stored once and a name proves the content.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("blob {0} not found")]
    NotFound(String),
    #[error("not a blob name: {0}")]
    BadName(String),
    #[error("blob store I/O failed")]
    Io(#[from] std::io::Error),
    #[error("blob store task failed")]
    Join,
}

/// SHA-256 of the bytes as lowercase hex: a blob's name.
pub fn blob_name(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores the bytes and returns their name. Idempotent.
    async fn put(&self, bytes: Vec<u8>) -> Result<String, BlobError>;
    async fn get(&self, name: &str) -> Result<Vec<u8>, BlobError>;
    async fn exists(&self, name: &str) -> Result<bool, BlobError>;
    /// The blobs last written (or put again) before `before`.
    async fn written_before(&self, before: SystemTime) -> Result<Vec<String>, BlobError>;
    /// Deletes a blob that was last written before `before`; a blob put again since is kept
    /// (`put` of existing bytes refreshes the time, under the same lock as this). Returns
    /// whether it was deleted.
    async fn delete_if_written_before(
        &self,
        name: &str,
        before: SystemTime,
    ) -> Result<bool, BlobError>;
}

/// Blobs as files under a directory, fanned out by the first two hex digits. Writes are
/// atomic: a temporary file in the same directory, fsync, rename, fsync of the directory.
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
    /// Orders a `put` of existing bytes (which refreshes the file's time) against the garbage
    /// collector's check-and-delete, so a blob put again is never deleted under its new row.
    gate: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl FsBlobStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            gate: Default::default(),
        }
    }

    fn modified(path: &Path) -> Result<SystemTime, std::io::Error> {
        std::fs::metadata(path)?.modified()
    }

    fn path_for(&self, name: &str) -> Result<PathBuf, BlobError> {
        if name.len() != 64 || !name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(BlobError::BadName(name.to_owned()));
        }
        Ok(self.root.join(&name[..2]).join(name))
    }

    fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), std::io::Error> {
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    }
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, bytes: Vec<u8>) -> Result<String, BlobError> {
        let name = blob_name(&bytes);
        let path = self.path_for(&name)?;
        if tokio::fs::try_exists(&path).await? {
            // Mark it used now, so the garbage collector leaves it to the row about to name it.
            let _gate = self.gate.lock().await;
            let touched = path.clone();
            let refreshed = tokio::task::spawn_blocking(move || {
                std::fs::File::options()
                    .append(true)
                    .open(&touched)?
                    .set_modified(SystemTime::now())
            })
            .await
            .map_err(|_| BlobError::Join)?;
            match refreshed {
                Ok(()) => return Ok(name),
                // Deleted a moment ago: write it again below.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.root.clone());
        tokio::task::spawn_blocking(move || Self::write_atomic(&dir, &path, &bytes))
            .await
            .map_err(|_| BlobError::Join)??;
        Ok(name)
    }

    async fn get(&self, name: &str) -> Result<Vec<u8>, BlobError> {
        let path = self.path_for(name)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(BlobError::NotFound(name.to_owned()))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn exists(&self, name: &str) -> Result<bool, BlobError> {
        Ok(tokio::fs::try_exists(self.path_for(name)?).await?)
    }

    async fn written_before(&self, before: SystemTime) -> Result<Vec<String>, BlobError> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            let dirs = match std::fs::read_dir(&root) {
                Ok(d) => d,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
                Err(e) => return Err(e),
            };
            for dir in dirs {
                let dir = dir?;
                if !dir.file_type()?.is_dir() {
                    continue;
                }
                for file in std::fs::read_dir(dir.path())? {
                    let file = file?;
                    let name = file.file_name().to_string_lossy().into_owned();
                    let is_blob = name.len() == 64
                        && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
                    if is_blob && file.metadata()?.modified()? < before {
                        out.push(name);
                    }
                }
            }
            Ok(out)
        })
        .await
        .map_err(|_| BlobError::Join)?
        .map_err(BlobError::from)
    }

    async fn delete_if_written_before(
        &self,
        name: &str,
        before: SystemTime,
    ) -> Result<bool, BlobError> {
        let path = self.path_for(name)?;
        let _gate = self.gate.lock().await;
        tokio::task::spawn_blocking(move || match Self::modified(&path) {
            Ok(t) if t < before => match std::fs::remove_file(&path) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                Err(e) => Err(e),
            },
            Ok(_) => Ok(false),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        })
        .await
        .map_err(|_| BlobError::Join)?
        .map_err(BlobError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_get_is_content_addressed_and_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::new(dir.path());
        let a = store.put(b"hello".to_vec()).await.unwrap();
        assert_eq!(
            a,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(store.put(b"hello".to_vec()).await.unwrap(), a);
        assert_eq!(store.get(&a).await.unwrap(), b"hello");
        assert!(store.exists(&a).await.unwrap());
        // No temporary files are left beside the blob.
        let files: Vec<_> = std::fs::read_dir(dir.path().join("2c")).unwrap().collect();
        assert_eq!(files.len(), 1);
    }

    fn age(store: &FsBlobStore, name: &str, secs: u64) {
        let path = store.path_for(name).unwrap();
        let when = SystemTime::now() - std::time::Duration::from_secs(secs);
        std::fs::File::options()
            .append(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    #[tokio::test]
    async fn old_blobs_are_listed_and_a_blob_put_again_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::new(dir.path());
        let old = store.put(b"old".to_vec()).await.unwrap();
        let young = store.put(b"young".to_vec()).await.unwrap();
        age(&store, &old, 7200);
        let hour_ago = SystemTime::now() - std::time::Duration::from_secs(3600);
        assert_eq!(
            store.written_before(hour_ago).await.unwrap(),
            vec![old.clone()]
        );
        assert!(
            !store
                .delete_if_written_before(&young, hour_ago)
                .await
                .unwrap()
        );
        // Put again (a new row names it): its time is refreshed, so it is not deleted.
        assert_eq!(store.put(b"old".to_vec()).await.unwrap(), old);
        assert!(
            !store
                .delete_if_written_before(&old, hour_ago)
                .await
                .unwrap()
        );
        assert!(store.exists(&old).await.unwrap());
        age(&store, &old, 7200);
        assert!(
            store
                .delete_if_written_before(&old, hour_ago)
                .await
                .unwrap()
        );
        assert!(matches!(store.get(&old).await, Err(BlobError::NotFound(_))));
        // Deleted, then put again: written anew.
        assert_eq!(store.put(b"old".to_vec()).await.unwrap(), old);
        assert_eq!(store.get(&old).await.unwrap(), b"old");
    }

    #[tokio::test]
    async fn bad_names_and_missing_blobs() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::new(dir.path());
        assert!(matches!(
            store.get("../etc/passwd").await,
            Err(BlobError::BadName(_))
        ));
        let missing = blob_name(b"nothing");
        assert!(matches!(
            store.get(&missing).await,
            Err(BlobError::NotFound(_))
        ));
        assert!(!store.exists(&missing).await.unwrap());
    }
}
