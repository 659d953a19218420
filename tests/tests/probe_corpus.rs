//! The probe against a corpus made here by ffmpeg, checked against ffprobe where ffprobe is right:
//! codec names, sizes and durations, encoder priming and edit lists, EXIF orientation, HEIC, and a
//! decompression bomb reported from its header.

use std::path::{Path, PathBuf};

use serde_json::Value;
use trove_core::probe::{probe, Format, MediaInfo};
use trove_core::rules::{check, ProblemCode, LOCAL};
use trove_tests::media::{bomb_png, ffmpeg, ffprobe, jpeg, with_exif_orientation};

const PICTURE: &str = "testsrc=size=320x240:rate=25:duration=2";
const TONE: &str = "sine=frequency=440:duration=3";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn stream<'a>(report: &'a Value, codec_type: &str) -> Option<&'a Value> {
    report["streams"]
        .as_array()?
        .iter()
        .find(|s| s["codec_type"] == codec_type)
}

/// The probe agrees with ffprobe on the codecs, the picture size and (within `tolerance`) the
/// duration; returns what the probe found.
fn agrees_with_ffprobe(path: &Path, tolerance: f64) -> MediaInfo {
    let info = probe(path).unwrap();
    let reference = ffprobe(path);
    assert_eq!(info.broken, None, "{}: {info:?}", path.display());
    let codec = |kind| stream(&reference, kind).and_then(|s| s["codec_name"].as_str());
    assert_eq!(info.video_codec.as_deref(), codec("video"), "{info:?}");
    assert_eq!(info.audio_codec.as_deref(), codec("audio"), "{info:?}");
    if let Some(video) = stream(&reference, "video") {
        let side = |key: &str| video[key].as_u64().map(|n| n as u32);
        assert_eq!(
            (info.stored_width, info.stored_height),
            (side("width"), side("height"))
        );
    }
    let expected: f64 = reference["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("ffprobe gave no duration for {}", path.display()));
    let found = info
        .duration_s
        .unwrap_or_else(|| panic!("no duration: {info:?}"));
    assert!(
        (found - expected).abs() <= tolerance,
        "{}: {found} s against ffprobe's {expected} s",
        path.display()
    );
    info
}

#[test]
fn containers_and_codecs_match_ffprobe() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path();
    let with_sound = |name: &str, video: &str, audio: &str| {
        ffmpeg(
            at,
            name,
            &[
                "-f",
                "lavfi",
                "-i",
                PICTURE,
                "-f",
                "lavfi",
                "-i",
                TONE,
                "-c:v",
                video,
                "-c:a",
                audio,
                "-shortest",
            ],
        )
    };
    let mp4 = agrees_with_ffprobe(&with_sound("h264.mp4", "libx264", "aac"), 0.05);
    assert_eq!(mp4.format, Format::Mp4);
    let webm = agrees_with_ffprobe(&with_sound("vp9.webm", "libvpx-vp9", "libopus"), 0.05);
    assert_eq!(webm.format, Format::Webm);
    let mkv = agrees_with_ffprobe(&with_sound("h264.mkv", "libx264", "flac"), 0.05);
    assert_eq!(mkv.format, Format::Mkv);
    let hevc = ffmpeg(
        at,
        "hevc.mov",
        &[
            "-f", "lavfi", "-i", PICTURE, "-c:v", "libx265", "-tag:v", "hvc1",
        ],
    );
    assert_eq!(agrees_with_ffprobe(&hevc, 0.05).format, Format::Mov);
    let fragmented = ffmpeg(
        at,
        "fragmented.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            PICTURE,
            "-c:v",
            "libx264",
            "-movflags",
            "frag_keyframe+empty_moov+default_base_moof",
        ],
    );
    agrees_with_ffprobe(&fragmented, 0.05);

    // Sound alone in an MP4 is audio, though the brand is the video one.
    let sound_only = ffmpeg(at, "voice.mp4", &["-f", "lavfi", "-i", TONE, "-c:a", "aac"]);
    let info = agrees_with_ffprobe(&sound_only, 0.05);
    assert_eq!((info.format, info.kind.as_str()), (Format::M4a, "audio"));

    for (name, codec, format) in [
        ("tone.wav", "pcm_s16le", Format::Wav),
        ("tone.flac", "flac", Format::Flac),
        ("tone.m4a", "aac", Format::M4a),
    ] {
        let path = ffmpeg(at, name, &["-f", "lavfi", "-i", TONE]);
        let info = agrees_with_ffprobe(&path, 0.05);
        assert_eq!(
            (info.format, info.audio_codec.as_deref()),
            (format, Some(codec))
        );
    }
}

