//! The settings screen's commands: accounts (their keys go to the OS keychain through the core),
//! watched folders, and the sync interval. Non-secret settings live in `settings.json` in the
//! app's data directory, kept by tauri-plugin-store; no key is ever written there.

use std::time::Duration;

use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_store::StoreExt;
use trove_core::accounts::{
    provider_choices, AccountError, AccountForm, AccountSettings, ConnectionReport, ProviderChoice,
    UnsentWork,
};
use trove_core::autosync;
use trove_core::cache::WatchedFolder;

use crate::commands::library;
use crate::startup::TroveState;

const SETTINGS_FILE: &str = "settings.json";
const SYNC_INTERVAL_KEY: &str = "sync_interval_minutes";
const VIEW_MODE_KEY: &str = "view";
/// The ways the window can show the assets.
const VIEW_MODES: [&str; 2] = ["grid", "list"];

/// The sync interval last chosen, or the default.
pub fn saved_sync_minutes<R: Runtime>(app: &AppHandle<R>) -> u32 {
    let saved = app.store(SETTINGS_FILE).ok().and_then(|store| {
        store
            .get(SYNC_INTERVAL_KEY)
            .and_then(|value| value.as_u64())
            .and_then(|minutes| u32::try_from(minutes).ok())
    });
    saved
        .filter(|minutes| autosync::interval_from_minutes(*minutes).is_ok())
        .unwrap_or(autosync::DEFAULT_INTERVAL_MINUTES)
}

#[tauri::command(async)]
pub fn account_settings(state: State<'_, TroveState>) -> Result<Vec<AccountSettings>, String> {
    library(&state)?
        .account_settings()
        .map_err(|e| e.to_string())
}

#[tauri::command]
pub fn providers() -> Vec<ProviderChoice> {
    provider_choices()
}

#[tauri::command(async)]
pub fn add_account(
    state: State<'_, TroveState>,
    form: AccountForm,
) -> Result<AccountSettings, String> {
    library(&state)?
        .create_account(&form)
        .map_err(|e| e.to_string())
}

#[tauri::command(async)]
pub fn change_account(
    state: State<'_, TroveState>,
    account_id: String,
    form: AccountForm,
) -> Result<AccountSettings, String> {
    library(&state)?
        .change_account(&account_id, &form)
        .map_err(|e| e.to_string())
}

/// `None` when removed; what would be lost when refused for unsent work (ask, then `force`).
#[tauri::command(async)]
pub fn remove_account(
    state: State<'_, TroveState>,
    account_id: String,
    force: bool,
) -> Result<Option<UnsentWork>, String> {
    match library(&state)?.remove_account(&account_id, force) {
        Ok(()) => Ok(None),
        Err(AccountError::UnsentWork(work)) => Ok(Some(work)),
        Err(other) => Err(other.to_string()),
    }
}

#[tauri::command]
pub async fn test_connection(
    state: State<'_, TroveState>,
    form: AccountForm,
    account_id: Option<String>,
) -> Result<ConnectionReport, String> {
    library(&state)?
        .test_connection(&form, account_id.as_deref())
        .await
        .map_err(|e| e.to_string())
}

#[tauri::command(async)]
pub fn watched_folders(state: State<'_, TroveState>) -> Result<Vec<WatchedFolder>, String> {
    crate::uploads::queue(&state)?
        .watched_folders()
        .map_err(|e| e.to_string())
}

#[tauri::command(async)]
pub fn watch_folder(
    state: State<'_, TroveState>,
    path: String,
    account_id: String,
    tags: Vec<String>,
) -> Result<WatchedFolder, String> {
    let queue = crate::uploads::queue(&state)?;
    let account = queue
        .library()
        .account(&account_id)
        .map_err(|e| e.to_string())?;
    queue
        .watch_folder(std::path::Path::new(&path), &account, &tags)
        .map_err(|e| e.to_string())
}

#[tauri::command(async)]
pub fn unwatch_folder(state: State<'_, TroveState>, path: String) -> Result<bool, String> {
    crate::uploads::queue(&state)?
        .unwatch_folder(std::path::Path::new(&path))
        .map_err(|e| e.to_string())
}

/// The native folder dialog; `None` when the user closed it.
#[tauri::command]
pub async fn choose_folder(app: AppHandle) -> Result<Option<String>, String> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Watch a folder")
        .pick_folder(move |picked| {
            let _ = sender.send(picked);
        });
    let picked = receiver.await.map_err(|e| e.to_string())?;
    Ok(picked
        .and_then(|folder| folder.into_path().ok())
        .map(|path| path.display().to_string()))
}

#[tauri::command]
pub fn sync_interval(app: AppHandle) -> u32 {
    saved_sync_minutes(&app)
}

/// Saves the interval and hands it to the running background sync.
#[tauri::command]
pub fn set_sync_interval(
    app: AppHandle,
    state: State<'_, TroveState>,
    minutes: u32,
) -> Result<(), String> {
    let interval: Duration = autosync::interval_from_minutes(minutes).map_err(|e| e.to_string())?;
    let store = app.store(SETTINGS_FILE).map_err(|e| e.to_string())?;
    store.set(SYNC_INTERVAL_KEY, minutes);
    store.save().map_err(|e| e.to_string())?;
    state
        .sync_timing
        .send_modify(|timing| timing.interval = interval);
    tracing::info!(minutes, "sync interval changed");
    Ok(())
}

/// The view last chosen, if any.
#[tauri::command]
pub fn view_mode(app: AppHandle) -> Option<String> {
    let store = app.store(SETTINGS_FILE).ok()?;
    store
        .get(VIEW_MODE_KEY)
        .and_then(|value| value.as_str().map(str::to_owned))
        .filter(|mode| VIEW_MODES.contains(&mode.as_str()))
}

#[tauri::command]
pub fn set_view_mode(app: AppHandle, mode: String) -> Result<(), String> {
    if !VIEW_MODES.contains(&mode.as_str()) {
        return Err(format!("unknown view {mode:?} (known: grid, list)"));
    }
    let store = app.store(SETTINGS_FILE).map_err(|e| e.to_string())?;
    store.set(VIEW_MODE_KEY, mode);
    store.save().map_err(|e| e.to_string())
}

/// Opens the asset's own address in the default browser. The address comes from the cache, not
/// from the page, and only http(s) addresses are opened.
#[tauri::command(async)]
pub fn open_in_browser(
    app: AppHandle,
    state: State<'_, TroveState>,
    account_id: String,
    asset_id: String,
) -> Result<(), String> {
    use tauri_plugin_opener::OpenerExt;
    let library = library(&state)?;
    let account = library.account(&account_id).map_err(|e| e.to_string())?;
    let asset = library
        .find_asset(&asset_id, Some(&account))
        .map_err(|e| e.to_string())?;
    let url = asset
        .url
        .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
        .ok_or_else(|| format!("{} has no web address to open", asset.name))?;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| e.to_string())
}
