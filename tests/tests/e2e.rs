//! End to end: the real desktop binary in its real webview (tauri-driver + WebKitWebDriver under
//! Xvfb), on a data directory whose Local library already holds files uploaded over HTTP.

use std::process::Command;
use std::time::Duration;

use trove_tests::desktop::Desktop;
use trove_tests::{bin, media, server::ServerProcess};

/// Uploads `files` to a running server through the CLI (with a data directory of its own).
fn upload_through_cli(server: &ServerProcess, files: &[&std::path::Path], tags: &str) {
    let cli_home = tempfile::tempdir().unwrap();
    let trove = |args: &[&str]| {
        let output = Command::new(bin("trove"))
            .arg("--data-dir")
            .arg(cli_home.path())
            .args(args)
            .env("SEED_KEY", &server.api_key)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "trove {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    trove(&[
        "account",
        "add",
        "seed",
        "--provider",
        "local",
        "--base-url",
        &server.base_url,
        "--api-key-env",
        "SEED_KEY",
    ]);
    let mut args = vec!["upload", "--account", "seed", "--tags", tags];
    let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    trove(&args);
}

/// With no GPU render node, the app has WebKit paint with Skia on the CPU (OpenGL would be Mesa's
/// software rasteriser, several times slower); with one, WebKit's default is kept.
fn web_view_paints_as_this_machine_allows(desktop: &Desktop) {
    let has_gpu = std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    });
    let environment = desktop
        .process_environment("WebKitWebProces")
        .expect("the web content process runs in the session's group");
    let cpu = environment
        .iter()
        .find(|(key, _)| key == "WEBKIT_SKIA_ENABLE_CPU_RENDERING")
        .map(|(_, value)| value.as_str());
    if std::env::var_os("WEBKIT_SKIA_ENABLE_CPU_RENDERING").is_none() {
        assert_eq!(cpu, (!has_gpu).then_some("1"), "GPU render node: {has_gpu}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_grid_shows_what_the_local_library_holds() {
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("trove");
    let media_dir = tempfile::tempdir().unwrap();
    let card = media::png(media_dir.path(), "brand-card.png", 640, 360);
    let photo = media::jpeg(media_dir.path(), "hero-photo.jpg", 1200, 800);
    let jingle = media::wav(media_dir.path(), "jingle.wav", 1.5);
    {
        // The Local library's own storage, filled over HTTP before the app ever starts; the app's
        // cache is empty, so what the grid shows must come through the app's in-process server and sync.
        let server = ServerProcess::start(&data_dir.join("library"));
        upload_through_cli(&server, &[&card, &photo, &jingle], "brand,2025");
        let listing = server.list().await;
        assert_eq!(listing["pagination"]["total"], 3);
        // The brand card is used in a video, so deleting it must warn.
        server
            .use_in_video(&server.id_named("brand-card").await)
            .await;
    }
    assert!(!data_dir.join("cache.sqlite3").exists());

    let desktop = Desktop::launch(&data_dir, home.path()).await.unwrap();
    let names = desktop
        .wait_for_texts(
            "[data-testid=asset-tile] .asset-name",
            &["brand-card", "hero-photo", "jingle"],
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    let first_paint = desktop.launched_at.elapsed();
    eprintln!(
        "e2e: launch to first grid paint with 3 assets: {} ms",
        first_paint.as_millis()
    );
    assert_eq!(names.len(), 3, "{names:?}");
    web_view_paints_as_this_machine_allows(&desktop);

    let kinds = desktop
        .texts("[data-testid=asset-tile] .asset-kind")
        .await
        .unwrap();
    assert_eq!(
        kinds.iter().filter(|k| k.contains("image")).count(),
        2,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| k.contains("audio")).count(),
        1,
        "{kinds:?}"
    );
    let sizes = desktop
        .texts("[data-testid=asset-tile] .asset-size")
        .await
        .unwrap();
    assert!(
        sizes.iter().all(|s| s.ends_with("KB") || s.ends_with("MB")),
        "{sizes:?}"
    );
    let status = desktop
        .wait_for_texts(
            "[data-testid=status-bar]",
            &["Local library", "online"],
            Duration::from_secs(20),
        )
        .await
        .unwrap();
    assert!(!status.is_empty());

    // Every tile's thumbnail arrives through the app's thumb: scheme (photos drawn, the jingle
    // as a waveform).
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let drawn = loop {
        let widths = desktop
            .script(
                "return Array.from(document.querySelectorAll('[data-testid=asset-thumbnail]'), \
                 i => i.complete ? i.naturalWidth : 0)",
            )
            .await
            .unwrap();
        let widths: Vec<u64> = serde_json::from_value(widths).unwrap();
        if widths.len() == 3 && widths.iter().all(|w| *w > 0)
            || std::time::Instant::now() > deadline
        {
            break widths;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(drawn.len(), 3, "{drawn:?}");
    assert!(drawn.iter().all(|w| *w > 0 && *w <= 512), "{drawn:?}");

    // Filters: the kind chips, search as you type, and the count against the whole library.
    desktop
        .click_text("[data-testid=kind-chip]", "Audio")
        .await
        .unwrap();
    let audio = desktop
        .wait_for_texts(
            "[data-testid=asset-count]",
            &["1 of 3 assets"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    assert_eq!(audio.len(), 1);
    let names = desktop
        .texts("[data-testid=asset-tile] .asset-name")
        .await
        .unwrap();
    assert_eq!(names, ["jingle"], "{names:?}");
    desktop
        .click_text("[data-testid=kind-chip]", "All")
        .await
        .unwrap();
    desktop
        .type_into("[data-testid=search]", "hero")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=asset-count]",
            &["1 of 3 assets"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    let names = desktop
        .texts("[data-testid=asset-tile] .asset-name")
        .await
        .unwrap();
    assert_eq!(names, ["hero-photo"], "{names:?}");
    let tags = desktop.texts("[data-testid=tag-chip]").await.unwrap();
    assert!(tags.iter().any(|t| t.starts_with("brand")), "{tags:?}");

    // Delete safely: the details panel fetches usage fresh; an asset in use needs a second step.
    desktop.clear("[data-testid=search]").await.unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=asset-tile] .asset-name",
            &["brand-card", "hero-photo", "jingle"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=asset-tile]", "brand-card")
        .await
        .unwrap();
    desktop
        .wait_for_texts("[data-testid=usage]", &["1 video"], Duration::from_secs(10))
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=delete]", "Delete")
        .await
        .unwrap();
    let warning = desktop
        .wait_for_texts(
            "[data-testid=confirm-delete]",
            &["is in use", "1 video", "Delete anyway"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    assert_eq!(warning.len(), 1);
    desktop
        .click_text("[data-testid=confirm-delete] button", "Delete anyway")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=asset-count]",
            &["2 assets"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    let names = desktop
        .texts("[data-testid=asset-tile] .asset-name")
        .await
        .unwrap();
    assert!(!names.iter().any(|n| n.contains("brand-card")), "{names:?}");

    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("trove-grid.png");
    desktop.screenshot_window(&shot).unwrap();
    eprintln!("e2e: screenshot of the window at {}", shot.display());
    desktop.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_cache_is_explained_not_a_blank_window() {
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("trove");
    std::fs::create_dir_all(&data_dir).unwrap();
    std::fs::write(data_dir.join("cache.sqlite3"), vec![0x5au8; 16384]).unwrap();

    let desktop = Desktop::launch(&data_dir, home.path()).await.unwrap();
    let message = desktop
        .wait_for_texts(
            "[data-testid=fatal-error]",
            &["damaged", "cache.sqlite3"],
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert_eq!(message.len(), 1);
    desktop.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn files_chosen_in_the_window_are_uploaded_or_refused_with_a_reason() {
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("trove");
    let media_dir = tempfile::tempdir().unwrap();
    let poster = media::png(media_dir.path(), "launch-poster.png", 320, 200);
    let fake = media_dir.path().join("meeting-notes.mp4");
    std::fs::write(&fake, "notes, not a video").unwrap();

    let desktop = Desktop::launch(&data_dir, home.path()).await.unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=status-bar]",
            &["online"],
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    desktop
        .choose_file("[data-testid=file-input]", &poster)
        .await
        .unwrap();
    desktop
        .choose_file("[data-testid=file-input]", &fake)
        .await
        .unwrap();
    let items = desktop
        .wait_for_texts(
            "[data-testid=upload-item]",
            &[
                "launch-poster.png",
                "meeting-notes.mp4",
                "Uploaded",
                "Rejected",
            ],
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    let uploaded = items.iter().find(|t| t.contains("launch-poster")).unwrap();
    assert!(uploaded.contains("Uploaded"), "{uploaded}");
    let rejected = items.iter().find(|t| t.contains("meeting-notes")).unwrap();
    assert!(
        rejected.contains("Rejected") && rejected.contains("match no image, video or audio format"),
        "the reason is shown: {rejected}"
    );
    desktop
        .wait_for_texts(
            "[data-testid=asset-tile] .asset-name",
            &["launch-poster"],
            Duration::from_secs(20),
        )
        .await
        .unwrap();
    let summary = desktop.texts("[data-testid=upload-summary]").await.unwrap();
    assert!(
        summary
            .iter()
            .any(|s| s.contains("1 done") && s.contains("1 rejected")),
        "{summary:?}"
    );
    desktop.close().await;
}

/// Polls `script` (which returns a boolean) in the page until it holds.
async fn wait_until_page(desktop: &Desktop, what: &str, script: &str, timeout: Duration) {
    let deadline = std::time::Instant::now() + timeout;
    while desktop.script(script).await.unwrap() != serde_json::json!(true) {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} within {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Browsing offline, the tiles' thumbnails fail (their server is down) and the kind's icon
/// stands in; once the account syncs again, the same tiles ask again and show their pictures.
#[tokio::test(flavor = "multi_thread")]
async fn thumbnails_that_failed_offline_come_once_the_server_is_back() {
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("trove");
    let storage = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(&storage.path().join("team"));
    server.seed_tiles(12).await;
    let cli = trove_tests::cli::Cli::at(&data_dir, &server.api_key);
    cli.add_team(&server.base_url);
    cli.ok(&["sync"]);
    std::env::set_var("TEAM_KEY", &server.api_key);
    server.kill_hard();

    let desktop = Desktop::launch(&data_dir, home.path()).await.unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=asset-tile] .asset-name",
            &["tile 0", "tile 11"],
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    let tiles = "document.querySelectorAll('[data-testid=asset-tile]').length === 12";
    let pictures = "document.querySelectorAll('[data-testid=asset-thumbnail]').length";
    // A failed picture is removed, leaving the icon.
    wait_until_page(
        &desktop,
        "every thumbnail failed while the server is down",
        &format!("return {tiles} && {pictures} === 0"),
        Duration::from_secs(30),
    )
    .await;

    server.restart();
    // The background sync tries again within seconds; the tiles follow.
    wait_until_page(
        &desktop,
        "every tile shows its picture once the server is back",
        &format!(
            "return {tiles} && document.querySelectorAll('[data-testid=asset-thumbnail].shown').length === 12"
        ),
        Duration::from_secs(60),
    )
    .await;
    desktop.close().await;
}
