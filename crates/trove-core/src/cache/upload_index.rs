//! What the upload queue looks up: file hashes remembered by (path, size, mtime), the hashes of
//! remote assets compared once, the files already handled, and the watched folders.

use rusqlite::{params, OptionalExtension};

use super::{Cache, CacheError};

/// A folder whose new files are uploaded to an account with default tags.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct WatchedFolder {
    pub path: String,
    pub account_id: String,
    pub tags: Vec<String>,
}

/// Where the same bytes already are.
#[derive(Debug, Clone, PartialEq)]
pub enum KnownContent {
    /// An asset of the account (uploaded by Trove, or downloaded and compared).
    Asset(String),
    /// Another upload to the same account that is queued or on its way.
    Queued(i64),
}

impl Cache {
    /// The BLAKE3 hash remembered for this file, if it has not changed since.
    pub fn file_hash(
        &self,
        path: &str,
        size: u64,
        mtime_ns: i64,
    ) -> Result<Option<String>, CacheError> {
        Ok(self
            .conn
            .query_row(
                "SELECT hash FROM file_hashes WHERE path = ?1 AND size = ?2 AND mtime_ns = ?3",
                params![path, size as i64, mtime_ns],
                |row| row.get(0),
            )
            .optional()?)
    }

    pub fn remember_file_hash(
        &self,
        path: &str,
        size: u64,
        mtime_ns: i64,
        hash: &str,
    ) -> Result<(), CacheError> {
        self.conn.execute(
            "INSERT INTO file_hashes (path, size, mtime_ns, hash) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,
                hash = excluded.hash",
            params![path, size as i64, mtime_ns, hash],
        )?;
        Ok(())
    }

    /// Where content with this hash already is in the account, other than upload `except`.
    pub fn known_content(
        &self,
        account_id: &str,
        hash: &str,
        except: i64,
    ) -> Result<Option<KnownContent>, CacheError> {
        let asset: Option<String> = self
            .conn
            .query_row(
                "SELECT h.asset_id FROM asset_hashes h
                 JOIN assets a ON a.account_id = h.account_id AND a.id = h.asset_id
                 WHERE h.account_id = ?1 AND h.hash = ?2 LIMIT 1",
                params![account_id, hash],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(asset) = asset {
            return Ok(Some(KnownContent::Asset(asset)));
        }
        let queued: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM uploads WHERE account_id = ?1 AND hash = ?2 AND id != ?3
                    AND state IN ('queued', 'uploading', 'failed') LIMIT 1",
                params![account_id, hash, except],
                |row| row.get(0),
            )
            .optional()?;
        Ok(queued.map(KnownContent::Queued))
    }

    /// Cached assets of the account with this size and kind whose hash is not known yet: the
    /// candidates worth downloading to compare.
    pub fn unhashed_assets_of_size(
        &self,
        account_id: &str,
        kind: &str,
        size: u64,
    ) -> Result<Vec<(String, String)>, CacheError> {
        let mut stmt = self.conn.prepare(
            "SELECT a.id, a.url FROM assets a
             WHERE a.account_id = ?1 AND a.kind = ?2 AND a.size = ?3 AND NOT EXISTS (
                SELECT 1 FROM asset_hashes h WHERE h.account_id = a.account_id AND h.asset_id = a.id
                    AND h.size = a.size)
             LIMIT 8",
        )?;
        let rows = stmt.query_map(params![account_id, kind, size as i64], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn remember_asset_hash(
        &self,
        account_id: &str,
        asset_id: &str,
        size: u64,
        hash: &str,
    ) -> Result<(), CacheError> {
        self.conn.execute(
            "INSERT INTO asset_hashes (account_id, asset_id, size, hash) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO UPDATE SET size = excluded.size, hash = excluded.hash",
            params![account_id, asset_id, size as i64, hash],
        )?;
        Ok(())
    }

    /// Whether this exact file (path, size, mtime) was already taken by the queue for the account
    /// and not cancelled: a watched folder rescanned after a restart skips it.
    pub fn file_handled(
        &self,
        account_id: &str,
        path: &str,
        size: u64,
        mtime_ns: i64,
    ) -> Result<bool, CacheError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM uploads WHERE account_id = ?1 AND path = ?2
                AND ((size = ?3 AND mtime_ns = ?4) OR state = 'probing')
                AND state != 'cancelled')",
            params![account_id, path, size as i64, mtime_ns],
            |row| row.get(0),
        )?)
    }

    pub fn add_watched_folder(&self, folder: &WatchedFolder) -> Result<(), CacheError> {
        let tags = serde_json::to_string(&folder.tags).unwrap_or_else(|_| "[]".to_owned());
        self.conn.execute(
            "INSERT INTO watched_folders (path, account_id, tags_json, created_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (path) DO UPDATE SET account_id = excluded.account_id,
                tags_json = excluded.tags_json",
            params![folder.path, folder.account_id, tags, crate::now_rfc3339()],
        )?;
        Ok(())
    }

    pub fn remove_watched_folder(&self, path: &str) -> Result<bool, CacheError> {
        Ok(self
            .conn
            .execute("DELETE FROM watched_folders WHERE path = ?1", [path])?
            > 0)
    }

    pub fn watched_folders(&self) -> Result<Vec<WatchedFolder>, CacheError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, account_id, tags_json FROM watched_folders ORDER BY path")?;
        let rows = stmt.query_map([], |row| {
            let tags: String = row.get(2)?;
            Ok(WatchedFolder {
                path: row.get(0)?,
                account_id: row.get(1)?,
                tags: serde_json::from_str(&tags).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
