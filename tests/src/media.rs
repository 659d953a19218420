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

/// A copy of the video at `path` whose track says to show it turned `degrees` clockwise, as a
/// phone records portrait video (the pixels are not touched).
pub fn turned(path: &Path, name: &str, degrees: u16) -> PathBuf {
    let dir = path.parent().expect("a file in a folder");
    let rotate = format!("rotate={degrees}");
    let source = path.to_str().expect("a UTF-8 path");
    ffmpeg(
        dir,
        name,
        &["-i", source, "-c", "copy", "-metadata:s:v:0", &rotate],
    )
}

/// What `ffprobe -show_format -show_streams` says of a file, as JSON.
pub fn ffprobe(path: &Path) -> serde_json::Value {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
        ])
        .arg(path)
        .output()
        .expect("ffprobe must be installed (it comes with ffmpeg)");
    assert!(
        output.status.success(),
        "ffprobe failed on {}",
        path.display()
    );
    serde_json::from_slice(&output.stdout).expect("ffprobe prints JSON")
}

/// A valid PNG of `width`×`height` black 1-bit pixels: a few tens of kilobytes that would take
/// width×height bytes and more to decode (a decompression bomb).
pub fn bomb_png(dir: &Path, name: &str, width: u32, height: u32) -> PathBuf {
    use std::io::Write;
    let row = 1 + (width as usize).div_ceil(8); // filter byte + packed pixels
    let mut deflate = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; row];
    for _ in 0..height {
        deflate.write_all(&zeros).expect("deflate in memory");
    }
    let idat = deflate.finish().expect("deflate in memory");
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // 1 bit, grayscale
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(&b"IHDR"[..], &ihdr[..]), (b"IDAT", &idat), (b"IEND", &[])] {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        png.extend_from_slice(&crc.finalize().to_be_bytes());
    }
    let path = dir.join(name);
    std::fs::write(&path, png).expect("write the PNG");
    path
}

/// The JPEG at `path` with an EXIF APP1 segment carrying `orientation` (1-8) after its SOI, as a
/// phone camera writes it; returns the new file's path.
pub fn with_exif_orientation(path: &Path, orientation: u16) -> PathBuf {
    let jpeg = std::fs::read(path).expect("read the JPEG");
    // Big-endian TIFF header, one IFD entry: Orientation (0x0112), SHORT, count 1, the value.
    let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let payload = [&b"Exif\0\0"[..], &tiff].concat();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    let name = format!(
        "oriented{orientation}-{}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    let target = path.with_file_name(name);
    std::fs::write(&target, out).expect("write the JPEG");
    target
}
