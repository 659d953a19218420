//! Local edits and their outbox. An edit changes the cached asset and is queued in the same
//! transaction, so the grid shows it at once and a crash can lose neither half. Until the remote
//! has it, a listing cannot undo it: [`overlay_pending`] lays the pending edits over every
//! incoming row.

use rusqlite::{params, OptionalExtension};

use super::{Cache, CacheError};
use crate::model::Asset;
use crate::naming;

/// An edit a user makes to one asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Rename(String),
    AddTag(String),
    RemoveTag(String),
    Delete,
}

impl Edit {
    fn op(&self) -> (&'static str, Option<&str>) {
        match self {
            Edit::Rename(name) => ("rename", Some(name)),
            Edit::AddTag(tag) => ("tag_add", Some(tag)),
            Edit::RemoveTag(tag) => ("tag_remove", Some(tag)),
            Edit::Delete => ("delete", None),
        }
    }
}

/// One queued edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedEdit {
    pub seq: i64,
    pub edit: Edit,
    /// For a rename: the name it replaced, to notice a remote rename in between.
    pub base: Option<String>,
    pub attempts: u32,
}

/// The due edits of one asset, oldest first.
#[derive(Debug, Clone)]
pub struct PendingAsset {
    pub asset_id: String,
    pub edits: Vec<QueuedEdit>,
}

impl PendingAsset {
    pub fn seqs(&self) -> Vec<i64> {
        self.edits.iter().map(|e| e.seq).collect()
    }
}

fn decode(op: &str, value: Option<String>) -> Option<Edit> {
    Some(match op {
        "rename" => Edit::Rename(value?),
        "tag_add" => Edit::AddTag(value?),
        "tag_remove" => Edit::RemoveTag(value?),
        "delete" => Edit::Delete,
        _ => return None,
    })
}

/// Applies tag operations, in order, to a tag set.
pub fn merge_tags<'a>(
    mut tags: Vec<String>,
    edits: impl IntoIterator<Item = &'a Edit>,
) -> Vec<String> {
    for edit in edits {
        match edit {
            Edit::AddTag(tag) if !tags.contains(tag) => tags.push(tag.clone()),
            Edit::RemoveTag(tag) => tags.retain(|t| t != tag),
            _ => {}
        }
    }
    tags
}

/// The pending (not rejected) edits of one asset, oldest first.
fn pending_of(
    conn: &rusqlite::Connection,
    account_id: &str,
    asset_id: &str,
) -> Result<Vec<Edit>, CacheError> {
    let mut statement = conn.prepare_cached(
        "SELECT op, value FROM outbox WHERE account_id = ?1 AND asset_id = ?2 AND rejected = 0 ORDER BY seq",
    )?;
    let rows = statement.query_map(params![account_id, asset_id], |row| {
        Ok((row.get::<_, String>(0)?, row.get(1)?))
    })?;
    let mut edits = Vec::new();
    for row in rows {
        let (op, value) = row?;
        edits.push(
            decode(&op, value).ok_or_else(|| CacheError::BadRow(format!("outbox op {op:?}")))?,
        );
    }
    Ok(edits)
}

/// The asset as the user should see it: the remote's row with the pending edits laid over it.
/// `None` when a delete is pending.
pub(super) fn overlay_pending(
    conn: &rusqlite::Connection,
    asset: &Asset,
) -> Result<Option<Asset>, CacheError> {
    let edits = pending_of(conn, &asset.account_id, &asset.id)?;
    if edits.is_empty() {
        return Ok(Some(asset.clone()));
    }
    if edits.contains(&Edit::Delete) {
        return Ok(None);
    }
    let mut shown = asset.clone();
    if let Some(name) = edits.iter().rev().find_map(|e| match e {
        Edit::Rename(name) => Some(name.clone()),
        _ => None,
    }) {
        shown.name = name;
    }
    shown.tags = merge_tags(shown.tags, &edits);
    Ok(Some(shown))
}

