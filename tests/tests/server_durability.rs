//! The asset server under crashes and concurrent writers: kill -9 mid-upload leaves nothing half
//! written, a restart serves everything acknowledged, and racing uploads, updates and deletes of
//! the same asset never corrupt the store.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use trove_tests::{media, server::ServerProcess};

async fn upload(
    client: &reqwest::Client,
    server: &ServerProcess,
    path: &std::path::Path,
    name: &str,
    kind: &str,
) -> (StatusCode, Value) {
    let part = Part::bytes(std::fs::read(path).unwrap()).file_name(name.to_owned());
    let form = Form::new()
        .part("file", part)
        .text("name", name.to_owned())
        .text("type", kind.to_owned());
    let response = client
        .post(format!("{}/assets", server.base_url))
        .bearer_auth(&server.api_key)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Every listed asset's file route serves exactly `size` bytes.
async fn assert_every_file_whole(client: &reqwest::Client, listing: &Value) {
    for asset in listing["data"].as_array().unwrap() {
        let response = client
            .get(asset["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        assert_eq!(
            response.bytes().await.unwrap().len() as u64,
            asset["size"].as_u64().unwrap(),
            "{asset}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_during_an_upload_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("library");
    let media_dir = tempfile::tempdir().unwrap();
    let clip = media::mp4(media_dir.path(), "clip.mp4", 1.0);
    let client = reqwest::Client::new();
    let mut server = ServerProcess::start(&data);
    let (status, acknowledged) = upload(&client, &server, &clip, "acknowledged", "video").await;
    assert_eq!(status, StatusCode::CREATED);

    // A 40 MB video trickles in; the server dies with a part of it on disk.
    let head = std::fs::read(&clip).unwrap();
    let chunks = futures_util::stream::iter(0..40).then(move |i| {
        let chunk = if i == 0 {
            head.clone()
        } else {
            vec![0u8; 1024 * 1024]
        };
        async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<_, std::io::Error>(chunk)
        }
    });
    let part = Part::stream(reqwest::Body::wrap_stream(chunks)).file_name("big.mp4");
    let form = Form::new()
        .text("name", "interrupted")
        .text("type", "video")
        .part("file", part);
    let request = client
        .post(format!("{}/assets", server.base_url))
        .bearer_auth(&server.api_key)
        .multipart(form)
        .send();
    let in_flight = tokio::spawn(request);
    tokio::time::sleep(Duration::from_millis(600)).await;
    let partial: u64 = std::fs::read_dir(data.join("tmp"))
        .unwrap()
        .flatten()
        .map(|e| e.metadata().unwrap().len())
        .sum();
    assert!(partial > 0, "the upload was under way when the server died");
    server.kill_hard();
    assert!(
        in_flight.await.unwrap().is_err(),
        "the interrupted upload was never acknowledged"
    );

    let restarted = ServerProcess::start(&data);
    let listing = restarted.list().await;
    assert_eq!(listing["pagination"]["total"], 1, "{listing}");
    assert_eq!(listing["data"][0]["id"], acknowledged["id"]);
    assert_every_file_whole(&client, &listing).await;
    assert_eq!(
        std::fs::read_dir(data.join("tmp")).unwrap().count(),
        0,
        "the half-written upload is gone"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn racing_writers_never_corrupt_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("library");
    let media_dir = tempfile::tempdir().unwrap();
    let png = media::png(media_dir.path(), "same.png", 200, 100);
    let server = std::sync::Arc::new(ServerProcess::start(&data));
    let client = reqwest::Client::new();

    // Many uploads of the same bytes at once share one blob; deleting some must not take the
    // bytes from the others.
    let uploads = (0..12).map(|i| {
        let (client, server, png) = (client.clone(), server.clone(), png.clone());
        tokio::spawn(
            async move { upload(&client, &server, &png, &format!("copy {i}"), "image").await },
        )
    });
    let mut ids = vec![];
    for task in uploads {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }

    // Renames, retags and deletes of the same assets race each other and more uploads.
    let mut tasks = vec![];
    for (i, id) in ids.iter().enumerate() {
        for round in 0..3 {
            let (client, server, id) = (client.clone(), server.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                let url = format!("{}/assets/{id}", server.base_url);
                let request = match (i + round) % 3 {
                    0 => client.patch(&url).json(
                        &json!({"name": format!("renamed {round}"), "tags": [format!("r{round}")]}),
                    ),
                    1 if i % 2 == 0 => client.delete(&url),
                    _ => client.put(&url).json(&json!({"tags": ["x", "y"]})),
                };
                let status = request
                    .bearer_auth(&server.api_key)
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert!(
                    status.is_success() || status == StatusCode::NOT_FOUND,
                    "{status}"
                );
            }));
        }
        let (client, server, png) = (client.clone(), server.clone(), png.clone());
        tasks.push(tokio::spawn(async move {
            let (status, _) = upload(&client, &server, &png, "late copy", "image").await;
            assert_eq!(status, StatusCode::CREATED);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }

    let listing = server.list().await;
    let remaining = listing["data"].as_array().unwrap();
    assert_eq!(
        remaining.len(),
        12 + 6,
        "12 late copies and the 6 originals that were never deleted"
    );
    assert_every_file_whole(&client, &listing).await;
    for asset in remaining {
        let Some(tag) = asset["tags"][0].as_str() else {
            continue;
        };
        let by_tag: Value = client
            .get(format!("{}/assets?tag={tag}&limit=100", server.base_url))
            .bearer_auth(&server.api_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let ids: Vec<&Value> = by_tag["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| &a["id"])
            .collect();
        assert!(
            ids.contains(&&asset["id"]),
            "the tag index agrees with {asset}"
        );
    }
}
