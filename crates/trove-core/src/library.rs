//! A Trove data directory opened as a whole: its cache, its accounts, and a provider for each.
//!
//! Layout: `cache.sqlite3` (the mirror of every account) and `library/` (the Local library's own
//! storage, served by the asset server the app or the CLI runs in-process). Every change the core
//! makes is announced as a [`TroveEvent`] through the sink given at open, which the desktop shell
//! forwards to the UI and the CLI ignores.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::bulk::FreshUsage;
use crate::cache::{Account, Cache, CacheError, Credential, Edit, NewAccount};
use crate::model::{AccountStatus, Asset, Connectivity, TroveEvent};
use crate::provider::{self, Provider, ProviderError};
use crate::push::{self, PushReport, Urgency};
use crate::sync::{self, SyncError, SyncReport};
use crate::sync_lock::{self, SyncLockError};
use crate::upload::UploadError;

/// The app's identifier, which names its data directory (the same one Tauri's `app_data_dir` gives).
pub const APP_IDENTIFIER: &str = "dev.trove.desktop";

/// `TROVE_DATA_DIR` when set, else the platform's data directory for Trove
/// (`$XDG_DATA_HOME/dev.trove.desktop` on Linux). The app and the CLI share it.
pub fn default_data_dir() -> Option<PathBuf> {
    match std::env::var_os("TROVE_DATA_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => dirs::data_dir().map(|dir| dir.join(APP_IDENTIFIER)),
    }
}

/// A pull that wrote at least this many rows, and at least a tenth of the account, is followed
/// by merging the full-text index (which rewrites all of it: worth it after a large change only).
const COMPACT_AFTER_CHANGES: u32 = 2_000;

/// What the status says of a sync whose process died before it finished.
pub const INTERRUPTED_SYNC: &str = "the last sync was interrupted before it finished";

/// The name of the default account, which needs no sign-up.
pub const LOCAL_LIBRARY_NAME: &str = "Local library";

#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Upload(#[from] UploadError),
    #[error(transparent)]
    SyncLock(#[from] SyncLockError),
    #[error("the API key of account {account:?} comes from the environment variable {var}, which is not set")]
    MissingKey { account: String, var: String },
    #[error("{name} ({id}) is used in {videos} videos and {templates} templates{last}; delete it anyway with --force", last = last_used.as_deref().map(|t| format!(", last on {t}")).unwrap_or_default())]
    InUse {
        id: String,
        name: String,
        videos: u32,
        templates: u32,
        last_used: Option<String>,
    },
    #[error(
        "cannot check whether {id} is in use ({cause}); delete it without checking with --force"
    )]
    UsageUnknown { id: String, cause: String },
    #[error("the API key of account {account:?}: {source}")]
    Keychain {
        account: String,
        source: crate::keychain::KeychainError,
    },
    #[error("the Local library server is not running in this process")]
    LocalNotRunning,
    #[error("the cache lock was poisoned by an earlier failure")]
    Poisoned,
}

/// Where the in-process Local library server listens, and the key it was started with.
#[derive(Clone)]
pub struct LocalEndpoint {
    pub base_url: String,
    pub api_key: String,
}

type EventSink = Arc<dyn Fn(TroveEvent) + Send + Sync>;

pub struct Library {
    data_dir: PathBuf,
    cache: Mutex<Cache>,
    pub(crate) local: Mutex<Option<LocalEndpoint>>,
    pub(crate) events: EventSink,
    /// Woken by every local edit, so the background sync sends it at once.
    pub(crate) edits_made: tokio::sync::Notify,
    /// Accounts added or changed since the background sync last looked (see accounts.rs).
    pub(crate) changed_accounts: Mutex<std::collections::HashSet<String>>,
    /// Grid queries waiting for the cache, which long reads step aside for (see browse.rs).
    pub(crate) grid_waiting: std::sync::atomic::AtomicUsize,
}

