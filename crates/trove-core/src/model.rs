//! The normalized asset model shared by every provider, the cache and the UI.
//!
//! These types cross the IPC boundary to the web UI, so they derive `ts_rs::TS`; the TypeScript
//! bindings in `ui/src/lib/bindings.ts` are generated from them (see `bindings.rs`) and a test fails
//! when the committed file is stale.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What kind of media an asset is. Providers spell these differently (`image`, `IMAGE`, MIME types);
/// adapters map them onto this one enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    Image,
    Video,
    Audio,
    Other,
}

impl AssetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Image => "image",
            AssetKind::Video => "video",
            AssetKind::Audio => "audio",
            AssetKind::Other => "other",
        }
    }

    /// Parses the lowercase spelling used by the cache and by seed 000; anything unknown is `Other`
    /// so that a provider adding a new kind never breaks a listing.
    pub fn parse_lenient(text: &str) -> AssetKind {
        match text.to_ascii_lowercase().as_str() {
            "image" => AssetKind::Image,
            "video" => AssetKind::Video,
            "audio" => AssetKind::Audio,
            _ => AssetKind::Other,
        }
    }
}

/// One asset as the cache holds it: the provider's fields mapped onto one shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Asset {
    /// The account this asset belongs to (cache-local id).
    pub account_id: String,
    /// The provider's own id for the asset.
    pub id: String,
    pub name: String,
    pub kind: AssetKind,
    pub content_type: Option<String>,
    #[ts(type = "number | null")]
    pub size: Option<i64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_s: Option<f64>,
    pub tags: Vec<String>,
    pub url: Option<String>,
    pub thumbnail_url: Option<String>,
    /// RFC 3339, as the provider gave it.
    pub created_at: String,
    pub updated_at: Option<String>,
    pub used_in_videos: Option<u32>,
    pub used_in_templates: Option<u32>,
    pub last_used: Option<String>,
    /// When the usage counts above were fetched; `None` when they never were.
    pub usage_fetched_at: Option<String>,
    /// A local edit of this asset is waiting for the remote.
    #[serde(default)]
    pub pending: bool,
}

/// How the grid is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Newest,
    Oldest,
    Name,
    Size,
    Duration,
}

/// A window of the grid: which assets, in which order, which rows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AssetQuery {
    pub account_id: Option<String>,
    pub kind: Option<AssetKind>,
    /// Every tag listed must be on the asset.
    pub tags: Vec<String>,
    /// Words that must start a word of the name or of a tag (search as you type).
    pub text: Option<String>,
    pub sort: SortKey,
    pub offset: u32,
    /// At most [`AssetQuery::MAX_LIMIT`]; 0 means the default.
    pub limit: u32,
}

impl AssetQuery {
    pub const DEFAULT_LIMIT: u32 = 200;
    pub const MAX_LIMIT: u32 = 1000;

    pub fn effective_limit(&self) -> u32 {
        match self.limit {
            0 => Self::DEFAULT_LIMIT,
            n => n.min(Self::MAX_LIMIT),
        }
    }
}

/// The rows `offset..offset+items.len()` of a query whose full result has `total` rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AssetPage {
    pub total: u32,
    pub offset: u32,
    pub items: Vec<Asset>,
}

/// A tag and how many of the selected assets carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TagFacet {
    pub tag: String,
    pub count: u32,
}

/// Whether an account's remote answered the last time Trove asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Connectivity {
    Unknown,
    Online,
    Offline,
    Syncing,
}

/// One account as the status bar and `trove status` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AccountStatus {
    pub account_id: String,
    pub name: String,
    pub provider: String,
    pub connectivity: Connectivity,
    pub last_sync_at: Option<String>,
    pub last_error: Option<String>,
    /// While syncing: assets listed so far, and the remote's total when it announces one.
    pub sync_listed: Option<u32>,
    pub sync_total: Option<u32>,
    pub asset_count: u32,
    /// Edits waiting for the remote.
    pub pending_edits: u32,
    /// Edits the remote refused for good; kept, and shown, never silently dropped.
    pub rejected_edits: u32,
}

