//! Schema migrations, applied in order inside one transaction each; `PRAGMA user_version` records
//! how many have run. Never edit a released migration: add a new one.

use std::path::Path;

use super::CacheError;

const MIGRATIONS: &[&str] = &[
    // 1: accounts, their sync state, assets and the tag index.
    "CREATE TABLE accounts (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        provider    TEXT NOT NULL,
        base_url    TEXT NOT NULL,
        credential  TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    CREATE TABLE sync_state (
        account_id    TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        connectivity  TEXT NOT NULL DEFAULT 'unknown',
        last_sync_at  TEXT,
        last_error    TEXT
    );
    CREATE TABLE assets (
        account_id        TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        id                TEXT NOT NULL,
        name              TEXT NOT NULL,
        kind              TEXT NOT NULL,
        content_type      TEXT,
        size              INTEGER,
        width             INTEGER,
        height            INTEGER,
        duration_s        REAL,
        tags_json         TEXT NOT NULL DEFAULT '[]',
        url               TEXT,
        thumbnail_url     TEXT,
        created_at        TEXT NOT NULL,
        updated_at        TEXT,
        used_in_videos    INTEGER,
        used_in_templates INTEGER,
        last_used         TEXT,
        usage_fetched_at  TEXT,
        PRIMARY KEY (account_id, id)
    );
    CREATE INDEX assets_by_created ON assets(created_at DESC);
    CREATE INDEX assets_by_name ON assets(name COLLATE NOCASE);
    CREATE TABLE asset_tags (
        account_id TEXT NOT NULL,
        asset_id   TEXT NOT NULL,
        tag        TEXT NOT NULL,
        PRIMARY KEY (account_id, asset_id, tag),
        FOREIGN KEY (account_id, asset_id) REFERENCES assets(account_id, id) ON DELETE CASCADE
    );
    CREATE INDEX asset_tags_by_tag ON asset_tags(tag);",
    // 2: the outbox of local edits waiting for their remote, and the conflicts a push found.
    "CREATE TABLE outbox (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        asset_id    TEXT NOT NULL,
        op          TEXT NOT NULL CHECK (op IN ('rename', 'tag_add', 'tag_remove', 'delete')),
        value       TEXT,
        base        TEXT,
        created_at  TEXT NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        not_before  TEXT,
        last_error  TEXT,
        rejected    INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX outbox_by_asset ON outbox(account_id, asset_id, seq);
    CREATE TABLE conflicts (
        account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        asset_id     TEXT NOT NULL,
        field        TEXT NOT NULL,
        local_value  TEXT,
        remote_value TEXT,
        detected_at  TEXT NOT NULL,
        PRIMARY KEY (account_id, asset_id, field)
    );",
    // 3: full-text search over names and tags, kept in step with the assets by triggers.
    "CREATE VIRTUAL TABLE assets_fts USING fts5(
        name, tags_json, content = 'assets', content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
    );
    CREATE TRIGGER assets_fts_insert AFTER INSERT ON assets BEGIN
        INSERT INTO assets_fts (rowid, name, tags_json) VALUES (new.rowid, new.name, new.tags_json);
    END;
    CREATE TRIGGER assets_fts_delete AFTER DELETE ON assets BEGIN
        INSERT INTO assets_fts (assets_fts, rowid, name, tags_json)
        VALUES ('delete', old.rowid, old.name, old.tags_json);
    END;
    CREATE TRIGGER assets_fts_update AFTER UPDATE OF name, tags_json ON assets BEGIN
        INSERT INTO assets_fts (assets_fts, rowid, name, tags_json)
        VALUES ('delete', old.rowid, old.name, old.tags_json);
        INSERT INTO assets_fts (rowid, name, tags_json) VALUES (new.rowid, new.name, new.tags_json);
    END;
    INSERT INTO assets_fts (assets_fts) VALUES ('rebuild');",
    // 4: one index per grid order, with the id as tie-breaker, so a window is read in index order
    // instead of sorting the whole result.
    "DROP INDEX assets_by_created;
    DROP INDEX assets_by_name;
    CREATE INDEX assets_newest ON assets(created_at DESC, id DESC);
    CREATE INDEX assets_by_name ON assets(name COLLATE NOCASE, id);
    CREATE INDEX assets_by_size ON assets(size IS NULL, size DESC, id);
    CREATE INDEX assets_by_duration ON assets(duration_s IS NULL, duration_s DESC, id);
    CREATE INDEX assets_by_kind ON assets(kind, created_at DESC, id DESC);",
    // 5: built for a million rows. The tag index is keyed by the asset's rowid and kept by
    // triggers. Full-text search no longer re-reads a content table and also holds the kind and
    // every tag as exact "facet" tokens (`kimage`, `t` + the tag's UTF-8 in hex, `a` + the
    // account id's), so they and the text intersect inside one FTS5 query. (Measured at a
    // million rows: `detail = column` made these queries slower, 16 ms against 10.) It is brought up to date once per transaction from
    // `search_stale` (see `search_index.rs`): FTS5 writes its pending rows out at every statement
    // savepoint, so a trigger writing it row by row made every upsert write a new segment.
    // Size and duration orders lose their indexes (each written at a random place for every new
    // row): those rarer orders are sorted when asked for. Sync state gains listing progress.
    "DROP TRIGGER assets_fts_insert;
    DROP TRIGGER assets_fts_delete;
    DROP TRIGGER assets_fts_update;
    DROP TABLE assets_fts;
    DROP TABLE asset_tags;
    DROP INDEX assets_by_size;
    DROP INDEX assets_by_duration;
    ALTER TABLE sync_state ADD COLUMN listed INTEGER;
    ALTER TABLE sync_state ADD COLUMN listing_total INTEGER;
    CREATE TABLE asset_tags (
        tag         TEXT NOT NULL,
        asset_rowid INTEGER NOT NULL,
        PRIMARY KEY (tag, asset_rowid)
    ) WITHOUT ROWID;
    CREATE TABLE search_stale (asset_rowid INTEGER PRIMARY KEY);
    CREATE VIRTUAL TABLE assets_fts USING fts5(
        name, tags, facets, content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
    );
    CREATE VIEW asset_search_text AS
        SELECT rowid AS asset_rowid, name,
            ifnull((SELECT group_concat(value, ' ') FROM json_each(tags_json)), '') AS tags,
            'k' || kind || ' a' || lower(hex(account_id))
                || ifnull((SELECT group_concat(' t' || lower(hex(value)), '') FROM json_each(tags_json)), '')
                AS facets
        FROM assets;
    CREATE TRIGGER assets_index_insert AFTER INSERT ON assets BEGIN
        INSERT OR IGNORE INTO asset_tags (tag, asset_rowid)
            SELECT value, new.rowid FROM json_each(new.tags_json);
        INSERT OR IGNORE INTO search_stale (asset_rowid) VALUES (new.rowid);
    END;
    CREATE TRIGGER assets_index_delete AFTER DELETE ON assets BEGIN
        DELETE FROM asset_tags
            WHERE tag IN (SELECT value FROM json_each(old.tags_json)) AND asset_rowid = old.rowid;
        INSERT OR IGNORE INTO search_stale (asset_rowid) VALUES (old.rowid);
    END;
    CREATE TRIGGER assets_index_update AFTER UPDATE OF name, kind, tags_json ON assets
    WHEN old.name IS NOT new.name OR old.kind IS NOT new.kind OR old.tags_json IS NOT new.tags_json
    BEGIN
        DELETE FROM asset_tags
            WHERE tag IN (SELECT value FROM json_each(old.tags_json)) AND asset_rowid = old.rowid;
        INSERT OR IGNORE INTO asset_tags (tag, asset_rowid)
            SELECT value, new.rowid FROM json_each(new.tags_json);
        INSERT OR IGNORE INTO search_stale (asset_rowid) VALUES (new.rowid);
    END;
    INSERT OR IGNORE INTO asset_tags (tag, asset_rowid)
        SELECT value, assets.rowid FROM assets, json_each(assets.tags_json);
    INSERT INTO assets_fts (rowid, name, tags, facets) SELECT * FROM asset_search_text;",
    // 6: the upload queue. One row per file handed to Trove, kept after it ends (done, rejected,
    // duplicate) so a watched folder's files are not sent twice after a restart, and so a hash
    // seen once is known. `started_at` marks an attempt in flight: after a crash it tells which
    // remote assets may be that attempt's. File hashes are remembered by (path, size, mtime);
    // remote assets' hashes by (account, id, size) once one has been downloaded to compare.
    "CREATE TABLE uploads (
        id             INTEGER PRIMARY KEY,
        account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        path           TEXT NOT NULL,
        name           TEXT NOT NULL,
        tags_json      TEXT NOT NULL,
        origin         TEXT NOT NULL,
        state          TEXT NOT NULL,
        size           INTEGER,
        mtime_ns       INTEGER,
        hash           TEXT,
        kind           TEXT,
        content_type   TEXT,
        width          INTEGER,
        height         INTEGER,
        duration_s     REAL,
        problems_json  TEXT,
        error          TEXT,
        attempts       INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        bytes_sent     INTEGER NOT NULL DEFAULT 0,
        started_at     TEXT,
        asset_id       TEXT,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL
    );
    CREATE INDEX uploads_by_state ON uploads(state, id);
    CREATE INDEX uploads_by_hash ON uploads(account_id, hash);
    CREATE INDEX uploads_by_file ON uploads(path, size, mtime_ns);
    CREATE TABLE file_hashes (
        path     TEXT PRIMARY KEY,
        size     INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        hash     TEXT NOT NULL
    );
    CREATE TABLE asset_hashes (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        asset_id   TEXT NOT NULL,
        size       INTEGER NOT NULL,
        hash       TEXT NOT NULL,
        PRIMARY KEY (account_id, asset_id)
    );
    CREATE INDEX asset_hashes_by_hash ON asset_hashes(account_id, hash);
    CREATE TABLE watched_folders (
        path       TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        tags_json  TEXT NOT NULL,
        created_at TEXT NOT NULL
    );",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn migrate(conn: &mut rusqlite::Connection, path: &Path) -> Result<(), CacheError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(CacheError::TooNew {
            path: path.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let version = index as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, path = %path.display(), "cache schema migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::cache::Cache;
    use crate::model::AssetQuery;

    /// A cache written by the release before migration 5 (tags and full-text search rebuilt)
    /// opens with its assets findable by tag and by text.
    #[test]
    fn a_version_4_cache_upgrades_with_its_assets_searchable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite3");
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            for (index, sql) in super::MIGRATIONS.iter().take(4).enumerate() {
                let tx = conn.transaction().unwrap();
                tx.execute_batch(sql).unwrap();
                tx.pragma_update(None, "user_version", index as i64 + 1)
                    .unwrap();
                tx.commit().unwrap();
            }
            conn.execute_batch(
                "INSERT INTO accounts VALUES ('acc_1', 'Team', 'local', '', 'in_process', '2025-01-01T00:00:00Z');
                 INSERT INTO sync_state (account_id) VALUES ('acc_1');
                 INSERT INTO assets (account_id, id, name, kind, tags_json, created_at)
                 VALUES ('acc_1', 'x1', 'Summer hero', 'video', '[\"brand\",\"q4\"]', '2025-01-02T00:00:00Z'),
                        ('acc_1', 'x2', 'Winter logo', 'image', '[\"brand\"]', '2025-01-03T00:00:00Z');
                 INSERT INTO asset_tags VALUES ('acc_1', 'x1', 'brand'), ('acc_1', 'x1', 'q4'),
                        ('acc_1', 'x2', 'brand');",
            )
            .unwrap();
        }
        let cache = Cache::open(&path).unwrap();
        let ids = |query: AssetQuery| -> Vec<String> {
            let page = cache.query_assets(&query).unwrap();
            page.items.into_iter().map(|a| a.id).collect()
        };
        assert_eq!(
            ids(AssetQuery {
                tags: vec!["q4".into()],
                ..Default::default()
            }),
            ["x1"]
        );
        assert_eq!(
            ids(AssetQuery {
                text: Some("win".into()),
                ..Default::default()
            }),
            ["x2"]
        );
        assert_eq!(ids(AssetQuery::default()), ["x2", "x1"]);
        let facets = cache.tag_facets(&AssetQuery::default(), 5).unwrap();
        assert_eq!((facets[0].tag.as_str(), facets[0].count), ("brand", 2));
    }
}
