//! The grid's queries: windows of a filtered, sorted result, its total, and its tag facets.
//!
//! Built for a million cached rows on two planning facts:
//! - A window deep in a result cannot be read with `OFFSET` without walking every row before it.
//!   So a result is resolved once into its ordered rowids, remembered until the database changes,
//!   and every later window of it (a scrolling grid asks for many) is a slice plus 200 lookups.
//! - Tags and text are answered by FTS5, which holds the account, the kind and each tag as exact
//!   facet tokens besides the searchable words: they intersect inside one full-text query, in C,
//!   instead of being checked row by row, and the matches are put in grid order from ranks held
//!   in memory (see `order.rs`).

use std::collections::HashMap;
use std::rc::Rc;

use rusqlite::{params_from_iter, types::Value};

use super::assets::{asset_from_row, ASSET_COLUMNS};
use super::{Cache, CacheError};
use crate::model::{Asset, AssetPage, AssetQuery, SortKey, TagFacet};

/// Where the planner switches strategy (tests make it small to cover every path).
#[derive(Debug, Clone, Copy)]
pub(super) struct Planner {
    /// Windows ending before this row are read straight from an order's index with `OFFSET`.
    pub shallow_rows: u32,
}

impl Default for Planner {
    fn default() -> Planner {
        Planner {
            shallow_rows: 5_000,
        }
    }
}

/// A resolved result: the rowids of every selected asset, in order.
pub(super) struct ResolvedResult {
    key: String,
    version: (i64, u64),
    rowids: Vec<i64>,
}

/// See [`Cache::facet_source`].
pub enum FacetSource {
    /// The answer itself.
    Index(Vec<TagFacet>),
    /// The rows whose tags make the answer.
    Rows(Vec<i64>),
}

/// Tag counts summed over slices of a result.
#[derive(Debug, Default)]
pub struct TagTally {
    counts: HashMap<String, u32>,
}

impl TagTally {
    /// The `limit` most used tags, most used first (ties by name).
    pub fn top(self, limit: u32) -> Vec<TagFacet> {
        let mut facets: Vec<TagFacet> = self
            .counts
            .into_iter()
            .map(|(tag, count)| TagFacet { tag, count })
            .collect();
        facets.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.tag.cmp(&b.tag)));
        facets.truncate(limit as usize);
        facets
    }
}

/// A filter's total, and the database version it was counted at.
pub(super) struct CountMemo {
    key: String,
    version: (i64, u64),
    total: u32,
}

