//! The probe's benchmark, against ffprobe in the same run:
//! - the median time to probe each file of a corpus made here by ffmpeg, in-process, against the
//!   median time of an `ffprobe -show_format -show_streams` process on the same file
//!   (target: ≥ 100× faster);
//! - the time to probe a 200 MB video against a 2 MB one (target: the same within noise, since
//!   only headers and indexes are read).
//!
//! Run with `cargo bench -p trove-core --bench probe`; needs ffmpeg and ffprobe. Files are read
//! warm (from the OS cache) by both sides, after one untimed read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use trove_core::probe::probe;

const PROBE_ROUNDS: usize = 200;
const FFPROBE_ROUNDS: usize = 9;

fn ffmpeg(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .arg(&path)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made no {name}");
    path
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time_probe(path: &Path, rounds: usize) -> Duration {
    median(
        (0..rounds)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(probe(path).unwrap());
                start.elapsed()
            })
            .collect(),
    )
}

fn time_ffprobe(path: &Path) -> Duration {
    median(
        (0..FFPROBE_ROUNDS)
            .map(|_| {
                let start = Instant::now();
                let status = Command::new("ffprobe")
                    .args(["-v", "error", "-show_format", "-show_streams"])
                    .arg(path)
                    .stdout(Stdio::null())
                    .status()
                    .unwrap();
                assert!(status.success());
                start.elapsed()
            })
            .collect(),
    )
}

fn corpus(dir: &Path) -> Vec<PathBuf> {
    let picture = "testsrc2=size=1280x720:rate=30:duration=10";
    let tone = "sine=frequency=440:duration=30";
    let photo = "testsrc2=size=4000x3000:rate=1";
    let lavfi = |source| ["-f", "lavfi", "-i", source];
    let with = |source, extra: &[&'static str]| -> Vec<&'static str> {
        let mut args = lavfi(source).to_vec();
        args.extend_from_slice(extra);
        args
    };
    let files: [(&str, Vec<&str>); 13] = [
        ("photo.jpg", with(photo, &["-frames:v", "1", "-q:v", "3"])),
        ("photo.png", with(photo, &["-frames:v", "1"])),
        ("photo.webp", with(photo, &["-frames:v", "1"])),
        (
            "clip.mp4",
            with(picture, &["-c:v", "libx264", "-preset", "ultrafast"]),
        ),
        ("clip.mov", with(picture, &["-c:v", "mpeg4"])),
        (
            "clip.webm",
            with(picture, &["-c:v", "libvpx", "-deadline", "realtime"]),
        ),
        (
            "frag.mp4",
            with(
                picture,
                &[
                    "-c:v",
                    "libx264",
                    "-preset",
                    "ultrafast",
                    "-movflags",
                    "frag_keyframe+empty_moov",
                ],
            ),
        ),
        ("tone.mp3", with(tone, &["-c:a", "libmp3lame"])),
        (
            "vbr.mp3",
            with(
                tone,
                &["-c:a", "libmp3lame", "-q:a", "2", "-write_xing", "0"],
            ),
        ),
        ("tone.wav", with(tone, &[])),
        ("tone.aac", with(tone, &["-c:a", "aac", "-f", "adts"])),
        ("tone.m4a", with(tone, &["-c:a", "aac"])),
        ("tone.flac", with(tone, &["-c:a", "flac"])),
    ];
    files
        .iter()
        .map(|(name, args)| ffmpeg(dir, name, args))
        .collect()
}

/// A real 720p H.264 video at 8 Mbit/s lasting `seconds`: 2 s make 2 MB, 200 s make 200 MB (and a
/// hundred times the frames in its index).
fn video_of(dir: &Path, name: &str, seconds: u32) -> PathBuf {
    let seconds = seconds.to_string();
    let path = ffmpeg(
        dir,
        name,
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=30,noise=alls=20:allf=t",
            "-t",
            &seconds,
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-b:v",
            "8M",
            "-maxrate",
            "8M",
            "-bufsize",
            "16M",
        ],
    );
    std::fs::read(&path).unwrap(); // into the OS cache, as for every other file
    path
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let files = corpus(dir.path());
    println!(
        "{:<12} {:>12} {:>12} {:>10}",
        "file", "probe", "ffprobe", "ratio"
    );
    let mut ratios = Vec::new();
    let mut probe_times = Vec::new();
    for path in &files {
        std::fs::read(path).unwrap();
        let ours = time_probe(path, PROBE_ROUNDS);
        let theirs = time_ffprobe(path);
        let ratio = theirs.as_secs_f64() / ours.as_secs_f64();
        ratios.push(ratio);
        probe_times.push(ours);
        println!(
            "{:<12} {:>9.1} µs {:>9.1} ms {:>9.0}×",
            path.file_name().unwrap().to_string_lossy(),
            ours.as_secs_f64() * 1e6,
            theirs.as_secs_f64() * 1e3,
            ratio
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "median per-file probe {:.1} µs; median ratio ffprobe/probe {:.0}× (worst {:.0}×; target ≥ 100×)",
        median(probe_times).as_secs_f64() * 1e6,
        ratios[ratios.len() / 2],
        ratios[0]
    );

    let small = video_of(dir.path(), "small.mp4", 2);
    let large = video_of(dir.path(), "large.mp4", 200);
    let frames = |p: &Path| {
        let output = Command::new("ffprobe")
            .args(["-v", "error", "-select_streams", "v", "-count_packets"])
            .args(["-show_entries", "stream=nb_read_packets", "-of", "csv=p=0"])
            .arg(p)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    println!("frames: {} and {}", frames(&small), frames(&large));
    let size = |p: &Path| std::fs::metadata(p).unwrap().len() as f64 / 1e6;
    let (small_time, large_time) = (time_probe(&small, 500), time_probe(&large, 500));
    println!(
        "video {:.1} MB: {:.1} µs; {:.1} MB: {:.1} µs; ratio {:.2} (target: the same within noise)",
        size(&small),
        small_time.as_secs_f64() * 1e6,
        size(&large),
        large_time.as_secs_f64() * 1e6,
        large_time.as_secs_f64() / small_time.as_secs_f64()
    );
}
