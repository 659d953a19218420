//! Thumbnails of cached assets, made on demand and kept on disk.
//!
//! A thumbnail is named by the asset and its content (account, id, size, creation and update
//! times), so an edited file gets a new one and a renamed one keeps its own. The provider's own
//! thumbnail is used when it has one; otherwise an image or audio file is downloaded once (never
//! more than the account's limit for its kind) and drawn by [`crate::thumbs`], and a video is
//! read by ffmpeg straight from its URL (a few ranges, not the whole file). At most `cores - 1`
//! thumbnails are made at once, a request for one already being made waits for it, and the
//! folder is kept under its size cap by removing the least recently shown. Work can be paused;
//! a thumbnail whose tile has scrolled away (or whose asset was deleted) before its turn came is
//! not made; progress (done of total) is announced as events. A server that failed to connect
//! is refused at once for a while rather than asked again for every tile (see
//! [`crate::reachability`]), and a video goes to ffmpeg only once its server has been seen to
//! answer: offline, a screen of tiles costs no connection attempt or process each.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tokio::sync::{watch, Semaphore};

use crate::library::{Library, LibraryError};
use crate::model::{Asset, AssetKind, TroveEvent};
use crate::reachability::{self, Permit, Reachability, ReachabilityError};
use crate::thumbs::{self, Limits, ThumbError};

mod fetch;

