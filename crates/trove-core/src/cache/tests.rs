use std::collections::HashSet;

use super::*;
use crate::cache::Edit;
use crate::model::{Asset, AssetKind, AssetQuery, SortKey};

/// A cache in a fresh temporary directory.
pub(super) fn open_temp() -> (tempfile::TempDir, Cache) {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("cache.sqlite3")).unwrap();
    (dir, cache)
}

/// The `Team` account every cache test adds.
pub(super) fn account(cache: &mut Cache) -> Account {
    cache
        .add_account(NewAccount {
            name: "Team".into(),
            provider: "local".into(),
            base_url: "http://127.0.0.1:1".into(),
            credential: Credential::Env("TEAM_KEY".into()),
        })
        .unwrap()
}

pub(crate) fn asset(
    account_id: &str,
    id: &str,
    name: &str,
    kind: AssetKind,
    created: &str,
) -> Asset {
    Asset {
        account_id: account_id.into(),
        id: id.into(),
        name: name.into(),
        kind,
        content_type: None,
        size: Some(100),
        width: None,
        height: None,
        duration_s: None,
        tags: vec![],
        url: None,
        thumbnail_url: None,
        created_at: created.into(),
        updated_at: None,
        used_in_videos: None,
        used_in_templates: None,
        last_used: None,
        usage_fetched_at: None,
        pending: false,
    }
}

#[test]
fn upsert_writes_only_what_changed() {
    let (_dir, mut cache) = open_temp();
    let acc = account(&mut cache);
    let logo = asset(
        &acc.id,
        "a1",
        "Logo",
        AssetKind::Image,
        "2025-01-01T00:00:00Z",
    );
    assert_eq!(
        cache.upsert_assets(std::slice::from_ref(&logo)).unwrap(),
        vec![UpsertOutcome::Inserted]
    );
    assert_eq!(
        cache.upsert_assets(std::slice::from_ref(&logo)).unwrap(),
        vec![UpsertOutcome::Unchanged]
    );
    let renamed = Asset {
        name: "Logo 2025".into(),
        ..logo
    };
    assert_eq!(
        cache.upsert_assets(&[renamed]).unwrap(),
        vec![UpsertOutcome::Updated]
    );
}

#[test]
fn listing_without_usage_keeps_fetched_usage() {
    let (_dir, mut cache) = open_temp();
    let acc = account(&mut cache);
    let listed = asset(
        &acc.id,
        "a1",
        "Logo",
        AssetKind::Image,
        "2025-01-01T00:00:00Z",
    );
    let fetched = Asset {
        used_in_videos: Some(12),
        used_in_templates: Some(3),
        usage_fetched_at: Some("2025-03-01T00:00:00Z".into()),
        ..listed.clone()
    };
    cache.upsert_assets(&[fetched]).unwrap();
    assert_eq!(
        cache.upsert_assets(&[listed]).unwrap(),
        vec![UpsertOutcome::Unchanged]
    );
    let page = cache.query_assets(&AssetQuery::default()).unwrap();
    assert_eq!(page.items[0].used_in_videos, Some(12));
}

