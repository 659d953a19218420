// Whether the assets show as a grid of thumbnails or as a list of rows, remembered across
// launches in the app's settings file (tauri-plugin-store, through the `view_mode` commands).
// The store is passed in so the tests need no app.

import { setViewMode, viewMode } from './api';

export type ViewMode = 'grid' | 'list';

export interface ViewStore {
  load(): Promise<unknown>;
  save(mode: ViewMode): Promise<void>;
}

/** The app's settings file. */
export const settingsStore: ViewStore = { load: viewMode, save: setViewMode };

/** What is stored, as a view: anything but `list` (nothing stored yet, a stray value) is the grid. */
export function parseViewMode(stored: unknown): ViewMode {
  return stored === 'list' ? 'list' : 'grid';
}

/** The remembered view; the grid when it cannot be read. */
export async function loadViewMode(store: ViewStore = settingsStore): Promise<ViewMode> {
  try {
    return parseViewMode(await store.load());
  } catch {
    return 'grid';
  }
}

/** Remembers `mode`; a store that refuses only costs the memory of it (the view still switches). */
export async function saveViewMode(mode: ViewMode, store: ViewStore = settingsStore): Promise<void> {
  try {
    await store.save(mode);
  } catch {
    // Not worth a notice: the choice is only not remembered for the next launch.
  }
}
