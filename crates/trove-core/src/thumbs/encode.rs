//! Resizing (SIMD Lanczos3 with `fast_image_resize`, alpha premultiplied while filtering), turning
//! upright, and encoding (JPEG at quality 82, or PNG when the picture has transparency).

use std::path::Path;

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{ExtendedColorType, ImageEncoder};

use super::{Pixels, ThumbError, Thumbnail};

const JPEG_QUALITY: u8 = 82;

/// The size that fits `width`×`height` into a `side`×`side` box, never enlarged, never 0.
pub(crate) fn fitted(width: u32, height: u32, side: u32) -> (u32, u32) {
    let longer = width.max(height).max(1);
    if longer <= side {
        return (width.max(1), height.max(1));
    }
    let scale = f64::from(side) / f64::from(longer);
    let w = (f64::from(width) * scale).round().max(1.0) as u32;
    let h = (f64::from(height) * scale).round().max(1.0) as u32;
    (w.min(side), h.min(side))
}

pub(super) fn fit(pixels: Pixels, side: u32, path: &Path) -> Result<Pixels, ThumbError> {
    let (width, height) = fitted(pixels.width, pixels.height, side);
    if (width, height) == (pixels.width, pixels.height) {
        return Ok(pixels);
    }
    let failed = |detail: String| ThumbError::Decode {
        path: path.to_owned(),
        format: "resized",
        detail,
    };
    let kind = if pixels.alpha {
        PixelType::U8x4
    } else {
        PixelType::U8x3
    };
    let source = Image::from_vec_u8(pixels.width, pixels.height, pixels.data, kind)
        .map_err(|e| failed(e.to_string()))?;
    let mut target = Image::new(width, height, kind);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(&source, &mut target, &options)
        .map_err(|e| failed(e.to_string()))?;
    Ok(Pixels {
        width,
        height,
        alpha: pixels.alpha,
        data: target.into_vec(),
    })
}

/// Turns the picture clockwise by `degrees` (0, 90, 180 or 270).
pub(super) fn turn(pixels: Pixels, degrees: u16) -> Pixels {
    if degrees.is_multiple_of(360) {
        return pixels;
    }
    let channels = if pixels.alpha { 4 } else { 3 };
    let (w, h) = (pixels.width as usize, pixels.height as usize);
    let mut data = vec![0u8; pixels.data.len()];
    let quarter = degrees % 180 == 90;
    let (out_w, out_h) = if quarter { (h, w) } else { (w, h) };
    for y in 0..h {
        for x in 0..w {
            let (nx, ny) = match degrees % 360 {
                90 => (h - 1 - y, x),
                180 => (w - 1 - x, h - 1 - y),
                _ => (y, w - 1 - x), // 270
            };
            let from = (y * w + x) * channels;
            let to = (ny * out_w + nx) * channels;
            data[to..to + channels].copy_from_slice(&pixels.data[from..from + channels]);
        }
    }
    Pixels {
        width: out_w as u32,
        height: out_h as u32,
        alpha: pixels.alpha,
        data,
    }
}

pub(super) fn encode(pixels: Pixels, path: &Path) -> Result<Thumbnail, ThumbError> {
    let failed = |detail: String| ThumbError::Decode {
        path: path.to_owned(),
        format: "thumbnail",
        detail,
    };
    let mut bytes = Vec::new();
    let mime = if pixels.alpha && pixels.data.chunks_exact(4).any(|p| p[3] != 255) {
        image::codecs::png::PngEncoder::new(&mut bytes)
            .write_image(
                &pixels.data,
                pixels.width,
                pixels.height,
                ExtendedColorType::Rgba8,
            )
            .map_err(|e| failed(e.to_string()))?;
        "image/png"
    } else {
        let rgb: Vec<u8> = if pixels.alpha {
            pixels
                .data
                .chunks_exact(4)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect()
        } else {
            pixels.data
        };
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
            .write_image(&rgb, pixels.width, pixels.height, ExtendedColorType::Rgb8)
            .map_err(|e| failed(e.to_string()))?;
        "image/jpeg"
    };
    Ok(Thumbnail {
        width: pixels.width,
        height: pixels.height,
        mime,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_fit_the_box_and_never_grow() {
        assert_eq!(fitted(6000, 4000, 256), (256, 171));
        assert_eq!(fitted(4000, 6000, 256), (171, 256));
        assert_eq!(fitted(100, 50, 256), (100, 50));
        assert_eq!(fitted(100_000, 1, 256), (256, 1));
    }

    #[test]
    fn turning_moves_corners_clockwise() {
        // 2×1: red, green. Turned 90° clockwise it is 1×2: red on top.
        let wide = Pixels {
            width: 2,
            height: 1,
            alpha: false,
            data: vec![255, 0, 0, 0, 255, 0],
        };
        let turned = turn(wide, 90);
        assert_eq!((turned.width, turned.height), (1, 2));
        assert_eq!(turned.data, vec![255, 0, 0, 0, 255, 0]);
        let back = turn(turned, 270);
        assert_eq!((back.width, back.height), (2, 1));
        assert_eq!(back.data, vec![255, 0, 0, 0, 255, 0]);
        let flipped = turn(back, 180);
        assert_eq!(flipped.data, vec![0, 255, 0, 255, 0, 0]);
    }
}
