//! Watched folders: each sends the files that arrive in it to an account, with default tags. A
//! file is taken once it has stopped changing ([`crate::watcher`]); one already handled (the same
//! path, size and modification time) is not taken again, so a restart rescans without re-sending.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{collect_files, UploadError, UploadQueue};
use crate::cache::{Account, WatchedFolder};
use crate::model::{TroveEvent, UploadItem};
use crate::watcher::{FolderWatcher, WatchEvent};

/// How long a new file must stay unchanged before it is taken.
pub const DEFAULT_SETTLE: Duration = Duration::from_millis(800);

impl UploadQueue {
    /// Starts sending what arrives in `folder` to `account`; returns the folder as recorded
    /// (its canonical path).
    pub fn watch_folder(
        &self,
        folder: &Path,
        account: &Account,
        tags: &[String],
    ) -> Result<WatchedFolder, UploadError> {
        let read = |cause| UploadError::Read {
            path: folder.to_owned(),
            cause,
        };
        let canonical = folder.canonicalize().map_err(read)?;
        if !canonical.is_dir() {
            return Err(read(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "not a folder",
            )));
        }
        let watched = WatchedFolder {
            path: canonical.display().to_string(),
            account_id: account.id.clone(),
            tags: tags.to_vec(),
        };
        self.cache()?.add_watched_folder(&watched)?;
        self.folders_changed.notify_one();
        Ok(watched)
    }

    /// Stops watching `folder` (as given, or its canonical path); returns whether it was watched.
    pub fn unwatch_folder(&self, folder: &Path) -> Result<bool, UploadError> {
        let removed = {
            let cache = self.cache()?;
            cache.remove_watched_folder(&folder.display().to_string())?
                || match folder.canonicalize() {
                    Ok(canonical) => {
                        cache.remove_watched_folder(&canonical.display().to_string())?
                    }
                    Err(_) => false,
                }
        };
        if removed {
            self.folders_changed.notify_one();
        }
        Ok(removed)
    }

    pub fn watched_folders(&self) -> Result<Vec<WatchedFolder>, UploadError> {
        Ok(self.cache()?.watched_folders()?)
    }

    /// Queues the file at `path` for the watched folder holding it, unless it was handled already.
    pub fn take_arrived(
        &self,
        path: &Path,
        folders: &[WatchedFolder],
    ) -> Result<Option<UploadItem>, UploadError> {
        let Some(folder) = folders
            .iter()
            .filter(|f| path.starts_with(&f.path))
            .max_by_key(|f| f.path.len())
        else {
            return Ok(None);
        };
        let Ok(metadata) = std::fs::metadata(path) else {
            return Ok(None); // gone again before it could be taken
        };
        let mtime_ns = super::mtime_ns(&metadata);
        let key = path.display().to_string();
        let handled =
            self.cache()?
                .file_handled(&folder.account_id, &key, metadata.len(), mtime_ns)?;
        if handled {
            return Ok(None);
        }
        let account = self.cache()?.account(&folder.account_id)?;
        let items = self.enqueue(&[path.to_owned()], &account, &folder.tags, "watch")?;
        Ok(items.into_iter().next())
    }

    /// Watches every watched folder until `stop`: what is already there and not handled is
    /// queued first, then what arrives. A folder added or removed meanwhile is picked up. A folder
    /// that is missing or disappears is reported; it stays recorded, and is watched again when the
    /// folders are next read (a change, or the next start) if it is back.
    pub async fn watch(
        self: &Arc<Self>,
        settle: Duration,
        stop: CancellationToken,
    ) -> Result<(), UploadError> {
        while !stop.is_cancelled() {
            if let Err(error) = self.watch_current_folders(settle, &stop).await {
                // A folder removed between the check and the watch, a full inotify table: try
                // again shortly rather than stop watching for the rest of the run.
                tracing::warn!(%error, "watching folders failed; trying again shortly");
                tokio::select! {
                    _ = stop.cancelled() => {}
                    _ = self.folders_changed.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                }
            }
        }
        Ok(())
    }

    /// Watches the folders recorded now, until `stop` or until they change.
    async fn watch_current_folders(
        self: &Arc<Self>,
        settle: Duration,
        stop: &CancellationToken,
    ) -> Result<(), UploadError> {
        let folders = self.watched_folders()?;
        let paths: Vec<PathBuf> = folders.iter().map(|f| PathBuf::from(&f.path)).collect();
        let present: Vec<PathBuf> = paths.iter().filter(|p| p.is_dir()).cloned().collect();
        for gone in paths.iter().filter(|p| !p.is_dir()) {
            self.report_gone(gone);
        }
        let (sender, receiver) = std::sync::mpsc::channel();
        let _watcher = FolderWatcher::start(&present, settle, sender)
            .map_err(|e| UploadError::Worker(e.to_string()))?;
        for folder in &present {
            let mut files = Vec::new();
            collect_files(folder, &mut files)?;
            for file in files {
                self.take_arrived(&file, &folders)?;
            }
        }
        // The watcher reports on a thread of its own; hand its events to this task. The thread
        // ends when the watcher (and so its sender) is dropped.
        let (events, mut arrived) = tokio::sync::mpsc::unbounded_channel();
        std::thread::spawn(move || {
            while let Ok(event) = receiver.recv() {
                if events.send(event).is_err() {
                    break;
                }
            }
        });
        loop {
            let event = tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                _ = self.folders_changed.notified() => return Ok(()),
                event = arrived.recv() => event,
            };
            match event {
                Some(WatchEvent::Ready(path)) => {
                    if let Err(error) = self.take_arrived(&path, &folders) {
                        tracing::warn!(%error, path = %path.display(), "could not queue a new file");
                    }
                }
                Some(WatchEvent::FolderGone(path)) => self.report_gone(&path),
                // The watcher stopped on its own: read the folders again after a pause.
                None => {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    return Ok(());
                }
            }
        }
    }

    fn report_gone(&self, folder: &Path) {
        tracing::warn!(folder = %folder.display(), "a watched folder is gone");
        self.library.emit(TroveEvent::WatchedFolderGone {
            path: folder.display().to_string(),
        });
    }
}
