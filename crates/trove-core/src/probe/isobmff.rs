//! ISO base media files (MP4, MOV, M4A, HEIC): the top-level boxes are walked by their sizes (a box
//! that runs past the end means the file was cut), `moov` is read wherever it is (start or end),
//! and the duration comes from `mvhd` (which already accounts for edit lists), or, for fragmented
//! files whose `mvhd` says 0, from `mehd` or the sum of the fragments' sample durations. Codec
//! names come from each track's first sample description. HEIF images have a `meta` box instead
//! of `moov` ([`super::heif`]).

use super::source::{be, Source};
use super::{heif, Details, Format};

/// A `moov` larger than this is not read (real ones are kilobytes to a few megabytes).
const MAX_MOOV: u64 = 64 * 1024 * 1024;
/// Fragments are small; a `moof` larger than this is skipped.
const MAX_MOOF: u64 = 4 * 1024 * 1024;
/// Top-level boxes walked at most (fragmented files have two per fragment).
const MAX_TOP_BOXES: usize = 200_000;

pub(super) fn brand_format(head: &[u8]) -> Format {
    let brands: Vec<&[u8]> = head
        .get(8..head.len().min(64))
        .unwrap_or_default()
        .chunks(4)
        .collect();
    let major = brands.first().copied().unwrap_or_default();
    match major {
        b"qt  " => Format::Mov,
        b"M4A " | b"M4B " => Format::M4a,
        b"heic" | b"heix" | b"mif1" | b"msf1" | b"heis" | b"avif" => Format::Heic,
        _ => Format::Mp4,
    }
}

/// One box: where its payload starts and ends, and its type.
struct BoxHeader {
    kind: [u8; 4],
    payload: u64,
    end: u64,
}

fn box_at(source: &Source<'_>, offset: u64, limit: u64) -> Result<Option<BoxHeader>, String> {
    if offset + 8 > limit {
        return Ok(None);
    }
    let Some(header) = source.read(offset, 8) else {
        return Err(format!(
            "the file is cut short inside a box header at offset {offset}"
        ));
    };
    let kind = [header[4], header[5], header[6], header[7]];
    let size = be(&header, 0, 4).unwrap_or(0);
    let (payload, end) = match size {
        0 => (offset + 8, limit),
        1 => {
            let large = source
                .read(offset + 8, 8)
                .and_then(|b| be(&b, 0, 8))
                .ok_or_else(|| "the file is cut short inside a box header".to_owned())?;
            (offset + 16, offset.saturating_add(large))
        }
        n => (offset + 8, offset + n),
    };
    if end < payload {
        return Err(format!(
            "box {} at offset {offset} has an impossible size",
            String::from_utf8_lossy(&kind)
        ));
    }
    if end > limit {
        return Err(format!(
            "the file is cut short: box {} needs {} bytes past the end",
            String::from_utf8_lossy(&kind),
            end - limit
        ));
    }
    Ok(Some(BoxHeader { kind, payload, end }))
}

/// Children of a box held in memory.
pub(super) fn children(bytes: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut offset = 0usize;
    std::iter::from_fn(move || {
        let size = be(bytes, offset, 4)? as usize;
        let kind: [u8; 4] = bytes.get(offset + 4..offset + 8)?.try_into().ok()?;
        let (start, end) = match size {
            1 => (
                offset + 16,
                offset.checked_add(be(bytes, offset + 8, 8)? as usize)?,
            ),
            0 => (offset + 8, bytes.len()),
            n => (offset + 8, offset.checked_add(n)?),
        };
        let payload = bytes.get(start..end)?;
        offset = end;
        Some((kind, payload))
    })
}

pub(super) fn child<'a>(bytes: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    children(bytes).find(|(k, _)| k == kind).map(|(_, p)| p)
}

