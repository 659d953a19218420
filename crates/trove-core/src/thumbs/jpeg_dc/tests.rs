use image::ImageEncoder;

use super::*;

/// A smooth colour gradient, JPEG-encoded (baseline, chroma subsampled).
fn gradient_jpeg(width: u32, height: u32, grey: bool) -> Vec<u8> {
    let mut pixels = Vec::new();
    for y in 0..height {
        for x in 0..width {
            let (r, g, b) = ((x * 255 / width) as u8, (y * 255 / height) as u8, 128u8);
            if grey {
                pixels.push(r / 2 + g / 2);
            } else {
                pixels.extend([r, g, b]);
            }
        }
    }
    let mut bytes = Vec::new();
    let color = if grey {
        image::ExtendedColorType::L8
    } else {
        image::ExtendedColorType::Rgb8
    };
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .write_image(&pixels, width, height, color)
        .unwrap();
    bytes
}

/// The reference: `jpeg-decoder` scaling by 1/8 as RGB.
fn reference(bytes: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().unwrap();
    decoder
        .scale((width / 8) as u16, (height / 8) as u16)
        .unwrap();
    let data = decoder.decode().unwrap();
    match decoder.info().unwrap().pixel_format {
        jpeg_decoder::PixelFormat::L8 => data.iter().flat_map(|v| [*v, *v, *v]).collect(),
        _ => data,
    }
}

#[test]
fn dc_pictures_match_a_decoder_scaling_by_an_eighth() {
    for (width, height, grey) in [(640, 480, false), (803, 601, false), (320, 200, true)] {
        let bytes = gradient_jpeg(width, height, grey);
        let ours = decode(&bytes).unwrap();
        assert_eq!(
            (ours.width, ours.height),
            (width.div_ceil(8), height.div_ceil(8))
        );
        let theirs = reference(&bytes, width, height);
        assert_eq!(ours.rgb.len(), theirs.len());
        let error = ours
            .rgb
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (i32::from(*a) - i32::from(*b)).abs())
            .max()
            .unwrap();
        // Chroma is taken from the nearest block rather than interpolated: a few levels.
        assert!(error <= 12, "{width}×{height} grey={grey}: off by {error}");
    }
}

/// Found by the fuzzer: a frame header claiming 65292×65535 over a few hundred bytes of data
/// made the decoder walk millions of empty blocks.
#[test]
fn a_huge_frame_over_little_data_stops_at_once() {
    let mut bytes = gradient_jpeg(64, 64, false);
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bytes[sof + 5..sof + 9].copy_from_slice(&[0x3F, 0xFF, 0x3F, 0xFF]); // 16383×16383
    let started = std::time::Instant::now();
    assert!(decode(&bytes).is_none());
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn anything_else_is_left_to_the_full_decoder() {
    assert!(decode(b"not a jpeg").is_none());
    let bytes = gradient_jpeg(64, 64, false);
    for cut in [3, 100, bytes.len() / 2] {
        // A cut file decodes to something or nothing, never a panic.
        let _ = decode(&bytes[..cut]);
    }
}
