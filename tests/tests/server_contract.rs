//! The asset server's contract (seed 000 + Trove's additions), one test per endpoint, against the
//! real `trove-server` binary over HTTP on loopback, with real media made by ffmpeg. Every refused
//! request must change nothing: the listing and the temp directory are checked after each.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use trove_tests::api::{assert_error, file_part, Api};
use trove_tests::media;

#[tokio::test(flavor = "multi_thread")]
async fn list_pages_filters_and_validates() {
    let api = Api::start();
    let media_dir = tempfile::tempdir().unwrap();
    let png = media::png(media_dir.path(), "p.png", 64, 64);
    let wav = media::wav(media_dir.path(), "w.wav", 0.5);
    for i in 0..23 {
        let (status, _) = if i % 2 == 0 {
            api.upload_file(
                &png,
                &format!("image {i}"),
                "image",
                if i % 4 == 0 { &["logo"] } else { &[] },
            )
            .await
        } else {
            api.upload_file(&wav, &format!("audio {i}"), "audio", &["logo"])
                .await
        };
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, first) = api.get("/assets").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["data"].as_array().unwrap().len(), 20);
    assert_eq!(first["data"][0]["name"], "image 22", "newest first");
    assert_eq!(
        first["pagination"],
        json!({"total": 23, "page": 1, "limit": 20, "next_page": 2, "prev_page": null})
    );
    let (_, second) = api.get("/assets?page=2").await;
    assert_eq!(second["data"].as_array().unwrap().len(), 3);
    assert_eq!(second["pagination"]["next_page"], Value::Null);
    assert_eq!(second["pagination"]["prev_page"], 1);
    let (_, beyond) = api.get("/assets?page=9").await;
    assert_eq!(beyond["data"], json!([]));

    let (_, audio) = api.get("/assets?type=audio&limit=100").await;
    assert_eq!(audio["pagination"]["total"], 11);
    let duration = audio["data"][0]["duration"].as_f64().unwrap();
    assert!(
        (duration - 0.5).abs() < 0.001,
        "the server probed the duration: {duration}"
    );
    let (_, logo) = api.get("/assets?tag=logo&limit=100").await;
    assert_eq!(logo["pagination"]["total"], 17);
    let (_, both) = api.get("/assets?tag=logo&type=image&limit=100").await;
    assert_eq!(both["pagination"]["total"], 6, "filters combine");
    assert!(both["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["type"] == "image" && a["tags"] == json!(["logo"])));

    let (status, body) = api.get("/assets?limit=101").await;
    assert_error(status, &body, 400, Some("limit"), "at most 100");
    let (status, body) = api.get("/assets?limit=0").await;
    assert_error(status, &body, 400, Some("limit"), "at least 1");
    let (status, body) = api.get("/assets?page=abc").await;
    assert_error(status, &body, 400, Some("page"), "\"abc\"");
    let (status, body) = api.get("/assets?type=pdf").await;
    assert_error(status, &body, 400, Some("type"), "\"pdf\"");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_key_is_required() {
    let api = Api::start();
    let plain = api.client.get(api.url("/assets")).send().await.unwrap();
    assert_eq!(plain.status(), StatusCode::UNAUTHORIZED);
    let body: Value = plain.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
    let wrong = api
        .client
        .get(api.url("/assets"))
        .bearer_auth("not-the-key")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let header = api
        .client
        .get(api.url("/assets"))
        .header("x-api-key", &api.server.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(header.status(), StatusCode::OK);
    let missing = api
        .client
        .get(api.url("/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_probes_the_bytes_and_refuses_bad_input() {
    let api = Api::start();
    let dir = tempfile::tempdir().unwrap();
    let png = media::png(dir.path(), "card.png", 320, 200);
    let (status, created) = api
        .upload_file(&png, "Company Logo", "image", &["logo", "branding"])
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert!(created["id"].as_str().unwrap().starts_with("asset_"));
    assert_eq!(created["content_type"], "image/png");
    assert_eq!(
        (created["width"].as_u64(), created["height"].as_u64()),
        (Some(320), Some(200))
    );
    assert_eq!(
        created["size"].as_u64(),
        Some(std::fs::metadata(&png).unwrap().len())
    );
    assert_eq!(created["duration"], Value::Null);
    assert_eq!(created["tags"], json!(["logo", "branding"]));
    assert!(created["created_at"].as_str().unwrap().ends_with('Z'));

    // Tags as one JSON array are accepted too; a file named without an extension is what its
    // bytes are.
    let unnamed = dir.path().join("export");
    std::fs::copy(&png, &unnamed).unwrap();
    let form = Form::new()
        .part("file", file_part(&unnamed))
        .text("name", "photo")
        .text("type", "image")
        .text("tags", r#"["a","b"]"#);
    let (status, body) = api.upload(form).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["content_type"], "image/png");
    assert_eq!(body["tags"], json!(["a", "b"]));

    let total = api.total().await;
    let text = dir.path().join("clip.mp4");
    std::fs::write(&text, "not a video at all").unwrap();
    let gif = media::ffmpeg(
        dir.path(),
        "anim.gif",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=32x32:rate=1",
            "-frames:v",
            "1",
        ],
    );
    let empty = dir.path().join("empty.png");
    std::fs::write(&empty, b"").unwrap();
    let misnamed = dir.path().join("photo.jpg");
    std::fs::copy(&png, &misnamed).unwrap();
    let whole = std::fs::read(&png).unwrap();
    let truncated = dir.path().join("truncated.png");
    std::fs::write(&truncated, &whole[..whole.len() * 3 / 4]).unwrap();
    let cases: Vec<(Form, u16, Option<&str>, &str)> = vec![
        (
            Form::new().text("name", "x").text("type", "image"),
            400,
            Some("file"),
            "file is required",
        ),
        (
            Form::new()
                .part("file", file_part(&png))
                .text("type", "image"),
            400,
            Some("name"),
            "name is required",
        ),
        (
            Form::new().part("file", file_part(&png)).text("name", "x"),
            400,
            Some("type"),
            "type is required",
        ),
        (
            Form::new()
                .part("file", file_part(&png))
                .text("name", "x")
                .text("type", "document"),
            400,
            Some("type"),
            "\"document\"",
        ),
        (
            Form::new()
                .part("file", file_part(&png))
                .text("name", "x")
                .text("type", "video"),
            400,
            Some("type"),
            "the file is image (png)",
        ),
        (
            Form::new()
                .part("file", file_part(&text))
                .text("name", "x")
                .text("type", "video"),
            415,
            Some("file"),
            "match no supported",
        ),
        (
            Form::new()
                .part("file", file_part(&gif))
                .text("name", "x")
                .text("type", "image"),
            415,
            Some("file"),
            "gif is not a supported image format",
        ),
        (
            Form::new()
                .part("file", file_part(&empty))
                .text("name", "x")
                .text("type", "image"),
            400,
            Some("file"),
            "empty",
        ),
        (
            Form::new()
                .part("file", file_part(&misnamed))
                .text("name", "x")
                .text("type", "image"),
            400,
            Some("file"),
            "says jpeg but the bytes are png",
        ),
        (
            Form::new()
                .part("file", file_part(&truncated))
                .text("name", "x")
                .text("type", "image"),
            400,
            Some("file"),
            "png file is broken",
        ),
        (
            Form::new()
                .part("file", file_part(&png))
                .text("name", "../../etc/passwd")
                .text("type", "image"),
            400,
            Some("name"),
            "path separators",
        ),
        (
            Form::new()
                .part("file", file_part(&png))
                .text("name", "a\u{0}b")
                .text("type", "image"),
            400,
            Some("name"),
            "control characters",
        ),
        (
            Form::new()
                .part("file", file_part(&png))
                .text("name", "..")
                .text("type", "image"),
            400,
            Some("name"),
            "cannot be",
        ),
        (
            Form::new()
                .part("file", file_part(&png))
                .text("name", "n".repeat(10_000))
                .text("type", "image"),
            400,
            Some("name"),
            "10000 characters",
        ),
        (
            Form::new()
                .part("file", file_part(&png))
                .text("name", "x")
                .text("type", "image")
                .text("tags", "[1]"),
            400,
            Some("tags"),
            "JSON array",
        ),
    ];
    for (form, want_status, want_field, message) in cases {
        let (status, body) = api.upload(form).await;
        assert_error(status, &body, want_status, want_field, message);
        api.assert_unchanged(total).await;
    }

    let malformed = api
        .client
        .post(api.url("/assets"))
        .bearer_auth(&api.server.api_key)
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body("--XYZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    api.assert_unchanged(total).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_upload_is_cut_off_at_the_limit() {
    let api = Api::start();
    // 250 MB announced for a 10 MiB image slot, streamed lazily: the server must answer 413 long
    // before the body is through, and keep nothing.
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let chunk = png_header_then_zeros(1024 * 1024);
    let stream = futures_util::stream::iter(0..250).map(move |_| {
        counter.fetch_add(chunk.len() as u64, Ordering::SeqCst);
        Ok::<_, std::io::Error>(chunk.clone())
    });
    let part = Part::stream_with_length(reqwest::Body::wrap_stream(stream), 250 * 1024 * 1024)
        .file_name("huge.png");
    let form = Form::new()
        .text("name", "huge")
        .text("type", "image")
        .part("file", part);
    let result = api
        .client
        .post(api.url("/assets"))
        .bearer_auth(&api.server.api_key)
        .multipart(form)
        .send()
        .await;
    let sent_mb = sent.load(Ordering::SeqCst) / (1024 * 1024);
    match result {
        Ok(response) => {
            assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
            let body: Value = response.json().await.unwrap();
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .contains("10 MB limit for image"),
                "{body}"
            );
        }
        // The server may close the connection while the client is still sending; that is the cut-off.
        Err(error) => assert!(error.is_request() || error.is_body(), "{error}"),
    }
    assert!(
        sent_mb < 100,
        "the client got to send {sent_mb} MB of a 250 MB body"
    );
    api.assert_unchanged(0).await;
}

fn png_header_then_zeros(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00".to_vec();
    bytes.resize(len, 0);
    bytes
}

#[tokio::test(flavor = "multi_thread")]
async fn an_internal_failure_reveals_nothing() {
    let api = Api::start();
    let dir = tempfile::tempdir().unwrap();
    let png = media::png(dir.path(), "card.png", 64, 64);
    // The upload area becomes a file: the server cannot write there, and must not say why.
    std::fs::remove_dir_all(api.data.join("tmp")).unwrap();
    std::fs::write(api.data.join("tmp"), b"in the way").unwrap();
    let (status, body) = api.upload_file(&png, "card", "image", &[]).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert_eq!(body["error"], "internal_error");
    let text = body.to_string();
    assert!(
        !text.contains("tmp") && !text.contains('/') && !text.contains("os error"),
        "{text}"
    );
    assert_eq!(api.total().await, 0);
}