/// Encoders add silence before the sound (AAC priming, MP3 encoder delay) that players drop: an
/// M4A's edit list and an MP3's LAME header say how much, and the probe takes it off.
#[test]
fn priming_and_padding_are_not_counted() {
    let dir = tempfile::tempdir().unwrap();
    let m4a = ffmpeg(
        dir.path(),
        "primed.m4a",
        &["-f", "lavfi", "-i", TONE, "-c:a", "aac"],
    );
    let info = probe(&m4a).unwrap();
    assert!((info.duration_s.unwrap() - 3.0).abs() <= 0.05, "{info:?}");
    let mp3 = ffmpeg(
        dir.path(),
        "lame.mp3",
        &[
            "-f",
            "lavfi",
            "-i",
            TONE,
            "-c:a",
            "libmp3lame",
            "-b:a",
            "160k",
        ],
    );
    let info = probe(&mp3).unwrap();
    assert_eq!(info.audio_codec.as_deref(), Some("mp3"));
    // ffprobe counts the encoder's padding (3.03 s here); the sound is 3 s.
    assert!((info.duration_s.unwrap() - 3.0).abs() <= 0.01, "{info:?}");
}

#[test]
fn an_exif_oriented_photo_is_displayed_upright() {
    let dir = tempfile::tempdir().unwrap();
    let photo = jpeg(dir.path(), "photo.jpg", 640, 480);
    for (orientation, rotation, displayed) in [
        (1, 0, (640, 480)),
        (3, 180, (640, 480)),
        (6, 90, (480, 640)),
        (8, 270, (480, 640)),
    ] {
        let oriented = with_exif_orientation(&photo, orientation);
        let info = probe(&oriented).unwrap();
        assert_eq!(info.broken, None);
        assert_eq!(info.rotation, rotation, "orientation {orientation}");
        assert_eq!(
            (info.width, info.height),
            (Some(displayed.0), Some(displayed.1))
        );
        assert_eq!(
            (info.stored_width, info.stored_height),
            (Some(640), Some(480))
        );
    }
}

#[test]
fn heic_photos_are_recognised_and_measured() {
    // Made by libheif's heif-enc from a 96×64 test card (ffmpeg cannot write HEIF).
    let path = fixture("card-96x64.heic");
    let info = probe(&path).unwrap();
    assert_eq!((info.format, info.broken.as_deref()), (Format::Heic, None));
    assert_eq!((info.width, info.height), (Some(96), Some(64)));
    let problems = check(&path, &Ok(info), &LOCAL);
    assert_eq!(problems[0].code, ProblemCode::ImageFormatUnsupported);
}

#[test]
fn a_decompression_bomb_is_reported_from_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = bomb_png(dir.path(), "bomb.png", 20_000, 20_000);
    let size = std::fs::metadata(&bomb).unwrap().len();
    assert!(size < 100_000, "the bomb is small on disk: {size} bytes");
    let probed = probe(&bomb);
    let info = probed.as_ref().unwrap();
    assert_eq!(
        (info.format, info.width, info.height, info.broken.as_deref()),
        (Format::Png, Some(20_000), Some(20_000), None)
    );
    let problems = check(&bomb, &probed, &LOCAL);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].code, ProblemCode::ImageDimensionsTooLarge);
    assert!(problems[0].message.contains("bomb.png"), "{problems:?}");
}
