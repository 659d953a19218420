//! Cached assets: upserts that write only what changed, and the windowed queries behind the grid.

use rusqlite::params;

use super::{Cache, CacheError};
use crate::model::{Asset, AssetKind};

/// What an upsert did, so a sync can report (and tests can check) that an unchanged listing writes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Inserted,
    Updated,
    Unchanged,
}

/// The select list of an asset. A `url` stored as a path (on the account's own server) is resolved
/// against the account's current base URL.
pub(super) const ASSET_COLUMNS: &str =
    "account_id, id, name, kind, content_type, size, width, height, duration_s, \
     tags_json, CASE WHEN substr(url, 1, 1) = '/' \
         THEN (SELECT base_url FROM accounts WHERE accounts.id = assets.account_id) || url \
         ELSE url END, thumbnail_url, created_at, updated_at, used_in_videos, used_in_templates, \
     last_used, usage_fetched_at, EXISTS(SELECT 1 FROM outbox o WHERE o.account_id = assets.account_id \
         AND o.asset_id = assets.id AND o.rejected = 0)";

impl Cache {
    /// Inserts or updates a batch of assets (one page of a listing) in one transaction.
    pub fn upsert_assets(&mut self, assets: &[Asset]) -> Result<Vec<UpsertOutcome>, CacheError> {
        let tx = self.conn.transaction()?;
        let outcomes = assets
            .iter()
            .map(|asset| upsert_in(&tx, asset))
            .collect::<Result<Vec<_>, _>>()?;
        super::search_index::refresh(&tx)?;
        tx.commit()?;
        Ok(outcomes)
    }

    /// Removes the account's cached assets whose ids are not in `keep`. Only a sync that has seen the
    /// complete remote listing may call this.
    pub fn remove_assets_not_in(
        &mut self,
        account_id: &str,
        keep: &std::collections::HashSet<String>,
    ) -> Result<u32, CacheError> {
        let tx = self.conn.transaction()?;
        let cached: Vec<String> = {
            let mut statement = tx.prepare("SELECT id FROM assets WHERE account_id = ?1")?;
            let ids = statement.query_map([account_id], |row| row.get::<_, String>(0))?;
            ids.collect::<Result<_, _>>()?
        };
        let mut removed = 0;
        for id in cached.iter().filter(|id| !keep.contains(*id)) {
            removed += tx.execute(
                "DELETE FROM assets WHERE account_id = ?1 AND id = ?2",
                params![account_id, id],
            )?;
        }
        super::search_index::refresh(&tx)?;
        tx.commit()?;
        Ok(removed as u32)
    }

    /// The cached asset with this id in this account: one lookup along the primary key.
    pub fn asset(&self, account_id: &str, id: &str) -> Result<Option<Asset>, CacheError> {
        get_in(&self.conn, account_id, id)
    }

    /// The cached assets with this id, in any account (ids are unique within an account). Reads
    /// the whole table (the key leads with the account): for when no account is known.
    pub fn find_asset(&self, id: &str) -> Result<Vec<Asset>, CacheError> {
        let mut statement = self
            .conn
            .prepare(&format!("SELECT {ASSET_COLUMNS} FROM assets WHERE id = ?1"))?;
        let rows = statement.query_map([id], asset_from_row)?;
        rows.map(|row| row?).collect()
    }
}

/// Inserts or updates one asset from the remote, with the user's pending edits laid over it (an
/// asset with a pending delete stays deleted).
pub(super) fn upsert_in(
    tx: &rusqlite::Transaction<'_>,
    remote: &Asset,
) -> Result<UpsertOutcome, CacheError> {
    match super::outbox::overlay_pending(tx, remote)? {
        Some(shown) => write_in(tx, &shown),
        None => Ok(UpsertOutcome::Unchanged),
    }
}

/// One asset row by its ids.
pub(super) fn get_in(
    conn: &rusqlite::Connection,
    account_id: &str,
    id: &str,
) -> Result<Option<Asset>, CacheError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {ASSET_COLUMNS} FROM assets WHERE account_id = ?1 AND id = ?2"
    ))?;
    let mut rows = statement.query_map(params![account_id, id], asset_from_row)?;
    rows.next().transpose()?.transpose()
}

