//! Local edits and their outbox, through the CLI against a real `trove-server`: edits made while
//! the server is down reach it on the next sync, two clients' tag edits converge to the union,
//! a local rename wins over a remote one (and the conflict is recorded), a refused edit is kept
//! and shown, and an asset in use is not deleted without --force.

use std::path::Path;

use serde_json::{json, Value};
use trove_core::cache::Cache;
use trove_tests::cli::Cli;
use trove_tests::{media, server::ServerProcess};

fn team(server: &ServerProcess) -> Cli {
    Cli::with_team(&server.base_url, &server.api_key)
}

/// The asset as this client shows it (usage refreshed when the server answers).
fn shown(client: &Cli, id: &str) -> Value {
    serde_json::from_str(&client.ok(&["show", id, "--json"])).unwrap()
}

fn upload_one(client: &Cli, dir: &Path, tags: &str) -> String {
    let png = media::png(dir, "logo.png", 64, 64);
    let out = client.ok(&[
        "upload",
        "--account",
        "team",
        "--tags",
        tags,
        "--json",
        png.to_str().unwrap(),
    ]);
    let upload: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(upload["state"], "done", "{upload}");
    upload["asset_id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_made_offline_reach_the_server_on_the_next_sync() {
    let data = tempfile::tempdir().unwrap();
    let media_dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(&data.path().join("library"));
    let client = team(&server);
    let id = upload_one(&client, media_dir.path(), "brand");

    server.kill_hard();
    let renamed = client.run(&["rename", &id, "Logo 2025"]);
    assert!(renamed.status.success());
    assert!(String::from_utf8_lossy(&renamed.stderr).contains("next `trove sync`"));
    client.ok(&["tag", &id, "--add", "2025", "--remove", "brand"]);
    let shown = client.ok(&["ls", "--account", "team"]);
    assert!(
        shown.contains("Logo 2025") && shown.contains("2025"),
        "the edits show at once: {shown}"
    );
    assert!(client.ok(&["status"]).contains("3 edits pending"));
    let failed = client.run(&["sync", "team"]);
    assert!(!failed.status.success(), "the server is down");
    assert!(
        client
            .ok(&["ls", "--account", "team"])
            .contains("Logo 2025"),
        "a failed sync loses no edit"
    );

    server.restart();
    let synced = client.ok(&["sync", "team"]);
    assert!(synced.contains("3 edits sent"), "{synced}");
    let on_server = server.asset(&id).await;
    assert_eq!(on_server["name"], "Logo 2025");
    assert_eq!(on_server["tags"], json!(["2025"]));
    assert!(client.ok(&["status"]).contains("0 edits pending"));
    let again = client.ok(&["sync", "team"]);
    assert!(
        again.contains("0 edits sent") && again.contains("0 new, 0 updated"),
        "nothing is applied twice: {again}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_clients_tag_edits_converge_to_the_union() {
    let data = tempfile::tempdir().unwrap();
    let media_dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&data.path().join("library"));
    let (alice, bob) = (team(&server), team(&server));
    let id = upload_one(&alice, media_dir.path(), "brand,draft");
    bob.ok(&["sync", "team"]);

    alice.ok(&["tag", &id, "--add", "from-alice"]);
    bob.ok(&["tag", &id, "--add", "from-bob", "--remove", "draft"]);
    alice.ok(&["sync", "team"]);
    bob.ok(&["sync", "team"]);
    alice.ok(&["sync", "team"]);

    let mut expected = vec!["brand", "from-alice", "from-bob"];
    expected.sort();
    for tags in [
        server.asset(&id).await["tags"].clone(),
        shown(&alice, &id)["tags"].clone(),
        shown(&bob, &id)["tags"].clone(),
    ] {
        let mut tags: Vec<String> = serde_json::from_value(tags).unwrap();
        tags.sort();
        assert_eq!(tags, expected);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_local_rename_wins_and_the_conflict_is_recorded() {
    let data = tempfile::tempdir().unwrap();
    let media_dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(&data.path().join("library"));
    let (alice, bob) = (team(&server), team(&server));
    let id = upload_one(&alice, media_dir.path(), "brand");
    bob.ok(&["sync", "team"]);

    server.kill_hard();
    let _ = alice.run(&["rename", &id, "Alice's name"]); // queued: the server is down
    server.restart();
    bob.ok(&["rename", &id, "Bob's name"]);
    let synced = alice.ok(&["sync", "team"]);
    assert!(synced.contains("1 edits sent"), "{synced}");
    assert_eq!(server.asset(&id).await["name"], "Alice's name");
    let cache = Cache::open(&alice.data_dir.join("cache.sqlite3")).unwrap();
    let account = cache.account("team").unwrap();
    assert_eq!(
        cache.conflict(&account.id, &id, "name").unwrap().as_deref(),
        Some("Bob's name")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_edit_is_kept_and_shown_not_retried_forever() {
    let data = tempfile::tempdir().unwrap();
    let media_dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(&data.path().join("library"));
    let client = team(&server);
    let id = upload_one(&client, media_dir.path(), "brand");
    server.kill_hard();
    let _ = client.run(&["rename", &id, "Renamed while away"]);
    server.restart();
    // Meanwhile someone deleted it on the server.
    let deleted = reqwest::Client::new()
        .delete(format!("{}/assets/{id}", server.base_url))
        .bearer_auth(&server.api_key)
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success());

    let synced = client.ok(&["sync", "team"]);
    assert!(synced.contains("1 refused"), "{synced}");
    let status = client.ok(&["status"]);
    assert!(status.contains("0 edits pending\t1 refused"), "{status}");
    assert!(
        status.contains("refused: Rename(\"Renamed while away\")") && status.contains("not found"),
        "{status}"
    );
    let again = client.ok(&["sync", "team"]);
    assert!(
        again.contains("0 edits sent, 0 refused"),
        "not retried: {again}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_asset_in_use_is_deleted_only_with_force() {
    let data = tempfile::tempdir().unwrap();
    let media_dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&data.path().join("library"));
    let client = team(&server);
    let id = upload_one(&client, media_dir.path(), "brand");
    server.use_in_video(&id).await;

    let refused = client.run(&["rm", &id]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("used in 1 videos and 0 templates") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(server.asset(&id).await["id"], id.as_str(), "still there");
    assert!(client.ok(&["ls"]).contains(&id), "still cached");

    client.ok(&["rm", &id, "--force"]);
    assert_eq!(server.asset(&id).await["error"], "not_found");
    assert!(!client.ok(&["ls"]).contains(&id));
}
