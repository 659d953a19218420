//! The upload queue: files handed to Trove (dropped, chosen, watched, or named on the command line)
//! go through probing (format, size, hash; the target's rules; duplicates), then are sent with
//! progress, a few at a time, retried with backoff when the failure may pass, and end done,
//! rejected, duplicate, failed or cancelled. Every step is a row in the cache database, so the
//! queue survives a crash: an upload cut short starts again from its first byte, after checking
//! that the remote did not keep the first attempt (never two assets from one file).

mod prepare;
mod transfer;
mod watch;

pub use prepare::hash_file;
pub use watch::DEFAULT_SETTLE;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::cache::{Account, CacheError, NewUpload};
use crate::library::{Library, LibraryError};
use crate::model::{TroveEvent, UploadItem};
use crate::provider::ProviderError;

/// Uploads in flight at once, by default.
pub const DEFAULT_CONCURRENCY: usize = 3;
/// Attempts before a transient failure is given up.
const MAX_ATTEMPTS: u32 = 5;
/// The lock (in the data directory's `locks/`) held by the one process working the queue.
const QUEUE_LOCK: &str = "upload-queue";
/// How often a process that is not working the queue looks at it.
const OBSERVE_EVERY: Duration = Duration::from_millis(200);

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("cannot read {path}: {cause}")]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("no upload #{0}")]
    UnknownUpload(i64),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error("the upload worker stopped: {0}")]
    Worker(String),
    #[error(transparent)]
    Lock(#[from] crate::sync_lock::SyncLockError),
}

/// A queue over one library. Cheap to share: clone the `Arc`.
pub struct UploadQueue {
    library: Arc<Library>,
    concurrency: usize,
    /// Uploads being sent, with the token that stops each.
    in_flight: Mutex<HashMap<i64, CancellationToken>>,
    wake: Notify,
    /// Told when a folder is watched or unwatched, so the running watch picks it up.
    folders_changed: Notify,
}

fn library_error(error: LibraryError) -> UploadError {
    match error {
        LibraryError::Cache(error) => UploadError::Cache(error),
        LibraryError::Provider(error) => UploadError::Provider(error),
        other => UploadError::Worker(other.to_string()),
    }
}

