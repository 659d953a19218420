//! Sending one upload: the request from what probing recorded, progress a few times a second,
//! cancellation that drops the connection at once, and the verdict on a failure (retry later, or
//! give up with the reason). A retried or resumed upload first asks the remote whether the lost
//! attempt went through, so one file never makes two assets.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::{library_error, UploadError, UploadQueue, MAX_ATTEMPTS};
use crate::cache::UploadRow;
use crate::model::{Asset, TroveEvent};
use crate::provider::{Progress, ProviderError, UploadRequest};

/// Progress events at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// Bytes sent are written to the cache at most this often (the UI gets every event).
const PERSIST_EVERY: Duration = Duration::from_secs(1);
const LONGEST_BACKOFF: Duration = Duration::from_secs(60);
const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(300);

enum Outcome {
    Sent(Box<Asset>),
    Cancelled,
    Failed(UploadError),
}

impl UploadQueue {
    pub(super) async fn transfer(self: &Arc<Self>, row: UploadRow, token: CancellationToken) {
        let id = row.item.id;
        let outcome = tokio::select! {
            result = self.send(&row) => match result {
                Ok(asset) => Outcome::Sent(Box::new(asset)),
                Err(error) => Outcome::Failed(error),
            },
            _ = token.cancelled() => Outcome::Cancelled,
        };
        let recorded = match outcome {
            Outcome::Sent(asset) => self.record_sent(&row, &asset),
            Outcome::Cancelled => Ok(()),
            Outcome::Failed(error) => self.record_failure(&row, &error),
        };
        if let Err(error) = recorded {
            tracing::error!(%error, id, "could not record the end of an upload");
        }
        self.announce_id(id);
    }

    async fn send(self: &Arc<Self>, row: &UploadRow) -> Result<Asset, UploadError> {
        let account = self.cache()?.account(&row.item.account_id)?;
        let provider = self.library.provider(&account).map_err(library_error)?;
        let Some(probed) = &row.probed else {
            return Err(UploadError::Worker(format!(
                "upload #{} was queued without its probe",
                row.item.id
            )));
        };
        let request = UploadRequest {
            path: PathBuf::from(&row.item.path),
            name: row.item.name.clone(),
            kind: probed.kind,
            content_type: probed.content_type.clone(),
            size: probed.size,
            tags: row.item.tags.clone(),
        };
        // An earlier attempt (failed, or cut by a crash) may have reached the remote.
        if row.item.attempts > 1 {
            if let Some(asset) = provider.find_upload(&request, &row.created_at).await? {
                // The same name and size; the same bytes too, when the remote serves them.
                let remote_hash = match &asset.url {
                    Some(url) => provider.content_hash(url).await.unwrap_or(None),
                    None => None,
                };
                if remote_hash.is_none_or(|hash| hash == probed.hash) {
                    tracing::info!(id = row.item.id, asset = %asset.id, "an earlier attempt had gone through");
                    return Ok(fill_in_probed(asset, row));
                }
            }
        }
        let asset = provider
            .upload(&request, self.progress(row.item.id, probed.size))
            .await?;
        Ok(fill_in_probed(asset, row))
    }

    /// A callback that announces progress a few times a second and records it now and then.
    fn progress(self: &Arc<Self>, id: i64, total: u64) -> Progress {
        let queue = Arc::clone(self);
        let last = Mutex::new((Instant::now(), Instant::now()));
        Arc::new(move |sent: u64| {
            let Ok(mut last) = last.lock() else { return };
            let now = Instant::now();
            if now.duration_since(last.0) < PROGRESS_EVERY && sent < total {
                return;
            }
            last.0 = now;
            queue.library.emit(TroveEvent::UploadProgress {
                id,
                bytes_sent: sent,
                total,
            });
            if now.duration_since(last.1) >= PERSIST_EVERY {
                last.1 = now;
                if let Ok(cache) = queue.cache() {
                    if let Err(error) = cache.record_upload_progress(id, sent) {
                        tracing::warn!(%error, id, "could not record upload progress");
                    }
                }
            }
        })
    }

    fn record_sent(&self, row: &UploadRow, asset: &Asset) -> Result<(), UploadError> {
        self.cache()?.finish_upload(row.item.id, asset)?;
        self.library.emit(TroveEvent::LibraryChanged);
        Ok(())
    }

    fn record_failure(&self, row: &UploadRow, error: &UploadError) -> Result<(), UploadError> {
        let attempts = row.item.attempts;
        let retry_in = match error {
            UploadError::Provider(provider)
                if provider.is_transient() && attempts < MAX_ATTEMPTS =>
            {
                Some(backoff(provider, attempts))
            }
            _ => None,
        };
        let message = match retry_in {
            Some(_) => format!("attempt {attempts} of {MAX_ATTEMPTS} failed: {error}"),
            None if attempts >= MAX_ATTEMPTS => {
                format!("gave up after {attempts} attempts: {error}")
            }
            None => error.to_string(),
        };
        let retry_at = retry_in.map(|wait| {
            (chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default())
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        });
        tracing::warn!(id = row.item.id, path = %row.item.path, %message, "upload failed");
        self.cache()?
            .fail_upload(row.item.id, &message, retry_at.as_deref())?;
        Ok(())
    }
}

/// 1, 2, 4, ... seconds (at most a minute), or what the remote asked for with Retry-After.
fn backoff(error: &ProviderError, attempts: u32) -> Duration {
    match error {
        ProviderError::RateLimited {
            retry_after: Some(wait),
            ..
        } => (*wait).min(LONGEST_RETRY_AFTER),
        _ => Duration::from_secs(1 << attempts.saturating_sub(1).min(6)).min(LONGEST_BACKOFF),
    }
}

/// The remote's answer, with what the probe measured where the remote says nothing.
fn fill_in_probed(mut asset: Asset, row: &UploadRow) -> Asset {
    if let Some(probed) = &row.probed {
        asset.width = asset.width.or(probed.width);
        asset.height = asset.height.or(probed.height);
        asset.duration_s = asset.duration_s.or(probed.duration_s);
        asset.size = asset.size.or(i64::try_from(probed.size).ok());
    }
    asset
}
