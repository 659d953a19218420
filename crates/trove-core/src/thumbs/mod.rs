//! Thumbnails of media files, upright and bounded: what the grid shows for each asset.
//!
//! [`render`] reads a file (the probe says what it is), decodes as little as it can (a large
//! baseline JPEG from its DC coefficients alone, our own [`jpeg_dc`]; other JPEGs at 1/2, 1/4 or
//! 1/8 scale with `jpeg-decoder`; other rasters with the `image`
//! crate under allocation limits; SVG with `resvg`, never fetching anything; a video frame with
//! the system's ffmpeg when there is one, under a timeout; audio as a waveform of its decoded
//! samples with `symphonia`), resizes with `fast_image_resize` (SIMD Lanczos), turns it upright
//! (EXIF orientation; ffmpeg applies a video's rotation itself) and encodes JPEG, or PNG when the
//! picture has transparency. Pictures over a pixel limit are refused before any pixel is decoded.
//! Generic: it knows nothing of assets, accounts or the database.

mod encode;
mod jpeg_dc;
mod raster;
mod vector;
mod video;
mod waveform;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::probe::{self, Format};

pub use video::{find_ffmpeg, frame_from_url as render_video_url};

/// The DC-only JPEG decoder on bytes in memory: the 1/8-scale size and RGB length, or `None` when
/// it leaves the file to the full decoder (for the fuzz target; the thumbnailer calls it itself).
pub fn jpeg_eighth_scale(bytes: &[u8]) -> Option<(u32, u32, usize)> {
    jpeg_dc::decode(bytes).map(|p| (p.width, p.height, p.rgb.len()))
}

/// The thumbnail sizes the UI asks for: the grid's, and the one for hi-dpi tiles and previews.
pub const GRID_SIDE: u32 = 256;
pub const PREVIEW_SIDE: u32 = 512;

#[derive(Debug, thiserror::Error)]
pub enum ThumbError {
    #[error("cannot read {path}: {cause}")]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(transparent)]
    Probe(#[from] probe::ProbeError),
    #[error(
        "{path} is {width}×{height}, {pixels} pixels, over the {limit} a thumbnail may decode"
    )]
    TooManyPixels {
        path: PathBuf,
        width: u32,
        height: u32,
        pixels: u64,
        limit: u64,
    },
    #[error("{path}: the {format} data cannot be decoded: {detail}")]
    Decode {
        path: PathBuf,
        format: &'static str,
        detail: String,
    },
    #[error("{path}: Trove cannot draw {format} files yet; the tile shows its kind instead")]
    Unsupported { path: PathBuf, format: &'static str },
    #[error("no ffmpeg on this system: video thumbnails need it (install ffmpeg)")]
    NoFfmpeg,
    #[error("{path}: ffmpeg found no frame to show: {detail}")]
    Ffmpeg { path: PathBuf, detail: String },
    #[error("{path}: making the thumbnail took over {seconds} s and was stopped")]
    TimedOut { path: PathBuf, seconds: u64 },
}

/// What a thumbnail job may spend.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Width × height of the source beyond which nothing is decoded.
    pub max_pixels: u64,
    /// How long ffmpeg may take for one frame.
    pub ffmpeg_timeout: Duration,
    /// Audio decoded for a waveform, at most.
    pub max_audio: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // 100 megapixels: any camera; a decompression bomb is refused.
            max_pixels: 100_000_000,
            ffmpeg_timeout: Duration::from_secs(20),
            max_audio: Duration::from_secs(20 * 60),
        }
    }
}

/// An encoded thumbnail.
#[derive(Debug, Clone, PartialEq)]
pub struct Thumbnail {
    pub width: u32,
    pub height: u32,
    /// `image/jpeg` or `image/png`.
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

/// Decoded pixels before resizing: RGB, or RGBA when the source has transparency.
pub(crate) struct Pixels {
    pub width: u32,
    pub height: u32,
    pub alpha: bool,
    pub data: Vec<u8>,
}

/// A smaller thumbnail made from a larger one (both sizes from one read of the source).
pub fn shrink(thumb: &Thumbnail, side: u32) -> Result<Thumbnail, ThumbError> {
    let shown = Path::new("thumbnail");
    let decoded = image::load_from_memory(&thumb.bytes).map_err(|e| ThumbError::Decode {
        path: shown.to_owned(),
        format: "thumbnail",
        detail: e.to_string(),
    })?;
    let alpha = thumb.mime == "image/png";
    let pixels = Pixels {
        width: decoded.width(),
        height: decoded.height(),
        alpha,
        data: if alpha {
            decoded.into_rgba8().into_raw()
        } else {
            decoded.into_rgb8().into_raw()
        },
    };
    encode::encode(encode::fit(pixels, side.max(1), shown)?, shown)
}

/// A thumbnail of the file at `path` whose longer side is at most `side` pixels (smaller pictures
/// are not enlarged).
pub fn render(path: &Path, side: u32, limits: &Limits) -> Result<Thumbnail, ThumbError> {
    let info = probe::probe(path)?;
    if let (Some(width), Some(height)) = (info.stored_width, info.stored_height) {
        let pixels = u64::from(width) * u64::from(height);
        if pixels > limits.max_pixels && info.kind == crate::model::AssetKind::Image {
            return Err(ThumbError::TooManyPixels {
                path: path.to_owned(),
                width,
                height,
                pixels,
                limit: limits.max_pixels,
            });
        }
    }
    let side = side.max(1);
    let pixels = match info.format {
        Format::Jpeg => raster::jpeg(path, side)?,
        Format::Png | Format::Gif | Format::Webp => raster::other(path, info.format, limits)?,
        Format::Svg => vector::svg(path, side)?,
        Format::Mp4 | Format::Mov | Format::Webm | Format::Mkv => {
            return video::frame(path, side, info.duration_s, limits)
        }
        Format::Mp3 | Format::Wav | Format::Aac | Format::M4a | Format::Flac => {
            waveform::render(path, info.format, side, limits)?
        }
        Format::Heic | Format::Unknown => {
            return Err(ThumbError::Unsupported {
                path: path.to_owned(),
                format: info.format.name(),
            })
        }
    };
    // Resized first, then turned: turning the small picture is cheaper, and the longer side is
    // the longer side whichever way up.
    let small = encode::fit(pixels, side, path)?;
    encode::encode(encode::turn(small, info.rotation), path)
}
