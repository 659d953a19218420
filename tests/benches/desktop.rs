//! The desktop app at 100,000 cached assets, in its real webview (tauri-driver + WebKitWebDriver
//! under Xvfb), built in release (`cargo bench -p trove-tests --bench desktop` builds the
//! workspace's release binaries first: `cargo build --release -p trove-app`):
//! - launch to first grid paint (target < 1 s), over three launches: from the app process's start
//!   to the frame that painted the first tiles, as the page marks it (the driver's own sighting,
//!   later by its polling, is printed beside it);
//! - keystroke in the search box to the updated grid (target < 100 ms), per keystroke of a word
//!   typed letter by letter, measured in the page from the input event to the next frame after
//!   the grid changed;
//! - DOM element count while scrolling the whole result top to bottom;
//! - resident memory of the app (the backend) and of WebKit's web and network processes.
//!
//! The assets belong to an account whose server is unreachable, so every figure is of the cache
//! alone, as when browsing offline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use trove_core::cache::{Cache, Credential, NewAccount};
use trove_core::model::{Asset, AssetKind};
use trove_tests::desktop::Desktop;

const ASSETS: usize = 100_000;
const WORDS: &[&str] = &[
    "campaign",
    "spring",
    "launch",
    "hero",
    "banner",
    "portrait",
    "product",
    "teaser",
    "podcast",
    "interview",
    "logo",
    "summer",
    "studio",
    "outdoor",
    "social",
];

fn fill(data_dir: &Path) {
    std::fs::create_dir_all(data_dir).unwrap();
    let mut cache = Cache::open(&data_dir.join("cache.sqlite3")).unwrap();
    let account = cache
        .add_account(NewAccount {
            name: "Team".into(),
            provider: "local".into(),
            // Nothing listens on the discard port: the account is offline, the cache is all there is.
            base_url: "http://127.0.0.1:9".into(),
            credential: Credential::Env("TROVE_BENCH_TEAM_KEY".into()),
        })
        .unwrap();
    let rows: Vec<Asset> = (0..ASSETS).map(|i| synthetic(&account.id, i)).collect();
    for chunk in rows.chunks(20_000) {
        cache.upsert_assets(chunk).unwrap();
    }
    while cache.compact_search_index_step().unwrap() {}
}

