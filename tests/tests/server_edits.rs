//! The asset server's edit contract: Get Asset with usage, Update (PATCH/PUT), usage records,
//! the file route with Range, and Delete, against the real `trove-server` binary over HTTP.

use reqwest::StatusCode;
use serde_json::{json, Value};
use trove_tests::api::{assert_error, Api};
use trove_tests::media;

async fn one_png(api: &Api) -> (Value, std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let png = media::png(dir.path(), "logo.png", 512, 512);
    let (status, created) = api
        .upload_file(&png, "Company Logo", "image", &["logo", "branding"])
        .await;
    assert_eq!(status, StatusCode::CREATED);
    (created, png, dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn get_returns_usage_and_404s_cleanly() {
    let api = Api::start();
    let (created, _png, _dir) = one_png(&api).await;
    let id = created["id"].as_str().unwrap();
    let (status, asset) = api.get(&format!("/assets/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(asset["name"], "Company Logo");
    assert_eq!(asset["used_in_videos"], 0);
    assert_eq!(asset["used_in_templates"], 0);
    assert_eq!(asset["last_used"], Value::Null);
    let (status, body) = api.get("/assets/asset_doesnotexist").await;
    assert_error(status, &body, 404, None, "asset_doesnotexist");
}

#[tokio::test(flavor = "multi_thread")]
async fn update_renames_and_retags() {
    let api = Api::start();
    let (created, _png, _dir) = one_png(&api).await;
    let id = created["id"].as_str().unwrap();
    let path = format!("/assets/{id}");
    let (status, updated) = api
        .call(
            api.client
                .patch(api.url(&path))
                .json(&json!({"name": "Updated Logo 2025", "tags": ["logo", "branding", "2025"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["name"], "Updated Logo 2025");
    assert_eq!(updated["tags"], json!(["logo", "branding", "2025"]));
    assert!(updated["updated_at"].as_str().unwrap().ends_with('Z'));
    let (_, tagged) = api.get("/assets?tag=2025").await;
    assert_eq!(
        tagged["pagination"]["total"], 1,
        "the tag index follows the update"
    );
    let (status, put) = api
        .call(api.client.put(api.url(&path)).json(&json!({"tags": []})))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (put["name"].as_str(), &put["tags"]),
        (Some("Updated Logo 2025"), &json!([]))
    );

    let (status, body) = api
        .call(api.client.patch(api.url(&path)).json(&json!({})))
        .await;
    assert_error(status, &body, 400, Some("name"), "name and/or tags");
    let (status, body) = api
        .call(
            api.client
                .patch(api.url(&path))
                .json(&json!({"name": "a/b"})),
        )
        .await;
    assert_error(status, &body, 400, Some("name"), "path separators");
    let (status, body) = api
        .call(
            api.client
                .patch(api.url(&path))
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    assert_error(status, &body, 400, None, "not valid JSON");
    let (status, body) = api
        .call(
            api.client
                .patch(api.url("/assets/asset_nope"))
                .json(&json!({"name": "x"})),
        )
        .await;
    assert_error(status, &body, 404, None, "asset_nope");
    assert_eq!(
        api.get(&path).await.1["name"],
        "Updated Logo 2025",
        "refused updates changed nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn uses_are_counted_and_released() {
    let api = Api::start();
    let (created, _png, _dir) = one_png(&api).await;
    let uses = format!("/assets/{}/uses", created["id"].as_str().unwrap());
    for _ in 0..2 {
        let (status, _) = api
            .call(
                api.client
                    .post(api.url(&uses))
                    .json(&json!({"kind": "video"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, asset) = api
        .call(
            api.client
                .post(api.url(&uses))
                .json(&json!({"kind": "template"})),
        )
        .await;
    assert_eq!(
        (
            asset["used_in_videos"].as_u64(),
            asset["used_in_templates"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert!(asset["last_used"].as_str().unwrap().ends_with('Z'));
    let (status, released) = api
        .call(
            api.client
                .delete(api.url(&uses))
                .json(&json!({"kind": "template"})),
        )
        .await;
    assert_eq!(
        (status, released["used_in_templates"].as_u64()),
        (StatusCode::OK, Some(0))
    );
    let (status, body) = api
        .call(
            api.client
                .delete(api.url(&uses))
                .json(&json!({"kind": "template"})),
        )
        .await;
    assert_error(status, &body, 409, None, "no use");
    let (status, body) = api
        .call(
            api.client
                .post(api.url(&uses))
                .json(&json!({"kind": "banner"})),
        )
        .await;
    assert_error(status, &body, 400, Some("kind"), "\"banner\"");
}

#[tokio::test(flavor = "multi_thread")]
async fn files_are_served_with_ranges_and_deleted_with_their_asset() {
    let api = Api::start();
    let (created, png, _dir) = one_png(&api).await;
    let bytes = std::fs::read(&png).unwrap();
    let url = created["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&api.server.base_url), "{url}");
    let whole = api.client.get(&url).send().await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["content-type"], "image/png");
    assert_eq!(whole.bytes().await.unwrap().as_ref(), bytes.as_slice());
    let part = api
        .client
        .get(&url)
        .header("range", "bytes=8-15")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 8-15/{}", bytes.len())
    );
    assert_eq!(part.bytes().await.unwrap().as_ref(), &bytes[8..16]);

    let id = created["id"].as_str().unwrap();
    let (status, deleted) = api
        .call(api.client.delete(api.url(&format!("/assets/{id}"))))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(deleted, json!({"id": id, "deleted": true}));
    assert_eq!(
        api.get(&format!("/assets/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.client.get(&url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let (status, body) = api
        .call(api.client.delete(api.url(&format!("/assets/{id}"))))
        .await;
    assert_error(status, &body, 404, None, id);
    let blobs: Vec<_> = walk(&api.data.join("blobs"));
    assert!(
        blobs.is_empty(),
        "the deleted asset's bytes are gone: {blobs:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
