//! Keeps every account in step without being asked, for as long as the desktop app runs.
//!
//! - An edit is sent moments after it is made (the library wakes this loop).
//! - While an account's remote cannot be reached at all, its waiting edits are tried every few
//!   seconds whatever their backoff: a refused connection costs the remote nothing, and the edit
//!   lands as soon as the remote is back. A remote that answered "slow down" (429, 5xx) is left
//!   alone until its backoff ends.
//! - Every account is synced in full on an interval, sooner again after a failure.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::cache::Account;
use crate::library::{Library, LibraryError};
use crate::provider::ProviderError;
use crate::push::Urgency;
use crate::sync::SyncError;

/// The full-sync interval unless the user chose another.
pub const DEFAULT_INTERVAL_MINUTES: u32 = 5;
/// The longest interval offered: a day.
const MAX_INTERVAL_MINUTES: u32 = 24 * 60;

#[derive(Debug, thiserror::Error)]
pub enum AutosyncError {
    #[error("the sync interval is between 1 and {MAX_INTERVAL_MINUTES} minutes, not {0}")]
    Interval(u32),
}

/// The interval of `minutes`, when it is one the background sync accepts.
pub fn interval_from_minutes(minutes: u32) -> Result<Duration, AutosyncError> {
    if (1..=MAX_INTERVAL_MINUTES).contains(&minutes) {
        Ok(Duration::from_secs(u64::from(minutes) * 60))
    } else {
        Err(AutosyncError::Interval(minutes))
    }
}

/// How often things happen.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Between two full syncs of an account that answers.
    pub interval: Duration,
    /// Between two tries of the edits of an account that cannot be reached; also the first wait
    /// before syncing again after a failed sync, doubled at each further failure.
    pub retry: Duration,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing {
            interval: Duration::from_secs(u64::from(DEFAULT_INTERVAL_MINUTES) * 60),
            retry: Duration::from_secs(5),
        }
    }
}

/// What the loop remembers of one account.
struct Clock {
    next_sync: Instant,
    failed_syncs: u32,
    /// The last request found nothing listening (or no route): edits are tried at every round.
    unreachable: bool,
}

/// Runs until `stop`: syncs every account at once, then as [`Timing`] says. A new timing sent
/// on `timings` (the user changed the interval) applies at once: an account due sooner under
/// the new interval is synced sooner.
pub async fn run(
    library: Arc<Library>,
    mut timings: watch::Receiver<Timing>,
    stop: CancellationToken,
) {
    let mut clocks: HashMap<String, Clock> = HashMap::new();
    let mut timing = *timings.borrow_and_update();
    // Once the sender is gone the timing is final (a closed channel would wake the loop forever).
    let mut timing_may_change = true;
    loop {
        let accounts = match library.accounts() {
            Ok(accounts) => accounts,
            Err(error) => {
                tracing::error!(%error, "background sync cannot list the accounts");
                Vec::new()
            }
        };
        // A removed account's clock would otherwise keep waking the loop.
        clocks.retain(|id, _| accounts.iter().any(|account| &account.id == id));
        for changed in library.take_changed_accounts() {
            clocks.remove(&changed);
        }
        let pending = pending_edits(&library);
        for account in accounts {
            if stop.is_cancelled() {
                return;
            }
            let clock = clocks.entry(account.id.clone()).or_insert(Clock {
                next_sync: Instant::now(),
                failed_syncs: 0,
                unreachable: false,
            });
            if Instant::now() >= clock.next_sync {
                full_sync(&library, &account, clock, timing).await;
            } else if pending.get(&account.id).copied().unwrap_or(0) > 0 {
                send_edits(&library, &account, clock).await;
            }
        }
        let soonest = clocks.values().map(|c| c.next_sync).min();
        let wake_at = soonest.map_or(Instant::now() + timing.retry, |at| {
            at.min(Instant::now() + timing.retry)
        });
        tokio::select! {
            () = stop.cancelled() => return,
            () = library.edit_made() => {}
            () = tokio::time::sleep_until(wake_at) => {}
            changed = timings.changed(), if timing_may_change => {
                timing_may_change = changed.is_ok();
                if timing_may_change {
                    timing = *timings.borrow_and_update();
                    let latest = Instant::now() + timing.interval;
                    for clock in clocks.values_mut() {
                        clock.next_sync = clock.next_sync.min(latest);
                    }
                }
            }
        }
    }
}

/// Edits waiting per account: asked every round, so only the outbox is read.
fn pending_edits(library: &Library) -> HashMap<String, u32> {
    let counts = library
        .cache()
        .and_then(|cache| Ok(cache.pending_edit_counts()?));
    match counts {
        Ok(counts) => counts.into_iter().collect(),
        Err(error) => {
            tracing::warn!(%error, "background sync cannot count pending edits");
            HashMap::new()
        }
    }
}

async fn full_sync(library: &Library, account: &Account, clock: &mut Clock, timing: Timing) {
    match library.sync(account, Urgency::Background).await {
        Ok(_) => {
            clock.failed_syncs = 0;
            clock.unreachable = false;
            clock.next_sync = Instant::now() + timing.interval;
        }
        Err(error) => {
            clock.failed_syncs = clock.failed_syncs.saturating_add(1);
            clock.unreachable = is_unreachable(&error);
            let wait = timing
                .retry
                .saturating_mul(2u32.saturating_pow(clock.failed_syncs - 1))
                .min(timing.interval);
            clock.next_sync = Instant::now() + wait;
        }
    }
}

async fn send_edits(library: &Library, account: &Account, clock: &mut Clock) {
    let urgency = if clock.unreachable {
        Urgency::Now
    } else {
        Urgency::Background
    };
    match library.push_with(account, urgency).await {
        Ok(_) => {
            if clock.unreachable {
                // The remote is back: a full sync brings its status and listing up to date.
                clock.unreachable = false;
                clock.next_sync = Instant::now();
            }
        }
        Err(error) => {
            tracing::debug!(account = %account.name, %error, "edits wait for the remote");
            clock.unreachable = is_unreachable(&error);
        }
    }
}

/// Whether the request never reached a server (refused, no route, timed out connecting).
fn is_unreachable(error: &LibraryError) -> bool {
    matches!(
        error,
        LibraryError::Provider(ProviderError::Unreachable { .. })
            | LibraryError::Sync(SyncError::Provider(ProviderError::Unreachable { .. }))
    )
}
