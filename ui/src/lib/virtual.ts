// The arithmetic of the virtualized grid: which rows and items are in the DOM for a scroll
// position, and which pages of the query cover them. Pure, so it is unit-tested (virtual.test.ts).

export interface GridGeometry {
  /** Pixels scrolled from the top of the grid. */
  scrollTop: number;
  /** Height of the scrolling viewport, in pixels. */
  viewportHeight: number;
  /** Height of one row of tiles including the gap, in pixels. */
  rowHeight: number;
  columns: number;
  /** Items in the whole result, not just the loaded ones. */
  total: number;
  /** Rows rendered beyond each edge of the viewport, so a fast scroll shows no gap. */
  overscan: number;
}

/** Half-open ranges: rows [startRow, endRow) holding items [startIndex, endIndex). */
export interface GridWindow {
  rowCount: number;
  startRow: number;
  endRow: number;
  startIndex: number;
  endIndex: number;
}

/** How many tiles of `tileWidth` fit across `width`; always at least one. */
export function columnsFor(width: number, tileWidth: number): number {
  if (!(width > 0) || !(tileWidth > 0)) return 1;
  return Math.max(1, Math.floor(width / tileWidth));
}

export function rowCountFor(total: number, columns: number): number {
  return total > 0 ? Math.ceil(total / Math.max(1, columns)) : 0;
}

export function visibleWindow(g: GridGeometry): GridWindow {
  const columns = Math.max(1, Math.floor(g.columns));
  const total = Math.max(0, Math.floor(g.total));
  const rowCount = rowCountFor(total, columns);
  if (rowCount === 0 || !(g.rowHeight > 0)) {
    return { rowCount, startRow: 0, endRow: 0, startIndex: 0, endIndex: 0 };
  }
  const viewportHeight = Math.max(0, g.viewportHeight);
  // The scroll position can be stale (the result just shrank) or past either end (elastic
  // scrolling): clamp it to what the content allows so the window is never empty.
  const maxScroll = Math.max(0, rowCount * g.rowHeight - viewportHeight);
  const scrollTop = Math.min(Math.max(0, g.scrollTop), maxScroll);
  const overscan = Math.max(0, Math.floor(g.overscan));

  const firstVisible = Math.floor(scrollTop / g.rowHeight);
  const endVisible = Math.max(firstVisible + 1, Math.ceil((scrollTop + viewportHeight) / g.rowHeight));
  const startRow = Math.max(0, firstVisible - overscan);
  const endRow = Math.min(rowCount, endVisible + overscan);
  return {
    rowCount,
    startRow,
    endRow,
    startIndex: startRow * columns,
    endIndex: Math.min(total, endRow * columns),
  };
}

/** The pages (of `pageSize` items, page n starting at n * pageSize) holding items [start, end). */
export function pagesFor(startIndex: number, endIndex: number, pageSize: number): number[] {
  if (!(endIndex > startIndex) || !(pageSize > 0)) return [];
  const first = Math.floor(Math.max(0, startIndex) / pageSize);
  const last = Math.floor((endIndex - 1) / pageSize);
  const pages: number[] = [];
  for (let page = first; page <= last; page += 1) pages.push(page);
  return pages;
}

/**
 * The scroll position that shows the row at `top` (`rowHeight` tall) whole in a viewport of
 * `viewportHeight` scrolled to `scrollTop`, moving as little as possible: unchanged when the row is
 * in view, its top edge aligned when it is above, its bottom edge when below. A viewport shorter
 * than the row (or not measured yet) shows the row's top.
 */
export function revealRow(scrollTop: number, viewportHeight: number, top: number, rowHeight: number): number {
  if (top < scrollTop) return top;
  const bottom = top + rowHeight;
  const viewport = Math.max(0, viewportHeight);
  if (bottom > scrollTop + viewport) return Math.min(top, bottom - viewport);
  return scrollTop;
}

/** The integers [start, end), for `{#each}` over rows and cells. */
export function range(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i += 1) out.push(i);
  return out;
}
