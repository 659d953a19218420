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
 * frame, so a fast scroll does not make thumbnails nobody will see.
 */
export class UnwantedThumbnails {
  private pending: [string, string][] = [];
  private scheduled = false;

  constructor(
    private readonly send: (assets: [string, string][]) => void,
    private readonly schedule: (flush: () => void) => void,
  ) {}

  add(asset: Pick<Asset, 'account_id' | 'id'>): void {
    this.pending.push([asset.account_id, asset.id]);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      const assets = this.pending;
      this.pending = [];
      if (assets.length > 0) this.send(assets);
    });
  }
}

/** The app's instance: batches to the `thumbnails_unwanted` command. */
export const unwantedThumbnails = new UnwantedThumbnails(
  (assets) => void invoke('thumbnails_unwanted', { assets }).catch(() => undefined),
  (flush) => requestAnimationFrame(flush),
);