impl Library {
    /// Opens the data directory (creating it when missing) and its cache.
    pub fn open(data_dir: &Path, events: EventSink) -> Result<Library, LibraryError> {
        std::fs::create_dir_all(data_dir).map_err(|source| LibraryError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let cache = Cache::open(&data_dir.join("cache.sqlite3"))?;
        Ok(Library {
            data_dir: data_dir.to_owned(),
            cache: Mutex::new(cache),
            local: Mutex::new(None),
            events,
            edits_made: tokio::sync::Notify::new(),
            changed_accounts: Mutex::default(),
            grid_waiting: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// Opens a library whose events go nowhere (the CLI, tests).
    pub fn open_quiet(data_dir: &Path) -> Result<Library, LibraryError> {
        Self::open(data_dir, Arc::new(|_| {}))
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where the Local library's asset server keeps its database and files.
    pub fn local_library_dir(&self) -> PathBuf {
        self.data_dir.join("library")
    }

    /// Announces a change to whoever listens (the desktop's UI; nobody for the CLI).
    pub(crate) fn emit(&self, event: TroveEvent) {
        (self.events)(event);
    }

    /// Records that an edit now waits in the outbox (see [`Library::edit_made`]).
    pub(crate) fn edited(&self) {
        self.edits_made.notify_one();
        (self.events)(TroveEvent::LibraryChanged);
    }

    /// Resolves after the next local edit (at once when one was made since the last call).
    pub async fn edit_made(&self) {
        self.edits_made.notified().await;
    }

    pub(crate) fn cache(&self) -> Result<MutexGuard<'_, Cache>, LibraryError> {
        self.cache.lock().map_err(|_| LibraryError::Poisoned)
    }

    /// The default account, created on first use.
    pub fn local_account(&self) -> Result<Account, LibraryError> {
        let mut cache = self.cache()?;
        match cache.account(LOCAL_LIBRARY_NAME) {
            Ok(account) => Ok(account),
            Err(CacheError::UnknownAccount(_)) => Ok(cache.add_account(NewAccount {
                name: LOCAL_LIBRARY_NAME.to_owned(),
                provider: "local".to_owned(),
                base_url: String::new(),
                credential: Credential::InProcess,
            })?),
            Err(other) => Err(other.into()),
        }
    }

    /// Records where the in-process Local library server now listens.
    pub fn attach_local(&self, endpoint: LocalEndpoint) -> Result<Account, LibraryError> {
        let account = self.local_account()?;
        self.cache()?
            .set_account_base_url(&account.id, &endpoint.base_url)?;
        *self.local.lock().map_err(|_| LibraryError::Poisoned)? = Some(endpoint);
        Ok(account)
    }

    pub fn add_account(&self, new: NewAccount) -> Result<Account, LibraryError> {
        Ok(self.cache()?.add_account(new)?)
    }

    pub fn accounts(&self) -> Result<Vec<Account>, LibraryError> {
        Ok(self.cache()?.accounts()?)
    }

    pub fn account(&self, id_or_name: &str) -> Result<Account, LibraryError> {
        Ok(self.cache()?.account(id_or_name)?)
    }

    /// Every account's status. One recorded as syncing while no process holds its sync lock was
    /// interrupted (its process died): it is shown as such rather than as syncing forever.
    pub fn statuses(&self) -> Result<Vec<AccountStatus>, LibraryError> {
        let mut statuses = self.cache()?.account_statuses()?;
        for status in &mut statuses {
            if status.connectivity == Connectivity::Syncing
                && !sync_lock::is_held(&self.data_dir, &status.account_id)
            {
                status.connectivity = Connectivity::Unknown;
                status.last_error = Some(INTERRUPTED_SYNC.to_owned());
                (status.sync_listed, status.sync_total) = (None, None);
            }
        }
        Ok(statuses)
    }

    /// The adapter for `account`, with its key resolved.
    pub fn provider(&self, account: &Account) -> Result<Box<dyn Provider>, LibraryError> {
        let (base_url, api_key) = self.endpoint(account)?;
        Ok(provider::connect(
            &account.provider,
            &account.id,
            &base_url,
            api_key,
        )?)
    }

    /// Sends the account's pending edits, then pulls its listing into the cache, recording and
    /// announcing how it went. `Urgency::Now` (the user asked) also sends edits waiting out a backoff.
    pub async fn sync(
        &self,
        account: &Account,
        urgency: Urgency,
    ) -> Result<SyncReport, LibraryError> {
        let _one_at_a_time = sync_lock::acquire(&self.data_dir, &account.id).await?;
        self.cache()?.record_sync_start(&account.id)?;
        (self.events)(TroveEvent::SyncStarted {
            account_id: account.id.clone(),
        });
        let result = match self.provider(account) {
            Ok(provider) => {
                self.push_then_pull(provider.as_ref(), account, urgency)
                    .await
            }
            Err(error) => Err(error),
        };
        let error_text = result.as_ref().err().map(ToString::to_string);
        self.cache()?
            .record_sync_end(&account.id, error_text.as_deref())?;
        match &result {
            Ok(report) => {
                tracing::info!(account = %account.name, ?report, "sync finished");
                (self.events)(TroveEvent::SyncFinished {
                    account_id: account.id.clone(),
                    upserted: report.upserted(),
                    removed: report.removed,
                });
                if report.upserted() > 0 || report.removed > 0 {
                    (self.events)(TroveEvent::LibraryChanged);
                }
            }
            Err(error) => {
                tracing::warn!(account = %account.name, %error, "sync failed");
                (self.events)(TroveEvent::SyncFailed {
                    account_id: account.id.clone(),
                    message: error.to_string(),
                });
            }
        }
        result
    }

    async fn push_then_pull(
        &self,
        provider: &dyn Provider,
        account: &Account,
        urgency: Urgency,
    ) -> Result<SyncReport, LibraryError> {
        let pushed = push::push(&self.cache, provider, &account.id, urgency).await?;
        let progress = |step: sync::PullProgress| {
            (self.events)(TroveEvent::SyncProgress {
                account_id: account.id.clone(),
                listed: step.listed,
                total: step.total.and_then(|t| u32::try_from(t).ok()),
            });
        };
        let mut report = sync::pull(&self.cache, provider, &account.id, &progress).await?;
        let changed = report.upserted() + report.removed;
        if changed >= COMPACT_AFTER_CHANGES && changed.saturating_mul(10) >= report.listed {
            self.compact_search_index().await?;
        }
        report.pushed = pushed.sent;
        report.rejected = pushed.rejected;
        report.conflicts = pushed.conflicts;
        Ok(report)
    }

    /// Merges the full-text index after a large change, a step at a time so that the grid's
    /// queries get the cache in between.
    async fn compact_search_index(&self) -> Result<(), LibraryError> {
        let started = std::time::Instant::now();
        let mut steps = 0;
        while self.cache()?.compact_search_index_step()? {
            steps += 1;
            tokio::task::yield_now().await;
        }
        tracing::info!(steps, elapsed = ?started.elapsed(), "search index compacted");
        Ok(())
    }

    /// Applies an edit at once (cache and outbox, one transaction); it reaches the remote on the
    /// next push.
    pub fn edit(
        &self,
        account: &Account,
        asset_id: &str,
        edit: &Edit,
    ) -> Result<Asset, LibraryError> {
        let asset = self.cache()?.apply_edit(&account.id, asset_id, edit)?;
        self.edited();
        Ok(asset)
    }

    /// Sends the account's pending edits now.
    pub async fn push(&self, account: &Account) -> Result<PushReport, LibraryError> {
        self.push_with(account, Urgency::Now).await
    }

    /// Sends the account's pending edits; `Urgency::Background` leaves those waiting out a
    /// backoff.
    pub async fn push_with(
        &self,
        account: &Account,
        urgency: Urgency,
    ) -> Result<PushReport, LibraryError> {
        let provider = self.provider(account)?;
        let report = push::push(&self.cache, provider.as_ref(), &account.id, urgency).await?;
        if report.sent > 0 || report.rejected > 0 {
            (self.events)(TroveEvent::LibraryChanged);
        }
        Ok(report)
    }

    /// Fetches the asset afresh (usage counts included, where the API has them) into the cache.
    pub async fn refresh(&self, account: &Account, asset_id: &str) -> Result<Asset, LibraryError> {
        let (asset, changed) = self.fetch_into_cache(account, asset_id).await?;
        if changed {
            // New counts or a new name: the grid shows them.
            self.emit(TroveEvent::LibraryChanged);
        }
        Ok(asset)
    }

    /// The remote's asset, written to the cache (pending edits laid over it), and whether that
    /// changed the cached row. Announces nothing: callers refreshing many announce once.
    pub(crate) async fn fetch_into_cache(
        &self,
        account: &Account,
        asset_id: &str,
    ) -> Result<(Asset, bool), LibraryError> {
        let provider = self.provider(account)?;
        let remote = provider.get(asset_id).await?;
        let mut cache = self.cache()?;
        let outcome = cache.upsert_assets(std::slice::from_ref(&remote))?;
        let changed = outcome
            .iter()
            .any(|o| *o != crate::cache::UpsertOutcome::Unchanged);
        let shown = cache.asset(&account.id, asset_id)?;
        Ok((shown.unwrap_or(remote), changed))
    }

    /// The asset with its usage counts fetched fresh, or the cached ones and why not.
    pub async fn details(
        &self,
        account: &Account,
        asset_id: &str,
    ) -> Result<crate::model::AssetDetails, LibraryError> {
        let cached = self.find_asset(asset_id, Some(account))?;
        Ok(match self.refresh(account, asset_id).await {
            Ok(asset) => crate::model::AssetDetails {
                asset,
                usage_fresh: true,
                usage_error: None,
            },
            Err(error) => crate::model::AssetDetails {
                asset: cached,
                usage_fresh: false,
                usage_error: Some(error.to_string()),
            },
        })
    }

    /// Deletes an asset after fetching its usage fresh: one in use is refused unless `force`.
    pub async fn delete(
        &self,
        account: &Account,
        asset_id: &str,
        force: bool,
    ) -> Result<(), LibraryError> {
        if !force {
            let (usage, changed) = self.fresh_usage(account, asset_id).await;
            if changed {
                self.emit(TroveEvent::LibraryChanged);
            }
            match usage {
                FreshUsage::Unused => {}
                FreshUsage::InUse(used) => {
                    return Err(LibraryError::InUse {
                        id: used.key.id,
                        name: used.name,
                        videos: used.used_in_videos,
                        templates: used.used_in_templates,
                        last_used: used.last_used,
                    })
                }
                FreshUsage::Unknown(cause) => {
                    return Err(LibraryError::UsageUnknown {
                        id: asset_id.to_owned(),
                        cause,
                    })
                }
            }
        }
        self.edit(account, asset_id, &Edit::Delete)?;
        Ok(())
    }

    /// Edits the remote refused for good: (asset id, edit, why).
    pub fn rejected_edits(
        &self,
        account: &Account,
    ) -> Result<Vec<(String, Edit, String)>, LibraryError> {
        Ok(self.cache()?.rejected_edits(&account.id)?)
    }

    /// Finds a cached asset by id, in `account` when given.
    pub fn find_asset(&self, id: &str, account: Option<&Account>) -> Result<Asset, LibraryError> {
        let cache = self.cache()?;
        let found = match account {
            Some(account) => cache.asset(&account.id, id)?,
            None => cache.find_asset(id)?.into_iter().next(),
        };
        found.ok_or_else(|| CacheError::UnknownAsset(id.to_owned()).into())
    }

    /// Syncs every account one after another; each result is reported, none stops the others.
    pub async fn sync_all(
        &self,
        urgency: Urgency,
    ) -> Vec<(Account, Result<SyncReport, LibraryError>)> {
        let accounts = match self.accounts() {
            Ok(accounts) => accounts,
            Err(error) => {
                tracing::error!(%error, "cannot list accounts to sync");
                return Vec::new();
            }
        };
        let mut results = Vec::with_capacity(accounts.len());
        for account in accounts {
            let result = self.sync(&account, urgency).await;
            results.push((account, result));
        }
        results
    }

    /// Records that an account could not be reached for a reason found outside a sync (its server
    /// did not start), so the status bar can say why.
    pub fn record_failure(&self, account: &Account, message: &str) {
        let recorded = self
            .cache()
            .and_then(|cache| Ok(cache.record_sync_end(&account.id, Some(message))?));
        if let Err(error) = recorded {
            tracing::warn!(%error, "could not record an account failure");
        }
        (self.events)(TroveEvent::SyncFailed {
            account_id: account.id.clone(),
            message: message.to_owned(),
        });
    }
}
