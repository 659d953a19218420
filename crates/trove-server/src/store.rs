//! The server's storage: asset metadata in SQLite (WAL) and the bytes in a content-addressed
//! directory (`blobs/ab/abcdef…`, named by BLAKE3). A blob is moved into place (fsync + rename)
//! before its row is committed, so a crash leaves at worst an unreferenced blob, never a row
//! without its bytes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{params, OptionalExtension};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot prepare the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("storage I/O failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database lock was poisoned")]
    Poisoned,
}

/// One stored asset row.
#[derive(Debug, Clone)]
pub struct StoredAsset {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub content_type: String,
    pub size: i64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration: Option<f64>,
    pub tags: Vec<String>,
    pub blob: String,
    pub created_at: String,
    pub updated_at: Option<String>,
    pub last_used: Option<String>,
    pub used_in_videos: u32,
    pub used_in_templates: u32,
}

/// A listing's total, and the database version it was counted at: a client paging through a
/// listing asks for the same total once per page, and counting is the costly part of a page.
#[derive(Default)]
pub struct CountMemo(Option<(String, (i64, u64), u64)>);

/// Filters of the listing.
pub struct ListFilter<'a> {
    pub kind: Option<&'a str>,
    pub tag: Option<&'a str>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<rusqlite::Connection>>,
    root: PathBuf,
    count_memo: Arc<Mutex<CountMemo>>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS assets (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL,
    content_type      TEXT NOT NULL,
    size              INTEGER NOT NULL,
    width             INTEGER,
    height            INTEGER,
    duration          REAL,
    tags_json         TEXT NOT NULL,
    blob              TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT,
    last_used         TEXT,
    used_in_videos    INTEGER NOT NULL DEFAULT 0,
    used_in_templates INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS assets_by_kind ON assets(kind, seq);
CREATE TABLE IF NOT EXISTS asset_tags (
    seq INTEGER NOT NULL REFERENCES assets(seq) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (tag, seq)
);
";

const COLUMNS: &str =
    "id, name, kind, content_type, size, width, height, duration, tags_json, blob, \
    created_at, updated_at, last_used, used_in_videos, used_in_templates";

impl Store {
    pub fn open(root: &Path) -> Result<Store, StoreError> {
        for dir in [root.to_owned(), root.join("blobs"), root.join("tmp")] {
            std::fs::create_dir_all(&dir)
                .map_err(|source| StoreError::DataDir { path: dir, source })?;
        }
        remove_interrupted_uploads(&root.join("tmp"));
        let conn = rusqlite::Connection::open(root.join("library.sqlite3"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        // Listings page through the whole table: keep it in memory rather than re-reading it from
        // the OS through read() for every page.
        conn.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;
             PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456;",
        )?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            root: root.to_owned(),
            count_memo: Arc::default(),
        })
    }

    /// The listing totals remembered between pages.
    pub fn count_memo(&self) -> Arc<Mutex<CountMemo>> {
        self.count_memo.clone()
    }

    /// Where uploads are written before they are complete; on the same filesystem as the blobs so
    /// that the final rename is atomic.
    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    pub fn blob_path(&self, hash: &str) -> PathBuf {
        let prefix = hash.get(..2).unwrap_or("00");
        self.root.join("blobs").join(prefix).join(hash)
    }

    /// Runs `work` on the connection off the async runtime.
    pub async fn with<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| StoreError::Poisoned)?;
            work(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))?
    }

    /// Moves a complete, already synced temp file into the blob store under its hash. Called with
    /// the database lock held, so that a delete never removes a blob an upload is about to name.
    pub fn place_blob(&self, temp: tempfile::NamedTempFile, hash: &str) -> Result<(), StoreError> {
        let target = self.blob_path(hash);
        let parent = target.parent().unwrap_or(&self.root).to_owned();
        std::fs::create_dir_all(&parent)?;
        if target.exists() {
            // The same bytes are already stored; the temp file is removed on drop.
            return Ok(());
        }
        temp.persist(&target).map_err(|e| StoreError::Io(e.error))?;
        std::fs::File::open(&parent)?.sync_all()?;
        Ok(())
    }
}

