//! Accounts and their sync state. API keys are never stored here: an account records only where its
//! key comes from.

use rusqlite::{params, OptionalExtension};

use super::{Cache, CacheError};
use crate::model::{AccountStatus, Connectivity};

/// Where an account's API key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// The Local library run in-process by the app or the CLI: its key is made afresh at every start
    /// and only ever held in memory.
    InProcess,
    /// An environment variable holding the key (for scripting and CI).
    Env(String),
    /// The OS keychain, filed under the account's id ([`crate::keychain`]).
    Keychain,
}

impl Credential {
    fn encode(&self) -> String {
        match self {
            Credential::InProcess => "in-process".to_owned(),
            Credential::Env(var) => format!("env:{var}"),
            Credential::Keychain => "keychain".to_owned(),
        }
    }

    fn decode(text: &str) -> Result<Credential, CacheError> {
        match text.split_once(':') {
            None if text == "in-process" => Ok(Credential::InProcess),
            None if text == "keychain" => Ok(Credential::Keychain),
            Some(("env", var)) if !var.is_empty() => Ok(Credential::Env(var.to_owned())),
            _ => Err(CacheError::BadRow(format!("unknown credential {text:?}"))),
        }
    }
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
    /// The provider adapter's key, e.g. `local` or `sixtyseconds`.
    pub provider: String,
    pub base_url: String,
    pub credential: Credential,
}

/// What `add_account` needs.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub name: String,
    pub provider: String,
    pub base_url: String,
    pub credential: Credential,
}

fn new_account_id() -> String {
    use rand::Rng;
    let bytes: [u8; 8] = rand::thread_rng().gen();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("acc_{hex}")
}

impl Cache {
    pub fn add_account(&mut self, new: NewAccount) -> Result<Account, CacheError> {
        let account = Account {
            id: new_account_id(),
            name: new.name,
            provider: new.provider,
            base_url: new.base_url,
            credential: new.credential,
        };
        let tx = self.conn.transaction()?;
        let inserted = tx.execute(
            "INSERT INTO accounts (id, name, provider, base_url, credential, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(name) DO NOTHING",
            params![
                account.id,
                account.name,
                account.provider,
                account.base_url,
                account.credential.encode(),
                crate::now_rfc3339()
            ],
        )?;
        if inserted == 0 {
            return Err(CacheError::DuplicateAccount(account.name));
        }
        tx.execute(
            "INSERT INTO sync_state (account_id) VALUES (?1)",
            [&account.id],
        )?;
        tx.commit()?;
        Ok(account)
    }

    /// The in-process Local library listens on a new port at every start.
    pub fn set_account_base_url(&self, account_id: &str, base_url: &str) -> Result<(), CacheError> {
        let changed = self.conn.execute(
            "UPDATE accounts SET base_url = ?2 WHERE id = ?1",
            params![account_id, base_url],
        )?;
        if changed == 0 {
            return Err(CacheError::UnknownAccount(account_id.to_owned()));
        }
        Ok(())
    }

