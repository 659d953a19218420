//! The real desktop app in its real webview, driven through tauri-driver and WebKitWebDriver under
//! an Xvfb display of its own. Xvfb, the driver and the app share one process group, which is
//! killed as a whole when the session ends (killing only the driver would orphan the app).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use fantoccini::{Client, ClientBuilder, Locator};

/// One desktop session at a time in a test process: two WebKit instances at once starve each other
/// on a 2-core machine (and WebKitWebDriver sessions have been seen to fail to start side by side).
static ONE_AT_A_TIME: std::sync::LazyLock<std::sync::Arc<tokio::sync::Mutex<()>>> =
    std::sync::LazyLock::new(Default::default);

/// Every WebDriver call is bounded by this, so a wedged webview fails the test instead of hanging it.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// One process of a session's group, as `/proc` shows it.
struct GroupProcess {
    dir: PathBuf,
    /// The command name, at most 15 characters.
    name: String,
    /// The fields of `stat` after the name.
    fields: Vec<String>,
}

pub struct Desktop {
    client: Option<Client>,
    _turn: tokio::sync::OwnedMutexGuard<()>,
    group: u32,
    children: Vec<Child>,
    display: String,
    /// When the app was asked to start, to measure time to first paint.
    pub launched_at: Instant,
}

async fn bounded<T, E: std::fmt::Display>(
    what: &str,
    call: impl std::future::Future<Output = Result<T, E>>,
) -> anyhow::Result<T> {
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(anyhow!("{what}: {error}")),
        Err(_) => Err(anyhow!("{what}: no answer within {CALL_TIMEOUT:?}")),
    }
}

fn tauri_driver() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    cargo_home
        .map(|home| home.join("bin/tauri-driver"))
        .filter(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from("tauri-driver"))
}

/// A display number whose lock file does not exist yet.
fn free_display() -> u32 {
    let start = 100 + std::process::id() % 400;
    (start..start + 400)
        .find(|n| !Path::new(&format!("/tmp/.X{n}-lock")).exists())
        .unwrap_or(start)
}

