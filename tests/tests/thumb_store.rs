//! The thumbnail store against a real asset server: thumbnails of uploaded media made on demand
//! (a video read by ffmpeg from its URL), kept on disk, made once when asked twice at once, and
//! the folder held under its cap by dropping the least recently shown.

use std::sync::{Arc, Mutex};

use trove_core::cache::{Credential, NewAccount};
use trove_core::library::Library;
use trove_core::model::{Asset, AssetKind, TroveEvent};
use trove_core::reachability::ReachabilityError;
use trove_core::thumb_store::{ThumbStore, ThumbStoreError};
use trove_core::upload::UploadQueue;
use trove_tests::media::{ffmpeg, jpeg, png, wav};
use trove_tests::server::ServerProcess;

#[tokio::test(flavor = "multi_thread")]
async fn thumbnails_are_made_once_kept_and_evicted_oldest_first() {
    let server_dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(server_dir.path());
    std::env::set_var("THUMB_STORE_KEY", &server.api_key);
    let data = tempfile::tempdir().unwrap();
    let events: Arc<Mutex<Vec<TroveEvent>>> = Arc::default();
    let sink = events.clone();
    let library = Arc::new(
        Library::open(data.path(), Arc::new(move |e| sink.lock().unwrap().push(e))).unwrap(),
    );
    let account = library
        .add_account(NewAccount {
            name: "team".into(),
            provider: "local".into(),
            base_url: server.base_url.clone(),
            credential: Credential::Env("THUMB_STORE_KEY".into()),
        })
        .unwrap();
    let media = tempfile::tempdir().unwrap();
    let files = vec![
        jpeg(media.path(), "photo.jpg", 1200, 800),
        png(media.path(), "card.png", 640, 360),
        wav(media.path(), "voice.wav", 1.0),
        ffmpeg(
            media.path(),
            "clip.webm",
            &[
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=640x360:rate=25:duration=2",
                "-c:v",
                "libvpx",
            ],
        ),
    ];
    let queue = UploadQueue::new(library.clone(), 3);
    let ids: Vec<i64> = queue
        .enqueue(&files, &account, &[], "test")
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    queue.run_until_finished(&ids).await.unwrap();
    let assets: Vec<String> = queue
        .items(&ids)
        .unwrap()
        .into_iter()
        .map(|i| i.asset_id.unwrap())
        .collect();

    let store = ThumbStore::new(library.clone(), 10 * 1024 * 1024);
    // Two requests for one thumbnail at once: one is made, both get it.
    let (a, b) = tokio::join!(
        store.get(&account.id, &assets[0], 256),
        store.get(&account.id, &assets[0], 256)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.bytes, b.bytes);
    assert_eq!(a.mime, "image/jpeg");
    let stored = || std::fs::read_dir(store.dir()).unwrap().count();
    assert_eq!(stored(), 2, "the preview size too, from the one download");
    for asset in &assets[1..] {
        let thumb = store.get(&account.id, asset, 256).await.unwrap();
        let size = imagesize::blob_size(&thumb.bytes).unwrap();
        assert!(size.width <= 256 && size.height <= 256, "{asset}: {size:?}");
    }
    // Both sizes of the photo, card and waveform; the video's frame at the size asked.
    assert_eq!(stored(), 7);
    let progress: Vec<(u32, u32)> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            TroveEvent::ThumbnailProgress { done, total } => Some((*done, *total)),
            _ => None,
        })
        .collect();
    assert!(progress.contains(&(1, 1)), "{progress:?}");

    // Paused, a thumbnail waits; its tile goes away meanwhile, so it is never made.
    store.set_paused(true);
    let waiting = {
        let (store, account, asset) = (store.clone(), account.id.clone(), assets[3].clone());
        tokio::spawn(async move { store.get(&account, &asset, 512).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!waiting.is_finished());
    store.forget(&account.id, &assets[3]);
    store.set_paused(false);
    assert!(matches!(
        waiting.await.unwrap(),
        Err(ThumbStoreError::Unwanted { .. })
    ));
    assert_eq!(stored(), 7, "nothing was made for the tile that went away");

    // A tile recreated for the same asset (the grid refreshed) asks again before the old one's
    // "gone" arrives: the old request gives up, the new one still gets its picture.
    store.set_paused(true);
    let ask = || {
        let (store, account, asset) = (store.clone(), account.id.clone(), assets[3].clone());
        tokio::spawn(async move { store.get(&account, &asset, 512).await })
    };
    let old_tile = ask();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let new_tile = ask();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    store.forget(&account.id, &assets[3]);
    store.set_paused(false);
    assert!(old_tile.await.unwrap().is_err());
    assert!(
        new_tile.await.unwrap().is_ok(),
        "the live request gets its thumbnail"
    );
    assert_eq!(stored(), 8);
    // Served again from disk, without the server.
    server.kill_hard();
    assert_eq!(
        store.get(&account.id, &assets[0], 256).await.unwrap().bytes,
        a.bytes
    );
    assert!(matches!(
        store.get(&account.id, "asset_missing", 256).await,
        Err(ThumbStoreError::UnknownAsset { .. })
    ));

    // A store whose cap holds about two thumbnails keeps the most recently shown.
    let sizes: u64 = std::fs::read_dir(store.dir())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    let small = ThumbStore::new(library.clone(), sizes / 2);
    std::thread::sleep(std::time::Duration::from_millis(20));
    small.get(&account.id, &assets[0], 256).await.unwrap(); // shown: the newest
    server.restart();
    let _ = small.get(&account.id, &assets[1], 300).await; // a new one: something must go
    let left: u64 = std::fs::read_dir(small.dir())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(left <= sizes / 2, "{left} bytes kept, cap {}", sizes / 2);
    assert!(
        small.get(&account.id, &assets[0], 256).await.is_ok(),
        "the most recently shown is kept"
    );
}

/// A library with an account whose server is unreachable (nothing listens on the discard port),
/// holding `assets` as (id, kind, url).
fn offline_library(
    data: &std::path::Path,
    assets: &[(&str, AssetKind, Option<&str>)],
) -> (Arc<Library>, String) {
    let library = Arc::new(Library::open_quiet(data).unwrap());
    let account = library
        .add_account(NewAccount {
            name: "offline".into(),
            provider: "local".into(),
            base_url: "http://127.0.0.1:9".into(),
            credential: Credential::Env("UNSET_KEY".into()),
        })
        .unwrap();
    let rows: Vec<Asset> = assets
        .iter()
        .map(|(id, kind, url)| Asset {
            account_id: account.id.clone(),
            id: (*id).into(),
            name: (*id).into(),
            kind: *kind,
            content_type: None,
            size: None,
            width: None,
            height: None,
            duration_s: None,
            tags: vec![],
            url: url.map(str::to_owned),
            thumbnail_url: None,
            created_at: "2025-01-01T00:00:00Z".into(),
            updated_at: None,
            used_in_videos: None,
            used_in_templates: None,
            last_used: None,
            usage_fetched_at: None,
            pending: false,
        })
        .collect();
    let mut cache = trove_core::cache::Cache::open(&data.join("cache.sqlite3")).unwrap();
    cache.upsert_assets(&rows).unwrap();
    (library, account.id)
}

/// An asset its remote gives no address for has nothing to draw from: the store says so at once,
/// even while it is paused (it does not wait for a worker's turn to find that out).
#[tokio::test(flavor = "multi_thread")]
async fn an_asset_without_an_address_is_answered_at_once() {
    let data = tempfile::tempdir().unwrap();
    let (library, account) =
        offline_library(data.path(), &[("asset_bare", AssetKind::Image, None)]);
    let store = ThumbStore::new(library.clone(), 1 << 20);
    store.set_paused(true);
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        store.get(&account, "asset_bare", 256),
    )
    .await
    .expect("answered without waiting for the paused workers");
    assert!(
        matches!(answer, Err(ThumbStoreError::NoMedia { ref asset }) if asset == "asset_bare"),
        "{:?}",
        answer.err()
    );
}