pub(super) fn probe(source: &Source<'_>) -> Details {
    let mut moov = None;
    let mut meta = None;
    let mut moofs = Vec::new();
    let mut offset = 0;
    for _ in 0..MAX_TOP_BOXES {
        match box_at(source, offset, source.size()) {
            Ok(Some(header)) => {
                let length = header.end - header.payload;
                if &header.kind == b"moov" && length <= MAX_MOOV {
                    moov = source.read(header.payload, length as usize);
                } else if &header.kind == b"meta" && length <= MAX_MOOV {
                    meta = source.read(header.payload, length as usize);
                } else if &header.kind == b"moof" && length <= MAX_MOOF {
                    moofs.push((header.payload, length));
                }
                offset = header.end;
            }
            Ok(None) => break,
            Err(reason) => {
                let mut details = match (&moov, &meta) {
                    (Some(moov), _) => parse_moov(moov),
                    (None, Some(meta)) => heif::parse_meta(meta),
                    (None, None) => Details::default(),
                };
                details.broken = Some(reason);
                return details;
            }
        }
    }
    let Some(moov) = moov else {
        return match meta {
            Some(meta) => heif::parse_meta(&meta),
            None => Details::broken("the file has no movie header (moov box)"),
        };
    };
    let mut details = parse_moov(&moov);
    if details.duration_s.is_none() && !moofs.is_empty() {
        details.duration_s = fragments_duration(source, &moov, &moofs);
    }
    details
}

/// Movie duration, and the first video track's size and rotation.
fn parse_moov(moov: &[u8]) -> Details {
    let mut details = Details::default();
    if let Some(mvhd) = child(moov, b"mvhd") {
        let (scale, duration) = match mvhd.first() {
            Some(1) => (be(mvhd, 20, 4), be(mvhd, 24, 8)),
            _ => (be(mvhd, 12, 4), be(mvhd, 16, 4)),
        };
        if let (Some(scale), Some(duration)) = (scale, duration) {
            // All ones means "unknown"; zero is what fragmented files write.
            if scale > 0 && duration > 0 && duration != u64::from(u32::MAX) && duration != u64::MAX
            {
                details.duration_s = Some(duration as f64 / scale as f64);
            }
        }
    }
    if details.duration_s.is_none() {
        details.duration_s = fragment_total_from_mehd(moov);
    }
    for (_, trak) in children(moov).filter(|(k, _)| k == b"trak") {
        let mdia = child(trak, b"mdia");
        let handler = mdia
            .and_then(|mdia| child(mdia, b"hdlr"))
            .and_then(|h| h.get(8..12));
        let codec = mdia.and_then(sample_entry_codec);
        match handler {
            Some(b"soun") if details.audio_codec.is_none() => details.audio_codec = codec,
            Some(b"vide") if details.video_codec.is_none() => {
                details.video_codec = codec;
                if let Some(tkhd) = child(trak, b"tkhd") {
                    (details.width, details.height, details.rotation) = track_picture(tkhd);
                }
            }
            _ => {}
        }
    }
    details
}

/// A video track's stored size and the clockwise turn its matrix asks for.
fn track_picture(tkhd: &[u8]) -> (Option<u32>, Option<u32>, u16) {
    let base = if tkhd.first() == Some(&1) { 12 } else { 0 };
    // The matrix is {a b u, c d v, x y w}; a, b, c and d say the turn.
    let matrix: Vec<i64> = [0, 1, 3, 4]
        .iter()
        .filter_map(|i| be(tkhd, base + 40 + i * 4, 4).map(|v| i64::from(v as u32 as i32)))
        .collect();
    let rotation = match matrix.as_slice() {
        [0, b, c, 0] if *b > 0 && *c < 0 => 90,
        [a, 0, 0, d] if *a < 0 && *d < 0 => 180,
        [0, b, c, 0] if *b < 0 && *c > 0 => 270,
        _ => 0,
    };
    let width = be(tkhd, base + 76, 4)
        .map(|w| (w >> 16) as u32)
        .filter(|w| *w > 0);
    let height = be(tkhd, base + 80, 4)
        .map(|h| (h >> 16) as u32)
        .filter(|h| *h > 0);
    (width, height, rotation)
}

