//! What each remote accepts, as its documents give it, and the check of a probed file against it.
//!
//! A rule table per provider ([`tables`]) lists, for each kind of media, the formats, the largest
//! file, the smallest and largest picture and the shortest and longest duration the API takes.
//! [`check`] turns a probe's findings into a list of [`Problem`]s, each with a stable code (in the
//! style of the TwelveLabs error codes, seed 004) and a message naming the file, the limit and the
//! value found; an empty list means the remote should accept the file. Knows nothing of the
//! database or the network.

mod report;
mod tables;

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::AssetKind;
use crate::probe::{Format, MediaInfo, ProbeError};
pub use report::FileReport;
pub use tables::{for_provider, provider_keys, LOCAL};

/// What one provider accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// The service, as messages name it ("the Local library", "TwelveLabs").
    pub service: &'static str,
    /// Why the API takes no uploaded files, when it takes none.
    pub no_uploads: Option<&'static str>,
    pub kinds: &'static [KindRules],
}

/// What a provider accepts for one kind of media. Picture bounds ignore orientation: a limit of
/// 3840×2160 admits a portrait 2160×3840 video too (both sides are compared, short with short).
#[derive(Debug, Clone, PartialEq)]
pub struct KindRules {
    pub kind: AssetKind,
    pub formats: &'static [Format],
    pub max_bytes: Option<u64>,
    pub min_sides: Option<(u32, u32)>,
    pub max_sides: Option<(u32, u32)>,
    /// Width × height beyond which an image is refused as a decompression bomb.
    pub max_pixels: Option<u64>,
    pub min_duration_s: Option<f64>,
    pub max_duration_s: Option<f64>,
}

impl KindRules {
    /// Rules naming only formats and a size limit; the others are added with struct update syntax.
    pub const fn formats(kind: AssetKind, formats: &'static [Format], max_bytes: u64) -> KindRules {
        KindRules {
            kind,
            formats,
            max_bytes: Some(max_bytes),
            min_sides: None,
            max_sides: None,
            max_pixels: None,
            min_duration_s: None,
            max_duration_s: None,
        }
    }
}

impl Rules {
    pub fn for_kind(&self, kind: AssetKind) -> Option<&KindRules> {
        self.kinds.iter().find(|rules| rules.kind == kind)
    }

    pub fn accepts_uploads(&self) -> bool {
        self.no_uploads.is_none()
    }
}

/// Why a remote would refuse a file. The codes are stable: scripts and the UI match on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    FileEmpty,
    FileUnreadable,
    FormatUnrecognized,
    FormatExtensionMismatch,
    UploadsUnsupported,
    ImageFileBroken,
    VideoFileBroken,
    AudioFileBroken,
    ImageFormatUnsupported,
    VideoFormatUnsupported,
    AudioFormatUnsupported,
    MediaFilesizeTooLarge,
    ImageDimensionsTooSmall,
    ImageDimensionsTooLarge,
    VideoResolutionTooLow,
    VideoResolutionTooHigh,
    VideoDurationTooShort,
    VideoDurationTooLong,
    AudioDurationTooShort,
    AudioDurationTooLong,
}

impl ProblemCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::FileEmpty => "file_empty",
            ProblemCode::FileUnreadable => "file_unreadable",
            ProblemCode::FormatUnrecognized => "format_unrecognized",
            ProblemCode::FormatExtensionMismatch => "format_extension_mismatch",
            ProblemCode::UploadsUnsupported => "uploads_unsupported",
            ProblemCode::ImageFileBroken => "image_file_broken",
            ProblemCode::VideoFileBroken => "video_file_broken",
            ProblemCode::AudioFileBroken => "audio_file_broken",
            ProblemCode::ImageFormatUnsupported => "image_format_unsupported",
            ProblemCode::VideoFormatUnsupported => "video_format_unsupported",
            ProblemCode::AudioFormatUnsupported => "audio_format_unsupported",
            ProblemCode::MediaFilesizeTooLarge => "media_filesize_too_large",
            ProblemCode::ImageDimensionsTooSmall => "image_dimensions_too_small",
            ProblemCode::ImageDimensionsTooLarge => "image_dimensions_too_large",
            ProblemCode::VideoResolutionTooLow => "video_resolution_too_low",
            ProblemCode::VideoResolutionTooHigh => "video_resolution_too_high",
            ProblemCode::VideoDurationTooShort => "video_duration_too_short",
            ProblemCode::VideoDurationTooLong => "video_duration_too_long",
            ProblemCode::AudioDurationTooShort => "audio_duration_too_short",
            ProblemCode::AudioDurationTooLong => "audio_duration_too_long",
        }
    }

    fn per_kind(kind: AssetKind, image: Self, video: Self, audio: Self) -> Option<Self> {
        match kind {
            AssetKind::Image => Some(image),
            AssetKind::Video => Some(video),
            AssetKind::Audio => Some(audio),
            AssetKind::Other => None,
        }
    }
}

/// One reason a remote would refuse a file, in words that name the file, the limit and the value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Problem {
    pub code: ProblemCode,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code.as_str())
    }
}

