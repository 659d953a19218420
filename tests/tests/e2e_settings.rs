//! End to end, the settings in the real app, with the session's real OS keychain: a team account
//! is tested (a wrong key gets the server's refusal), added, and its assets arrive in the grid; its
//! key is in the keychain and in none of the files Trove or its web view wrote. The sync interval
//! is saved to the settings file. A watched folder added by typing its path sends a file that
//! arrives in it to the team, with the folder's tag. Removing the account while an edit waits for
//! its server asks again, naming what would be lost; then it takes its assets away.

use std::time::{Duration, Instant};

use trove_tests::desktop::Desktop;
use trove_tests::media;
use trove_tests::server::ServerProcess;

/// Waits until the elements matching `css` read exactly `texts` (in order).
async fn wait_for_exactly(desktop: &Desktop, css: &str, texts: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = desktop.texts(css).await.unwrap();
        if now.iter().map(|t| t.trim()).eq(texts.iter().copied()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{css} reads {now:?}, not {texts:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Picks `value` in the `<select>` matching `css`, telling the page as a person's choice would.
async fn choose(desktop: &Desktop, css: &str, value: &str) {
    let (css, value) = (
        serde_json::to_string(css).unwrap(),
        serde_json::to_string(value).unwrap(),
    );
    desktop
        .script(&format!(
            "const s = document.querySelector({css}); s.value = {value}; \
             s.dispatchEvent(new Event('change', {{ bubbles: true }}));"
        ))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn accounts_folders_and_the_sync_interval_are_set_in_the_window() {
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("trove");
    let storage = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(&storage.path().join("team"));
    server.seed_tiles(5).await;

    let desktop = Desktop::launch(&data_dir, home.path()).await.unwrap();
    let count = "[data-testid=asset-count]";
    desktop
        .wait_for_texts(
            "[data-testid=empty-state]",
            &["Drop files here"],
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=open-settings]", "Settings")
        .await
        .unwrap();
    wait_for_exactly(&desktop, ".account-title", &["Local library"]).await;

    // A wrong key: the test says what the server said, and nothing is added.
    desktop
        .click_text("[data-testid=account-add]", "Add account")
        .await
        .unwrap();
    desktop
        .fill(&[
            ("[data-testid=account-name]", "Team"),
            ("[data-testid=account-url]", &server.base_url),
            ("[data-testid=account-key]", "wrong-key"),
        ])
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=account-test]", "Test connection")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=account-result]",
            &["401"],
            Duration::from_secs(15),
        )
        .await
        .unwrap();

    // The right key: connected, then added; the list says where the key went.
    desktop.clear("[data-testid=account-key]").await.unwrap();
    desktop
        .type_into("[data-testid=account-key]", &server.api_key)
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=account-test]", "Test connection")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=account-result]",
            &["Connected: 5 assets"],
            Duration::from_secs(15),
        )
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=account-save]", "Add account")
        .await
        .unwrap();
    wait_for_exactly(&desktop, ".account-title", &["Local library", "Team"]).await;
    desktop
        .wait_for_texts(
            "[data-testid=account-entry]",
            &["key: the OS keychain"],
            Duration::from_secs(5),
        )
        .await
        .unwrap();

    // Renamed in place; the key stays where it is (the field starts empty and is left so).
    desktop
        .click_text("[data-testid=account-entry] button", "Edit")
        .await
        .unwrap();
    desktop
        .type_into("[data-testid=account-name]", " (EU)")
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=account-save]", "Save")
        .await
        .unwrap();
    wait_for_exactly(&desktop, ".account-title", &["Local library", "Team (EU)"]).await;

    // The sync interval, saved to the settings file.
    choose(&desktop, "[data-testid=sync-interval]", "60").await;
    desktop
        .wait_for_texts(
            "[data-testid=sync-interval-note]",
            &["Saved"],
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    let settings_file = home.path().join("dev.trove.desktop/settings.json");
    let settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&settings_file).unwrap()).unwrap();
    assert_eq!(settings["sync_interval_minutes"], 60, "{settings}");

    // A watched folder, its path typed, for the team with a default tag.
    let watched = tempfile::tempdir().unwrap();
    desktop
        .type_into(
            "[data-testid=folder-path]",
            watched.path().to_str().unwrap(),
        )
        .await
        .unwrap();
    let team_id = desktop
        .script("return [...document.querySelectorAll('[data-testid=folder-account] option')].find(o => o.textContent === 'Team (EU)').value")
        .await
        .unwrap();
    choose(
        &desktop,
        "[data-testid=folder-account]",
        team_id.as_str().unwrap(),
    )
    .await;
    desktop
        .type_into("[data-testid=folder-tags]", "spring, hero")
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=folder-add]", "Watch")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=watched-folder]",
            &["to Team (EU) · tagged spring, hero"],
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=settings-close]", "Done")
        .await
        .unwrap();

    // The team's assets arrive by themselves; then the file dropped in the folder joins them.
    desktop
        .wait_for_texts(count, &["5 assets"], Duration::from_secs(30))
        .await
        .unwrap();
    media::png(watched.path(), "poster.png", 64, 48);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let listing = server.list().await;
        let poster = listing["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|asset| asset["name"] == "poster");
        if let Some(poster) = poster {
            assert_eq!(
                poster["tags"],
                serde_json::json!(["spring", "hero"]),
                "{poster}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the watched file never reached the team: {listing}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    desktop
        .wait_for_texts(count, &["6 assets"], Duration::from_secs(30))
        .await
        .unwrap();

    // The key is in none of the files Trove, its settings or its web view wrote.
    assert_eq!(
        trove_tests::files_containing(home.path(), &server.api_key),
        Vec::<std::path::PathBuf>::new(),
        "the API key is written in these files"
    );

    // A rename made while the team's server is down waits in the outbox: removing the account
    // would lose it, so the window says so and removes nothing until asked again.
    server.kill_hard();
    desktop
        .click_text("[data-testid=asset-tile]", "poster")
        .await
        .unwrap();
    desktop
        .script("document.querySelector('[data-testid=rename]').click()")
        .await
        .unwrap();
    desktop.clear("[data-testid=rename-input]").await.unwrap();
    desktop
        .type_into("[data-testid=rename-input]", "Poster, final\u{E007}")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=pending-marker]",
            &["●"],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    desktop
        .click_text("[data-testid=open-settings]", "Settings")
        .await
        .unwrap();
    wait_for_exactly(&desktop, ".account-title", &["Local library", "Team (EU)"]).await;
    desktop
        .click_text("[data-testid=account-remove]", "Remove")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=account-remove-confirm]",
            &["Team (EU) has 1 edit not sent yet. Removing it discards it."],
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    wait_for_exactly(&desktop, ".account-title", &["Local library", "Team (EU)"]).await;
    desktop
        .click_text(
            "[data-testid=account-remove-confirm] button",
            "Remove anyway",
        )
        .await
        .unwrap();
    wait_for_exactly(&desktop, ".account-title", &["Local library"]).await;
    desktop
        .click_text("[data-testid=settings-close]", "Done")
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=empty-state]",
            &["Drop files here"],
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    desktop.close().await;
}
