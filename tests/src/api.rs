//! A client for the asset server's HTTP API, for the contract suites: calls with the key, and
//! checks that a refused request changed nothing.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;

use crate::server::ServerProcess;

pub struct Api {
    pub server: ServerProcess,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
    /// The server's data directory.
    pub data: std::path::PathBuf,
}

impl Api {
    pub fn start() -> Api {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("library");
        Api {
            server: ServerProcess::start(&data),
            client: reqwest::Client::new(),
            _dir: dir,
            data,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url)
    }

    pub async fn call(&self, request: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let response = request
            .bearer_auth(&self.server.api_key)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(self.client.get(self.url(path))).await
    }

    pub async fn upload(&self, form: Form) -> (StatusCode, Value) {
        self.call(self.client.post(self.url("/assets")).multipart(form))
            .await
    }

    pub async fn upload_file(
        &self,
        path: &std::path::Path,
        name: &str,
        kind: &str,
        tags: &[&str],
    ) -> (StatusCode, Value) {
        let mut form = Form::new()
            .part("file", file_part(path))
            .text("name", name.to_owned())
            .text("type", kind.to_owned());
        for tag in tags {
            form = form.text("tags", tag.to_string());
        }
        self.upload(form).await
    }

    pub async fn total(&self) -> u64 {
        self.get("/assets").await.1["pagination"]["total"]
            .as_u64()
            .unwrap()
    }

    /// A refused request changed nothing: same total, no leftover temp file.
    pub async fn assert_unchanged(&self, total: u64) {
        assert_eq!(self.total().await, total);
        let leftovers: Vec<_> = std::fs::read_dir(self.data.join("tmp")).unwrap().collect();
        assert!(
            leftovers.is_empty(),
            "temp files left behind: {leftovers:?}"
        );
    }
}

pub fn file_part(path: &std::path::Path) -> Part {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    Part::bytes(std::fs::read(path).unwrap()).file_name(name)
}

/// The response is the JSON error `{error, message, field?}` with this status, field and message.
pub fn assert_error(
    status: StatusCode,
    body: &Value,
    want_status: u16,
    want_field: Option<&str>,
    message_has: &str,
) {
    assert_eq!(status.as_u16(), want_status, "{body}");
    assert!(body["error"].is_string(), "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains(message_has),
        "{message:?} should mention {message_has:?}"
    );
    assert_eq!(body["field"].as_str(), want_field, "{body}");
}
