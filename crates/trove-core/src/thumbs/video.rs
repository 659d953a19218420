//! A representative video frame, from the system's ffmpeg (found on the PATH when needed, not at
//! build time): a tenth of the way in, past fades from black, scaled by ffmpeg, which also applies
//! the video's rotation. One thread per ffmpeg and a timeout, so a broken or hostile file cannot
//! hold a worker or the machine.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Limits, ThumbError, Thumbnail};

/// The ffmpeg executable on the PATH, if there is one.
pub fn find_ffmpeg() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("ffmpeg"))
        .find(|candidate| candidate.is_file())
}

pub(super) fn frame(
    path: &Path,
    side: u32,
    duration_s: Option<f64>,
    limits: &Limits,
) -> Result<Thumbnail, ThumbError> {
    frame_of(path.as_os_str(), path, side, duration_s, limits)
}

/// A frame of the video at an HTTP(S) URL: ffmpeg reads only the ranges it needs (the index and
/// one keyframe), and may open nothing but files and HTTP, so a playlist cannot point it at
/// another protocol.
pub fn frame_from_url(
    url: &str,
    side: u32,
    duration_s: Option<f64>,
    limits: &Limits,
) -> Result<Thumbnail, ThumbError> {
    frame_of(
        std::ffi::OsStr::new(url),
        Path::new(url),
        side,
        duration_s,
        limits,
    )
}

/// `input` as ffmpeg reads it; `shown` as errors name it.
fn frame_of(
    input: &std::ffi::OsStr,
    shown: &Path,
    side: u32,
    duration_s: Option<f64>,
    limits: &Limits,
) -> Result<Thumbnail, ThumbError> {
    let ffmpeg = find_ffmpeg().ok_or(ThumbError::NoFfmpeg)?;
    let at = duration_s.map_or(0.0, |d| (d * 0.1).max(0.0));
    match grab(&ffmpeg, input, shown, side, at, limits) {
        // A duration that lies can put the seek past the end: the first frame will do.
        Err(ThumbError::Ffmpeg { .. }) if at > 0.0 => {
            grab(&ffmpeg, input, shown, side, 0.0, limits)
        }
        other => other,
    }
}

fn grab(
    ffmpeg: &Path,
    input: &std::ffi::OsStr,
    path: &Path,
    side: u32,
    at: f64,
    limits: &Limits,
) -> Result<Thumbnail, ThumbError> {
    let scale =
        format!("scale={side}:{side}:force_original_aspect_ratio=decrease:force_divisible_by=2");
    let mut child = Command::new(ffmpeg)
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin",
            "-threads",
            "1",
        ])
        .args(["-protocol_whitelist", "file,http,https,tcp,tls"])
        .args(["-ss", &format!("{at:.3}")])
        .arg("-i")
        .arg(input)
        .args(["-frames:v", "1", "-an", "-sn", "-vf", &scale])
        .args(["-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "4", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|cause| ThumbError::Read {
            path: ffmpeg.to_owned(),
            cause,
        })?;
    // Both pipes are drained on threads of their own, so a chatty ffmpeg never blocks on them.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + limits.ffmpeg_timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ThumbError::TimedOut {
                    path: path.to_owned(),
                    seconds: limits.ffmpeg_timeout.as_secs(),
                });
            }
        }
    };
    let bytes = stdout.join().unwrap_or_default();
    let errors = String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned();
    let size = imagesize::blob_size(&bytes).ok();
    match size {
        Some(size) if status.success() => Ok(Thumbnail {
            width: size.width as u32,
            height: size.height as u32,
            mime: "image/jpeg",
            bytes,
        }),
        _ => Err(ThumbError::Ffmpeg {
            path: path.to_owned(),
            detail: errors
                .lines()
                .last()
                .unwrap_or("it wrote no picture")
                .to_owned(),
        }),
    }
}
