//! The grid's reads: windows of a filtered result, and its tag facets. A keystroke in the search
//! box asks for both, the facets a moment later; counting the tags of a large result (half of a
//! library of 100,000 assets for a one-letter search) takes over 100 ms, and the cache answers
//! one caller at a time. So the counts are made in slices, and between two slices the counting
//! steps aside for any grid query waiting: the next keystroke's grid waits one slice at most,
//! never the whole count.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::cache::{FacetSource, TagTally};
use crate::library::{Library, LibraryError};
use crate::model::{AssetPage, AssetQuery, TagFacet};

/// Assets whose tags are counted in one turn with the cache (a few milliseconds' work).
const FACET_SLICE: usize = 4096;
/// The longest a count waits for grid queries between two slices, so that a grid asking
/// without pause (a long scroll) still lets the counts finish.
const MOST_STEPPING_ASIDE: Duration = Duration::from_millis(50);

impl Library {
    /// One window of the grid, ahead of any tag count under way.
    pub fn query(&self, query: &AssetQuery) -> Result<AssetPage, LibraryError> {
        self.grid_waiting.fetch_add(1, Ordering::SeqCst);
        let cache = self.cache();
        self.grid_waiting.fetch_sub(1, Ordering::SeqCst);
        Ok(cache?.query_assets(query)?)
    }

    /// The `limit` most used tags of the assets `query` selects, with how many carry each.
    pub fn tag_facets(
        &self,
        query: &AssetQuery,
        limit: u32,
    ) -> Result<Vec<TagFacet>, LibraryError> {
        let rowids = match self.cache()?.facet_source(query, limit)? {
            FacetSource::Index(facets) => return Ok(facets),
            FacetSource::Rows(rowids) => rowids,
        };
        let mut tally = TagTally::default();
        for slice in rowids.chunks(FACET_SLICE) {
            self.step_aside_for_grid();
            self.cache()?.tally_tags(slice, &mut tally)?;
        }
        Ok(tally.top(limit))
    }

    fn step_aside_for_grid(&self) {
        let started = std::time::Instant::now();
        while self.grid_waiting.load(Ordering::SeqCst) > 0
            && started.elapsed() < MOST_STEPPING_ASIDE
        {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::tests::asset;
    use crate::cache::{Credential, NewAccount};
    use crate::model::AssetKind;

    /// Three slices and a bit: the counts summed over slices are the counts of the whole.
    #[test]
    fn facets_counted_in_slices_are_the_counts_of_the_whole_result() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open_quiet(dir.path()).unwrap();
        let account = library
            .add_account(NewAccount {
                name: "Team".into(),
                provider: "local".into(),
                base_url: "http://127.0.0.1:1".into(),
                credential: Credential::Env("TEAM_KEY".into()),
            })
            .unwrap();
        let count = FACET_SLICE * 3 + 500;
        let rows: Vec<_> = (0..count)
            .map(|i| {
                let kind = [AssetKind::Image, AssetKind::Video][i % 2];
                let name = ["spring hero", "summer banner"][i % 5 / 4];
                let mut row = asset(&account.id, &format!("a{i}"), name, kind, "2025-01-01");
                row.tags = vec![format!("batch-{}", i % 7), format!("set-{}", i % 3)];
                row
            })
            .collect();
        library.cache().unwrap().upsert_assets(&rows).unwrap();

        let spring = AssetQuery {
            text: Some("spring".into()),
            ..AssetQuery::default()
        };
        let facets = library.tag_facets(&spring, 30).unwrap();
        let selected: Vec<_> = rows
            .iter()
            .filter(|r| r.name.starts_with("spring"))
            .collect();
        let mut expected: Vec<(String, u32)> = Vec::new();
        for tag in (0..7)
            .map(|n| format!("batch-{n}"))
            .chain((0..3).map(|n| format!("set-{n}")))
        {
            let uses = selected.iter().filter(|r| r.tags.contains(&tag)).count() as u32;
            expected.push((tag, uses));
        }
        expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let got: Vec<(String, u32)> = facets.into_iter().map(|f| (f.tag, f.count)).collect();
        assert_eq!(got, expected);
        assert!(
            selected.len() > FACET_SLICE * 2,
            "the result spans several slices"
        );

        for query in [
            AssetQuery {
                kind: Some(AssetKind::Video),
                ..AssetQuery::default()
            },
            AssetQuery {
                tags: vec!["set-1".into()],
                ..AssetQuery::default()
            },
            AssetQuery::default(),
        ] {
            assert_eq!(
                library.tag_facets(&query, 5).unwrap(),
                library.cache().unwrap().tag_facets(&query, 5).unwrap(),
                "{query:?}"
            );
        }
    }
}
