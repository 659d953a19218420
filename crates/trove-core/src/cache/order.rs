//! Every asset's position in the grid's indexed orders, held in memory.
//!
//! A search (tags, text) yields its matches by rowid; putting them in grid order through SQL
//! means one table lookup per match (about 3 µs: 30 ms for 10,000 matches in a 1,000,000-row
//! cache). Walking an order's index once gives every rowid its rank (about 100 ms at a million
//! rows, 4 bytes per row), after which any set of matches is sorted in memory in well under a
//! millisecond per ten thousand. Ranks are kept until the database changes.

use super::query::order_sql;
use super::{Cache, CacheError};
use crate::model::{AssetKind, SortKey};

/// Rowids beyond this are not ranked (the array would be too sparse to be worth it): such a
/// cache sorts searches through SQL instead.
const MAX_RANKED_ROWID: i64 = 1 << 26;

pub(super) struct OrderRanks {
    /// The order ranked: `Newest` (whose reverse is `Oldest`) or `Name`.
    sort: SortKey,
    version: (i64, u64),
    /// Position of each rowid in the order; `u32::MAX` for rowids with no asset.
    ranks: Vec<u32>,
}

/// The ranked order that serves `sort`, and whether it is read backwards.
fn ranked(sort: SortKey) -> Option<(SortKey, bool)> {
    match sort {
        SortKey::Newest => Some((SortKey::Newest, false)),
        SortKey::Oldest => Some((SortKey::Newest, true)),
        SortKey::Name => Some((SortKey::Name, false)),
        SortKey::Size | SortKey::Duration => None,
    }
}

impl Cache {
    /// Puts `rowids` in `sort` order from the ranks; false (and `rowids` untouched) when the
    /// order has no index to rank from or the cache's rowids are too large.
    pub(super) fn sort_by_rank(
        &self,
        sort: SortKey,
        version: (i64, u64),
        rowids: &mut [i64],
    ) -> Result<bool, CacheError> {
        let Some((ranked_sort, backwards)) = ranked(sort) else {
            return Ok(false);
        };
        let mut memo = self.order_ranks.borrow_mut();
        let index = match memo
            .iter()
            .position(|r| r.sort == ranked_sort && r.version == version)
        {
            Some(index) => index,
            None => {
                let Some(ranks) = self.rank(ranked_sort)? else {
                    return Ok(false);
                };
                memo.retain(|r| r.sort != ranked_sort && r.version == version);
                memo.push(OrderRanks {
                    sort: ranked_sort,
                    version,
                    ranks,
                });
                memo.len() - 1
            }
        };
        let ranks = &memo[index].ranks;
        let rank_of = |rowid: &i64| {
            usize::try_from(*rowid)
                .ok()
                .and_then(|i| ranks.get(i))
                .copied()
                .unwrap_or(u32::MAX)
        };
        if backwards {
            rowids.sort_unstable_by_key(|rowid| std::cmp::Reverse(rank_of(rowid)));
        } else {
            rowids.sort_unstable_by_key(rank_of);
        }
        Ok(true)
    }

    /// How long an array indexed by rowid must be; `None` when the rowids are too large for one
    /// (or there are no assets).
    fn rowid_slots(&self) -> Result<Option<usize>, CacheError> {
        let max_rowid: Option<i64> =
            self.conn
                .query_row("SELECT max(rowid) FROM assets", [], |row| row.get(0))?;
        Ok(max_rowid
            .filter(|m| (0..MAX_RANKED_ROWID).contains(m))
            .and_then(|m| usize::try_from(m + 1).ok()))
    }

    fn rank(&self, sort: SortKey) -> Result<Option<Vec<u32>>, CacheError> {
        let Some(slots) = self.rowid_slots()? else {
            return Ok(None);
        };
        let mut ranks = vec![u32::MAX; slots];
        let mut statement = self.conn.prepare(&format!(
            "SELECT rowid FROM assets ORDER BY {}",
            order_sql(sort)
        ))?;
        let rows = statement.query_map([], |row| row.get::<_, i64>(0))?;
        for (position, rowid) in rows.enumerate() {
            if let Some(slot) = usize::try_from(rowid?).ok().and_then(|i| ranks.get_mut(i)) {
                *slot = u32::try_from(position).unwrap_or(u32::MAX);
            }
        }
        Ok(Some(ranks))
    }
}

/// Every asset's kind by rowid, for filtering search matches by kind in memory: a kind matches a
/// third of a cache, and intersecting its posting list inside the full-text query cost more than
/// the rest of the search (measured at a million rows: tag + text 6 ms, with the kind 9 to 17).
pub(super) struct KindsByRowid {
    version: (i64, u64),
    kinds: Vec<Option<AssetKind>>,
}

impl Cache {
    /// Keeps the rowids whose asset is of `kind`; false (and `rowids` untouched) when the cache's
    /// rowids are too large to index this way.
    pub(super) fn retain_kind(
        &self,
        kind: AssetKind,
        version: (i64, u64),
        rowids: &mut Vec<i64>,
    ) -> Result<bool, CacheError> {
        let mut memo = self.kinds_by_rowid.borrow_mut();
        if memo.as_ref().is_none_or(|m| m.version != version) {
            let Some(kinds) = self.read_kinds()? else {
                return Ok(false);
            };
            *memo = Some(KindsByRowid { version, kinds });
        }
        let Some(memo) = memo.as_ref() else {
            return Ok(false);
        };
        rowids.retain(|rowid| {
            usize::try_from(*rowid)
                .ok()
                .and_then(|i| memo.kinds.get(i).copied().flatten())
                == Some(kind)
        });
        Ok(true)
    }

    fn read_kinds(&self) -> Result<Option<Vec<Option<AssetKind>>>, CacheError> {
        let Some(slots) = self.rowid_slots()? else {
            return Ok(None);
        };
        let mut kinds = vec![None; slots];
        // Each kind is a range of the kind index, which holds the rowids: no row is read.
        let mut statement = self
            .conn
            .prepare_cached("SELECT rowid FROM assets WHERE kind = ?1")?;
        for kind in [
            AssetKind::Image,
            AssetKind::Video,
            AssetKind::Audio,
            AssetKind::Other,
        ] {
            let rows = statement.query_map([kind.as_str()], |row| row.get::<_, i64>(0))?;
            for rowid in rows {
                if let Some(slot) = usize::try_from(rowid?).ok().and_then(|i| kinds.get_mut(i)) {
                    *slot = Some(kind);
                }
            }
        }
        Ok(Some(kinds))
    }
}
