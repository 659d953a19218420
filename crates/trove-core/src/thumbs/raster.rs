//! Raster images. JPEG is decoded with `jpeg-decoder` at the smallest DCT scale (1/1 to 1/8) that
//! still covers the thumbnail, which skips most of the work for a camera photo; grey and CMYK
//! become RGB. PNG, GIF and WebP (16-bit, palette, alpha; the first frame of an animation) go
//! through the `image` crate with its allocation limit set.

use std::io::{BufReader, Read};
use std::path::Path;

use jpeg_decoder::PixelFormat;

use super::encode::fitted;
use super::{Limits, Pixels, ThumbError};
use crate::probe::Format;

/// Files up to this size are read whole for the DC-only path; larger ones stream.
const DC_PATH_MAX_BYTES: u64 = 64 * 1024 * 1024;

pub(super) fn jpeg(path: &Path, side: u32) -> Result<Pixels, ThumbError> {
    let read = |cause| ThumbError::Read {
        path: path.to_owned(),
        cause,
    };
    let mut file = std::fs::File::open(path).map_err(read)?;
    let size = file.metadata().map_err(read)?.len();
    // A file read whole for the DC path is not read again if that path declines it.
    let source: Box<dyn Read> = if size <= DC_PATH_MAX_BYTES {
        let mut bytes = Vec::with_capacity(size as usize);
        file.read_to_end(&mut bytes).map_err(read)?;
        if let Some(pixels) = eighth_scale(&bytes, side) {
            return Ok(pixels);
        }
        Box::new(std::io::Cursor::new(bytes))
    } else {
        Box::new(BufReader::with_capacity(256 * 1024, file))
    };
    let failed = |detail: String| ThumbError::Decode {
        path: path.to_owned(),
        format: "jpeg",
        detail,
    };
    let mut decoder = jpeg_decoder::Decoder::new(source);
    decoder.read_info().map_err(|e| failed(e.to_string()))?;
    let info = decoder
        .info()
        .ok_or_else(|| failed("no frame header".to_owned()))?;
    let (w, h) = fitted(u32::from(info.width), u32::from(info.height), side);
    // The decoder picks the smallest scale at least this large.
    decoder
        .scale(
            w.min(u32::from(u16::MAX)) as u16,
            h.min(u32::from(u16::MAX)) as u16,
        )
        .map_err(|e| failed(e.to_string()))?;
    let data = decoder.decode().map_err(|e| failed(e.to_string()))?;
    let info = decoder
        .info()
        .ok_or_else(|| failed("no frame header".to_owned()))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let rgb = match info.pixel_format {
        PixelFormat::RGB24 => data,
        PixelFormat::L8 => data.iter().flat_map(|v| [*v, *v, *v]).collect(),
        PixelFormat::L16 => data
            .chunks_exact(2)
            .flat_map(|v| [v[0], v[0], v[0]])
            .collect(),
        PixelFormat::CMYK32 => cmyk_to_rgb(&data),
    };
    if rgb.len() != width as usize * height as usize * 3 {
        return Err(failed(format!(
            "{} bytes decoded for {width}×{height}",
            rgb.len()
        )));
    }
    Ok(Pixels {
        width,
        height,
        alpha: false,
        data: rgb,
    })
}

/// The 1/8-scale picture from the DC coefficients, when it is still at least the thumbnail's size
/// and the file is one the DC path decodes.
fn eighth_scale(bytes: &[u8], side: u32) -> Option<Pixels> {
    let (width, height) = imagesize::blob_size(bytes)
        .ok()
        .map(|s| (s.width as u32, s.height as u32))?;
    let (want_w, want_h) = fitted(width, height, side);
    if width / 8 < want_w || height / 8 < want_h {
        return None; // a smaller photo needs a finer scale than 1/8
    }
    let picture = super::jpeg_dc::decode(bytes)?;
    Some(Pixels {
        width: picture.width,
        height: picture.height,
        alpha: false,
        data: picture.rgb,
    })
}

/// CMYK as print files carry it (the decoder has already undone Adobe's inversion) to RGB.
fn cmyk_to_rgb(cmyk: &[u8]) -> Vec<u8> {
    cmyk.chunks_exact(4)
        .flat_map(|p| {
            let k = u32::from(255 - p[3]);
            let channel = |c: u8| ((u32::from(255 - c) * k) / 255) as u8;
            [channel(p[0]), channel(p[1]), channel(p[2])]
        })
        .collect()
}

pub(super) fn other(path: &Path, format: Format, limits: &Limits) -> Result<Pixels, ThumbError> {
    let failed = |detail: String| ThumbError::Decode {
        path: path.to_owned(),
        format: format.name(),
        detail,
    };
    let mut reader = image::ImageReader::open(path)
        .map_err(|cause| ThumbError::Read {
            path: path.to_owned(),
            cause,
        })?
        .with_guessed_format()
        .map_err(|cause| ThumbError::Read {
            path: path.to_owned(),
            cause,
        })?;
    let mut image_limits = image::Limits::default();
    // RGBA at 16 bits a channel is the most a decoder can ask for per pixel.
    image_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8));
    reader.limits(image_limits);
    let decoded = reader.decode().map_err(|e| failed(e.to_string()))?;
    let alpha = decoded.color().has_alpha();
    let (width, height) = (decoded.width(), decoded.height());
    let data = if alpha {
        decoded.into_rgba8().into_raw()
    } else {
        decoded.into_rgb8().into_raw()
    };
    Ok(Pixels {
        width,
        height,
        alpha,
        data,
    })
}
