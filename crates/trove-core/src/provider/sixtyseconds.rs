//! The seed 000 Assets API (the video-templates platform, and Trove's own asset server, which
//! implements it). Page-numbered listing, multipart upload, usage counts only from Get Asset.
//!
//! Assumptions where the document is silent: the key is sent as `Authorization: Bearer`, tags in a
//! multipart upload are sent as repeated `tags` fields, and error bodies are `{error, message}`.

use async_trait::async_trait;
use futures_util::{StreamExt, TryStreamExt};
use serde::Deserialize;

use super::{
    Capabilities, PageToken, Progress, Provider, ProviderError, RemotePage, UploadRequest,
};
use crate::model::{Asset, AssetKind};
use crate::rules::Rules;

/// The largest page the API serves.
const PAGE_LIMIT: u32 = 100;
/// Pages of the newest assets read when looking for an upload whose answer was lost.
const FIND_UPLOAD_PAGES: u32 = 5;

pub struct SixtySeconds {
    client: reqwest::Client,
    base_url: String,
    api_key: String,
    account_id: String,
    capabilities: Capabilities,
}

impl SixtySeconds {
    /// `rules` are the seed 000 table of the service this base URL is: the Local library's own
    /// server, or the hosted one.
    pub fn new(
        account_id: &str,
        base_url: &str,
        api_key: String,
        rules: &'static Rules,
    ) -> Result<Self, ProviderError> {
        let client = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            // A server that stops answering mid-request fails the request instead of hanging the
            // sync (a per-read limit, so a long upload that keeps moving is not cut).
            .read_timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| ProviderError::Unreachable {
                url: base_url.to_owned(),
                detail: e.to_string(),
            })?;
        Ok(SixtySeconds {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            account_id: account_id.to_owned(),
            capabilities: Capabilities {
                tags: true,
                usage_counts: true,
                rename: true,
                delete: true,
                rules,
            },
        })
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<reqwest::Response, ProviderError> {
        let response = request
            .bearer_auth(&self.api_key)
            .send()
            .await
            .map_err(|e| ProviderError::Unreachable {
                url: url.to_owned(),
                detail: error_chain(&e),
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(std::time::Duration::from_secs);
        let body: ErrorBody = response.json().await.unwrap_or_default();
        Err(match status.as_u16() {
            429 => ProviderError::RateLimited {
                url: url.to_owned(),
                retry_after,
            },
            401 | 403 => ProviderError::Unauthorized {
                url: url.to_owned(),
                status: status.as_u16(),
            },
            404 => ProviderError::NotFound {
                what: url.to_owned(),
            },
            code => ProviderError::Rejected {
                url: url.to_owned(),
                status: code,
                code: body.error.unwrap_or_else(|| status.to_string()),
                message: body.message.unwrap_or_default(),
            },
        })
    }

    async fn json<T: serde::de::DeserializeOwned>(
        response: reqwest::Response,
        url: &str,
    ) -> Result<T, ProviderError> {
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ProviderError::Unreachable {
                url: url.to_owned(),
                detail: error_chain(&e),
            })?;
        serde_json::from_slice(&bytes).map_err(|e| ProviderError::InvalidResponse {
            url: url.to_owned(),
            detail: e.to_string(),
        })
    }

    /// A URL on this account's own server is kept as a path: the Local library's port changes at
    /// every start, and the cache resolves the path against the account's current base URL.
    fn relative_to_base(&self, url: String) -> String {
        match url.strip_prefix(&self.base_url) {
            Some(path) if path.starts_with('/') => path.to_owned(),
            _ => url,
        }
    }

    fn to_asset(&self, wire: WireAsset) -> Asset {
        let has_usage = wire.used_in_videos.is_some() || wire.used_in_templates.is_some();
        Asset {
            account_id: self.account_id.clone(),
            id: wire.id,
            name: wire.name,
            kind: AssetKind::parse_lenient(&wire.kind),
            content_type: wire.content_type,
            size: wire.size,
            width: wire.width,
            height: wire.height,
            duration_s: wire.duration,
            tags: wire.tags,
            url: wire.url.map(|url| self.relative_to_base(url)),
            thumbnail_url: None,
            created_at: wire.created_at,
            updated_at: wire.updated_at,
            used_in_videos: wire.used_in_videos,
            used_in_templates: wire.used_in_templates,
            last_used: wire.last_used,
            usage_fetched_at: has_usage.then(crate::now_rfc3339),
            pending: false,
        }
    }
}

#[async_trait]
impl Provider for SixtySeconds {
    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn first_page(&self) -> PageToken {
        PageToken::Page(1)
    }

