// The grid's keyboard, as a pure function of the key and the grid's state, so every binding is
// unit-tested (keyboard.test.ts) and the component only carries the action out.

import { moveIndex } from './selection.svelte';

export interface GridKeyState {
  focus: number | null;
  columns: number;
  total: number;
  selected: number;
  previewOpen: boolean;
}

export type GridKeyAction =
  | { type: 'move'; index: number; extend: boolean }
  | { type: 'select_all' }
  | { type: 'clear' }
  | { type: 'preview'; open: boolean }
  | { type: 'delete' }
  | { type: 'rename' };

/** Keys typed into a field belong to the field. */
function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return element?.closest?.('input, textarea, select, [contenteditable]') != null;
}

/**
 * What a key press does to the grid, or null when it is not the grid's: arrows (and Home/End)
 * move the selection, with Shift extending it; Enter opens the preview and Space toggles it (quick
 * look); F2 renames the one selected; Delete or Backspace asks to delete what is selected; Ctrl/Cmd+A selects the whole result;
 * Esc closes the preview, else clears the selection.
 */
export function gridKeyAction(
  event: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>,
  state: GridKeyState,
): GridKeyAction | null {
  if (typing(event.target) || event.altKey) return null;
  const command = event.ctrlKey || event.metaKey;
  if (command) {
    return event.key === 'a' || event.key === 'A' ? { type: 'select_all' } : null;
  }
  switch (event.key) {
    case 'Escape':
      return state.previewOpen || state.selected > 0 ? { type: 'clear' } : null;
    case 'Enter':
      return state.selected > 0 ? { type: 'preview', open: true } : null;
    case ' ':
      return state.selected > 0 || state.previewOpen ? { type: 'preview', open: !state.previewOpen } : null;
    case 'F2':
      return state.selected === 1 ? { type: 'rename' } : null;
    case 'Delete':
    case 'Backspace':
      return state.selected > 0 ? { type: 'delete' } : null;
    default: {
      const index = moveIndex(state.focus, event.key, state.columns, state.total);
      return index === null ? null : { type: 'move', index, extend: event.shiftKey };
    }
  }
}
