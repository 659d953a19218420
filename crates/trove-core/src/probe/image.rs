//! Still images: pixel size from the header (the `imagesize` crate for raster formats), JPEG's EXIF
//! orientation, SVG's CSS lengths, and the end markers that tell a whole file from a cut one.

use super::source::{be, Source};
use super::Details;

/// How far from the end the end markers are looked for (trailers after them are allowed).
const TAIL: u64 = 64 * 1024;

fn header_size(head: &[u8]) -> (Option<u32>, Option<u32>) {
    imagesize::blob_size(head)
        .ok()
        .and_then(|d| Some((u32::try_from(d.width).ok()?, u32::try_from(d.height).ok()?)))
        .map_or((None, None), |(w, h)| (Some(w), Some(h)))
}

pub(super) fn png(source: &Source<'_>) -> Details {
    let width = source.be_u32(16);
    let height = source.be_u32(20);
    let ends_with_iend = source.size() >= 12
        && source.read(source.size() - 12, 12).as_deref() == Some(b"\0\0\0\0IEND\xAE\x42\x60\x82");
    Details {
        width,
        height,
        broken: (!ends_with_iend)
            .then(|| "the PNG is cut short: it does not end with its IEND chunk".to_owned()),
        ..Details::default()
    }
}

pub(super) fn gif(source: &Source<'_>, head: &[u8]) -> Details {
    let (width, height) = header_size(head);
    let whole = source.u8_at(source.size().saturating_sub(1)) == Some(0x3B);
    Details {
        width,
        height,
        broken: (!whole)
            .then(|| "the GIF is cut short: it does not end with its trailer".to_owned()),
        ..Details::default()
    }
}

pub(super) fn webp(source: &Source<'_>, head: &[u8]) -> Details {
    let (width, height) = header_size(head);
    let declared = source.le_u32(4).map_or(0, u64::from) + 8;
    Details {
        width,
        height,
        broken: (declared > source.size()).then(|| {
            format!(
                "the WebP is cut short: its header says {declared} bytes, the file has {}",
                source.size()
            )
        }),
        ..Details::default()
    }
}

/// Walks the JPEG's marker segments up to the scan: size from SOFn, orientation from EXIF, and
/// then an EOI marker must follow the scan.
pub(super) fn jpeg(source: &Source<'_>, head: &[u8]) -> Details {
    let (mut width, mut height) = (None, None);
    let mut rotation = 0;
    let mut offset = 2u64;
    let scan_start = loop {
        let Some(marker) = source.read(offset, 4) else {
            return Details::broken("the JPEG is cut short inside its headers");
        };
        if marker[0] != 0xFF {
            return Details::broken(format!(
                "the JPEG has no marker where one belongs (offset {offset})"
            ));
        }
        let kind = marker[1];
        if kind == 0xFF {
            offset += 1; // fill byte
            continue;
        }
        let length = u64::from(u16::from_be_bytes([marker[2], marker[3]]));
        match kind {
            0xC0..=0xCF if !matches!(kind, 0xC4 | 0xC8 | 0xCC) => {
                if let Some(frame) = source.read(offset + 4, 5) {
                    height = be(&frame, 1, 2).map(|h| h as u32);
                    width = be(&frame, 3, 2).map(|w| w as u32);
                }
            }
            0xE1 => {
                if let Some(app1) = source.read(offset + 4, length.saturating_sub(2) as usize) {
                    rotation = exif_rotation(&app1).unwrap_or(0);
                }
            }
            0xDA => break offset + 2 + length,
            0xD9 => return Details::broken("the JPEG ends before its image data"),
            _ => {}
        }
        offset += 2 + length;
    };
    if width.is_none() {
        (width, height) = header_size(head);
    }
    // Inside the entropy-coded scan 0xFF is always followed by 0x00 or a restart marker, so an
    // FF D9 after the scan's start is the real end of the image.
    let from = scan_start.max(source.size().saturating_sub(TAIL));
    let tail = source
        .read(from, source.size().saturating_sub(from) as usize)
        .unwrap_or_default();
    let has_eoi = tail.windows(2).any(|w| w == [0xFF, 0xD9]);
    Details {
        width,
        height,
        rotation,
        broken: (!has_eoi)
            .then(|| "the JPEG is cut short: its image data has no end marker".to_owned()),
        ..Details::default()
    }
}

/// The clockwise rotation EXIF orientation asks for (mirrored orientations rotate the same way).
fn exif_rotation(app1: &[u8]) -> Option<u16> {
    let tiff = app1.strip_prefix(b"Exif\0\0")?;
    let little = match tiff.get(..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let read = |offset: usize, width: usize| -> Option<u64> {
        let bytes = tiff.get(offset..offset.checked_add(width)?)?;
        Some(if little {
            bytes
                .iter()
                .rev()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
        } else {
            be(bytes, 0, width)?
        })
    };
    let ifd = read(4, 4)? as usize;
    let entries = read(ifd, 2)? as usize;
    (0..entries.min(512))
        .find_map(|i| {
            let entry = ifd + 2 + i * 12;
            (read(entry, 2)? == 0x0112)
                .then(|| read(entry + 8, 2))
                .flatten()
        })
        .map(|orientation| match orientation {
            3 | 4 => 180,
            5 | 6 => 90,
            7 | 8 => 270,
            _ => 0,
        })
}

pub(super) fn looks_like_svg(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(4096)]);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    trimmed.starts_with('<') && trimmed.contains("<svg")
}

/// SVG size from the root element's width/height (CSS units at 96 dpi), else its viewBox. The
/// document is read as text only: nothing in it is executed or fetched.
pub(super) fn svg(source: &Source<'_>) -> Details {
    let head = source
        .read(0, (source.size() as usize).min(256 * 1024))
        .unwrap_or_default();
    let (width, height) = svg_size(&head);
    Details {
        width,
        height,
        ..Details::default()
    }
}

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
        Some([_, _, w, h]) if *w > 0.0 && *h > 0.0 && *w < 1e9 && *h < 1e9 => {
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
    use super::super::{probe_bytes, tests::png as png_bytes, Format};
    use super::*;

    #[test]
    fn svg_sizes_honour_units_and_viewbox() {
        let with_units = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="1in" height="72pt"></svg>"#;
        assert_eq!(svg_size(with_units), (Some(96), Some(96)));
        let view_box =
            br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"><rect/></svg>"#;
        assert_eq!(probe_bytes(view_box).format, Format::Svg);
        assert_eq!(svg_size(view_box), (Some(300), Some(150)));
        assert_eq!(
            svg_size(br#"<svg width="2cm" height="10mm">"#),
            (Some(76), Some(38))
        );
    }

    #[test]
    fn a_png_without_iend_is_broken() {
        let whole = png_bytes(32, 16);
        assert_eq!(probe_bytes(&whole).broken, None);
        let cut = &whole[..whole.len() - 5];
        let info = probe_bytes(cut);
        assert_eq!((info.width, info.height), (Some(32), Some(16)));
        assert!(info.broken.unwrap().contains("IEND"));
    }

    #[test]
    fn exif_orientation_turns_the_displayed_size() {
        // Big-endian TIFF, one IFD entry: Orientation (0x0112), SHORT, 1, value 6 (90° clockwise).
        let mut app1 =
            b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0".to_vec();
        app1.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(exif_rotation(&app1), Some(90));
        let little = b"Exif\0\0II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x08\0\0\0";
        assert_eq!(exif_rotation(little), Some(270));
    }
}
