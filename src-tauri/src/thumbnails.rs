//! The `thumb:` URI scheme: the web view asks `thumb://localhost/<account>/<asset>/<side>` and gets
//! the picture from the core's [`ThumbStore`], made on demand off the main thread. No localhost
//! HTTP server is involved.

use tauri::http::{Request, Response, StatusCode};
use tauri::{AppHandle, Manager};

use crate::startup::TroveState;

/// Sides the UI may ask for; anything else is served at the nearest.
const SIDES: [u32; 2] = [
    trove_core::thumbs::GRID_SIDE,
    trove_core::thumbs::PREVIEW_SIDE,
];

pub async fn serve(app: &AppHandle, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let parts: Vec<String> = request
        .uri()
        .path()
        .split('/')
        .filter(|part| !part.is_empty())
        .map(crate::uploads::percent_decode)
        .collect();
    let [account, asset, side] = parts.as_slice() else {
        return text(
            StatusCode::BAD_REQUEST,
            "expected /<account>/<asset>/<side>",
        );
    };
    let wanted: u32 = side.parse().unwrap_or(SIDES[0]);
    let side = SIDES
        .into_iter()
        .find(|s| *s >= wanted)
        .unwrap_or(SIDES[SIDES.len() - 1]);
    let state = app.state::<TroveState>();
    let Some(store) = state.thumbnails.clone() else {
        return text(StatusCode::SERVICE_UNAVAILABLE, "the library is not open");
    };
    match store.get(account, asset, side).await {
        Ok(thumb) => Response::builder()
            .status(StatusCode::OK)
            .header("content-type", thumb.mime)
            // The URL names the asset, not its content: the web view asks again after a change.
            .header("cache-control", "no-cache")
            .body(thumb.bytes)
            .unwrap_or_default(),
        Err(error) => {
            tracing::debug!(%error, account, asset, "no thumbnail");
            text(StatusCode::NOT_FOUND, &error.to_string())
        }
    }
}

fn text(status: StatusCode, message: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(message.as_bytes().to_vec())
        .unwrap_or_default()
}

/// Tiles that went away before their thumbnail came: `[account_id, asset_id]` pairs.
#[tauri::command(async)]
pub fn thumbnails_unwanted(state: tauri::State<'_, TroveState>, assets: Vec<(String, String)>) {
    if let Some(store) = &state.thumbnails {
        for (account, asset) in assets {
            store.forget(&account, &asset);
        }
    }
}

/// Pauses making thumbnails, or goes on.
#[tauri::command(async)]
pub fn pause_thumbnails(state: tauri::State<'_, TroveState>, paused: bool) {
    if let Some(store) = &state.thumbnails {
        store.set_paused(paused);
    }
}

/// The network is back: thumbnails of servers that did not answer may be asked for again at once.
#[tauri::command(async)]
pub fn thumbnails_retry(state: tauri::State<'_, TroveState>) {
    if let Some(store) = &state.thumbnails {
        store.retry_unreachable();
    }
}