/// Writes the row as given (only if something differs). Usage counts the listing does not carry
/// (seed 000 gives them only from Get Asset) are kept, not erased.
pub(super) fn write_in(
    tx: &rusqlite::Transaction<'_>,
    asset: &Asset,
) -> Result<UpsertOutcome, CacheError> {
    // The tag index (kept by triggers) holds a tag once per asset, however often a remote repeats it.
    let mut tags: Vec<&String> = Vec::with_capacity(asset.tags.len());
    for tag in &asset.tags {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let tags_json = serde_json::to_string(&tags)
        .map_err(|e| CacheError::BadRow(format!("tags of {}: {e}", asset.id)))?;
    // Statements are cached: a sync runs these once per listed asset.
    let existed: bool = tx
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM assets WHERE account_id = ?1 AND id = ?2)")?
        .query_row(params![asset.account_id, asset.id], |row| row.get(0))?;
    // The WHERE on the update skips the write entirely when nothing differs.
    let written = tx.prepare_cached(
            "INSERT INTO assets (account_id, id, name, kind, content_type, size, width, height,
                 duration_s, tags_json, url, thumbnail_url, created_at, updated_at,
                 used_in_videos, used_in_templates, last_used, usage_fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
             ON CONFLICT(account_id, id) DO UPDATE SET
                 name = excluded.name, kind = excluded.kind, content_type = excluded.content_type,
                 size = excluded.size, width = excluded.width, height = excluded.height,
                 duration_s = excluded.duration_s, tags_json = excluded.tags_json, url = excluded.url,
                 thumbnail_url = excluded.thumbnail_url, created_at = excluded.created_at,
                 updated_at = excluded.updated_at,
                 used_in_videos = COALESCE(excluded.used_in_videos, used_in_videos),
                 used_in_templates = COALESCE(excluded.used_in_templates, used_in_templates),
                 last_used = COALESCE(excluded.last_used, last_used),
                 usage_fetched_at = COALESCE(excluded.usage_fetched_at, usage_fetched_at)
             WHERE name IS NOT excluded.name OR kind IS NOT excluded.kind
                 OR content_type IS NOT excluded.content_type OR size IS NOT excluded.size
                 OR width IS NOT excluded.width OR height IS NOT excluded.height
                 OR duration_s IS NOT excluded.duration_s OR tags_json IS NOT excluded.tags_json
                 OR url IS NOT excluded.url OR thumbnail_url IS NOT excluded.thumbnail_url
                 OR created_at IS NOT excluded.created_at OR updated_at IS NOT excluded.updated_at
                 OR (excluded.usage_fetched_at IS NOT NULL
                     AND usage_fetched_at IS NOT excluded.usage_fetched_at)",
        )?
        .execute(params![
                asset.account_id,
                asset.id,
                asset.name,
                asset.kind.as_str(),
                asset.content_type,
                asset.size,
                asset.width,
                asset.height,
                asset.duration_s,
                tags_json,
                asset.url,
                asset.thumbnail_url,
                asset.created_at,
                asset.updated_at,
                asset.used_in_videos,
                asset.used_in_templates,
                asset.last_used,
                asset.usage_fetched_at,
            ])?;
    Ok(match (written, existed) {
        (0, _) => UpsertOutcome::Unchanged,
        (_, true) => UpsertOutcome::Updated,
        (_, false) => UpsertOutcome::Inserted,
    })
}

pub(super) fn asset_from_row(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<Result<Asset, CacheError>> {
    let kind: String = row.get(3)?;
    let tags_json: String = row.get(9)?;
    let id: String = row.get(1)?;
    let tags = match serde_json::from_str::<Vec<String>>(&tags_json) {
        Ok(tags) => tags,
        Err(e) => return Ok(Err(CacheError::BadRow(format!("tags of {id}: {e}")))),
    };
    Ok(Ok(Asset {
        account_id: row.get(0)?,
        id,
        name: row.get(2)?,
        kind: AssetKind::parse_lenient(&kind),
        content_type: row.get(4)?,
        size: row.get(5)?,
        width: row.get(6)?,
        height: row.get(7)?,
        duration_s: row.get(8)?,
        tags,
        url: row.get(10)?,
        thumbnail_url: row.get(11)?,
        created_at: row.get(12)?,
        updated_at: row.get(13)?,
        used_in_videos: row.get(14)?,
        used_in_templates: row.get(15)?,
        last_used: row.get(16)?,
        usage_fetched_at: row.get(17)?,
        pending: row.get(18)?,
    }))
}
