//! The upload queue against a real `trove-server` on loopback, through a fault-injecting proxy,
//! with real files made by ffmpeg: nothing refused is sent, failures are retried without ever
//! making two assets of one file, a killed upload resumes exactly once, and a watched folder takes
//! a slowly written file once it is whole.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use trove_tests::cli::Cli;
use trove_tests::fault_proxy::{Fault, FaultProxy};
use trove_tests::media::{ffmpeg, mp4, png, wav};
use trove_tests::server::ServerProcess;

fn uploads_sent(proxy: &FaultProxy) -> usize {
    proxy
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST /assets"))
        .count()
}

fn names_on(listing: &Value) -> Vec<String> {
    let mut names: Vec<String> = listing["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn states(stdout: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| {
            let item: Value = serde_json::from_str(line).unwrap();
            let name = Path::new(item["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, item["state"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn files_the_server_would_refuse_are_never_sent() {
    let server_dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(server_dir.path());
    let proxy = FaultProxy::start(&server.base_url).await;
    let cli = Cli::with_team(&proxy.base_url, &server.api_key);
    let media = tempfile::tempdir().unwrap();
    let at = media.path();
    let good = png(at, "good.png", 64, 48);
    let misnamed = at.join("photo.jpg");
    std::fs::copy(&good, &misnamed).unwrap();
    let clip = mp4(at, "clip.mp4", 1.0);
    let bytes = std::fs::read(&clip).unwrap();
    let cut = at.join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    // Over the 50 MiB audio limit: six minutes of 48 kHz stereo PCM.
    let long = ffmpeg(
        at,
        "long.wav",
        &[
            "-f",
            "lavfi",
            "-i",
            "sine=duration=330",
            "-ar",
            "48000",
            "-ac",
            "2",
        ],
    );

    let output = cli.run(&[
        "upload",
        "--account",
        "team",
        "--json",
        at.to_str().unwrap(),
    ]);
    assert!(
        !output.status.success(),
        "refused files make the exit status 1"
    );
    let mut found = states(&output.stdout);
    found.sort();
    assert_eq!(
        found,
        [
            ("clip.mp4".into(), "done".into()),
            ("cut.mp4".into(), "rejected".into()),
            ("good.png".into(), "done".into()),
            ("long.wav".into(), "rejected".into()),
            ("photo.jpg".into(), "rejected".into()),
        ]
    );
    assert_eq!(uploads_sent(&proxy), 2, "{:?}", proxy.requests());
    // The reasons name the file, the limit and the value.
    let text = cli.run(&["queue"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("video_file_broken"), "{text}");
    assert!(text.contains("format_extension_mismatch"), "{text}");
    assert!(
        text.contains("long.wav")
            && text.contains("media_filesize_too_large")
            && text.contains("50 MiB"),
        "{text}"
    );
    assert!(long.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_are_retried_and_never_make_two_assets() {
    let server_dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(server_dir.path());
    let proxy = FaultProxy::start(&server.base_url).await;
    let cli = Cli::with_team(&proxy.base_url, &server.api_key);
    let media = tempfile::tempdir().unwrap();
    for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
        png(media.path(), &format!("{name}.png"), 40 + i as u32, 30);
    }
    // One fault for each of the first four uploads: an error, a rate limit, a connection dropped
    // before the server saw the file, and one dropped after the server stored it.
    proxy.inject("POST /assets", Fault::Status(500, None));
    proxy.inject("POST /assets", Fault::Status(429, Some(1)));
    proxy.inject("POST /assets", Fault::ResetMidBody);
    proxy.inject("POST /assets", Fault::ForwardThenReset);

    let started = Instant::now();
    let output = cli.run(&[
        "upload",
        "--account",
        "team",
        "--json",
        media.path().to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(proxy.unplayed(), 0);
    assert!(states(&output.stdout)
        .iter()
        .all(|(_, state)| state == "done"));
    assert_eq!(
        names_on(&server.list().await),
        ["a", "b", "c", "d"],
        "one asset per file, whatever was lost on the way"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_killed_midway_resumes_exactly_once() {
    let server_dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(server_dir.path());
    let proxy = FaultProxy::start(&server.base_url).await;
    let cli = Cli::with_team(&proxy.base_url, &server.api_key);
    let media = tempfile::tempdir().unwrap();
    let before = wav(media.path(), "before.wav", 1.0);
    let after = wav(media.path(), "after.wav", 2.0);

    // Killed while the request is held before the server sees it: the file is sent on resume.
    proxy.inject("POST /assets", Fault::Delay(Duration::from_secs(5)));
    cli.kill_during(
        &["upload", "--account", "team", before.to_str().unwrap()],
        Duration::from_millis(1500),
    )
    .await;
    // Killed after the server stored the file but before the answer came back: resuming finds
    // the asset instead of sending it again.
    proxy.inject("POST /assets", Fault::DelayAnswer(Duration::from_secs(5)));
    cli.kill_during(
        &["upload", "--account", "team", after.to_str().unwrap()],
        Duration::from_millis(1500),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await; // the held requests reach the server
    assert_eq!(names_on(&server.list().await), ["after", "before"]);

    let resumed = cli.ok(&["queue", "--resume", "--json"]);
    let mut found = states(resumed.as_bytes());
    found.sort();
    assert_eq!(
        found,
        [
            ("after.wav".into(), "done".into()),
            ("before.wav".into(), "done".into())
        ]
    );
    assert_eq!(
        names_on(&server.list().await),
        ["after", "before"],
        "each file once on the server"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_watched_folder_takes_a_slow_file_once_it_is_whole() {
    let server_dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(server_dir.path());
    let cli = Cli::with_team(&server.base_url, &server.api_key);
    let inbox = tempfile::tempdir().unwrap();
    let media = tempfile::tempdir().unwrap();
    let tone = wav(media.path(), "tone.wav", 2.0);
    let bytes = std::fs::read(&tone).unwrap();
    cli.ok(&[
        "watch",
        "add",
        inbox.path().to_str().unwrap(),
        "--account",
        "team",
        "--tags",
        "inbox",
    ]);
    let mut watching = cli
        .command(&["watch", "run"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Written over three seconds, a tenth at a time, as a slow download or copy writes it.
    let target = inbox.path().join("voice.wav");
    let mut file = std::fs::File::create(&target).unwrap();
    for chunk in bytes.chunks(bytes.len().div_ceil(10)) {
        file.write_all(chunk).unwrap();
        file.flush().unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    drop(file);
    let deadline = Instant::now() + Duration::from_secs(10);
    let listing = loop {
        let listing = server.list().await;
        if listing["pagination"]["total"] == 1 || Instant::now() > deadline {
            break listing;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(listing["pagination"]["total"], 1, "{listing}");
    let asset = &listing["data"][0];
    assert_eq!(
        asset["size"],
        bytes.len(),
        "the whole file, not a part of it"
    );
    assert_eq!(asset["tags"], serde_json::json!(["inbox"]));

    // Stopped and started again: what was handled is not sent twice.
    nix_terminate(&mut watching);
    let mut again = cli.command(&["watch", "run"]).spawn().unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    nix_terminate(&mut again);
    assert_eq!(server.list().await["pagination"]["total"], 1);
    let listed = cli.ok(&["watch", "ls"]);
    assert!(
        listed.contains("team") && listed.contains("inbox"),
        "{listed}"
    );
}

/// Asks a child to stop as a service manager would (SIGTERM) and waits for it.
fn nix_terminate(child: &mut std::process::Child) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "the watcher did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
