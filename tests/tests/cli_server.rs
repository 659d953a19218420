//! The CLI against a real `trove-server` over HTTP on loopback, with real media made by ffmpeg.

use trove_tests::cli::Cli;
use trove_tests::{media, server::ServerProcess};

#[tokio::test(flavor = "multi_thread")]
async fn upload_sync_and_browse_offline() {
    let server_dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(server_dir.path());
    let home = tempfile::tempdir().unwrap();
    let cli = Cli::at(&home.path().join("missing/then/created"), &server.api_key);
    let media_dir = tempfile::tempdir().unwrap();
    let card = media::png(media_dir.path(), "card.png", 512, 256);
    let tone = media::wav(media_dir.path(), "tone.wav", 1.0);
    let clip = media::mp4(media_dir.path(), "clip.mp4", 1.0);
    let fake = media_dir.path().join("notes.mp4");
    std::fs::write(&fake, "this is a text file, not a video").unwrap();
    let misnamed = media_dir.path().join("really-a-png.jpg");
    std::fs::copy(&card, &misnamed).unwrap();
    // No extension claims nothing: the bytes decide. (Other bytes than the card's: the same
    // bytes twice would be skipped as a duplicate.)
    let unnamed = media_dir.path().join("export-from-figma");
    std::fs::rename(
        media::png(media_dir.path(), "figma.png", 300, 200),
        &unnamed,
    )
    .unwrap();

    cli.add_team(&server.base_url);
    let uploaded = cli.ok(&[
        "upload",
        "--account",
        "team",
        "--tags",
        "brand,2025",
        card.to_str().unwrap(),
        tone.to_str().unwrap(),
        clip.to_str().unwrap(),
        unnamed.to_str().unwrap(),
    ]);
    assert_eq!(uploaded.lines().count(), 4, "{uploaded}");

    // A text file named .mp4 is refused before any byte is sent, with the file named.
    let refused = cli.run(&["upload", "--account", "team", fake.to_str().unwrap()]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("notes.mp4") && stderr.contains("format_unrecognized"),
        "{stderr}"
    );
    // So is a PNG named .jpg: the name and the bytes disagree.
    let refused = cli.run(&["upload", "--account", "team", misnamed.to_str().unwrap()]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("really-a-png.jpg")
            && stderr.contains("name says jpeg but the bytes are png"),
        "{stderr}"
    );
    assert_eq!(
        server.list().await["pagination"]["total"],
        4,
        "the server received nothing for the refused files"
    );

    // The server probed the bytes: the file without an extension is stored as image/png, and the
    // WAV's duration is known.
    let listing = server.list().await;
    let find = |name: &str| {
        listing["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(find("export-from-figma")["content_type"], "image/png");
    assert!((find("tone")["duration"].as_f64().unwrap() - 1.0).abs() < 0.001);

    let synced = cli.ok(&["sync", "team"]);
    assert!(
        synced.contains("4 listed") && synced.contains("0 removed"),
        "{synced}"
    );
    let again = cli.ok(&["sync", "team"]);
    assert!(
        again.contains("0 new, 0 updated"),
        "an unchanged listing writes nothing: {again}"
    );

    let listed: serde_json::Value =
        serde_json::from_str(&cli.ok(&["ls", "--json", "--account", "team"])).unwrap();
    let assets = listed.as_array().unwrap();
    assert_eq!(assets.len(), 4);
    let card_row = assets.iter().find(|a| a["name"] == "card").unwrap();
    assert_eq!(card_row["kind"], "image");
    assert_eq!(
        (card_row["width"].as_u64(), card_row["height"].as_u64()),
        (Some(512), Some(256))
    );
    assert_eq!(
        card_row["size"].as_u64(),
        Some(std::fs::metadata(&card).unwrap().len())
    );
    assert_eq!(card_row["tags"], serde_json::json!(["brand", "2025"]));
    let videos = cli.ok(&["ls", "--type", "video"]);
    assert!(
        videos.contains("clip") && !videos.contains("card"),
        "{videos}"
    );
    let tagged = cli.ok(&["ls", "--tag", "brand", "--search", "ton"]);
    assert!(
        tagged.contains("tone") && tagged.lines().count() == 1,
        "{tagged}"
    );

    // The server goes away: sync fails with the cause, the cache still answers, nothing is removed.
    drop(server);
    let offline = cli.run(&["sync", "team"]);
    assert!(!offline.status.success());
    let stderr = String::from_utf8_lossy(&offline.stderr);
    assert!(stderr.contains("cannot reach"), "{stderr}");
    let still = cli.ok(&["ls", "--account", "team"]);
    assert_eq!(still.lines().count(), 4, "{still}");
    let status = cli.ok(&["status"]);
    assert!(status.contains("team\tOffline"), "{status}");
}

#[test]
fn a_damaged_cache_is_named_and_left_alone() {
    let home = tempfile::tempdir().unwrap();
    let garbage = vec![0x5au8; 16384];
    std::fs::write(home.path().join("cache.sqlite3"), &garbage).unwrap();
    let output = Cli::at(home.path(), "").run(&["ls"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cache.sqlite3") && stderr.contains("damaged"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        std::fs::read(home.path().join("cache.sqlite3")).unwrap(),
        garbage,
        "the file is not touched"
    );
}

#[test]
fn bad_arguments_get_specific_errors() {
    let cli = Cli::new("");
    let run = |args: &[&str]| {
        let output = cli.run(args);
        assert!(!output.status.success(), "{args:?} should fail");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    assert!(run(&[
        "account",
        "add",
        "x",
        "--provider",
        "nope",
        "--base-url",
        "http://127.0.0.1:1",
        "--api-key-env",
        "K"
    ])
    .contains("unknown provider \"nope\""));
    assert!(run(&[
        "account",
        "add",
        "x",
        "--provider",
        "local",
        "--base-url",
        "ftp://x",
        "--api-key-env",
        "K"
    ])
    .contains("--base-url must start with http"));
    assert!(run(&["ls", "--type", "pdf"]).contains("--type must be"));
    assert!(run(&["sync", "nobody"]).contains("no account named"));
}