    async fn list_page(&self, page: &PageToken) -> Result<RemotePage, ProviderError> {
        let url = format!("{}/assets", self.base_url);
        let PageToken::Page(number) = page else {
            return Err(ProviderError::InvalidResponse {
                url,
                detail: "this API pages by number, not by cursor".to_owned(),
            });
        };
        let request = self
            .client
            .get(&url)
            .query(&[("page", *number), ("limit", PAGE_LIMIT)]);
        let response = self.send(request, &url).await?;
        let listing: WireListing = Self::json(response, &url).await?;
        Ok(RemotePage {
            items: listing.data.into_iter().map(|w| self.to_asset(w)).collect(),
            next: listing.pagination.next_page.map(PageToken::Page),
            total: Some(listing.pagination.total),
        })
    }

    async fn get(&self, id: &str) -> Result<Asset, ProviderError> {
        let url = format!("{}/assets/{}", self.base_url, encode_path_segment(id));
        let response = self.send(self.client.get(&url), &url).await?;
        Ok(self.to_asset(Self::json(response, &url).await?))
    }

    async fn upload(
        &self,
        request: &UploadRequest,
        progress: Progress,
    ) -> Result<Asset, ProviderError> {
        let url = format!("{}/assets", self.base_url);
        let file = tokio::fs::File::open(&request.path)
            .await
            .map_err(|source| ProviderError::File {
                path: request.path.clone(),
                source,
            })?;
        // Streamed from disk: a 200 MB video is never held in memory. Bytes are counted as they are
        // handed to the connection.
        let mut sent = 0u64;
        let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024)
            .inspect_ok(move |chunk| {
                sent += chunk.len() as u64;
                progress(sent);
            })
            .map_err(std::io::Error::other);
        let body = reqwest::Body::wrap_stream(stream);
        let file_name = request
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| request.name.clone());
        let part = reqwest::multipart::Part::stream_with_length(body, request.size)
            .file_name(file_name)
            .mime_str(&request.content_type)
            .map_err(|e| ProviderError::InvalidResponse {
                url: url.clone(),
                detail: format!("content type {:?}: {e}", request.content_type),
            })?;
        let mut form = reqwest::multipart::Form::new()
            .text("name", request.name.clone())
            .text("type", request.kind.as_str());
        for tag in &request.tags {
            form = form.text("tags", tag.clone());
        }
        let form = form.part("file", part);
        let response = self
            .send(self.client.post(&url).multipart(form), &url)
            .await?;
        Ok(self.to_asset(Self::json(response, &url).await?))
    }

    async fn find_upload(
        &self,
        request: &UploadRequest,
        since: &str,
    ) -> Result<Option<Asset>, ProviderError> {
        // Newest first: read pages of this type until they are older than the attempt (with a
        // margin for the two clocks), looking for the same name and size.
        let since = chrono::DateTime::parse_from_rfc3339(since)
            .map(|t| t - chrono::Duration::minutes(5))
            .ok();
        let url = format!("{}/assets", self.base_url);
        for page in 1..=FIND_UPLOAD_PAGES {
            let query = [
                ("page", page.to_string()),
                ("limit", PAGE_LIMIT.to_string()),
                ("type", request.kind.as_str().to_owned()),
            ];
            let response = self.send(self.client.get(&url).query(&query), &url).await?;
            let listing: WireListing = Self::json(response, &url).await?;
            let mut older = false;
            for wire in listing.data {
                let created = chrono::DateTime::parse_from_rfc3339(&wire.created_at).ok();
                older |= matches!((created, since), (Some(c), Some(s)) if c < s);
                if wire.name == request.name && wire.size == i64::try_from(request.size).ok() {
                    return Ok(Some(self.to_asset(wire)));
                }
            }
            if older || listing.pagination.next_page.is_none() {
                break;
            }
        }
        Ok(None)
    }

    async fn content_hash(&self, asset_url: &str) -> Result<Option<String>, ProviderError> {
        let url = if asset_url.starts_with('/') {
            format!("{}{asset_url}", self.base_url)
        } else {
            asset_url.to_owned()
        };
        let response = self.send(self.client.get(&url), &url).await?;
        let mut hasher = blake3::Hasher::new();
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| ProviderError::Unreachable {
                url: url.clone(),
                detail: error_chain(&e),
            })?;
            hasher.update(&chunk);
        }
        Ok(Some(hasher.finalize().to_hex().to_string()))
    }

    async fn update(
        &self,
        id: &str,
        name: Option<&str>,
        tags: Option<&[String]>,
    ) -> Result<Asset, ProviderError> {
        let url = format!("{}/assets/{}", self.base_url, encode_path_segment(id));
        let request = self.client.patch(&url).json(&UpdateBody { name, tags });
        let response = self.send(request, &url).await?;
        Ok(self.to_asset(Self::json(response, &url).await?))
    }

    async fn delete(&self, id: &str) -> Result<(), ProviderError> {
        let url = format!("{}/assets/{}", self.base_url, encode_path_segment(id));
        self.send(self.client.delete(&url), &url).await.map(drop)
    }
}