async fn wait_until(
    what: &str,
    timeout: Duration,
    mut ready: impl FnMut() -> bool,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    while !ready() {
        if Instant::now() > deadline {
            bail!("{what} not ready within {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

impl Desktop {
    /// Starts Xvfb, tauri-driver and the app with `TROVE_DATA_DIR=data_dir` and `XDG_DATA_HOME=xdg_home`.
    pub async fn launch(data_dir: &Path, xdg_home: &Path) -> anyhow::Result<Desktop> {
        use std::os::unix::process::CommandExt;
        let turn = ONE_AT_A_TIME.clone().lock_owned().await;
        let number = free_display();
        let display = format!(":{number}");
        let xvfb = Command::new("Xvfb")
            .args([&display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .context("Xvfb must be installed (the README's set-up installs it)")?;
        let group = xvfb.id();
        let mut desktop = Desktop {
            client: None,
            _turn: turn,
            group,
            children: vec![xvfb],
            display: display.clone(),
            launched_at: Instant::now(),
        };
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
        wait_until("Xvfb", Duration::from_secs(20), || socket.exists()).await?;

        let port = crate::free_port();
        let native_port = std::iter::repeat_with(crate::free_port)
            .find(|p| *p != port)
            .unwrap_or(port);
        let driver_log = std::fs::File::create(xdg_home.join("tauri-driver.log"))?;
        let driver = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &display)
            .env("TROVE_DATA_DIR", data_dir)
            .env("XDG_DATA_HOME", xdg_home)
            .env("TROVE_LOG", "info")
            .stdout(driver_log.try_clone()?)
            .stderr(driver_log)
            .process_group(group as i32)
            .spawn()
            .context("tauri-driver must be installed (cargo install tauri-driver --locked)")?;
        desktop.children.push(driver);
        let address = format!("127.0.0.1:{port}");
        // tauri-driver starts WebKitWebDriver on the native port and forwards the new-session
        // request to it; asked before WebKitWebDriver listens, it answers with a broken connection.
        for (what, port) in [("tauri-driver", port), ("WebKitWebDriver", native_port)] {
            let address = format!("127.0.0.1:{port}");
            wait_until(what, Duration::from_secs(20), || {
                std::net::TcpStream::connect(&address).is_ok()
            })
            .await?;
        }

        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": crate::bin("trove-app") }),
        );
        capabilities.insert("browserName".into(), "wry".into());
        desktop.launched_at = Instant::now();
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let session = tokio::time::timeout(
            Duration::from_secs(90),
            ClientBuilder::new(connector)
                .capabilities(capabilities)
                .connect(&format!("http://{address}")),
        )
        .await;
        let client = match session {
            Ok(Ok(client)) => client,
            failed => {
                let log =
                    std::fs::read_to_string(xdg_home.join("tauri-driver.log")).unwrap_or_default();
                let cause = match failed {
                    Ok(Err(error)) => error.to_string(),
                    _ => "no session within 90 s".to_owned(),
                };
                bail!(
                    "the app's WebDriver session did not start: {cause}\ntauri-driver said:\n{log}"
                );
            }
        };
        desktop.client = Some(client);
        Ok(desktop)
    }

    fn client(&self) -> anyhow::Result<&Client> {
        self.client.as_ref().context("no WebDriver session")
    }

    /// The rendered texts (`innerText`) of every element matching `css`, now. WebKitWebDriver's
    /// Get Element Text returns "" for text styled with `text-overflow: ellipsis` even when it is
    /// on screen, so the engine's own rendered text is read instead (hidden elements still read "").
    pub async fn texts(&self, css: &str) -> anyhow::Result<Vec<String>> {
        let selector = serde_json::to_string(css)?;
        let script =
            format!("return Array.from(document.querySelectorAll({selector}), e => e.innerText)");
        let value = self.script(&script).await?;
        serde_json::from_value(value).context("innerText of the matches")
    }

    /// Gives `file` to the file input matching `css`, as a person picking it would.
    pub async fn choose_file(&self, css: &str, file: &Path) -> anyhow::Result<()> {
        let client = self.client()?;
        let input = bounded("find the file input", client.find(Locator::Css(css))).await?;
        let path = file.to_str().context("a UTF-8 path")?;
        bounded("choose a file", input.send_keys(path)).await
    }

    /// Types `text` into the field matching `css`, key by key, as a person would.
    pub async fn type_into(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let client = self.client()?;
        let field = bounded("find the field", client.find(Locator::Css(css))).await?;
        bounded("click the field", field.click()).await?;
        bounded("type", field.send_keys(text)).await
    }

    /// Types into several fields in turn: `(css, text)` each.
    pub async fn fill(&self, fields: &[(&str, &str)]) -> anyhow::Result<()> {
        for (css, text) in fields {
            self.type_into(css, text).await?;
        }
        Ok(())
    }

    /// Presses one chord on the keyboard as a person would (WebDriver key actions, delivered to
    /// whatever has focus): its keys go down in order and come up in reverse. Special keys are
    /// `fantoccini::key::Key` values turned into chars.
    pub async fn press(&self, chord: &[char]) -> anyhow::Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut keys = KeyActions::new("keyboard".into());
        for &value in chord {
            keys = keys.then(KeyAction::Down { value });
        }
        for &value in chord.iter().rev() {
            keys = keys.then(KeyAction::Up { value });
        }
        bounded("press keys", self.client()?.perform_actions(keys)).await
    }

    /// Clicks the first element matching `css` whose rendered text contains `text`.
    pub async fn click_text(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let (selector, text) = (serde_json::to_string(css)?, serde_json::to_string(text)?);
        let found = self
            .script(&format!(
                "const hit = Array.from(document.querySelectorAll({selector}))\
                 .find(e => e.innerText.includes({text})); if (hit) hit.click(); return !!hit;"
            ))
            .await?;
        if found != serde_json::Value::Bool(true) {
            bail!("nothing matching {css} reads {text}");
        }
        Ok(())
    }

    /// Empties the field matching `css`, telling the page as typing would (WebDriver's own
    /// Element Clear fires no `input` event in WebKit).
    pub async fn clear(&self, css: &str) -> anyhow::Result<()> {
        let selector = serde_json::to_string(css)?;
        self.script(&format!(
            "const field = document.querySelector({selector}); field.value = ''; \
             field.dispatchEvent(new Event('input', {{ bubbles: true }}));"
        ))
        .await
        .map(drop)
    }

    /// Runs a script in the page and returns its value (for diagnostics and DOM-level checks).
    pub async fn script(&self, source: &str) -> anyhow::Result<serde_json::Value> {
        bounded("execute script", self.client()?.execute(source, vec![])).await
    }

    /// Runs an asynchronous script (it calls its last argument with its result) and returns it.
    pub async fn script_async(&self, source: &str) -> anyhow::Result<serde_json::Value> {
        bounded(
            "execute async script",
            self.client()?.execute_async(source, vec![]),
        )
        .await
    }

    /// The processes of the session's group (the app, its web content and network processes,
    /// the driver and Xvfb), from `/proc`.
    fn group_processes(&self) -> Vec<GroupProcess> {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|entry| {
                let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
                let (head, rest) = stat.rsplit_once(')')?;
                // After the name: state(0) ppid pgrp ...
                let fields: Vec<String> = rest.split_whitespace().map(str::to_owned).collect();
                if fields.get(2)?.parse::<u32>().ok()? != self.group {
                    return None;
                }
                Some(GroupProcess {
                    dir: entry.path(),
                    name: head.rsplit_once('(')?.1.to_owned(),
                    fields,
                })
            })
            .collect()
    }

    /// The resident memory (kB) of each process of the session's group by name.
    pub fn process_memory(&self) -> Vec<(String, u64)> {
        self.group_processes()
            .into_iter()
            .map(|process| {
                let status =
                    std::fs::read_to_string(process.dir.join("status")).unwrap_or_default();
                let rss = status
                    .lines()
                    .find_map(|line| line.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                    .unwrap_or(0);
                (process.name, rss)
            })
            .collect()
    }

    /// How long ago the session's process named `name` started (10 ms resolution), from
    /// `/proc`: what separates the app's own launch from the driver's start-up before it.
    pub fn process_age(&self, name: &str) -> Option<Duration> {
        let uptime: f64 = std::fs::read_to_string("/proc/uptime")
            .ok()?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        let process = self
            .group_processes()
            .into_iter()
            .find(|p| p.name == name)?;
        // starttime is field 22 of the line, 19 after the name; in clock ticks since boot, and
        // Linux's USER_HZ is 100 on every supported architecture.
        let started = process.fields.get(19)?.parse::<f64>().ok()? / 100.0;
        Some(Duration::from_secs_f64((uptime - started).max(0.0)))
    }

    /// The environment the session's process named `name` (as `/proc` shortens it to 15
    /// characters) was started with.
    pub fn process_environment(&self, name: &str) -> Option<Vec<(String, String)>> {
        let process = self
            .group_processes()
            .into_iter()
            .find(|p| p.name == name)?;
        let environ = std::fs::read(process.dir.join("environ")).ok()?;
        Some(
            environ
                .split(|byte| *byte == 0)
                .filter_map(|entry| {
                    let entry = String::from_utf8_lossy(entry);
                    let (key, value) = entry.split_once('=')?;
                    Some((key.to_owned(), value.to_owned()))
                })
                .collect(),
        )
    }

    /// Polls until the elements matching `css` include every text of `expected`; returns them all.
    pub async fn wait_for_texts(
        &self,
        css: &str,
        expected: &[&str],
        timeout: Duration,
    ) -> anyhow::Result<Vec<String>> {
        let deadline = Instant::now() + timeout;
        loop {
            let texts = self.texts(css).await?;
            if expected
                .iter()
                .all(|want| texts.iter().any(|text| text.contains(want)))
            {
                return Ok(texts);
            }
            if Instant::now() > deadline {
                let body = self.texts("body").await.unwrap_or_default().join("\n");
                bail!("after {timeout:?}, {css} shows {texts:?}, expected {expected:?}; the page reads:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Captures the app's window (1200×800 at the display's origin, as tauri.conf.json sizes it)
    /// from the X display, as a person sees it, into a PNG.
    pub fn screenshot_window(&self, path: &Path) -> anyhow::Result<()> {
        let status = Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "x11grab"])
            .args(["-draw_mouse", "0", "-video_size", "1200x800", "-i"])
            .arg(&self.display)
            .args(["-frames:v", "1"])
            .arg(path)
            .status()?;
        if !status.success() {
            bail!("ffmpeg could not capture display {}", self.display);
        }
        Ok(())
    }

    /// Ends the WebDriver session, then the whole process group.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
        }
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        let group = format!("-{}", self.group);
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        for child in &mut self.children {
            let _ = child.wait();
        }
    }
}