#[test]
fn queries_filter_sort_and_window() {
    let (_dir, mut cache) = open_temp();
    let acc = account(&mut cache);
    let mut rows = vec![];
    for i in 0..30 {
        let kind = if i % 3 == 0 {
            AssetKind::Video
        } else {
            AssetKind::Image
        };
        let mut a = asset(
            &acc.id,
            &format!("a{i:02}"),
            &format!("Item {i:02}"),
            kind,
            &format!("2025-01-{:02}T00:00:00Z", i + 1),
        );
        if i % 5 == 0 {
            a.tags = vec!["brand".into(), "2025".into()];
        }
        rows.push(a);
    }
    cache.upsert_assets(&rows).unwrap();

    let newest = cache
        .query_assets(&AssetQuery {
            limit: 5,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(newest.total, 30);
    assert_eq!(newest.items.len(), 5);
    assert_eq!(newest.items[0].id, "a29");

    let videos = cache
        .query_assets(&AssetQuery {
            kind: Some(AssetKind::Video),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(videos.total, 10);

    let tagged = cache
        .query_assets(&AssetQuery {
            tags: vec!["brand".into(), "2025".into()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(tagged.total, 6);

    let text = cache
        .query_assets(&AssetQuery {
            text: Some("item 1".into()),
            sort: SortKey::Name,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(text.total, 10, "Item 10..19");
    assert_eq!(text.items[0].name, "Item 10");

    let window = cache
        .query_assets(&AssetQuery {
            sort: SortKey::Oldest,
            offset: 28,
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        window
            .items
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>(),
        ["a28", "a29"]
    );

    let wildcard = cache
        .query_assets(&AssetQuery {
            text: Some("%".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        wildcard.total, 0,
        "LIKE wildcards in the search text are literal"
    );
}

#[test]
fn removal_keeps_listed_assets() {
    let (_dir, mut cache) = open_temp();
    let acc = account(&mut cache);
    let rows: Vec<Asset> = (0..4)
        .map(|i| {
            asset(
                &acc.id,
                &format!("a{i}"),
                "x",
                AssetKind::Audio,
                "2025-01-01T00:00:00Z",
            )
        })
        .collect();
    cache.upsert_assets(&rows).unwrap();
    let keep: HashSet<String> = ["a0".to_string(), "a2".to_string()].into();
    assert_eq!(cache.remove_assets_not_in(&acc.id, &keep).unwrap(), 2);
    assert_eq!(cache.query_assets(&AssetQuery::default()).unwrap().total, 2);
}

#[test]
fn a_file_that_is_not_a_database_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
    let error = Cache::open(&path).err().expect("garbage must not open");
    assert!(matches!(error, CacheError::Corrupt { .. }), "{error:?}");
    assert!(error.to_string().contains("cache.sqlite3"), "{error}");
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    drop(Cache::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let error = Cache::open(&path)
        .err()
        .expect("newer schema must be refused");
    assert!(
        matches!(error, CacheError::TooNew { found: 99, .. }),
        "{error:?}"
    );
}

#[test]
fn reopening_is_idempotent_and_accounts_persist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let id = {
        let mut cache = Cache::open(&path).unwrap();
        account(&mut cache).id
    };
    let cache = Cache::open(&path).unwrap();
    let found = cache.account("Team").unwrap();
    assert_eq!(found.id, id);
    assert_eq!(found.credential, Credential::Env("TEAM_KEY".into()));
    assert!(matches!(
        cache.account("nope"),
        Err(CacheError::UnknownAccount(_))
    ));
}

#[test]
fn urls_on_the_account_server_follow_its_current_address() {
    let (_dir, mut cache) = open_temp();
    let acc = account(&mut cache);
    let mut on_server = asset(
        &acc.id,
        "a1",
        "Logo",
        AssetKind::Image,
        "2025-01-01T00:00:00Z",
    );
    on_server.url = Some("/files/a1".into());
    let mut elsewhere = asset(
        &acc.id,
        "a2",
        "Cdn",
        AssetKind::Image,
        "2025-01-02T00:00:00Z",
    );
    elsewhere.url = Some("https://cdn.example/a2.png".into());
    cache.upsert_assets(&[on_server, elsewhere]).unwrap();
    cache
        .set_account_base_url(&acc.id, "http://127.0.0.1:4242")
        .unwrap();
    let page = cache
        .query_assets(&AssetQuery {
            sort: SortKey::Oldest,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        page.items[0].url.as_deref(),
        Some("http://127.0.0.1:4242/files/a1")
    );
    assert_eq!(
        page.items[1].url.as_deref(),
        Some("https://cdn.example/a2.png")
    );
}

#[test]
fn search_as_you_type_matches_word_prefixes_in_names_and_tags() {
    let (_dir, mut cache) = open_temp();
    let acc = account(&mut cache);
    let mut hero = asset(
        &acc.id,
        "a1",
        "Summer campaign hero",
        AssetKind::Image,
        "2025-01-01T00:00:00Z",
    );
    hero.tags = vec!["brand".into(), "Q3-launch".into()];
    let cafe = asset(
        &acc.id,
        "a2",
        "Café opening",
        AssetKind::Video,
        "2025-01-02T00:00:00Z",
    );
    let other = asset(
        &acc.id,
        "a3",
        "Winter sale",
        AssetKind::Image,
        "2025-01-03T00:00:00Z",
    );
    cache.upsert_assets(&[hero, cafe, other]).unwrap();
    let ids = |cache: &Cache, text: &str| -> Vec<String> {
        let query = AssetQuery {
            text: Some(text.into()),
            sort: SortKey::Oldest,
            ..Default::default()
        };
        cache
            .query_assets(&query)
            .unwrap()
            .items
            .into_iter()
            .map(|a| a.id)
            .collect()
    };
    assert_eq!(ids(&cache, "sum"), ["a1"]);
    assert_eq!(ids(&cache, "camp her"), ["a1"], "every word must match");
    assert_eq!(ids(&cache, "laun"), ["a1"], "tags are searched");
    assert_eq!(ids(&cache, "cafe"), ["a2"], "diacritics do not matter");
    assert!(
        ids(&cache, "\"*) OR NEAR(").is_empty(),
        "input is never FTS syntax"
    );

    // The index follows edits and deletes.
    cache
        .apply_edit(&acc.id, "a3", &Edit::Rename("Spring sale".into()))
        .unwrap();
    assert_eq!(ids(&cache, "spri"), ["a3"]);
    assert!(ids(&cache, "winter").is_empty());
    cache.apply_edit(&acc.id, "a1", &Edit::Delete).unwrap();
    assert!(ids(&cache, "sum").is_empty());
}

#[test]
fn tag_facets_count_within_the_filter() {
    let (_dir, mut cache) = open_temp();
    let acc = account(&mut cache);
    let rows: Vec<Asset> = (0..10)
        .map(|i| {
            let kind = if i < 6 {
                AssetKind::Image
            } else {
                AssetKind::Audio
            };
            let mut a = asset(&acc.id, &format!("a{i}"), "x", kind, "2025-01-01T00:00:00Z");
            a.tags = if i % 2 == 0 {
                vec!["brand".into(), "even".into()]
            } else {
                vec!["brand".into()]
            };
            a
        })
        .collect();
    cache.upsert_assets(&rows).unwrap();
    let all = cache.tag_facets(&AssetQuery::default(), 10).unwrap();
    assert_eq!(
        all.iter()
            .map(|f| (f.tag.as_str(), f.count))
            .collect::<Vec<_>>(),
        [("brand", 10), ("even", 5)]
    );
    let images = cache
        .tag_facets(
            &AssetQuery {
                kind: Some(AssetKind::Image),
                ..Default::default()
            },
            10,
        )
        .unwrap();
    assert_eq!(
        images
            .iter()
            .map(|f| (f.tag.as_str(), f.count))
            .collect::<Vec<_>>(),
        [("brand", 6), ("even", 3)]
    );
}

#[test]
fn an_edit_is_applied_and_queued_together_and_listings_keep_it() {
    let (_dir, mut cache) = open_temp();
    let acc = account(&mut cache);
    let mut remote = asset(
        &acc.id,
        "a1",
        "Logo",
        AssetKind::Image,
        "2025-01-01T00:00:00Z",
    );
    remote.tags = vec!["brand".into()];
    cache.upsert_assets(std::slice::from_ref(&remote)).unwrap();
    let shown = cache
        .apply_edit(&acc.id, "a1", &Edit::Rename("Logo 2025".into()))
        .unwrap();
    assert!(shown.pending);
    cache
        .apply_edit(&acc.id, "a1", &Edit::AddTag("2025".into()))
        .unwrap();
    assert!(matches!(
        cache.apply_edit(&acc.id, "a1", &Edit::Rename("a/b".into())),
        Err(CacheError::InvalidEdit(_))
    ));
    assert!(matches!(
        cache.apply_edit(&acc.id, "nope", &Edit::Delete),
        Err(CacheError::UnknownAsset(_))
    ));

    // A listing from before the push (old name, a remote tag added) does not undo the edits.
    remote.tags.push("remote".into());
    cache.upsert_assets(&[remote]).unwrap();
    let row = &cache.query_assets(&AssetQuery::default()).unwrap().items[0];
    assert_eq!(row.name, "Logo 2025");
    assert_eq!(row.tags, ["brand", "remote", "2025"]);
    let due = cache.due_edits(&acc.id, true).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        due[0].edits.len(),
        2,
        "two edits queued; the refused one was not"
    );
}