/// Everything the UI needs to draw its chrome: the accounts, or why the library could not open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LibraryStatus {
    pub accounts: Vec<AccountStatus>,
    /// Set when the library could not be opened at all (corrupt cache, unwritable data dir): the UI
    /// shows it instead of a grid.
    pub fatal_error: Option<String>,
    /// Where Trove keeps its data, so a user told about a corrupt file knows where to look.
    pub data_dir: String,
}

/// The one event stream from the core to the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TroveEvent {
    SyncStarted {
        account_id: String,
    },
    /// A listing is being read: `listed` of `total` (when the remote announces one) are cached.
    SyncProgress {
        account_id: String,
        listed: u32,
        total: Option<u32>,
    },
    SyncFinished {
        account_id: String,
        upserted: u32,
        removed: u32,
    },
    SyncFailed {
        account_id: String,
        message: String,
    },
    /// Cached assets changed: the grid should re-query what it shows.
    LibraryChanged,
    /// An upload changed state (queued, rejected, done, failed, ...).
    UploadChanged {
        upload: Box<UploadItem>,
    },
    /// Bytes of an upload in flight reached the remote; a few of these a second at most.
    UploadProgress {
        #[ts(type = "number")]
        id: i64,
        #[ts(type = "number")]
        bytes_sent: u64,
        #[ts(type = "number")]
        total: u64,
    },
    /// A watched folder is missing (removed, renamed, or on a drive that is not mounted).
    WatchedFolderGone {
        path: String,
    },
    /// Thumbnails made of those asked for since the thumbnailer was last idle.
    ThumbnailProgress {
        done: u32,
        total: u32,
    },
}

/// One asset for the details panel: usage counts fetched fresh when the account answers, else the
/// cached ones with the reason they may be stale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AssetDetails {
    pub asset: Asset,
    /// Whether the usage counts were just fetched from the remote.
    pub usage_fresh: bool,
    /// Why they could not be (offline, refused).
    pub usage_error: Option<String>,
}

/// Where an upload is. `Probing` reads the file (format, size, hash); then it is `Rejected` (the
/// target would refuse it), a `Duplicate` (the same bytes are already in the account or queued),
/// or `Queued` to be sent; `Uploading` while bytes flow; and ends `Done`, `Failed` (with
/// `retry_at` set while a transient failure waits for its next attempt) or `Cancelled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UploadState {
    Probing,
    Rejected,
    Duplicate,
    Queued,
    Uploading,
    Done,
    Failed,
    Cancelled,
}

impl UploadState {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadState::Probing => "probing",
            UploadState::Rejected => "rejected",
            UploadState::Duplicate => "duplicate",
            UploadState::Queued => "queued",
            UploadState::Uploading => "uploading",
            UploadState::Done => "done",
            UploadState::Failed => "failed",
            UploadState::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<UploadState> {
        [
            UploadState::Probing,
            UploadState::Rejected,
            UploadState::Duplicate,
            UploadState::Queued,
            UploadState::Uploading,
            UploadState::Done,
            UploadState::Failed,
            UploadState::Cancelled,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }
}

/// One file in the upload queue, as the queue panel and `trove queue` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UploadItem {
    #[ts(type = "number")]
    pub id: i64,
    pub account_id: String,
    pub path: String,
    /// The name the new asset gets.
    pub name: String,
    pub tags: Vec<String>,
    /// How the file came: `cli`, `drop`, `dialog` or `watch`.
    pub origin: String,
    pub state: UploadState,
    #[ts(type = "number | null")]
    pub size: Option<u64>,
    #[ts(type = "number")]
    pub bytes_sent: u64,
    pub kind: Option<AssetKind>,
    /// Why the target would refuse the file (state `rejected`).
    pub problems: Vec<crate::rules::Problem>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// When a transient failure is tried again (RFC 3339).
    pub retry_at: Option<String>,
    pub attempts: u32,
    /// The asset created, or the one this file duplicates.
    pub asset_id: Option<String>,
    pub updated_at: String,
}
