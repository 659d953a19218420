//! Audio files. WAV: the RIFF chunks (a data chunk longer than the file means it was cut). MP3:
//! the Xing/Info or VBRI header's frame count when there is one, else every frame header is
//! counted (a bitrate guess is wrong for VBR). ADTS AAC: frames are counted, 1024 samples each.
//! Only frame headers are read, hopping by each frame's length. The LAME header's encoder delay
//! and padding are taken off an MP3's length, as gapless players do. FLAC: STREAMINFO.

use super::source::{be, Source};
use super::Details;

/// An MPEG audio layer III frame header: (frame length in bytes, samples per frame, sample rate).
pub(super) fn mpeg_frame(header: &[u8]) -> Option<(u64, u64, u32)> {
    let [0xFF, b1, b2, ..] = *header else {
        return None;
    };
    if b1 & 0xE0 != 0xE0 {
        return None;
    }
    let version = (b1 >> 3) & 0b11; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    let layer = (b1 >> 1) & 0b11; // 1: layer III
    let bitrate_index = usize::from(b2 >> 4);
    let rate_index = usize::from((b2 >> 2) & 0b11);
    if version == 1 || layer != 1 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    const MPEG1_KBPS: [u64; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const MPEG2_KBPS: [u64; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    let (kbps, base_rate, samples) = match version {
        3 => (
            MPEG1_KBPS[bitrate_index],
            [44_100, 48_000, 32_000][rate_index],
            1152,
        ),
        2 => (
            MPEG2_KBPS[bitrate_index],
            [22_050, 24_000, 16_000][rate_index],
            576,
        ),
        _ => (
            MPEG2_KBPS[bitrate_index],
            [11_025, 12_000, 8_000][rate_index],
            576,
        ),
    };
    let padding = u64::from((b2 >> 1) & 1);
    let length = samples / 8 * kbps * 1000 / u64::from(base_rate) + padding;
    Some((length, samples, base_rate))
}

/// An ADTS frame header: (frame length in bytes, sample rate).
pub(super) fn adts_frame(header: &[u8]) -> Option<(u64, u32)> {
    let [0xFF, b1, b2, b3, b4, b5, ..] = *header else {
        return None;
    };
    if b1 & 0xF6 != 0xF0 {
        return None;
    }
    const RATES: [u32; 13] = [
        96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025,
        8_000, 7_350,
    ];
    let rate = *RATES.get(usize::from((b2 >> 2) & 0x0F))?;
    let length = (u64::from(b3 & 0x03) << 11) | (u64::from(b4) << 3) | u64::from(b5 >> 5);
    (length >= 7).then_some((length, rate))
}

pub(super) fn wav(source: &Source<'_>) -> Details {
    let mut byte_rate = None;
    let mut codec = None;
    let mut offset = 12u64;
    while let Some(chunk) = source.read(offset, 8) {
        let size = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        let payload = offset + 8;
        match &chunk[..4] {
            b"fmt " => {
                byte_rate = source.le_u32(payload + 8).filter(|r| *r > 0);
                codec = source.read(payload, 16).map(|fmt| wav_codec(&fmt));
            }
            b"data" => {
                let available = source.size() - payload;
                let duration_s = byte_rate.map(|rate| size.min(available) as f64 / f64::from(rate));
                let broken = (size > available).then(|| {
                    format!("the WAV is cut short: its data chunk says {size} bytes, the file holds {available}")
                });
                return Details {
                    duration_s,
                    audio_codec: codec.map(str::to_owned),
                    broken,
                    ..Details::default()
                };
            }
            _ => {}
        }
        offset = payload + size + (size & 1); // chunks are padded to even sizes
    }
    Details::broken("the WAV has no data chunk")
}

/// The codec a WAV's `fmt ` chunk names (its format tag; the extensible format's sub-format
/// starts with the same tag).
fn wav_codec(fmt: &[u8]) -> &'static str {
    let tag = u16::from_le_bytes([fmt[0], fmt[1]]);
    let bits = u16::from_le_bytes([fmt[14], fmt[15]]);
    match (tag, bits) {
        (1 | 0xFFFE, 8) => "pcm_u8",
        (1 | 0xFFFE, 24) => "pcm_s24le",
        (1 | 0xFFFE, 32) => "pcm_s32le",
        (1 | 0xFFFE, _) => "pcm_s16le",
        (3, 64) => "pcm_f64le",
        (3, _) => "pcm_f32le",
        (6, _) => "pcm_alaw",
        (7, _) => "pcm_mulaw",
        (0x11, _) => "adpcm_ima_wav",
        (0x55, _) => "mp3",
        _ => "unknown",
    }
}

/// Where the audio starts after an ID3v2 tag.
fn skip_id3(source: &Source<'_>) -> u64 {
    match source.read(0, 10) {
        Some(h) if &h[..3] == b"ID3" => {
            let size = h[6..10]
                .iter()
                .fold(0u64, |acc, b| (acc << 7) | u64::from(b & 0x7F));
            10 + size + if h[5] & 0x10 != 0 { 10 } else { 0 }
        }
        _ => 0,
    }
}

pub(super) fn mp3(source: &Source<'_>) -> Details {
    let start = skip_id3(source);
    // The first frame may follow a few bytes of padding after the tag.
    let first =
        (start..start + 4096).find(|at| source.read(*at, 4).and_then(|h| mpeg_frame(&h)).is_some());
    let Some(first) = first else {
        return Details::broken("no MPEG audio frame was found after the tag");
    };
    let Some((length, samples, rate)) = source.read(first, 4).and_then(|h| mpeg_frame(&h)) else {
        return Details::default();
    };
    let seconds = |samples: u64| Some(samples as f64 / f64::from(rate));
    if let Some(header) = vbr_header(source, first, length) {
        // The encoder's delay and padding are not part of the sound (gapless playback drops them).
        let total = header.frames * samples;
        return Details {
            duration_s: seconds(total.saturating_sub(header.delay + header.padding)),
            audio_codec: Some("mp3".to_owned()),
            ..Details::default()
        };
    }
    let (mut frames, mut offset) = (0u64, first);
    while let Some((length, _, _)) = source.read(offset, 4).and_then(|h| mpeg_frame(&h)) {
        if offset + length > source.size() {
            break; // a last frame cut short is not audio
        }
        frames += 1;
        offset += length;
    }
    Details {
        duration_s: seconds(frames * samples),
        audio_codec: Some("mp3".to_owned()),
        ..Details::default()
    }
}

/// What a Xing/Info (with its LAME extension) or VBRI header says of the whole stream.
struct VbrHeader {
    frames: u64,
    /// Samples the encoder added before and after the sound (LAME's gapless fields).
    delay: u64,
    padding: u64,
}

/// The Xing/Info header sits after the side information, the VBRI header at 36.
fn vbr_header(source: &Source<'_>, frame: u64, length: u64) -> Option<VbrHeader> {
    let bytes = source.read(frame, length.min(400) as usize)?;
    let mpeg1 = (bytes[1] >> 3) & 0b11 == 3;
    let mono = bytes[3] >> 6 == 3;
    let side_info = match (mpeg1, mono) {
        (true, false) => 32,
        (true, true) | (false, false) => 17,
        (false, true) => 9,
    };
    let xing = 4 + side_info;
    if let Some(tag) = bytes.get(xing..xing + 8) {
        if &tag[..4] == b"Xing" || &tag[..4] == b"Info" {
            let flags = u32::from_be_bytes([tag[4], tag[5], tag[6], tag[7]]);
            let frames = (flags & 1 != 0)
                .then(|| be(&bytes, xing + 8, 4))
                .flatten()
                .filter(|n| *n > 0)?;
            // Optional fields after the flags: frames (4), bytes (4), table of contents (100),
            // quality (4); then the LAME extension, whose delay and padding are 12 bits each at 21.
            let lame = xing
                + 8
                + [(1, 4), (2, 4), (4, 100), (8, 4)]
                    .iter()
                    .filter(|(flag, _)| flags & flag != 0)
                    .map(|(_, width)| width)
                    .sum::<usize>();
            // LAME writes its name there; ffmpeg's encoder writes "Lavc"/"Lavf" in the same layout.
            let encoder = bytes.get(lame..lame + 4);
            let gapless = matches!(encoder, Some(b"LAME" | b"Lavc" | b"Lavf"))
                .then(|| be(&bytes, lame + 21, 3))
                .flatten()
                .unwrap_or(0);
            return Some(VbrHeader {
                frames,
                delay: gapless >> 12,
                padding: gapless & 0xFFF,
            });
        }
    }
    let vbri = bytes.get(36..54)?;
    (&vbri[..4] == b"VBRI").then(|| VbrHeader {
        frames: u64::from(u32::from_be_bytes([vbri[14], vbri[15], vbri[16], vbri[17]])),
        delay: 0,
        padding: 0,
    })
}

pub(super) fn adts(source: &Source<'_>) -> Details {
    let (mut frames, mut offset, mut rate) = (0u64, 0u64, 0u32);
    while let Some((length, frame_rate)) = source.read(offset, 7).and_then(|h| adts_frame(&h)) {
        if offset + length > source.size() {
            break;
        }
        frames += 1;
        rate = frame_rate;
        offset += length;
    }
    Details {
        duration_s: (rate > 0).then(|| frames as f64 * 1024.0 / f64::from(rate)),
        audio_codec: Some("aac".to_owned()),
        ..Details::default()
    }
}

/// FLAC: the STREAMINFO block gives the sample rate and the total of samples; the metadata blocks
/// are walked to find where the frames start (a block past the end means the file was cut).
pub(super) fn flac(source: &Source<'_>) -> Details {
    let mut details = Details {
        audio_codec: Some("flac".to_owned()),
        ..Details::default()
    };
    let mut offset = 4u64;
    loop {
        let Some(header) = source.read(offset, 4) else {
            details.broken = Some("the FLAC is cut short inside its metadata".to_owned());
            return details;
        };
        let length = be(&header, 1, 3).unwrap_or(0);
        let payload = offset + 4;
        if header[0] & 0x7F == 0 {
            if let Some(info) = source.read(payload, 18) {
                // Bits: sample rate (20), channels - 1 (3), bits per sample - 1 (5), samples (36).
                let packed = be(&info, 10, 8).unwrap_or(0);
                let rate = packed >> 44;
                let samples = packed & 0xF_FFFF_FFFF;
                details.duration_s =
                    (rate > 0 && samples > 0).then(|| samples as f64 / rate as f64);
            }
        }
        if payload + length > source.size() {
            details.broken = Some(format!(
                "the FLAC is cut short: a metadata block needs {} bytes past the end",
                payload + length - source.size()
            ));
            return details;
        }
        offset = payload + length;
        if header[0] & 0x80 != 0 {
            break; // the last metadata block
        }
    }
    // The first audio frame starts with the 14-bit sync code 0x3FFE.
    if source
        .read(offset, 2)
        .is_none_or(|sync| sync[0] != 0xFF || sync[1] & 0xFC != 0xF8)
    {
        details.broken = Some("the FLAC has no audio frames after its metadata".to_owned());
    }
    details
}

#[cfg(test)]
mod tests {
    use super::super::probe_bytes;
    use super::*;

    #[test]
    fn wav_duration_and_cut_data() {
        let mut wav =
            b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x80\x3e\0\0\x02\0\x10\0data"
                .to_vec();
        wav.extend_from_slice(&16_000u32.to_le_bytes());
        wav.extend(vec![0u8; 16_000]);
        let whole = probe_bytes(&wav);
        assert_eq!((whole.duration_s, whole.broken), (Some(1.0), None));
        let cut = probe_bytes(&wav[..wav.len() - 6_000]);
        assert!(cut.broken.unwrap().contains("data chunk says 16000 bytes"));
    }

    #[test]
    fn mp3_frames_are_counted() {
        // MPEG-1 layer III, 128 kbps, 44.1 kHz, no padding: 417 bytes and 1152 samples a frame.
        let frame = {
            let mut f = vec![0xFF, 0xFB, 0x90, 0x00];
            f.resize(417, 0);
            f
        };
        assert_eq!(mpeg_frame(&frame), Some((417, 1152, 44_100)));
        let file: Vec<u8> = frame.iter().copied().cycle().take(417 * 100).collect();
        let seconds = probe_bytes(&file).duration_s.unwrap();
        assert!(
            (seconds - 100.0 * 1152.0 / 44_100.0).abs() < 1e-9,
            "{seconds}"
        );
    }

    #[test]
    fn adts_frames_are_counted() {
        // AAC LC, 44.1 kHz, stereo, 200-byte frames.
        let mut frame = vec![0xFF, 0xF1, 0x50, 0x80, 0x19, 0x1F, 0xFC];
        frame.resize(200, 0);
        assert_eq!(adts_frame(&frame), Some((200, 44_100)));
        let file: Vec<u8> = frame.iter().copied().cycle().take(200 * 43).collect();
        let seconds = probe_bytes(&file).duration_s.unwrap();
        assert!((seconds - 43.0 * 1024.0 / 44_100.0).abs() < 1e-9);
    }
}
