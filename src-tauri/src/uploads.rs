//! The upload queue's commands and the window's file drops. Each is a thin call into the core's
//! [`UploadQueue`], which the app works in the background from startup.

use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::DialogExt;
use trove_core::cache::Account;
use trove_core::model::UploadItem;
use trove_core::upload::UploadQueue;

use crate::startup::TroveState;

/// The upload queue, or why it is not running (the library could not open).
pub(crate) fn queue(state: &TroveState) -> Result<&std::sync::Arc<UploadQueue>, String> {
    state.uploads.as_ref().ok_or_else(|| {
        state
            .library
            .as_ref()
            .err()
            .cloned()
            .unwrap_or_else(|| "the upload queue is not running".to_owned())
    })
}

/// The account given, or the Local library.
fn target(queue: &UploadQueue, account_id: Option<&str>) -> Result<Account, String> {
    let library = queue.library();
    match account_id {
        Some(id) => library.account(id),
        None => library.local_account(),
    }
    .map_err(|e| e.to_string())
}

/// Queues files and folders (dropped, or chosen) for an account.
#[tauri::command(async)]
pub fn enqueue_uploads(
    state: State<'_, TroveState>,
    paths: Vec<String>,
    account_id: Option<String>,
    tags: Vec<String>,
) -> Result<Vec<UploadItem>, String> {
    let queue = queue(&state)?;
    let account = target(queue, account_id.as_deref())?;
    let paths: Vec<std::path::PathBuf> = paths.into_iter().map(Into::into).collect();
    queue
        .enqueue(&paths, &account, &tags, "drop")
        .map_err(|e| e.to_string())
}

/// Queues a file read by the UI's file input: its bytes are the request body, its name and the
/// target account are headers (`x-file-name`, percent-encoded; `x-account-id`, optional).
#[tauri::command(async)]
pub fn upload_file_bytes(
    state: State<'_, TroveState>,
    request: tauri::ipc::Request<'_>,
) -> Result<Vec<UploadItem>, String> {
    let queue = queue(&state)?;
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err("the file's bytes must be sent as the raw request body".to_owned());
    };
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(percent_decode)
    };
    let name = header("x-file-name").ok_or("the x-file-name header is missing")?;
    let account = target(queue, header("x-account-id").as_deref())?;
    queue
        .enqueue_bytes(&name, bytes, &account, &[])
        .map_err(|e| e.to_string())
}

/// Opens the native file dialog and queues what the user picks for the account.
#[tauri::command]
pub async fn choose_files_to_upload(
    app: AppHandle,
    state: State<'_, TroveState>,
    account_id: Option<String>,
) -> Result<Vec<UploadItem>, String> {
    let queue = queue(&state)?;
    let account = target(queue, account_id.as_deref())?;
    let (sender, receiver) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Upload to Trove")
        .pick_files(move |picked| {
            let _ = sender.send(picked);
        });
    let picked = receiver.await.map_err(|e| e.to_string())?;
    let paths: Vec<std::path::PathBuf> = picked
        .unwrap_or_default()
        .into_iter()
        .filter_map(|file| file.into_path().ok())
        .collect();
    queue
        .enqueue(&paths, &account, &[], "dialog")
        .map_err(|e| e.to_string())
}

#[tauri::command(async)]
pub fn list_uploads(state: State<'_, TroveState>) -> Result<Vec<UploadItem>, String> {
    queue(&state)?.list(500).map_err(|e| e.to_string())
}

#[tauri::command(async)]
pub fn cancel_upload(state: State<'_, TroveState>, id: i64) -> Result<bool, String> {
    queue(&state)?.cancel(id).map_err(|e| e.to_string())
}

#[tauri::command(async)]
pub fn retry_upload(state: State<'_, TroveState>, id: i64) -> Result<bool, String> {
    queue(&state)?.retry(id).map_err(|e| e.to_string())
}

/// Files and folders dropped on the window go to the Local library.
pub fn on_drop(app: &AppHandle, paths: &[std::path::PathBuf]) {
    let state = app.state::<TroveState>();
    let Ok(queue) = queue(&state) else { return };
    let queued = target(queue, None).and_then(|account| {
        queue
            .enqueue(paths, &account, &[], "drop")
            .map_err(|e| e.to_string())
    });
    if let Err(error) = queued {
        tracing::warn!(%error, "dropped files could not be queued");
    }
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
