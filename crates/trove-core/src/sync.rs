//! Pulls an account's remote listing into the cache.
//!
//! Pages are upserted as they arrive (only changed rows are written). Cached assets missing from
//! the remote are removed only after a complete and consistent listing: a page error, a total that
//! changed while paging, or fewer items than the total announced leave every cached asset in place.

use std::collections::HashSet;
use std::sync::Mutex;

use crate::cache::{Cache, CacheError, UpsertOutcome};
use crate::model::Asset;
use futures_util::StreamExt;

use crate::provider::{PageToken, Provider, ProviderError, RemotePage};

/// A listing longer than this many pages is taken for a remote that pages in circles.
const MAX_PAGES: u32 = 100_000;
/// Listing requests in flight at once: enough to hide the round trip, few enough to be polite.
const PAGES_IN_FLIGHT: usize = 4;
/// Listed assets written per transaction. Each commit rewrites every index page it touched, so
/// one page (100 rows) per commit spent most of a sync writing the same pages again; a larger
/// batch holds the cache's lock longer (about 0.1 s for 2,000 rows).
const WRITE_BATCH: usize = 2_000;
/// Listed rows are written sooner when the next page keeps them waiting this long.
const WRITE_AFTER: std::time::Duration = std::time::Duration::from_millis(500);

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error("the remote listing never ends: page {0:?} was offered twice or paging went past {MAX_PAGES} pages")]
    EndlessListing(PageToken),
    #[error("the cache lock was poisoned by an earlier failure")]
    Poisoned,
}

/// What one pull did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub listed: u32,
    pub inserted: u32,
    pub updated: u32,
    pub removed: u32,
    /// False when the listing was inconsistent, so removals were skipped.
    pub complete: bool,
    /// Local edits the remote accepted before the pull, refused for good, and renames that
    /// overrode a remote rename.
    pub pushed: u32,
    pub rejected: u32,
    pub conflicts: u32,
}

impl SyncReport {
    pub fn upserted(&self) -> u32 {
        self.inserted + self.updated
    }
}

/// How far a pull has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullProgress {
    /// Assets listed (and written) so far.
    pub listed: u32,
    /// What the remote announced, when it does.
    pub total: Option<u64>,
}

/// Pulls every page of `provider`'s listing into `cache`, reporting progress after each write.
pub async fn pull(
    cache: &Mutex<Cache>,
    provider: &dyn Provider,
    account_id: &str,
    progress: &(dyn Fn(PullProgress) + Sync),
) -> Result<SyncReport, SyncError> {
    let mut listing = Listing::default();
    let read = listing
        .read_all(cache, provider, account_id, progress)
        .await;
    // Whatever was fetched is kept, even when a later page failed.
    let written = listing.write(cache, account_id, progress);
    read?;
    written?;
    listing.finish(cache, account_id)
}

/// What a pull has seen so far.
#[derive(Default)]
struct Listing {
    report: SyncReport,
    seen_ids: HashSet<String>,
    seen_pages: HashSet<PageToken>,
    first_total: Option<u64>,
    consistent: bool,
    started: bool,
    /// Listed assets not yet written: pages are written [`WRITE_BATCH`] rows at a time.
    unwritten: Vec<Asset>,
}

impl Listing {
    async fn read_all(
        &mut self,
        cache: &Mutex<Cache>,
        provider: &dyn Provider,
        account_id: &str,
        progress: &(dyn Fn(PullProgress) + Sync),
    ) -> Result<(), SyncError> {
        let first_token = provider.first_page();
        self.visit(&first_token)?;
        let first = provider.list_page(&first_token).await?;
        let mut next = first.next.clone();
        // Numbered pages with a known total: the rest are fetched several at a time, applied in
        // order.
        if let (Some(PageToken::Page(from)), Some(total)) = (first.next.clone(), first.total) {
            let per_page = first.items.len().max(1) as u64;
            let last = u32::try_from(total.div_ceil(per_page))
                .unwrap_or(u32::MAX)
                .min(MAX_PAGES);
            self.absorb(cache, first, account_id, progress)?;
            let mut pages = futures_util::stream::iter(from..=last)
                .map(|n| async move { (n, provider.list_page(&PageToken::Page(n)).await) })
                .buffered(PAGES_IN_FLIGHT);
            next = None;
            while let Some((number, page)) = self
                .await_writing(cache, account_id, progress, pages.next())
                .await?
            {
                self.visit(&PageToken::Page(number))?;
                let page = page?;
                let more = page.next.clone();
                self.absorb(cache, page, account_id, progress)?;
                if number == last {
                    // The listing grew while it was read: follow it to its end, one page at a time.
                    next = more;
                } else if more.is_none() {
                    self.consistent = false; // it shrank: later pages are empty or missing
                }
            }
        } else {
            self.absorb(cache, first, account_id, progress)?;
        }
        while let Some(token) = next {
            self.visit(&token)?;
            let page = self
                .await_writing(cache, account_id, progress, provider.list_page(&token))
                .await??;
            next = page.next.clone();
            self.absorb(cache, page, account_id, progress)?;
        }
        Ok(())
    }

