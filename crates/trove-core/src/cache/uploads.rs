//! The upload queue's rows: every file handed to Trove, from probing to its end. Each state change
//! is one statement (or one transaction with the asset it created), so a crash leaves every row in
//! a state the queue knows how to resume.

use rusqlite::{params, OptionalExtension, Row};

use super::{Cache, CacheError};
use crate::model::{Asset, AssetKind, UploadItem, UploadState};
use crate::rules::Problem;

/// A file to add to the queue.
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub account_id: String,
    pub path: String,
    pub name: String,
    pub tags: Vec<String>,
    pub origin: String,
}

/// What the probe and the hash learned of a file, kept with its row.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbedFile {
    pub size: u64,
    pub mtime_ns: i64,
    pub hash: String,
    pub kind: AssetKind,
    pub content_type: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_s: Option<f64>,
}

/// Where probing left a file.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeOutcome {
    Queued,
    Rejected(Vec<Problem>),
    /// The same bytes are already this asset of the account.
    DuplicateOf(String),
    /// The same bytes are already on their way in this other upload to the account.
    DuplicateOfUpload(i64),
}

/// A row with what the worker needs beyond what the UI shows.
#[derive(Debug, Clone)]
pub struct UploadRow {
    pub item: UploadItem,
    pub probed: Option<ProbedFile>,
    pub started_at: Option<String>,
    /// When the file was queued: an asset created since may be an attempt of this upload's.
    pub created_at: String,
}

/// Uploads with something still to happen: a failure waiting for its retry has not ended.
pub(super) const UNFINISHED: &str = "(state IN ('probing', 'queued', 'uploading')
    OR (state = 'failed' AND next_attempt_at IS NOT NULL))";

const COLUMNS: &str = "id, account_id, path, name, tags_json, origin, state, size, bytes_sent,
    kind, problems_json, error, next_attempt_at, attempts, asset_id, updated_at, mtime_ns, hash,
    content_type, width, height, duration_s, started_at, created_at";

fn read_row(row: &Row<'_>) -> rusqlite::Result<UploadRow> {
    let bad = |what: &str, text: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("unreadable upload {what} {text:?}").into(),
        )
    };
    let state: String = row.get(6)?;
    let tags: String = row.get(4)?;
    let problems: Option<String> = row.get(10)?;
    let kind: Option<String> = row.get(9)?;
    let item = UploadItem {
        id: row.get(0)?,
        account_id: row.get(1)?,
        path: row.get(2)?,
        name: row.get(3)?,
        tags: serde_json::from_str(&tags).map_err(|_| bad("tags", &tags))?,
        origin: row.get(5)?,
        state: UploadState::parse(&state).ok_or_else(|| bad("state", &state))?,
        size: row.get::<_, Option<i64>>(7)?.map(|n| n as u64),
        bytes_sent: row.get::<_, i64>(8)? as u64,
        kind: kind.as_deref().map(AssetKind::parse_lenient),
        problems: match problems {
            Some(json) => serde_json::from_str(&json).map_err(|_| bad("problems", &json))?,
            None => Vec::new(),
        },
        error: row.get(11)?,
        retry_at: row.get(12)?,
        attempts: row.get(13)?,
        asset_id: row.get(14)?,
        updated_at: row.get(15)?,
    };
    let hash: Option<String> = row.get(17)?;
    let probed = match (hash, item.size, item.kind) {
        (Some(hash), Some(size), Some(kind)) => Some(ProbedFile {
            size,
            mtime_ns: row.get::<_, Option<i64>>(16)?.unwrap_or(0),
            hash,
            kind,
            content_type: row.get::<_, Option<String>>(18)?.unwrap_or_default(),
            width: row.get(19)?,
            height: row.get(20)?,
            duration_s: row.get(21)?,
        }),
        _ => None,
    };
    Ok(UploadRow {
        item,
        probed,
        started_at: row.get(22)?,
        created_at: row.get(23)?,
    })
}

