//! Sync through a fault-injecting proxy in front of a real `trove-server`: whatever the remote
//! does wrong (429 with Retry-After, 500, a reset mid-body, malformed JSON, a page that skips or
//! repeats an item), the cache loses no asset and no edit, and the status says what happened.

use trove_tests::cli::Cli;
use trove_tests::fault_proxy::{Fault, FaultProxy};
use trove_tests::server::ServerProcess;

#[tokio::test(flavor = "multi_thread")]
async fn no_fault_of_the_remote_loses_an_asset_or_an_edit() {
    let data = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&data.path().join("library"));
    let ids = server.seed_tiles(250).await;
    let http = reqwest::Client::new();
    let proxy = FaultProxy::start(&server.base_url).await;
    let client = Cli::with_team(&proxy.base_url, &server.api_key);
    let first = client.ok(&["sync", "team"]);
    assert!(
        first.contains("250 listed") && first.contains("250 new"),
        "{first}"
    );

    // One asset goes away remotely: only a complete listing may remove it from the cache.
    let gone = &ids[0];
    http.delete(format!("{}/assets/{gone}", server.base_url))
        .bearer_auth(&server.api_key)
        .send()
        .await
        .unwrap();
    // And one edit waits in the outbox through all of it.
    let edited = &ids[100];
    client.ok(&["tag", edited, "--add", "survivor"]);

    let failing: [(&str, Fault, &str); 4] = [
        ("page=2", Fault::Status(500, None), "HTTP 500"),
        ("page=3", Fault::Status(429, Some(1)), "retry after 1 s"),
        ("page=1", Fault::ResetMidBody, "cannot reach"),
        ("page=2", Fault::MalformedJson, "does not document"),
    ];
    for (path, fault, said) in failing {
        proxy.inject(path, fault.clone());
        let output = client.run(&["sync", "team"]);
        assert!(!output.status.success(), "{fault:?} must fail the sync");
        assert_eq!(proxy.unplayed(), 0, "{fault:?} was played");
        assert_eq!(client.cached(), 250, "{fault:?} lost no asset");
        let status = client.status();
        assert!(
            status.contains("Offline") && status.contains(said),
            "{fault:?}: {status}"
        );
    }

    // Listings that are wrong without failing: nothing is removed on their word.
    for fault in [Fault::SkipItem, Fault::RepeatItem] {
        proxy.inject("page=2", fault.clone());
        let output = client.ok(&["sync", "team"]);
        assert!(
            output.contains("listing incomplete: nothing removed"),
            "{fault:?}: {output}"
        );
        assert_eq!(client.cached(), 250, "{fault:?} lost no asset");
    }

    // The edit was sent by the first sync that reached the server, exactly once.
    let on_server = server.asset(edited).await;
    assert_eq!(on_server["tags"], serde_json::json!(["survivor"]));

    // A push refused transiently stays queued, then goes through.
    proxy.inject(&format!("/assets/{edited}"), Fault::Status(503, None));
    let renamed = client.run(&["rename", edited, "Renamed under fire"]);
    assert!(
        renamed.status.success(),
        "the edit is saved even though the push failed"
    );
    assert!(String::from_utf8_lossy(&renamed.stderr).contains("next `trove sync`"));
    assert!(client.status().contains("1 edits pending"));
    let clean = client.ok(&["sync", "team"]);
    assert!(
        clean.contains("1 edits sent")
            && clean.contains("249 listed")
            && clean.contains("1 removed"),
        "{clean}"
    );
    assert_eq!(client.cached(), 249);
    assert!(client.status().contains("Online"));
}
