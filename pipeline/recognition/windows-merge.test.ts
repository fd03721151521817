import { describe, expect, it } from 'vitest';
import { mergeWindows, windowScale } from './windows.ts';

describe('plate windows of a still', () => {
  it('merges a window into one that holds it (a plate boxed by two passes)', () => {
    expect(
      mergeWindows([
        { x: 100, y: 100, w: 300, h: 180 },
        { x: 140, y: 120, w: 200, h: 120 },
      ]),
    ).toEqual([{ x: 100, y: 100, w: 300, h: 180 }]);
  });

  it('keeps apart windows of unlike height, and windows touching only at a corner', () => {
    // A plate's window and the smaller window of a badge beside it on its row.
    const plateAndBadge = [
      { x: 670, y: 200, w: 390, h: 250 },
      { x: 510, y: 250, w: 180, h: 100 },
    ];
    expect(mergeWindows(plateAndBadge)).toEqual(plateAndBadge);
    // Two words of a sign, one below and right of the other: their union is mostly empty.
    const chained = [
      { x: 0, y: 0, w: 200, h: 80 },
      { x: 180, y: 70, w: 200, h: 80 },
    ];
    expect(mergeWindows(chained)).toEqual(chained);
  });

  it('enlarges small windows towards the text detector side, at most three times, never shrinks', () => {
    // A 75 px plate of a 720p frame: its window is ~140 px across.
    expect(windowScale({ x: 0, y: 0, w: 140, h: 110 })).toBeCloseTo(416 / 140);
    expect(windowScale({ x: 0, y: 0, w: 40, h: 20 })).toBe(3);
    expect(windowScale({ x: 0, y: 0, w: 500, h: 200 })).toBe(1);
    expect(windowScale({ x: 0, y: 0, w: 60, h: 30 })).toBe(3);
  });
});