impl Cache {
    /// One window of the grid, with the total row count of the whole filtered result.
    pub fn query_assets(&self, query: &AssetQuery) -> Result<AssetPage, CacheError> {
        let limit = query.effective_limit();
        let text_words = search_of(query);
        if text_words.as_ref().is_some_and(|words| words.is_empty()) {
            // Text with no word in it (only punctuation) selects nothing.
            return Ok(AssetPage {
                total: 0,
                offset: query.offset,
                items: Vec::new(),
            });
        }
        super::search_index::refresh(&self.conn)?;
        let version = self.version()?;
        let key = result_key(query);
        {
            // Reading rows never touches the memo, so the window is sliced from it in place.
            let memo = self.last_result.borrow();
            if let Some(memo) = memo
                .as_ref()
                .filter(|memo| memo.key == key && memo.version == version)
            {
                return self.window_of(&memo.rowids, query.offset, limit);
            }
        }
        if !query.tags.is_empty() || text_words.is_some() {
            let rowids = self.resolve_by_search(query, version)?;
            return self.remember_and_window(key, version, rowids, query.offset, limit);
        }
        let (filter, values) = filter_sql(query);
        if has_index(query.sort) && query.offset.saturating_add(limit) <= self.planner.shallow_rows
        {
            let total = self.count(&filter, &values, version)?;
            let items = self.shallow_window(query, &filter, values, limit)?;
            return Ok(AssetPage {
                total,
                offset: query.offset,
                items,
            });
        }
        let mut statement = self.conn.prepare(&format!(
            "SELECT assets.rowid FROM assets {filter} ORDER BY {}",
            order_sql(query.sort)
        ))?;
        let rowids = statement
            .query_map(params_from_iter(values.iter()), |row| row.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        self.remember_and_window(key, version, rowids, query.offset, limit)
    }

    /// The rowids of every asset a query selects, in no particular order (its window ignored).
    pub(super) fn selected_rowids(&self, query: &AssetQuery) -> Result<Vec<i64>, CacheError> {
        let text_words = search_of(query);
        if text_words.as_ref().is_some_and(|words| words.is_empty()) {
            return Ok(Vec::new());
        }
        super::search_index::refresh(&self.conn)?;
        if !query.tags.is_empty() || text_words.is_some() {
            let version = self.version()?;
            return self.resolve_by_search(query, version);
        }
        let (filter, values) = filter_sql(query);
        let mut statement = self
            .conn
            .prepare(&format!("SELECT assets.rowid FROM assets {filter}"))?;
        let rowids = statement
            .query_map(params_from_iter(values.iter()), |row| row.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(rowids)
    }

    /// The most used tags among the assets a query selects (its window ignored), most used first.
    pub fn tag_facets(&self, query: &AssetQuery, limit: u32) -> Result<Vec<TagFacet>, CacheError> {
        match self.facet_source(query, limit)? {
            FacetSource::Index(facets) => Ok(facets),
            FacetSource::Rows(rowids) => {
                let mut tally = TagTally::default();
                self.tally_tags(&rowids, &mut tally)?;
                Ok(tally.top(limit))
            }
        }
    }

    /// Where a query's tag facets come from: the tag index alone when nothing is filtered (no
    /// asset row is read), else the tags of the rows it selects, to be tallied (in slices if
    /// need be, see [`Cache::tally_tags`]).
    pub fn facet_source(&self, query: &AssetQuery, limit: u32) -> Result<FacetSource, CacheError> {
        let unfiltered = query.account_id.is_none()
            && query.kind.is_none()
            && query.tags.is_empty()
            && search_of(query).is_none();
        if !unfiltered {
            return Ok(FacetSource::Rows(self.selected_rowids(query)?));
        }
        let mut statement = self.conn.prepare_cached(
            "SELECT tag, COUNT(*) AS uses FROM asset_tags GROUP BY tag
             ORDER BY uses DESC, tag LIMIT ?1",
        )?;
        let rows = statement.query_map([limit], |row| {
            Ok(TagFacet {
                tag: row.get(0)?,
                count: row.get(1)?,
            })
        })?;
        Ok(FacetSource::Index(rows.collect::<Result<_, _>>()?))
    }

    /// Adds the tags of the assets `rowids` to `tally` (rows since removed count for nothing).
    pub fn tally_tags(&self, rowids: &[i64], tally: &mut TagTally) -> Result<(), CacheError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT tag.value, COUNT(*) FROM assets, json_each(assets.tags_json) AS tag
             WHERE assets.rowid IN rarray(?1) GROUP BY tag.value",
        )?;
        let list: Vec<Value> = rowids.iter().copied().map(Value::Integer).collect();
        let rows = statement.query_map([Rc::new(list)], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, u32>(1)?))
        })?;
        for row in rows {
            let (tag, count) = row?;
            *tally.counts.entry(tag).or_default() += count;
        }
        Ok(())
    }

    /// Which state of the database a remembered answer belongs to: `data_version` moves when
    /// another connection commits, `total_changes` when this one writes.
    fn version(&self) -> Result<(i64, u64), CacheError> {
        let data_version: i64 = self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?;
        Ok((data_version, self.conn.total_changes()))
    }

    fn remember_and_window(
        &self,
        key: String,
        version: (i64, u64),
        rowids: Vec<i64>,
        offset: u32,
        limit: u32,
    ) -> Result<AssetPage, CacheError> {
        let page = self.window_of(&rowids, offset, limit)?;
        *self.last_result.borrow_mut() = Some(ResolvedResult {
            key,
            version,
            rowids,
        });
        Ok(page)
    }

    /// The rows `offset..offset+limit` of a resolved result.
    fn window_of(&self, rowids: &[i64], offset: u32, limit: u32) -> Result<AssetPage, CacheError> {
        let start = (offset as usize).min(rowids.len());
        let end = start.saturating_add(limit as usize).min(rowids.len());
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT {ASSET_COLUMNS} FROM assets WHERE rowid = ?1"
        ))?;
        let mut items = Vec::with_capacity(end - start);
        for rowid in &rowids[start..end] {
            let mut rows = statement.query_map([rowid], asset_from_row)?;
            if let Some(asset) = rows.next().transpose()? {
                items.push(asset?);
            }
        }
        Ok(AssetPage {
            total: u32::try_from(rowids.len()).unwrap_or(u32::MAX),
            offset,
            items,
        })
    }

    /// Account, kind, tags and text as one full-text query, its matches then put in order.
    fn resolve_by_search(
        &self,
        query: &AssetQuery,
        version: (i64, u64),
    ) -> Result<Vec<i64>, CacheError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT rowid FROM assets_fts WHERE assets_fts MATCH ?1")?;
        let mut rowids: Vec<i64> = statement
            .query_map([fts_query(query, false)], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        if let Some(kind) = query.kind {
            if !self.retain_kind(kind, version, &mut rowids)? {
                // Rowids too large to index by: the full-text query checks the kind itself.
                rowids = statement
                    .query_map([fts_query(query, true)], |row| row.get(0))?
                    .collect::<Result<_, _>>()?;
            }
        }
        if self.sort_by_rank(query.sort, version, &mut rowids)? {
            return Ok(rowids);
        }
        // Orders without an index (size, duration): one lookup per match.
        let mut statement = self.conn.prepare(&format!(
            "SELECT rowid FROM assets WHERE rowid IN rarray(?1) ORDER BY {}",
            order_sql(query.sort)
        ))?;
        let matches: Vec<Value> = rowids.into_iter().map(Value::Integer).collect();
        let ordered = statement
            .query_map([Rc::new(matches)], |row| row.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(ordered)
    }

    /// A window near the top of a result, read along the order's index.
    fn shallow_window(
        &self,
        query: &AssetQuery,
        filter: &str,
        mut values: Vec<Value>,
        limit: u32,
    ) -> Result<Vec<Asset>, CacheError> {
        values.push(Value::Integer(i64::from(limit)));
        values.push(Value::Integer(i64::from(query.offset)));
        let mut statement = self.conn.prepare(&format!(
            "SELECT {ASSET_COLUMNS} FROM assets {filter} ORDER BY {} LIMIT ? OFFSET ?",
            order_sql(query.sort)
        ))?;
        let rows = statement.query_map(params_from_iter(values.iter()), asset_from_row)?;
        rows.map(|row| row?).collect()
    }

    /// How many assets the filter selects, remembered until the database changes.
    fn count(
        &self,
        filter: &str,
        values: &[Value],
        version: (i64, u64),
    ) -> Result<u32, CacheError> {
        let key = format!("{filter}{values:?}");
        if let Some(memo) = &*self.last_count.borrow() {
            if memo.key == key && memo.version == version {
                return Ok(memo.total);
            }
        }
        let total: u32 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM assets {filter}"),
            params_from_iter(values.iter()),
            |row| row.get(0),
        )?;
        *self.last_count.borrow_mut() = Some(CountMemo {
            key,
            version,
            total,
        });
        Ok(total)
    }
}

