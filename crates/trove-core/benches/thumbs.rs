//! The thumbnailer's benchmark, with references run in the same process:
//! - a 24-megapixel JPEG (6000×4000, quality 90) to a 256 px thumbnail in-process, against
//!   `vipsthumbnail FILE -s 256` run as a process (target: at most 0.5× its time);
//! - 1,000 mixed images (JPEG, PNG, WebP, GIF, SVG of several sizes) on every core;
//! - 200 short WebM videos through ffmpeg: total time and this process's peak RSS with its
//!   children (target < 500 MB).
//!
//! `cargo bench -p trove-core --bench thumbs`; needs ffmpeg, and vipsthumbnail (libvips-tools)
//! for the reference.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use image::ImageEncoder;
use trove_core::thumbs::{render, Limits, GRID_SIDE};

fn ffmpeg(args: &[&str], out: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success(), "ffmpeg made no {}", out.display());
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// A 6000×4000 photo-like frame (a test card with grain), encoded at JPEG quality 90.
fn photo(dir: &Path) -> PathBuf {
    let raw = dir.join("photo.rgb");
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=6000x4000:rate=1,noise=alls=10:allf=t",
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
        ],
        &raw,
    );
    let pixels = std::fs::read(&raw).unwrap();
    let path = dir.join("photo-24mp.jpg");
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .write_image(&pixels, 6000, 4000, image::ExtendedColorType::Rgb8)
        .unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

fn against_vips(photo: &Path, dir: &Path) {
    let limits = Limits::default();
    render(photo, GRID_SIDE, &limits).unwrap(); // warm: file in the OS cache, fonts, code
    let ours = median(
        (0..9)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(render(photo, GRID_SIDE, &limits).unwrap());
                start.elapsed()
            })
            .collect(),
    );
    let out = dir.join("vips.jpg");
    let vips = median(
        (0..9)
            .map(|_| {
                let start = Instant::now();
                let status = Command::new("vipsthumbnail")
                    .arg(photo)
                    .args(["-s", "256", "-o"])
                    .arg(&out)
                    .status()
                    .expect("vipsthumbnail (apt install libvips-tools)");
                assert!(status.success());
                start.elapsed()
            })
            .collect(),
    );
    println!(
        "24 MP JPEG → 256 px: {:.1} ms in-process; vipsthumbnail {:.1} ms; ratio {:.2} (target ≤ 0.5)",
        ours.as_secs_f64() * 1e3,
        vips.as_secs_f64() * 1e3,
        ours.as_secs_f64() / vips.as_secs_f64()
    );
}

/// 1,000 images: 5 formats × 4 sizes, copied to 1,000 files.
fn mixed_images(dir: &Path) -> Vec<PathBuf> {
    let mut originals = Vec::new();
    for (i, size) in ["640x480", "1920x1080", "3000x2000", "400x400"]
        .iter()
        .enumerate()
    {
        for format in ["jpg", "png", "webp", "gif"] {
            let path = dir.join(format!("card-{i}.{format}"));
            let source = format!("testsrc2=size={size}:rate=1");
            ffmpeg(&["-f", "lavfi", "-i", &source, "-frames:v", "1"], &path);
            originals.push(path);
        }
        let svg = dir.join(format!("logo-{i}.svg"));
        std::fs::write(
            &svg,
            format!(r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{w}"><circle cx="50%" cy="50%" r="40%" fill="#3a6ff7"/><text x="10" y="40" font-size="30">Trove {i}</text></svg>"##, w = 100 * (i + 1)),
        )
        .unwrap();
        originals.push(svg);
    }
    (0..1000)
        .map(|n| {
            let original = &originals[n % originals.len()];
            let copy = dir.join(format!(
                "{n:04}-{}",
                original.file_name().unwrap().to_string_lossy()
            ));
            std::fs::copy(original, &copy).unwrap();
            copy
        })
        .collect()
}

/// Runs `render` over `files` on `workers` threads; returns the elapsed time.
fn render_all(files: &[PathBuf], workers: usize) -> Duration {
    let next = AtomicUsize::new(0);
    let limits = Limits::default();
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                render(file, GRID_SIDE, &limits).unwrap();
            });
        }
    });
    start.elapsed()
}

/// Peak resident memory of this process and of its waited-for children, in MB.
fn peak_rss_mb() -> (f64, f64) {
    let own = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap()
        / 1024.0;
    // getrusage(RUSAGE_CHILDREN) through /usr/bin/time is not available; ps of the largest child
    // is sampled by `largest_child_rss` instead.
    (own, 0.0)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let workers = cores.saturating_sub(1).max(1);
    against_vips(&photo(dir.path()), dir.path());

    let images = dir.path().join("images");
    std::fs::create_dir(&images).unwrap();
    let files = mixed_images(&images);
    let one = render_all(&files[..100], 1);
    let all = render_all(&files, cores);
    println!(
        "1,000 mixed images (JPEG, PNG, WebP, GIF, SVG; 0.16 to 6 MP): {:.2} s on {cores} threads \
         ({:.0} images/s; one thread did 100 in {:.2} s)",
        all.as_secs_f64(),
        1000.0 / all.as_secs_f64(),
        one.as_secs_f64()
    );

    let videos = dir.path().join("videos");
    std::fs::create_dir(&videos).unwrap();
    let clip = videos.join("clip.webm");
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=25:duration=4",
            "-c:v",
            "libvpx",
            "-deadline",
            "realtime",
            "-b:v",
            "2M",
        ],
        &clip,
    );
    let clips: Vec<PathBuf> = (0..200)
        .map(|n| {
            let copy = videos.join(format!("clip-{n:03}.webm"));
            std::fs::copy(&clip, &copy).unwrap();
            copy
        })
        .collect();
    let watcher = std::thread::spawn(largest_child_rss);
    let elapsed = render_all(&clips, workers);
    let child_peak = watcher.join().unwrap();
    let (own, _) = peak_rss_mb();
    println!(
        "200 WebM videos (720p, 4 s) through ffmpeg on {workers} worker(s): {:.1} s; peak RSS of \
         this process {own:.0} MB, of one ffmpeg {child_peak:.0} MB, so at most {:.0} MB at once \
         (target < 500 MB)",
        elapsed.as_secs_f64(),
        own + child_peak * workers as f64
    );
    drop(Stdio::null());
}

/// Samples the resident size of this process's ffmpeg children for a while; returns the largest.
fn largest_child_rss() -> f64 {
    let me = std::process::id().to_string();
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut largest = 0f64;
    let mut quiet = 0;
    while Instant::now() < deadline && quiet < 50 {
        let output = Command::new("ps")
            .args(["--ppid", &me, "-o", "rss=,comm="])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        let mut seen = false;
        for line in text.lines().filter(|l| l.contains("ffmpeg")) {
            seen = true;
            if let Some(kb) = line
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
            {
                largest = largest.max(kb / 1024.0);
            }
        }
        quiet = if seen { 0 } else { quiet + 1 };
        std::thread::sleep(Duration::from_millis(20));
    }
    largest
}
