//! Remote accounts as the settings screen manages them. An account is added with an API key that
//! goes straight to the OS keychain ([`crate::keychain`]) and never into Trove's files; it can be
//! tested before it is saved, changed (name, address, key) and removed. A removal that would
//! throw away edits or uploads not yet sent must be forced: nothing a user did goes silently.
//! Here too: where an account's key is read from when it is used, and the note to the background
//! sync that an account changed.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use ts_rs::TS;

use crate::cache::{Account, CacheError, Credential, NewAccount};
use crate::keychain::{self, KeychainError};
use crate::library::{Library, LibraryError};
use crate::model::TroveEvent;
use crate::provider::{self, ProviderError, KNOWN_PROVIDERS};

/// Longest account name accepted (it is shown in a selector and the status bar).
const MAX_NAME_CHARS: usize = 80;

/// What the settings form sends to add or change an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AccountForm {
    pub name: String,
    /// The provider adapter's key (`local` for a team's Trove server, `sixtyseconds`).
    pub provider: String,
    pub base_url: String,
    /// The API key. When changing an account, empty keeps the one in the keychain.
    pub api_key: String,
}

/// An account as the settings screen lists it: never with its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AccountSettings {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub base_url: String,
    /// Where the key lives, in words ("the OS keychain", "environment variable TEAM_KEY").
    pub key_source: String,
    /// False for the Local library, which Trove runs itself.
    pub editable: bool,
}

/// A provider the settings screen offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProviderChoice {
    pub key: String,
    pub label: String,
}

/// What removing an account would discard: edits and uploads that exist nowhere else yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UnsentWork {
    pub name: String,
    pub edits: u32,
    pub uploads: u32,
}

/// What a connection test found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConnectionReport {
    /// Assets in the account, when the API reports a total.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// Assets on the first page the test read.
    pub first_page: u32,
}

