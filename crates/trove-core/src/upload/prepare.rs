//! Probing one queued file: what it is (the probe), whether the target takes it (the rules), and
//! whether its bytes are already there (the BLAKE3 hash, against the account's known hashes, the
//! queue, and remote assets of the same size, downloaded once to compare).

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::{library_error, UploadError, UploadQueue};
use crate::cache::{KnownContent, ProbeOutcome, ProbedFile, UploadRow};
use crate::probe;
use crate::rules::{self, Rules};

/// Bytes read at a time while hashing.
const HASH_BUFFER: usize = 1024 * 1024;

/// What reading the file on disk gave.
struct Inspected {
    file: Option<ProbedFile>,
    problems: Vec<rules::Problem>,
}

impl UploadQueue {
    /// Probes the oldest file waiting for it; returns whether there was one.
    pub(super) async fn prepare_next(self: &Arc<Self>) -> Result<bool, UploadError> {
        let Some(row) = self.cache()?.next_to_probe()? else {
            return Ok(false);
        };
        let id = row.item.id;
        match self.inspect_and_compare(&row).await {
            Ok((file, outcome)) => self.cache()?.record_probe(id, file.as_ref(), &outcome)?,
            // The account or its provider cannot be reached from here (a key missing, say): the
            // file cannot be judged, and the reason is shown.
            Err(error) => self.cache()?.fail_upload(id, &error.to_string(), None)?,
        }
        self.announce_id(id);
        Ok(true)
    }

    async fn inspect_and_compare(
        self: &Arc<Self>,
        row: &UploadRow,
    ) -> Result<(Option<ProbedFile>, ProbeOutcome), UploadError> {
        let account = self.cache()?.account(&row.item.account_id)?;
        let provider = self.library.provider(&account).map_err(library_error)?;
        let rules: &'static Rules = provider.capabilities().rules;
        let queue = Arc::clone(self);
        let path = row.item.path.clone();
        let inspected = tokio::task::spawn_blocking(move || queue.inspect(Path::new(&path), rules))
            .await
            .map_err(|e| UploadError::Worker(e.to_string()))??;
        let Some(file) = inspected.file else {
            return Ok((None, ProbeOutcome::Rejected(inspected.problems)));
        };
        if !inspected.problems.is_empty() {
            return Ok((Some(file), ProbeOutcome::Rejected(inspected.problems)));
        }
        let known = self
            .cache()?
            .known_content(&account.id, &file.hash, row.item.id)?;
        match known {
            Some(KnownContent::Asset(asset)) => {
                return Ok((Some(file), ProbeOutcome::DuplicateOf(asset)))
            }
            Some(KnownContent::Queued(other)) => {
                return Ok((Some(file), ProbeOutcome::DuplicateOfUpload(other)))
            }
            None => {}
        }
        // Assets of the same size and kind not uploaded from here: download each once to compare
        // (a remote that cannot serve them, or is offline, just leaves them unknown).
        let candidates =
            self.cache()?
                .unhashed_assets_of_size(&account.id, file.kind.as_str(), file.size)?;
        for (asset_id, url) in candidates {
            match provider.content_hash(&url).await {
                Ok(Some(hash)) => {
                    self.cache()?
                        .remember_asset_hash(&account.id, &asset_id, file.size, &hash)?;
                    if hash == file.hash {
                        return Ok((Some(file), ProbeOutcome::DuplicateOf(asset_id)));
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    tracing::info!(%error, asset_id, "could not fetch an asset to compare");
                    break;
                }
            }
        }
        Ok((Some(file), ProbeOutcome::Queued))
    }

    /// Probe, rules and hash of the file at `path` (blocking: it reads the file).
    fn inspect(&self, path: &Path, rules: &Rules) -> Result<Inspected, UploadError> {
        let probed = probe::probe(path);
        let problems = rules::check(path, &probed, rules);
        let Ok(info) = probed else {
            return Ok(Inspected {
                file: None,
                problems,
            });
        };
        let metadata = std::fs::metadata(path).map_err(|cause| UploadError::Read {
            path: path.to_owned(),
            cause,
        })?;
        let mtime_ns = super::mtime_ns(&metadata);
        let key = path.display().to_string();
        let remembered = self.cache()?.file_hash(&key, info.size, mtime_ns)?;
        let hash = match remembered {
            Some(hash) => hash,
            None if problems.is_empty() => {
                let hash = hash_file(path)?;
                self.cache()?
                    .remember_file_hash(&key, info.size, mtime_ns, &hash)?;
                hash
            }
            // A file that will not be sent is not worth reading whole.
            None => String::new(),
        };
        Ok(Inspected {
            file: Some(ProbedFile {
                size: info.size,
                mtime_ns,
                hash,
                kind: info.kind,
                content_type: info.format.mime().to_owned(),
                width: info.width,
                height: info.height,
                duration_s: info.duration_s,
            }),
            problems,
        })
    }
}

/// The BLAKE3 hash of a file, read in 1 MiB blocks.
pub fn hash_file(path: &Path) -> Result<String, UploadError> {
    let read = |cause| UploadError::Read {
        path: path.to_owned(),
        cause,
    };
    let mut file = std::fs::File::open(path).map_err(read)?;
    let mut hasher = blake3::Hasher::new();
    let mut buffer = vec![0u8; HASH_BUFFER];
    loop {
        let n = file.read(&mut buffer).map_err(read)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher.finalize().to_hex().to_string())
}
