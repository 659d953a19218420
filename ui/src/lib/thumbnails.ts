// Where the grid gets an asset's thumbnail: the app's `thumb:` scheme, served by the core (made
// on demand, cached on disk). WebKit on Linux and macOS addresses a custom scheme as
// `thumb://localhost/…`; WebView2 on Windows as `http://thumb.localhost/…`.

import { invoke } from '@tauri-apps/api/core';

import type { Asset } from './bindings';

/** The grid's thumbnail side, doubled on hi-dpi screens (the core serves 256 and 512). */
export function thumbnailSide(devicePixelRatio: number): number {
  return devicePixelRatio > 1.5 ? 512 : 256;
}

export function thumbnailUrl(asset: Pick<Asset, 'account_id' | 'id'>, side: number, windows: boolean): string {
  const path = `${encodeURIComponent(asset.account_id)}/${encodeURIComponent(asset.id)}/${side}`;
  return windows ? `http://thumb.localhost/${path}` : `thumb://localhost/${path}`;
}

/** Whether the web view is WebView2 (Windows). */
export function onWindows(userAgent: string): boolean {
  return /Windows/i.test(userAgent);
}

/**
 * Collects tiles that went away before their thumbnail arrived and tells the core once per
 * frame, so a fast scroll does not make thumbnails nobody will see. A tile replaced by another
 * for the same asset in the same frame (the grid refreshed) does not count as gone.
 */
export class UnwantedThumbnails {
  private pending = new Map<string, [string, string]>();
  private mounted = new Map<string, number>();
  private scheduled = false;

  constructor(
    private readonly send: (assets: [string, string][]) => void,
    private readonly schedule: (flush: () => void) => void,
  ) {}

  /** A tile for `asset` is on screen. */
  mount(asset: Pick<Asset, 'account_id' | 'id'>): void {
    const key = `${asset.account_id}/${asset.id}`;
    this.mounted.set(key, (this.mounted.get(key) ?? 0) + 1);
  }

  /** A tile for `asset` went away; `waiting` when its picture had not come yet. */
  unmount(asset: Pick<Asset, 'account_id' | 'id'>, waiting: boolean): void {
    const key = `${asset.account_id}/${asset.id}`;
    const left = (this.mounted.get(key) ?? 1) - 1;
    if (left > 0) this.mounted.set(key, left);
    else this.mounted.delete(key);
    if (!waiting) return;
    this.pending.set(key, [asset.account_id, asset.id]);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      const gone = [...this.pending].filter(([key]) => !this.mounted.has(key)).map(([, pair]) => pair);
      this.pending.clear();
      if (gone.length > 0) this.send(gone);
    });
  }
}

/** The app's instance: batches to the `thumbnails_unwanted` command. */
export const unwantedThumbnails = new UnwantedThumbnails(
  (assets) => void invoke('thumbnails_unwanted', { assets }).catch(() => undefined),
  (flush) => requestAnimationFrame(flush),
);