/// Browsing offline: the first thumbnail finds the server unreachable, and the other tiles are
/// answered at once, without a connection attempt or an ffmpeg process each. A video is never
/// handed to ffmpeg before its server has been seen to answer.
#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_server_is_asked_once_not_for_every_tile() {
    let data = tempfile::tempdir().unwrap();
    let (library, account) = offline_library(
        data.path(),
        &[
            (
                "asset_clip",
                AssetKind::Video,
                Some("http://127.0.0.1:9/files/clip.mp4"),
            ),
            (
                "asset_photo",
                AssetKind::Image,
                Some("http://127.0.0.1:9/files/photo.jpg"),
            ),
            (
                "asset_song",
                AssetKind::Audio,
                Some("http://127.0.0.1:9/files/song.wav"),
            ),
            ("asset_elsewhere", AssetKind::Image, Some("not an address")),
        ],
    );
    let store = ThumbStore::new(library.clone(), 1 << 20);
    let first = store.get(&account, "asset_clip", 256).await;
    assert!(
        matches!(first, Err(ThumbStoreError::Fetch { ref url, .. }) if url.ends_with("clip.mp4")),
        "the video's server was asked before ffmpeg: {:?}",
        first.err()
    );
    // Paused, a request that needed a worker's turn would wait: these are refused at once.
    store.set_paused(true);
    for asset in ["asset_photo", "asset_song", "asset_clip"] {
        let answer = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            store.get(&account, asset, 256),
        )
        .await
        .expect("refused without waiting for a worker");
        let error = answer.err().unwrap();
        assert!(
            matches!(
                &error,
                ThumbStoreError::Reachability(ReachabilityError::Unreachable { origin, retry_in_s })
                    if origin == "http://127.0.0.1:9" && (1..=5).contains(retry_in_s)
            ),
            "{asset}: {error:?}"
        );
        assert!(error.to_string().contains("did not answer"), "{error}");
    }
    let bad = store
        .get(&account, "asset_elsewhere", 256)
        .await
        .err()
        .unwrap();
    assert_eq!(
        bad.to_string(),
        "not an address is not an address with a host"
    );
}
