//! Actions on many assets at once (the grid's multi-selection): which assets a selection means,
//! one edit applied to all of them as one change, and the check of fresh usage counts that comes
//! before deleting them, naming every selected asset that is still in use.
//!
//! A selection made with "select all" is sent as the query it selected, less what was unticked,
//! so selecting a hundred thousand assets costs the window nothing.

use std::collections::HashSet;

use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cache::{Account, Edit};
use crate::library::{Library, LibraryError};
use crate::model::AssetQuery;
use crate::provider::ProviderError;

/// Usage counts fetched at once while checking a bulk delete.
const USAGE_FETCHES_AT_ONCE: usize = 8;

/// One asset, by account and the provider's id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct AssetKey {
    pub account_id: String,
    pub id: String,
}

/// The assets a bulk action applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Selection {
    /// Picked one by one.
    Assets { keys: Vec<AssetKey> },
    /// Everything `query` selects (its window ignored), but `except`.
    Matching {
        query: AssetQuery,
        except: Vec<AssetKey>,
    },
}

/// An edit a user makes to the selected assets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum AssetEdit {
    Rename { name: String },
    AddTag { tag: String },
    RemoveTag { tag: String },
}

impl AssetEdit {
    fn to_edit(&self) -> Edit {
        match self {
            AssetEdit::Rename { name } => Edit::Rename(name.clone()),
            AssetEdit::AddTag { tag } => Edit::AddTag(tag.clone()),
            AssetEdit::RemoveTag { tag } => Edit::RemoveTag(tag.clone()),
        }
    }
}

/// What a bulk edit did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EditSummary {
    /// Assets changed (and queued for their remote).
    pub changed: u32,
    /// Assets the edit would not change (the tag was already there).
    pub unchanged: u32,
    /// Assets no longer in the cache (removed by a sync since they were selected).
    pub missing: u32,
}

/// A selected asset that is in use, by its fresh counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AssetInUse {
    pub key: AssetKey,
    pub name: String,
    pub used_in_videos: u32,
    pub used_in_templates: u32,
    pub last_used: Option<String>,
}

/// A selected asset whose usage could not be fetched, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageUnknown {
    pub key: AssetKey,
    pub name: String,
    pub reason: String,
}

/// What deleting a selection would do, by fresh usage counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct DeleteCheck {
    /// Assets selected.
    pub total: u32,
    pub in_use: Vec<AssetInUse>,
    pub unknown: Vec<UsageUnknown>,
}

impl DeleteCheck {
    /// Nothing selected is in use, as far as every account answered.
    pub fn is_clear(&self) -> bool {
        self.in_use.is_empty() && self.unknown.is_empty()
    }
}

/// What a bulk delete did: `deleted` is 0 and `check` says why when it refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DeleteOutcome {
    pub deleted: u32,
    pub check: DeleteCheck,
}

impl Library {
    /// The assets a selection means, each once.
    pub fn resolve(&self, selection: &Selection) -> Result<Vec<AssetKey>, LibraryError> {
        let (keys, except) = match selection {
            Selection::Assets { keys } => (keys.clone(), HashSet::new()),
            Selection::Matching { query, except } => (
                self.cache()?.keys_matching(query)?,
                except.iter().collect::<HashSet<_>>(),
            ),
        };
        let mut seen = HashSet::with_capacity(keys.len());
        Ok(keys
            .iter()
            .filter(|key| !except.contains(key) && seen.insert(*key))
            .cloned()
            .collect())
    }

    /// Applies `edit` to every selected asset at once; each reaches its remote on the next push.
    /// An invalid name or tag is refused with the reason and changes nothing.
    pub fn edit_selection(
        &self,
        selection: &Selection,
        edit: &AssetEdit,
    ) -> Result<EditSummary, LibraryError> {
        let keys = self.resolve(selection)?;
        let summary = self.cache()?.apply_edit_to_many(&keys, &edit.to_edit())?;
        if summary.changed > 0 {
            self.edited();
        }
        Ok(summary)
    }

