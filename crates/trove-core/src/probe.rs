//! Reads what a media file really is from its first bytes: format, kind, MIME type, pixel size.
//!
//! The format comes from magic numbers, never from the extension. Only a bounded head of the file
//! is read. Raster dimensions come from the `imagesize` crate (header-only reads); SVG dimensions
//! come from the root element's `width`/`height` or `viewBox`. Knows nothing of the database.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::model::AssetKind;

/// How much of a file is read to decide its format and image size.
const HEAD_BYTES: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is empty (0 bytes)")]
    Empty { path: PathBuf },
}

/// A container or codec format recognised from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Gif,
    Webp,
    Svg,
    Mp4,
    Mov,
    Webm,
    Mkv,
    Mp3,
    Wav,
    Aac,
    Flac,
    Unknown,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Gif => "gif",
            Format::Webp => "webp",
            Format::Svg => "svg",
            Format::Mp4 => "mp4",
            Format::Mov => "mov",
            Format::Webm => "webm",
            Format::Mkv => "mkv",
            Format::Mp3 => "mp3",
            Format::Wav => "wav",
            Format::Aac => "aac",
            Format::Flac => "flac",
            Format::Unknown => "unknown",
        }
    }

    pub fn kind(self) -> AssetKind {
        match self {
            Format::Jpeg | Format::Png | Format::Gif | Format::Webp | Format::Svg => {
                AssetKind::Image
            }
            Format::Mp4 | Format::Mov | Format::Webm | Format::Mkv => AssetKind::Video,
            Format::Mp3 | Format::Wav | Format::Aac | Format::Flac => AssetKind::Audio,
            Format::Unknown => AssetKind::Other,
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
            Format::Svg => "image/svg+xml",
            Format::Mp4 => "video/mp4",
            Format::Mov => "video/quicktime",
            Format::Webm => "video/webm",
            Format::Mkv => "video/x-matroska",
            Format::Mp3 => "audio/mpeg",
            Format::Wav => "audio/wav",
            Format::Aac => "audio/aac",
            Format::Flac => "audio/flac",
            Format::Unknown => "application/octet-stream",
        }
    }
}

/// What the probe learned about one file.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaInfo {
    pub format: Format,
    pub kind: AssetKind,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Probes the file at `path`, reading at most its first [`HEAD_BYTES`].
pub fn probe(path: &Path) -> Result<MediaInfo, ProbeError> {
    let io_error = |source| ProbeError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    if size == 0 {
        return Err(ProbeError::Empty {
            path: path.to_owned(),
        });
    }
    let mut head = Vec::with_capacity(HEAD_BYTES.min(size as usize));
    file.take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(io_error)?;
    Ok(probe_head(&head, size))
}

/// Probes a file from its head (the first bytes) and its total size.
pub fn probe_head(head: &[u8], size: u64) -> MediaInfo {
    let format = sniff(head);
    let (width, height) = match format {
        Format::Svg => svg_size(head),
        Format::Jpeg | Format::Png | Format::Gif | Format::Webp => imagesize::blob_size(head)
            .ok()
            .and_then(|dims| {
                Some((
                    u32::try_from(dims.width).ok()?,
                    u32::try_from(dims.height).ok()?,
                ))
            })
            .map_or((None, None), |(w, h)| (Some(w), Some(h))),
        _ => (None, None),
    };
    MediaInfo {
        format,
        kind: format.kind(),
        size,
        width,
        height,
    }
}

fn sniff(head: &[u8]) -> Format {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if at(0, b"\xFF\xD8\xFF") {
        Format::Jpeg
    } else if at(0, b"\x89PNG\r\n\x1a\n") {
        Format::Png
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Format::Gif
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Format::Webp
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        Format::Wav
    } else if at(4, b"ftyp") {
        if at(8, b"qt  ") {
            Format::Mov
        } else {
            Format::Mp4
        }
    } else if at(0, b"\x1A\x45\xDF\xA3") {
        // The EBML header names the DocType within its first few dozen bytes.
        let header = &head[..head.len().min(64)];
        if header.windows(4).any(|w| w == b"webm") {
            Format::Webm
        } else {
            Format::Mkv
        }
    } else if at(0, b"fLaC") {
        Format::Flac
    } else if at(0, b"ID3") || is_mpeg_audio_frame(head) {
        Format::Mp3
    } else if head.len() >= 2 && head[0] == 0xFF && head[1] & 0xF6 == 0xF0 {
        Format::Aac
    } else if looks_like_svg(head) {
        Format::Svg
    } else {
        Format::Unknown
    }
}

