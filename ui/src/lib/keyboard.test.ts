import { describe, expect, it } from 'vitest';

import { type GridKeyState, gridKeyAction } from './keyboard';

const grid: GridKeyState = { focus: 5, columns: 4, total: 20, selected: 1, previewOpen: false };

function press(key: string, mods: { shift?: boolean; ctrl?: boolean; meta?: boolean } = {}, target: unknown = null) {
  return {
    key,
    shiftKey: mods.shift ?? false,
    ctrlKey: mods.ctrl ?? false,
    metaKey: mods.meta ?? false,
    altKey: false,
    target: target as EventTarget | null,
  };
}

describe('gridKeyAction', () => {
  it('moves with the arrows and extends with Shift', () => {
    expect(gridKeyAction(press('ArrowDown'), grid)).toEqual({ type: 'move', index: 9, extend: false });
    expect(gridKeyAction(press('ArrowLeft', { shift: true }), grid)).toEqual({ type: 'move', index: 4, extend: true });
    expect(gridKeyAction(press('ArrowRight'), { ...grid, focus: null })).toEqual({ type: 'move', index: 0, extend: false });
  });

  it('selects all with Ctrl+A or Cmd+A, and leaves other shortcuts alone', () => {
    expect(gridKeyAction(press('a', { ctrl: true }), grid)).toEqual({ type: 'select_all' });
    expect(gridKeyAction(press('a', { meta: true }), grid)).toEqual({ type: 'select_all' });
    expect(gridKeyAction(press('c', { ctrl: true }), grid)).toBeNull();
  });

  it('opens the preview with Enter, toggles it with Space, and Esc closes it before clearing', () => {
    expect(gridKeyAction(press('Enter'), grid)).toEqual({ type: 'preview', open: true });
    expect(gridKeyAction(press(' '), grid)).toEqual({ type: 'preview', open: true });
    expect(gridKeyAction(press(' '), { ...grid, previewOpen: true })).toEqual({ type: 'preview', open: false });
    expect(gridKeyAction(press('Escape'), { ...grid, previewOpen: true })).toEqual({ type: 'clear' });
    expect(gridKeyAction(press('Escape'), grid)).toEqual({ type: 'clear' });
    expect(gridKeyAction(press('Escape'), { ...grid, selected: 0 })).toBeNull();
  });

  it('renames with F2 when exactly one is selected', () => {
    expect(gridKeyAction(press('F2'), grid)).toEqual({ type: 'rename' });
    expect(gridKeyAction(press('F2'), { ...grid, selected: 2 })).toBeNull();
  });

  it('asks to delete only when something is selected', () => {
    expect(gridKeyAction(press('Delete'), grid)).toEqual({ type: 'delete' });
    expect(gridKeyAction(press('Backspace'), grid)).toEqual({ type: 'delete' });
    expect(gridKeyAction(press('Delete'), { ...grid, selected: 0 })).toBeNull();
    expect(gridKeyAction(press('Enter'), { ...grid, selected: 0 })).toBeNull();
  });

  it('leaves keys typed into a field to the field', () => {
    const field = { closest: (css: string) => (css.includes('input') ? {} : null) };
    expect(gridKeyAction(press('ArrowDown', {}, field), grid)).toBeNull();
    expect(gridKeyAction(press('a', { ctrl: true }, field), grid)).toBeNull();
    expect(gridKeyAction(press('Backspace', {}, field), grid)).toBeNull();
  });
});
