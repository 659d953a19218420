import { describe, expect, it } from 'vitest';

import { emptyFilter, headerCount, isFiltered, searchText, toggleTag } from './filters';

describe('filters', () => {
  it('toggle tags in an all-of list', () => {
    expect(toggleTag([], 'brand')).toEqual(['brand']);
    expect(toggleTag(['brand', '2025'], 'brand')).toEqual(['2025']);
    expect(toggleTag(['brand'], '2025')).toEqual(['brand', '2025']);
  });

  it('trim search text and treat blank as no search', () => {
    expect(searchText('  logo ')).toBe('logo');
    expect(searchText('   ')).toBeNull();
  });

  it('count the result against the library while filtered', () => {
    expect(headerCount(1284, 103552, true)).toBe('1,284 of 103,552 assets');
    expect(headerCount(103552, 103552, false)).toBe('103,552 assets');
    expect(headerCount(null, 10, true)).toBe('');
    expect(isFiltered(emptyFilter())).toBe(false);
    expect(isFiltered({ ...emptyFilter(), tags: ['brand'] })).toBe(true);
    expect(isFiltered({ ...emptyFilter(), account_id: 'team' })).toBe(true);
  });
});