/// What identifies a result (everything but the window).
fn result_key(query: &AssetQuery) -> String {
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}",
        query.account_id,
        query.kind,
        query.tags,
        search_of(query),
        query.sort
    )
}

/// The orders an index serves (see migration 4 and 5); the others are sorted when asked for.
fn has_index(sort: SortKey) -> bool {
    matches!(sort, SortKey::Newest | SortKey::Oldest | SortKey::Name)
}

pub(super) fn order_sql(sort: SortKey) -> &'static str {
    match sort {
        SortKey::Newest => "assets.created_at DESC, assets.id DESC",
        SortKey::Oldest => "assets.created_at ASC, assets.id ASC",
        SortKey::Name => "assets.name COLLATE NOCASE ASC, assets.id ASC",
        SortKey::Size => "assets.size IS NULL, assets.size DESC, assets.id ASC",
        SortKey::Duration => "assets.duration_s IS NULL, assets.duration_s DESC, assets.id ASC",
    }
}

/// The WHERE clause (and its values) of a grid query, checked row by row: for windows read along
/// an index, for counts and for facets.
fn filter_sql(query: &AssetQuery) -> (String, Vec<Value>) {
    let mut conditions: Vec<&str> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(account_id) = &query.account_id {
        conditions.push("assets.account_id = ?");
        values.push(Value::Text(account_id.clone()));
    }
    if let Some(kind) = query.kind {
        conditions.push("assets.kind = ?");
        values.push(Value::Text(kind.as_str().to_owned()));
    }
    for tag in &query.tags {
        conditions.push(
            "EXISTS (SELECT 1 FROM asset_tags t WHERE t.tag = ? AND t.asset_rowid = assets.rowid)",
        );
        values.push(Value::Text(tag.clone()));
    }
    match search_of(query) {
        Some(words) if words.is_empty() => conditions.push("0"),
        Some(words) => {
            conditions
                .push("assets.rowid IN (SELECT rowid FROM assets_fts WHERE assets_fts MATCH ?)");
            values.push(Value::Text(text_match(&words)));
        }
        None => {}
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    (filter, values)
}

/// The words searched for; `None` when the search box is blank.
fn search_of(query: &AssetQuery) -> Option<Vec<String>> {
    query
        .text
        .as_deref()
        .filter(|text| !text.trim().is_empty())
        .map(search_words)
}

/// The words of a search box: what FTS5's unicode61 tokenizer makes words of (letters and
/// digits); anything else only separates them, so user input can never be FTS syntax.
fn search_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Search-as-you-type: every word typed must start a word of the name or of a tag.
fn text_match(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("{{name tags}} : \"{w}\"*"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// A facet token: `prefix` then the UTF-8 bytes of `value` in hex, one token whatever its
/// characters (`t` for a tag, `a` for an account; the view `asset_search_text` writes the same).
fn hex_token(prefix: char, value: &str) -> String {
    let mut token = String::with_capacity(1 + value.len() * 2);
    token.push(prefix);
    for byte in value.bytes() {
        token.push_str(&format!("{byte:02x}"));
    }
    token
}

/// Account, tags and text (and the kind, if `with_kind`) of a query as one FTS5 expression.
/// FTS5 walks an AND's terms in the order given, so the usually rarest come first: measured at a
/// million rows, tag + text + kind took 9 ms where kind + tag + text took 17.
fn fts_query(query: &AssetQuery, with_kind: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    for tag in &query.tags {
        parts.push(format!("facets : \"{}\"", hex_token('t', tag)));
    }
    if let Some(words) = search_of(query) {
        parts.push(text_match(&words));
    }
    if let Some(account_id) = &query.account_id {
        parts.push(format!("facets : \"{}\"", hex_token('a', account_id)));
    }
    if let Some(kind) = query.kind.filter(|_| with_kind) {
        parts.push(format!("facets : \"k{}\"", kind.as_str()));
    }
    parts.join(" AND ")
}