    /// Renames an account and points it at another address; its assets and edits stay.
    pub fn update_account(
        &self,
        account_id: &str,
        name: &str,
        base_url: &str,
    ) -> Result<(), CacheError> {
        let taken: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM accounts WHERE name = ?1 AND id <> ?2",
                params![name, account_id],
                |row| row.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(CacheError::DuplicateAccount(name.to_owned()));
        }
        let changed = self.conn.execute(
            "UPDATE accounts SET name = ?2, base_url = ?3 WHERE id = ?1",
            params![account_id, name, base_url],
        )?;
        if changed == 0 {
            return Err(CacheError::UnknownAccount(account_id.to_owned()));
        }
        Ok(())
    }

    /// Records where an account's key now comes from.
    pub fn set_account_credential(
        &self,
        account_id: &str,
        credential: &Credential,
    ) -> Result<(), CacheError> {
        self.conn.execute(
            "UPDATE accounts SET credential = ?2 WHERE id = ?1",
            params![account_id, credential.encode()],
        )?;
        Ok(())
    }

    /// What removing an account would throw away that exists nowhere else: edits not yet sent
    /// (or refused and not yet looked at) and uploads not yet done.
    pub fn unsent_work(&self, account_id: &str) -> Result<(u32, u32), CacheError> {
        Ok(self.conn.query_row(
            &format!(
                "SELECT (SELECT COUNT(*) FROM outbox WHERE account_id = ?1),
                        (SELECT COUNT(*) FROM uploads WHERE account_id = ?1 AND {})",
                super::uploads::UNFINISHED
            ),
            [account_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    }

    /// Removes an account with everything cached of it (assets, edits, uploads, watched folders:
    /// the schema cascades). Returns whether it existed.
    pub fn remove_account(&mut self, account_id: &str) -> Result<bool, CacheError> {
        let tx = self.conn.transaction()?;
        let removed = tx.execute("DELETE FROM accounts WHERE id = ?1", [account_id])?;
        // The assets went with it: their words leave the search index in the same transaction.
        super::search_index::refresh(&tx)?;
        tx.commit()?;
        Ok(removed > 0)
    }

    pub fn accounts(&self) -> Result<Vec<Account>, CacheError> {
        let mut statement = self.conn.prepare(
            "SELECT id, name, provider, base_url, credential FROM accounts ORDER BY created_at, name",
        )?;
        let rows = statement.query_map([], account_from_row)?;
        rows.map(|row| row?).collect()
    }

    /// Finds an account by id or by name.
    pub fn account(&self, id_or_name: &str) -> Result<Account, CacheError> {
        self.conn
            .query_row(
                "SELECT id, name, provider, base_url, credential FROM accounts
                 WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1",
                [id_or_name],
                account_from_row,
            )
            .optional()?
            .ok_or_else(|| CacheError::UnknownAccount(id_or_name.to_owned()))?
    }

    pub fn record_sync_start(&self, account_id: &str) -> Result<(), CacheError> {
        self.conn.execute(
            "UPDATE sync_state SET connectivity = 'syncing', listed = 0, listing_total = NULL
             WHERE account_id = ?1",
            [account_id],
        )?;
        Ok(())
    }

    /// How far the running listing has got, for `trove status` in another process.
    pub fn record_sync_progress(
        &self,
        account_id: &str,
        listed: u32,
        total: Option<u64>,
    ) -> Result<(), CacheError> {
        self.conn.execute(
            "UPDATE sync_state SET listed = ?2, listing_total = ?3 WHERE account_id = ?1",
            params![
                account_id,
                listed,
                total.and_then(|t| i64::try_from(t).ok())
            ],
        )?;
        Ok(())
    }

    /// Records how a sync ended: online with the time, or offline with the reason.
    pub fn record_sync_end(&self, account_id: &str, error: Option<&str>) -> Result<(), CacheError> {
        match error {
            None => self.conn.execute(
                "UPDATE sync_state SET connectivity = 'online', last_sync_at = ?2, last_error = NULL
                 WHERE account_id = ?1",
                params![account_id, crate::now_rfc3339()],
            )?,
            Some(message) => self.conn.execute(
                "UPDATE sync_state SET connectivity = 'offline', last_error = ?2 WHERE account_id = ?1",
                params![account_id, message],
            )?,
        };
        Ok(())
    }

    pub fn account_statuses(&self) -> Result<Vec<AccountStatus>, CacheError> {
        let mut statement = self.conn.prepare(
            "SELECT a.id, a.name, a.provider, s.connectivity, s.last_sync_at, s.last_error,
                    (SELECT COUNT(*) FROM assets WHERE account_id = a.id),
                    (SELECT COUNT(*) FROM outbox WHERE account_id = a.id AND rejected = 0),
                    (SELECT COUNT(*) FROM outbox WHERE account_id = a.id AND rejected = 1),
                    s.listed, s.listing_total
             FROM accounts a LEFT JOIN sync_state s ON s.account_id = a.id
             ORDER BY a.created_at, a.name",
        )?;
        let rows = statement.query_map([], |row| {
            let connectivity: Option<String> = row.get(3)?;
            let syncing = connectivity.as_deref() == Some("syncing");
            Ok(AccountStatus {
                account_id: row.get(0)?,
                name: row.get(1)?,
                provider: row.get(2)?,
                connectivity: match connectivity.as_deref() {
                    Some("online") => Connectivity::Online,
                    Some("offline") => Connectivity::Offline,
                    Some("syncing") => Connectivity::Syncing,
                    _ => Connectivity::Unknown,
                },
                last_sync_at: row.get(4)?,
                last_error: row.get(5)?,
                sync_listed: if syncing { row.get(9)? } else { None },
                sync_total: if syncing { row.get(10)? } else { None },
                asset_count: row.get(6)?,
                pending_edits: row.get(7)?,
                rejected_edits: row.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn account_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Account, CacheError>> {
    let (id, name, provider, base_url, credential): (String, String, String, String, String) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    );
    Ok(Credential::decode(&credential).map(|credential| Account {
        id,
        name,
        provider,
        base_url,
        credential,
    }))
}
