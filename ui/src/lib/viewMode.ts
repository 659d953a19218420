// Whether the assets show as a grid of thumbnails or as a list of rows, remembered across
// launches in the web view's localStorage. Storage is passed in so the tests need no DOM.

export type ViewMode = 'grid' | 'list';

export const VIEW_MODE_KEY = 'trove.view';

type Store = Pick<Storage, 'getItem' | 'setItem'>;

/** What is stored, as a view: anything but `list` (nothing stored yet, a stray value) is the grid. */
export function parseViewMode(stored: string | null): ViewMode {
  return stored === 'list' ? 'list' : 'grid';
}

/**
 * The remembered view. Even reaching localStorage can throw (a locked-down web view), hence the
 * lookup inside the `try`: the grid then.
 */
export function loadViewMode(store?: Store): ViewMode {
  try {
    return parseViewMode((store ?? localStorage).getItem(VIEW_MODE_KEY));
  } catch {
    return 'grid';
  }
}

/** Remembers `mode`; a storage that refuses (full, locked down) only costs the memory of it. */
export function saveViewMode(mode: ViewMode, store?: Store): void {
  try {
    (store ?? localStorage).setItem(VIEW_MODE_KEY, mode);
  } catch {
    // Not worth a notice: the view still switches, it is only not remembered.
  }
}
