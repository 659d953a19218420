//! The probe against real media made by ffmpeg: formats from bytes, displayed sizes, durations
//! where a bitrate guess would be wrong, and files cut short.

use std::path::{Path, PathBuf};

use trove_core::probe::{probe, Format, MediaInfo};
use trove_tests::media::{ffmpeg, turned};

fn probed(path: &Path) -> MediaInfo {
    probe(path).unwrap()
}

fn assert_duration(info: &MediaInfo, seconds: f64, tolerance: f64) {
    let found = info
        .duration_s
        .unwrap_or_else(|| panic!("no duration in {info:?}"));
    assert!(
        (found - seconds).abs() <= tolerance,
        "duration {found} s, expected {seconds} ± {tolerance}: {info:?}"
    );
}

/// The first `fraction` of a file, as a download cut short would leave it.
fn cut(path: &Path, fraction: f64) -> PathBuf {
    let bytes = std::fs::read(path).unwrap();
    let keep = (bytes.len() as f64 * fraction) as usize;
    let name = format!("cut-{}", path.file_name().unwrap().to_string_lossy());
    let target = path.with_file_name(name);
    std::fs::write(&target, &bytes[..keep]).unwrap();
    target
}

const TONE: &str = "sine=frequency=440:duration=3";
const PICTURE: &str = "testsrc=size=320x240:rate=25:duration=2";

#[test]
fn audio_durations_are_counted_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let wav = ffmpeg(dir.path(), "tone.wav", &["-f", "lavfi", "-i", TONE]);
    let info = probed(&wav);
    assert_eq!((info.format, info.broken.as_deref()), (Format::Wav, None));
    assert_duration(&info, 3.0, 0.001);

    let cbr = ffmpeg(
        dir.path(),
        "cbr.mp3",
        &[
            "-f",
            "lavfi",
            "-i",
            TONE,
            "-c:a",
            "libmp3lame",
            "-b:a",
            "128k",
        ],
    );
    assert_duration(&probed(&cbr), 3.0, 0.06);
    // VBR without a Xing header: a bitrate guess from the first frame would be far off.
    let vbr = ffmpeg(
        dir.path(),
        "vbr.mp3",
        &[
            "-f",
            "lavfi",
            "-i",
            "anoisesrc=d=1:c=pink,apad=pad_dur=2",
            "-c:a",
            "libmp3lame",
            "-q:a",
            "2",
            "-write_xing",
            "0",
        ],
    );
    let info = probed(&vbr);
    assert_eq!(info.format, Format::Mp3);
    assert_duration(&info, 3.0, 0.06);

    let adts = ffmpeg(
        dir.path(),
        "tone.aac",
        &["-f", "lavfi", "-i", TONE, "-c:a", "aac", "-f", "adts"],
    );
    let info = probed(&adts);
    assert_eq!(info.format, Format::Aac);
    assert_duration(&info, 3.0, 0.05);

    let cut_wav = probed(&cut(&wav, 0.5));
    assert!(
        cut_wav.broken.unwrap().contains("data chunk"),
        "a WAV whose data runs past the end is broken"
    );
}

#[test]
fn mp4_and_mov_durations_wherever_the_index_is() {
    let dir = tempfile::tempdir().unwrap();
    let moov_last = ffmpeg(
        dir.path(),
        "last.mp4",
        &[
            "-f", "lavfi", "-i", PICTURE, "-c:v", "libx264", "-pix_fmt", "yuv420p",
        ],
    );
    let info = probed(&moov_last);
    assert_eq!(
        (info.format, info.width, info.height, info.broken.as_deref()),
        (Format::Mp4, Some(320), Some(240), None)
    );
    assert_duration(&info, 2.0, 0.05);

    let fast_start = ffmpeg(
        dir.path(),
        "first.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            PICTURE,
            "-c:v",
            "libx264",
            "-movflags",
            "+faststart",
        ],
    );
    assert_duration(&probed(&fast_start), 2.0, 0.05);

    let fragmented = ffmpeg(
        dir.path(),
        "frag.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            PICTURE,
            "-c:v",
            "libx264",
            "-g",
            "25",
            "-movflags",
            "frag_keyframe+empty_moov",
        ],
    );
    let info = probed(&fragmented);
    assert_eq!(info.broken, None);
    assert_duration(&info, 2.0, 0.05);

    let mov = ffmpeg(
        dir.path(),
        "clip.mov",
        &["-f", "lavfi", "-i", PICTURE, "-c:v", "mpeg4"],
    );
    assert_eq!(probed(&mov).format, Format::Mov);

    let truncated = probed(&cut(&moov_last, 0.6));
    assert!(
        truncated.broken.is_some(),
        "an MP4 cut inside its mdat is broken: {truncated:?}"
    );
}

