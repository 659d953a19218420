// When the window first painted its grid, marked on the page's timeline for the launch benchmark
// (tests/benches/desktop.rs). The frame that holds the first tiles is over once a task queued
// from its animation callback runs.

export interface FirstPaintClock {
  /** Runs `callback` before the next frame (requestAnimationFrame). */
  frame: (callback: () => void) => void;
  /** Runs `callback` as a task of its own, after the current frame. */
  later: (callback: () => void) => void;
  mark: (name: string) => void;
}

const browserClock: FirstPaintClock = {
  frame: (callback) => requestAnimationFrame(callback),
  later: (callback) => setTimeout(callback),
  mark: (name) => performance.mark(name),
};

/** Frames to wait at most for a grid that never lays out (about five seconds). */
export const MOST_FRAMES = 300;

/**
 * Marks `trove:first-paint` after the first frame in which `shown()` holds. Gives up when there
 * is nothing to show (`empty()`: an empty library has no tile) or after `MOST_FRAMES`.
 */
export function markFirstPaint(shown: () => boolean, empty: () => boolean, clock = browserClock): void {
  let frames = 0;
  const check = () => {
    if (shown()) clock.later(() => clock.mark('trove:first-paint'));
    else if (!empty() && (frames += 1) < MOST_FRAMES) clock.frame(check);
  };
  clock.frame(check);
}
