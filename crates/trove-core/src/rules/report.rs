//! One file's probe and check together, as `trove probe` prints it and the upload queue keeps it.

use std::path::Path;

use serde::Serialize;

use super::{check, Problem, Rules};
use crate::probe::{self, MediaInfo};

/// What a file is and whether a provider would take it. Fields the probe could not learn are
/// `null`; `valid` is true exactly when `problems` is empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    pub path: String,
    pub kind: Option<&'static str>,
    pub format: Option<&'static str>,
    pub size: Option<u64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub stored_width: Option<u32>,
    pub stored_height: Option<u32>,
    pub rotation: Option<u16>,
    pub duration_s: Option<f64>,
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    pub valid: bool,
    pub problems: Vec<Problem>,
}

impl FileReport {
    /// Probes the file at `path` and checks it against `rules`.
    pub fn of(path: &Path, rules: &Rules) -> FileReport {
        let probed = probe::probe(path);
        let problems = check(path, &probed, rules);
        let info: Option<MediaInfo> = probed.ok();
        FileReport {
            path: path.display().to_string(),
            kind: info.as_ref().map(|i| i.kind.as_str()),
            format: info.as_ref().map(|i| i.format.name()),
            size: info.as_ref().map(|i| i.size),
            width: info.as_ref().and_then(|i| i.width),
            height: info.as_ref().and_then(|i| i.height),
            stored_width: info.as_ref().and_then(|i| i.stored_width),
            stored_height: info.as_ref().and_then(|i| i.stored_height),
            rotation: info.as_ref().map(|i| i.rotation),
            duration_s: info.as_ref().and_then(|i| i.duration_s),
            video_codec: info.as_ref().and_then(|i| i.video_codec.clone()),
            audio_codec: info.and_then(|i| i.audio_codec),
            valid: problems.is_empty(),
            problems,
        }
    }
}
