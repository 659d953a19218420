// Every call from the UI into the Rust side goes through here: thin, typed wrappers over Tauri's
// IPC, so components never spell command names or argument shapes themselves. The command names,
// argument names (camelCase here, snake_case in Rust) and types must match src-tauri/src/commands.rs.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

import type { AssetPage, AssetQuery, LibraryStatus, TroveEvent } from './bindings';

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

/** Syncs one account, or every account when `accountId` is null; rejects with a message. */
export function syncNow(accountId: string | null): Promise<void> {
  return invoke<void>('sync_now', { accountId });
}

/** Calls `handler` for every event the core emits; resolves to the function that stops it. */
export function onTroveEvent(handler: (event: TroveEvent) => void): Promise<UnlistenFn> {
  return listen<TroveEvent>(TROVE_EVENT, (event) => handler(event.payload));
}
