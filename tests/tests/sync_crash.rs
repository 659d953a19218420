//! The CLI killed with SIGKILL in the middle of a pull and in the middle of a push: after a
//! restart the cache is consistent, no edit is lost and none is applied twice.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use reqwest::multipart::{Form, Part};
use serde_json::Value;
use trove_tests::fault_proxy::{Fault, FaultProxy};
use trove_tests::{bin, media, server::ServerProcess};

struct Client {
    home: tempfile::TempDir,
    key: String,
}

impl Client {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(bin("trove"));
        command
            .arg("--data-dir")
            .arg(self.home.path())
            .args(args)
            .env("TEAM_KEY", &self.key);
        command
    }

    fn ok(&self, args: &[&str]) -> String {
        let output: Output = self.command(args).output().unwrap();
        assert!(
            output.status.success(),
            "trove {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Starts `args`, lets it run into the held request, and kills it with SIGKILL.
    async fn kill_during(&self, args: &[&str], after: Duration) {
        let mut child = self
            .command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(after).await;
        assert!(
            child.try_wait().unwrap().is_none(),
            "trove {args:?} ended before it could be killed"
        );
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

async fn seeded_server(count: usize, dir: &std::path::Path) -> (ServerProcess, Vec<String>) {
    let server = ServerProcess::start(&dir.join("library"));
    let png = std::fs::read(media::png(dir, "tile.png", 16, 16)).unwrap();
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..count {
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
    (server, ids)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pull_killed_midway_resumes_consistently() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = seeded_server(250, dir.path()).await;
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

    proxy.inject("page=3", Fault::Delay(Duration::from_secs(5)));
    client
        .kill_during(&["sync", "team"], Duration::from_millis(1500))
        .await;
    let partial = client.ok(&["ls", "--limit", "1000"]).lines().count();
    assert!(
        partial > 0 && partial < 250,
        "killed mid-pull with {partial} assets cached"
    );

    let resumed = client.ok(&["sync", "team"]);
    assert!(
        resumed.contains("250 listed") && resumed.contains("0 removed"),
        "{resumed}"
    );
    assert_eq!(client.ok(&["ls", "--limit", "1000"]).lines().count(), 250);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_killed_midway_loses_no_edit_and_repeats_none() {
    let dir = tempfile::tempdir().unwrap();
    let (server, ids) = seeded_server(3, dir.path()).await;
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
    client.ok(&["sync", "team"]);

    // Three edits wait while the remote is down, then a push is killed on the second.
    proxy.set_down(true);
    for (i, id) in ids.iter().enumerate() {
        client.ok(&["rename", id, &format!("renamed {i}")]);
    }
    assert!(client.ok(&["status"]).contains("3 edits pending"));
    proxy.set_down(false);
    proxy.inject(
        &format!("/assets/{}", ids[1]),
        Fault::Delay(Duration::from_secs(5)),
    );
    client
        .kill_during(&["sync", "team"], Duration::from_millis(1500))
        .await;

    let resumed = client.ok(&["sync", "team"]);
    assert!(
        client.ok(&["status"]).contains("0 edits pending"),
        "{resumed}"
    );
    let http = reqwest::Client::new();
    for (i, id) in ids.iter().enumerate() {
        let asset: Value = http
            .get(format!("{}/assets/{id}", server.base_url))
            .bearer_auth(&server.api_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            asset["name"],
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
