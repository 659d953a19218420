//! `POST /assets`: a multipart upload streamed to a temp file (never held in memory), cut off as
//! soon as it passes the size limit, probed from its own bytes, then committed atomically.

use std::io::Write;

use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::Value;
use trove_core::model::AssetKind;
use trove_core::naming;
use trove_core::probe::{self, Format};
use trove_core::rules::{KindRules, LOCAL};

use crate::error::ApiError;
use crate::routes::{asset_json, public_base, KINDS};
use crate::store::{self, StoredAsset};
use crate::AppState;

const MIB: u64 = 1024 * 1024;
/// Text fields are small; anything bigger is not a name or a tag.
const MAX_TEXT_FIELD_BYTES: usize = 16 * 1024;

/// The seed's formats and size limit for each type: the table Trove's clients check before they
/// send anything, so a client and this server never disagree.
fn rules(kind: &str) -> (u64, &'static KindRules) {
    let rules = LOCAL
        .for_kind(AssetKind::parse_lenient(kind))
        .unwrap_or(&LOCAL.kinds[0]);
    (rules.max_bytes.unwrap_or(u64::MAX), rules)
}

/// Until `type` is known, the largest limit of any type applies.
fn largest_limit() -> u64 {
    LOCAL
        .kinds
        .iter()
        .filter_map(|rules| rules.max_bytes)
        .max()
        .unwrap_or(u64::MAX)
}

fn too_large(limit: u64, kind: Option<&str>) -> ApiError {
    let what = kind.map_or("any asset".to_owned(), |k| format!("{k} assets"));
    ApiError {
        field: Some("file"),
        ..ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
            format!("the file is over the {} MB limit for {what}", limit / MIB),
        )
    }
}

struct ReceivedFile {
    temp: tempfile::NamedTempFile,
    /// The part's file name, when the client sent one.
    name: Option<String>,
    size: u64,
    hash: String,
}

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let malformed = |e: axum::extract::multipart::MultipartError| {
        ApiError::invalid(
            "file",
            format!("the multipart body is malformed: {}", e.body_text()),
        )
    };
    let (mut name, mut kind, mut tags, mut file) =
        (None::<String>, None::<String>, Vec::<String>::new(), None);
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        let field_name = field.name().unwrap_or_default().to_owned();
        if field_name == "file" {
            if file.is_some() {
                return Err(ApiError::invalid("file", "send exactly one file"));
            }
            let limit = kind.as_deref().map_or_else(largest_limit, |k| rules(k).0);
            let part_name = field.file_name().map(str::to_owned);
            let mut temp = tempfile::NamedTempFile::new_in(state.store.tmp_dir())
                .map_err(ApiError::internal)?;
            let mut hasher = blake3::Hasher::new();
            let mut size = 0u64;
            while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                size += chunk.len() as u64;
                if size > limit {
                    return Err(too_large(limit, kind.as_deref()));
                }
                hasher.update(&chunk);
                temp.write_all(&chunk).map_err(ApiError::internal)?;
            }
            file = Some(ReceivedFile {
                temp,
                name: part_name,
                size,
                hash: hasher.finalize().to_hex().to_string(),
            });
            continue;
        }
        let mut text = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            text.extend_from_slice(&chunk);
            if text.len() > MAX_TEXT_FIELD_BYTES {
                let field: &'static str = if field_name == "name" { "name" } else { "tags" };
                return Err(ApiError::invalid(
                    field,
                    format!("the {field_name} field is over {MAX_TEXT_FIELD_BYTES} bytes"),
                ));
            }
        }
        let text = String::from_utf8(text).map_err(|_| {
            ApiError::invalid("name", format!("the {field_name} field is not UTF-8"))
        })?;
        match field_name.as_str() {
            "name" => name = Some(text),
            "type" => kind = Some(text),
            "tags" | "tags[]" => tags.extend(parse_tags(&text)?),
            _ => {} // Unknown fields are ignored, as most multipart APIs do.
        }
    }

    let name = validate_name(name)?;
    let kind =
        kind.ok_or_else(|| ApiError::invalid("type", "type is required (image, video or audio)"))?;
    if !KINDS.contains(&kind.as_str()) {
        return Err(ApiError::invalid(
            "type",
            format!("type must be one of image, video, audio; got {kind:?}"),
        ));
    }
    let tags = validate_tags(tags)?;
    let file = file.ok_or_else(|| ApiError::invalid("file", "file is required"))?;
    let (limit, limits) = rules(&kind);
    if file.size > limit {
        return Err(too_large(limit, Some(&kind)));
    }
    if file.size == 0 {
        return Err(ApiError::invalid("file", "the file is empty"));
    }
    let info = probe::probe(file.temp.path()).map_err(ApiError::internal)?;
    if info.format == Format::Unknown {
        return Err(ApiError {
            field: Some("file"),
            ..ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_format",
                "the file's bytes match no supported image, video or audio format",
            )
        });
    }
    if let Some(part_name) = file
        .name
        .as_deref()
        .filter(|n| !info.format.agrees_with_name(n))
    {
        let claimed = Format::claimed_by_name(part_name).map_or("another format", Format::name);
        return Err(ApiError::invalid(
            "file",
            format!(
                "the file name {part_name:?} says {claimed} but the bytes are {}",
                info.format.name()
            ),
        )
        .with_code("format_extension_mismatch"));
    }
    if let Some(reason) = &info.broken {
        return Err(ApiError {
            field: Some("file"),
            ..ApiError::invalid(
                "file",
                format!("the {} file is broken: {reason}", info.format.name()),
            )
        }
        .with_code("file_broken"));
    }
    if info.kind.as_str() != kind {
        return Err(ApiError {
            field: Some("type"),
            ..ApiError::invalid(
                "type",
                format!(
                    "type is {kind} but the file is {} ({})",
                    info.kind.as_str(),
                    info.format.name()
                ),
            )
        });
    }
    if !limits.formats.contains(&info.format) {
        let accepted: Vec<&str> = limits.formats.iter().map(|f| f.name()).collect();
        return Err(ApiError {
            field: Some("file"),
            ..ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_format",
                format!(
                    "{} is not a supported {kind} format (supported: {})",
                    info.format.name(),
                    accepted.join(", ")
                ),
            )
        });
    }
    let pixels = u64::from(info.width.unwrap_or(0)) * u64::from(info.height.unwrap_or(0));
    if let Some(max) = limits.max_pixels.filter(|max| pixels > *max) {
        return Err(ApiError::invalid(
            "file",
            format!(
                "the image is {}×{}, {pixels} pixels, over the {max} this library decodes",
                info.width.unwrap_or(0),
                info.height.unwrap_or(0)
            ),
        )
        .with_code("image_dimensions_too_large"));
    }

    let now = trove_core::now_rfc3339();
    let asset = StoredAsset {
        id: new_asset_id(),
        name,
        kind,
        content_type: info.format.mime().to_owned(),
        size: file.size as i64,
        width: info.width,
        height: info.height,
        duration: info.duration_s,
        tags,
        blob: file.hash.clone(),
        created_at: now,
        updated_at: None,
        last_used: None,
        used_in_videos: 0,
        used_in_templates: 0,
    };
    // The bytes are durable under their hash before the row that names them is committed. The slow
    // fsync of the data runs outside the database lock; the rename and the insert inside it.
    let temp = file.temp;
    let temp = tokio::task::spawn_blocking(move || temp.as_file().sync_all().map(|()| temp))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let store = state.store.clone();
    let row = asset.clone();
    state
        .store
        .with(move |conn| {
            store.place_blob(temp, &file.hash)?;
            store::insert(conn, &row)
        })
        .await
        .map_err(ApiError::internal)?;
    tracing::info!(id = %asset.id, size = asset.size, kind = %asset.kind, "asset stored");
    let base = public_base(&headers, &state.base_url);
    Ok((StatusCode::CREATED, Json(asset_json(&asset, &base, false))))
}