#[derive(serde::Serialize)]
struct UpdateBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<&'a [String]>,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    error: Option<String>,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct WireListing {
    data: Vec<WireAsset>,
    pagination: WirePagination,
}

#[derive(Debug, Deserialize)]
struct WirePagination {
    total: u64,
    next_page: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct WireAsset {
    id: String,
    name: String,
    #[serde(rename = "type")]
    kind: String,
    url: Option<String>,
    content_type: Option<String>,
    size: Option<i64>,
    width: Option<u32>,
    height: Option<u32>,
    duration: Option<f64>,
    #[serde(default)]
    tags: Vec<String>,
    created_at: String,
    updated_at: Option<String>,
    last_used: Option<String>,
    used_in_videos: Option<u32>,
    used_in_templates: Option<u32>,
}

/// Ids come from the remote; escape them so one can never change the path it is put in.
fn encode_path_segment(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// reqwest's top-level message ("error sending request") hides the cause; show the whole chain.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An adapter whose server is never reached: the tests only parse.
    fn offline_provider() -> SixtySeconds {
        SixtySeconds::new(
            "acc",
            "http://127.0.0.1:1",
            String::new(),
            &crate::rules::LOCAL,
        )
        .unwrap()
    }

    /// The seed's own List Assets example must parse as documented.
    #[test]
    fn parses_the_seed_listing_example() {
        let body = r#"{"data":[{"id":"asset_12345abcde","name":"Company Logo","type":"image","url":"https://cdn.sixtyseconds.video/assets/asset_12345abcde.png","content_type":"image/png","size":24680,"width":512,"height":512,"duration":null,"tags":["logo","branding"],"created_at":"2025-02-10T08:30:00Z"},{"id":"asset_67890fghij","name":"Background Music","type":"audio","url":"https://cdn.sixtyseconds.video/assets/asset_67890fghij.mp3","content_type":"audio/mpeg","size":2457600,"width":null,"height":null,"duration":60.5,"tags":["music","upbeat"],"created_at":"2025-02-11T14:45:00Z"}],"pagination":{"total":35,"page":1,"limit":20,"next_page":2,"prev_page":null}}"#;
        let listing: WireListing = serde_json::from_str(body).unwrap();
        assert_eq!(listing.pagination.total, 35);
        assert_eq!(listing.pagination.next_page, Some(2));
        let provider = offline_provider();
        let assets: Vec<Asset> = listing
            .data
            .into_iter()
            .map(|w| provider.to_asset(w))
            .collect();
        assert_eq!(assets[0].kind, AssetKind::Image);
        assert_eq!(assets[0].width, Some(512));
        assert_eq!(assets[1].kind, AssetKind::Audio);
        assert_eq!(assets[1].duration_s, Some(60.5));
        assert_eq!(assets[1].tags, vec!["music", "upbeat"]);
        assert_eq!(assets[1].usage_fetched_at, None);
    }

    /// The seed's Get Asset example carries usage counts, which are recorded with the time fetched.
    #[test]
    fn parses_the_seed_get_example_with_usage() {
        let body = r#"{"id":"asset_12345abcde","name":"Company Logo","type":"image","url":"https://cdn.sixtyseconds.video/assets/asset_12345abcde.png","content_type":"image/png","size":24680,"width":512,"height":512,"duration":null,"tags":["logo","branding"],"created_at":"2025-02-10T08:30:00Z","last_used":"2025-02-15T09:45:00Z","used_in_videos":12,"used_in_templates":3}"#;
        let provider = offline_provider();
        let asset = provider.to_asset(serde_json::from_str(body).unwrap());
        assert_eq!(asset.used_in_videos, Some(12));
        assert_eq!(asset.used_in_templates, Some(3));
        assert_eq!(asset.last_used.as_deref(), Some("2025-02-15T09:45:00Z"));
        assert!(asset.usage_fetched_at.is_some());
    }

    #[test]
    fn path_segments_cannot_escape() {
        assert_eq!(encode_path_segment("asset_1"), "asset_1");
        assert_eq!(encode_path_segment("../x?y"), "..%2Fx%3Fy");
    }
}