/// The edit as it will be stored: names and tags cleaned, or refused with the reason.
pub(super) fn clean_edit(edit: &Edit) -> Result<Edit, CacheError> {
    Ok(match edit {
        Edit::Rename(name) => {
            Edit::Rename(naming::clean_name(name).map_err(CacheError::InvalidEdit)?)
        }
        Edit::AddTag(tag) => Edit::AddTag(naming::clean_tag(tag).map_err(CacheError::InvalidEdit)?),
        Edit::RemoveTag(tag) => Edit::RemoveTag(tag.trim().to_owned()),
        Edit::Delete => Edit::Delete,
    })
}

/// Whether `edit` (already cleaned) would change what `asset` shows.
pub(super) fn changes(asset: &Asset, edit: &Edit) -> bool {
    match edit {
        Edit::Rename(name) => asset.name != *name,
        Edit::AddTag(tag) => !asset.tags.contains(tag),
        Edit::RemoveTag(tag) => asset.tags.contains(tag),
        Edit::Delete => true,
    }
}

/// Applies a cleaned edit to `asset` (as cached) and queues it, inside the caller's transaction;
/// the caller refreshes the search index once for all its edits.
pub(super) fn apply_in(
    tx: &rusqlite::Transaction<'_>,
    asset: &mut Asset,
    edit: &Edit,
) -> Result<(), CacheError> {
    let base = match edit {
        Edit::Rename(_) => Some(asset.name.clone()),
        _ => None,
    };
    match edit {
        Edit::Rename(name) => asset.name = name.clone(),
        Edit::AddTag(_) | Edit::RemoveTag(_) => {
            asset.tags = merge_tags(std::mem::take(&mut asset.tags), [edit]);
            naming::clean_tags(&asset.tags).map_err(CacheError::InvalidEdit)?;
        }
        Edit::Delete => {}
    }
    let (op, value) = edit.op();
    tx.execute(
        "INSERT INTO outbox (account_id, asset_id, op, value, base, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![asset.account_id, asset.id, op, value, base, crate::now_rfc3339()],
    )?;
    if *edit == Edit::Delete {
        tx.execute(
            "DELETE FROM assets WHERE account_id = ?1 AND id = ?2",
            params![asset.account_id, asset.id],
        )?;
    } else {
        super::assets::write_in(tx, asset)?;
    }
    Ok(())
}

impl Cache {
    /// Applies `edit` to the cached asset and queues it for the remote, in one transaction.
    pub fn apply_edit(
        &mut self,
        account_id: &str,
        asset_id: &str,
        edit: &Edit,
    ) -> Result<Asset, CacheError> {
        let edit = clean_edit(edit)?;
        let tx = self.conn.transaction()?;
        let mut asset = super::assets::get_in(&tx, account_id, asset_id)?
            .ok_or_else(|| CacheError::UnknownAsset(asset_id.to_owned()))?;
        apply_in(&tx, &mut asset, &edit)?;
        super::search_index::refresh(&tx)?;
        tx.commit()?;
        asset.pending = true;
        Ok(asset)
    }