/// Every reason `rules` would refuse the file at `path`, given what the probe found there.
pub fn check(path: &Path, probed: &Result<MediaInfo, ProbeError>, rules: &Rules) -> Vec<Problem> {
    let file = path.display();
    let problem = |code, message: String| Problem { code, message };
    let info = match probed {
        Ok(info) => info,
        Err(ProbeError::Empty { .. }) => {
            return vec![problem(
                ProblemCode::FileEmpty,
                format!("{file} is empty (0 bytes)"),
            )]
        }
        Err(error) => return vec![problem(ProblemCode::FileUnreadable, error.to_string())],
    };
    if info.format == Format::Unknown {
        return vec![problem(
            ProblemCode::FormatUnrecognized,
            format!("{file}: its bytes match no image, video or audio format Trove knows"),
        )];
    }
    let mut problems = Vec::new();
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    if !info.format.agrees_with_name(&file_name) {
        let claimed = Format::claimed_by_name(&file_name).map_or("another format", Format::name);
        problems.push(problem(
            ProblemCode::FormatExtensionMismatch,
            format!(
                "{file}: the name says {claimed} but the bytes are {}",
                info.format.name()
            ),
        ));
    }
    let kind = info.kind;
    let code = |image, video, audio| ProblemCode::per_kind(kind, image, video, audio);
    if let Some(reason) = &info.broken {
        let broken = code(
            ProblemCode::ImageFileBroken,
            ProblemCode::VideoFileBroken,
            ProblemCode::AudioFileBroken,
        );
        if let Some(broken) = broken {
            problems.push(problem(
                broken,
                format!(
                    "{file}: the {} file is broken: {reason}",
                    info.format.name()
                ),
            ));
        }
    }
    if let Some(why) = rules.no_uploads {
        problems.push(problem(
            ProblemCode::UploadsUnsupported,
            format!("{file}: {} takes no uploaded files: {why}", rules.service),
        ));
        return problems;
    }
    let unsupported = code(
        ProblemCode::ImageFormatUnsupported,
        ProblemCode::VideoFormatUnsupported,
        ProblemCode::AudioFormatUnsupported,
    );
    let accepted = rules.for_kind(kind);
    let Some(limits) = accepted.filter(|limits| limits.formats.contains(&info.format)) else {
        let supported = accepted.map_or("none".to_owned(), |limits| {
            let names: Vec<&str> = limits.formats.iter().map(|f| f.name()).collect();
            names.join(", ")
        });
        if let Some(unsupported) = unsupported {
            problems.push(problem(
                unsupported,
                format!(
                    "{file}: {} accepts {} files as {supported}, not {}",
                    rules.service,
                    kind.as_str(),
                    info.format.name()
                ),
            ));
        }
        return problems;
    };
    problems.extend(
        limit_checks(info, limits, rules.service)
            .into_iter()
            .map(|(code, detail)| problem(code, format!("{file}: {detail}"))),
    );
    problems
}

/// The size, picture and duration limits of one kind, as (code, what was found against what).
fn limit_checks(info: &MediaInfo, limits: &KindRules, service: &str) -> Vec<(ProblemCode, String)> {
    let mut found = Vec::new();
    let kind = info.kind.as_str();
    if let Some(max) = limits.max_bytes.filter(|max| info.size > *max) {
        found.push((
            ProblemCode::MediaFilesizeTooLarge,
            format!(
                "{} is over {service}'s limit of {} for {kind} files",
                bytes_in_words(info.size),
                bytes_in_words(max)
            ),
        ));
    }
    if let (Some(width), Some(height)) = (info.width, info.height) {
        let sides = ordered(width, height);
        let (too_small, too_large) = match info.kind {
            AssetKind::Video => (
                ProblemCode::VideoResolutionTooLow,
                ProblemCode::VideoResolutionTooHigh,
            ),
            _ => (
                ProblemCode::ImageDimensionsTooSmall,
                ProblemCode::ImageDimensionsTooLarge,
            ),
        };
        if let Some((a, b)) = limits.min_sides {
            let min = ordered(a, b);
            if sides.0 < min.0 || sides.1 < min.1 {
                found.push((
                    too_small,
                    format!("{width}×{height} is below {service}'s minimum of {a}×{b}"),
                ));
            }
        }
        if let Some((a, b)) = limits.max_sides {
            let max = ordered(a, b);
            if sides.0 > max.0 || sides.1 > max.1 {
                found.push((
                    too_large,
                    format!("{width}×{height} is above {service}'s maximum of {a}×{b}"),
                ));
            }
        }
        let pixels = u64::from(width) * u64::from(height);
        if let Some(max) = limits.max_pixels.filter(|max| pixels > *max) {
            found.push((
                ProblemCode::ImageDimensionsTooLarge,
                format!(
                    "{width}×{height} is {:.0} megapixels, over the {:.0} megapixels {service} \
                     decodes (a picture this large is refused as a decompression bomb)",
                    pixels as f64 / 1e6,
                    max as f64 / 1e6
                ),
            ));
        }
    }
    if let Some(seconds) = info.duration_s {
        let (too_short, too_long) = match info.kind {
            AssetKind::Audio => (
                ProblemCode::AudioDurationTooShort,
                ProblemCode::AudioDurationTooLong,
            ),
            _ => (
                ProblemCode::VideoDurationTooShort,
                ProblemCode::VideoDurationTooLong,
            ),
        };
        if let Some(min) = limits.min_duration_s.filter(|min| seconds < *min) {
            found.push((
                too_short,
                format!("{seconds:.2} s is shorter than {service}'s minimum of {min} s"),
            ));
        }
        if let Some(max) = limits.max_duration_s.filter(|max| seconds > *max) {
            found.push((
                too_long,
                format!("{seconds:.2} s is longer than {service}'s maximum of {max} s"),
            ));
        }
    }
    found
}

/// (short side, long side).
fn ordered(a: u32, b: u32) -> (u32, u32) {
    (a.min(b), a.max(b))
}

/// "12.4 MiB (13,002,342 bytes)": the unit people read and the exact count a script compares.
pub fn bytes_in_words(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let exact = grouped(bytes);
    if unit == 0 {
        format!("{exact} bytes")
    } else {
        let shown = format!("{value:.1}");
        let shown = shown.strip_suffix(".0").unwrap_or(&shown);
        format!("{shown} {} ({exact} bytes)", UNITS[unit])
    }
}

fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests;