/// Temp files left by uploads that a crash interrupted: never acknowledged, so never named by a row.
fn remove_interrupted_uploads(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        if let Err(error) = std::fs::remove_file(entry.path()) {
            tracing::warn!(%error, path = %entry.path().display(), "interrupted upload not removed");
        }
    }
}

pub fn insert(conn: &mut rusqlite::Connection, asset: &StoredAsset) -> Result<(), StoreError> {
    insert_batch(conn, std::slice::from_ref(asset))
}

/// Inserts many rows in one transaction (imports and benchmarks).
pub fn insert_batch(
    conn: &mut rusqlite::Connection,
    assets: &[StoredAsset],
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    for asset in assets {
        insert_row(&tx, asset)?;
    }
    tx.commit()?;
    Ok(())
}

fn insert_row(tx: &rusqlite::Transaction<'_>, asset: &StoredAsset) -> Result<(), StoreError> {
    tx.execute(
        &format!("INSERT INTO assets ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
        params![
            asset.id,
            asset.name,
            asset.kind,
            asset.content_type,
            asset.size,
            asset.width,
            asset.height,
            asset.duration,
            serde_json::to_string(&asset.tags).map_err(|e| StoreError::Io(std::io::Error::other(e)))?,
            asset.blob,
            asset.created_at,
            asset.updated_at,
            asset.last_used,
            asset.used_in_videos,
            asset.used_in_templates,
        ],
    )?;
    let seq = tx.last_insert_rowid();
    for tag in &asset.tags {
        tx.execute(
            "INSERT OR IGNORE INTO asset_tags (seq, tag) VALUES (?1, ?2)",
            params![seq, tag],
        )?;
    }
    Ok(())
}

/// Which usage counter a use is recorded in.
#[derive(Debug, Clone, Copy)]
pub enum UseKind {
    Video,
    Template,
}

/// Applies a new name and/or tag set; `None` when there is no such asset.
pub fn update(
    conn: &mut rusqlite::Connection,
    id: &str,
    name: Option<&str>,
    tags: Option<&[String]>,
    now: &str,
) -> Result<Option<StoredAsset>, StoreError> {
    let tx = conn.transaction()?;
    let Some(seq) = tx
        .query_row("SELECT seq FROM assets WHERE id = ?1", [id], |row| {
            row.get::<_, i64>(0)
        })
        .optional()?
    else {
        return Ok(None);
    };
    if let Some(name) = name {
        tx.execute(
            "UPDATE assets SET name = ?2 WHERE seq = ?1",
            params![seq, name],
        )?;
    }
    if let Some(tags) = tags {
        let json =
            serde_json::to_string(tags).map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
        tx.execute(
            "UPDATE assets SET tags_json = ?2 WHERE seq = ?1",
            params![seq, json],
        )?;
        tx.execute("DELETE FROM asset_tags WHERE seq = ?1", [seq])?;
        for tag in tags {
            tx.execute(
                "INSERT OR IGNORE INTO asset_tags (seq, tag) VALUES (?1, ?2)",
                params![seq, tag],
            )?;
        }
    }
    tx.execute(
        "UPDATE assets SET updated_at = ?2 WHERE seq = ?1",
        params![seq, now],
    )?;
    let asset = tx.query_row(
        &format!("SELECT {COLUMNS} FROM assets WHERE seq = ?1"),
        [seq],
        from_row,
    )?;
    tx.commit()?;
    Ok(Some(asset))
}

/// Deletes the row, then its blob when no other asset has the same bytes; `false` when absent.
pub fn delete(
    conn: &mut rusqlite::Connection,
    store: &Store,
    id: &str,
) -> Result<bool, StoreError> {
    let tx = conn.transaction()?;
    let Some(blob) = tx
        .query_row("SELECT blob FROM assets WHERE id = ?1", [id], |row| {
            row.get::<_, String>(0)
        })
        .optional()?
    else {
        return Ok(false);
    };
    tx.execute("DELETE FROM assets WHERE id = ?1", [id])?;
    let still_used: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM assets WHERE blob = ?1)",
        [&blob],
        |row| row.get(0),
    )?;
    tx.commit()?;
    if !still_used {
        match std::fs::remove_file(store.blob_path(&blob)) {
            Ok(()) => {}
            // Already gone: the row was the last thing naming it, and it is deleted.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                tracing::warn!(%error, %blob, "blob of a deleted asset could not be removed")
            }
        }
    }
    Ok(true)
}