fn synthetic(account_id: &str, i: usize) -> Asset {
    let kind = [AssetKind::Image, AssetKind::Video, AssetKind::Audio][i % 3];
    let word = |n: usize| WORDS[n % WORDS.len()];
    Asset {
        account_id: account_id.to_owned(),
        id: format!("asset_{i:08}"),
        name: format!("{} {} {i}", word(i), word(i / 7 + 3)),
        kind,
        content_type: None,
        size: Some(20_000 + (i as i64 * 7919) % 50_000_000),
        width: (kind != AssetKind::Audio).then_some(1920),
        height: (kind != AssetKind::Audio).then_some(1080),
        duration_s: (kind != AssetKind::Image).then_some((i % 600) as f64 + 0.5),
        tags: vec![format!("batch-{}", i % 40), word(i / 3).to_owned()],
        // Where the account would serve it: unreachable, as the account is (thumbnails fail).
        url: Some(format!("http://127.0.0.1:9/files/asset_{i:08}")),
        thumbnail_url: None,
        created_at: format!(
            "2025-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            i % 12 + 1,
            i % 28 + 1,
            i % 24,
            (i / 24) % 60,
            i % 60
        ),
        updated_at: None,
        used_in_videos: Some((i % 5) as u32),
        used_in_templates: Some(0),
        last_used: None,
        usage_fetched_at: None,
        pending: false,
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Types `word` letter by letter into the search box; per keystroke, ms from the input event to
/// the frame after the grid showed the answer to it (the page marks which query its grid shows).
const TYPE_AND_TIME: &str = r#"
const done = arguments[arguments.length - 1];
const word = arguments[0];
const input = document.querySelector('[data-testid=search]');
const answered = () => Number(document.querySelector('[data-testid=content]').dataset.answered);
const times = [];
const next = (i) => {
  if (i > word.length) { done(times); return; }
  // A trailing space does not change the query, so the grid has nothing to answer.
  if (word.slice(0, i).trim() === word.slice(0, i - 1).trim()) { next(i + 1); return; }
  const before = answered();
  const started = performance.now();
  input.value = word.slice(0, i);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  const check = () => {
    if (answered() > before) {
      requestAnimationFrame(() => { times.push(performance.now() - started); setTimeout(() => next(i + 1), 120); });
    } else if (performance.now() - started > 5000) {
      times.push(performance.now() - started); next(i + 1);
    } else {
      requestAnimationFrame(check);
    }
  };
  requestAnimationFrame(check);
};
next(1);
"#;

/// The reference for the figure above, in the same web view: the grid repainted with no data and
/// no script work (its background toggled), from the change to the frame after the next one (as
/// the keystroke is timed). Under Xvfb the web view paints in software, and this is its floor.
const REPAINT_FLOOR: &str = r#"
const done = arguments[arguments.length - 1];
const grid = document.querySelector('[data-testid=asset-grid]');
const times = [];
const step = (i) => {
  if (i === 12) { grid.style.backgroundColor = ''; done(times); return; }
  const started = performance.now();
  grid.style.backgroundColor = i % 2 ? 'rgb(254 254 254)' : 'rgb(253 253 253)';
  requestAnimationFrame(() => requestAnimationFrame(() => {
    times.push(performance.now() - started);
    setTimeout(() => step(i + 1), 60);
  }));
};
step(0);
"#;

/// Scrolls the grid from top to bottom in steps, a frame each; the most elements the page held.
const SCROLL_AND_COUNT: &str = r#"
const done = arguments[arguments.length - 1];
const grid = document.querySelector('[data-testid=asset-grid]');
const steps = 200;
let most = 0, step = 0;
const started = performance.now();
const frame = () => {
  most = Math.max(most, document.getElementsByTagName('*').length);
  if (step > steps) {
    // Then how long the tiles at the end take to arrive once the scrolling stops.
    const stopped = performance.now();
    const filled = () => {
      const tiles = document.querySelectorAll('[data-testid=asset-tile]').length;
      if (tiles > 0 || performance.now() - stopped > 10000) {
        done({ most, tiles, ms: stopped - started, fill: performance.now() - stopped, height: grid.scrollHeight });
      } else {
        requestAnimationFrame(filled);
      }
    };
    filled();
    return;
  }
  grid.scrollTop = (grid.scrollHeight - grid.clientHeight) * (step / steps);
  step += 1;
  requestAnimationFrame(frame);
};
frame();
"#;

#[tokio::main]
async fn main() {
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("trove");
    let started = std::time::Instant::now();
    fill(&data_dir);
    println!(
        "cache of {ASSETS} assets written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let mut first_paints = Vec::new();
    let mut own_paints = Vec::new();
    let mut painted_at = Vec::new();
    for run in 0..3 {
        let desktop = Desktop::launch(&data_dir, home.path()).await.unwrap();
        desktop
            .wait_for_texts(
                "[data-testid=asset-tile] .asset-name",
                // Any name: every synthetic one has a space in it.
                &[" "],
                Duration::from_secs(60),
            )
            .await
            .unwrap();
        let ms = desktop.launched_at.elapsed().as_secs_f64() * 1000.0;
        // The figure above starts when the driver is asked for a session: it starts
        // WebKitWebDriver, which starts the app. What a user waits is from the app's own start.
        let app_age = || {
            desktop
                .process_age("trove-app")
                .map(|age| age.as_secs_f64() * 1000.0)
        };
        let own = app_age().unwrap_or(ms);
        // The driver sees the tiles late (it polls every 100 ms, reading each tile's text over
        // WebDriver), or early: it reads text laid out but not yet painted. The page marks the
        // frame that painted them (lib/firstPaint.ts), which may come after the driver's sighting.
        let marked = "return performance.getEntriesByName('trove:first-paint').length > 0";
        for _ in 0..100 {
            if desktop.script(marked).await.unwrap() == serde_json::json!(true) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Where the time went: the page's clock starts when the web view begins loading it.
        let page = desktop
            .script(
                "const n = performance.getEntriesByType('navigation')[0]; \
                 const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null; \
                 return { now: performance.now(), dom: n ? n.domContentLoadedEventEnd : null, \
                   status: mark('trove:status'), answer: mark('trove:first-answer'), \
                   page: mark('trove:first-page'), paint: mark('trove:first-paint') };",
            )
            .await
            .unwrap();
        // Taken after the page answered, so the page's "now" is at most a round trip before it.
        let age_now = app_age().unwrap_or(f64::NAN);
        let page_now = page["now"].as_f64().unwrap_or(0.0);
        let at = |key: &str| page[key].as_f64().unwrap_or(f64::NAN);
        let loading_began = age_now - page_now;
        let painted = loading_began + at("paint");
        println!(
            "launch {run}: the web view began loading the page {:.0} ms after the app started; \
             on the page's clock: script ran by {:.0} ms, status answered at {:.0}, the first \
             assets arrived at {:.0} and were in the DOM at {:.0}, painted by {:.0}; the driver \
             saw the grid at {:.0} ms",
            loading_began,
            at("dom"),
            at("status"),
            at("answer"),
            at("page"),
            at("paint"),
            own - loading_began,
        );
        println!(
            "launch {run}: first grid paint {painted:.0} ms after the app started (the page's \
             mark); the driver saw it {ms:.0} ms after the session was asked, {own:.0} ms after \
             the app started"
        );
        first_paints.push(ms);
        own_paints.push(own);
        painted_at.push(painted);
        if run < 2 {
            desktop.close().await;
            continue;
        }
        desktop
            .wait_for_texts(
                "[data-testid=asset-count]",
                &["100,000 assets"],
                Duration::from_secs(30),
            )
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;

        let mut keystrokes = Vec::new();
        for word in ["podcast", "spring hero"] {
            let times = desktop
                .script_async(&format!(
                    "return (function() {{ {TYPE_AND_TIME} }}).apply(null, [{}, arguments[0]]);",
                    serde_json::to_string(word).unwrap()
                ))
                .await
                .unwrap();
            let times: Vec<f64> = serde_json::from_value(times).unwrap();
            println!("keystroke to updated grid typing {word:?}: {times:.0?} ms");
            keystrokes.extend(times);
            desktop.clear("[data-testid=search]").await.unwrap();
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let worst = keystrokes.iter().copied().fold(0.0, f64::max);
        let keystroke = median(&mut keystrokes.clone());
        println!(
            "keystroke to updated grid: median {keystroke:.0} ms, worst {worst:.0} ms over {} keystrokes (target < 100 ms)",
            keystrokes.len()
        );
        let floor = desktop
            .script_async(&format!(
                "(function() {{ {REPAINT_FLOOR} }})(arguments[0]);"
            ))
            .await
            .unwrap();
        let mut floor: Vec<f64> = serde_json::from_value(floor).unwrap();
        let floor = median(&mut floor);
        println!(
            "reference: the grid repainted with no data change: median {floor:.0} ms; a keystroke costs {:.1}x that",
            keystroke / floor
        );

        // The reference, in the same run: the same query's window asked for straight over IPC,
        // with no rendering, so the figure above splits into the core and the page.
        let ipc = desktop
            .script_async(
                "const done = arguments[arguments.length - 1]; const times = []; \
                 const ask = (i) => { if (i === 10) { done(times); return; } \
                 const started = performance.now(); \
                 window.__TAURI_INTERNALS__.invoke('list_assets', { query: { account_id: null, kind: null, \
                 tags: [], text: 'podcast' + (i % 2 ? ' s' : ''), sort: 'newest', offset: 0, limit: 200 } }) \
                 .then(() => { times.push(performance.now() - started); ask(i + 1); }); }; ask(0);",
            )
            .await
            .unwrap();
        let mut ipc: Vec<f64> = serde_json::from_value(ipc).unwrap();
        println!(
            "reference: the same window over IPC alone, no rendering: median {:.0} ms of {}",
            median(&mut ipc),
            ipc.len()
        );

        let scrolled = desktop
            .script_async(&format!(
                "(function() {{ {SCROLL_AND_COUNT} }})(arguments[0]);"
            ))
            .await
            .unwrap();
        println!(
            "scrolling all {ASSETS} assets top to bottom in 200 frames: at most {} elements in the page, {:.0} ms, grid {} px tall; the {} tiles at the end shown {:.0} ms after the scrolling stopped",
            scrolled["most"], scrolled["ms"].as_f64().unwrap_or(f64::NAN), scrolled["height"],
            scrolled["tiles"], scrolled["fill"].as_f64().unwrap_or(f64::NAN)
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        let mut memory = desktop.process_memory();
        memory.sort();
        for (name, kb) in &memory {
            println!("memory: {name} {:.1} MB resident", *kb as f64 / 1024.0);
        }
        desktop.close().await;
    }
    println!(
        "launch to first grid paint: median {:.0} ms of 3 from the app's start by the page's mark \
         (target < 1000 ms); as the driver saw it, {:.0} ms from the session request, {:.0} ms \
         from the app's start",
        median(&mut painted_at),
        median(&mut first_paints),
        median(&mut own_paints)
    );
}
