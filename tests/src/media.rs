//! Real media files made by ffmpeg, so the tests see what users upload.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs ffmpeg with `args` to write `dir/name`, and returns the path.
pub fn ffmpeg(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let output = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .arg(&path)
        .output()
        .expect("ffmpeg must be installed (the README's set-up installs it)");
    assert!(
        output.status.success(),
        "ffmpeg failed making {name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    path
}

/// A PNG test card of the given size.
pub fn png(dir: &Path, name: &str, width: u32, height: u32) -> PathBuf {
    let source = format!("testsrc=size={width}x{height}:rate=1");
    ffmpeg(dir, name, &["-f", "lavfi", "-i", &source, "-frames:v", "1"])
}

/// A JPEG photo-like frame.
pub fn jpeg(dir: &Path, name: &str, width: u32, height: u32) -> PathBuf {
    let source = format!("testsrc2=size={width}x{height}:rate=1");
    ffmpeg(
        dir,
        name,
        &["-f", "lavfi", "-i", &source, "-frames:v", "1", "-q:v", "3"],
    )
}

/// A WAV tone of `seconds`.
pub fn wav(dir: &Path, name: &str, seconds: f64) -> PathBuf {
    let source = format!("sine=frequency=440:duration={seconds}");
    ffmpeg(dir, name, &["-f", "lavfi", "-i", &source])
}

/// A short H.264 MP4 (ffmpeg's mpeg4 encoder when libx264 is absent would change the codec, so the
/// built-in `mpeg4` encoder is used: always present).
pub fn mp4(dir: &Path, name: &str, seconds: f64) -> PathBuf {
    let source = format!("testsrc=size=320x240:rate=25:duration={seconds}");
    ffmpeg(
        dir,
        name,
        &[
            "-f", "lavfi", "-i", &source, "-c:v", "mpeg4", "-pix_fmt", "yuv420p",
        ],
    )
}
