//! Bulk actions and the background sync, in-process as the desktop app runs them, against a real
//! `trove-server`: a bulk tag reaches the server without anyone asking for a sync; edits made while
//! the server is down reach it once it is back; a bulk delete lists exactly the selected assets in
//! use (by fresh counts) and deletes nothing until told, or only what is unticked.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio_util::sync::CancellationToken;
use trove_core::autosync::{self, Timing};
use trove_core::bulk::{AssetEdit, AssetKey, Selection};
use trove_core::library::Library;
use trove_core::model::AssetQuery;
use trove_core::push::Urgency;
use trove_tests::cli::Cli;
use trove_tests::server::ServerProcess;

/// Polls the server until `done` holds for its listing, or fails after `within`.
async fn eventually(
    server: &ServerProcess,
    within: Duration,
    what: &str,
    done: impl Fn(&Value) -> bool,
) {
    let deadline = Instant::now() + within;
    loop {
        let listing = server.list().await;
        if done(&listing) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: {listing:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn assets(listing: &Value) -> &Vec<Value> {
    listing["data"].as_array().expect("a data array")
}

fn tags_of(asset: &Value) -> Vec<&str> {
    asset["tags"]
        .as_array()
        .map(|tags| tags.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn bulk_edits_reach_the_server_by_themselves_and_bulk_deletes_name_what_is_in_use() {
    let storage = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(&storage.path().join("library"));
    let ids = server.seed_tiles(3).await;
    server.use_in_video(&ids[0]).await;

    // The app's library: a `team` account on the server, its key in TEAM_KEY.
    let client = Cli::with_team(&server.base_url, &server.api_key);
    std::env::set_var("TEAM_KEY", &server.api_key);
    let library = Arc::new(Library::open_quiet(&client.data_dir).unwrap());
    let team = library.account("team").unwrap();
    library.sync(&team, Urgency::Now).await.unwrap();
    let stop = CancellationToken::new();
    let timing = Timing {
        interval: Duration::from_secs(600),
        retry: Duration::from_millis(200),
    };
    let (_keep_timing, timing) = tokio::sync::watch::channel(timing);
    let running = tokio::spawn(autosync::run(library.clone(), timing, stop.clone()));

    // Select all, tag: one local change, on the server moments later without a sync.
    let everything = Selection::Matching {
        query: AssetQuery::default(),
        except: vec![],
    };
    let tagged = library
        .edit_selection(&everything, &AssetEdit::AddTag { tag: "2025".into() })
        .unwrap();
    assert_eq!(tagged.changed, 3);
    eventually(
        &server,
        Duration::from_secs(10),
        "the bulk tag reached the server",
        |l| assets(l).iter().all(|a| tags_of(a).contains(&"2025")),
    )
    .await;

    // Server down: a rename and an untag wait, shown at once; server back: they arrive by themselves.
    server.kill_hard();
    let key = |id: &str| AssetKey {
        account_id: team.id.clone(),
        id: id.to_owned(),
    };
    let second = Selection::Assets {
        keys: vec![key(&ids[1])],
    };
    library
        .edit_selection(
            &second,
            &AssetEdit::Rename {
                name: "Hero banner".into(),
            },
        )
        .unwrap();
    library
        .edit_selection(&second, &AssetEdit::RemoveTag { tag: "2025".into() })
        .unwrap();
    let shown = library.find_asset(&ids[1], Some(&team)).unwrap();
    assert_eq!(shown.name, "Hero banner");
    assert!(shown.pending);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let unknown = library.check_delete(&everything).await.unwrap();
    assert_eq!(unknown.total, 3);
    assert_eq!(unknown.unknown.len(), 3, "{unknown:?}");
    assert!(
        unknown.unknown[0].reason.contains("cannot reach"),
        "{unknown:?}"
    );

    server.restart();
    eventually(
        &server,
        Duration::from_secs(10),
        "the offline edits reached the server",
        |l| {
            assets(l)
                .iter()
                .any(|a| a["name"] == "Hero banner" && !tags_of(a).contains(&"2025"))
        },
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while library.find_asset(&ids[1], Some(&team)).unwrap().pending {
        assert!(
            Instant::now() < deadline,
            "the edit is still marked pending"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A bulk delete of everything: fresh counts name the one in use, and nothing goes.
    let check = library.check_delete(&everything).await.unwrap();
    assert!(check.unknown.is_empty(), "{check:?}");
    assert_eq!(check.in_use.len(), 1, "{check:?}");
    assert_eq!(check.in_use[0].key.id, ids[0]);
    assert_eq!(check.in_use[0].used_in_videos, 1);
    let refused = library.delete_selection(&everything, false).await.unwrap();
    assert_eq!(refused.deleted, 0);
    assert_eq!(refused.check.in_use.len(), 1);
    assert_eq!(server.list().await["pagination"]["total"], 3);

    // Unticking the one in use deletes the others, here and then on the server.
    let all_but_used = Selection::Matching {
        query: AssetQuery::default(),
        except: vec![key(&ids[0])],
    };
    let deleted = library
        .delete_selection(&all_but_used, false)
        .await
        .unwrap();
    assert_eq!(deleted.deleted, 2, "{deleted:?}");
    assert_eq!(library.query(&AssetQuery::default()).unwrap().total, 1);
    eventually(
        &server,
        Duration::from_secs(10),
        "the deletes reached the server",
        |l| l["pagination"]["total"] == 1,
    )
    .await;

    stop.cancel();
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("the background sync stops when told")
        .unwrap();
}
