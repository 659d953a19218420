// The grid's filter as the filter bar edits it, kept free of DOM and Svelte for unit tests.

import type { AssetKind, AssetQuery, SortKey } from './bindings';
import { formatCount } from './format';

export type Filter = Omit<AssetQuery, 'offset' | 'limit'>;

export const KIND_CHIPS: { kind: AssetKind | null; label: string }[] = [
  { kind: null, label: 'All' },
  { kind: 'image', label: 'Images' },
  { kind: 'video', label: 'Videos' },
  { kind: 'audio', label: 'Audio' },
];

export const SORTS: { key: SortKey; label: string }[] = [
  { key: 'newest', label: 'Newest' },
  { key: 'oldest', label: 'Oldest' },
  { key: 'name', label: 'Name' },
  { key: 'size', label: 'Size' },
  { key: 'duration', label: 'Duration' },
];

export function emptyFilter(): Filter {
  return { account_id: null, kind: null, tags: [], text: null, sort: 'newest' };
}

/** Adds the tag to an all-of filter, or takes it away when it is there. */
export function toggleTag(tags: string[], tag: string): string[] {
  return tags.includes(tag) ? tags.filter((t) => t !== tag) : [...tags, tag];
}

/** Search text as the query wants it: trimmed, and null when empty. */
export function searchText(typed: string): string | null {
  const text = typed.trim();
  return text === '' ? null : text;
}

export function isFiltered(filter: Filter): boolean {
  return filter.account_id !== null || filter.kind !== null || filter.tags.length > 0 || filter.text !== null;
}

/** "1,284 of 103,552 assets" while filtered, "103,552 assets" otherwise. */
export function headerCount(shown: number | null, inLibrary: number, filtered: boolean): string {
  if (shown === null) return '';
  if (!filtered) return formatCount(shown, 'asset');
  return `${new Intl.NumberFormat('en-US').format(shown)} of ${formatCount(inLibrary, 'asset')}`;
}
