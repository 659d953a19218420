//! The harness shared by Trove's cross-crate and end-to-end suites: where the built binaries are,
//! real media made by ffmpeg, a real asset server on a free loopback port, and the desktop app
//! driven through tauri-driver under its own Xvfb.

pub mod api;
pub mod desktop;
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

/// A free TCP port on 127.0.0.1 (bound and released; good enough for a test's own processes).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}
