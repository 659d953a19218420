//! The grid's queries checked against a model: a few hundred varied assets, every combination of
//! filters and orders, windows near the top and deep, with the planner's thresholds at their
//! defaults and tiny (so the full-text path, the index path and resolved results all answer).

use super::query::Planner;
use super::*;
use crate::model::{Asset, AssetKind, AssetQuery, SortKey};

const WORDS: [&str; 8] = [
    "summer", "Winter", "launch", "hero", "banner", "logo", "teaser", "jingle",
];
const TAGS: [&str; 6] = ["brand", "Brand", "team-3", "social media", "année", "q4"];

fn generated(account_id: &str, i: u64) -> Asset {
    // A small deterministic scramble, so neighbours differ in every field.
    let r = i.wrapping_mul(2_654_435_761) % 1_000_003;
    let tags: Vec<String> = TAGS
        .iter()
        .enumerate()
        .filter(|(t, _)| (r >> t) & 1 == 1 && !(r + *t as u64).is_multiple_of(3))
        .map(|(_, tag)| (*tag).to_owned())
        .collect();
    Asset {
        account_id: account_id.to_owned(),
        id: format!("a{:04}", (r % 9_000) + i),
        name: format!(
            "{} {} {i}",
            WORDS[(r % 8) as usize],
            WORDS[(r / 8 % 8) as usize]
        ),
        kind: [AssetKind::Image, AssetKind::Video, AssetKind::Audio][(r % 3) as usize],
        content_type: None,
        size: (!r.is_multiple_of(7)).then_some((r % 50) as i64 * 1000),
        width: None,
        height: None,
        duration_s: (!r.is_multiple_of(5)).then_some((r % 40) as f64 / 2.0),
        tags,
        url: None,
        thumbnail_url: None,
        // Few distinct times, so ties are broken by id.
        created_at: format!("2025-03-{:02}T10:00:00Z", 1 + r % 20),
        updated_at: None,
        used_in_videos: None,
        used_in_templates: None,
        last_used: None,
        usage_fetched_at: None,
        pending: false,
    }
}

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// What the query must return, computed the slow and obvious way.
fn model(all: &[Asset], query: &AssetQuery) -> Vec<String> {
    let searched = query.text.as_deref().map(words_of).unwrap_or_default();
    let mut selected: Vec<&Asset> = all
        .iter()
        .filter(|a| {
            query
                .account_id
                .as_ref()
                .is_none_or(|id| &a.account_id == id)
        })
        .filter(|a| query.kind.is_none_or(|kind| a.kind == kind))
        .filter(|a| query.tags.iter().all(|tag| a.tags.contains(tag)))
        .filter(|a| {
            let mut words = words_of(&a.name);
            words.extend(a.tags.iter().flat_map(|t| words_of(t)));
            searched
                .iter()
                .all(|s| words.iter().any(|w| w.starts_with(s)))
        })
        .collect();
    let none_last = |v: Option<f64>| (v.is_none(), -v.unwrap_or(0.0));
    selected.sort_by(|a, b| match query.sort {
        SortKey::Newest => (&b.created_at, &b.id).cmp(&(&a.created_at, &a.id)),
        SortKey::Oldest => (&a.created_at, &a.id).cmp(&(&b.created_at, &b.id)),
        SortKey::Name => {
            (a.name.to_ascii_lowercase(), &a.id).cmp(&(b.name.to_ascii_lowercase(), &b.id))
        }
        SortKey::Size => none_last(a.size.map(|s| s as f64))
            .partial_cmp(&none_last(b.size.map(|s| s as f64)))
            .unwrap()
            .then_with(|| a.id.cmp(&b.id)),
        SortKey::Duration => none_last(a.duration_s)
            .partial_cmp(&none_last(b.duration_s))
            .unwrap()
            .then_with(|| a.id.cmp(&b.id)),
    });
    selected.into_iter().map(|a| a.id.clone()).collect()
}

