// Narrowing a bulk delete to the assets not in use, kept free of DOM for unit tests.

import type { AssetKey, Selection } from './bindings';

const same = (a: AssetKey, b: AssetKey) => a.account_id === b.account_id && a.id === b.id;

/** The selection less `keys` (those in use, or whose usage is unknown). */
export function withoutKeys(selection: Selection, keys: AssetKey[]): Selection {
  if (selection.type === 'matching') {
    const except = [...selection.except, ...keys.filter((k) => !selection.except.some((e) => same(e, k)))];
    return { ...selection, except };
  }
  return { type: 'assets', keys: selection.keys.filter((k) => !keys.some((b) => same(b, k))) };
}
