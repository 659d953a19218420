import { describe, expect, it } from 'vitest';

import { loadViewMode, parseViewMode, saveViewMode, VIEW_MODE_KEY } from './viewMode';

/** An in-memory stand-in for localStorage. */
function memoryStore(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
}

const refusing = {
  getItem: (): string | null => {
    throw new Error('SecurityError');
  },
  setItem: (): void => {
    throw new Error('QuotaExceededError');
  },
};

describe('parseViewMode', () => {
  it('reads the two views', () => {
    expect(parseViewMode('list')).toBe('list');
    expect(parseViewMode('grid')).toBe('grid');
  });

  it('falls back to the grid for anything else', () => {
    expect(parseViewMode(null)).toBe('grid');
    expect(parseViewMode('')).toBe('grid');
    expect(parseViewMode('LIST')).toBe('grid');
    expect(parseViewMode('table')).toBe('grid');
  });
});

describe('loadViewMode and saveViewMode', () => {
  it('starts with the grid when nothing is stored', () => {
    expect(loadViewMode(memoryStore())).toBe('grid');
  });

  it('remembers the choice under trove.view', () => {
    const store = memoryStore();
    saveViewMode('list', store);
    expect(store.items.get(VIEW_MODE_KEY)).toBe('list');
    expect(VIEW_MODE_KEY).toBe('trove.view');
    expect(loadViewMode(store)).toBe('list');
    saveViewMode('grid', store);
    expect(loadViewMode(store)).toBe('grid');
  });

  it('falls back to the grid for a stored value it does not know', () => {
    expect(loadViewMode(memoryStore({ [VIEW_MODE_KEY]: 'mosaic' }))).toBe('grid');
  });

  it('survives a storage that refuses access', () => {
    expect(loadViewMode(refusing)).toBe('grid');
    expect(() => saveViewMode('list', refusing)).not.toThrow();
  });
});
