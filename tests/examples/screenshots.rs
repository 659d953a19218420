//! Makes the README's screenshots (`docs/*.png`) from the real app in its real webview under
//! Xvfb, on a Local library filled with media made by ffmpeg:
//! `scripts/with-keychain.sh cargo run -p trove-tests --example screenshots -- docs` (after
//! `cargo build --workspace`; the settings screen files a key in the keychain).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::key::Key;
use trove_tests::cli::Cli;
use trove_tests::desktop::Desktop;
use trove_tests::media;
use trove_tests::server::ServerProcess;

/// (file name, ffmpeg lavfi source, tags)
const PICTURES: &[(&str, &str, &str)] = &[
    (
        "spring-hero.png",
        "mandelbrot=size=960x600",
        "spring,hero,2025",
    ),
    (
        "launch-banner.png",
        "smptehdbars=size=1280x720",
        "launch,banner",
    ),
    ("product-grid.png", "testsrc2=size=800x800", "product,2025"),
    (
        "social-square.png",
        "cellauto=size=720x720:rule=110",
        "social",
    ),
    (
        "pattern-study.png",
        "life=size=640x480:mold=10:ratio=0.5",
        "studio",
    ),
    (
        "colour-check.png",
        "rgbtestsrc=size=640x360",
        "studio,brand",
    ),
];

fn make_media(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let mut files: Vec<(PathBuf, &str)> = PICTURES
        .iter()
        .map(|(name, source, tags)| {
            let path = media::ffmpeg(dir, name, &["-f", "lavfi", "-i", source, "-frames:v", "1"]);
            (path, *tags)
        })
        .collect();
    files.push((media::mp4(dir, "teaser-cut.mp4", 12.0), "teaser,launch"));
    files.push((media::mp4(dir, "interview-b-roll.mp4", 48.0), "interview"));
    files.push((media::wav(dir, "podcast-intro.wav", 9.0), "podcast,brand"));
    files.push((media::wav(dir, "jingle.wav", 3.0), "brand"));
    files
}

#[tokio::main]
async fn main() {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "docs".into()));
    std::fs::create_dir_all(&out).unwrap();
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("trove");
    let media_dir = tempfile::tempdir().unwrap();
    {
        let server = ServerProcess::start(&data_dir.join("library"));
        let uploader = Cli::with_team(&server.base_url, &server.api_key);
        for (path, tags) in make_media(media_dir.path()) {
            uploader.ok(&[
                "upload",
                "--account",
                "team",
                "--tags",
                tags,
                path.to_str().unwrap(),
            ]);
        }
        for name in ["spring-hero", "jingle"] {
            server.use_in_video(&server.id_named(name).await).await;
        }
    }

    let desktop = Desktop::launch(&data_dir, home.path()).await.unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=asset-count]",
            &["10 assets"],
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    // Every thumbnail in before the picture is taken.
    for _ in 0..100 {
        let loaded = desktop
            .script(
                "return Array.from(document.querySelectorAll('[data-testid=asset-thumbnail]'))\
                 .every(i => i.complete && i.naturalWidth > 0)",
            )
            .await
            .unwrap();
        if loaded == serde_json::Value::Bool(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    desktop
        .click_text("[data-testid=asset-tile]", "spring-hero")
        .await
        .unwrap();
    desktop
        .wait_for_texts("[data-testid=usage]", &["1 video"], Duration::from_secs(10))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    desktop
        .screenshot_window(&out.join("screenshot.png"))
        .unwrap();

    desktop
        .script("document.activeElement?.blur()")
        .await
        .unwrap();
    desktop.press(&[Key::Control.into(), 'a']).await.unwrap();
    desktop.press(&[Key::Delete.into()]).await.unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=delete-dialog]",
            &["Delete anyway"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    desktop
        .screenshot_window(&out.join("bulk-delete.png"))
        .unwrap();
    desktop.press(&[Key::Escape.into()]).await.unwrap();
    desktop.press(&[Key::Escape.into()]).await.unwrap();

    let poster = media::png(media_dir.path(), "launch-poster.png", 1200, 630);
    let fake = media_dir.path().join("meeting-notes.mp4");
    std::fs::write(&fake, "notes, not a video").unwrap();
    desktop
        .choose_file("[data-testid=file-input]", &poster)
        .await
        .unwrap();
    desktop
        .choose_file("[data-testid=file-input]", &fake)
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=upload-item]",
            &["Uploaded", "Rejected"],
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    desktop.screenshot_window(&out.join("upload.png")).unwrap();

    // The list view.
    desktop
        .click_text("[data-testid=view-list]", "")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=asset-row] .asset-name",
            &["spring-hero"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    desktop.screenshot_window(&out.join("list.png")).unwrap();

    // Settings: a team's server added (its key goes to the keychain: run this under
    // scripts/with-keychain.sh), a watched folder.
    let team = ServerProcess::start(&media_dir.path().join("team"));
    // An empty folder of its own: watching one that holds other files would upload them.
    let inbox = media_dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    team.seed_tiles(3).await;
    desktop
        .click_text("[data-testid=open-settings]", "Settings")
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=account-add]", "Add account")
        .await
        .unwrap();
    desktop
        .fill(&[
            ("[data-testid=account-name]", "Marketing team"),
            ("[data-testid=account-url]", &team.base_url),
            ("[data-testid=account-key]", &team.api_key),
        ])
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=account-save]", "Add account")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            ".account-title",
            &["Marketing team"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    desktop
        .fill(&[
            ("[data-testid=folder-path]", inbox.to_str().unwrap()),
            ("[data-testid=folder-tags]", "inbox"),
        ])
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=folder-add]", "Watch")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=watched-folder]",
            &["inbox"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=account-entry] button", "Edit")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=account-editor] button",
            &["Save"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    desktop
        .script("document.activeElement?.blur()")
        .await
        .unwrap();
    // Software rendering under Xvfb can take a moment to show the opened form.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    desktop
        .screenshot_window(&out.join("settings.png"))
        .unwrap();
    desktop.close().await;

    // The same library with the desktop in dark mode: the window follows it.
    std::env::set_var("GTK_THEME", "Adwaita:dark");
    let desktop = Desktop::launch(&data_dir, home.path()).await.unwrap();
    // It opens in the list view, as it was left.
    desktop
        .wait_for_texts(
            "[data-testid=asset-row] .asset-name",
            &["spring-hero"],
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=view-grid]", "")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=asset-tile] .asset-name",
            &["spring-hero"],
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=asset-tile]", "spring-hero")
        .await
        .unwrap();
    desktop
        .wait_for_texts("[data-testid=usage]", &["1 video"], Duration::from_secs(10))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    desktop.screenshot_window(&out.join("dark.png")).unwrap();
    desktop.close().await;
    println!("screenshots written to {}", out.display());
}