impl UploadQueue {
    pub fn new(library: Arc<Library>, concurrency: usize) -> Arc<UploadQueue> {
        Arc::new(UploadQueue {
            library,
            concurrency: concurrency.max(1),
            in_flight: Mutex::new(HashMap::new()),
            wake: Notify::new(),
            folders_changed: Notify::new(),
        })
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    /// Adds files, and every file under the folders given (hidden and partial files skipped), to
    /// the queue for `account`; returns the new uploads in order.
    pub fn enqueue(
        &self,
        paths: &[PathBuf],
        account: &Account,
        tags: &[String],
        origin: &str,
    ) -> Result<Vec<UploadItem>, UploadError> {
        let mut files = Vec::new();
        for path in paths {
            collect_files(path, &mut files)?;
        }
        let new: Vec<NewUpload> = files
            .iter()
            .map(|file| NewUpload {
                account_id: account.id.clone(),
                path: file.display().to_string(),
                name: crate::naming::name_from_file(file),
                tags: tags.to_vec(),
                origin: origin.to_owned(),
            })
            .collect();
        let ids = self.cache()?.enqueue_uploads(&new)?;
        let items = self.items(&ids)?;
        for item in &items {
            self.announce(item);
        }
        self.wake.notify_one();
        Ok(items)
    }

    /// Queues bytes the UI read from a file input (a web view is not told the file's path): they
    /// are kept under `incoming/` in the data directory until the upload has ended well.
    pub fn enqueue_bytes(
        &self,
        file_name: &str,
        bytes: &[u8],
        account: &Account,
        tags: &[String],
    ) -> Result<Vec<UploadItem>, UploadError> {
        let safe_name: String = Path::new(file_name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty() && n != "." && n != "..")
            .unwrap_or_else(|| "upload".to_owned());
        let folder = self.incoming_dir().join(format!(
            "{}-{}",
            chrono::Utc::now().timestamp_millis(),
            rand::random::<u32>()
        ));
        let path = folder.join(safe_name);
        let write = |cause| UploadError::Read {
            path: path.clone(),
            cause,
        };
        std::fs::create_dir_all(&folder).map_err(write)?;
        std::fs::write(&path, bytes).map_err(write)?;
        self.enqueue(std::slice::from_ref(&path), account, tags, "input")
    }

    /// Where bytes handed over without a path wait for their upload.
    fn incoming_dir(&self) -> PathBuf {
        self.library.data_dir().join("incoming")
    }

    /// A copy under `incoming/` is removed once its upload has ended well (sent, or already there).
    fn forget_incoming_copy(&self, path: &str) {
        let path = Path::new(path);
        if !path.starts_with(self.incoming_dir()) {
            return;
        }
        if let Some(folder) = path.parent() {
            if let Err(error) = std::fs::remove_dir_all(folder) {
                tracing::warn!(%error, folder = %folder.display(), "could not remove an uploaded copy");
            }
        }
    }

    /// The uploads with these ids, in that order.
    pub fn items(&self, ids: &[i64]) -> Result<Vec<UploadItem>, UploadError> {
        let cache = self.cache()?;
        ids.iter()
            .map(|id| {
                cache
                    .upload_row(*id)?
                    .map(|row| row.item)
                    .ok_or(UploadError::UnknownUpload(*id))
            })
            .collect()
    }

    /// The newest uploads, newest first.
    pub fn list(&self, limit: u32) -> Result<Vec<UploadItem>, UploadError> {
        Ok(self.cache()?.uploads(limit)?)
    }

    /// Cancels an upload; one being sent stops at once. Returns whether anything was cancelled.
    pub fn cancel(&self, id: i64) -> Result<bool, UploadError> {
        let cancelled = self.cache()?.cancel_upload(id)?;
        if let Some(token) = self.lock_in_flight().get(&id) {
            token.cancel();
        }
        if cancelled {
            self.announce_id(id);
        }
        Ok(cancelled)
    }

    /// Sends a failed, rejected or cancelled upload through the queue again.
    pub fn retry(&self, id: i64) -> Result<bool, UploadError> {
        let retried = self.cache()?.retry_upload(id)?;
        if retried {
            self.announce_id(id);
            self.wake.notify_one();
        }
        Ok(retried)
    }

    /// Works until `stop` is cancelled: probes what is new, sends what is due, waits for retries.
    /// Only one process works a data directory's queue: this waits while another does.
    pub async fn run(self: &Arc<Self>, stop: CancellationToken) -> Result<(), UploadError> {
        let data_dir = self.library.data_dir().to_owned();
        let _lock = tokio::select! {
            lock = crate::sync_lock::acquire(&data_dir, QUEUE_LOCK) => lock?,
            _ = stop.cancelled() => return Ok(()),
        };
        self.work(stop, |_| false).await
    }

    /// Returns once every upload in `ids` has finished (a failure waiting for a retry has not):
    /// working the queue, or, when another process (the desktop app) is working it, watching it.
    pub async fn run_until_finished(self: &Arc<Self>, ids: &[i64]) -> Result<(), UploadError> {
        let ids = ids.to_vec();
        let finished = move |queue: &UploadQueue| {
            queue
                .cache()
                .and_then(|cache| Ok(cache.count_unfinished(&ids)?))
                .is_ok_and(|left| left == 0)
        };
        let data_dir = self.library.data_dir().to_owned();
        loop {
            if let Some(_lock) = crate::sync_lock::try_acquire(&data_dir, QUEUE_LOCK)? {
                return self.work(CancellationToken::new(), finished).await;
            }
            if finished(self) {
                return Ok(());
            }
            tokio::time::sleep(OBSERVE_EVERY).await;
        }
    }

    /// The uploads that have not ended, oldest first.
    pub fn unfinished(&self) -> Result<Vec<UploadItem>, UploadError> {
        Ok(self.cache()?.unfinished_uploads()?)
    }

    async fn work(
        self: &Arc<Self>,
        stop: CancellationToken,
        done: impl Fn(&UploadQueue) -> bool,
    ) -> Result<(), UploadError> {
        self.recover().await?;
        while !stop.is_cancelled() {
            // One file probed at a time, with sending started in between: a drop of large videos
            // starts uploading the first while the others are still being hashed.
            let probed = self.prepare_next().await?;
            self.start_due_transfers()?;
            if probed {
                continue;
            }
            if done(self) && self.lock_in_flight().is_empty() {
                return Ok(());
            }
            let wait = self.until_next_retry()?;
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
        let tokens: Vec<CancellationToken> = self.lock_in_flight().values().cloned().collect();
        for token in tokens {
            token.cancel();
        }
        Ok(())
    }

    /// Uploads left `uploading` by a process that died go back to the queue; their next attempt
    /// first looks for what the lost one may have created.
    async fn recover(&self) -> Result<(), UploadError> {
        let interrupted = self
            .cache()?
            .uploads_in_state(crate::model::UploadState::Uploading)?;
        for row in interrupted {
            if self.lock_in_flight().contains_key(&row.item.id) {
                continue;
            }
            tracing::info!(id = row.item.id, path = %row.item.path, "resuming an interrupted upload");
            self.cache()?.requeue_upload(row.item.id)?;
            self.announce_id(row.item.id);
        }
        Ok(())
    }

    fn start_due_transfers(self: &Arc<Self>) -> Result<(), UploadError> {
        let free = self.concurrency.saturating_sub(self.lock_in_flight().len());
        if free == 0 {
            return Ok(());
        }
        let claimed = self
            .cache()?
            .claim_uploads(&crate::now_rfc3339(), free as u32)?;
        for row in claimed {
            let token = CancellationToken::new();
            self.lock_in_flight().insert(row.item.id, token.clone());
            self.announce(&row.item);
            let queue = Arc::clone(self);
            tokio::spawn(async move {
                let id = row.item.id;
                queue.transfer(row, token).await;
                queue.lock_in_flight().remove(&id);
                queue.wake.notify_one();
            });
        }
        Ok(())
    }

    /// How long until the earliest failure waiting for a retry is due (an hour when none is).
    fn until_next_retry(&self) -> Result<Duration, UploadError> {
        let next = self.cache()?.next_retry_at()?;
        let wait = next
            .and_then(|at| chrono::DateTime::parse_from_rfc3339(&at).ok())
            .map(|at| (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std())
            .map_or(Duration::from_secs(3600), |left| {
                left.unwrap_or(Duration::ZERO)
            });
        Ok(wait.max(Duration::from_millis(20)))
    }

    fn cache(&self) -> Result<std::sync::MutexGuard<'_, crate::cache::Cache>, UploadError> {
        self.library.cache().map_err(library_error)
    }

    fn lock_in_flight(&self) -> std::sync::MutexGuard<'_, HashMap<i64, CancellationToken>> {
        // A panic while holding this lock cannot leave the map inconsistent: take it back.
        self.in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn announce(&self, item: &UploadItem) {
        self.library.emit(TroveEvent::UploadChanged {
            upload: Box::new(item.clone()),
        });
    }

    fn announce_id(&self, id: i64) {
        match self.cache().and_then(|cache| Ok(cache.upload_row(id)?)) {
            Ok(Some(row)) => {
                if matches!(
                    row.item.state,
                    crate::model::UploadState::Done | crate::model::UploadState::Duplicate
                ) {
                    self.forget_incoming_copy(&row.item.path);
                }
                self.announce(&row.item)
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, id, "could not read an upload to announce it"),
        }
    }
}

/// A file's modification time in nanoseconds since 1970 (0 when the platform does not say): with
/// its size, what tells a file changed since it was last hashed or sent.
fn mtime_ns(metadata: &std::fs::Metadata) -> i64 {
    metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// `path` itself when it is a file; every file below it when it is a folder, in name order, hidden
/// and partial files left out.
fn collect_files(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), UploadError> {
    let read = |cause| UploadError::Read {
        path: path.to_owned(),
        cause,
    };
    let metadata = std::fs::metadata(path).map_err(read)?;
    if !metadata.is_dir() {
        files.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(read)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|entry| {
            entry
                .file_name()
                .is_some_and(|name| !crate::watcher::is_ignored(Path::new(name)))
        })
        .collect();
    entries.sort();
    for entry in entries {
        collect_files(&entry, files)?;
    }
    Ok(())
}
