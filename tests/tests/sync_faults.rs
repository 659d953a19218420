//! Sync through a fault-injecting proxy in front of a real `trove-server`: whatever the remote
//! does wrong (429 with Retry-After, 500, a reset mid-body, malformed JSON, a page that skips or
//! repeats an item), the cache loses no asset and no edit, and the status says what happened.

use std::process::{Command, Output};

use reqwest::multipart::{Form, Part};
use serde_json::Value;
use trove_tests::fault_proxy::{Fault, FaultProxy};
use trove_tests::{bin, media, server::ServerProcess};

struct Client {
    home: tempfile::TempDir,
    key: String,
}

impl Client {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(bin("trove"))
            .arg("--data-dir")
            .arg(self.home.path())
            .args(args)
            .env("TEAM_KEY", &self.key)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "trove {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn cached(&self) -> usize {
        self.ok(&["ls", "--limit", "1000"]).lines().count()
    }

    fn status(&self) -> String {
        self.ok(&["status"])
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_fault_of_the_remote_loses_an_asset_or_an_edit() {
    let data = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&data.path().join("library"));
    let media_dir = tempfile::tempdir().unwrap();
    let png = std::fs::read(media::png(media_dir.path(), "tile.png", 16, 16)).unwrap();
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..250 {
        let form = Form::new()
            .part("file", Part::bytes(png.clone()).file_name("tile.png"))
            .text("name", format!("tile {i}"))
            .text("type", "image");
        let created: Value = http
            .post(format!("{}/assets", server.base_url))
            .bearer_auth(&server.api_key)
            .multipart(form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        ids.push(created["id"].as_str().unwrap().to_owned());
    }

    let proxy = FaultProxy::start(&server.base_url).await;
    let client = Client {
        home: tempfile::tempdir().unwrap(),
        key: server.api_key.clone(),
    };
    client.ok(&[
        "account",
        "add",
        "team",
        "--provider",
        "local",
        "--base-url",
        &proxy.base_url,
        "--api-key-env",
        "TEAM_KEY",
    ]);
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
    let on_server: Value = http
        .get(format!("{}/assets/{edited}", server.base_url))
        .bearer_auth(&server.api_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
