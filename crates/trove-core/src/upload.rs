//! Uploading one file: probe it, check it against the provider's limits, send it, cache the result.
//!
//! Nothing is sent for a file the remote would refuse: the checks name the file, the limit and what
//! was found. (The durable queue with progress and retries is built on this.)

use std::path::{Path, PathBuf};

use crate::probe::{self, Format, ProbeError};
use crate::provider::{Capabilities, UploadRequest};

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Probe(#[from] ProbeError),
    #[error("{path}: not a media file Trove recognises (its bytes match no image, video or audio format)")]
    UnknownFormat { path: PathBuf },
    #[error("{path}: the name says {claimed} but the bytes are {found}")]
    ExtensionMismatch {
        path: PathBuf,
        claimed: &'static str,
        found: &'static str,
    },
    #[error("{path}: the {format} file is broken: {reason}")]
    Broken {
        path: PathBuf,
        format: &'static str,
        reason: String,
    },
    #[error("{path}: {format} is not accepted for {kind} by this account (accepted: {accepted})")]
    FormatNotAccepted {
        path: PathBuf,
        format: &'static str,
        kind: &'static str,
        accepted: String,
    },
    #[error("{path}: {size} bytes is over this account's {kind} limit of {limit} bytes")]
    TooLarge {
        path: PathBuf,
        kind: &'static str,
        size: u64,
        limit: u64,
    },
    #[error("this account's provider does not accept uploads")]
    UploadsUnsupported,
}

/// Probes `path` and checks it against `capabilities`, returning what to send.
pub fn preflight(
    path: &Path,
    name: Option<&str>,
    tags: &[String],
    capabilities: &Capabilities,
) -> Result<UploadRequest, UploadError> {
    if !capabilities.upload {
        return Err(UploadError::UploadsUnsupported);
    }
    let info = probe::probe(path)?;
    if info.format == Format::Unknown {
        return Err(UploadError::UnknownFormat {
            path: path.to_owned(),
        });
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !info.format.agrees_with_name(&file_name) {
        let claimed = Format::claimed_by_name(&file_name).map_or("another format", Format::name);
        return Err(UploadError::ExtensionMismatch {
            path: path.to_owned(),
            claimed,
            found: info.format.name(),
        });
    }
    if let Some(reason) = info.broken {
        return Err(UploadError::Broken {
            path: path.to_owned(),
            format: info.format.name(),
            reason,
        });
    }
    let kind = info.kind;
    let Some(limit) = capabilities
        .limit_for(kind)
        .filter(|limit| limit.formats.contains(&info.format.name()))
    else {
        let accepted = capabilities
            .limit_for(kind)
            .map(|limit| limit.formats.join(", "))
            .unwrap_or_else(|| "none".to_owned());
        return Err(UploadError::FormatNotAccepted {
            path: path.to_owned(),
            format: info.format.name(),
            kind: kind.as_str(),
            accepted,
        });
    };
    if info.size > limit.max_bytes {
        return Err(UploadError::TooLarge {
            path: path.to_owned(),
            kind: kind.as_str(),
            size: info.size,
            limit: limit.max_bytes,
        });
    }
    let default_name = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "untitled".to_owned());
    Ok(UploadRequest {
        path: path.to_owned(),
        name: name.map(str::to_owned).unwrap_or(default_name),
        kind,
        content_type: info.format.mime().to_owned(),
        size: info.size,
        tags: tags.to_vec(),
    })
}
