//! One sync per account at a time, across every process sharing a data directory.
//!
//! The app and the CLI may both sync the same account; two pushes of one outbox would send the
//! same edit twice. A sync holds an exclusive lock on `locks/<account id>.lock` for its whole
//! run. The OS drops the lock with its process, so a process killed mid-sync leaves no stale
//! lock, and a status that still says "syncing" with nobody holding the lock is known to be left
//! over from an interrupted run. The upload queue is worked under such a lock too (one name for
//! the whole data directory), so two processes never send the same upload.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("cannot lock {path} to sync: {source}")]
pub struct SyncLockError {
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

/// Held while an account syncs; released on drop.
#[derive(Debug)]
pub struct SyncLock {
    _file: File,
}

fn lock_path(data_dir: &Path, account_id: &str) -> PathBuf {
    data_dir.join("locks").join(format!("{account_id}.lock"))
}

fn open(path: &Path) -> Result<File, SyncLockError> {
    let fail = |source| SyncLockError {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(fail)
}

/// Takes the account's sync lock, waiting for a sync running elsewhere to finish.
pub async fn acquire(data_dir: &Path, account_id: &str) -> Result<SyncLock, SyncLockError> {
    let path = lock_path(data_dir, account_id);
    let file = open(&path)?;
    match file.try_lock() {
        Ok(()) => return Ok(SyncLock { _file: file }),
        Err(TryLockError::WouldBlock) => {
            tracing::info!(
                account_id,
                "another sync of this account is running; waiting for it"
            );
        }
        Err(TryLockError::Error(source)) => return Err(SyncLockError { path, source }),
    }
    let waited = tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))
        .and_then(|locked| locked);
    match waited {
        Ok(file) => Ok(SyncLock { _file: file }),
        Err(source) => Err(SyncLockError { path, source }),
    }
}

/// Takes the lock named `name` if nobody holds it; `None` when another holder has it.
pub fn try_acquire(data_dir: &Path, name: &str) -> Result<Option<SyncLock>, SyncLockError> {
    let path = lock_path(data_dir, name);
    let file = open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(SyncLock { _file: file })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(source)) => Err(SyncLockError { path, source }),
    }
}

/// Whether some process (this one included) is syncing the account right now.
pub fn is_held(data_dir: &Path, account_id: &str) -> bool {
    let Ok(file) = open(&lock_path(data_dir, account_id)) else {
        return false;
    };
    // Taking it succeeds only when nobody holds it; it is released again when `file` drops.
    matches!(file.try_lock(), Err(TryLockError::WouldBlock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_held_lock_is_seen_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_held(dir.path(), "acc_1"));
        let lock = acquire(dir.path(), "acc_1").await.unwrap();
        assert!(is_held(dir.path(), "acc_1"));
        assert!(!is_held(dir.path(), "acc_2"));
        drop(lock);
        assert!(!is_held(dir.path(), "acc_1"));
    }

    #[tokio::test]
    async fn a_second_sync_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), "acc_1").await.unwrap();
        let data_dir = dir.path().to_owned();
        let second = tokio::spawn(async move { acquire(&data_dir, "acc_1").await.map(|_| ()) });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert!(!second.is_finished());
        drop(first);
        second.await.unwrap().unwrap();
    }
}
