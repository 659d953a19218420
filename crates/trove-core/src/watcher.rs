//! Watches folders for files that have arrived and finished being written.
//!
//! A file is reported once, when its size and modification time have stayed the same for the
//! settle time (a browser or a copy still writing it keeps changing them). Partial and temporary
//! files (`.part`, `.crdownload`, `.tmp`, `~$*`, dotfiles) are ignored, and so is anything inside
//! a hidden folder. A watched folder that disappears or is renamed is reported, not an error.
//! Generic: it knows nothing of accounts, queues or the database; the upload queue listens to it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use notify::{EventKind, RecursiveMode, Watcher};

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("{path} is not a folder that can be watched")]
    NotAFolder { path: PathBuf },
    #[error("the file system watcher could not start: {0}")]
    Backend(#[source] notify::Error),
    #[error("cannot watch {path}: {source}")]
    Watch {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
}

/// What the watcher reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// A file arrived (created, written or moved in) and has stopped changing.
    Ready(PathBuf),
    /// A watched folder was removed or renamed; it is no longer watched.
    FolderGone(PathBuf),
}

/// Whether a path (relative to the watched folder) marks a file still being written, or one the
/// user does not mean to share. Only the part below the watched folder counts: the folder itself
/// may well live under a hidden directory.
pub fn is_ignored(path: &Path) -> bool {
    path.components().any(|part| {
        let name = part.as_os_str().to_string_lossy();
        name.starts_with('.') && name != "." && name != ".."
    }) || path.file_name().is_some_and(|name| {
        let name = name.to_string_lossy().to_ascii_lowercase();
        name.starts_with("~$")
            || [".part", ".crdownload", ".tmp", ".download", ".partial"]
                .iter()
                .any(|suffix| name.ends_with(suffix))
    })
}

/// A file seen changing, and what it looked like when last sampled.
struct Candidate {
    size: u64,
    modified: Option<SystemTime>,
    unchanged_since: Instant,
}

/// Watches folders until dropped.
pub struct FolderWatcher {
    _watcher: notify::RecommendedWatcher,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl FolderWatcher {
    /// Watches `folders` (recursively) and sends what arrives to `sink`.
    pub fn start(
        folders: &[PathBuf],
        settle: Duration,
        sink: mpsc::Sender<WatchEvent>,
    ) -> Result<Self, WatchError> {
        let (raw_sender, raw_events) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = raw_sender.send(event);
        })
        .map_err(WatchError::Backend)?;
        for folder in folders {
            if !folder.is_dir() {
                return Err(WatchError::NotAFolder {
                    path: folder.clone(),
                });
            }
            watcher
                .watch(folder, RecursiveMode::Recursive)
                .map_err(|source| WatchError::Watch {
                    path: folder.clone(),
                    source,
                })?;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let worker = {
            let (stop, folders) = (stop.clone(), folders.to_vec());
            std::thread::spawn(move || settle_loop(&folders, settle, &raw_events, &sink, &stop))
        };
        Ok(FolderWatcher {
            _watcher: watcher,
            stop,
            worker: Some(worker),
        })
    }
}

impl Drop for FolderWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

fn settle_loop(
    folders: &[PathBuf],
    settle: Duration,
    raw_events: &mpsc::Receiver<notify::Result<notify::Event>>,
    sink: &mpsc::Sender<WatchEvent>,
    stop: &AtomicBool,
) {
    let tick = (settle / 4).max(Duration::from_millis(10));
    let mut candidates: HashMap<PathBuf, Candidate> = HashMap::new();
    let mut gone: Vec<&PathBuf> = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        match raw_events.recv_timeout(tick) {
            Ok(Ok(event)) => {
                if matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_)) {
                    for path in event.paths {
                        if let Some(root) = folders.iter().find(|folder| path.starts_with(folder)) {
                            note_arrival(root, &path, &mut candidates);
                        }
                    }
                }
            }
            Ok(Err(error)) => tracing::warn!(%error, "folder watch error"),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
        for folder in folders {
            if !gone.contains(&folder) && !folder.is_dir() {
                gone.push(folder);
                candidates.retain(|path, _| !path.starts_with(folder));
                if sink.send(WatchEvent::FolderGone(folder.clone())).is_err() {
                    return;
                }
            }
        }
        for path in settled(&mut candidates, settle) {
            if sink.send(WatchEvent::Ready(path)).is_err() {
                return;
            }
        }
    }
}

/// Records a path that changed; a folder that was moved in brings every file inside it.
fn note_arrival(root: &Path, path: &Path, candidates: &mut HashMap<PathBuf, Candidate>) {
    if is_ignored(path.strip_prefix(root).unwrap_or(path)) {
        return;
    }
    if path.is_dir() {
        if let Ok(entries) = std::fs::read_dir(path) {
            for entry in entries.flatten() {
                note_arrival(root, &entry.path(), candidates);
            }
        }
        return;
    }
    if let Ok(metadata) = std::fs::metadata(path) {
        if metadata.is_file() {
            candidates.insert(
                path.to_owned(),
                Candidate {
                    size: metadata.len(),
                    modified: metadata.modified().ok(),
                    unchanged_since: Instant::now(),
                },
            );
        }
    }
}

