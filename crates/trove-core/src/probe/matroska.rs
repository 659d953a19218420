//! Matroska and WebM: the EBML elements of the Segment are walked by their sizes. The duration is
//! `Info/Duration` × `TimecodeScale`; a file written live has none, and then the clusters are
//! scanned block header by block header (never the frames) for the last timestamp. An element
//! that runs past the end of the file means the file was cut (for instance mid-cluster). Codec
//! names come from the tracks' CodecIDs.

use super::source::Source;
use super::{Details, Format};

const EBML: u64 = 0x1A45_DFA3;
const SEGMENT: u64 = 0x1853_8067;
const INFO: u64 = 0x1549_A966;
const TRACKS: u64 = 0x1654_AE6B;
const CLUSTER: u64 = 0x1F43_B675;
const TIMECODE_SCALE: u64 = 0x2A_D7B1;
const DURATION: u64 = 0x4489;
const TRACK_ENTRY: u64 = 0xAE;
const TRACK_TYPE: u64 = 0x83;
const CODEC_ID: u64 = 0x86;
const VIDEO: u64 = 0xE0;
const PIXEL_WIDTH: u64 = 0xB0;
const PIXEL_HEIGHT: u64 = 0xBA;
const CLUSTER_TIMECODE: u64 = 0xE7;
const SIMPLE_BLOCK: u64 = 0xA3;
const BLOCK_GROUP: u64 = 0xA0;
const BLOCK: u64 = 0xA1;
/// Elements that may sit inside a Cluster; anything else ends a cluster of unknown size.
const CLUSTER_CHILDREN: [u64; 7] = [
    CLUSTER_TIMECODE,
    0x5854,
    0xA7,
    0xAB,
    SIMPLE_BLOCK,
    BLOCK_GROUP,
    0xAF,
];
/// Info and Tracks larger than this are not read.
const MAX_HEADER_ELEMENT: u64 = 1024 * 1024;

pub(super) fn doc_type_format(head: &[u8]) -> Format {
    let header = &head[..head.len().min(64)];
    if header.windows(4).any(|w| w == b"webm") {
        Format::Webm
    } else {
        Format::Mkv
    }
}

/// A variable-length integer: (value, length). IDs keep their marker bit; sizes drop it, and a
/// size of all ones is "unknown" (`None`).
fn vint(source: &Source<'_>, offset: u64, keep_marker: bool) -> Option<(Option<u64>, u64)> {
    let first = source.u8_at(offset)?;
    let length = first.leading_zeros() as u64 + 1;
    if length > 8 {
        return None;
    }
    let bytes = source.read(offset, length as usize)?;
    let mut value = if keep_marker {
        u64::from(first)
    } else {
        u64::from(first) & (0xFF >> length)
    };
    for byte in &bytes[1..] {
        value = (value << 8) | u64::from(*byte);
    }
    let all_ones = (1u64 << (7 * length)) - 1;
    Some(((keep_marker || value != all_ones).then_some(value), length))
}

struct Element {
    id: u64,
    payload: u64,
    /// `None` for an element of unknown size (live streams).
    size: Option<u64>,
}

fn element(source: &Source<'_>, offset: u64) -> Option<Element> {
    let (id, id_len) = vint(source, offset, true)?;
    let (size, size_len) = vint(source, offset + id_len, false)?;
    Some(Element {
        id: id?,
        payload: offset + id_len + size_len,
        size,
    })
}

/// Children of an element held in memory: (id, payload).
fn children(bytes: &[u8]) -> Vec<(u64, &[u8])> {
    let source = Source::new(&bytes);
    let mut found = Vec::new();
    let mut offset = 0u64;
    while let Some(e) = element(&source, offset) {
        let Some(size) = e.size else { break };
        let (start, end) = (e.payload as usize, e.payload.saturating_add(size) as usize);
        let Some(payload) = bytes.get(start..end) else {
            break;
        };
        found.push((e.id, payload));
        offset = end as u64;
    }
    found
}

