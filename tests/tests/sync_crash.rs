//! The CLI killed with SIGKILL in the middle of a pull and in the middle of a push: after a
//! restart the cache is consistent, no edit is lost and none is applied twice.

use std::time::Duration;

use trove_tests::cli::Cli;
use trove_tests::fault_proxy::{Fault, FaultProxy};
use trove_tests::server::ServerProcess;

#[tokio::test(flavor = "multi_thread")]
async fn a_pull_killed_midway_resumes_consistently() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("library"));
    server.seed_tiles(250).await;
    let proxy = FaultProxy::start(&server.base_url).await;
    let client = Cli::with_team(&proxy.base_url, &server.api_key);

    proxy.inject("page=3", Fault::Delay(Duration::from_secs(5)));
    client
        .kill_during(&["sync", "team"], Duration::from_millis(1500))
        .await;
    let partial = client.cached();
    assert!(
        partial > 0 && partial < 250,
        "killed mid-pull with {partial} assets cached"
    );
    // The killed process held the account's sync lock: the status knows the sync died.
    let status = client.status();
    assert!(
        status.contains("Unknown") && status.contains("interrupted"),
        "{status}"
    );

    let resumed = client.ok(&["sync", "team"]);
    assert!(
        resumed.contains("250 listed") && resumed.contains("0 removed"),
        "{resumed}"
    );
    assert_eq!(client.cached(), 250);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_killed_midway_loses_no_edit_and_repeats_none() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&dir.path().join("library"));
    let ids = server.seed_tiles(3).await;
    let proxy = FaultProxy::start(&server.base_url).await;
    let client = Cli::with_team(&proxy.base_url, &server.api_key);
    client.ok(&["sync", "team"]);

    // Three edits wait while the remote is down, then a push is killed on the second.
    proxy.set_down(true);
    for (i, id) in ids.iter().enumerate() {
        client.ok(&["rename", id, &format!("renamed {i}")]);
    }
    assert!(client.status().contains("3 edits pending"));
    proxy.set_down(false);
    proxy.inject(
        &format!("/assets/{}", ids[1]),
        Fault::Delay(Duration::from_secs(5)),
    );
    client
        .kill_during(&["sync", "team"], Duration::from_millis(1500))
        .await;

    let resumed = client.ok(&["sync", "team"]);
    assert!(client.status().contains("0 edits pending"), "{resumed}");
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(
            server.asset(id).await["name"],
            format!("renamed {i}"),
            "edit {i} reached the server"
        );
    }
    let again = client.ok(&["sync", "team"]);
    assert!(
        again.contains("0 edits sent") && again.contains("0 new, 0 updated"),
        "nothing applied twice: {again}"
    );
}
