// Every call from the UI into the Rust side goes through here: thin, typed wrappers over Tauri's
// IPC, so components never spell command names or argument shapes themselves. The command names,
// argument names (camelCase here, snake_case in Rust) and types must match src-tauri/src/commands.rs,
// src-tauri/src/uploads.rs and src-tauri/src/settings.rs.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';

import type {
  AccountForm,
  AccountSettings,
  AssetEdit,
  AssetDetails,
  AssetPage,
  AssetQuery,
  ConnectionReport,
  DeleteCheck,
  DeleteOutcome,
  EditSummary,
  LibraryStatus,
  ProviderChoice,
  Selection,
  TagFacet,
  TroveEvent,
  UnsentWork,
  UploadItem,
  WatchedFolder,
} from './bindings';

/** The single event channel the core reports on. */
export const TROVE_EVENT = 'trove://event';

/** Never rejects from the core: a library that could not open is described in `fatal_error`. */
export function libraryStatus(): Promise<LibraryStatus> {
  return invoke<LibraryStatus>('library_status');
}

/** Rejects with the core's error message (a string). */
export function listAssets(query: AssetQuery): Promise<AssetPage> {
  return invoke<AssetPage>('list_assets', { query });
}

/** The most used tags among what `query` selects, with their counts. */
export function tagFacets(query: AssetQuery, limit: number): Promise<TagFacet[]> {
  return invoke<TagFacet[]>('tag_facets', { query, limit });
}

/** Syncs one account, or every account when `accountId` is null; rejects with a message. */
export function syncNow(accountId: string | null): Promise<void> {
  return invoke<void>('sync_now', { accountId });
}

/** Calls `handler` for every event the core emits; resolves to the function that stops it. */
export function onTroveEvent(handler: (event: TroveEvent) => void): Promise<UnlistenFn> {
  return listen<TroveEvent>(TROVE_EVENT, (event) => handler(event.payload));
}

/** Queues files and folders for an account (the Local library when `accountId` is null). */
export function enqueueUploads(paths: string[], accountId: string | null, tags: string[]): Promise<UploadItem[]> {
  return invoke<UploadItem[]>('enqueue_uploads', { paths, accountId, tags });
}

/** Opens the native file dialog and queues what is picked; rejects with a message. */
export function chooseFilesToUpload(accountId: string | null): Promise<UploadItem[]> {
  return invoke<UploadItem[]>('choose_files_to_upload', { accountId });
}

/**
 * Queues a file from a file input (the web view is not told its path): its bytes go as the raw
 * request body, its name in a header.
 */
export async function uploadFileBytes(file: File, accountId: string | null): Promise<UploadItem[]> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const headers: Record<string, string> = { 'x-file-name': encodeURIComponent(file.name) };
  if (accountId) headers['x-account-id'] = encodeURIComponent(accountId);
  return invoke<UploadItem[]>('upload_file_bytes', bytes, { headers });
}

export function listUploads(): Promise<UploadItem[]> {
  return invoke<UploadItem[]>('list_uploads');
}

export function cancelUpload(id: number): Promise<boolean> {
  return invoke<boolean>('cancel_upload', { id });
}

export function retryUpload(id: number): Promise<boolean> {
  return invoke<boolean>('retry_upload', { id });
}

/** The asset with usage counts fetched fresh (or the cached ones and why). */
export function assetDetails(accountId: string, assetId: string): Promise<AssetDetails> {
  return invoke<AssetDetails>('asset_details', { accountId, assetId });
}

/** Deletes an asset; one in use is refused (with its counts) unless `force`. */
export function deleteAsset(accountId: string, assetId: string, force: boolean): Promise<void> {
  return invoke<void>('delete_asset', { accountId, assetId, force });
}

/** Renames, tags or untags the selected assets at once; rejects with the reason for a bad name or tag. */
export function editAssets(selection: Selection, edit: AssetEdit): Promise<EditSummary> {
  return invoke<EditSummary>('edit_assets', { selection, edit });
}

/** Fresh usage of the selected assets: which are in use, and which could not be checked. */
export function checkDelete(selection: Selection): Promise<DeleteCheck> {
  return invoke<DeleteCheck>('check_delete', { selection });
}

/** Deletes the selection; without `force`, nothing goes while any is in use (see the check). */
export function deleteAssets(selection: Selection, force: boolean): Promise<DeleteOutcome> {
  return invoke<DeleteOutcome>('delete_assets', { selection, force });
}

/**
 * Tells `handler` how many files are being dragged over the window (0 when they leave or are
 * dropped). The drop itself is handled by the core, which queues the files.
 */
export function onFilesDragged(handler: (count: number) => void): Promise<UnlistenFn> {
  return getCurrentWebview().onDragDropEvent((event) => {
    const drag = event.payload;
    if (drag.type === 'enter') handler(Math.max(1, drag.paths.length));
    else if (drag.type === 'leave' || drag.type === 'drop') handler(0);
  });
}

/** Opens the asset's web address (as cached, http(s) only) in the default browser. */
export function openInBrowser(accountId: string, assetId: string): Promise<void> {
  return invoke<void>('open_in_browser', { accountId, assetId });
}

// Settings. API keys go from the form to the core, which files them in the OS keychain; they are
// never read back into the page.

export function accountSettings(): Promise<AccountSettings[]> {
  return invoke<AccountSettings[]>('account_settings');
}

export function providers(): Promise<ProviderChoice[]> {
  return invoke<ProviderChoice[]>('providers');
}

export function addAccount(form: AccountForm): Promise<AccountSettings> {
  return invoke<AccountSettings>('add_account', { form });
}

/** An empty `api_key` keeps the stored key. */
export function changeAccount(accountId: string, form: AccountForm): Promise<AccountSettings> {
  return invoke<AccountSettings>('change_account', { accountId, form });
}

/**
 * Null when removed. While edits or uploads wait, nothing is removed (unless `force`) and what
 * would be lost comes back instead.
 */
export function removeAccount(accountId: string, force: boolean): Promise<UnsentWork | null> {
  return invoke<UnsentWork | null>('remove_account', { accountId, force });
}

/** Reads the first page with the form's key, or the stored key of `accountId` when the form has none. */
export function testConnection(form: AccountForm, accountId: string | null): Promise<ConnectionReport> {
  return invoke<ConnectionReport>('test_connection', { form, accountId });
}

export function watchedFolders(): Promise<WatchedFolder[]> {
  return invoke<WatchedFolder[]>('watched_folders');
}

export function watchFolder(path: string, accountId: string, tags: string[]): Promise<WatchedFolder> {
  return invoke<WatchedFolder>('watch_folder', { path, accountId, tags });
}

export function unwatchFolder(path: string): Promise<boolean> {
  return invoke<boolean>('unwatch_folder', { path });
}

/** The native folder dialog: the folder's path, or null when it was closed. */
export function chooseFolder(): Promise<string | null> {
  return invoke<string | null>('choose_folder');
}

/** Minutes between two full syncs of every account. */
export function syncInterval(): Promise<number> {
  return invoke<number>('sync_interval');
}

export function setSyncInterval(minutes: number): Promise<void> {
  return invoke<void>('set_sync_interval', { minutes });
}

/** The view last chosen ("grid" or "list"; anything else is treated as the grid). */
export function viewMode(): Promise<string | null> {
  return invoke<string | null>('view_mode');
}

export function setViewMode(mode: 'grid' | 'list'): Promise<void> {
  return invoke<void>('set_view_mode', { mode });
}
