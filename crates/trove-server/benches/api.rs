//! The asset server's benchmark. With 100,000 assets stored (1% tagged `X`), the release
//! `trove-server` runs as its own process on loopback and this binary measures:
//! - `GET /assets?limit=100`: median and p99 latency one request at a time, and throughput with 8
//!   in flight; reference: the same page read straight from SQLite in this process;
//! - `GET /assets?tag=X&limit=100`: the same, for the tag filter;
//! - a 150 MB video upload: MB/s and the server's RSS growth (sampled from /proc); reference: a
//!   plain copy of the same file on the same disk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use trove_server::store::{self, Store, StoredAsset};

const ASSETS: usize = 100_000;
const UPLOAD_BYTES: usize = 150 * 1024 * 1024;

fn seed(data: &Path) {
    drop(Store::open(data).unwrap());
    let mut conn = rusqlite::Connection::open(data.join("library.sqlite3")).unwrap();
    let rows: Vec<StoredAsset> = (0..ASSETS)
        .map(|i| StoredAsset {
            id: format!("asset_bench{i:014}"),
            name: format!("Asset number {i}"),
            kind: ["image", "video", "audio"][i % 3].to_owned(),
            content_type: "image/png".to_owned(),
            size: 24_680 + i as i64,
            width: Some(512),
            height: Some(512),
            duration: None,
            tags: if i % 100 == 0 {
                vec!["X".into(), "brand".into()]
            } else {
                vec!["brand".into()]
            },
            blob: "0".repeat(64),
            created_at: "2025-02-10T08:30:00Z".to_owned(),
            updated_at: None,
            last_used: None,
            used_in_videos: 0,
            used_in_templates: 0,
        })
        .collect();
    store::insert_batch(&mut conn, &rows).unwrap();
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(data: &Path, port: u16) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_trove-server"))
        .arg("--data")
        .arg(data)
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--api-key-env",
            "BENCH_KEY",
        ])
        .env("BENCH_KEY", "bench-key-0123456789")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "trove-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Server { child, url }
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

async fn latency(client: &reqwest::Client, url: &str, n: usize) -> (Duration, Duration) {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let response = client
            .get(url)
            .bearer_auth("bench-key-0123456789")
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        response.bytes().await.unwrap();
        samples.push(started.elapsed());
    }
    (
        percentile(&mut samples, 0.5),
        percentile(&mut samples, 0.99),
    )
}

