//! The cache and sync engine's benchmark:
//! - initial sync of 100,000 assets from Trove's asset server on loopback (target ≤ 15 s), against
//!   a reference of fetching the same pages without caching them; a re-sync with no change (0 rows
//!   written) and its time;
//! - query latency at 1,000,000 cached assets: p50/p95 for kind + tag + text filters, and for a
//!   window of 200 rows deep in the result (target p95 < 20 ms); the database's size and cold open.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use trove_core::cache::{Cache, Credential, NewAccount};
use trove_core::library::Library;
use trove_core::model::{Asset, AssetKind, AssetQuery, SortKey};
use trove_core::push::Urgency;
use trove_server::store::{self, Store, StoredAsset};

const REMOTE_ASSETS: usize = 100_000;
const CACHED_ASSETS: usize = 1_000_000;

fn seed_server(data: &Path) {
    drop(Store::open(data).unwrap());
    let mut conn = rusqlite::Connection::open(data.join("library.sqlite3")).unwrap();
    let rows: Vec<StoredAsset> = (0..REMOTE_ASSETS)
        .map(|i| StoredAsset {
            id: format!("asset_{i:020}"),
            name: format!("Campaign asset {i}"),
            kind: ["image", "video", "audio"][i % 3].to_owned(),
            content_type: "image/png".to_owned(),
            size: 24_680 + i as i64,
            width: Some(1920),
            height: Some(1080),
            duration: (i % 3 != 0).then_some(30.5),
            tags: vec!["brand".into(), format!("batch-{}", i % 50)],
            blob: "0".repeat(64),
            created_at: format!("2025-02-10T08:30:{:02}.{:03}Z", (i / 1000) % 60, i % 1000),
            updated_at: None,
            last_used: None,
            used_in_videos: 0,
            used_in_templates: 0,
        })
        .collect();
    store::insert_batch(&mut conn, &rows).unwrap();
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn sync_benchmark() {
    let dir = tempfile::tempdir().unwrap();
    seed_server(&dir.path().join("server"));
    let key = "bench-key-0123456789".to_owned();
    let server = trove_server::spawn(trove_server::ServerConfig {
        data_dir: dir.path().join("server"),
        listen: "127.0.0.1:0".parse().unwrap(),
        api_key: key.clone(),
    })
    .await
    .unwrap();

    // Reference: every page fetched and parsed, nothing cached.
    let client = reqwest::Client::new();
    let started = Instant::now();
    for page in 1..=REMOTE_ASSETS.div_ceil(100) {
        let body: serde_json::Value = client
            .get(format!("{}/assets?page={page}&limit=100", server.base_url))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(body["data"].is_array());
    }
    let reference = started.elapsed();

    std::env::set_var("BENCH_SYNC_KEY", &key);
    let library = Library::open_quiet(&dir.path().join("client")).unwrap();
    let account = library
        .add_account(NewAccount {
            name: "bench".into(),
            provider: "local".into(),
            base_url: server.base_url.clone(),
            credential: Credential::Env("BENCH_SYNC_KEY".into()),
        })
        .unwrap();
    let started = Instant::now();
    let first = library.sync(&account, Urgency::Now).await.unwrap();
    let initial = started.elapsed();
    assert_eq!(first.inserted as usize, REMOTE_ASSETS);
    let started = Instant::now();
    let again = library.sync(&account, Urgency::Now).await.unwrap();
    let resync = started.elapsed();
    println!(
        "initial sync of {REMOTE_ASSETS} assets: {:.2} s (target ≤ 15 s); fetching the same pages without caching: {:.2} s (sync at {:.2}x of it)",
        initial.as_secs_f64(),
        reference.as_secs_f64(),
        initial.as_secs_f64() / reference.as_secs_f64()
    );
    println!(
        "re-sync with no change: {:.2} s, {} rows written, {} removed",
        resync.as_secs_f64(),
        again.inserted + again.updated,
        again.removed
    );
    server.shutdown().await;
}

fn synthetic(account_id: &str, i: usize) -> Asset {
    let words = [
        "summer", "winter", "launch", "hero", "banner", "logo", "teaser", "jingle",
    ];
    Asset {
        account_id: account_id.to_owned(),
        id: format!("asset_{i:020}"),
        name: format!("{} {} {i}", words[i % 8], words[(i / 8) % 8]),
        kind: [AssetKind::Image, AssetKind::Video, AssetKind::Audio][i % 3],
        content_type: Some("image/png".into()),
        size: Some(10_000 + (i as i64 * 7919) % 5_000_000),
        width: Some(1920),
        height: Some(1080),
        duration_s: (!i.is_multiple_of(3)).then_some((i % 600) as f64),
        tags: vec![
            format!("team-{}", i % 20),
            format!("year-{}", 2015 + i % 10),
        ],
        url: Some(format!("/files/asset_{i:020}")),
        thumbnail_url: None,
        created_at: format!(
            "2025-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
            1 + i % 12,
            1 + i % 28,
            i % 24,
            i % 60,
            (i / 60) % 60
        ),
        updated_at: None,
        used_in_videos: None,
        used_in_templates: None,
        last_used: None,
        usage_fetched_at: None,
        pending: false,
    }
}

fn query_benchmark() {
    // `BENCH_QUERY_CACHE=path` keeps the filled cache there and reuses it on the next run.
    let dir = tempfile::tempdir().unwrap();
    let path = std::env::var_os("BENCH_QUERY_CACHE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("cache.sqlite3"));
    let started = Instant::now();
    if !path.exists() {
        let mut cache = Cache::open(&path).unwrap();
        let account = cache
            .add_account(NewAccount {
                name: "big".into(),
                provider: "local".into(),
                base_url: "http://127.0.0.1:1".into(),
                credential: Credential::InProcess,
            })
            .unwrap();
        for chunk in (0..CACHED_ASSETS).collect::<Vec<_>>().chunks(20_000) {
            let rows: Vec<Asset> = chunk.iter().map(|i| synthetic(&account.id, *i)).collect();
            cache.upsert_assets(&rows).unwrap();
        }
        // As a sync of that size would, merge the full-text index.
        let merging = Instant::now();
        while cache.compact_search_index_step().unwrap() {}
        println!(
            "full-text index merged in {:.1} s",
            merging.elapsed().as_secs_f64()
        );
    }
    let fill = started.elapsed();
    let size_mb = std::fs::metadata(&path).unwrap().len() as f64 / 1e6
        + std::fs::metadata(path.with_extension("sqlite3-wal"))
            .map(|m| m.len() as f64 / 1e6)
            .unwrap_or(0.0);
    let started = Instant::now();
    let cache = Cache::open(&path).unwrap();
    let first = cache
        .query_assets(&AssetQuery {
            limit: 200,
            ..Default::default()
        })
        .unwrap();
    let cold_open = started.elapsed();
    assert_eq!(first.total as usize, CACHED_ASSETS);
    println!("cache of {CACHED_ASSETS} assets: filled in {:.1} s, {size_mb:.0} MB on disk, cold open + first window {}", fill.as_secs_f64(), ms(cold_open));

    let measure = |label: &str, make: &dyn Fn(usize) -> AssetQuery| {
        let mut samples = Vec::new();
        for round in 0..60 {
            let query = make(round);
            let started = Instant::now();
            let page = cache.query_assets(&query).unwrap();
            samples.push(started.elapsed());
            assert!(page.items.len() <= 200);
        }
        let (p50, p95, max) = (
            percentile(&mut samples, 0.5),
            percentile(&mut samples, 0.95),
            percentile(&mut samples, 1.0),
        );
        println!(
            "{label}: p50 {}, p95 {}, slowest {} (target p95 < 20 ms)",
            ms(p50),
            ms(p95),
            ms(max)
        );
    };
    measure("kind + tag + text filter, first 200", &|round| AssetQuery {
        kind: Some(AssetKind::Video),
        tags: vec![format!("team-{}", round % 20)],
        text: Some(["sum", "win", "lau", "her"][round % 4].into()),
        limit: 200,
        ..Default::default()
    });
    measure("one tag (a tenth of all assets), first 200", &|round| {
        AssetQuery {
            tags: vec![format!("year-{}", 2015 + round % 10)],
            limit: 200,
            ..Default::default()
        }
    });
    measure(
        "text alone (about a quarter of all assets), first 200",
        &|round| AssetQuery {
            text: Some(["sum", "win", "lau", "her"][round % 4].into()),
            limit: 200,
            ..Default::default()
        },
    );
    measure(
        "unfiltered window of 200 deep in the result (newest first)",
        &|round| AssetQuery {
            offset: (CACHED_ASSETS / 2 + round * 7_919) as u32,
            limit: 200,
            ..Default::default()
        },
    );
    measure(
        "kind filter, window of 200 deep, sorted by name",
        &|round| AssetQuery {
            kind: Some(AssetKind::Image),
            sort: SortKey::Name,
            offset: (200_000 + round * 1_009) as u32,
            limit: 200,
            ..Default::default()
        },
    );
}

/// The client's share of a sync alone: 100,000 listed assets (each index written at random
/// places) into an empty cache, 2,000 per transaction as a pull writes them.
fn write_benchmark() {
    let dir = tempfile::tempdir().unwrap();
    let mut cache = Cache::open(&dir.path().join("cache.sqlite3")).unwrap();
    let account = cache
        .add_account(NewAccount {
            name: "w".into(),
            provider: "local".into(),
            base_url: "http://127.0.0.1:1".into(),
            credential: Credential::InProcess,
        })
        .unwrap();
    let rows: Vec<Asset> = (0..REMOTE_ASSETS)
        .map(|i| synthetic(&account.id, i))
        .collect();
    let started = Instant::now();
    for batch in rows.chunks(2_000) {
        cache.upsert_assets(batch).unwrap();
    }
    println!(
        "writing {REMOTE_ASSETS} listed assets into an empty cache, 2,000 per transaction: {:.2} s",
        started.elapsed().as_secs_f64()
    );
}

/// `-- sync`, `-- write` or `-- query` runs one part (the query part alone takes minutes); none
/// runs all three.
#[tokio::main]
async fn main() {
    let parts: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |part: &str| parts.is_empty() || parts.iter().any(|p| p == part);
    if wants("sync") {
        sync_benchmark().await;
    }
    if wants("write") {
        write_benchmark();
    }
    if wants("query") {
        query_benchmark();
    }
}
