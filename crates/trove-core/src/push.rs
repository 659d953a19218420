//! Sends the outbox to the remote. Per asset: a delete is sent as it is; otherwise the remote's
//! current asset is fetched first, tag operations are merged onto its tag set (so a tag added
//! remotely and one added here both survive), and a rename made here wins over one made remotely,
//! with the conflict recorded. A transient failure (network, 429, 5xx) defers the edits with
//! backoff, honouring Retry-After, and stops the push; a permanent one (404, 400) marks them
//! rejected: kept and shown, never retried forever, never silently dropped.

use std::sync::Mutex;
use std::time::Duration;

use crate::cache::{merge_tags, Cache, Edit, PendingAsset};
use crate::provider::{Provider, ProviderError};
use crate::sync::SyncError;

/// The longest wait between two attempts of the same edit.
const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

/// What one push did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushReport {
    pub sent: u32,
    pub rejected: u32,
    pub conflicts: u32,
}

/// How long to wait before attempt `attempts + 1`: Retry-After when the remote gave one, else
/// exponential from 2 s.
pub fn backoff(attempts: u32, error: &ProviderError) -> Duration {
    if let ProviderError::RateLimited {
        retry_after: Some(wait),
        ..
    } = error
    {
        return (*wait).min(MAX_BACKOFF);
    }
    Duration::from_secs(2u64.saturating_pow(attempts.saturating_add(1))).min(MAX_BACKOFF)
}

fn lock(cache: &Mutex<Cache>) -> Result<std::sync::MutexGuard<'_, Cache>, SyncError> {
    cache.lock().map_err(|_| SyncError::Poisoned)
}

/// Whether edits waiting out a backoff are sent too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// A background sync: edits deferred after a failure wait for their time.
    Background,
    /// The user asked to sync: everything pending is sent now.
    Now,
}

pub async fn push(
    cache: &Mutex<Cache>,
    provider: &dyn Provider,
    account_id: &str,
    urgency: Urgency,
) -> Result<PushReport, SyncError> {
    let mut report = PushReport::default();
    let groups = lock(cache)?.due_edits(account_id, urgency == Urgency::Background)?;
    for group in groups {
        let seqs = group.seqs();
        match push_asset(cache, provider, account_id, &group).await {
            Ok(conflict) => {
                report.sent += seqs.len() as u32;
                report.conflicts += u32::from(conflict);
            }
            Err(error) if error.is_transient() => {
                let attempts = group.edits.iter().map(|e| e.attempts).max().unwrap_or(0);
                let wait = backoff(attempts, &error);
                let not_before =
                    chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                let not_before = not_before.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                lock(cache)?.defer_edits(&seqs, &error.to_string(), &not_before)?;
                return Err(error.into());
            }
            Err(error) => {
                tracing::warn!(asset = %group.asset_id, %error, "edits refused by the remote");
                lock(cache)?.reject_edits(&seqs, &error.to_string())?;
                report.rejected += seqs.len() as u32;
            }
        }
    }
    Ok(report)
}

/// Sends one asset's edits; `Ok(true)` when a rename conflict was found (and resolved locally).
async fn push_asset(
    cache: &Mutex<Cache>,
    provider: &dyn Provider,
    account_id: &str,
    group: &PendingAsset,
) -> Result<bool, ProviderError> {
    let id = &group.asset_id;
    if group.edits.iter().any(|e| e.edit == Edit::Delete) {
        match provider.delete(id).await {
            // Already gone remotely: what the user wanted.
            Ok(()) | Err(ProviderError::NotFound { .. }) => {}
            Err(error) => return Err(error),
        }
        complete(cache, group, None)?;
        return Ok(false);
    }
    let remote = provider.get(id).await?;
    let rename = group.edits.iter().rev().find_map(|e| match &e.edit {
        Edit::Rename(name) => Some((name.clone(), e.base.clone())),
        _ => None,
    });
    let mut conflict = false;
    if let Some((name, Some(base))) = &rename {
        if remote.name != *base && remote.name != *name {
            conflict = true;
            if let Ok(cache) = cache.lock() {
                if let Err(error) =
                    cache.record_conflict(account_id, id, "name", name, &remote.name)
                {
                    tracing::warn!(%error, "conflict not recorded");
                }
            }
        }
    }
    let has_tag_edits = group
        .edits
        .iter()
        .any(|e| matches!(e.edit, Edit::AddTag(_) | Edit::RemoveTag(_)));
    let tags =
        has_tag_edits.then(|| merge_tags(remote.tags.clone(), group.edits.iter().map(|e| &e.edit)));
    let name = rename
        .as_ref()
        .map(|(name, _)| name.as_str())
        .filter(|n| *n != remote.name);
    let unchanged_tags = tags.as_ref().is_none_or(|t| *t == remote.tags);
    let updated = if name.is_none() && unchanged_tags {
        remote
    } else {
        provider.update(id, name, tags.as_deref()).await?
    };
    complete(cache, group, Some(&updated))?;
    Ok(conflict)
}

fn complete(
    cache: &Mutex<Cache>,
    group: &PendingAsset,
    remote: Option<&crate::model::Asset>,
) -> Result<(), ProviderError> {
    // The remote has the edits; if the cache cannot record that, they are sent again next time,
    // which the merge makes harmless.
    match cache.lock() {
        Ok(mut cache) => {
            if let Err(error) = cache.complete_edits(&group.seqs(), remote) {
                tracing::error!(%error, "pushed edits could not be marked done");
            }
        }
        Err(_) => tracing::error!("cache lock poisoned while completing edits"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_honours_retry_after() {
        let network = ProviderError::Unreachable {
            url: String::new(),
            detail: String::new(),
        };
        assert_eq!(backoff(0, &network), Duration::from_secs(2));
        assert_eq!(backoff(3, &network), Duration::from_secs(16));
        assert_eq!(backoff(40, &network), MAX_BACKOFF);
        let limited = ProviderError::RateLimited {
            url: String::new(),
            retry_after: Some(Duration::from_secs(7)),
        };
        assert_eq!(backoff(5, &limited), Duration::from_secs(7));
    }
}
