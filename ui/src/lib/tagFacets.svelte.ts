// The tags the window shows: the facet chips of the current filter (with counts), and every tag of
// the library for the tag inputs' suggestions. Asked for again when the library changes; on a
// filter change only once typing pauses, since the counts of a large result take longer than the
// grid's window and must never hold up the next keystroke.

import { tagFacets } from './api';
import type { AssetQuery, TagFacet } from './bindings';
import { errorMessage } from './errors';
import { emptyFilter } from './filters';

const FACETS_SHOWN = 30;
const TAGS_SUGGESTED = 200;
const FACETS_AFTER_MS = 250;

export class TagFacets {
  /** The most used tags of the current filter's result. */
  facets = $state<TagFacet[]>([]);
  /** Every tag in the library, most used first. */
  known = $state<string[]>([]);

  readonly #query: () => AssetQuery;
  readonly #onError: (message: string) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #again = false;

  constructor(query: () => AssetQuery, onError: (message: string) => void) {
    this.#query = query;
    this.#onError = onError;
  }

  /** The library changed: both lists are asked for now. */
  refresh(): void {
    void this.#refreshFacets();
    void this.#refreshKnown();
  }

  /** The filter changed: its facets are asked for once it stops changing. */
  refreshSoon(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#refreshFacets(), FACETS_AFTER_MS);
  }

  /** Calls made while one runs fold into one more. */
  async #refreshFacets(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    try {
      do {
        this.#again = false;
        this.facets = await tagFacets(this.#query(), FACETS_SHOWN);
      } while (this.#again);
    } catch (error) {
      this.#onError(errorMessage(error));
    } finally {
      this.#running = false;
    }
  }

  async #refreshKnown(): Promise<void> {
    try {
      const all = { ...emptyFilter(), offset: 0, limit: 0 };
      this.known = (await tagFacets(all, TAGS_SUGGESTED)).map((facet) => facet.tag);
    } catch (error) {
      this.#onError(errorMessage(error));
    }
  }
}
