//! The local SQLite cache: a mirror of every account's assets that answers all browsing offline.
//!
//! The schema is versioned through `PRAGMA user_version` and upgraded by [`migrations`]; a database
//! written by a newer Trove is refused rather than guessed at. The cache is a mirror, so a damaged
//! file is reported with its path (the user can move it aside and Trove rebuilds it from the remote).

mod accounts;
mod assets;
mod bulk;
mod migrations;
mod order;
mod outbox;
mod query;
mod search_index;
mod upload_index;
mod uploads;

use std::path::{Path, PathBuf};

pub use accounts::{Account, Credential, NewAccount};
pub use assets::UpsertOutcome;
pub use outbox::{merge_tags, Edit, PendingAsset, QueuedEdit};
pub use query::{FacetSource, TagTally};
pub use upload_index::{KnownContent, WatchedFolder};
pub use uploads::{NewUpload, ProbeOutcome, ProbedFile, UploadRow};

/// Errors of the cache. Each says which file and what was wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cannot open the cache database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the cache database {path} is damaged ({detail}); move it aside and Trove will rebuild the cache from your accounts")]
    Corrupt { path: PathBuf, detail: String },
    #[error("the cache database {path} was written by a newer Trove (schema version {found}, this build knows up to {supported}); update Trove to open it")]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("no account named or with id {0:?}")]
    UnknownAccount(String),
    #[error("no cached asset with id {0:?}")]
    UnknownAsset(String),
    #[error("{0}")]
    InvalidEdit(String),
    #[error("an account named {0:?} already exists")]
    DuplicateAccount(String),
    #[error("the cache holds a value it cannot read: {0}")]
    BadRow(String),
    #[error("cache database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// An open cache database. Cheap operations run on the caller's thread; callers in async code wrap
/// them in `spawn_blocking` or hold the cache behind a mutex.
pub struct Cache {
    conn: rusqlite::Connection,
    path: PathBuf,
    /// The last result resolved and the last filter counted, valid while the database is
    /// unchanged: a scrolling grid asks for many windows of one result (see [`query`]).
    last_result: std::cell::RefCell<Option<query::ResolvedResult>>,
    last_count: std::cell::RefCell<Option<query::CountMemo>>,
    order_ranks: std::cell::RefCell<Vec<order::OrderRanks>>,
    kinds_by_rowid: std::cell::RefCell<Option<order::KindsByRowid>>,
    planner: query::Planner,
}

impl Cache {
    /// Opens (creating if needed) the cache at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Cache, CacheError> {
        let conn = rusqlite::Connection::open(path).map_err(|source| CacheError::Open {
            path: path.to_owned(),
            source,
        })?;
        let mut cache = Cache {
            conn,
            path: path.to_owned(),
            last_result: std::cell::RefCell::new(None),
            last_count: std::cell::RefCell::new(None),
            order_ranks: std::cell::RefCell::new(Vec::new()),
            kinds_by_rowid: std::cell::RefCell::new(None),
            planner: query::Planner::default(),
        };
        cache.configure().map_err(|e| cache.classify(e))?;
        migrations::migrate(&mut cache.conn, &cache.path).map_err(|e| match e {
            CacheError::Sqlite(inner) => cache.classify(inner),
            other => other,
        })?;
        Ok(cache)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The first statement that reads the file is where a file that is not a database is noticed.
    fn configure(&self) -> rusqlite::Result<()> {
        // `rarray(?)`: a list of rowids bound as one parameter.
        rusqlite::vtab::array::load_module(&self.conn)?;
        self.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let _mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        // A large page cache and memory-mapped reads: a sync rewrites index pages and a scrolling
        // grid re-reads them; through read() each page would be copied from the OS every time.
        // Statement journals (every upsert has triggers) stay in memory instead of a temp file.
        self.conn.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;
                 PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824;
                 PRAGMA temp_store = MEMORY;",
        )
    }

    /// Turns SQLite's "not a database" and "malformed" codes into [`CacheError::Corrupt`] naming the file.
    fn classify(&self, error: rusqlite::Error) -> CacheError {
        if let rusqlite::Error::SqliteFailure(code, detail) = &error {
            if matches!(
                code.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ) {
                return CacheError::Corrupt {
                    path: self.path.clone(),
                    detail: detail.clone().unwrap_or_else(|| code.to_string()),
                };
            }
        }
        CacheError::Sqlite(error)
    }
}

#[cfg(test)]
mod bulk_tests;
#[cfg(test)]
mod query_tests;
#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod upload_tests;
