//! Listing, Get Asset and the file route, with the JSON shapes of seed 000.

use std::collections::HashMap;

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::error::ApiError;
use crate::store::{self, ListFilter, StoredAsset};
use crate::AppState;

pub const KINDS: [&str; 3] = ["image", "video", "audio"];
const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;

/// The asset as seed 000 shows it; `url` points at this server's own file route.
pub fn asset_json(asset: &StoredAsset, base: &str, with_usage: bool) -> Value {
    let mut value = json!({
        "id": asset.id,
        "name": asset.name,
        "type": asset.kind,
        "url": format!("{base}/files/{}", asset.id),
        "content_type": asset.content_type,
        "size": asset.size,
        "width": asset.width,
        "height": asset.height,
        "duration": asset.duration,
        "tags": asset.tags,
        "created_at": asset.created_at,
    });
    if let Some(updated_at) = &asset.updated_at {
        value["updated_at"] = json!(updated_at);
    }
    if with_usage {
        value["last_used"] = json!(asset.last_used);
        value["used_in_videos"] = json!(asset.used_in_videos);
        value["used_in_templates"] = json!(asset.used_in_templates);
    }
    value
}

/// The base URL clients reached this server by, so that `url` works from wherever they are.
pub fn public_base(headers: &HeaderMap, fallback: &str) -> String {
    headers
        .get(axum::http::header::HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| {
            host.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .map(|host| format!("http://{host}"))
        .unwrap_or_else(|| fallback.to_owned())
}

fn parse_positive(
    params: &HashMap<String, String>,
    field: &'static str,
    default: u32,
) -> Result<u32, ApiError> {
    match params.get(field) {
        None => Ok(default),
        Some(text) => text.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            ApiError::invalid(
                field,
                format!("{field} must be a whole number of at least 1, got {text:?}"),
            )
        }),
    }
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let page = parse_positive(&params, "page", 1)?;
    let limit = parse_positive(&params, "limit", DEFAULT_LIMIT)?;
    if limit > MAX_LIMIT {
        return Err(ApiError::invalid(
            "limit",
            format!("limit is at most {MAX_LIMIT}, got {limit}"),
        ));
    }
    let kind = params.get("type").cloned();
    if let Some(kind) = &kind {
        if !KINDS.contains(&kind.as_str()) {
            return Err(ApiError::invalid(
                "type",
                format!("type must be one of image, video, audio; got {kind:?}"),
            ));
        }
    }
    let tag = params.get("tag").cloned();
    let offset = (page - 1).saturating_mul(limit);
    let memo = state.store.count_memo();
    let (rows, total) = state
        .store
        .with(move |conn| {
            store::list(
                conn,
                &ListFilter {
                    kind: kind.as_deref(),
                    tag: tag.as_deref(),
                    offset,
                    limit,
                },
                &memo,
            )
        })
        .await
        .map_err(ApiError::internal)?;
    let base = public_base(&headers, &state.base_url);
    let has_next = u64::from(page) * u64::from(limit) < total;
    Ok(Json(json!({
        "data": rows.iter().map(|a| asset_json(a, &base, false)).collect::<Vec<_>>(),
        "pagination": {
            "total": total,
            "page": page,
            "limit": limit,
            "next_page": has_next.then_some(page + 1),
            "prev_page": (page > 1).then_some(page - 1),
        }
    })))
}

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let lookup = id.clone();
    let asset = state
        .store
        .with(move |conn| store::get(conn, &lookup))
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(&id))?;
    Ok(Json(asset_json(
        &asset,
        &public_base(&headers, &state.base_url),
        true,
    )))
}

/// Serves an asset's bytes with its Content-Type and HTTP Range support, so previews can seek.
/// Unauthenticated on purpose: `<img>` and `<video>` cannot send a key, and asset ids are random
/// and only ever listed to key holders.
pub async fn file(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let lookup = id.clone();
    let asset = match state
        .store
        .with(move |conn| store::get(conn, &lookup))
        .await
    {
        Ok(Some(asset)) => asset,
        Ok(None) => return ApiError::not_found(&id).into_response(),
        Err(error) => return ApiError::internal(error).into_response(),
    };
    let path = state.store.blob_path(&asset.blob);
    let mime = asset
        .content_type
        .parse::<mime::Mime>()
        .unwrap_or(mime::APPLICATION_OCTET_STREAM);
    match tower_http::services::ServeFile::new_with_mime(path, &mime)
        .oneshot(request)
        .await
    {
        Ok(response) if response.status() == StatusCode::NOT_FOUND => {
            ApiError::internal(format!("blob of {id} is missing")).into_response()
        }
        Ok(response) => response.into_response(),
        Err(error) => ApiError::internal(error).into_response(),
    }
}
