//! The commands the UI invokes. Each is a thin call into the core; errors cross as their message.

use tauri::State;
use trove_core::bulk::{AssetEdit, DeleteCheck, DeleteOutcome, EditSummary, Selection};
use trove_core::model::{AssetDetails, AssetPage, AssetQuery, LibraryStatus, TagFacet};
use trove_core::push::Urgency;

use crate::startup::TroveState;

/// The library, or the message that explains why it could not be opened.
pub(crate) fn library(state: &TroveState) -> Result<&trove_core::library::Library, String> {
    state.library.as_deref().map_err(Clone::clone)
}

// Plain (non-async) commands run on the main thread, where a cache query would stall the window;
// `async` moves them to Tauri's worker threads.

/// Never fails: a library that could not be opened is described in `fatal_error`.
#[tauri::command(async)]
pub fn library_status(state: State<'_, TroveState>) -> LibraryStatus {
    let (accounts, fatal_error) =
        match library(&state).and_then(|l| l.statuses().map_err(|e| e.to_string())) {
            Ok(accounts) => (accounts, None),
            Err(message) => (Vec::new(), Some(message)),
        };
    LibraryStatus {
        accounts,
        fatal_error,
        data_dir: state.data_dir.display().to_string(),
    }
}

#[tauri::command(async)]
pub fn list_assets(state: State<'_, TroveState>, query: AssetQuery) -> Result<AssetPage, String> {
    library(&state)?.query(&query).map_err(|e| e.to_string())
}

/// The most used tags among what `query` selects (its window is ignored), for the facet list.
#[tauri::command(async)]
pub fn tag_facets(
    state: State<'_, TroveState>,
    query: AssetQuery,
    limit: u32,
) -> Result<Vec<TagFacet>, String> {
    library(&state)?
        .tag_facets(&query, limit.min(200))
        .map_err(|e| e.to_string())
}

/// Syncs one account, or all of them when `account_id` is absent.
#[tauri::command]
pub async fn sync_now(
    state: State<'_, TroveState>,
    account_id: Option<String>,
) -> Result<(), String> {
    let library = library(&state)?;
    match account_id {
        Some(id) => {
            let account = library.account(&id).map_err(|e| e.to_string())?;
            library
                .sync(&account, Urgency::Now)
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        }
        None => {
            let failures: Vec<String> = library
                .sync_all(Urgency::Now)
                .await
                .into_iter()
                .filter_map(|(account, result)| {
                    result.err().map(|e| format!("{}: {e}", account.name))
                })
                .collect();
            if failures.is_empty() {
                Ok(())
            } else {
                Err(failures.join("; "))
            }
        }
    }
}

/// One asset with fresh usage counts (the cached ones, and why, when the account does not answer).
#[tauri::command]
pub async fn asset_details(
    state: State<'_, TroveState>,
    account_id: String,
    asset_id: String,
) -> Result<AssetDetails, String> {
    let library = library(&state)?;
    let account = library.account(&account_id).map_err(|e| e.to_string())?;
    library
        .details(&account, &asset_id)
        .await
        .map_err(|e| e.to_string())
}

/// Deletes an asset: usage is fetched fresh first and one in use is refused unless `force`. The
/// delete applies at once and the background sync sends it.
#[tauri::command]
pub async fn delete_asset(
    state: State<'_, TroveState>,
    account_id: String,
    asset_id: String,
    force: bool,
) -> Result<(), String> {
    let library = library(&state)?;
    let account = library.account(&account_id).map_err(|e| e.to_string())?;
    library
        .delete(&account, &asset_id, force)
        .await
        .map_err(|e| e.to_string())
}

/// Renames, tags or untags the selected assets at once; each edit is pending until its remote
/// has it (the background sync sends it at once).
#[tauri::command(async)]
pub fn edit_assets(
    state: State<'_, TroveState>,
    selection: Selection,
    edit: AssetEdit,
) -> Result<EditSummary, String> {
    library(&state)?
        .edit_selection(&selection, &edit)
        .map_err(|e| e.to_string())
}

/// Fetches fresh usage of the selected assets and names those in use.
#[tauri::command]
pub async fn check_delete(
    state: State<'_, TroveState>,
    selection: Selection,
) -> Result<DeleteCheck, String> {
    library(&state)?
        .check_delete(&selection)
        .await
        .map_err(|e| e.to_string())
}

/// Deletes the selected assets; unless `force`, nothing is deleted while any is in use.
#[tauri::command]
pub async fn delete_assets(
    state: State<'_, TroveState>,
    selection: Selection,
    force: bool,
) -> Result<DeleteOutcome, String> {
    library(&state)?
        .delete_selection(&selection, force)
        .await
        .map_err(|e| e.to_string())
}