    /// Fetches the usage of every selected asset afresh and lists those in use, and those whose
    /// account could not say.
    pub async fn check_delete(&self, selection: &Selection) -> Result<DeleteCheck, LibraryError> {
        let keys = self.resolve(selection)?;
        let accounts = self.accounts()?;
        // Made before they are streamed: a closure inside the stream's type would make the
        // future's `Send` proof depend on a lifetime the compiler cannot generalise.
        let fetches: Vec<_> = keys
            .iter()
            .map(|key| self.usage_of(&accounts, key))
            .collect();
        let checks = stream::iter(fetches)
            .buffer_unordered(USAGE_FETCHES_AT_ONCE)
            .collect::<Vec<_>>()
            .await;
        let mut check = DeleteCheck {
            total: u32::try_from(keys.len()).unwrap_or(u32::MAX),
            ..DeleteCheck::default()
        };
        // The fresh counts are kept in the cache; the grid is told once, not once per asset.
        if checks.iter().any(|(_, changed)| *changed) {
            self.emit(crate::model::TroveEvent::LibraryChanged);
        }
        for (result, _) in checks {
            match result {
                Usage::Unused => {}
                Usage::InUse(asset) => check.in_use.push(asset),
                Usage::Unknown(asset) => check.unknown.push(asset),
            }
        }
        check.in_use.sort_by(|a, b| a.name.cmp(&b.name));
        check.unknown.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(check)
    }

    /// Deletes the selection. Unless `force`, usage is fetched fresh first and nothing is deleted
    /// when any selected asset is in use or its usage is unknown: the outcome says which.
    pub async fn delete_selection(
        &self,
        selection: &Selection,
        force: bool,
    ) -> Result<DeleteOutcome, LibraryError> {
        let check = if force {
            DeleteCheck::default()
        } else {
            self.check_delete(selection).await?
        };
        if !check.is_clear() {
            return Ok(DeleteOutcome { deleted: 0, check });
        }
        let keys = self.resolve(selection)?;
        let summary = self.cache()?.apply_edit_to_many(&keys, &Edit::Delete)?;
        if summary.changed > 0 {
            self.edited();
        }
        Ok(DeleteOutcome {
            deleted: summary.changed,
            check,
        })
    }

    /// One selected asset's usage, fresh (and whether that changed the cached row); named by the
    /// cached row when the account is gone.
    async fn usage_of(&self, accounts: &[Account], key: &AssetKey) -> (Usage, bool) {
        let account = accounts.iter().find(|a| a.id == key.account_id);
        let name = || {
            self.find_asset(&key.id, account)
                .map(|asset| asset.name)
                .unwrap_or_else(|_| key.id.clone())
        };
        let Some(account) = account else {
            let reason = format!("no account with id {}", key.account_id);
            return (
                Usage::Unknown(UsageUnknown {
                    key: key.clone(),
                    name: name(),
                    reason,
                }),
                false,
            );
        };
        let (usage, changed) = self.fresh_usage(account, &key.id).await;
        let usage = match usage {
            FreshUsage::Unused => Usage::Unused,
            FreshUsage::InUse(asset) => Usage::InUse(asset),
            FreshUsage::Unknown(reason) => Usage::Unknown(UsageUnknown {
                key: key.clone(),
                name: name(),
                reason,
            }),
        };
        (usage, changed)
    }

    /// Whether the asset is in use, by counts fetched from its account now. The one rule for
    /// every delete, of one asset or of a selection. The counts are kept in the cache; the flag
    /// says whether that changed the cached row (the caller tells the grid).
    pub(crate) async fn fresh_usage(&self, account: &Account, id: &str) -> (FreshUsage, bool) {
        match self.fetch_into_cache(account, id).await {
            Ok((fresh, changed)) => {
                let videos = fresh.used_in_videos.unwrap_or(0);
                let templates = fresh.used_in_templates.unwrap_or(0);
                if videos + templates == 0 {
                    return (FreshUsage::Unused, changed);
                }
                let used = AssetInUse {
                    key: AssetKey {
                        account_id: account.id.clone(),
                        id: id.to_owned(),
                    },
                    name: fresh.name,
                    used_in_videos: videos,
                    used_in_templates: templates,
                    last_used: fresh.last_used,
                };
                (FreshUsage::InUse(used), changed)
            }
            // Already gone remotely: nothing can be using it there.
            Err(LibraryError::Provider(ProviderError::NotFound { .. })) => {
                (FreshUsage::Unused, false)
            }
            Err(error) => (FreshUsage::Unknown(error.to_string()), false),
        }
    }
}

/// What a fresh usage check found for one asset.
pub(crate) enum FreshUsage {
    Unused,
    InUse(AssetInUse),
    /// The account could not say, and why.
    Unknown(String),
}

enum Usage {
    Unused,
    InUse(AssetInUse),
    Unknown(UsageUnknown),
}
