use super::tests::asset;
use super::*;
use crate::bulk::{AssetKey, EditSummary};
use crate::model::{AssetKind, AssetQuery};

fn library_of_five() -> (tempfile::TempDir, Cache, Account) {
    let (dir, mut cache) = super::tests::open_temp();
    let account = super::tests::account(&mut cache);
    let assets: Vec<_> = (0..5)
        .map(|n| {
            let kind = if n % 2 == 0 {
                AssetKind::Image
            } else {
                AssetKind::Video
            };
            let mut a = asset(
                &account.id,
                &format!("a{n}"),
                &format!("spring promo {n}"),
                kind,
                &format!("2025-01-0{}T00:00:00Z", n + 1),
            );
            a.tags = if n < 2 { vec!["brand".into()] } else { vec![] };
            a
        })
        .collect();
    cache.upsert_assets(&assets).unwrap();
    (dir, cache, account)
}

fn key(account: &Account, id: &str) -> AssetKey {
    AssetKey {
        account_id: account.id.clone(),
        id: id.into(),
    }
}

fn ids(mut keys: Vec<AssetKey>) -> Vec<String> {
    keys.sort_by(|a, b| a.id.cmp(&b.id));
    keys.into_iter().map(|k| k.id).collect()
}

#[test]
fn a_query_selects_the_keys_of_its_whole_result() {
    let (_dir, cache, _account) = library_of_five();
    let all = cache.keys_matching(&AssetQuery::default()).unwrap();
    assert_eq!(ids(all), ["a0", "a1", "a2", "a3", "a4"]);
    let videos = AssetQuery {
        kind: Some(AssetKind::Video),
        ..AssetQuery::default()
    };
    assert_eq!(ids(cache.keys_matching(&videos).unwrap()), ["a1", "a3"]);
    let brand_images = AssetQuery {
        kind: Some(AssetKind::Image),
        tags: vec!["brand".into()],
        ..AssetQuery::default()
    };
    assert_eq!(ids(cache.keys_matching(&brand_images).unwrap()), ["a0"]);
    let text = AssetQuery {
        text: Some("promo 3".into()),
        ..AssetQuery::default()
    };
    assert_eq!(ids(cache.keys_matching(&text).unwrap()), ["a3"]);
    let punctuation = AssetQuery {
        text: Some("--".into()),
        ..AssetQuery::default()
    };
    assert!(cache.keys_matching(&punctuation).unwrap().is_empty());
}

#[test]
fn a_bulk_tag_queues_only_real_changes_in_one_go() {
    let (_dir, mut cache, account) = library_of_five();
    let keys: Vec<_> = ["a0", "a1", "a2", "gone"]
        .iter()
        .map(|id| key(&account, id))
        .collect();
    let summary = cache
        .apply_edit_to_many(&keys, &Edit::AddTag(" brand ".into()))
        .unwrap();
    assert_eq!(
        summary,
        EditSummary {
            changed: 1,
            unchanged: 2,
            missing: 1
        }
    );
    let due = cache.due_edits(&account.id, true).unwrap();
    assert_eq!(due.len(), 1, "only a2 lacked the tag");
    assert_eq!(due[0].asset_id, "a2");

    let brand = AssetQuery {
        tags: vec!["brand".into()],
        ..AssetQuery::default()
    };
    let page = cache.query_assets(&brand).unwrap();
    assert_eq!(page.total, 3);
    assert!(page.items.iter().any(|a| a.id == "a2" && a.pending));

    let removed = cache
        .apply_edit_to_many(&keys, &Edit::RemoveTag("brand".into()))
        .unwrap();
    assert_eq!(removed.changed, 3);
    assert_eq!(cache.query_assets(&brand).unwrap().total, 0);
}

#[test]
fn an_invalid_bulk_edit_changes_nothing() {
    let (_dir, mut cache, account) = library_of_five();
    let keys = vec![key(&account, "a2"), key(&account, "a3")];
    let refused = cache.apply_edit_to_many(&keys, &Edit::AddTag("a\u{0}b".into()));
    assert!(
        matches!(refused, Err(CacheError::InvalidEdit(_))),
        "{refused:?}"
    );
    let renamed = cache.apply_edit_to_many(&keys, &Edit::Rename("x/y".into()));
    assert!(
        matches!(renamed, Err(CacheError::InvalidEdit(_))),
        "{renamed:?}"
    );
    assert!(cache.due_edits(&account.id, true).unwrap().is_empty());
    let page = cache.query_assets(&AssetQuery::default()).unwrap();
    assert!(page
        .items
        .iter()
        .all(|a| !a.pending && a.name.starts_with("spring promo")));
}

#[test]
fn a_bulk_delete_removes_every_selected_row_and_queues_each() {
    let (_dir, mut cache, account) = library_of_five();
    let keys = vec![key(&account, "a1"), key(&account, "a4")];
    let summary = cache.apply_edit_to_many(&keys, &Edit::Delete).unwrap();
    assert_eq!(summary.changed, 2);
    let left = cache.keys_matching(&AssetQuery::default()).unwrap();
    assert_eq!(ids(left), ["a0", "a2", "a3"]);
    assert_eq!(cache.due_edits(&account.id, true).unwrap().len(), 2);
}
