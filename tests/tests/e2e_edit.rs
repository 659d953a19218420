//! End to end, editing in the real app: a team library of a few hundred assets browsed and
//! filtered; the keyboard moving, extending and clearing the selection, selecting all and asking to
//! delete (the dialog names the one asset in use); a rename and a tag made while the team's server
//! is down, shown at once as pending, and on the server by themselves once it is back. A hostile
//! name shows as text.

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use trove_tests::cli::Cli;
use trove_tests::desktop::Desktop;
use trove_tests::server::ServerProcess;

const HOSTILE: &str = "Spring hero <img src=x onerror=window.pwned=1>";

#[tokio::test(flavor = "multi_thread")]
async fn the_keyboard_drives_the_grid_and_offline_edits_reach_the_server() {
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("trove");
    let storage = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(&storage.path().join("team"));
    let ids = server.seed_tiles(300).await;
    // The newest, first in the grid, is in use in a video.
    server.use_in_video(&ids[299]).await;
    Cli::at(&data_dir, &server.api_key).add_team(&server.base_url);
    // The app finds the team's key where the account says: TEAM_KEY, inherited through the driver.
    std::env::set_var("TEAM_KEY", &server.api_key);

    let desktop = Desktop::launch(&data_dir, home.path()).await.unwrap();
    let count = "[data-testid=asset-count]";
    desktop
        .wait_for_texts(count, &["300 assets"], Duration::from_secs(60))
        .await
        .unwrap();

    // Browse and filter: "tile 12" is tile 12 and tiles 120 to 129.
    desktop
        .type_into("[data-testid=search]", "tile 12")
        .await
        .unwrap();
    desktop
        .wait_for_texts(count, &["11 of 300 assets"], Duration::from_secs(10))
        .await
        .unwrap();
    desktop.clear("[data-testid=search]").await.unwrap();
    wait_for_exact(&desktop, count, "300 assets").await;

    // The list view: the same result as rows; arrows move one row; then back to the grid.
    desktop
        .click_text("[data-testid=view-list]", "")
        .await
        .unwrap();
    let rows = "[data-testid=asset-row] .asset-name";
    desktop
        .wait_for_texts(rows, &["tile 299", "tile 298"], Duration::from_secs(10))
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=asset-row]", "tile 298")
        .await
        .unwrap();
    wait_for_exact(&desktop, "[data-testid=details-name]", "tile 298").await;
    desktop
        .script("document.activeElement?.blur()")
        .await
        .unwrap();
    desktop.press(&[Key::Down.into()]).await.unwrap();
    wait_for_exact(&desktop, "[data-testid=details-name]", "tile 297").await;
    desktop.press(&[Key::Escape.into()]).await.unwrap();
    // The choice is a setting, kept in the app's settings file for the next launch.
    let settings = home.path().join("dev.trove.desktop/settings.json");
    let saved = std::fs::read_to_string(&settings).unwrap_or_default();
    assert!(saved.contains(r#""view": "list""#), "{saved}");
    desktop
        .click_text("[data-testid=view-grid]", "")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=asset-tile] .asset-name",
            &["tile 299"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();

    // The keyboard: a click, then arrows (Shift extends), Esc, Ctrl+A, Delete, Enter.
    let tiles = "[data-testid=asset-tile]";
    desktop.click_text(tiles, "tile 299").await.unwrap();
    let name = "[data-testid=details-name]";
    wait_for_exact(&desktop, name, "tile 299").await;
    // Focus leaves the search box, so the keys are the grid's.
    desktop
        .script("document.activeElement?.blur()")
        .await
        .unwrap();
    desktop.press(&[Key::Right.into()]).await.unwrap();
    wait_for_exact(&desktop, name, "tile 298").await;
    desktop
        .press(&[Key::Shift.into(), Key::Right.into()])
        .await
        .unwrap();
    let selected = "[data-testid=selection-count]";
    wait_for_exact(&desktop, selected, "2 assets selected").await;
    desktop.press(&[Key::Escape.into()]).await.unwrap();
    wait_for_none(&desktop, selected).await;
    wait_for_none(&desktop, name).await;
    desktop.press(&[Key::Control.into(), 'a']).await.unwrap();
    wait_for_exact(&desktop, selected, "300 assets selected").await;
    desktop.press(&[Key::Delete.into()]).await.unwrap();
    let dialog = desktop
        .wait_for_texts(
            "[data-testid=delete-dialog]",
            &[
                "tile 299",
                "1 video",
                "Delete only the 299 not in use",
                "Delete anyway",
            ],
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    assert_eq!(dialog.len(), 1, "{dialog:?}");
    desktop.press(&[Key::Escape.into()]).await.unwrap();
    wait_for_none(&desktop, "[data-testid=delete-dialog]").await;
    assert_eq!(server.list().await["pagination"]["total"], 300);
    // The counts the dialog fetched are kept: the asset in use now says so on its tile.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let usage = desktop
            .script(
                "return [...document.querySelectorAll('[data-testid=asset-tile]')].map(t => \
                 [t.querySelector('.asset-name').textContent.trim(), \
                  t.querySelector('.asset-usage')?.textContent ?? null])",
            )
            .await
            .unwrap();
        let usage: Vec<(String, Option<String>)> = serde_json::from_value(usage).unwrap();
        let badges: Vec<_> = usage.iter().filter(|(_, badge)| badge.is_some()).collect();
        if badges == [&("tile 299".to_owned(), Some("1 use".to_owned()))] {
            break;
        }
        assert!(Instant::now() < deadline, "usage badges: {usage:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    desktop.press(&[Key::Escape.into()]).await.unwrap();
    wait_for_none(&desktop, selected).await;
    desktop.press(&[Key::Right.into()]).await.unwrap();
    // The keyboard's place survived Esc and the dialog: it was on tile 297, one step on is 296.
    wait_for_exact(&desktop, name, "tile 296").await;
    desktop.press(&[Key::Enter.into()]).await.unwrap();
    wait_for_exact(&desktop, "[data-testid=preview-name]", "tile 296").await;
    desktop.press(&[Key::Escape.into()]).await.unwrap();
    wait_for_none(&desktop, "[data-testid=preview]").await;

    // Offline: the server stops; a rename and a tag apply at once and wait, marked pending.
    server.kill_hard();
    desktop.click_text(tiles, "tile 298").await.unwrap();
    wait_for_exact(&desktop, name, "tile 298").await;
    desktop
        .script("document.querySelector('[data-testid=rename]').click()")
        .await
        .unwrap();
    let rename = "[data-testid=rename-input]";
    desktop.clear(rename).await.unwrap();
    desktop
        .type_into(rename, &format!("{HOSTILE}{}", char::from(Key::Enter)))
        .await
        .unwrap();
    desktop
        .type_into(
            "[data-testid=add-tag]",
            &format!("spring{}", char::from(Key::Enter)),
        )
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=asset-tile] .asset-name",
            &[HOSTILE],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=asset-tags]",
            &["spring"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=details-pending]",
            &["Waiting to sync"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    assert!(!desktop
        .texts("[data-testid=pending-marker]")
        .await
        .unwrap()
        .is_empty());
    desktop
        .wait_for_texts(
            "[data-testid=status-bar]",
            &["pending"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    let pwned = desktop
        .script("return window.pwned === undefined")
        .await
        .unwrap();
    assert_eq!(pwned, serde_json::Value::Bool(true), "a name ran as HTML");

    // The server is back: the edits reach it by themselves, and the marker goes.
    server.restart();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let asset = server.asset(&ids[298]).await;
        let tagged = asset["tags"]
            .as_array()
            .is_some_and(|tags| tags.iter().any(|t| t == "spring"));
        if asset["name"] == HOSTILE && tagged {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the edits did not reach the server: {asset}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_for_none(&desktop, "[data-testid=pending-marker]").await;
    desktop.close().await;
}

/// Waits until the first element matching `css` reads exactly `text`.
async fn wait_for_exact(desktop: &Desktop, css: &str, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let texts = desktop.texts(css).await.unwrap();
        if texts.first().map(|t| t.trim()) == Some(text) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{css} reads {texts:?}, expected {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until nothing matches `css`.
async fn wait_for_none(desktop: &Desktop, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let texts = desktop.texts(css).await.unwrap();
        if texts.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "{css} still shows {texts:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
