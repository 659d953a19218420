//! Uploading one file: probe it, check it against the provider's rules, send it, cache the result.
//!
//! Nothing is sent for a file the remote would refuse: every problem the rules find is reported
//! at once, each naming the file, the limit and what was found. (The durable queue with progress
//! and retries is built on this.)

use std::path::{Path, PathBuf};

use crate::probe;
use crate::provider::{Capabilities, UploadRequest};
use crate::rules::{self, Problem};

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Every message names the file.
    #[error("{}", problems_in_words(problems))]
    Refused {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

fn problems_in_words(problems: &[Problem]) -> String {
    let messages: Vec<String> = problems.iter().map(Problem::to_string).collect();
    messages.join("; ")
}

/// Probes `path` and checks it against `capabilities`, returning what to send.
pub fn preflight(
    path: &Path,
    name: Option<&str>,
    tags: &[String],
    capabilities: &Capabilities,
) -> Result<UploadRequest, UploadError> {
    let probed = probe::probe(path);
    let problems = rules::check(path, &probed, capabilities.rules);
    let info = match probed {
        Ok(info) if problems.is_empty() => info,
        _ => {
            return Err(UploadError::Refused {
                path: path.to_owned(),
                problems,
            })
        }
    };
    let default_name = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "untitled".to_owned());
    Ok(UploadRequest {
        path: path.to_owned(),
        name: name.map(str::to_owned).unwrap_or(default_name),
        kind: info.kind,
        content_type: info.format.mime().to_owned(),
        size: info.size,
        tags: tags.to_vec(),
    })
}