/// The codec of a track's first sample description (`stsd`), as ffprobe names it.
fn sample_entry_codec(mdia: &[u8]) -> Option<String> {
    let stsd = child(mdia, b"minf")
        .and_then(|minf| child(minf, b"stbl"))
        .and_then(|stbl| child(stbl, b"stsd"))?;
    // Full box header (4) and entry count (4), then sample entries as boxes.
    let (fourcc, entry) = children(stsd.get(8..)?).next()?;
    let name = match &fourcc {
        b"avc1" | b"avc3" => "h264",
        b"hvc1" | b"hev1" => "hevc",
        b"av01" => "av1",
        b"vp09" => "vp9",
        b"vp08" => "vp8",
        b"mp4v" => "mpeg4",
        b"jpeg" | b"mjpa" => "mjpeg",
        b"apch" | b"apcn" | b"apcs" | b"apco" | b"ap4h" => "prores",
        b"Opus" => "opus",
        b"fLaC" => "flac",
        b"alac" => "alac",
        b"ac-3" => "ac3",
        b"ec-3" => "eac3",
        b"sowt" => "pcm_s16le",
        b"twos" => "pcm_s16be",
        b".mp3" => "mp3",
        b"mp4a" => mp4a_codec(entry),
        other => return Some(String::from_utf8_lossy(other).trim().to_owned()),
    };
    Some(name.to_owned())
}

/// `mp4a` holds AAC or MP3: the elementary stream descriptor's object type says which.
fn mp4a_codec(entry: &[u8]) -> &'static str {
    // An audio sample entry (version 0) is 28 bytes before its child boxes.
    let object_type = entry
        .get(28..)
        .and_then(|rest| child(rest, b"esds"))
        .and_then(esds_object_type);
    match object_type {
        Some(0x69 | 0x6B) => "mp3",
        _ => "aac",
    }
}

/// The object type of an `esds` box: ES_Descriptor (tag 3) → DecoderConfigDescriptor (tag 4).
fn esds_object_type(esds: &[u8]) -> Option<u8> {
    // A descriptor is a tag, a length of 1-4 bytes with continuation bits, then its payload.
    let payload = |at: usize, tag: u8| -> Option<usize> {
        (*esds.get(at)? == tag).then_some(())?;
        let mut i = at + 1;
        for _ in 0..4 {
            if esds.get(i)? & 0x80 == 0 {
                break;
            }
            i += 1;
        }
        Some(i + 1)
    };
    let es = payload(4, 3)?;
    let flags = *esds.get(es + 2)?;
    let mut at = es + 3;
    if flags & 0x80 != 0 {
        at += 2; // depends on another stream
    }
    if flags & 0x40 != 0 {
        at += 1 + usize::from(*esds.get(at)?); // URL
    }
    if flags & 0x20 != 0 {
        at += 2; // OCR stream
    }
    esds.get(payload(at, 4)?).copied()
}

fn fragment_total_from_mehd(moov: &[u8]) -> Option<f64> {
    let mehd = child(moov, b"mvex").and_then(|mvex| child(mvex, b"mehd"))?;
    let duration = if mehd.first() == Some(&1) {
        be(mehd, 4, 8)?
    } else {
        be(mehd, 4, 4)?
    };
    let mvhd = child(moov, b"mvhd")?;
    let scale = if mvhd.first() == Some(&1) {
        be(mvhd, 20, 4)?
    } else {
        be(mvhd, 12, 4)?
    };
    (scale > 0 && duration > 0).then(|| duration as f64 / scale as f64)
}

