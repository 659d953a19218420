//! Many assets changed as one action (a multi-selection in the grid): which assets a query
//! selects, and one edit applied to each of them in a single transaction, so a bulk tag of ten
//! thousand assets is one write and a crash leaves all of it or none.

use std::rc::Rc;

use rusqlite::types::Value;

use super::outbox::{apply_in, changes, clean_edit};
use super::{Cache, CacheError, Edit};
use crate::bulk::{AssetKey, EditSummary};
use crate::model::AssetQuery;

impl Cache {
    /// The keys of every asset `query` selects (its window and order ignored).
    pub fn keys_matching(&self, query: &AssetQuery) -> Result<Vec<AssetKey>, CacheError> {
        let rowids: Vec<Value> = self
            .selected_rowids(query)?
            .into_iter()
            .map(Value::Integer)
            .collect();
        let mut statement = self
            .conn
            .prepare_cached("SELECT account_id, id FROM assets WHERE rowid IN rarray(?1)")?;
        let keys = statement
            .query_map([Rc::new(rowids)], |row| {
                Ok(AssetKey {
                    account_id: row.get(0)?,
                    id: row.get(1)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(keys)
    }

    /// Applies `edit` to each asset of `keys` and queues it, in one transaction. An invalid name
    /// or tag changes nothing; an asset the edit would not change (the tag is already there) is
    /// left alone rather than queued; one no longer cached (a sync removed it meanwhile) is counted
    /// as missing.
    pub fn apply_edit_to_many(
        &mut self,
        keys: &[AssetKey],
        edit: &Edit,
    ) -> Result<EditSummary, CacheError> {
        let edit = clean_edit(edit)?;
        let tx = self.conn.transaction()?;
        let mut summary = EditSummary::default();
        for key in keys {
            let Some(mut asset) = super::assets::get_in(&tx, &key.account_id, &key.id)? else {
                summary.missing += 1;
                continue;
            };
            if !changes(&asset, &edit) {
                summary.unchanged += 1;
                continue;
            }
            apply_in(&tx, &mut asset, &edit)?;
            summary.changed += 1;
        }
        super::search_index::refresh(&tx)?;
        tx.commit()?;
        Ok(summary)
    }
}