/// Samples every candidate; returns (and forgets) those unchanged for `settle`. Files that vanished
/// (renamed to their final name, which arrives as its own event, or deleted) are dropped.
fn settled(candidates: &mut HashMap<PathBuf, Candidate>, settle: Duration) -> Vec<PathBuf> {
    let now = Instant::now();
    let mut ready = Vec::new();
    candidates.retain(|path, candidate| {
        let Ok(metadata) = std::fs::metadata(path) else {
            return false;
        };
        let (size, modified) = (metadata.len(), metadata.modified().ok());
        if size != candidate.size || modified != candidate.modified {
            *candidate = Candidate {
                size,
                modified,
                unchanged_since: now,
            };
            return true;
        }
        if now.duration_since(candidate.unchanged_since) >= settle {
            ready.push(path.clone());
            return false;
        }
        true
    });
    ready.sort();
    ready
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const SETTLE: Duration = Duration::from_millis(300);
    /// Generous: these tests wait for the file system and a thread, not for speed.
    const PATIENCE: Duration = Duration::from_secs(10);

    fn next(events: &mpsc::Receiver<WatchEvent>) -> WatchEvent {
        events
            .recv_timeout(PATIENCE)
            .expect("an event within the patience")
    }

    #[test]
    fn temporary_names_are_ignored() {
        for ignored in [
            "a/.hidden.png",
            "a/.cache/x.png",
            "movie.mp4.part",
            "x.crdownload",
            "y.TMP",
            "~$deck.pptx",
        ] {
            assert!(is_ignored(Path::new(ignored)), "{ignored}");
        }
        for kept in ["a/logo.png", "a/b/intro.mp4", "tmp/report.wav"] {
            assert!(!is_ignored(Path::new(kept)), "{kept}");
        }
    }

    #[test]
    fn a_file_is_reported_once_when_it_stops_changing() {
        let dir = tempfile::tempdir().unwrap();
        let (sink, events) = mpsc::channel();
        let _watcher = FolderWatcher::start(&[dir.path().to_owned()], SETTLE, sink).unwrap();

        // Written in pieces, each well inside the settle time: one report, after the last piece.
        let path = dir.path().join("clip.mp4");
        let mut file = std::fs::File::create(&path).unwrap();
        let started = Instant::now();
        for _ in 0..5 {
            file.write_all(&[7u8; 4096]).unwrap();
            file.flush().unwrap();
            std::thread::sleep(SETTLE / 3);
        }
        let last_write = started.elapsed();
        drop(file);
        assert_eq!(next(&events), WatchEvent::Ready(path));
        assert!(
            started.elapsed() >= last_write + SETTLE / 2,
            "reported before the writes stopped"
        );
        assert!(events.recv_timeout(SETTLE * 3).is_err(), "reported once");
    }

    #[test]
    fn partial_downloads_count_only_under_their_final_name() {
        let dir = tempfile::tempdir().unwrap();
        let (sink, events) = mpsc::channel();
        let _watcher = FolderWatcher::start(&[dir.path().to_owned()], SETTLE, sink).unwrap();
        let partial = dir.path().join("photo.jpg.crdownload");
        std::fs::write(&partial, b"bytes").unwrap();
        std::fs::write(dir.path().join(".DS_Store"), b"junk").unwrap();
        assert!(
            events.recv_timeout(SETTLE * 3).is_err(),
            "nothing ready while the download is partial"
        );
        let done = dir.path().join("photo.jpg");
        std::fs::rename(&partial, &done).unwrap();
        assert_eq!(next(&events), WatchEvent::Ready(done));
    }

    #[test]
    fn a_folder_moved_in_brings_its_files() {
        let outside = tempfile::tempdir().unwrap();
        let batch = outside.path().join("batch");
        std::fs::create_dir(&batch).unwrap();
        std::fs::write(batch.join("a.png"), b"a").unwrap();
        std::fs::write(batch.join("b.wav"), b"b").unwrap();
        let watched = tempfile::tempdir().unwrap();
        let (sink, events) = mpsc::channel();
        let _watcher = FolderWatcher::start(&[watched.path().to_owned()], SETTLE, sink).unwrap();
        std::fs::rename(&batch, watched.path().join("batch")).unwrap();
        let mut got = vec![next(&events), next(&events)];
        got.sort_by_key(|e| format!("{e:?}"));
        let inside = watched.path().join("batch");
        assert_eq!(
            got,
            [
                WatchEvent::Ready(inside.join("a.png")),
                WatchEvent::Ready(inside.join("b.wav"))
            ]
        );
    }

    #[test]
    fn a_vanished_folder_is_reported_not_a_crash() {
        let parent = tempfile::tempdir().unwrap();
        let folder = parent.path().join("drop-here");
        std::fs::create_dir(&folder).unwrap();
        let (sink, events) = mpsc::channel();
        let _watcher = FolderWatcher::start(std::slice::from_ref(&folder), SETTLE, sink).unwrap();
        std::fs::rename(&folder, parent.path().join("renamed")).unwrap();
        assert_eq!(next(&events), WatchEvent::FolderGone(folder));
    }

    #[test]
    fn a_missing_folder_is_refused_by_name() {
        let (sink, _events) = mpsc::channel();
        let missing = PathBuf::from("/nonexistent/trove-watch");
        let error = FolderWatcher::start(std::slice::from_ref(&missing), SETTLE, sink)
            .err()
            .unwrap();
        assert!(
            error.to_string().contains("/nonexistent/trove-watch"),
            "{error}"
        );
    }
}
