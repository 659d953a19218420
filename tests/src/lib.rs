//! The harness shared by Trove's cross-crate and end-to-end suites: where the built binaries are,
//! real media made by ffmpeg, a real asset server on a free loopback port, and the desktop app
//! driven through tauri-driver under its own Xvfb.

pub mod api;
pub mod cli;
pub mod desktop;
pub mod fault_proxy;
pub mod media;
pub mod server;

use std::path::PathBuf;

/// The directory holding the workspace's binaries (`target/debug`): `TROVE_BIN_DIR` when set, else
/// the parent of the test executable's `deps/` directory.
pub fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TROVE_BIN_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("test executable path");
    let deps = exe.parent().expect("deps directory");
    deps.parent().expect("profile directory").to_owned()
}

/// The path of one of the workspace's binaries, failing with a hint when it was not built.
pub fn bin(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace` before the tests",
        path.display()
    );
    path
}

/// A free TCP port on 127.0.0.1 for a process the test starts (tauri-driver, WebKitWebDriver).
/// Taken below the kernel's ephemeral range (32768 and up here), so that a port released by this
/// check cannot be handed to another process's `:0` bind or outgoing connection before the
/// intended process binds it.
pub fn free_port() -> u16 {
    let spread = 12_000u32;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
        ^ std::process::id().wrapping_mul(2_654_435_761);
    (0..spread)
        .map(|i| 20_000 + ((seed.wrapping_add(i.wrapping_mul(7_919))) % spread) as u16)
        .find(|port| std::net::TcpListener::bind(("127.0.0.1", *port)).is_ok())
        .expect("a free loopback port between 20000 and 32000")
}

/// Every file below `dir`, however deep (for checking what a process wrote there).
pub fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// The files below `dir` whose bytes contain `needle` anywhere (a secret must be in none).
pub fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|path| {
            std::fs::read(path)
                .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
                .unwrap_or(false)
        })
        .collect()
}
