//! Thumbnails of real media made by ffmpeg: every kind, upright whatever the file's orientation,
//! transparency kept, CMYK and 16-bit and palette pictures right, and hostile files refused or
//! stopped, never decoded without bound.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use trove_core::thumbs::{render, Limits, ThumbError, Thumbnail, GRID_SIDE};
use trove_tests::media::{bomb_png, ffmpeg, turned, with_exif_orientation};

fn thumb(path: &Path) -> Thumbnail {
    render(path, GRID_SIDE, &Limits::default())
        .unwrap_or_else(|e| panic!("no thumbnail for {}: {e}", path.display()))
}

fn pixels(thumb: &Thumbnail) -> image::RgbaImage {
    image::load_from_memory(&thumb.bytes).unwrap().into_rgba8()
}

/// The colour at a fraction of the thumbnail's width and height.
fn colour_at(thumb: &Thumbnail, fx: f32, fy: f32) -> [u8; 4] {
    let picture = pixels(thumb);
    let x = ((picture.width() as f32 * fx) as u32).min(picture.width() - 1);
    let y = ((picture.height() as f32 * fy) as u32).min(picture.height() - 1);
    picture.get_pixel(x, y).0
}

fn is_red(c: [u8; 4]) -> bool {
    c[0] > 180 && c[1] < 80 && c[2] < 80
}

fn is_blue(c: [u8; 4]) -> bool {
    c[2] > 180 && c[0] < 80 && c[1] < 80
}

/// A picture red in its top half and blue in its bottom half, `width`×`height`.
fn red_over_blue(dir: &Path, name: &str, width: u32, height: u32, extra: &[&str]) -> PathBuf {
    let half = format!("{width}x{}", height / 2);
    let mut args = vec![
        "-f".to_owned(),
        "lavfi".to_owned(),
        "-i".to_owned(),
        format!("color=c=red:s={half}"),
        "-f".to_owned(),
        "lavfi".to_owned(),
        "-i".to_owned(),
        format!("color=c=blue:s={half}"),
        "-filter_complex".to_owned(),
        "vstack".to_owned(),
        "-frames:v".to_owned(),
        "1".to_owned(),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ffmpeg(dir, name, &args)
}

#[test]
fn photos_are_upright_whatever_their_orientation() {
    let dir = tempfile::tempdir().unwrap();
    let photo = red_over_blue(dir.path(), "photo.jpg", 1600, 1200, &["-q:v", "3"]);
    let plain = thumb(&photo);
    assert_eq!(
        (plain.width, plain.height, plain.mime),
        (256, 192, "image/jpeg")
    );
    assert!(is_red(colour_at(&plain, 0.5, 0.2)) && is_blue(colour_at(&plain, 0.5, 0.8)));
    // Orientation 6: shown turned a quarter clockwise, so the top (red) is on the right.
    let turned = thumb(&with_exif_orientation(&photo, 6));
    assert_eq!((turned.width, turned.height), (192, 256));
    assert!(
        is_red(colour_at(&turned, 0.8, 0.5)),
        "{:?}",
        colour_at(&turned, 0.8, 0.5)
    );
    assert!(is_blue(colour_at(&turned, 0.2, 0.5)));
    // Orientation 3: upside down, so red is at the bottom.
    let flipped = thumb(&with_exif_orientation(&photo, 3));
    assert!(is_red(colour_at(&flipped, 0.5, 0.8)));
}

#[test]
fn a_phone_video_is_upright_and_its_frame_is_representative() {
    let dir = tempfile::tempdir().unwrap();
    let landscape = red_over_blue(dir.path(), "raw.mp4", 640, 360, &["-c:v", "libx264"]);
    let portrait = turned(&landscape, "portrait.mp4", 90);
    let shown = thumb(&portrait);
    assert!(
        shown.height > shown.width,
        "{}×{}",
        shown.width,
        shown.height
    );
    let webm = ffmpeg(
        dir.path(),
        "clip.webm",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=25:duration=3",
            "-c:v",
            "libvpx",
        ],
    );
    let frame = thumb(&webm);
    assert_eq!((frame.width, frame.height), (256, 144));
}

