import { describe, expect, it } from 'vitest';

import { MAX_SUGGESTIONS, suggestTags } from './tags';

describe('suggestTags', () => {
  const known = ['brand', 'summer', 'branding', 'rebrand', '2025', 'Brazil'];

  it('puts tags starting with the text before those containing it, most used first', () => {
    expect(suggestTags(known, 'bra')).toEqual(['brand', 'branding', 'Brazil', 'rebrand']);
  });

  it('ignores case and surrounding spaces, and leaves out tags already there', () => {
    expect(suggestTags(known, '  BRAN ', ['brand'])).toEqual(['branding', 'rebrand']);
  });

  it('suggests nothing for blank text, and never more than a short list', () => {
    expect(suggestTags(known, '   ')).toEqual([]);
    const many = Array.from({ length: 50 }, (_, n) => `tag${n}`);
    expect(suggestTags(many, 'tag')).toHaveLength(MAX_SUGGESTIONS);
  });
});
