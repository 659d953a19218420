// Where the grid gets an asset's thumbnail: the app's `thumb:` scheme, served by the core (made
// on demand, cached on disk). WebKit on Linux and macOS addresses a custom scheme as
// `thumb://localhost/…`; WebView2 on Windows as `http://thumb.localhost/…`.

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
