//! HEIF images (HEIC, AVIF): the size and turn of the primary item, from the `meta` box's item
//! properties: `pitm` names the primary item, `ipma` lists its properties by index into `ipco`,
//! `ispe` gives the stored size and `irot` the turn. Nothing of the coded image is read.

use super::isobmff::{child, children};
use super::source::be;
use super::Details;

/// Properties associated with one item, at most (real files have a handful).
const MAX_ASSOCIATIONS: usize = 64;

pub(super) fn parse_meta(meta: &[u8]) -> Details {
    // `meta` is a full box: version and flags before its children.
    let Some(boxes) = meta.get(4..) else {
        return Details::broken("the HEIF meta box is empty");
    };
    let primary = child(boxes, b"pitm").and_then(|pitm| {
        if pitm.first() == Some(&0) {
            be(pitm, 4, 2)
        } else {
            be(pitm, 4, 4)
        }
    });
    let Some(iprp) = child(boxes, b"iprp") else {
        return Details::broken("the HEIF file has no item properties (iprp box)");
    };
    let properties: Vec<([u8; 4], &[u8])> = child(iprp, b"ipco")
        .map(|ipco| children(ipco).collect())
        .unwrap_or_default();
    let associated = child(iprp, b"ipma")
        .and_then(|ipma| associations(ipma, primary))
        .unwrap_or_default();
    let mut details = Details::default();
    for index in associated {
        // Indices count from 1; 0 means "no property".
        let Some((kind, payload)) = index.checked_sub(1).and_then(|i| properties.get(i)) else {
            continue;
        };
        match kind {
            b"ispe" => {
                details.width = be(payload, 4, 4).map(|w| w as u32).filter(|w| *w > 0);
                details.height = be(payload, 8, 4).map(|h| h as u32).filter(|h| *h > 0);
            }
            // `irot` turns anticlockwise in steps of 90°; the probe reports clockwise turns.
            b"irot" => {
                let anticlockwise = payload.first().map_or(0, |a| u16::from(a & 0b11)) * 90;
                details.rotation = (360 - anticlockwise) % 360;
            }
            _ => {}
        }
    }
    if details.width.is_none() {
        details.broken = Some("the HEIF primary image has no size (ispe property)".to_owned());
    }
    details
}

/// The property indices `ipma` associates with `item` (the first item when none is primary).
fn associations(ipma: &[u8], item: Option<u64>) -> Option<Vec<usize>> {
    let version = *ipma.first()?;
    let wide_index = be(ipma, 1, 3)? & 1 == 1;
    let count = be(ipma, 4, 4)?;
    let mut at = 8;
    for _ in 0..count.min(ipma.len() as u64) {
        let id_width = if version < 1 { 2 } else { 4 };
        let id = be(ipma, at, id_width)?;
        at += id_width;
        let n = usize::from(*ipma.get(at)?);
        at += 1;
        let index_width = if wide_index { 2 } else { 1 };
        let indices: Vec<usize> = (0..n.min(MAX_ASSOCIATIONS))
            .filter_map(|i| be(ipma, at + i * index_width, index_width))
            // The top bit marks the property essential; the rest is the index.
            .map(|v| (v & if wide_index { 0x7FFF } else { 0x7F }) as usize)
            .collect();
        at += n * index_width;
        if item.is_none_or(|wanted| wanted == id) {
            return Some(indices);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::isobmff::tests::boxed;
    use super::super::{probe_bytes, Format};

    fn full(payload: &[u8]) -> Vec<u8> {
        [&[0u8, 0, 0, 0][..], payload].concat()
    }

    /// A HEIC file's boxes: primary item 1 with an `ispe` of 4032×3024 and an `irot` of `angle`.
    fn heic(angle: u8) -> Vec<u8> {
        let ispe = boxed(
            b"ispe",
            &full(&[0, 0, 0x0F, 0xC0, 0, 0, 0x0B, 0xD0]), // 4032 × 3024
        );
        let irot = boxed(b"irot", &[angle]);
        let ipco = boxed(b"ipco", &[boxed(b"hvcC", &[0; 4]), ispe, irot].concat());
        // Version 0, 1 entry: item 1, 3 associations (1: hvcC essential, 2: ispe, 3: irot).
        let ipma = boxed(b"ipma", &full(&[0, 0, 0, 1, 0, 1, 3, 0x81, 2, 3]));
        let iprp = boxed(b"iprp", &[ipco, ipma].concat());
        let pitm = boxed(b"pitm", &full(&[0, 1]));
        let meta = boxed(b"meta", &full(&[pitm, iprp].concat()));
        [
            boxed(b"ftyp", b"heic\0\0\0\0mif1heic"),
            meta,
            boxed(b"mdat", &[0; 64]),
        ]
        .concat()
    }

    #[test]
    fn the_primary_items_size_and_turn() {
        let upright = probe_bytes(&heic(0));
        assert_eq!(upright.format, Format::Heic);
        assert_eq!(
            (
                upright.width,
                upright.height,
                upright.rotation,
                upright.broken
            ),
            (Some(4032), Some(3024), 0, None)
        );
        // Three quarter-turns anticlockwise is one clockwise: a portrait photo.
        let turned = probe_bytes(&heic(3));
        assert_eq!(
            (turned.width, turned.height, turned.rotation),
            (Some(3024), Some(4032), 90)
        );
        assert_eq!(
            (turned.stored_width, turned.stored_height),
            (Some(4032), Some(3024))
        );
    }

    #[test]
    fn a_heic_cut_in_its_data_is_broken() {
        let whole = heic(0);
        let info = probe_bytes(&whole[..whole.len() - 10]);
        assert_eq!(info.width, Some(4032));
        assert!(info.broken.unwrap().contains("mdat"));
    }
}
