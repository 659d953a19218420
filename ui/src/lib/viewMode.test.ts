import { describe, expect, it } from 'vitest';

import { loadViewMode, parseViewMode, saveViewMode, type ViewMode, type ViewStore } from './viewMode';

/** An in-memory stand-in for the settings file. */
function memoryStore(initial: unknown = null): ViewStore & { saved: unknown } {
  const store = {
    saved: initial,
    load: async () => store.saved,
    save: async (mode: ViewMode) => {
      store.saved = mode;
    },
  };
  return store;
}

const refusing: ViewStore = {
  load: () => Promise.reject(new Error('the settings file is unreadable')),
  save: () => Promise.reject(new Error('the disk is full')),
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
    expect(parseViewMode(42)).toBe('grid');
  });
});

describe('loadViewMode and saveViewMode', () => {
  it('starts with the grid when nothing is stored', async () => {
    expect(await loadViewMode(memoryStore())).toBe('grid');
  });

  it('remembers the choice', async () => {
    const store = memoryStore();
    await saveViewMode('list', store);
    expect(store.saved).toBe('list');
    expect(await loadViewMode(store)).toBe('list');
    await saveViewMode('grid', store);
    expect(await loadViewMode(store)).toBe('grid');
  });

  it('falls back to the grid for a stored value it does not know', async () => {
    expect(await loadViewMode(memoryStore('mosaic'))).toBe('grid');
  });

  it('survives a store that refuses', async () => {
    expect(await loadViewMode(refusing)).toBe('grid');
    await expect(saveViewMode('list', refusing)).resolves.toBeUndefined();
  });
});