fn queries(account_id: &str) -> Vec<AssetQuery> {
    let mut filters = vec![AssetQuery::default()];
    let texts = [
        None,
        Some("sum"),
        Some("WIN ban"),
        Some("ann"),
        Some("social m"),
        Some("zzz"),
    ];
    for kind in [None, Some(AssetKind::Video)] {
        for tags in [
            vec![],
            vec!["brand".to_owned()],
            vec!["Brand".into(), "q4".into()],
        ] {
            for text in texts {
                filters.push(AssetQuery {
                    kind,
                    tags: tags.clone(),
                    text: text.map(str::to_owned),
                    ..Default::default()
                });
            }
        }
    }
    filters.push(AssetQuery {
        account_id: Some(account_id.to_owned()),
        tags: vec!["team-3".into()],
        ..Default::default()
    });
    filters.push(AssetQuery {
        text: Some("  ".into()),
        ..Default::default()
    });
    filters
}

#[test]
fn every_path_returns_what_the_model_selects() {
    let dir = tempfile::tempdir().unwrap();
    let mut cache = Cache::open(&dir.path().join("cache.sqlite3")).unwrap();
    let mut all = Vec::new();
    for name in ["One", "Two"] {
        let account = cache
            .add_account(NewAccount {
                name: name.into(),
                provider: "local".into(),
                base_url: "http://127.0.0.1:1".into(),
                credential: Credential::InProcess,
            })
            .unwrap();
        // Ids are unique within an account only; these differ across the two, so every order
        // is total.
        let assets: Vec<Asset> = (0..200)
            .map(|i| generated(&account.id, i))
            .map(|a| Asset {
                id: format!("{name}-{}", a.id),
                ..a
            })
            .collect();
        cache.upsert_assets(&assets).unwrap();
        all.extend(assets);
    }
    let first_account = all[0].account_id.clone();
    let tiny = Planner { shallow_rows: 40 };
    let mut checked = 0;
    for planner in [Planner::default(), tiny] {
        cache.planner = planner;
        for filter in queries(&first_account) {
            for sort in [
                SortKey::Newest,
                SortKey::Oldest,
                SortKey::Name,
                SortKey::Size,
                SortKey::Duration,
            ] {
                let expected = model(
                    &all,
                    &AssetQuery {
                        sort,
                        ..filter.clone()
                    },
                );
                for offset in [0, 13, 60, 390] {
                    let query = AssetQuery {
                        sort,
                        offset,
                        limit: 25,
                        ..filter.clone()
                    };
                    let page = cache.query_assets(&query).unwrap();
                    let ids: Vec<String> = page.items.into_iter().map(|a| a.id).collect();
                    let want: Vec<String> = expected
                        .iter()
                        .skip(offset as usize)
                        .take(25)
                        .cloned()
                        .collect();
                    assert_eq!(ids, want, "{query:?} with {planner:?}");
                    assert_eq!(page.total as usize, expected.len(), "{query:?}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 700);
}

#[test]
fn facets_count_what_the_model_selects() {
    let dir = tempfile::tempdir().unwrap();
    let mut cache = Cache::open(&dir.path().join("cache.sqlite3")).unwrap();
    let account = cache
        .add_account(NewAccount {
            name: "One".into(),
            provider: "local".into(),
            base_url: "http://127.0.0.1:1".into(),
            credential: Credential::InProcess,
        })
        .unwrap();
    let all: Vec<Asset> = (0..300).map(|i| generated(&account.id, i)).collect();
    cache.upsert_assets(&all).unwrap();
    for filter in queries(&account.id) {
        let selected = model(&all, &filter);
        let mut expected: Vec<(String, u32)> = TAGS
            .iter()
            .map(|tag| {
                let count = all
                    .iter()
                    .filter(|a| selected.contains(&a.id) && a.tags.iter().any(|t| t == tag))
                    .count() as u32;
                ((*tag).to_owned(), count)
            })
            .filter(|(_, count)| *count > 0)
            .collect();
        expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let facets: Vec<(String, u32)> = cache
            .tag_facets(&filter, 10)
            .unwrap()
            .into_iter()
            .map(|f| (f.tag, f.count))
            .collect();
        assert_eq!(facets, expected, "{filter:?}");
    }
}
