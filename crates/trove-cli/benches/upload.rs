//! The upload pipeline's benchmark, against a real asset server on loopback in a process of its own
//! (this binary re-run with `BENCH_ROLE=server`, so the client's memory is measured alone):
//! - a 150 MB video: throughput (target ≥ 200 MB/s) and the client's peak RSS growth (< 32 MB),
//!   against the server's own read of the same file as a reference;
//! - 1,000 small images dropped at once: until all are queued, probed, and sent;
//! - watched folder: from a file's last write to its upload's start (target < 1.5 s).
//!
//! `cargo bench -p trove-cli --bench upload`; needs ffmpeg.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use trove_core::cache::{Account, Credential, NewAccount};
use trove_core::library::Library;
use trove_core::model::{TroveEvent, UploadState};
use trove_core::upload::UploadQueue;

const KEY: &str = "bench-key-0123456789abcdef";

fn main() {
    if std::env::var_os("BENCH_ROLE").is_some_and(|r| r == "server") {
        return serve();
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(bench());
}

/// The server role: serve `BENCH_DATA` on a free port, print the URL, run until killed.
fn serve() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let server = trove_server::spawn(trove_server::ServerConfig {
            data_dir: std::env::var_os("BENCH_DATA").unwrap().into(),
            listen: "127.0.0.1:0".parse().unwrap(),
            api_key: KEY.to_owned(),
        })
        .await
        .unwrap();
        println!("{}", server.base_url);
        std::io::stdout().flush().unwrap();
        std::future::pending::<()>().await;
    });
}

fn ffmpeg(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    path
}

/// Kilobytes of a `/proc/self/status` field.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap()
}

/// A PNG with a unique comment chunk after its header: a distinct file (and hash) each time.
fn variant(png: &[u8], n: usize) -> Vec<u8> {
    let text = format!("Comment\0variant {n}");
    let mut chunk = (text.len() as u32).to_be_bytes().to_vec();
    let mut crc = crc32fast::Hasher::new();
    crc.update(b"tEXt");
    crc.update(text.as_bytes());
    chunk.extend_from_slice(b"tEXt");
    chunk.extend_from_slice(text.as_bytes());
    chunk.extend_from_slice(&crc.finalize().to_be_bytes());
    [&png[..33], &chunk, &png[33..]].concat()
}

struct Client {
    queue: Arc<UploadQueue>,
    account: Account,
    events: Arc<Mutex<Vec<(Instant, TroveEvent)>>>,
    _data: tempfile::TempDir,
}

fn client(base_url: &str) -> Client {
    let data = tempfile::tempdir().unwrap();
    let events: Arc<Mutex<Vec<(Instant, TroveEvent)>>> = Arc::default();
    let sink = events.clone();
    let library = Library::open(
        data.path(),
        Arc::new(move |event| sink.lock().unwrap().push((Instant::now(), event))),
    )
    .unwrap();
    std::env::set_var("BENCH_KEY", KEY);
    let account = library
        .add_account(NewAccount {
            name: "bench".into(),
            provider: "local".into(),
            base_url: base_url.to_owned(),
            credential: Credential::Env("BENCH_KEY".into()),
        })
        .unwrap();
    Client {
        queue: UploadQueue::new(Arc::new(library), 3),
        account,
        events,
        _data: data,
    }
}

async fn bench() {
    let server_data = tempfile::tempdir().unwrap();
    let mut server = Command::new(std::env::current_exe().unwrap())
        .env("BENCH_ROLE", "server")
        .env("BENCH_DATA", server_data.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base_url = line.trim().to_owned();
    let media = tempfile::tempdir().unwrap();

    large_video(&base_url, media.path()).await;
    many_images(&base_url, media.path()).await;
    watched_folder(&base_url, media.path()).await;
    let _ = server.kill();
    let _ = server.wait();
}

async fn large_video(base_url: &str, media: &Path) {
    let video = ffmpeg(
        media,
        "large.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=30,noise=alls=30:allf=t",
            "-t",
            "40",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-b:v",
            "30M",
            "-maxrate",
            "30M",
            "-bufsize",
            "60M",
            "-fs",
            "150000000",
        ],
    );
    let size = std::fs::metadata(&video).unwrap().len();
    let reference = {
        let start = Instant::now();
        std::hint::black_box(std::fs::read(&video).unwrap());
        start.elapsed()
    };
    let client = client(base_url);
    let stop = CancellationToken::new();
    // Peak RSS from here on: the kernel resets the high-water mark on "5" (Linux 4.0+).
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_kb("VmRSS:");
    let start = Instant::now();
    let id = client
        .queue
        .enqueue(&[video], &client.account, &[], "bench")
        .unwrap()[0]
        .id;
    client.queue.run_until_finished(&[id]).await.unwrap();
    let total = start.elapsed();
    let item = client.queue.items(&[id]).unwrap().remove(0);
    assert_eq!(item.state, UploadState::Done, "{item:?}");
    let peak = status_kb("VmHWM:");
    let events = client.events.lock().unwrap().clone();
    let sending_from = events
        .iter()
        .find(|(_, e)| matches!(e, TroveEvent::UploadChanged { upload } if upload.state == UploadState::Uploading))
        .map(|(at, _)| *at)
        .unwrap();
    let sending = events.last().unwrap().0.duration_since(sending_from);
    let mb = size as f64 / 1e6;
    println!(
        "150 MB video ({mb:.1} MB): {:.0} MB/s from drop to done ({:.2} s: probe + hash + send); \
         {:.0} MB/s sending ({:.2} s); reading the file alone {:.0} MB/s",
        mb / total.as_secs_f64(),
        total.as_secs_f64(),
        mb / sending.as_secs_f64(),
        sending.as_secs_f64(),
        mb / reference.as_secs_f64()
    );
    println!(
        "client peak RSS growth during the upload: {:.1} MB (target < 32 MB)",
        peak.saturating_sub(before) as f64 / 1024.0
    );
    stop.cancel();
}

