use std::path::{Path, PathBuf};

use super::*;

fn media(format: Format, size: u64) -> MediaInfo {
    MediaInfo {
        format,
        kind: format.kind(),
        size,
        width: None,
        height: None,
        stored_width: None,
        stored_height: None,
        rotation: 0,
        duration_s: None,
        video_codec: None,
        audio_codec: None,
        broken: None,
    }
}

fn sized(mut info: MediaInfo, width: u32, height: u32) -> MediaInfo {
    (info.width, info.height) = (Some(width), Some(height));
    (info.stored_width, info.stored_height) = (Some(width), Some(height));
    info
}

fn lasting(mut info: MediaInfo, seconds: f64) -> MediaInfo {
    info.duration_s = Some(seconds);
    info
}

fn codes(path: &str, info: MediaInfo, provider: &str) -> Vec<ProblemCode> {
    problems(path, info, provider)
        .into_iter()
        .map(|p| p.code)
        .collect()
}

fn problems(path: &str, info: MediaInfo, provider: &str) -> Vec<Problem> {
    let rules = for_provider(provider).unwrap();
    check(Path::new(path), &Ok(info), rules)
}

#[test]
fn a_file_within_every_limit_has_no_problem() {
    let photo = sized(media(Format::Png, 24_680), 512, 512);
    assert_eq!(codes("/in/logo.png", photo, "local"), []);
    let clip = lasting(sized(media(Format::Mp4, 10 << 20), 1920, 1080), 30.5);
    assert_eq!(codes("/in/clip.mp4", clip, "twelvelabs"), []);
}

#[test]
fn an_oversized_file_names_the_file_the_limit_and_the_size() {
    let big = sized(media(Format::Png, 13_002_342), 4000, 3000);
    let found = problems("/in/poster.png", big, "local");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, ProblemCode::MediaFilesizeTooLarge);
    let message = &found[0].message;
    for part in [
        "/in/poster.png",
        "12.4 MiB (13,002,342 bytes)",
        "10 MiB",
        "image",
    ] {
        assert!(message.contains(part), "{message:?} lacks {part:?}");
    }
}

#[test]
fn a_decompression_bomb_is_refused_by_its_header() {
    let bomb = sized(media(Format::Png, 48_000), 20_000, 20_000);
    let found = problems("/in/bomb.png", bomb, "local");
    assert_eq!(found[0].code, ProblemCode::ImageDimensionsTooLarge);
    assert!(found[0].message.contains("20000×20000"), "{found:?}");
    assert!(found[0].message.contains("400 megapixels"), "{found:?}");
}

#[test]
fn twelvelabs_bounds_on_resolution_and_duration() {
    let short = lasting(sized(media(Format::Mp4, 1 << 20), 1280, 720), 3.0);
    assert_eq!(
        codes("/in/short.mp4", short, "twelvelabs"),
        [ProblemCode::VideoDurationTooShort]
    );
    let long = lasting(sized(media(Format::Mov, 1 << 20), 1280, 720), 3.0 * 3600.0);
    let found = problems("/in/long.mov", long, "twelvelabs");
    assert_eq!(found[0].code, ProblemCode::VideoDurationTooLong);
    assert!(found[0].message.contains("10800.00 s") && found[0].message.contains("7200 s"));
    let tiny = lasting(sized(media(Format::Webm, 1 << 20), 320, 240), 10.0);
    assert_eq!(
        codes("/in/tiny.webm", tiny, "twelvelabs"),
        [ProblemCode::VideoResolutionTooLow]
    );
    // A portrait 4K video fits a 3840×2160 bound turned on its side.
    let portrait = lasting(sized(media(Format::Mp4, 1 << 20), 2160, 3840), 10.0);
    assert_eq!(codes("/in/portrait.mp4", portrait, "twelvelabs"), []);
    let wide = lasting(sized(media(Format::Mp4, 1 << 20), 4096, 2160), 10.0);
    assert_eq!(
        codes("/in/dci.mp4", wide, "twelvelabs"),
        [ProblemCode::VideoResolutionTooHigh]
    );
    let thumb = sized(media(Format::Jpeg, 4_000), 100, 100);
    let found = problems("/in/thumb.jpg", thumb, "twelvelabs");
    assert_eq!(found[0].code, ProblemCode::ImageDimensionsTooSmall);
    assert!(found[0].message.contains("100×100") && found[0].message.contains("128×128"));
}

#[test]
fn formats_a_provider_does_not_take_are_listed_with_what_it_does() {
    let flac = lasting(media(Format::Flac, 1 << 20), 60.0);
    let found = problems("/in/take.flac", flac.clone(), "local");
    assert_eq!(found[0].code, ProblemCode::AudioFormatUnsupported);
    assert!(
        found[0].message.contains("mp3, wav, aac"),
        "{:?}",
        found[0].message
    );
    assert_eq!(codes("/in/take.flac", flac, "syncso"), []);
    let gif = sized(media(Format::Gif, 1 << 10), 400, 400);
    assert_eq!(
        codes("/in/loop.gif", gif, "twelvelabs"),
        [ProblemCode::ImageFormatUnsupported]
    );
}

#[test]
fn an_api_without_file_uploads_refuses_every_file() {
    let photo = sized(media(Format::Jpeg, 1 << 10), 640, 480);
    let found = problems("/in/photo.jpg", photo, "assets-v1");
    assert_eq!(found[0].code, ProblemCode::UploadsUnsupported);
    assert!(found[0].message.contains("coming soon"));
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut cut = lasting(sized(media(Format::Mp4, 300 << 20), 1920, 1080), 12.0);
    cut.broken = Some("the file is cut short".to_owned());
    assert_eq!(
        codes("/in/clip.mov.jpg", cut, "local"),
        [
            ProblemCode::FormatExtensionMismatch,
            ProblemCode::VideoFileBroken,
            ProblemCode::MediaFilesizeTooLarge
        ]
    );
}

#[test]
fn unreadable_empty_and_unknown_files() {
    let rules = &LOCAL;
    let empty = Err(ProbeError::Empty {
        path: PathBuf::from("/in/empty.mp4"),
    });
    let found = check(Path::new("/in/empty.mp4"), &empty, rules);
    assert_eq!(found[0].code, ProblemCode::FileEmpty);
    assert!(found[0].message.contains("/in/empty.mp4"));
    let text = media(Format::Unknown, 30);
    assert_eq!(
        codes("/in/notes.mp4", text, "local"),
        [ProblemCode::FormatUnrecognized]
    );
}

#[test]
fn codes_are_spelled_the_same_in_json_and_in_words() {
    for code in [
        ProblemCode::MediaFilesizeTooLarge,
        ProblemCode::VideoDurationTooLong,
        ProblemCode::FormatExtensionMismatch,
        ProblemCode::ImageDimensionsTooSmall,
    ] {
        let json = serde_json::to_value(code).unwrap();
        assert_eq!(json, code.as_str());
    }
    assert_eq!(provider_keys().count(), 6);
    assert!(provider_keys().all(|key| for_provider(key).is_some()));
    assert_eq!(for_provider("nope"), None);
}

#[test]
fn sizes_read_in_both_units() {
    assert_eq!(bytes_in_words(512), "512 bytes");
    assert_eq!(bytes_in_words(10 << 20), "10 MiB (10,485,760 bytes)");
    assert_eq!(bytes_in_words(1_536), "1.5 KiB (1,536 bytes)");
}