    /// The account's edits that are due now (all of them when `honour_backoff` is false: the user
    /// asked to sync now), grouped by asset in the order they were made.
    pub fn due_edits(
        &self,
        account_id: &str,
        honour_backoff: bool,
    ) -> Result<Vec<PendingAsset>, CacheError> {
        let now = if honour_backoff {
            crate::now_rfc3339()
        } else {
            "9999".to_owned()
        };
        let mut statement = self.conn.prepare(
            "SELECT seq, asset_id, op, value, base, attempts FROM outbox
             WHERE account_id = ?1 AND rejected = 0 AND (not_before IS NULL OR not_before <= ?2)
             ORDER BY seq",
        )?;
        let rows = statement.query_map(params![account_id, now], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
            ))
        })?;
        let mut groups: Vec<PendingAsset> = Vec::new();
        for row in rows {
            let (seq, asset_id, op, value, base, attempts) = row?;
            let edit = decode(&op, value)
                .ok_or_else(|| CacheError::BadRow(format!("outbox op {op:?}")))?;
            let queued = QueuedEdit {
                seq,
                edit,
                base,
                attempts,
            };
            match groups.iter_mut().find(|g| g.asset_id == asset_id) {
                Some(group) => group.edits.push(queued),
                None => groups.push(PendingAsset {
                    asset_id,
                    edits: vec![queued],
                }),
            }
        }
        Ok(groups)
    }

    /// The remote has these edits: drop them and cache the asset as the remote now returns it
    /// (with any edits made meanwhile laid over it).
    pub fn complete_edits(
        &mut self,
        seqs: &[i64],
        remote: Option<&Asset>,
    ) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        for seq in seqs {
            tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
        }
        if let Some(asset) = remote {
            super::assets::upsert_in(&tx, asset)?;
        }
        super::search_index::refresh(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// How many edits wait for each account's remote (refused ones not counted).
    pub fn pending_edit_counts(&self) -> Result<Vec<(String, u32)>, CacheError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT account_id, COUNT(*) FROM outbox WHERE rejected = 0 GROUP BY account_id",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A transient failure: try these edits again no earlier than `not_before`.
    pub fn defer_edits(
        &self,
        seqs: &[i64],
        error: &str,
        not_before: &str,
    ) -> Result<(), CacheError> {
        for seq in seqs {
            self.conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, not_before = ?3 WHERE seq = ?1",
                params![seq, error, not_before],
            )?;
        }
        Ok(())
    }

    /// A permanent refusal: keep the edits (nothing is thrown away) but stop sending them, and
    /// show the cached asset as the remote has it.
    pub fn reject_edits(&self, seqs: &[i64], error: &str) -> Result<(), CacheError> {
        for seq in seqs {
            self.conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, rejected = 1, last_error = ?2 WHERE seq = ?1",
                params![seq, error],
            )?;
        }
        Ok(())
    }

    /// The rejected edits of an account: (asset id, edit, why).
    pub fn rejected_edits(
        &self,
        account_id: &str,
    ) -> Result<Vec<(String, Edit, String)>, CacheError> {
        let mut statement = self.conn.prepare(
            "SELECT asset_id, op, value, COALESCE(last_error, '') FROM outbox WHERE account_id = ?1 AND rejected = 1 ORDER BY seq",
        )?;
        let rows = statement.query_map([account_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        let mut rejected = Vec::new();
        for row in rows {
            let (asset, op, value, error) = row?;
            if let Some(edit) = decode(&op, value) {
                rejected.push((asset, edit, error));
            }
        }
        Ok(rejected)
    }

    /// A name changed both here and remotely: the local edit wins, and the UI is told.
    pub fn record_conflict(
        &self,
        account_id: &str,
        asset_id: &str,
        field: &str,
        local: &str,
        remote: &str,
    ) -> Result<(), CacheError> {
        self.conn.execute(
            "INSERT INTO conflicts (account_id, asset_id, field, local_value, remote_value, detected_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(account_id, asset_id, field) DO UPDATE SET
                 local_value = excluded.local_value, remote_value = excluded.remote_value, detected_at = excluded.detected_at",
            params![account_id, asset_id, field, local, remote, crate::now_rfc3339()],
        )?;
        Ok(())
    }

    /// The remote value a conflict on `field` replaced, if one was recorded.
    pub fn conflict(
        &self,
        account_id: &str,
        asset_id: &str,
        field: &str,
    ) -> Result<Option<String>, CacheError> {
        Ok(self
            .conn
            .query_row(
                "SELECT remote_value FROM conflicts WHERE account_id = ?1 AND asset_id = ?2 AND field = ?3",
                params![account_id, asset_id, field],
                |row| row.get(0),
            )
            .optional()?)
    }
}