async fn many_images(base_url: &str, media: &Path) {
    let folder = media.join("drop");
    std::fs::create_dir_all(&folder).unwrap();
    let card = std::fs::read(ffmpeg(
        media,
        "card.png",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=160x120:rate=1",
            "-frames:v",
            "1",
        ],
    ))
    .unwrap();
    for n in 0..1000 {
        std::fs::write(folder.join(format!("image-{n:04}.png")), variant(&card, n)).unwrap();
    }
    let client = client(base_url);
    let start = Instant::now();
    let items = client
        .queue
        .enqueue(&[folder], &client.account, &[], "bench")
        .unwrap();
    let queued = start.elapsed();
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    client.queue.run_until_finished(&ids).await.unwrap();
    let done = start.elapsed();
    let events = client.events.lock().unwrap().clone();
    let last_probed = events
        .iter()
        .filter(|(_, e)| matches!(e, TroveEvent::UploadChanged { upload } if upload.state == UploadState::Queued))
        .map(|(at, _)| *at)
        .max()
        .unwrap();
    let all = client.queue.items(&ids).unwrap();
    assert!(all.iter().all(|i| i.state == UploadState::Done));
    {
        let when = |id: i64, state: UploadState| {
            events.iter().find_map(|(at, e)| match e {
                TroveEvent::UploadChanged { upload }
                    if upload.id == id && upload.state == state =>
                {
                    Some(*at)
                }
                _ => None,
            })
        };
        let mut sending: Vec<Duration> = ids
            .iter()
            .filter_map(|id| {
                Some(
                    when(*id, UploadState::Done)?
                        .duration_since(when(*id, UploadState::Uploading)?),
                )
            })
            .collect();
        sending.sort();
        println!(
            "  one image from uploading to done, 3 at a time: median {:.1} ms, p90 {:.1} ms",
            sending[sending.len() / 2].as_secs_f64() * 1e3,
            sending[sending.len() * 9 / 10].as_secs_f64() * 1e3
        );
    }
    println!(
        "1,000 images ({} KB each) dropped at once: in the queue after {:.0} ms, all checked after \
         {:.2} s, all uploaded after {:.2} s ({:.0} files/s)",
        card.len() / 1000,
        queued.as_secs_f64() * 1e3,
        last_probed.duration_since(start).as_secs_f64(),
        done.as_secs_f64(),
        1000.0 / done.as_secs_f64()
    );
}

async fn watched_folder(base_url: &str, media: &Path) {
    let inbox = media.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let client = client(base_url);
    client
        .queue
        .watch_folder(&inbox, &client.account, &[])
        .unwrap();
    let stop = CancellationToken::new();
    let (queue, watcher) = (client.queue.clone(), client.queue.clone());
    let (s1, s2) = (stop.clone(), stop.clone());
    let run = tokio::spawn(async move { queue.run(s1).await });
    let watch =
        tokio::spawn(async move { watcher.watch(trove_core::upload::DEFAULT_SETTLE, s2).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let tone = std::fs::read(ffmpeg(
        media,
        "tone.wav",
        &["-f", "lavfi", "-i", "sine=duration=1"],
    ))
    .unwrap();
    let mut latencies = Vec::new();
    for n in 0..8 {
        let mut bytes = tone.clone();
        bytes.extend_from_slice(&(n as u32).to_le_bytes()); // a distinct file each time
        client.events.lock().unwrap().clear();
        let path = inbox.join(format!("take-{n}.wav"));
        std::fs::write(&path, &bytes).unwrap();
        let written = Instant::now();
        let started = loop {
            let found = client.events.lock().unwrap().iter().find_map(|(at, e)| {
                matches!(e, TroveEvent::UploadChanged { upload } if upload.state == UploadState::Uploading)
                    .then_some(*at)
            });
            if let Some(at) = found {
                break at;
            }
            assert!(
                written.elapsed() < Duration::from_secs(10),
                "never uploaded"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        latencies.push(started.duration_since(written));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    latencies.sort();
    println!(
        "watched folder, last write to upload start: median {:.0} ms, worst {:.0} ms over {} files \
         (target < 1500 ms; {} ms of it is the settle time)",
        latencies[latencies.len() / 2].as_secs_f64() * 1e3,
        latencies[latencies.len() - 1].as_secs_f64() * 1e3,
        latencies.len(),
        trove_core::upload::DEFAULT_SETTLE.as_millis()
    );
    stop.cancel();
    run.await.unwrap().unwrap();
    watch.await.unwrap().unwrap();
}