fn uint(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take(8)
        .fold(0, |acc, b| (acc << 8) | u64::from(*b))
}

fn float(bytes: &[u8]) -> Option<f64> {
    match bytes.len() {
        4 => Some(f64::from(f32::from_be_bytes(bytes.try_into().ok()?))),
        8 => Some(f64::from_be_bytes(bytes.try_into().ok()?)),
        _ => None,
    }
}

pub(super) fn probe(source: &Source<'_>) -> Details {
    let len = source.size();
    let Some(header) = element(source, 0).filter(|e| e.id == EBML) else {
        return Details::broken("the EBML header is unreadable");
    };
    let segment_at = header.payload + header.size.unwrap_or(0);
    let Some(segment) = element(source, segment_at).filter(|e| e.id == SEGMENT) else {
        return Details::broken("the file has no Segment after its EBML header");
    };
    let segment_end = match segment.size {
        Some(size) if segment.payload + size > len => {
            return Details::broken(format!(
                "the file is cut short: its Segment needs {} bytes past the end",
                segment.payload + size - len
            ));
        }
        Some(size) => segment.payload + size,
        None => len,
    };
    let mut details = Details::default();
    let (mut scale, mut duration) = (1_000_000u64, None);
    let mut last_timecode: Option<u64> = None;
    let mut offset = segment.payload;
    while offset < segment_end {
        let Some(e) = element(source, offset) else {
            details.broken = Some(format!(
                "the file is cut short inside an element header at offset {offset}"
            ));
            break;
        };
        if e.id == CLUSTER {
            match scan_cluster(source, &e, segment_end, duration.is_none()) {
                Ok((end, timecode)) => {
                    last_timecode = last_timecode.max(timecode);
                    offset = end;
                    continue;
                }
                Err(reason) => {
                    details.broken = Some(reason);
                    break;
                }
            }
        }
        let Some(size) = e.size else {
            details.broken = Some("an element other than a Cluster has an unknown size".to_owned());
            break;
        };
        let end = e.payload.saturating_add(size);
        if end > segment_end {
            details.broken = Some(format!(
                "the file is cut short: element {:X} needs {} bytes past the end",
                e.id,
                end - segment_end
            ));
            break;
        }
        if (e.id == INFO || e.id == TRACKS) && size <= MAX_HEADER_ELEMENT {
            let payload = source.read(e.payload, size as usize).unwrap_or_default();
            if e.id == INFO {
                for (id, value) in children(&payload) {
                    match id {
                        TIMECODE_SCALE if uint(value) > 0 => scale = uint(value),
                        DURATION => duration = float(value).filter(|d| d.is_finite() && *d > 0.0),
                        _ => {}
                    }
                }
            } else {
                read_tracks(&payload, &mut details);
            }
        }
        offset = end;
    }
    let ticks = duration.or(last_timecode.map(|t| t as f64));
    details.duration_s = ticks.map(|t| t * scale as f64 / 1e9);
    details
}

/// The first video track's pixel size and codec, and the first audio track's codec.
fn read_tracks(tracks: &[u8], details: &mut Details) {
    for (_, entry) in children(tracks)
        .into_iter()
        .filter(|(id, _)| *id == TRACK_ENTRY)
    {
        let fields = children(entry);
        let field = |want| fields.iter().find(|(id, _)| *id == want).map(|(_, v)| *v);
        let codec = field(CODEC_ID).map(codec_name);
        match field(TRACK_TYPE).map(uint) {
            Some(1) if details.video_codec.is_none() => {
                details.video_codec = codec;
                if let Some(video) = field(VIDEO) {
                    let video = children(video);
                    let get = |want| {
                        video
                            .iter()
                            .find(|(id, _)| *id == want)
                            .and_then(|(_, v)| u32::try_from(uint(v)).ok())
                            .filter(|n| *n > 0)
                    };
                    (details.width, details.height) = (get(PIXEL_WIDTH), get(PIXEL_HEIGHT));
                }
            }
            Some(2) if details.audio_codec.is_none() => details.audio_codec = codec,
            _ => {}
        }
    }
}

