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
