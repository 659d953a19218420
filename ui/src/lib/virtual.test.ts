import { describe, expect, it } from 'vitest';

import { columnsFor, pagesFor, range, revealRow, rowCountFor, visibleWindow, type GridGeometry } from './virtual';

const base: GridGeometry = {
  scrollTop: 0,
  viewportHeight: 600,
  rowHeight: 200,
  columns: 5,
  total: 1000,
  overscan: 2,
};

describe('columnsFor', () => {
  it('fits whole tiles, at least one', () => {
    expect(columnsFor(900, 180)).toBe(5);
    expect(columnsFor(899, 180)).toBe(4);
    expect(columnsFor(100, 180)).toBe(1);
    expect(columnsFor(0, 180)).toBe(1);
    expect(columnsFor(Number.NaN, 180)).toBe(1);
  });
});

describe('rowCountFor', () => {
  it('rounds a partial last row up', () => {
    expect(rowCountFor(0, 5)).toBe(0);
    expect(rowCountFor(1, 5)).toBe(1);
    expect(rowCountFor(10, 5)).toBe(2);
    expect(rowCountFor(11, 5)).toBe(3);
  });
});

describe('visibleWindow', () => {
  it('covers the viewport plus the overscan below at the top', () => {
    expect(visibleWindow(base)).toEqual({ rowCount: 200, startRow: 0, endRow: 5, startIndex: 0, endIndex: 25 });
  });

  it('adds overscan on both sides in the middle', () => {
    const w = visibleWindow({ ...base, scrollTop: 2000 });
    // Rows 10..12 are visible (2000..2600 px); two more each side.
    expect(w).toEqual({ rowCount: 200, startRow: 8, endRow: 15, startIndex: 40, endIndex: 75 });
  });

  it('counts a partly visible row', () => {
    const w = visibleWindow({ ...base, scrollTop: 2100, overscan: 0 });
    expect([w.startRow, w.endRow]).toEqual([10, 14]);
  });

  it('ends at the last item, not the end of the last row', () => {
    const w = visibleWindow({ ...base, total: 23, scrollTop: 10_000 });
    expect(w).toEqual({ rowCount: 5, startRow: 0, endRow: 5, startIndex: 0, endIndex: 23 });
  });

  it('clamps a scroll position past the end (the result shrank)', () => {
    const w = visibleWindow({ ...base, scrollTop: 1_000_000 });
    // Max scroll is 200 rows * 200 px - 600 px: rows 197..199 visible.
    expect(w).toEqual({ rowCount: 200, startRow: 195, endRow: 200, startIndex: 975, endIndex: 1000 });
  });

  it('clamps a negative scroll position (elastic scrolling)', () => {
    expect(visibleWindow({ ...base, scrollTop: -80 })).toEqual(visibleWindow(base));
  });

  it('is empty for an empty result', () => {
    expect(visibleWindow({ ...base, total: 0 })).toEqual({
      rowCount: 0,
      startRow: 0,
      endRow: 0,
      startIndex: 0,
      endIndex: 0,
    });
  });

  it('still renders a row before the viewport is measured', () => {
    const w = visibleWindow({ ...base, viewportHeight: 0, overscan: 0 });
    expect([w.startRow, w.endRow]).toEqual([0, 1]);
  });

  it('stays bounded however large the result', () => {
    const w = visibleWindow({ ...base, total: 50_000_000, scrollTop: 1_234_567_000 });
    expect(w.endIndex - w.startIndex).toBeLessThanOrEqual((3 + 1 + 4) * base.columns);
    expect(w.startIndex % base.columns).toBe(0);
  });
});

describe('pagesFor', () => {
  it('lists the pages holding the half-open item range', () => {
    expect(pagesFor(0, 25, 200)).toEqual([0]);
    expect(pagesFor(0, 200, 200)).toEqual([0]);
    expect(pagesFor(0, 201, 200)).toEqual([0, 1]);
    expect(pagesFor(195, 230, 200)).toEqual([0, 1]);
    expect(pagesFor(400, 401, 200)).toEqual([2]);
    expect(pagesFor(150, 650, 200)).toEqual([0, 1, 2, 3]);
  });

  it('is empty for an empty range', () => {
    expect(pagesFor(0, 0, 200)).toEqual([]);
    expect(pagesFor(30, 10, 200)).toEqual([]);
  });

  it('agrees with the window', () => {
    const w = visibleWindow({ ...base, scrollTop: 7900 });
    expect(pagesFor(w.startIndex, w.endIndex, 200)).toEqual([0, 1]);
  });
});

describe('revealRow', () => {
  it('leaves a row in view where it is', () => {
    expect(revealRow(400, 600, 400, 200)).toBe(400);
    expect(revealRow(400, 600, 800, 200)).toBe(400);
  });

  it('aligns the top of a row above the viewport', () => {
    expect(revealRow(400, 600, 200, 200)).toBe(200);
    expect(revealRow(400, 600, 350, 200)).toBe(350);
  });

  it('aligns the bottom of a row below the viewport', () => {
    expect(revealRow(400, 600, 1000, 200)).toBe(600);
    expect(revealRow(0, 440, 440, 44)).toBe(44);
  });

  it('shows the top of a row taller than the viewport, or before it is measured', () => {
    expect(revealRow(0, 100, 400, 200)).toBe(400);
    expect(revealRow(0, 0, 440, 44)).toBe(440);
    expect(revealRow(0, -30, 440, 44)).toBe(440);
  });
});

describe('range', () => {
  it('is half-open', () => {
    expect(range(3, 6)).toEqual([3, 4, 5]);
    expect(range(2, 2)).toEqual([]);
  });
});
