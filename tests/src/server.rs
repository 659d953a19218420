//! A real `trove-server` process on a free loopback port, stopped when dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct ServerProcess {
    child: Child,
    pub base_url: String,
    pub api_key: String,
}

impl ServerProcess {
    /// Starts `trove-server --data DIR` on a free port and waits for its "listening on URL" line.
    pub fn start(data_dir: &Path) -> ServerProcess {
        Self::start_at(data_dir, "127.0.0.1:0")
    }

    /// Starts it on a given address (a restart where clients expect it).
    pub fn start_at(data_dir: &Path, listen: &str) -> ServerProcess {
        let api_key = "test-key-0123456789abcdef".to_owned();
        let mut child = Command::new(crate::bin("trove-server"))
            .arg("--data")
            .arg(data_dir)
            .args(["--listen", listen, "--api-key-env", "TROVE_TEST_SERVER_KEY"])
            .env("TROVE_TEST_SERVER_KEY", &api_key)
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
        ServerProcess {
            child,
            base_url,
            api_key,
        }
    }

    /// Kills the server with SIGKILL, as a crash or a power cut would stop it.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The listing as the API returns it.
    pub async fn list(&self) -> serde_json::Value {
        reqwest::Client::new()
            .get(format!("{}/assets?limit=100", self.base_url))
            .bearer_auth(&self.api_key)
            .send()
            .await
            .expect("server answers")
            .json()
            .await
            .expect("a JSON listing")
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

    /// Get Asset as the API answers it (an error body for a missing asset).
    pub async fn asset(&self, id: &str) -> serde_json::Value {
        reqwest::Client::new()
            .get(format!("{}/assets/{id}", self.base_url))
            .bearer_auth(&self.api_key)
            .send()
            .await
            .expect("server answers")
            .json()
            .await
            .expect("JSON")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
