import { describe, expect, it } from 'vitest';

import type { Asset, AssetQuery } from './bindings';
import { GridSelection, keyOf, moveIndex } from './selection.svelte';
import { testAsset } from './testing';

function asset(n: number): Asset {
  return testAsset({ account_id: 'acc', id: `a${n}` });
}

const items = Array.from({ length: 10 }, (_, n) => asset(n));
const itemAt = (i: number): Asset | undefined => items[i];
/** The item at `i`, which the tests know exists. */
const at = (i: number): Asset => items[i] ?? asset(i);
const query: AssetQuery = { account_id: null, kind: null, tags: [], text: null, sort: 'newest', offset: 0, limit: 0 };

describe('moveIndex', () => {
  it('moves by one across and by a row down, clamped to the result', () => {
    expect(moveIndex(4, 'ArrowRight', 4, 10)).toBe(5);
    expect(moveIndex(4, 'ArrowLeft', 4, 10)).toBe(3);
    expect(moveIndex(4, 'ArrowDown', 4, 10)).toBe(8);
    expect(moveIndex(8, 'ArrowDown', 4, 10)).toBe(9);
    expect(moveIndex(1, 'ArrowUp', 4, 10)).toBe(0);
    expect(moveIndex(0, 'ArrowLeft', 4, 10)).toBe(0);
    expect(moveIndex(3, 'End', 4, 10)).toBe(9);
    expect(moveIndex(3, 'Home', 4, 10)).toBe(0);
  });

  it('starts at the first item, and goes nowhere in an empty result or on other keys', () => {
    expect(moveIndex(null, 'ArrowDown', 4, 10)).toBe(0);
    expect(moveIndex(null, 'ArrowDown', 4, 0)).toBeNull();
    expect(moveIndex(2, 'x', 4, 10)).toBeNull();
  });
});

describe('GridSelection', () => {
  it('picks one on a click and shows it in the details', () => {
    const selection = new GridSelection();
    selection.pick(2, at(2));
    selection.pick(3, at(3));
    expect(selection.count(10)).toBe(1);
    expect(selection.has(at(2))).toBe(false);
    expect(selection.primary?.id).toBe('a3');
    expect(selection.focus).toBe(3);
  });

  it('toggles with Ctrl and extends a range with Shift from the anchor', () => {
    const selection = new GridSelection();
    selection.pick(2, at(2));
    selection.toggle(5, at(5));
    expect(selection.count(10)).toBe(2);
    expect(selection.primary).toBeNull();
    selection.extend(7, itemAt);
    expect([5, 6, 7].every((i) => selection.has(at(i)))).toBe(true);
    expect(selection.has(at(2))).toBe(false);
    selection.extend(3, itemAt);
    expect(selection.count(10)).toBe(3);
    expect([3, 4, 5].every((i) => selection.has(at(i)))).toBe(true);
    selection.toggle(4, at(4));
    expect(selection.has(at(4))).toBe(false);
  });

  it('moves with the arrows, extending with Shift, and skips what is not loaded', () => {
    const selection = new GridSelection();
    selection.moveTo(0, false, itemAt);
    selection.moveTo(1, true, itemAt);
    selection.moveTo(2, true, itemAt);
    expect(selection.count(10)).toBe(3);
    selection.moveTo(9, false, () => undefined);
    expect(selection.focus).toBe(9);
    expect(selection.count(10)).toBe(3);
  });

  it('selects all as the query less what is unticked', () => {
    const selection = new GridSelection();
    selection.selectAll();
    expect(selection.count(100_000)).toBe(100_000);
    expect(selection.has(at(7))).toBe(true);
    selection.toggle(7, at(7));
    expect(selection.count(100_000)).toBe(99_999);
    expect(selection.toSelection(query)).toEqual({
      type: 'matching',
      query,
      except: [{ account_id: 'acc', id: 'a7' }],
    });
    selection.toggle(7, at(7));
    expect(selection.count(100_000)).toBe(100_000);
  });

  it('sends picked assets by key, shows the one left after unticking, and clears on Esc', () => {
    const selection = new GridSelection();
    selection.pick(1, at(1));
    selection.toggle(2, at(2));
    expect(selection.toSelection(query)).toEqual({
      type: 'assets',
      keys: [
        { account_id: 'acc', id: 'a1' },
        { account_id: 'acc', id: 'a2' },
      ],
    });
    selection.toggle(1, at(1));
    expect(selection.primary?.id).toBe('a2');
    selection.clear();
    expect(selection.count(10)).toBe(0);
    expect(selection.focus).toBe(1);
    selection.reset();
    expect(selection.focus).toBeNull();
  });

  it('keys do not collide when an id holds a slash', () => {
    expect(keyOf({ account_id: 'a/b', id: 'c' })).not.toBe(keyOf({ account_id: 'a', id: 'b/c' }));
  });
});
