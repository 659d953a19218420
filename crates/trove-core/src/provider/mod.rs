//! Remote Assets APIs behind one trait. Each adapter states what its API can do in
//! [`Capabilities`], so the UI and the upload checks never promise what a remote cannot deliver.

mod sixtyseconds;

use std::path::PathBuf;

use async_trait::async_trait;

use crate::model::{Asset, AssetKind};
use crate::rules::Rules;
pub use sixtyseconds::SixtySeconds;

/// Errors talking to a remote. [`ProviderError::is_transient`] tells a retry loop what is worth retrying.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("cannot reach {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("the API key was refused by {url} (HTTP {status})")]
    Unauthorized { url: String, status: u16 },
    #[error("not found: {what}")]
    NotFound { what: String },
    #[error("{url} refused the request (HTTP {status}, {code}): {message}")]
    Rejected {
        url: String,
        status: u16,
        code: String,
        message: String,
    },
    #[error("{url} asks Trove to slow down (HTTP 429){}", retry_after.map(|d| format!(", retry after {} s", d.as_secs())).unwrap_or_default())]
    RateLimited {
        url: String,
        retry_after: Option<std::time::Duration>,
    },
    #[error("{url} answered something its API does not document: {detail}")]
    InvalidResponse { url: String, detail: String },
    #[error("cannot read {path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("unknown provider {0:?} (known: {known})", known = KNOWN_PROVIDERS.join(", "))]
    UnknownProvider(String),
}

impl ProviderError {
    /// Network failures, rate limits and server errors may pass; everything else will not.
    pub fn is_transient(&self) -> bool {
        match self {
            ProviderError::Unreachable { .. } | ProviderError::RateLimited { .. } => true,
            ProviderError::Rejected { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

/// Which of a provider's listing pages to fetch: numbered pages or an opaque cursor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PageToken {
    Page(u32),
    Cursor(String),
}

/// One page of a remote listing.
#[derive(Debug, Clone)]
pub struct RemotePage {
    pub items: Vec<Asset>,
    /// The next page, or `None` when this was the last.
    pub next: Option<PageToken>,
    /// The listing's total when the API reports one; a sync uses it to notice a listing that
    /// changed while it was being read.
    pub total: Option<u64>,
}

/// What a provider's API can do, stated honestly.
#[derive(Debug, Clone, PartialEq)]
pub struct Capabilities {
    pub tags: bool,
    pub usage_counts: bool,
    pub rename: bool,
    pub delete: bool,
    /// What the API accepts as uploads (formats, sizes, dimensions, durations); a table whose
    /// `no_uploads` is set means the API takes no files.
    pub rules: &'static Rules,
}

/// Told the bytes of an upload sent so far.
pub type Progress = std::sync::Arc<dyn Fn(u64) + Send + Sync>;

/// A file to upload, already probed and checked against the provider's limits.
#[derive(Debug, Clone)]
pub struct UploadRequest {
    pub path: PathBuf,
    pub name: String,
    pub kind: AssetKind,
    pub content_type: String,
    pub size: u64,
    pub tags: Vec<String>,
}

/// One remote Assets API, bound to one account.
#[async_trait]
pub trait Provider: Send + Sync {
    fn capabilities(&self) -> &Capabilities;
    /// The first page token of a full listing.
    fn first_page(&self) -> PageToken;
    async fn list_page(&self, page: &PageToken) -> Result<RemotePage, ProviderError>;
    /// One asset with everything the API tells of it (usage counts included where it has them).
    async fn get(&self, id: &str) -> Result<Asset, ProviderError>;
    /// Sends the file, calling `progress` with the bytes sent so far as they go.
    async fn upload(
        &self,
        request: &UploadRequest,
        progress: Progress,
    ) -> Result<Asset, ProviderError>;
    /// The asset an earlier attempt of `request` created, if the remote has one: an upload whose
    /// answer was lost (a dropped connection, a crash) may have been committed all the same, and
    /// sending it again would make a duplicate. `since` is when that attempt started (RFC 3339).
    async fn find_upload(
        &self,
        _request: &UploadRequest,
        _since: &str,
    ) -> Result<Option<Asset>, ProviderError> {
        Ok(None)
    }
    /// The BLAKE3 hash of a remote asset's bytes, read as a stream (never held whole), when the
    /// remote serves its media; `None` when it cannot be fetched.
    async fn content_hash(&self, _asset_url: &str) -> Result<Option<String>, ProviderError> {
        Ok(None)
    }
    /// Sets a new name and/or tag set; returns the asset as the remote now has it.
    async fn update(
        &self,
        id: &str,
        name: Option<&str>,
        tags: Option<&[String]>,
    ) -> Result<Asset, ProviderError>;
    async fn delete(&self, id: &str) -> Result<(), ProviderError>;
}

/// The provider keys an account may name. `local` is a Trove asset server (in-process or a team's);
/// `sixtyseconds` is the hosted platform whose API Trove's server implements.
pub const KNOWN_PROVIDERS: &[&str] = &["local", "sixtyseconds"];

/// Builds the adapter for an account.
pub fn connect(
    provider: &str,
    account_id: &str,
    base_url: &str,
    api_key: String,
) -> Result<Box<dyn Provider>, ProviderError> {
    match provider {
        "local" | "sixtyseconds" => {
            let rules = crate::rules::for_provider(provider).unwrap_or(&crate::rules::LOCAL);
            Ok(Box::new(SixtySeconds::new(
                account_id, base_url, api_key, rules,
            )?))
        }
        other => Err(ProviderError::UnknownProvider(other.to_owned())),
    }
}
