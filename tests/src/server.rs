//! A real `trove-server` process on a free loopback port, stopped when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct ServerProcess {
    child: Child,
    data_dir: PathBuf,
    pub base_url: String,
    pub api_key: String,
}

impl ServerProcess {
    /// Starts `trove-server --data DIR` on a free port and waits for its "listening on URL" line.
    pub fn start(data_dir: &Path) -> ServerProcess {
        let api_key = "test-key-0123456789abcdef".to_owned();
        let (child, base_url) = spawn(data_dir, "127.0.0.1:0", &api_key);
        ServerProcess {
            child,
            data_dir: data_dir.to_owned(),
            base_url,
            api_key,
        }
    }

    /// Starts it again (after [`ServerProcess::kill_hard`]) on the same data and address, where
    /// its clients expect it.
    pub fn restart(&mut self) {
        self.kill_hard();
        let listen = self.base_url.trim_start_matches("http://").to_owned();
        let (child, base_url) = spawn(&self.data_dir, &listen, &self.api_key);
        (self.child, self.base_url) = (child, base_url);
    }

    /// Kills the server with SIGKILL, as a crash or a power cut would stop it.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// A GET with the key, answered as JSON (an error body included).
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        reqwest::Client::new()
            .get(format!("{}{path}", self.base_url))
            .bearer_auth(&self.api_key)
            .send()
            .await
            .expect("server answers")
            .json()
            .await
            .expect("a JSON body")
    }

    /// The listing as the API returns it.
    pub async fn list(&self) -> serde_json::Value {
        self.get_json("/assets?limit=100").await
    }
}

impl ServerProcess {
    /// Stores `count` small PNGs named "tile N" through the API; returns their ids.
    pub async fn seed_tiles(&self, count: usize) -> Vec<String> {
        let dir = tempfile::tempdir().expect("a temp dir");
        let png =
            std::fs::read(crate::media::png(dir.path(), "tile.png", 16, 16)).expect("the PNG");
        let client = reqwest::Client::new();
        let mut ids = Vec::with_capacity(count);
        for i in 0..count {
            let form = reqwest::multipart::Form::new()
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(png.clone()).file_name("tile.png"),
                )
                .text("name", format!("tile {i}"))
                .text("type", "image");
            let created: serde_json::Value = client
                .post(format!("{}/assets", self.base_url))
                .bearer_auth(&self.api_key)
                .multipart(form)
                .send()
                .await
                .expect("server answers")
                .json()
                .await
                .expect("JSON");
            ids.push(created["id"].as_str().expect("an id").to_owned());
        }
        ids
    }

    /// Records that a video uses the asset (the API's usage endpoint), so deleting it must warn.
    pub async fn use_in_video(&self, id: &str) {
        let used = reqwest::Client::new()
            .post(format!("{}/assets/{id}/uses", self.base_url))
            .bearer_auth(&self.api_key)
            .json(&serde_json::json!({"kind": "video"}))
            .send()
            .await
            .expect("server answers");
        assert!(used.status().is_success(), "use of {id}: {}", used.status());
    }

    /// The id of the asset named `name` in the first page of the listing.
    pub async fn id_named(&self, name: &str) -> String {
        let listing = self.list().await;
        listing["data"]
            .as_array()
            .and_then(|assets| assets.iter().find(|a| a["name"] == name))
            .and_then(|asset| asset["id"].as_str())
            .unwrap_or_else(|| panic!("no asset named {name:?} in {listing}"))
            .to_owned()
    }

    /// Get Asset as the API answers it (an error body for a missing asset).
    pub async fn asset(&self, id: &str) -> serde_json::Value {
        self.get_json(&format!("/assets/{id}")).await
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `trove-server` and waits for its URL: (the process, its base URL).
fn spawn(data_dir: &Path, listen: &str, api_key: &str) -> (Child, String) {
    let mut child = Command::new(crate::bin("trove-server"))
        .arg("--data")
        .arg(data_dir)
        .args(["--listen", listen, "--api-key-env", "TROVE_TEST_SERVER_KEY"])
        .env("TROVE_TEST_SERVER_KEY", api_key)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("trove-server starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("listening on ") {
                let _ = sender.send(url.to_owned());
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let base_url = receiver
        .recv_timeout(deadline - Instant::now())
        .expect("trove-server printed its URL");
    (child, base_url)
}
