//! Keeps the full-text index in step with the assets, once per write transaction.
//!
//! Triggers note every asset row inserted, changed (name, kind, tags) or deleted in
//! `search_stale`; [`refresh`] rewrites those rows' FTS5 entries in two statements before the
//! transaction commits. FTS5 writes out its pending rows at every statement savepoint, so writing
//! it from a per-row trigger turned each upsert into a new on-disk segment (measured: most of the
//! time of a sync). Every write path of the cache calls [`refresh`] before committing, and a
//! query first refreshes anything a path missed, so the index can lag a transaction but never
//! the data a query reads.

use super::CacheError;

/// Rewrites the FTS5 entries of every asset row noted stale, and clears the notes.
pub(super) fn refresh(conn: &rusqlite::Connection) -> Result<(), CacheError> {
    let stale: bool = conn
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM search_stale)")?
        .query_row([], |row| row.get(0))?;
    if !stale {
        return Ok(());
    }
    // A deleted row has no text left: deleting by rowid is all a contentless-delete table needs.
    conn.prepare_cached(
        "DELETE FROM assets_fts WHERE rowid IN (SELECT asset_rowid FROM search_stale)",
    )?
    .execute([])?;
    conn.prepare_cached(
        "INSERT INTO assets_fts (rowid, name, tags, facets)
         SELECT text.* FROM search_stale JOIN asset_search_text AS text USING (asset_rowid)",
    )?
    .execute([])?;
    conn.prepare_cached("DELETE FROM search_stale")?
        .execute([])?;
    Ok(())
}

/// Pages of the full-text index rewritten per compaction step: a few tens of milliseconds.
const COMPACTION_STEP_PAGES: i64 = 1_000;

/// One step of merging the full-text index's segments into one; true while work remains.
///
/// Every write transaction adds a segment, and FTS5 merges them only level by level: after a
/// large sync a query visits a dozen segments (measured: a kind + tag + text search at 1,000,000
/// rows took 18 ms, 10 ms once merged). Steps are small so that the caller can let queries in
/// between them.
pub(super) fn compact_step(conn: &rusqlite::Connection) -> Result<bool, CacheError> {
    let before = conn.total_changes();
    // A negative budget makes every segment eligible, so the steps end in a single segment.
    conn.execute(
        "INSERT INTO assets_fts (assets_fts, rank) VALUES ('merge', ?1)",
        [-COMPACTION_STEP_PAGES],
    )?;
    // FTS5's documented signal: two or more changes mean the step found work to do.
    Ok(conn.total_changes() - before >= 2)
}

impl super::Cache {
    /// See [`compact_step`].
    pub fn compact_search_index_step(&self) -> Result<bool, CacheError> {
        compact_step(&self.conn)
    }
}