#[test]
fn a_rotated_phone_video_is_displayed_upright() {
    let dir = tempfile::tempdir().unwrap();
    let landscape = ffmpeg(
        dir.path(),
        "raw.mp4",
        &["-f", "lavfi", "-i", PICTURE, "-c:v", "libx264"],
    );
    let rotated = turned(&landscape, "portrait.mp4", 90);
    let info = probed(&rotated);
    assert_eq!(
        (info.stored_width, info.stored_height),
        (Some(320), Some(240))
    );
    assert_eq!(
        (info.width, info.height),
        (Some(240), Some(320)),
        "{info:?}"
    );
    assert!(info.rotation == 90 || info.rotation == 270, "{info:?}");
}

#[test]
fn webm_with_and_without_a_duration() {
    let dir = tempfile::tempdir().unwrap();
    let webm = ffmpeg(
        dir.path(),
        "clip.webm",
        &[
            "-f", "lavfi", "-i", PICTURE, "-c:v", "libvpx", "-b:v", "200k",
        ],
    );
    let info = probed(&webm);
    assert_eq!(
        (info.format, info.width, info.height, info.broken.as_deref()),
        (Format::Webm, Some(320), Some(240), None)
    );
    assert_duration(&info, 2.0, 0.05);

    // Written to a pipe, as a live recorder writes: no Duration, clusters of unknown size.
    let output = std::process::Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            PICTURE,
            "-c:v",
            "libvpx",
            "-b:v",
            "200k",
            "-f",
            "webm",
            "-",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let live = dir.path().join("live.webm");
    std::fs::write(&live, &output.stdout).unwrap();
    let info = probed(&live);
    assert_eq!(info.broken, None);
    assert_duration(&info, 2.0, 0.05);

    let truncated = probed(&cut(&webm, 0.5));
    assert!(truncated.broken.unwrap().contains("cut short"));
}

#[test]
fn broken_and_mislabelled_images_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let jpeg = ffmpeg(
        dir.path(),
        "photo.jpg",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x480:rate=1",
            "-frames:v",
            "1",
        ],
    );
    let info = probed(&jpeg);
    assert_eq!(
        (info.format, info.width, info.height, info.broken.as_deref()),
        (Format::Jpeg, Some(640), Some(480), None)
    );
    assert!(probed(&cut(&jpeg, 0.7))
        .broken
        .unwrap()
        .contains("end marker"));

    let png = ffmpeg(
        dir.path(),
        "shot.png",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48:rate=1",
            "-frames:v",
            "1",
        ],
    );
    let misnamed = dir.path().join("shot-really.jpg");
    std::fs::copy(&png, &misnamed).unwrap();
    assert_eq!(probed(&misnamed).format, Format::Png);
    assert!(probed(&cut(&png, 0.8)).broken.unwrap().contains("IEND"));

    let text = dir.path().join("notes.mp4");
    std::fs::write(&text, "meeting notes, not a video").unwrap();
    assert_eq!(probed(&text).format, Format::Unknown);
    let noise = dir.path().join("noise.wav");
    std::fs::write(
        &noise,
        (0..50_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert_eq!(probed(&noise).format, Format::Unknown);
}