impl Cache {
    /// Adds files to the queue in state `probing`; returns their ids in order.
    pub fn enqueue_uploads(&mut self, files: &[NewUpload]) -> Result<Vec<i64>, CacheError> {
        let now = crate::now_rfc3339();
        let tx = self.conn.transaction()?;
        let mut ids = Vec::with_capacity(files.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO uploads (account_id, path, name, tags_json, origin, state, created_at,
                    updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'probing', ?6, ?6)",
            )?;
            for file in files {
                let tags = serde_json::to_string(&file.tags).unwrap_or_else(|_| "[]".to_owned());
                insert.execute(params![
                    file.account_id,
                    file.path,
                    file.name,
                    tags,
                    file.origin,
                    now
                ])?;
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    pub fn upload_row(&self, id: i64) -> Result<Option<UploadRow>, CacheError> {
        let sql = format!("SELECT {COLUMNS} FROM uploads WHERE id = ?1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt.query_row([id], read_row).optional()?)
    }

    /// How many of these uploads have not ended (a failure waiting for a retry has not).
    pub fn count_unfinished(&self, ids: &[i64]) -> Result<u64, CacheError> {
        let ids = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
        let sql = format!(
            "SELECT count(*) FROM uploads WHERE id IN (SELECT value FROM json_each(?1)) AND {UNFINISHED}"
        );
        Ok(self.conn.query_row(&sql, [ids], |row| row.get(0))?)
    }

    /// Every upload that has not ended, oldest first.
    pub fn unfinished_uploads(&self) -> Result<Vec<UploadItem>, CacheError> {
        let sql = format!("SELECT {COLUMNS} FROM uploads WHERE {UNFINISHED} ORDER BY id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], read_row)?;
        Ok(rows
            .map(|row| row.map(|r| r.item))
            .collect::<Result<_, _>>()?)
    }

    /// The newest `limit` uploads, newest first.
    pub fn uploads(&self, limit: u32) -> Result<Vec<UploadItem>, CacheError> {
        let sql = format!("SELECT {COLUMNS} FROM uploads ORDER BY id DESC LIMIT ?1");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([limit], read_row)?;
        Ok(rows
            .map(|row| row.map(|r| r.item))
            .collect::<Result<_, _>>()?)
    }

    /// Rows in `state`, oldest first.
    pub fn uploads_in_state(&self, state: UploadState) -> Result<Vec<UploadRow>, CacheError> {
        let sql = format!("SELECT {COLUMNS} FROM uploads WHERE state = ?1 ORDER BY id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([state.as_str()], read_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The next file to probe, if any.
    pub fn next_to_probe(&self) -> Result<Option<UploadRow>, CacheError> {
        let sql =
            format!("SELECT {COLUMNS} FROM uploads WHERE state = 'probing' ORDER BY id LIMIT 1");
        Ok(self.conn.query_row(&sql, [], read_row).optional()?)
    }

    /// Records what probing found and where that leaves the upload.
    pub fn record_probe(
        &mut self,
        id: i64,
        file: Option<&ProbedFile>,
        outcome: &ProbeOutcome,
    ) -> Result<(), CacheError> {
        let (state, problems, asset, note) = match outcome {
            ProbeOutcome::Queued => (UploadState::Queued, None, None, None),
            ProbeOutcome::Rejected(problems) => (
                UploadState::Rejected,
                serde_json::to_string(problems).ok(),
                None,
                None,
            ),
            ProbeOutcome::DuplicateOf(asset) => {
                (UploadState::Duplicate, None, Some(asset.clone()), None)
            }
            ProbeOutcome::DuplicateOfUpload(other) => (
                UploadState::Duplicate,
                None,
                None,
                Some(format!("the same bytes as upload #{other}, already queued")),
            ),
        };
        self.conn.execute(
            "UPDATE uploads SET state = ?2, problems_json = ?3, asset_id = ?4, size = ?5,
                mtime_ns = ?6, hash = ?7, kind = ?8, content_type = ?9, width = ?10, height = ?11,
                duration_s = ?12, updated_at = ?13, error = ?14
             WHERE id = ?1 AND state = 'probing'",
            params![
                id,
                state.as_str(),
                problems,
                asset,
                file.map(|f| f.size as i64),
                file.map(|f| f.mtime_ns),
                file.map(|f| f.hash.as_str()),
                file.map(|f| f.kind.as_str()),
                file.map(|f| f.content_type.as_str()),
                file.and_then(|f| f.width),
                file.and_then(|f| f.height),
                file.and_then(|f| f.duration_s),
                crate::now_rfc3339(),
                note,
            ],
        )?;
        Ok(())
    }

    /// Takes up to `limit` uploads that are due (queued, or failed with a retry time passed) into
    /// `uploading`, stamping the attempt's start.
    pub fn claim_uploads(&mut self, now: &str, limit: u32) -> Result<Vec<UploadRow>, CacheError> {
        let tx = self.conn.transaction()?;
        let ids: Vec<i64> = {
            let mut stmt = tx.prepare(
                "SELECT id FROM uploads
                 WHERE state = 'queued' OR (state = 'failed' AND next_attempt_at <= ?1)
                 ORDER BY id LIMIT ?2",
            )?;
            let ids = stmt.query_map(params![now, limit], |row| row.get(0))?;
            ids.collect::<Result<_, _>>()?
        };
        for id in &ids {
            tx.execute(
                "UPDATE uploads SET state = 'uploading', started_at = ?2, attempts = attempts + 1,
                    bytes_sent = 0, next_attempt_at = NULL, updated_at = ?2
                 WHERE id = ?1",
                params![id, now],
            )?;
        }
        tx.commit()?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            rows.extend(self.upload_row(id)?);
        }
        Ok(rows)
    }

    /// The earliest retry time of a failure waiting for one.
    pub fn next_retry_at(&self) -> Result<Option<String>, CacheError> {
        Ok(self.conn.query_row(
            "SELECT min(next_attempt_at) FROM uploads WHERE state = 'failed'",
            [],
            |row| row.get(0),
        )?)
    }

    pub fn record_upload_progress(&self, id: i64, bytes_sent: u64) -> Result<(), CacheError> {
        self.conn.execute(
            "UPDATE uploads SET bytes_sent = ?2 WHERE id = ?1 AND state = 'uploading'",
            params![id, bytes_sent as i64],
        )?;
        Ok(())
    }

    /// The remote acknowledged the upload: the row is done and the asset cached, in one
    /// transaction. A row cancelled meanwhile stays cancelled (the asset is cached all the same:
    /// it exists on the remote).
    pub fn finish_upload(&mut self, id: i64, asset: &Asset) -> Result<(), CacheError> {
        let now = crate::now_rfc3339();
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE uploads SET state = 'done', asset_id = ?2, error = NULL, next_attempt_at = NULL,
                bytes_sent = coalesce(size, bytes_sent), updated_at = ?3
             WHERE id = ?1 AND state != 'cancelled'",
            params![id, asset.id, now],
        )?;
        tx.execute(
            "INSERT INTO asset_hashes (account_id, asset_id, size, hash)
             SELECT account_id, ?2, size, hash FROM uploads WHERE id = ?1 AND hash IS NOT NULL
             ON CONFLICT DO UPDATE SET size = excluded.size, hash = excluded.hash",
            params![id, asset.id],
        )?;
        super::assets::upsert_in(&tx, asset)?;
        super::search_index::refresh(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// The attempt failed: with `retry_at` it waits for another, without it the failure is final.
    pub fn fail_upload(
        &mut self,
        id: i64,
        error: &str,
        retry_at: Option<&str>,
    ) -> Result<(), CacheError> {
        self.conn.execute(
            "UPDATE uploads SET state = 'failed', error = ?2, next_attempt_at = ?3, updated_at = ?4
             WHERE id = ?1 AND state IN ('uploading', 'probing')",
            params![id, error, retry_at, crate::now_rfc3339()],
        )?;
        Ok(())
    }

    /// An interrupted attempt goes back to the queue (it starts again from the first byte).
    pub fn requeue_upload(&mut self, id: i64) -> Result<(), CacheError> {
        self.conn.execute(
            "UPDATE uploads SET state = 'queued', bytes_sent = 0, started_at = NULL, updated_at = ?2
             WHERE id = ?1 AND state = 'uploading'",
            params![id, crate::now_rfc3339()],
        )?;
        Ok(())
    }

    /// Cancels an upload that has not ended; returns whether it was cancelled.
    pub fn cancel_upload(&mut self, id: i64) -> Result<bool, CacheError> {
        let changed = self.conn.execute(
            "UPDATE uploads SET state = 'cancelled', next_attempt_at = NULL, updated_at = ?2
             WHERE id = ?1 AND state IN ('probing', 'queued', 'uploading', 'failed')",
            params![id, crate::now_rfc3339()],
        )?;
        Ok(changed > 0)
    }

    /// Sends a failed, cancelled or rejected upload through the queue again (from probing: the
    /// file may have changed); returns whether it was restarted.
    pub fn retry_upload(&mut self, id: i64) -> Result<bool, CacheError> {
        let changed = self.conn.execute(
            "UPDATE uploads SET state = 'probing', error = NULL, problems_json = NULL,
                next_attempt_at = NULL, attempts = 0, bytes_sent = 0, updated_at = ?2
             WHERE id = ?1 AND state IN ('failed', 'cancelled', 'rejected')",
            params![id, crate::now_rfc3339()],
        )?;
        Ok(changed > 0)
    }
}
