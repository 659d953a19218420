import { describe, expect, it } from 'vitest';

import { onWindows, thumbnailSide, thumbnailUrl, UnwantedThumbnails } from './thumbnails';

describe('thumbnail URLs', () => {
  it('address the thumb scheme as each web view expects', () => {
    const asset = { account_id: 'acc_1', id: 'asset_9' };
    expect(thumbnailUrl(asset, 256, false)).toBe('thumb://localhost/acc_1/asset_9/256');
    expect(thumbnailUrl(asset, 512, true)).toBe('http://thumb.localhost/acc_1/asset_9/512');
  });

  it('escape ids that are not plain words', () => {
    expect(thumbnailUrl({ account_id: 'a/b', id: 'x y?' }, 256, false)).toBe('thumb://localhost/a%2Fb/x%20y%3F/256');
  });

  it('ask for the larger size on hi-dpi screens', () => {
    expect(thumbnailSide(1)).toBe(256);
    expect(thumbnailSide(2)).toBe(512);
    expect(onWindows('Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/120')).toBe(true);
    expect(onWindows('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15')).toBe(false);
  });
});

describe('UnwantedThumbnails', () => {
  function harness() {
    const sent: [string, string][][] = [];
    let flush: (() => void) | null = null;
    const unwanted = new UnwantedThumbnails(
      (assets) => sent.push(assets),
      (run) => (flush = run),
    );
    return { sent, unwanted, flush: () => flush!() };
  }

  it('tells the core once per frame, with every tile that went away waiting', () => {
    const { sent, unwanted, flush } = harness();
    for (const id of ['1', '2', '3']) unwanted.mount({ account_id: 'a', id });
    unwanted.unmount({ account_id: 'a', id: '1' }, true);
    unwanted.unmount({ account_id: 'a', id: '2' }, true);
    unwanted.unmount({ account_id: 'a', id: '3' }, false); // its picture had come
    expect(sent).toEqual([]);
    flush();
    expect(sent).toEqual([
      [
        ['a', '1'],
        ['a', '2'],
      ],
    ]);
  });

  it('does not count a tile replaced in the same frame as gone', () => {
    const { sent, unwanted, flush } = harness();
    unwanted.mount({ account_id: 'a', id: '1' });
    unwanted.unmount({ account_id: 'a', id: '1' }, true);
    unwanted.mount({ account_id: 'a', id: '1' }); // the refreshed grid's new tile
    flush();
    expect(sent).toEqual([]);
  });
});