/// An MPEG-1/2 Layer III frame header: 11 sync bits, a valid version, layer III, a valid bitrate.
fn is_mpeg_audio_frame(head: &[u8]) -> bool {
    match head {
        [0xFF, b1, b2, ..] => {
            let version = (b1 >> 3) & 0b11;
            let layer = (b1 >> 1) & 0b11;
            let bitrate = b2 >> 4;
            b1 & 0xE0 == 0xE0 && version != 0b01 && layer == 0b01 && bitrate != 0 && bitrate != 0xF
        }
        _ => false,
    }
}

fn looks_like_svg(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    (trimmed.starts_with('<')) && trimmed.contains("<svg")
}

/// Width and height of an SVG's root element in CSS pixels, from its attributes or its viewBox.
fn svg_size(head: &[u8]) -> (Option<u32>, Option<u32>) {
    let text = String::from_utf8_lossy(head);
    let Some(start) = text.find("<svg") else {
        return (None, None);
    };
    let tag = match text[start..].find('>') {
        Some(end) => &text[start..start + end],
        None => return (None, None),
    };
    let attribute = |name: &str| -> Option<String> {
        let needle = format!(" {name}=");
        let at = tag.find(&needle)? + needle.len();
        let rest = &tag[at..];
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let value = &rest[1..];
        Some(value[..value.find(quote)?].to_owned())
    };
    let length = |value: Option<String>| value.as_deref().and_then(css_length_px);
    let (width, height) = (length(attribute("width")), length(attribute("height")));
    if let (Some(w), Some(h)) = (width, height) {
        return (Some(w), Some(h));
    }
    let view_box: Option<Vec<f64>> = attribute("viewBox").map(|v| {
        v.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect()
    });
    match view_box.as_deref() {
        Some([_, _, w, h]) if *w > 0.0 && *h > 0.0 => {
            (Some(w.round() as u32), Some(h.round() as u32))
        }
        _ => (width, height),
    }
}

/// A CSS length in pixels at 96 dpi; percentages and unknown units give `None`.
fn css_length_px(value: &str) -> Option<u32> {
    let value = value.trim();
    let split = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e'))
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse().ok()?;
    let per_unit = match unit.trim() {
        "" | "px" => 1.0,
        "pt" => 96.0 / 72.0,
        "pc" => 16.0,
        "in" => 96.0,
        "cm" => 96.0 / 2.54,
        "mm" => 96.0 / 25.4,
        _ => return None,
    };
    let px = number * per_unit;
    (px.is_finite() && px > 0.0 && px < f64::from(u32::MAX)).then(|| px.round() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        bytes
    }

    #[test]
    fn format_comes_from_bytes_not_extension() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photo.jpg");
        std::fs::write(&path, png(640, 480)).unwrap();
        let info = probe(&path).unwrap();
        assert_eq!(info.format, Format::Png);
        assert_eq!(info.kind, AssetKind::Image);
        assert_eq!((info.width, info.height), (Some(640), Some(480)));
    }

    #[test]
    fn empty_files_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.mp4");
        std::fs::write(&path, b"").unwrap();
        let error = probe(&path).unwrap_err().to_string();
        assert!(
            error.contains("empty.mp4") && error.contains("empty"),
            "{error}"
        );
    }

    #[test]
    fn text_is_not_media() {
        let info = probe_head(b"hello, this is not a video", 26);
        assert_eq!(info.format, Format::Unknown);
        assert_eq!(info.kind, AssetKind::Other);
    }

    #[test]
    fn containers_are_told_apart() {
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0"), Format::Mp4);
        assert_eq!(sniff(b"\0\0\0\x14ftypqt  \0\0\0\0"), Format::Mov);
        assert_eq!(
            sniff(b"\x1A\x45\xDF\xA3\x9f\x42\x86\x81\x01\x42\x82\x84webm"),
            Format::Webm
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), Format::Wav);
        assert_eq!(sniff(b"ID3\x04\0\0\0\0\0\0"), Format::Mp3);
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0x00]), Format::Mp3);
        assert_eq!(sniff(&[0xFF, 0xF1, 0x50, 0x80]), Format::Aac);
    }

    #[test]
    fn svg_sizes_honour_units_and_viewbox() {
        let with_units = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="1in" height="72pt"></svg>"#;
        assert_eq!(svg_size(with_units), (Some(96), Some(96)));
        let view_box =
            br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"><rect/></svg>"#;
        assert_eq!(probe_head(view_box, 80).format, Format::Svg);
        assert_eq!(svg_size(view_box), (Some(300), Some(150)));
    }
}