/// A Matroska CodecID (`V_VP9`, `A_OPUS`, ...) as ffprobe names the codec.
fn codec_name(id: &[u8]) -> String {
    let id = String::from_utf8_lossy(id);
    let id = id.trim_end_matches('\0');
    let name = match id {
        "V_VP8" => "vp8",
        "V_VP9" => "vp9",
        "V_AV1" => "av1",
        "V_MPEG4/ISO/AVC" => "h264",
        "V_MPEGH/ISO/HEVC" => "hevc",
        "V_MPEG4/ISO/ASP" | "V_MPEG4/ISO/SP" => "mpeg4",
        "V_THEORA" => "theora",
        "A_OPUS" => "opus",
        "A_VORBIS" => "vorbis",
        "A_FLAC" => "flac",
        "A_MPEG/L3" => "mp3",
        "A_AC3" => "ac3",
        "A_EAC3" => "eac3",
        "A_PCM/INT/LIT" => "pcm_s16le",
        "A_PCM/FLOAT/IEEE" => "pcm_f32le",
        aac if aac.starts_with("A_AAC") => "aac",
        other => return other.to_ascii_lowercase(),
    };
    name.to_owned()
}

/// Walks one cluster: returns where it ends and, when asked, its last block's timestamp.
fn scan_cluster(
    source: &Source<'_>,
    cluster: &Element,
    limit: u64,
    want_time: bool,
) -> Result<(u64, Option<u64>), String> {
    let end = match cluster.size {
        Some(size) if cluster.payload.saturating_add(size) > limit => {
            return Err("the file is cut short mid-cluster".to_owned());
        }
        Some(size) if !want_time => return Ok((cluster.payload + size, None)),
        Some(size) => cluster.payload + size,
        None => limit,
    };
    let (mut base, mut last) = (0u64, None);
    let mut offset = cluster.payload;
    while offset < end {
        let Some(e) = element(source, offset) else {
            return Err("the file is cut short mid-cluster".to_owned());
        };
        if cluster.size.is_none() && !CLUSTER_CHILDREN.contains(&e.id) {
            break; // the next top-level element: this live cluster ends here
        }
        let size = e
            .size
            .ok_or_else(|| "a block has an unknown size".to_owned())?;
        let child_end = e.payload.saturating_add(size);
        if child_end > end {
            return Err("the file is cut short mid-cluster".to_owned());
        }
        match e.id {
            CLUSTER_TIMECODE => {
                base = uint(
                    &source
                        .read(e.payload, size.min(8) as usize)
                        .unwrap_or_default(),
                )
            }
            SIMPLE_BLOCK => last = last.max(block_time(source, e.payload, base)),
            BLOCK_GROUP => {
                let group = source
                    .read(e.payload, size.min(MAX_HEADER_ELEMENT) as usize)
                    .unwrap_or_default();
                if let Some((_, block)) = children(&group).into_iter().find(|(id, _)| *id == BLOCK)
                {
                    let relative = block_relative_time(block);
                    last = last.max(relative.map(|r| base.saturating_add_signed(r)));
                }
            }
            _ => {}
        }
        offset = child_end;
    }
    Ok((offset, last))
}

fn block_time(source: &Source<'_>, payload: u64, base: u64) -> Option<u64> {
    let head = source.read(payload, 10.min((source.size() - payload) as usize))?;
    block_relative_time(&head).map(|r| base.saturating_add_signed(r))
}

/// A block starts with its track number (a vint) and a signed 16-bit time relative to the cluster.
fn block_relative_time(block: &[u8]) -> Option<i64> {
    let track_len = block.first()?.leading_zeros() as usize + 1;
    let bytes = block.get(track_len..track_len + 2)?;
    Some(i64::from(i16::from_be_bytes([bytes[0], bytes[1]])))
}
