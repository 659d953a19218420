//! Audio as a waveform: the samples are decoded with `symphonia` (MP3, AAC in ADTS or MP4, WAV,
//! FLAC), reduced to the loudest sample of every 10 ms, and drawn as one bar per column on a
//! transparent background (so the tile's own colours show through, light or dark).

use std::path::Path;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::DecoderOptions;
use symphonia::core::errors::Error as AudioError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use super::{Limits, Pixels, ThumbError};
use crate::probe::Format;

/// The bars' colour: readable on the light and the dark tile alike.
const BAR: [u8; 3] = [88, 112, 176];

pub(super) fn render(
    path: &Path,
    format: Format,
    side: u32,
    limits: &Limits,
) -> Result<Pixels, ThumbError> {
    let peaks = peaks(path, format, limits)?;
    Ok(draw(&peaks, side, (side / 2).max(1)))
}

/// The loudest |sample| (0 to 1) of each 10 ms of the sound.
fn peaks(path: &Path, format: Format, limits: &Limits) -> Result<Vec<f32>, ThumbError> {
    let failed = |detail: String| ThumbError::Decode {
        path: path.to_owned(),
        format: format.name(),
        detail,
    };
    let file = std::fs::File::open(path).map_err(|cause| ThumbError::Read {
        path: path.to_owned(),
        cause,
    })?;
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    hint.with_extension(match format {
        Format::Aac => "aac",
        Format::M4a => "m4a",
        other => other.name(),
    });
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            stream,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| failed(e.to_string()))?;
    let mut reader = probed.format;
    let track = reader
        .default_track()
        .ok_or_else(|| failed("no audio track".to_owned()))?;
    let track_id = track.id;
    let rate = track.codec_params.sample_rate.unwrap_or(44_100).max(1);
    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .map_err(|e| failed(e.to_string()))?;
    let window = (rate / 100).max(1) as usize;
    let most_frames = limits.max_audio.as_secs().saturating_mul(u64::from(rate));
    let (mut peaks, mut current, mut filled, mut frames) = (Vec::new(), 0f32, 0usize, 0u64);
    let mut buffer: Option<SampleBuffer<f32>> = None;
    while frames < most_frames {
        let packet = match reader.next_packet() {
            Ok(packet) => packet,
            Err(AudioError::IoError(_)) => break, // the end (or a cut file: what was read counts)
            Err(error) => return Err(failed(error.to_string())),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(decoded) => decoded,
            Err(AudioError::DecodeError(_)) => continue, // one bad frame is skipped, as players do
            Err(error) => return Err(failed(error.to_string())),
        };
        let spec = *decoded.spec();
        let channels = spec.channels.count().max(1);
        let samples =
            buffer.get_or_insert_with(|| SampleBuffer::new(decoded.capacity() as u64, spec));
        if samples.capacity() < decoded.capacity() * channels {
            *samples = SampleBuffer::new(decoded.capacity() as u64, spec);
        }
        samples.copy_interleaved_ref(decoded);
        for frame in samples.samples().chunks(channels) {
            let loudest = frame.iter().fold(0f32, |m, s| m.max(s.abs()));
            current = current.max(loudest);
            filled += 1;
            if filled == window {
                peaks.push(current.min(1.0));
                (current, filled) = (0.0, 0);
            }
        }
        frames += (samples.len() / channels) as u64;
    }
    if filled > 0 {
        peaks.push(current.min(1.0));
    }
    if peaks.is_empty() {
        return Err(failed("no samples could be decoded".to_owned()));
    }
    Ok(peaks)
}

/// One bar per column, mirrored about the middle, its height the loudest peak the column covers.
fn draw(peaks: &[f32], width: u32, height: u32) -> Pixels {
    let (w, h) = (width as usize, height as usize);
    let mut data = vec![0u8; w * h * 4];
    let middle = h as f32 / 2.0;
    for x in 0..w {
        let from = x * peaks.len() / w;
        let to = ((x + 1) * peaks.len() / w).max(from + 1).min(peaks.len());
        let peak = peaks[from.min(peaks.len() - 1)..to]
            .iter()
            .fold(0f32, |m, p| m.max(*p));
        // At least a hairline, so silence still reads as sound that is there.
        let reach = (peak * middle).max(0.5);
        for y in 0..h {
            if (y as f32 + 0.5 - middle).abs() <= reach {
                let at = (y * w + x) * 4;
                data[at..at + 3].copy_from_slice(&BAR);
                data[at + 3] = 255;
            }
        }
    }
    Pixels {
        width,
        height,
        alpha: true,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loud_columns_are_tall_and_silence_is_a_line() {
        let mut peaks = vec![0.0; 50];
        peaks.extend(vec![1.0; 50]);
        let picture = draw(&peaks, 10, 20);
        let column_height = |x: usize| {
            (0..20)
                .filter(|y| picture.data[(y * 10 + x) * 4 + 3] == 255)
                .count()
        };
        assert!((1..=2).contains(&column_height(0)), "silence is a hairline");
        assert_eq!(column_height(9), 20, "full scale fills the column");
    }
}