/// The default size of the thumbnail folder.
pub const DEFAULT_CAP_BYTES: u64 = 512 * 1024 * 1024;
/// Downloads for a thumbnail stop here whatever the account allows (a video is never downloaded).
const MAX_DOWNLOAD_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ThumbStoreError {
    #[error("no cached asset {asset} in account {account}")]
    UnknownAsset { account: String, asset: String },
    #[error("{asset} has no media to draw (the remote gives no URL)")]
    NoMedia { asset: String },
    #[error("cannot fetch {url}: {detail}")]
    Fetch { url: String, detail: String },
    #[error("{url} is over the {limit} bytes a thumbnail may download")]
    TooLarge { url: String, limit: u64 },
    #[error("the thumbnail folder {path}: {cause}")]
    Disk {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(transparent)]
    Thumb(#[from] ThumbError),
    #[error(transparent)]
    Library(#[from] LibraryError),
    #[error("the thumbnail worker stopped: {0}")]
    Worker(String),
    #[error("{asset} is no longer shown; its thumbnail was not made")]
    Unwanted { asset: String },
    #[error(transparent)]
    Reachability(#[from] ReachabilityError),
}

/// An encoded thumbnail as served to the web view.
#[derive(Debug, Clone)]
pub struct ServedThumbnail {
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

/// Why the request making a thumbnail did not: waiters retry after `Unwanted`.
#[derive(Debug, Clone)]
enum GaveUp {
    Unwanted,
    Failed(String),
}

type Pending = watch::Receiver<Option<Result<(), GaveUp>>>;

pub struct ThumbStore {
    library: Arc<Library>,
    dir: PathBuf,
    cap_bytes: u64,
    limits: Limits,
    workers: Semaphore,
    /// Thumbnails being made, so a second request for one waits instead of making it again.
    making: Mutex<HashMap<String, Pending>>,
    http: reqwest::Client,
    paused: watch::Sender<bool>,
    /// Assets (`account/id`) whose tiles went away before their thumbnail was made.
    unwanted: Mutex<HashSet<String>>,
    /// Thumbnails finished and asked for since the store was last idle.
    progress: Mutex<(u32, u32)>,
    /// Servers that did not answer lately are not asked again for every tile.
    reachability: Reachability,
}

impl ThumbStore {
    pub fn new(library: Arc<Library>, cap_bytes: u64) -> Arc<ThumbStore> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Arc::new(ThumbStore {
            dir: library.data_dir().join("thumbnails"),
            library,
            cap_bytes,
            limits: Limits::default(),
            workers: Semaphore::new(cores.saturating_sub(1).max(1)),
            making: Mutex::new(HashMap::new()),
            http: reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_secs(10))
                .read_timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
            paused: watch::channel(false).0,
            unwanted: Mutex::new(HashSet::new()),
            progress: Mutex::new((0, 0)),
            reachability: Reachability::new(),
        })
    }

    /// Stops starting new thumbnails (those being made finish), or goes on again.
    pub fn set_paused(&self, paused: bool) {
        self.paused.send_replace(paused);
    }

    /// The network is back (an account synced after failing): servers that did not answer are
    /// asked again at once, not after their back-off.
    pub fn retry_unreachable(&self) {
        self.reachability.forget_failures();
    }

    /// The tile of this asset is gone: its thumbnail, if not yet begun, is not made.
    pub fn forget(&self, account_id: &str, asset_id: &str) {
        if let Ok(mut unwanted) = self.unwanted.lock() {
            unwanted.insert(format!("{account_id}/{asset_id}"));
        }
    }

    fn is_unwanted(&self, asset: &Asset) -> bool {
        self.unwanted
            .lock()
            .is_ok_and(|u| u.contains(&format!("{}/{}", asset.account_id, asset.id)))
    }

    /// Counts a thumbnail asked for (`finished` false) or finished, and tells the UI.
    fn count(&self, finished: bool) {
        let Ok(mut progress) = self.progress.lock() else {
            return;
        };
        if finished {
            progress.0 += 1;
        } else {
            progress.1 += 1;
        }
        let (done, total) = *progress;
        if done >= total {
            *progress = (0, 0); // idle: the next batch counts from zero
        }
        drop(progress);
        self.library
            .emit(TroveEvent::ThumbnailProgress { done, total });
    }

    /// The thumbnail of an asset with its longer side at most `side`, made now if need be.
    pub async fn get(
        self: &Arc<Self>,
        account_id: &str,
        asset_id: &str,
        side: u32,
    ) -> Result<ServedThumbnail, ThumbStoreError> {
        let account = self.library.account(account_id)?;
        let asset = self
            .library
            .find_asset(asset_id, Some(&account))
            .map_err(|_| ThumbStoreError::UnknownAsset {
                account: account_id.to_owned(),
                asset: asset_id.to_owned(),
            })?;
        if asset.thumbnail_url.is_none() && asset.url.is_none() {
            // Nothing to draw from: said at once, without waiting for a worker's turn.
            return Err(ThumbStoreError::NoMedia { asset: asset.id });
        }
        if let Ok(mut unwanted) = self.unwanted.lock() {
            unwanted.remove(&format!("{account_id}/{asset_id}")); // asked for: wanted again
        }
        let key = format!("{}-{side}", content_key(&asset));
        if let Some(served) = self.read(&key) {
            return Ok(served);
        }
        // Offline, a screen of tiles would each wait a worker's turn only to fail to connect.
        self.reachability.permit(&source_origin(&asset)?)?;
        // Either this request makes it, or it waits for the one already making it. A maker whose
        // tile went away gives up; a waiter is a live request, so it then makes it itself.
        let maker = loop {
            let waiter = {
                let mut making = self.making.lock().map_err(|_| worker("lock poisoned"))?;
                match making.get(&key) {
                    Some(pending) => pending.clone(),
                    None => {
                        let (done, pending) = watch::channel(None);
                        making.insert(key.clone(), pending);
                        break done;
                    }
                }
            };
            let outcome = waiter
                .clone()
                .wait_for(Option::is_some)
                .await
                .map_err(|e| worker(&e.to_string()))?
                .clone();
            match outcome {
                Some(Ok(())) => return self.read(&key).ok_or_else(|| worker("made and gone")),
                Some(Err(GaveUp::Unwanted)) => {
                    if let Ok(mut unwanted) = self.unwanted.lock() {
                        unwanted.remove(&format!("{account_id}/{asset_id}"));
                    }
                    continue;
                }
                Some(Err(GaveUp::Failed(message))) => return Err(ThumbStoreError::Worker(message)),
                None => return Err(worker("unfinished")),
            }
        };
        self.count(false);
        let made = self.make(&asset, &key, side).await;
        self.count(true);
        if let Ok(mut making) = self.making.lock() {
            making.remove(&key);
        }
        let outcome = match &made {
            Ok(_) => Ok(()),
            Err(ThumbStoreError::Unwanted { .. }) => Err(GaveUp::Unwanted),
            Err(error) => Err(GaveUp::Failed(error.to_string())),
        };
        let _ = maker.send(Some(outcome));
        made
    }

    async fn make(
        self: &Arc<Self>,
        asset: &Asset,
        key: &str,
        side: u32,
    ) -> Result<ServedThumbnail, ThumbStoreError> {
        let mut paused = self.paused.subscribe();
        paused
            .wait_for(|paused| !paused)
            .await
            .map_err(|e| worker(&e.to_string()))?;
        let _turn = self
            .workers
            .acquire()
            .await
            .map_err(|e| worker(&e.to_string()))?;
        // Its turn has come: is it still wanted, is its server still thought reachable (another
        // thumbnail may have failed meanwhile), and does the asset still exist?
        if self.is_unwanted(asset) {
            return Err(ThumbStoreError::Unwanted {
                asset: asset.id.clone(),
            });
        }
        let reachable = self.reachability.permit(&source_origin(asset)?)?;
        let account = self.library.account(&asset.account_id)?;
        if self.library.find_asset(&asset.id, Some(&account)).is_err() {
            return Err(ThumbStoreError::UnknownAsset {
                account: asset.account_id.clone(),
                asset: asset.id.clone(),
            });
        }
        let thumb = match (&asset.thumbnail_url, &asset.url, asset.kind) {
            (Some(url), _, _) => {
                let bytes = self.download_bytes(url, MAX_DOWNLOAD_BYTES).await?;
                let mime = if bytes.starts_with(b"\x89PNG") {
                    "image/png"
                } else {
                    "image/jpeg"
                };
                ServedThumbnail { mime, bytes }
            }
            (None, Some(url), AssetKind::Video) => {
                if reachable != Permit::Answered {
                    // ffmpeg costs a process to find out what one request can.
                    self.check_answers(url).await?;
                }
                let (url, limits) = (url.clone(), self.limits.clone());
                let duration = asset.duration_s;
                let thumb = tokio::task::spawn_blocking(move || {
                    thumbs::render_video_url(&url, side, duration, &limits)
                })
                .await
                .map_err(|e| worker(&e.to_string()))??;
                ServedThumbnail {
                    mime: thumb.mime,
                    bytes: thumb.bytes,
                }
            }
            (None, Some(url), _) => {
                // Downloaded once: the preview size is drawn from it, the grid size from that.
                let limit = self.download_limit(asset);
                let file = self.download_file(url, limit).await?;
                let limits = self.limits.clone();
                let larger = side.max(thumbs::PREVIEW_SIDE);
                let (large, small) = tokio::task::spawn_blocking(move || {
                    let large = thumbs::render(file.path(), larger, &limits)?;
                    let small = (side < larger)
                        .then(|| thumbs::shrink(&large, side))
                        .transpose()?;
                    Ok::<_, ThumbError>((large, small))
                })
                .await
                .map_err(|e| worker(&e.to_string()))??;
                let served = |t: thumbs::Thumbnail| ServedThumbnail {
                    mime: t.mime,
                    bytes: t.bytes,
                };
                match small {
                    Some(small) => {
                        let larger_key = format!("{}-{larger}", content_key(asset));
                        self.write(&larger_key, &served(large))?;
                        served(small)
                    }
                    None => served(large),
                }
            }
            (None, None, _) => {
                return Err(ThumbStoreError::NoMedia {
                    asset: asset.id.clone(),
                })
            }
        };
        self.write(key, &thumb)?;
        Ok(thumb)
    }

    /// The account's limit for the asset's kind (bounded by ours), or ours.
    fn download_limit(&self, asset: &Asset) -> u64 {
        let account_limit = self
            .library
            .account(&asset.account_id)
            .ok()
            .and_then(|account| crate::rules::for_provider(&account.provider))
            .and_then(|rules| rules.for_kind(asset.kind))
            .and_then(|kind| kind.max_bytes);
        account_limit.map_or(MAX_DOWNLOAD_BYTES, |l| l.min(MAX_DOWNLOAD_BYTES))
    }

    fn path_of(&self, key: &str, mime: &str) -> PathBuf {
        let extension = if mime == "image/png" { "png" } else { "jpg" };
        self.dir.join(format!("{key}.{extension}"))
    }

    /// A stored thumbnail, marked as just shown (its modification time is the LRU clock).
    fn read(&self, key: &str) -> Option<ServedThumbnail> {
        ["image/jpeg", "image/png"].into_iter().find_map(|mime| {
            let path = self.path_of(key, mime);
            let bytes = std::fs::read(&path).ok()?;
            if let Ok(file) = std::fs::File::options().write(true).open(&path) {
                let _ = file.set_modified(SystemTime::now());
            }
            Some(ServedThumbnail { mime, bytes })
        })
    }

    fn write(&self, key: &str, thumb: &ServedThumbnail) -> Result<(), ThumbStoreError> {
        let path = self.path_of(key, thumb.mime);
        let disk = |cause| ThumbStoreError::Disk {
            path: path.clone(),
            cause,
        };
        std::fs::create_dir_all(&self.dir).map_err(disk)?;
        // Written aside and renamed, so a reader never sees half a picture.
        let mut temp = tempfile::NamedTempFile::new_in(&self.dir).map_err(disk)?;
        temp.write_all(&thumb.bytes).map_err(disk)?;
        temp.persist(&path).map_err(|e| disk(e.error))?;
        self.evict();
        Ok(())
    }

    /// Removes the least recently shown thumbnails until the folder is under its cap.
    fn evict(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
            .flatten()
            .filter_map(|entry| {
                let metadata = entry.metadata().ok()?;
                let path = entry.path();
                let thumbnail = path.extension().is_some_and(|e| e == "jpg" || e == "png");
                (metadata.is_file() && thumbnail)
                    .then(|| Some((metadata.modified().ok()?, metadata.len(), path)))
                    .flatten()
            })
            .collect();
        let mut total: u64 = files.iter().map(|(_, size, _)| size).sum();
        if total <= self.cap_bytes {
            return;
        }
        files.sort();
        for (_, size, path) in files {
            if total <= self.cap_bytes * 9 / 10 {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= size;
            }
        }
    }

    /// Where the thumbnails are kept.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// The origin of the address a thumbnail is made from (the provider's thumbnail, else the file).
fn source_origin(asset: &Asset) -> Result<String, ThumbStoreError> {
    let source = asset.thumbnail_url.as_deref().or(asset.url.as_deref());
    Ok(reachability::origin_of(source.unwrap_or_default())?)
}

fn worker(message: &str) -> ThumbStoreError {
    ThumbStoreError::Worker(message.to_owned())
}

/// Names the asset's content: a changed file (size, update) gets a new thumbnail.
fn content_key(asset: &Asset) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in [
        asset.account_id.as_str(),
        asset.id.as_str(),
        &asset.size.map(|s| s.to_string()).unwrap_or_default(),
        &asset.created_at,
        asset.updated_at.as_deref().unwrap_or_default(),
        asset.thumbnail_url.as_deref().unwrap_or_default(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update(&[0]);
    }
    hasher.finalize().to_hex()[..32].to_owned()
}
