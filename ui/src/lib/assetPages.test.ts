import { describe, expect, it } from 'vitest';

import { AssetPages } from './assetPages.svelte';
import type { Asset, AssetPage } from './bindings';
import { testAsset } from './testing';

function asset(index: number, label = 'a'): Asset {
  return testAsset({ id: `${label}${index}` });
}

/** A fake `list_assets` whose answers the test releases by hand. */
class FakeLibrary {
  total: number;
  label = 'a';
  fail: string | null = null;
  calls: number[] = [];
  #pending: Array<() => void> = [];

  constructor(total: number) {
    this.total = total;
  }

  fetch = (offset: number, limit: number): Promise<AssetPage> => {
    this.calls.push(offset);
    // The answer reflects the library as it was when asked, however late it arrives.
    const { total, label, fail } = this;
    return new Promise((resolve, reject) => {
      this.#pending.push(() => {
        if (fail) return reject(fail);
        const items = [];
        for (let i = offset; i < Math.min(total, offset + limit); i += 1) items.push(asset(i, label));
        resolve({ total, offset, items });
      });
    });
  };

  /** Answers every request so far (newest first when `reversed`), then lets the cache react. */
  async answerAll(reversed = false): Promise<void> {
    for (let round = 0; round < 5; round += 1) {
      const pending = this.#pending.splice(0);
      if (reversed) pending.reverse();
      pending.forEach((answer) => answer());
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
}

function setUp(total: number, options = {}) {
  const library = new FakeLibrary(total);
  const errors: string[] = [];
  const pages = new AssetPages(library.fetch, (message) => errors.push(message), { pageSize: 10, ...options });
  return { library, errors, pages };
}

describe('AssetPages', () => {
  it('learns the total from the first page', async () => {
    const { library, pages } = setUp(25);
    expect(pages.total).toBeNull();
    const done = pages.refresh();
    await library.answerAll();
    await done;
    expect(library.calls).toEqual([0]);
    expect(pages.total).toBe(25);
    expect(pages.item(3)?.name).toBe('a3.png');
    expect(pages.item(12)).toBeUndefined();
  });

  it('fetches each page in view once', async () => {
    const { library, pages } = setUp(100);
    pages.ensure([1, 2]);
    pages.ensure([1, 2]);
    await library.answerAll();
    pages.ensure([2, 3]);
    await library.answerAll();
    expect(library.calls).toEqual([10, 20, 30]);
    expect(pages.item(35)?.id).toBe('a35');
  });

  it('keeps what is shown until a refresh replaces it', async () => {
    const { library, pages } = setUp(100);
    pages.ensure([0]);
    await library.answerAll();
    library.label = 'b';
    const done = pages.refresh();
    expect(pages.item(0)?.id).toBe('a0');
    await library.answerAll();
    await done;
    expect(pages.item(0)?.id).toBe('b0');
  });

  it('drops answers that a refresh overtook', async () => {
    const { library, pages } = setUp(100);
    pages.ensure([0]);
    // The library changes before the first answer arrives, which then arrives last.
    library.label = 'b';
    library.total = 50;
    const done = pages.refresh();
    await library.answerAll(true);
    await done;
    expect(pages.total).toBe(50);
    expect(pages.item(0)?.id).toBe('b0');
  });

  it('folds a burst of refreshes into one more round', async () => {
    const { library, pages } = setUp(100);
    pages.ensure([0]);
    await library.answerAll();
    library.calls = [];
    const first = pages.refresh();
    void pages.refresh();
    void pages.refresh();
    await library.answerAll();
    await first;
    expect(library.calls).toEqual([0, 0]);
  });

  it('reports a failure once, and retries on refresh', async () => {
    const { library, errors, pages } = setUp(100);
    library.fail = 'the cache is locked';
    pages.ensure([0]);
    await library.answerAll();
    pages.ensure([0]);
    await library.answerAll();
    expect(errors).toEqual(['the cache is locked']);
    expect(library.calls).toEqual([0]);

    library.fail = null;
    const done = pages.refresh();
    await library.answerAll();
    await done;
    expect(pages.item(0)?.id).toBe('a0');
  });

  it('forgets the pages farthest from the view', async () => {
    const { library, pages } = setUp(1000, { maxPages: 3 });
    for (const page of [0, 1, 2, 3, 4]) {
      pages.ensure([page]);
      await library.answerAll();
    }
    expect(pages.item(5)).toBeUndefined();
    expect(pages.item(15)).toBeUndefined();
    expect(pages.item(25)?.id).toBe('a25');
    expect(pages.item(45)?.id).toBe('a45');
  });
});

describe('AssetPages.reset', () => {
  it('keeps the old tiles until the new query answers, then drops every old page', async () => {
    let text = 'old';
    const fetcher = (offset: number, limit: number): Promise<AssetPage> =>
      Promise.resolve({
        total: text === 'old' ? 1000 : 3,
        offset,
        items: Array.from({ length: text === 'old' ? limit : 3 }, (_, i) => asset(offset + i, text)),
      });
    const pages = new AssetPages(fetcher, () => {}, { pageSize: 100 });
    pages.ensure([0, 1]);
    await pages.refresh();
    expect(pages.item(150)?.id).toBe('old150');
    text = 'new';
    const answered = pages.reset();
    expect(pages.item(0)?.id).toBe('old0');
    await answered;
    expect(pages.item(0)?.id).toBe('new0');
    expect(pages.item(150)).toBeUndefined();
    expect(pages.total).toBe(3);
    expect(pages.answered).toBe(pages.resets);
  });
});
