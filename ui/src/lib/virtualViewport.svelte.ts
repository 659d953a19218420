// What the grid and the list do alike as they scroll: know the scrolling element's size, go back
// to the top when the query changes, ask for the pages in view, and keep the keyboard's focus in
// view. Made while a component initialises, so its effects end with that component.

import { untrack } from 'svelte';

import type { AssetPages } from './assetPages.svelte';
import { pagesFor, revealRow, type GridWindow } from './virtual';

export class VirtualViewport {
  element = $state<HTMLDivElement | undefined>();
  width = $state(0);
  height = $state(0);
  scrollTop = $state(0);

  /**
   * `pages`: the data; `shown`: the window now in the DOM; `focusTop`: where the focused row
   * starts (null without a focus) and the height rows are shown in.
   */
  constructor(
    pages: () => AssetPages,
    shown: () => GridWindow,
    focusTop: () => { top: number; rowHeight: number; visible: number } | null,
  ) {
    $effect(() => {
      const element = this.element;
      if (!element) return;
      const observer = new ResizeObserver(([entry]) => {
        if (!entry) return;
        this.width = entry.contentRect.width;
        this.height = entry.contentRect.height;
      });
      observer.observe(element);
      return () => observer.disconnect();
    });

    // A new query starts at the top.
    $effect(() => {
      void pages().resets;
      untrack(() => {
        if (this.element) this.element.scrollTop = 0;
        this.scrollTop = 0;
      });
    });

    // Ask for the pages in view whenever the window moves. Untracked, because `ensure` reads the
    // cache it fills: tracking it would re-run this for every page that arrives.
    $effect(() => {
      const source = pages();
      const window = shown();
      const wanted = pagesFor(window.startIndex, window.endIndex, source.pageSize);
      untrack(() => source.ensure(wanted));
    });

    // The keyboard's focus stays in view: the view scrolls by whole rows to reach it.
    $effect(() => {
      const focus = focusTop();
      if (focus === null) return;
      untrack(() => {
        const element = this.element;
        if (element) element.scrollTop = revealRow(element.scrollTop, focus.visible, focus.top, focus.rowHeight);
      });
    });
  }
}