/// Tags arrive as repeated fields or as one JSON array; both are accepted.
fn parse_tags(text: &str) -> Result<Vec<String>, ApiError> {
    if text.trim_start().starts_with('[') {
        serde_json::from_str::<Vec<String>>(text).map_err(|e| {
            ApiError::invalid("tags", format!("tags is not a JSON array of strings: {e}"))
        })
    } else {
        Ok(vec![text.to_owned()])
    }
}

pub(crate) fn validate_name(name: Option<String>) -> Result<String, ApiError> {
    let name = name.ok_or_else(|| ApiError::invalid("name", "name is required"))?;
    naming::clean_name(&name).map_err(|reason| ApiError::invalid("name", reason))
}

pub(crate) fn validate_tags(tags: Vec<String>) -> Result<Vec<String>, ApiError> {
    naming::clean_tags(&tags).map_err(|reason| ApiError::invalid("tags", reason))
}

/// `asset_` and 20 random lowercase letters and digits, like the seed's ids.
fn new_asset_id() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    let suffix: String = (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("asset_{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_come_as_repeated_fields_or_a_json_array() {
        assert_eq!(parse_tags("logo").unwrap(), ["logo"]);
        assert_eq!(
            parse_tags(r#"["logo","branding"]"#).unwrap(),
            ["logo", "branding"]
        );
        assert_eq!(parse_tags("[1,2]").unwrap_err().field, Some("tags"));
        assert_eq!(
            validate_tags(vec!["a".into(), " a ".into(), "b".into()]).unwrap(),
            ["a", "b"]
        );
        assert!(validate_tags(vec![String::new()]).is_err());
        assert!(validate_tags((0..101).map(|i| i.to_string()).collect()).is_err());
    }

    #[test]
    fn ids_look_like_the_seed() {
        let id = new_asset_id();
        assert!(id.starts_with("asset_") && id.len() == 26, "{id}");
        assert!(id[6..]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    }
}