#[test]
fn transparency_depth_palette_cmyk_and_animation() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path();
    let logo = ffmpeg(
        at,
        "logo.png",
        &[
            "-f",
            "lavfi",
            "-i",
            "color=c=red@0.5:s=400x200,format=rgba",
            "-frames:v",
            "1",
        ],
    );
    let shown = thumb(&logo);
    assert_eq!(shown.mime, "image/png", "transparency is kept");
    let alpha = colour_at(&shown, 0.5, 0.5)[3];
    assert!((100..160).contains(&alpha), "half transparent: {alpha}");
    for (name, pix_fmt) in [("deep.png", "rgb48be"), ("palette.png", "pal8")] {
        let path = red_over_blue(at, name, 300, 300, &["-pix_fmt", pix_fmt]);
        let shown = thumb(&path);
        assert!(is_red(colour_at(&shown, 0.5, 0.2)), "{name}");
        assert!(is_blue(colour_at(&shown, 0.5, 0.8)), "{name}");
    }
    // CMYK as print work is saved: pure cyan ink is cyan on screen.
    let cmyk = at.join("print.jpg");
    let cyan: Vec<u8> = std::iter::repeat_n([255u8, 0, 0, 0], 64 * 64)
        .flatten()
        .collect();
    jpeg_encoder::Encoder::new_file(&cmyk, 90)
        .unwrap()
        .encode(&cyan, 64, 64, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    let [r, g, b, _] = colour_at(&thumb(&cmyk), 0.5, 0.5);
    assert!(r < 60 && g > 200 && b > 200, "cyan is {r},{g},{b}");
    // An animation shows its first frame.
    let animated = ffmpeg(
        at,
        "loop.gif",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=200x100:rate=5:duration=1",
        ],
    );
    assert_eq!(
        (thumb(&animated).width, thumb(&animated).height),
        (200, 100)
    );
    let webp = ffmpeg(
        at,
        "loop.webp",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x160:rate=5:duration=1",
            "-loop",
            "0",
        ],
    );
    assert_eq!(thumb(&webp).width, 256);
}

#[test]
fn svg_is_drawn_without_reaching_out_and_audio_becomes_a_waveform() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("logo.svg");
    std::fs::write(
        &svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="2in" height="1in">
            <rect width="100%" height="100%" fill="red"/>
            <image href="http://10.255.255.1/tracker.png" width="50" height="50"/>
            <image xlink:href="file:///etc/passwd" width="50" height="50"/>
        </svg>"#,
    )
    .unwrap();
    let started = Instant::now();
    let drawn = thumb(&svg);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "nothing was fetched"
    );
    assert_eq!((drawn.width, drawn.height), (256, 128));
    assert!(is_red(colour_at(&drawn, 0.1, 0.1)));

    let tone = ffmpeg(
        dir.path(),
        "tone.mp3",
        &[
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=2",
            "-c:a",
            "libmp3lame",
        ],
    );
    let wave = thumb(&tone);
    assert_eq!(
        (wave.width, wave.height, wave.mime),
        (256, 128, "image/png")
    );
    // Sound in the middle row, nothing at the top edge.
    assert_eq!(colour_at(&wave, 0.5, 0.5)[3], 255);
    assert_eq!(colour_at(&wave, 0.5, 0.02)[3], 0);
}

#[test]
fn hostile_files_are_refused_or_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = bomb_png(dir.path(), "bomb.png", 20_000, 20_000);
    let started = Instant::now();
    let refused = render(&bomb, GRID_SIDE, &Limits::default());
    assert!(
        matches!(
            refused,
            Err(ThumbError::TooManyPixels {
                pixels: 400_000_000,
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "refused before decoding"
    );

    let clip = ffmpeg(
        dir.path(),
        "clip.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=25:duration=2",
            "-c:v",
            "libx264",
        ],
    );
    let bytes = std::fs::read(&clip).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let started = Instant::now();
    let _ = render(&cut, GRID_SIDE, &Limits::default()); // a frame or an error, promptly
    assert!(started.elapsed() < Duration::from_secs(20));

    // A file ffmpeg chews on for longer than allowed is stopped at the limit.
    let tight = Limits {
        ffmpeg_timeout: Duration::from_millis(1),
        ..Limits::default()
    };
    assert!(matches!(
        render(&clip, GRID_SIDE, &tight),
        Err(ThumbError::TimedOut { .. })
    ));

    let text = dir.path().join("notes.mp4");
    std::fs::write(&text, "not a video").unwrap();
    assert!(matches!(
        render(&text, GRID_SIDE, &Limits::default()),
        Err(ThumbError::Unsupported { .. })
    ));
}