    /// Awaits `next` (the next page); if it is slow to come, the rows already listed are written
    /// meanwhile, so that a slow remote fills the grid as it goes and a crash keeps them.
    async fn await_writing<T>(
        &mut self,
        cache: &Mutex<Cache>,
        account_id: &str,
        progress: &(dyn Fn(PullProgress) + Sync),
        next: impl std::future::Future<Output = T>,
    ) -> Result<T, SyncError> {
        let mut next = std::pin::pin!(next);
        if !self.unwritten.is_empty() {
            if let Ok(value) = tokio::time::timeout(WRITE_AFTER, &mut next).await {
                return Ok(value);
            }
            self.write(cache, account_id, progress)?;
        }
        Ok(next.await)
    }

    fn visit(&mut self, token: &PageToken) -> Result<(), SyncError> {
        if !self.seen_pages.insert(token.clone()) || self.seen_pages.len() > MAX_PAGES as usize {
            return Err(SyncError::EndlessListing(token.clone()));
        }
        Ok(())
    }

    fn absorb(
        &mut self,
        cache: &Mutex<Cache>,
        page: RemotePage,
        account_id: &str,
        progress: &(dyn Fn(PullProgress) + Sync),
    ) -> Result<(), SyncError> {
        if !self.started {
            (self.started, self.consistent, self.first_total) = (true, true, page.total);
        } else if let (Some(first), Some(now)) = (self.first_total, page.total) {
            if first != now {
                tracing::warn!(account_id, first, now, "remote total changed while paging");
                self.consistent = false;
            }
        }
        for item in &page.items {
            if !self.seen_ids.insert(item.id.clone()) {
                // The same id on two pages means rows shifted under us (an insert during paging).
                self.consistent = false;
            }
        }
        self.unwritten.extend(page.items);
        if self.unwritten.len() >= WRITE_BATCH {
            self.write(cache, account_id, progress)?;
        }
        Ok(())
    }

    /// Writes the listed assets not written yet, in one transaction.
    fn write(
        &mut self,
        cache: &Mutex<Cache>,
        account_id: &str,
        progress: &(dyn Fn(PullProgress) + Sync),
    ) -> Result<(), SyncError> {
        if self.unwritten.is_empty() {
            return Ok(());
        }
        let listed = self.seen_ids.len() as u32;
        let outcomes = {
            let mut cache = cache.lock().map_err(|_| SyncError::Poisoned)?;
            let outcomes = cache.upsert_assets(&self.unwritten)?;
            cache.record_sync_progress(account_id, listed, self.first_total)?;
            outcomes
        };
        self.unwritten.clear();
        for outcome in outcomes {
            match outcome {
                UpsertOutcome::Inserted => self.report.inserted += 1,
                UpsertOutcome::Updated => self.report.updated += 1,
                UpsertOutcome::Unchanged => {}
            }
        }
        progress(PullProgress {
            listed,
            total: self.first_total,
        });
        Ok(())
    }

    fn finish(mut self, cache: &Mutex<Cache>, account_id: &str) -> Result<SyncReport, SyncError> {
        self.report.listed = self.seen_ids.len() as u32;
        let all_listed = self
            .first_total
            .is_none_or(|total| total == self.seen_ids.len() as u64);
        self.report.complete = self.consistent && all_listed;
        if self.report.complete {
            self.report.removed = cache
                .lock()
                .map_err(|_| SyncError::Poisoned)?
                .remove_assets_not_in(account_id, &self.seen_ids)?;
        } else {
            let (listed, total) = (self.report.listed, self.first_total);
            tracing::warn!(
                account_id,
                listed,
                ?total,
                "incomplete listing: nothing removed"
            );
        }
        Ok(self.report)
    }
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;

    use super::*;
    use crate::cache::{Credential, NewAccount};
    use crate::model::{Asset, AssetKind, AssetQuery};
    use crate::provider::{Capabilities, RemotePage, UploadRequest};

    /// A listing served from memory: pages by number, with an optional failure or a total that
    /// changes after the first page, to play the remote's misbehaviours.
    struct ScriptedListing {
        pages: Vec<Vec<Asset>>,
        totals: Vec<u64>,
        failing_page: Option<u32>,
        capabilities: Capabilities,
    }

