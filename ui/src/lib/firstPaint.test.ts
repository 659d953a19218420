import { describe, expect, it } from 'vitest';

import { type FirstPaintClock, markFirstPaint, MOST_FRAMES } from './firstPaint';

/** A clock whose frames and tasks run when the test says. */
function manualClock() {
  const frames: (() => void)[] = [];
  const tasks: (() => void)[] = [];
  const marks: string[] = [];
  const clock: FirstPaintClock = {
    frame: (callback) => frames.push(callback),
    later: (callback) => tasks.push(callback),
    mark: (name) => marks.push(name),
  };
  const runFrame = () => frames.shift()?.();
  const runTasks = () => tasks.splice(0).forEach((task) => task());
  return { clock, frames, marks, runFrame, runTasks };
}

describe('markFirstPaint', () => {
  it('marks once, after the frame in which the tiles are first there', () => {
    const manual = manualClock();
    let tiles = false;
    markFirstPaint(() => tiles, () => false, manual.clock);
    manual.runFrame();
    manual.runFrame();
    manual.runTasks();
    expect(manual.marks).toEqual([]);
    tiles = true;
    manual.runFrame();
    expect(manual.marks).toEqual([]); // not during the frame: after it
    manual.runTasks();
    expect(manual.marks).toEqual(['trove:first-paint']);
    expect(manual.frames).toHaveLength(0);
  });

  it('stops asking for frames when there is nothing to show', () => {
    const manual = manualClock();
    markFirstPaint(() => false, () => true, manual.clock);
    manual.runFrame();
    expect(manual.frames).toHaveLength(0);
    expect(manual.marks).toEqual([]);
  });

  it('gives up after a bounded number of frames', () => {
    const manual = manualClock();
    markFirstPaint(() => false, () => false, manual.clock);
    let ran = 0;
    while (manual.frames.length > 0) {
      manual.runFrame();
      ran += 1;
    }
    expect(ran).toBe(MOST_FRAMES);
    expect(manual.marks).toEqual([]);
  });
});
