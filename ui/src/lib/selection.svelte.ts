// The grid's selection, as a file manager's: click picks one, Ctrl/Cmd+click toggles, Shift+click
// and Shift+arrows extend a range from the anchor, Ctrl/Cmd+A selects the whole result. "Select
// all" is kept as the query less what was unticked, so it costs nothing at any library size and is
// sent to the core as such (see `Selection` in bindings.ts).

import { SvelteMap } from 'svelte/reactivity';

import type { Asset, AssetKey, AssetQuery, Selection } from './bindings';

/** An item of the result by its position, when its page is loaded. */
export type ItemAt = (index: number) => Asset | undefined;

export function keyOf(asset: { account_id: string; id: string }): string {
  return `${asset.account_id}\u0000${asset.id}`;
}

function assetKey(asset: { account_id: string; id: string }): AssetKey {
  return { account_id: asset.account_id, id: asset.id };
}

/** Where an arrow key (or Home/End) moves the keyboard focus in a grid of `columns`. */
export function moveIndex(current: number | null, key: string, columns: number, total: number): number | null {
  if (total <= 0) return null;
  if (current === null) return 0;
  const step: Record<string, number> = {
    ArrowLeft: -1,
    ArrowRight: 1,
    ArrowUp: -Math.max(1, columns),
    ArrowDown: Math.max(1, columns),
  };
  if (key === 'Home') return 0;
  if (key === 'End') return total - 1;
  const by = step[key];
  if (by === undefined) return null;
  return Math.min(total - 1, Math.max(0, current + by));
}

export class GridSelection {
  /** Select-all: everything the query selects, less `#except`. */
  all = $state(false);
  /** The item keyboard moves start from; shown with a focus ring. */
  focus = $state<number | null>(null);
  readonly #picked = new SvelteMap<string, Asset>();
  readonly #except = new SvelteMap<string, AssetKey>();
  #anchor: number | null = null;

  /** The one asset the details panel shows: the selected one, while exactly one is. */
  get primary(): Asset | null {
    if (this.all || this.#picked.size !== 1) return null;
    return this.#picked.values().next().value ?? null;
  }

  has(asset: { account_id: string; id: string }): boolean {
    const key = keyOf(asset);
    return this.all ? !this.#except.has(key) : this.#picked.has(key);
  }

  /** How many are selected out of a result of `total`. */
  count(total: number): number {
    return this.all ? Math.max(0, total - this.#except.size) : this.#picked.size;
  }

  /** A plain click: this asset alone. */
  pick(index: number, asset: Asset): void {
    this.#clearPicks();
    this.#add(asset);
    this.#anchor = index;
    this.focus = index;
  }

  /** Ctrl/Cmd+click: in or out, the rest kept. */
  toggle(index: number, asset: Asset): void {
    const key = keyOf(asset);
    if (this.has(asset)) {
      if (this.all) this.#except.set(key, assetKey(asset));
      else this.#picked.delete(key);
    } else if (this.all) {
      this.#except.delete(key);
    } else {
      this.#add(asset);
    }
    this.#anchor = index;
    this.focus = index;
  }

  /** Shift+click or Shift+arrow: everything from the anchor to `index` (of what is loaded). */
  extend(index: number, itemAt: ItemAt): void {
    const anchor = this.#anchor ?? index;
    this.#clearPicks();
    const [from, to] = anchor <= index ? [anchor, index] : [index, anchor];
    for (let i = from; i <= to; i += 1) {
      const asset = itemAt(i);
      if (asset) this.#add(asset);
    }
    this.#anchor = anchor;
    this.focus = index;
  }

  /** An arrow key: the focus moves and selects, or extends with Shift. */
  moveTo(index: number, extend: boolean, itemAt: ItemAt): void {
    if (extend) {
      this.extend(index, itemAt);
      return;
    }
    const asset = itemAt(index);
    if (asset) this.pick(index, asset);
    else this.focus = index;
  }

  selectAll(): void {
    this.#picked.clear();
    this.#except.clear();
    this.all = true;
  }

  /** Esc: nothing selected; the keyboard focus stays where it was. */
  clear(): void {
    this.#clearPicks();
    this.#anchor = null;
  }

  /** The query changed: positions mean other assets now. */
  reset(): void {
    this.clear();
    this.focus = null;
  }

  /** What to send to the core for a bulk action on this selection under `query`. */
  toSelection(query: AssetQuery): Selection {
    if (this.all) return { type: 'matching', query, except: [...this.#except.values()] };
    return { type: 'assets', keys: [...this.#picked.values()].map(assetKey) };
  }

  #add(asset: Asset): void {
    this.#picked.set(keyOf(asset), asset);
  }

  #clearPicks(): void {
    this.all = false;
    this.#picked.clear();
    this.#except.clear();
  }
}
