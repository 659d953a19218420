//! Trove's core library: everything the desktop shell and the CLI share, with no Tauri dependency.
//!
//! - [`model`]: the normalized asset model (and the IPC types generated for the UI);
//! - [`naming`]: the rules for asset names and tags, shared with the asset server;
//! - [`cache`]: the local SQLite mirror of every account, which answers all browsing offline;
//! - [`browse`]: the grid's windows and tag facets, the counts stepping aside for the grid;
//! - [`keychain`]: API keys in the OS keychain, never in Trove's files;
//! - [`provider`]: one adapter per remote Assets API, behind the [`provider::Provider`] trait;
//! - [`sync`]: pulls a remote listing into the cache without ever losing data to a partial listing;
//! - [`push`]: sends the outbox of local edits, merging tags and keeping local renames;
//! - [`probe`]: reads a media file's real format and dimensions from its bytes;
//! - [`rules`]: what each provider accepts, and the check of a probed file against it;
//! - [`upload`]: probe, check against the provider's rules, send, and cache the result;
//! - [`thumb_store`]: thumbnails of cached assets, made on demand and kept on disk (LRU);
//! - [`reachability`]: origins that failed to connect lately, refused at once for a back-off;
//! - [`thumbs`]: upright, bounded thumbnails of images, videos (ffmpeg) and audio (waveforms);
//! - [`watcher`]: reports files that arrive in watched folders once they stop changing;
//! - [`bulk`]: one edit or delete applied to a multi-selection, with a fresh in-use check;
//! - [`autosync`]: sends edits as they are made and syncs every account on an interval;
//! - [`accounts`]: remote accounts added, tested, changed and removed, their keys in the keychain;
//! - [`library`]: a data directory opened as a whole: its cache, its accounts and their providers.

pub mod accounts;
pub mod autosync;
pub mod browse;
pub mod bulk;
pub mod cache;
pub mod keychain;
pub mod library;
pub mod model;
pub mod naming;
pub mod probe;
pub mod provider;
pub mod push;
pub mod reachability;
pub mod rules;
pub mod sync;
pub mod sync_lock;
pub mod thumb_store;
pub mod thumbs;
pub mod upload;
pub mod watcher;

#[cfg(test)]
mod bindings;

/// The current time as RFC 3339 UTC with millisecond precision, the format every timestamp Trove
/// writes uses: files uploaded within one second still sort newest first.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
