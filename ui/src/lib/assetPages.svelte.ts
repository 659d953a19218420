// The grid's data source: the result of one query, fetched lazily a page at a time as the user
// scrolls, so a library of any size costs only what is on screen. Reactive (runes), so components
// re-render as pages arrive.

import { SvelteMap } from 'svelte/reactivity';

import type { Asset, AssetPage } from './bindings';
import { errorMessage } from './errors';

/** Fetches `limit` items of the query starting at `offset`. */
export type PageFetcher = (offset: number, limit: number) => Promise<AssetPage>;

export interface AssetPagesOptions {
  /** Items per request. */
  pageSize?: number;
  /** Pages kept in memory; those farthest from the view are dropped first. */
  maxPages?: number;
}

interface CachedPage {
  /** The refresh this page was fetched in; an older one is shown until it is re-fetched. */
  generation: number;
  items: Asset[];
}

export class AssetPages {
  /** Items in the whole result; null until the first page arrives. */
  total = $state<number | null>(null);
  /** Counts the times the query itself changed, so the grid can go back to the top. */
  resets = $state(0);
  /** The latest `resets` whose answer is shown (what the page exposes for timing a keystroke). */
  answered = $state(0);
  readonly pageSize: number;

  readonly #fetchPage: PageFetcher;
  readonly #onError: (message: string) => void;
  readonly #maxPages: number;
  readonly #pages = new SvelteMap<number, CachedPage>();
  // Bookkeeping that nothing renders, so plain (non-reactive) collections.
  readonly #inflight = new Map<number, number>();
  readonly #failed = new Map<number, number>();
  #generation = 0;
  #wanted: number[] = [];
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  /** A reset is waiting for its first answer, which replaces every cached page. */
  #dropOnAnswer = false;

  constructor(fetchPage: PageFetcher, onError: (message: string) => void, options: AssetPagesOptions = {}) {
    this.#fetchPage = fetchPage;
    this.#onError = onError;
    this.pageSize = options.pageSize ?? 200;
    this.#maxPages = Math.max(1, options.maxPages ?? 20);
  }

  /** The item at `index`, or undefined while its page is not loaded. */
  item(index: number): Asset | undefined {
    return this.#pages.get(Math.floor(index / this.pageSize))?.items[index % this.pageSize];
  }

  /**
   * Makes sure `pages` (the ones in view) are loaded or loading. Idempotent and cheap, so the grid
   * calls it on every scroll. A page that failed is not retried until the next refresh, so a
   * broken query reports once rather than on every scroll event.
   */
  ensure(pages: number[]): void {
    this.#wanted = pages;
    for (const page of pages) {
      const generation = this.#generation;
      if (this.#pages.get(page)?.generation === generation) continue;
      if (this.#inflight.get(page) === generation || this.#failed.get(page) === generation) continue;
      void this.#load(page);
    }
  }

  /**
   * Re-queries the pages in view (the first page when none are) because the library changed.
   * What is on screen stays until the new answers replace it, so nothing flashes. Calls made while
   * one runs are folded into a single further round, so a burst of change events costs two.
   */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#refreshAgain = false;
        this.#generation += 1;
        this.#failed.clear();
        const pages = this.#wanted.length > 0 ? this.#wanted : [0];
        await Promise.all(pages.map((page) => this.#load(page)));
      } while (this.#refreshAgain);
    })().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  /**
   * The query changed (a filter, the sort): what is cached belongs to the old one, so it is
   * dropped when the first page of the new one arrives. Until then the old tiles stay on screen:
   * clearing at once would draw a screen of placeholders between every two keystrokes.
   */
  reset(): Promise<void> {
    this.#dropOnAnswer = true;
    this.#wanted = [0];
    this.resets += 1;
    return this.refresh();
  }

  /** Never rejects: failures go to `onError`. */
  async #load(page: number): Promise<void> {
    const generation = this.#generation;
    this.#inflight.set(page, generation);
    try {
      const result = await this.#fetchPage(page * this.pageSize, this.pageSize);
      // A refresh started meanwhile: this answer may predate the change, so drop it.
      if (generation !== this.#generation) return;
      if (this.#dropOnAnswer) {
        this.#dropOnAnswer = false;
        this.#pages.clear();
      }
      this.#pages.set(page, { generation, items: result.items });
      this.total = result.total;
      this.answered = this.resets;
      this.#evict();
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#failed.set(page, generation);
      this.#onError(errorMessage(error));
    } finally {
      if (this.#inflight.get(page) === generation) this.#inflight.delete(page);
    }
  }

  #evict(): void {
    if (this.#pages.size <= this.#maxPages) return;
    const center = this.#wanted[0] ?? 0;
    const distance = (page: number) => Math.abs(page - center);
    const farthestFirst = [...this.#pages.keys()]
      .filter((page) => !this.#wanted.includes(page))
      .sort((a, b) => distance(b) - distance(a));
    for (const page of farthestFirst) {
      if (this.#pages.size <= this.#maxPages) break;
      this.#pages.delete(page);
    }
  }
}