async fn throughput(
    client: &reqwest::Client,
    url: &str,
    in_flight: usize,
    window: Duration,
) -> f64 {
    let deadline = Instant::now() + window;
    let started = Instant::now();
    let tasks: Vec<_> = (0..in_flight)
        .map(|_| {
            let (client, url) = (client.clone(), url.to_owned());
            tokio::spawn(async move {
                let mut done = 0u64;
                while Instant::now() < deadline {
                    let response = client
                        .get(&url)
                        .bearer_auth("bench-key-0123456789")
                        .send()
                        .await
                        .unwrap();
                    response.bytes().await.unwrap();
                    done += 1;
                }
                done
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

/// The reference for a listing: the same page and count read straight from SQLite.
fn sqlite_reference(data: &Path, tag: Option<&str>, n: usize) -> Duration {
    let conn = rusqlite::Connection::open(data.join("library.sqlite3")).unwrap();
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let rows = store::list(
            &conn,
            &store::ListFilter {
                kind: None,
                tag,
                offset: 0,
                limit: 100,
            },
            // A fresh memo each time: the reference counts every page, as a server without one would.
            &std::sync::Mutex::default(),
        )
        .unwrap();
        assert_eq!(rows.0.len(), 100);
        samples.push(started.elapsed());
    }
    percentile(&mut samples, 0.5)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("library");
    let seeding = Instant::now();
    seed(&data);
    println!(
        "seeded {ASSETS} assets in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = start(&data, port);
    let client = reqwest::Client::new();

    for (label, query, tag) in [
        ("GET /assets?limit=100", "/assets?limit=100", None),
        (
            "GET /assets?tag=X&limit=100",
            "/assets?tag=X&limit=100",
            Some("X"),
        ),
    ] {
        let url = format!("{}{query}", server.url);
        latency(&client, &url, 20).await; // warm-up
        let (median, p99) = latency(&client, &url, 300).await;
        let per_second = throughput(&client, &url, 8, Duration::from_secs(5)).await;
        let reference = sqlite_reference(&data, tag, 300);
        println!(
            "{label}: median {}, p99 {}, {per_second:.0} req/s with 8 in flight; SQLite alone {} (HTTP + JSON cost {:.1}x)",
            ms(median),
            ms(p99),
            ms(reference),
            median.as_secs_f64() / reference.as_secs_f64()
        );
    }

    // 150 MB "video" with a valid box structure (ftyp, mdat of filler, moov with a 60 s mvhd),
    // which is all the server's probe reads.
    let video = dir.path().join("big.mp4");
    let mut bytes = b"\0\0\0\x18ftypisom\0\0\0\0isommp41".to_vec();
    let mvhd = {
        let mut payload = vec![0u8; 100];
        payload[12..16].copy_from_slice(&1000u32.to_be_bytes());
        payload[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        payload
    };
    let moov_len = 8 + 8 + mvhd.len();
    let mdat_len = UPLOAD_BYTES - bytes.len() - moov_len;
    bytes.extend_from_slice(&(mdat_len as u32).to_be_bytes());
    bytes.extend_from_slice(b"mdat");
    bytes.resize(bytes.len() + mdat_len - 8, 0x5a);
    bytes.extend_from_slice(&(moov_len as u32).to_be_bytes());
    bytes.extend_from_slice(b"moov");
    bytes.extend_from_slice(&((8 + mvhd.len()) as u32).to_be_bytes());
    bytes.extend_from_slice(b"mvhd");
    bytes.extend_from_slice(&mvhd);
    assert_eq!(bytes.len(), UPLOAD_BYTES);
    std::fs::write(&video, &bytes).unwrap();
    drop(bytes);
    let copy_started = Instant::now();
    std::fs::copy(&video, dir.path().join("copy.mp4")).unwrap();
    std::fs::File::open(dir.path().join("copy.mp4"))
        .unwrap()
        .sync_all()
        .unwrap();
    let copy_time = copy_started.elapsed();

    let pid = server.child.id();
    let before = rss_kib(pid);
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        std::thread::spawn(move || {
            let mut peak = 0;
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(rss_kib(pid));
                std::thread::sleep(Duration::from_millis(5));
            }
            peak
        })
    };
    let file = tokio::fs::File::open(&video).await.unwrap();
    let body = reqwest::Body::wrap_stream(tokio_util_stream(file));
    let part = reqwest::multipart::Part::stream_with_length(body, UPLOAD_BYTES as u64)
        .file_name("big.mp4");
    let form = reqwest::multipart::Form::new()
        .text("name", "big")
        .text("type", "video")
        .part("file", part);
    let started = Instant::now();
    let response = client
        .post(format!("{}/assets", server.url))
        .bearer_auth("bench-key-0123456789")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let upload_time = started.elapsed();
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let peak = sampler.join().unwrap();
    let body = response.text().await.unwrap_or_default();
    assert!(status.is_success(), "upload answered {status}: {body}");
    let created: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        created["duration"].as_f64(),
        Some(60.0),
        "the probe read the moov at the end"
    );
    let mb = UPLOAD_BYTES as f64 / 1e6;
    println!(
        "upload of 150 MiB video: {:.0} MB/s ({} incl. fsync); plain file copy + fsync {:.0} MB/s (upload at {:.2}x of disk copy speed)",
        mb / upload_time.as_secs_f64(),
        ms(upload_time),
        mb / copy_time.as_secs_f64(),
        copy_time.as_secs_f64() / upload_time.as_secs_f64()
    );
    println!(
        "server RSS: {:.1} MB before, {:.1} MB peak during the upload, growth {:.1} MB (target < 32 MB)",
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
        peak.saturating_sub(before) as f64 / 1024.0
    );
}

fn tokio_util_stream(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> {
    tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024)
}
