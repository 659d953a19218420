//! Reads what a media file really is from its bytes: format, kind, MIME type, displayed and stored
//! pixel size, rotation, duration, codec names, and whether the file is broken (cut short, or not
//! what it says).
//!
//! The format comes from magic numbers, never from the extension. Each parser reads only what it
//! needs: headers and indexes, hopping from one to the next through a cached window
//! ([`source::Source`]), never the media data itself. Raster header dimensions come from the
//! `imagesize` crate; the container walks (ISO BMFF and HEIF, EBML, RIFF, MPEG audio and ADTS
//! frames, FLAC metadata) are our own: the container crates build typed tables of everything (every
//! sample of a `moov`, every Matroska element) and end in an error on a cut file, and `symphonia`'s
//! demuxers read packets; the probe needs a few header fields, must not allocate what a size field
//! claims, and must still report what it read from a cut file. Knows nothing of the database.

mod audio;
mod heif;
mod image;
mod isobmff;
mod matroska;
pub mod source;

use std::path::{Path, PathBuf};

use crate::model::AssetKind;
use source::{FileBytes, Source};

/// How much of the head is read to decide the format.
const HEAD_BYTES: usize = 64 * 1024;

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
    Heic,
    Mp4,
    Mov,
    Webm,
    Mkv,
    Mp3,
    Wav,
    Aac,
    M4a,
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
            Format::Heic => "heic",
            Format::Mp4 => "mp4",
            Format::Mov => "mov",
            Format::Webm => "webm",
            Format::Mkv => "mkv",
            Format::Mp3 => "mp3",
            Format::Wav => "wav",
            Format::Aac => "aac",
            Format::M4a => "m4a",
            Format::Flac => "flac",
            Format::Unknown => "unknown",
        }
    }

    pub fn kind(self) -> AssetKind {
        match self {
            Format::Jpeg
            | Format::Png
            | Format::Gif
            | Format::Webp
            | Format::Svg
            | Format::Heic => AssetKind::Image,
            Format::Mp4 | Format::Mov | Format::Webm | Format::Mkv => AssetKind::Video,
            Format::Mp3 | Format::Wav | Format::Aac | Format::M4a | Format::Flac => {
                AssetKind::Audio
            }
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
            Format::Heic => "image/heic",
            Format::Mp4 => "video/mp4",
            Format::Mov => "video/quicktime",
            Format::Webm => "video/webm",
            Format::Mkv => "video/x-matroska",
            Format::Mp3 => "audio/mpeg",
            Format::Wav => "audio/wav",
            Format::Aac => "audio/aac",
            Format::M4a => "audio/mp4",
            Format::Flac => "audio/flac",
            Format::Unknown => "application/octet-stream",
        }
    }
}

impl Format {
    /// The format a file name's extension claims, for the extensions of media formats; `None` for
    /// names without one or with another (a `.bin` claims nothing).
    pub fn claimed_by_name(name: &str) -> Option<Format> {
        let extension = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "jpg" | "jpeg" | "jpe" | "jfif" => Format::Jpeg,
            "png" => Format::Png,
            "gif" => Format::Gif,
            "webp" => Format::Webp,
            "svg" => Format::Svg,
            "heic" | "heif" | "avif" => Format::Heic,
            "mp4" | "m4v" => Format::Mp4,
            "mov" | "qt" => Format::Mov,
            "webm" => Format::Webm,
            "mkv" => Format::Mkv,
            "mp3" => Format::Mp3,
            "wav" | "wave" => Format::Wav,
            "aac" | "adts" => Format::Aac,
            "m4a" => Format::M4a,
            "flac" => Format::Flac,
            _ => return None,
        })
    }

    /// Whether a file named `name` with these bytes says what it is. MP4 and MOV share a container
    /// (and tools write either brand under either name), so they are not told apart here.
    pub fn agrees_with_name(self, name: &str) -> bool {
        let same_container = |a: Format, b: Format| {
            a == b
                || matches!(
                    (a, b),
                    (
                        Format::Mp4 | Format::Mov | Format::M4a,
                        Format::Mp4 | Format::Mov | Format::M4a
                    )
                )
        };
        Format::claimed_by_name(name).is_none_or(|claimed| same_container(claimed, self))
    }
}

/// What the probe learned about one file.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaInfo {
    pub format: Format,
    pub kind: AssetKind,
    pub size: u64,
    /// As displayed: after EXIF orientation or the track's rotation matrix.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// As stored in the file.
    pub stored_width: Option<u32>,
    pub stored_height: Option<u32>,
    /// Clockwise degrees applied when displaying: 0, 90, 180 or 270.
    pub rotation: u16,
    pub duration_s: Option<f64>,
    /// Codec names as ffprobe spells them (`h264`, `hevc`, `vp9`, `aac`, `opus`, `pcm_s16le`), where
    /// the container names them in its headers.
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    /// Why the file cannot be used as it is (cut short, inconsistent), in words for the user.
    pub broken: Option<String>,
}

/// What a format's parser found; [`MediaInfo`] is built from it.
#[derive(Debug, Default)]
struct Details {
    width: Option<u32>,
    height: Option<u32>,
    rotation: u16,
    duration_s: Option<f64>,
    video_codec: Option<String>,
    audio_codec: Option<String>,
    broken: Option<String>,
}

impl Details {
    fn broken(reason: impl Into<String>) -> Details {
        Details {
            broken: Some(reason.into()),
            ..Details::default()
        }
    }
}

