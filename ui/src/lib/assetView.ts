// What the grid and the list views share: App.svelte shows either with the same props, so the
// selection, the keyboard and the preview carry over when the view changes.

import type { AssetPages } from './assetPages.svelte';
import type { Asset } from './bindings';
import type { GridSelection } from './selection.svelte';

export interface AssetViewProps {
  pages: AssetPages;
  /** Height of one row including any gap. Fixed, so any row's position is arithmetic. */
  rowHeight?: number;
  /** Rows kept in the DOM beyond each edge of the viewport. */
  overscan?: number;
  selection: GridSelection;
  /** A click on an asset, with its modifiers (Shift extends, Ctrl/Cmd toggles). */
  onPick?: (index: number, asset: Asset, event: MouseEvent) => void;
  /** A double click: the preview. */
  onOpen?: (index: number, asset: Asset) => void;
  /** Assets per row, for the keyboard's up and down (bound: the view says). */
  columns?: number;
}