/// What recording or releasing a use came to.
pub enum UsageChange {
    Recorded(Box<StoredAsset>),
    NoSuchAsset,
    /// A release found no use of that kind to release.
    NothingToRelease,
}

/// Adds (`delta` = 1) or releases (`delta` = -1) one use.
pub fn adjust_usage(
    conn: &mut rusqlite::Connection,
    id: &str,
    kind: UseKind,
    delta: i64,
    now: &str,
) -> Result<UsageChange, StoreError> {
    let column = match kind {
        UseKind::Video => "used_in_videos",
        UseKind::Template => "used_in_templates",
    };
    let tx = conn.transaction()?;
    let Some(current) = tx
        .query_row(
            &format!("SELECT {column} FROM assets WHERE id = ?1"),
            [id],
            |row| row.get::<_, i64>(0),
        )
        .optional()?
    else {
        return Ok(UsageChange::NoSuchAsset);
    };
    if current + delta < 0 {
        return Ok(UsageChange::NothingToRelease);
    }
    let last_used = if delta > 0 { ", last_used = ?3" } else { "" };
    let sql = format!("UPDATE assets SET {column} = {column} + ?2{last_used} WHERE id = ?1");
    if delta > 0 {
        tx.execute(&sql, params![id, delta, now])?;
    } else {
        tx.execute(&sql, params![id, delta])?;
    }
    let asset = tx.query_row(
        &format!("SELECT {COLUMNS} FROM assets WHERE id = ?1"),
        [id],
        from_row,
    )?;
    tx.commit()?;
    Ok(UsageChange::Recorded(Box::new(asset)))
}

pub fn get(conn: &rusqlite::Connection, id: &str) -> Result<Option<StoredAsset>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM assets WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?)
}

/// One page, newest first, and the total of the filtered listing.
pub fn list(
    conn: &rusqlite::Connection,
    filter: &ListFilter<'_>,
    memo: &Mutex<CountMemo>,
) -> Result<(Vec<StoredAsset>, u64), StoreError> {
    let mut condition = String::from("WHERE 1 = 1");
    let mut values: Vec<String> = Vec::new();
    if let Some(kind) = filter.kind {
        values.push(kind.to_owned());
        condition.push_str(&format!(" AND kind = ?{}", values.len()));
    }
    if let Some(tag) = filter.tag {
        values.push(tag.to_owned());
        condition.push_str(&format!(
            " AND seq IN (SELECT seq FROM asset_tags WHERE tag = ?{})",
            values.len()
        ));
    }
    // `data_version` moves when another connection writes; `total_changes` when this one does.
    let data_version: i64 = conn.query_row("PRAGMA data_version", [], |row| row.get(0))?;
    let version = (data_version, conn.total_changes());
    let key = format!("{condition}{values:?}");
    let remembered = memo.lock().map_err(|_| StoreError::Poisoned)?.0.clone();
    let total = match remembered {
        Some((k, v, total)) if k == key && v == version => total,
        _ => {
            let total: u64 = conn.query_row(
                &format!("SELECT COUNT(*) FROM assets {condition}"),
                rusqlite::params_from_iter(values.iter()),
                |row| row.get(0),
            )?;
            memo.lock().map_err(|_| StoreError::Poisoned)?.0 = Some((key, version, total));
            total
        }
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM assets {condition} ORDER BY seq DESC LIMIT {} OFFSET {}",
        filter.limit, filter.offset
    );
    let mut statement = conn.prepare(&sql)?;
    let rows = statement
        .query_map(rusqlite::params_from_iter(values.iter()), from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, total))
}

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredAsset> {
    let tags_json: String = row.get(8)?;
    Ok(StoredAsset {
        id: row.get(0)?,
        name: row.get(1)?,
        kind: row.get(2)?,
        content_type: row.get(3)?,
        size: row.get(4)?,
        width: row.get(5)?,
        height: row.get(6)?,
        duration: row.get(7)?,
        // Tags are written only by this server as a JSON array; an unreadable value reads as none.
        tags: serde_json::from_str(&tags_json).unwrap_or_default(),
        blob: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
        last_used: row.get(12)?,
        used_in_videos: row.get(13)?,
        used_in_templates: row.get(14)?,
    })
}