/// Probes the file at `path`.
pub fn probe(path: &Path) -> Result<MediaInfo, ProbeError> {
    let io_error = |source| ProbeError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let len = file.metadata().map_err(io_error)?.len();
    if len == 0 {
        return Err(ProbeError::Empty {
            path: path.to_owned(),
        });
    }
    let bytes = FileBytes { file, len };
    let source = Source::new(&bytes);
    let info = probe_source(&source, None);
    match source.take_error() {
        Some(error) => Err(io_error(error)),
        None => Ok(info),
    }
}

/// Probes bytes in memory (tests, fuzzing).
pub fn probe_bytes(bytes: &[u8]) -> MediaInfo {
    probe_source(&Source::new(&bytes), None)
}

/// Parses bytes in memory as `format` whatever their magic numbers say, so that a fuzzer reaches
/// each parser with every input instead of only those that sniff as its format.
pub fn probe_bytes_as(format: Format, bytes: &[u8]) -> MediaInfo {
    probe_source(&Source::new(&bytes), Some(format))
}

fn probe_source(source: &Source<'_>, forced: Option<Format>) -> MediaInfo {
    let head = source
        .read(0, HEAD_BYTES.min(source.size() as usize))
        .unwrap_or_default();
    let format = forced.unwrap_or_else(|| sniff(&head));
    let details = match format {
        Format::Png => image::png(source),
        Format::Jpeg => image::jpeg(source, &head),
        Format::Gif => image::gif(source, &head),
        Format::Webp => image::webp(source, &head),
        Format::Svg => image::svg(source),
        Format::Mp4 | Format::Mov | Format::M4a | Format::Heic => isobmff::probe(source),
        Format::Webm | Format::Mkv => matroska::probe(source),
        Format::Wav => audio::wav(source),
        Format::Mp3 => audio::mp3(source),
        Format::Aac => audio::adts(source),
        Format::Flac => audio::flac(source),
        Format::Unknown => Details::default(),
    };
    // An MP4 or MOV with sound and no picture is audio, whatever its brand says.
    let format = match format {
        Format::Mp4 | Format::Mov
            if details.video_codec.is_none() && details.audio_codec.is_some() =>
        {
            Format::M4a
        }
        other => other,
    };
    let turned = details.rotation == 90 || details.rotation == 270;
    let (width, height) = if turned {
        (details.height, details.width)
    } else {
        (details.width, details.height)
    };
    MediaInfo {
        format,
        kind: format.kind(),
        size: source.size(),
        width,
        height,
        stored_width: details.width,
        stored_height: details.height,
        rotation: details.rotation,
        duration_s: details.duration_s,
        video_codec: details.video_codec,
        audio_codec: details.audio_codec,
        broken: details.broken,
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
        isobmff::brand_format(head)
    } else if at(0, b"\x1A\x45\xDF\xA3") {
        matroska::doc_type_format(head)
    } else if at(0, b"fLaC") {
        Format::Flac
    } else if at(0, b"ID3") || audio::mpeg_frame(head).is_some() {
        Format::Mp3
    } else if audio::adts_frame(head).is_some() {
        Format::Aac
    } else if image::looks_like_svg(head) {
        Format::Svg
    } else {
        Format::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG whose IHDR is right and which ends with IEND (its pixels are not decodable, which the
    /// probe never needs).
    pub(super) fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        bytes.extend_from_slice(b"\x00\x00\x00\x00IEND\xAE\x42\x60\x82");
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
        assert_eq!(info.broken, None);
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
        let info = probe_bytes(b"hello, this is not a video");
        assert_eq!(info.format, Format::Unknown);
        assert_eq!(info.kind, AssetKind::Other);
    }

    #[test]
    fn containers_are_told_apart() {
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0"), Format::Mp4);
        assert_eq!(sniff(b"\0\0\0\x14ftypqt  \0\0\0\0"), Format::Mov);
        assert_eq!(sniff(b"\0\0\0\x18ftypM4A \0\0\0\0"), Format::M4a);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Format::Heic);
        assert_eq!(
            sniff(b"\x1A\x45\xDF\xA3\x9f\x42\x86\x81\x01\x42\x82\x84webm"),
            Format::Webm
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), Format::Wav);
        assert_eq!(sniff(b"ID3\x04\0\0\0\0\0\0"), Format::Mp3);
        assert_eq!(sniff(&[0xFF, 0xFB, 0x90, 0x00]), Format::Mp3);
        assert_eq!(
            sniff(&[0xFF, 0xF1, 0x50, 0x80, 0x19, 0x1F, 0xFC]),
            Format::Aac
        );
    }

    #[test]
    fn names_that_lie_about_the_format_are_caught() {
        assert!(!Format::Png.agrees_with_name("photo.JPG"));
        assert!(Format::Jpeg.agrees_with_name("photo.jpeg"));
        assert!(
            Format::Mov.agrees_with_name("clip.mp4"),
            "one container, two names"
        );
        assert!(
            Format::Png.agrees_with_name("download"),
            "no extension claims nothing"
        );
        assert!(Format::Png.agrees_with_name("export.bin"));
        assert!(!Format::Unknown.agrees_with_name("notes.mp4"));
    }

    /// Whatever the bytes, the probe answers: no panic, no endless loop.
    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let heads: [&[u8]; 8] = [
            b"\xFF\xD8\xFF",
            b"\x89PNG\r\n\x1a\n",
            b"RIFF\0\0\0\0WAVE",
            b"RIFF\0\0\0\0WEBP",
            b"\0\0\0\x18ftypisom",
            b"\x1A\x45\xDF\xA3",
            b"ID3\x04\0\0\0\0\0\0",
            b"\xFF\xF1\x50\x80",
        ];
        for round in 0..4000 {
            let mut bytes = heads[round % heads.len()].to_vec();
            let len = (next() % 600) as usize;
            bytes.extend((0..len).map(|_| next() as u8));
            let _ = probe_bytes(&bytes);
        }
    }
}