/// The sum of one track's sample durations over every fragment, in that track's timescale.
fn fragments_duration(source: &Source<'_>, moov: &[u8], moofs: &[(u64, u64)]) -> Option<f64> {
    let trak = children(moov).find(|(k, _)| k == b"trak").map(|(_, t)| t)?;
    let track_id = child(trak, b"tkhd").and_then(|t| {
        if t.first() == Some(&1) {
            be(t, 20, 4)
        } else {
            be(t, 12, 4)
        }
    })?;
    let mdhd = child(trak, b"mdia").and_then(|m| child(m, b"mdhd"))?;
    let scale = if mdhd.first() == Some(&1) {
        be(mdhd, 20, 4)?
    } else {
        be(mdhd, 12, 4)?
    };
    let trex_default = child(moov, b"mvex")
        .and_then(|mvex| {
            children(mvex)
                .find(|(k, p)| k == b"trex" && be(p, 4, 4) == Some(track_id))
                .map(|(_, p)| p)
        })
        .and_then(|trex| be(trex, 12, 4))
        .unwrap_or(0);
    let mut total = 0u64;
    for (payload, length) in moofs {
        let moof = source.read(*payload, *length as usize)?;
        for (_, traf) in children(&moof).filter(|(k, _)| k == b"traf") {
            let Some(tfhd) = child(traf, b"tfhd") else {
                continue;
            };
            if be(tfhd, 4, 4) != Some(track_id) {
                continue;
            }
            let flags = be(tfhd, 1, 3)?;
            // tfhd optional fields, in order: base offset (8), description index (4), duration (4).
            let mut at = 8;
            at += if flags & 0x01 != 0 { 8 } else { 0 };
            at += if flags & 0x02 != 0 { 4 } else { 0 };
            let default_duration = if flags & 0x08 != 0 {
                be(tfhd, at, 4)?
            } else {
                trex_default
            };
            for (_, trun) in children(traf).filter(|(k, _)| k == b"trun") {
                total = total.saturating_add(trun_duration(trun, default_duration)?);
            }
        }
    }
    (scale > 0 && total > 0).then(|| total as f64 / scale as f64)
}

fn trun_duration(trun: &[u8], default_duration: u64) -> Option<u64> {
    let flags = be(trun, 1, 3)?;
    let count = be(trun, 4, 4)?;
    if flags & 0x100 == 0 {
        return Some(count.saturating_mul(default_duration));
    }
    let mut at = 8 + if flags & 0x01 != 0 { 4 } else { 0 } + if flags & 0x04 != 0 { 4 } else { 0 };
    let per_sample = [0x100, 0x200, 0x400, 0x800]
        .iter()
        .filter(|f| flags & **f != 0)
        .count()
        * 4;
    let mut total = 0u64;
    for _ in 0..count.min(trun.len() as u64) {
        total = total.saturating_add(be(trun, at, 4)?);
        at += per_sample;
    }
    Some(total)
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::probe_bytes;

    pub(crate) fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut bytes = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        bytes.extend_from_slice(kind);
        bytes.extend_from_slice(payload);
        bytes
    }

    /// A version 0 movie header with this timescale and duration.
    fn mvhd(scale: u32, duration: u32) -> Vec<u8> {
        let mut payload = vec![0u8; 100];
        payload[12..16].copy_from_slice(&scale.to_be_bytes());
        payload[16..20].copy_from_slice(&duration.to_be_bytes());
        payload
    }

    #[test]
    fn a_box_past_the_end_is_a_cut_file() {
        let mut file = boxed(b"ftyp", b"isom\0\0\0\0isom");
        file.extend(boxed(b"moov", &boxed(b"mvhd", &mvhd(1000, 2500))));
        let mut mdat = boxed(b"mdat", &[0u8; 100]);
        mdat.truncate(60);
        file.extend(mdat);
        let info = probe_bytes(&file);
        assert!(info.broken.as_deref().unwrap().contains("mdat"), "{info:?}");
        assert_eq!(
            info.duration_s,
            Some(2.5),
            "what was read is still reported"
        );
    }

    #[test]
    fn moov_at_the_end_is_found() {
        let mut file = boxed(b"ftyp", b"isom\0\0\0\0isom");
        file.extend(boxed(b"mdat", &[0u8; 5000]));
        file.extend(boxed(b"moov", &boxed(b"mvhd", &mvhd(600, 1800))));
        let info = probe_bytes(&file);
        assert_eq!((info.duration_s, info.broken), (Some(3.0), None));
    }

    #[test]
    fn no_moov_is_broken() {
        let file = [boxed(b"ftyp", b"isom\0\0\0\0isom"), boxed(b"free", &[0; 8])].concat();
        assert!(probe_bytes(&file).broken.unwrap().contains("moov"));
    }
}