#[derive(Debug, Error)]
pub enum AccountError {
    #[error("an account needs a name")]
    NoName,
    #[error("an account name has at most {MAX_NAME_CHARS} characters; this one has {0}")]
    NameTooLong(usize),
    #[error("an account named {0:?} exists already")]
    Duplicate(String),
    #[error("unknown provider {0:?} (known: {known})", known = KNOWN_PROVIDERS.join(", "))]
    UnknownProvider(String),
    #[error("the address must be an http:// or https:// URL with a host, got {0:?}")]
    BadAddress(String),
    #[error("an API key is needed")]
    NoKey,
    #[error("the Local library is run by Trove itself: it cannot be changed or removed")]
    LocalLibrary,
    #[error("{} has {} edits and {} uploads not sent yet; removing it discards them", .0.name, .0.edits, .0.uploads)]
    UnsentWork(UnsentWork),
    #[error("the connection test failed: {0}")]
    Connection(#[source] ProviderError),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error(transparent)]
    Library(#[from] LibraryError),
}

impl From<CacheError> for AccountError {
    fn from(error: CacheError) -> AccountError {
        match error {
            CacheError::DuplicateAccount(name) => AccountError::Duplicate(name),
            other => AccountError::Library(other.into()),
        }
    }
}

/// The providers an account can be added for, with the names people know them by.
pub fn provider_choices() -> Vec<ProviderChoice> {
    KNOWN_PROVIDERS
        .iter()
        .map(|key| ProviderChoice {
            key: (*key).to_owned(),
            label: match *key {
                "local" => "Trove server (a team's shared library)".to_owned(),
                "sixtyseconds" => "Sixty Seconds (cdn.sixtyseconds.video)".to_owned(),
                other => other.to_owned(),
            },
        })
        .collect()
}

/// The form with its name and address trimmed, or why it cannot be saved.
fn checked(form: &AccountForm) -> Result<AccountForm, AccountError> {
    let name = form.name.trim();
    if name.is_empty() {
        return Err(AccountError::NoName);
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(AccountError::NameTooLong(chars));
    }
    if !KNOWN_PROVIDERS.contains(&form.provider.as_str()) {
        return Err(AccountError::UnknownProvider(form.provider.clone()));
    }
    let base_url = form.base_url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(base_url)
        .map_err(|_| AccountError::BadAddress(form.base_url.clone()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(AccountError::BadAddress(form.base_url.clone()));
    }
    Ok(AccountForm {
        name: name.to_owned(),
        provider: form.provider.clone(),
        base_url: base_url.to_owned(),
        api_key: form.api_key.trim().to_owned(),
    })
}

fn settings_of(account: Account) -> AccountSettings {
    let (key_source, editable) = match &account.credential {
        Credential::InProcess => ("made afresh at every start".to_owned(), false),
        Credential::Env(var) => (format!("environment variable {var}"), true),
        Credential::Keychain => ("the OS keychain".to_owned(), true),
    };
    AccountSettings {
        id: account.id,
        name: account.name,
        provider: account.provider,
        base_url: account.base_url,
        key_source,
        editable,
    }
}

impl Library {
    /// An account was added, changed or removed: the background sync looks again at once, and
    /// syncs that account now (a new address or key may well answer where the old did not).
    pub(crate) fn account_changed(&self, account_id: &str) {
        if let Ok(mut changed) = self.changed_accounts.lock() {
            changed.insert(account_id.to_owned());
        }
        self.edits_made.notify_one();
        (self.events)(TroveEvent::LibraryChanged);
    }

    /// The accounts changed since the last call (see [`Library::account_changed`]).
    pub(crate) fn take_changed_accounts(&self) -> std::collections::HashSet<String> {
        self.changed_accounts
            .lock()
            .map(|mut changed| std::mem::take(&mut *changed))
            .unwrap_or_default()
    }

    /// Where `account`'s remote listens and the key it takes, from wherever the key lives.
    pub(crate) fn endpoint(&self, account: &Account) -> Result<(String, String), LibraryError> {
        Ok(match &account.credential {
            Credential::InProcess => {
                let local = self.local.lock().map_err(|_| LibraryError::Poisoned)?;
                let endpoint = local.as_ref().ok_or(LibraryError::LocalNotRunning)?;
                (endpoint.base_url.clone(), endpoint.api_key.clone())
            }
            Credential::Env(var) => {
                let key = std::env::var(var).map_err(|_| LibraryError::MissingKey {
                    account: account.name.clone(),
                    var: var.clone(),
                })?;
                (account.base_url.clone(), key)
            }
            Credential::Keychain => {
                let key = crate::keychain::load(&account.id).map_err(|source| {
                    LibraryError::Keychain {
                        account: account.name.clone(),
                        source,
                    }
                })?;
                (account.base_url.clone(), key)
            }
        })
    }

    pub fn account_settings(&self) -> Result<Vec<AccountSettings>, AccountError> {
        Ok(self.accounts()?.into_iter().map(settings_of).collect())
    }

    /// Adds an account whose key goes to the OS keychain. When the keychain refuses it, the
    /// account is not added. The background sync is woken, so its assets start arriving at once.
    pub fn create_account(&self, form: &AccountForm) -> Result<AccountSettings, AccountError> {
        let form = checked(form)?;
        if form.api_key.is_empty() {
            return Err(AccountError::NoKey);
        }
        let account = self.cache()?.add_account(NewAccount {
            name: form.name,
            provider: form.provider,
            base_url: form.base_url,
            credential: Credential::Keychain,
        })?;
        if let Err(error) = keychain::store(&account.id, &form.api_key) {
            if let Err(undo) = self.cache()?.remove_account(&account.id) {
                tracing::error!(%undo, account = %account.name, "an account without its key stays");
            }
            return Err(error.into());
        }
        tracing::info!(account = %account.name, provider = %account.provider, "account added");
        self.account_changed(&account.id);
        Ok(settings_of(account))
    }

    /// Changes an account's name and address, and its key when the form has one (the provider
    /// stays: the cached assets are that provider's). An account whose key came from an
    /// environment variable moves to the keychain when it is given a key here.
    pub fn change_account(
        &self,
        account_id: &str,
        form: &AccountForm,
    ) -> Result<AccountSettings, AccountError> {
        let account = self.account(account_id)?;
        if account.credential == Credential::InProcess {
            return Err(AccountError::LocalLibrary);
        }
        let form = checked(&AccountForm {
            provider: account.provider.clone(),
            ..form.clone()
        })?;
        // Every refusal comes before the first change: a taken name must not leave a new key.
        let taken = self
            .accounts()?
            .into_iter()
            .any(|other| other.id != account.id && other.name == form.name);
        if taken {
            return Err(AccountError::Duplicate(form.name));
        }
        if !form.api_key.is_empty() {
            keychain::store(&account.id, &form.api_key)?;
            if account.credential != Credential::Keychain {
                self.cache()?
                    .set_account_credential(&account.id, &Credential::Keychain)?;
            }
        }
        self.cache()?
            .update_account(&account.id, &form.name, &form.base_url)?;
        self.account_changed(&account.id);
        Ok(settings_of(self.account(&account.id)?))
    }

    /// Removes an account, what is cached of it and its key. Edits or uploads not sent yet make
    /// this fail with [`AccountError::UnsentWork`] unless `force`.
    pub fn remove_account(&self, account_id: &str, force: bool) -> Result<(), AccountError> {
        let account = self.account(account_id)?;
        if account.credential == Credential::InProcess {
            return Err(AccountError::LocalLibrary);
        }
        let (edits, uploads) = self.cache()?.unsent_work(&account.id)?;
        if (edits > 0 || uploads > 0) && !force {
            return Err(AccountError::UnsentWork(UnsentWork {
                name: account.name,
                edits,
                uploads,
            }));
        }
        self.cache()?.remove_account(&account.id)?;
        if account.credential == Credential::Keychain {
            // The account is gone either way; a key left behind is only untidy.
            if let Err(error) = keychain::forget(&account.id) {
                tracing::warn!(%error, account = %account.name, "key left in the keychain");
            }
        }
        tracing::info!(account = %account.name, edits, uploads, "account removed");
        self.account_changed(&account.id);
        Ok(())
    }

    /// Reads the first page of the account the form describes. When `existing` is given and the
    /// form has no key, that account's stored key is used.
    pub async fn test_connection(
        &self,
        form: &AccountForm,
        existing: Option<&str>,
    ) -> Result<ConnectionReport, AccountError> {
        let mut form = checked(form)?;
        if form.api_key.is_empty() {
            let account = match existing {
                Some(id) => self.account(id)?,
                None => return Err(AccountError::NoKey),
            };
            form.provider = account.provider.clone();
            form.api_key = self.endpoint(&account)?.1;
        }
        let remote = provider::connect(
            &form.provider,
            "connection-test",
            &form.base_url,
            form.api_key,
        )
        .map_err(AccountError::Connection)?;
        let page = remote
            .list_page(&remote.first_page())
            .await
            .map_err(AccountError::Connection)?;
        Ok(ConnectionReport {
            total: page.total,
            first_page: u32::try_from(page.items.len()).unwrap_or(u32::MAX),
        })
    }
}