    #[async_trait]
    impl Provider for ScriptedListing {
        fn capabilities(&self) -> &Capabilities {
            &self.capabilities
        }
        fn first_page(&self) -> PageToken {
            PageToken::Page(1)
        }
        async fn list_page(&self, page: &PageToken) -> Result<RemotePage, ProviderError> {
            let PageToken::Page(n) = page else {
                unreachable!()
            };
            if self.failing_page == Some(*n) {
                return Err(ProviderError::Rejected {
                    url: "test".into(),
                    status: 503,
                    code: "unavailable".into(),
                    message: String::new(),
                });
            }
            let index = (*n - 1) as usize;
            Ok(RemotePage {
                items: self.pages[index].clone(),
                next: (index + 1 < self.pages.len()).then(|| PageToken::Page(n + 1)),
                total: Some(self.totals[index.min(self.totals.len() - 1)]),
            })
        }
        async fn get(&self, _id: &str) -> Result<Asset, ProviderError> {
            unreachable!("sync never gets single assets")
        }
        async fn upload(
            &self,
            _request: &UploadRequest,
            _progress: crate::provider::Progress,
        ) -> Result<Asset, ProviderError> {
            unreachable!("sync never uploads")
        }
        async fn update(
            &self,
            _id: &str,
            _name: Option<&str>,
            _tags: Option<&[String]>,
        ) -> Result<Asset, ProviderError> {
            unreachable!("a pull never updates")
        }
        async fn delete(&self, _id: &str) -> Result<(), ProviderError> {
            unreachable!("a pull never deletes")
        }
    }

    fn asset(account: &str, id: &str) -> Asset {
        Asset {
            account_id: account.into(),
            id: id.into(),
            name: id.into(),
            kind: AssetKind::Image,
            content_type: None,
            size: None,
            width: None,
            height: None,
            duration_s: None,
            tags: vec![],
            url: None,
            thumbnail_url: None,
            created_at: "2025-01-01T00:00:00Z".into(),
            updated_at: None,
            used_in_videos: None,
            used_in_templates: None,
            last_used: None,
            usage_fetched_at: None,
            pending: false,
        }
    }

    fn setup() -> (tempfile::TempDir, Mutex<Cache>, String) {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(&dir.path().join("c.sqlite3")).unwrap();
        let account = cache
            .add_account(NewAccount {
                name: "a".into(),
                provider: "local".into(),
                base_url: String::new(),
                credential: Credential::InProcess,
            })
            .unwrap();
        let stale: Vec<Asset> = ["old1", "old2"]
            .iter()
            .map(|id| asset(&account.id, id))
            .collect();
        cache.upsert_assets(&stale).unwrap();
        (dir, Mutex::new(cache), account.id)
    }

    fn listing(
        account: &str,
        pages: &[&[&str]],
        totals: &[u64],
        failing_page: Option<u32>,
    ) -> ScriptedListing {
        ScriptedListing {
            pages: pages
                .iter()
                .map(|ids| ids.iter().map(|id| asset(account, id)).collect())
                .collect(),
            totals: totals.to_vec(),
            failing_page,
            capabilities: Capabilities {
                tags: true,
                usage_counts: false,
                rename: true,
                delete: true,
                rules: &crate::rules::LOCAL,
            },
        }
    }

    fn cached_ids(cache: &Mutex<Cache>) -> Vec<String> {
        let mut ids: Vec<String> = cache
            .lock()
            .unwrap()
            .query_assets(&AssetQuery::default())
            .unwrap()
            .items
            .into_iter()
            .map(|a| a.id)
            .collect();
        ids.sort();
        ids
    }

    #[tokio::test]
    async fn a_complete_listing_removes_what_the_remote_dropped() {
        let (_dir, cache, account) = setup();
        let remote = listing(&account, &[&["a", "b"], &["c"]], &[3], None);
        let steps = Mutex::new(Vec::new());
        let report = pull(&cache, &remote, &account, &|step| {
            steps.lock().unwrap().push(step)
        })
        .await
        .unwrap();
        assert_eq!(
            steps.into_inner().unwrap(),
            [PullProgress {
                listed: 3,
                total: Some(3)
            }]
        );
        assert_eq!(
            (report.inserted, report.removed, report.complete),
            (3, 2, true)
        );
        assert_eq!(cached_ids(&cache), ["a", "b", "c"]);
        let again = pull(&cache, &remote, &account, &|_| {}).await.unwrap();
        assert_eq!((again.inserted, again.updated, again.removed), (0, 0, 0));
    }

    #[tokio::test]
    async fn a_failed_page_removes_nothing() {
        let (_dir, cache, account) = setup();
        let remote = listing(&account, &[&["a"], &["b"]], &[2], Some(2));
        assert!(pull(&cache, &remote, &account, &|_| {}).await.is_err());
        assert_eq!(cached_ids(&cache), ["a", "old1", "old2"]);
    }

    #[tokio::test]
    async fn a_total_that_changes_mid_listing_removes_nothing() {
        let (_dir, cache, account) = setup();
        let remote = listing(&account, &[&["a"], &["b"]], &[2, 3], None);
        let report = pull(&cache, &remote, &account, &|_| {}).await.unwrap();
        assert!(!report.complete);
        assert_eq!(cached_ids(&cache), ["a", "b", "old1", "old2"]);
    }

    #[tokio::test]
    async fn fewer_items_than_announced_removes_nothing() {
        let (_dir, cache, account) = setup();
        let remote = listing(&account, &[&["a"]], &[5], None);
        let report = pull(&cache, &remote, &account, &|_| {}).await.unwrap();
        assert!(!report.complete);
        assert_eq!(cached_ids(&cache).len(), 3);
    }
}
