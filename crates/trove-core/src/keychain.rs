//! API keys in the operating system's keychain (Keychain on macOS, the Credential Manager on
//! Windows, the Secret Service — GNOME Keyring, KWallet — on Linux), never in Trove's files.
//!
//! Each key is stored under the service [`SERVICE`] and the account's id, so renaming an account
//! keeps its key. Nothing here logs a key, and no error message carries one.

use thiserror::Error;

/// The keychain service every Trove key is filed under.
pub const SERVICE: &str = "dev.trove.desktop";

#[derive(Debug, Error)]
pub enum KeychainError {
    #[error("the OS keychain cannot be reached ({0}); on Linux a Secret Service (GNOME Keyring or KWallet) must be running and unlocked")]
    Unavailable(String),
    #[error("the OS keychain holds no API key for account {0:?}")]
    NotFound(String),
    #[error("the OS keychain refused the API key of account {account:?}: {cause}")]
    Refused { account: String, cause: String },
}

fn entry(account_id: &str) -> Result<keyring::Entry, KeychainError> {
    keyring::Entry::new(SERVICE, account_id).map_err(|error| classify(account_id, error))
}

fn classify(account_id: &str, error: keyring::Error) -> KeychainError {
    match error {
        keyring::Error::NoEntry => KeychainError::NotFound(account_id.to_owned()),
        keyring::Error::PlatformFailure(cause) | keyring::Error::NoStorageAccess(cause) => {
            KeychainError::Unavailable(cause.to_string())
        }
        other => KeychainError::Refused {
            account: account_id.to_owned(),
            cause: other.to_string(),
        },
    }
}

/// Files `key` for `account_id`, replacing any key it had.
pub fn store(account_id: &str, key: &str) -> Result<(), KeychainError> {
    entry(account_id)?
        .set_password(key)
        .map_err(|error| classify(account_id, error))
}

/// The key filed for `account_id`.
pub fn load(account_id: &str) -> Result<String, KeychainError> {
    entry(account_id)?
        .get_password()
        .map_err(|error| classify(account_id, error))
}

/// Removes the key of `account_id`; a key that was not there is not an error.
pub fn forget(account_id: &str) -> Result<(), KeychainError> {
    match entry(account_id)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(error) => Err(classify(account_id, error)),
    }
}

#[cfg(test)]
mod tests {
    //! Against the real keychain of the session (`scripts/test.sh` runs the suites inside a
    //! D-Bus session with GNOME Keyring unlocked).
    use super::*;

    fn unique_account() -> String {
        format!("acc_test_{:016x}", rand::random::<u64>())
    }

    #[test]
    fn a_key_is_stored_read_replaced_and_forgotten() {
        let account = unique_account();
        assert!(matches!(load(&account), Err(KeychainError::NotFound(a)) if a == account));
        store(&account, "first-key").unwrap();
        assert_eq!(load(&account).unwrap(), "first-key");
        store(&account, "second-key ✓").unwrap();
        assert_eq!(load(&account).unwrap(), "second-key ✓");
        forget(&account).unwrap();
        assert!(matches!(load(&account), Err(KeychainError::NotFound(_))));
        // Forgetting twice is fine: removing an account whose key is already gone must not fail.
        forget(&account).unwrap();
    }

    #[test]
    fn keys_of_two_accounts_stay_apart() {
        let (one, two) = (unique_account(), unique_account());
        store(&one, "key-one").unwrap();
        store(&two, "key-two").unwrap();
        assert_eq!(load(&one).unwrap(), "key-one");
        assert_eq!(load(&two).unwrap(), "key-two");
        forget(&one).unwrap();
        assert_eq!(load(&two).unwrap(), "key-two");
        forget(&two).unwrap();
    }
}
