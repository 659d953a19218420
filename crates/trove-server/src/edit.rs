//! Update (PATCH and PUT, one meaning), Delete, and the usage records behind the delete warning
//! (`POST`/`DELETE /assets/{id}/uses`), which the hosted platform keeps from its videos and
//! templates and Trove's server keeps on request.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::routes::{asset_json, public_base};
use crate::store::{self, UsageChange, UseKind};
use crate::upload::{validate_name, validate_tags};
use crate::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    name: Option<String>,
    tags: Option<Vec<String>>,
}

fn body_error(rejection: JsonRejection) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "validation_error",
        format!(
            "the body is not valid JSON for this request: {}",
            rejection.body_text()
        ),
    )
}

pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<UpdateBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(body_error)?;
    if body.name.is_none() && body.tags.is_none() {
        return Err(ApiError::invalid("name", "send name and/or tags to update"));
    }
    let name = body
        .name
        .map(|name| validate_name(Some(name)))
        .transpose()?;
    let tags = body.tags.map(validate_tags).transpose()?;
    let lookup = id.clone();
    let updated = state
        .store
        .with(move |conn| {
            store::update(
                conn,
                &lookup,
                name.as_deref(),
                tags.as_deref(),
                &trove_core::now_rfc3339(),
            )
        })
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(&id))?;
    Ok(Json(asset_json(
        &updated,
        &public_base(&headers, &state.base_url),
        false,
    )))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let store = state.store.clone();
    let lookup = id.clone();
    let deleted = state
        .store
        .with(move |conn| store::delete(conn, &store, &lookup))
        .await
        .map_err(ApiError::internal)?;
    if !deleted {
        return Err(ApiError::not_found(&id));
    }
    Ok(Json(json!({ "id": id, "deleted": true })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UseBody {
    kind: String,
}

fn use_kind(body: Result<Json<UseBody>, JsonRejection>) -> Result<UseKind, ApiError> {
    let Json(body) = body.map_err(body_error)?;
    match body.kind.as_str() {
        "video" => Ok(UseKind::Video),
        "template" => Ok(UseKind::Template),
        other => Err(ApiError {
            field: Some("kind"),
            ..ApiError::invalid(
                "kind",
                format!("kind must be video or template, got {other:?}"),
            )
        }),
    }
}

async fn adjust(
    state: AppState,
    headers: HeaderMap,
    id: String,
    kind: UseKind,
    delta: i64,
) -> Result<Json<Value>, ApiError> {
    let lookup = id.clone();
    let outcome = state
        .store
        .with(move |conn| {
            store::adjust_usage(conn, &lookup, kind, delta, &trove_core::now_rfc3339())
        })
        .await
        .map_err(ApiError::internal)?;
    match outcome {
        UsageChange::Recorded(asset) => Ok(Json(asset_json(
            &asset,
            &public_base(&headers, &state.base_url),
            true,
        ))),
        UsageChange::NoSuchAsset => Err(ApiError::not_found(&id)),
        UsageChange::NothingToRelease => Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_use_recorded",
            format!("asset {id} has no use of that kind to release"),
        )),
    }
}

pub async fn add_use(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<UseBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let kind = use_kind(body)?;
    adjust(state, headers, id, kind, 1).await
}

pub async fn release_use(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<UseBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let kind = use_kind(body)?;
    adjust(state, headers, id, kind, -1).await
}
