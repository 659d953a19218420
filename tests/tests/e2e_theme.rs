//! End to end, the theme follows the OS: with GTK set to prefer dark (as a desktop in dark mode
//! tells its apps), the real web view reports `prefers-color-scheme: dark` and the window is drawn
//! with the dark palette.

use std::time::Duration;

use trove_tests::desktop::Desktop;

#[tokio::test(flavor = "multi_thread")]
async fn the_window_is_dark_when_the_desktop_is() {
    // This suite is a process of its own, so the variable reaches only this test's app.
    std::env::set_var("GTK_THEME", "Adwaita:dark");
    let home = tempfile::tempdir().unwrap();
    let desktop = Desktop::launch(&home.path().join("trove"), home.path())
        .await
        .unwrap();
    desktop
        .wait_for_texts(
            "[data-testid=empty-state]",
            &["Drop files here"],
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    let theme = desktop
        .script(
            "return { dark: matchMedia('(prefers-color-scheme: dark)').matches, \
             background: getComputedStyle(document.body).backgroundColor };",
        )
        .await
        .unwrap();
    assert_eq!(theme["dark"], true, "{theme}");
    // --bg of the dark palette (app.css), not the light one (#f6f7f9).
    assert_eq!(theme["background"], "rgb(21, 23, 27)", "{theme}");
    desktop.close().await;
}
