//! Fetching a thumbnail's source over HTTP, bounded in size, and telling the store's
//! [`Reachability`](crate::reachability::Reachability) whether the origin answered, so that an
//! unreachable server is not asked again for every tile.

use std::io::Write;

use futures_util::StreamExt;

use super::{ThumbStore, ThumbStoreError};

impl ThumbStore {
    /// Sends `request` for `url`, noting whether its origin answered.
    async fn send(
        &self,
        url: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ThumbStoreError> {
        let origin = crate::reachability::origin_of(url)?;
        match request.send().await {
            Ok(response) => {
                self.reachability.answered(&origin);
                Ok(response)
            }
            Err(error) => {
                if error.is_connect() || error.is_timeout() {
                    self.reachability.failed(&origin);
                }
                Err(ThumbStoreError::Fetch {
                    url: url.to_owned(),
                    detail: error.to_string(),
                })
            }
        }
    }

    /// Whether the server of `url` answers at all, asking for its first byte only.
    pub(super) async fn check_answers(&self, url: &str) -> Result<(), ThumbStoreError> {
        let request = self
            .http
            .get(url)
            .header(reqwest::header::RANGE, "bytes=0-0");
        self.send(url, request).await.map(drop)
    }

    async fn response(&self, url: &str) -> Result<reqwest::Response, ThumbStoreError> {
        let failed = |detail: String| ThumbStoreError::Fetch {
            url: url.to_owned(),
            detail,
        };
        let response = self.send(url, self.http.get(url)).await?;
        if !response.status().is_success() {
            return Err(failed(format!("HTTP {}", response.status())));
        }
        Ok(response)
    }

    /// Streams the body at `url` into `sink`, stopping with an error past `limit` bytes.
    async fn download(
        &self,
        url: &str,
        limit: u64,
        mut sink: impl FnMut(&[u8]) -> Result<(), ThumbStoreError>,
    ) -> Result<(), ThumbStoreError> {
        let mut written = 0u64;
        let mut body = self.response(url).await?.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| ThumbStoreError::Fetch {
                url: url.to_owned(),
                detail: e.to_string(),
            })?;
            written += chunk.len() as u64;
            if written > limit {
                return Err(ThumbStoreError::TooLarge {
                    url: url.to_owned(),
                    limit,
                });
            }
            sink(&chunk)?;
        }
        Ok(())
    }

    pub(super) async fn download_bytes(
        &self,
        url: &str,
        limit: u64,
    ) -> Result<Vec<u8>, ThumbStoreError> {
        let mut bytes = Vec::new();
        self.download(url, limit, |chunk| {
            bytes.extend_from_slice(chunk);
            Ok(())
        })
        .await?;
        Ok(bytes)
    }

    /// The media in a temporary file that goes when dropped.
    pub(super) async fn download_file(
        &self,
        url: &str,
        limit: u64,
    ) -> Result<tempfile::NamedTempFile, ThumbStoreError> {
        let disk = |cause| ThumbStoreError::Disk {
            path: self.dir.clone(),
            cause,
        };
        std::fs::create_dir_all(&self.dir).map_err(disk)?;
        let mut file = tempfile::NamedTempFile::new_in(&self.dir).map_err(disk)?;
        self.download(url, limit, |chunk| file.write_all(chunk).map_err(disk))
            .await?;
        Ok(file)
    }
}
