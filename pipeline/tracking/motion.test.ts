import { describe, expect, it } from 'vitest';
import { changedRegion, lookRegion, thumbnail } from './motion.ts';

function frame(w: number, h: number, box?: [number, number, number, number]): Uint8Array {
  const d = new Uint8Array(w * h).fill(90);
  if (box) for (let y = box[1]; y < box[1] + box[3]; y++) d.fill(200, y * w + box[0], y * w + box[0] + box[2]);
  return d;
}

describe('motion regions', () => {
  it('finds what changed between two frames, in frame pixels', () => {
    const a = thumbnail(frame(320, 180, [40, 40, 40, 40]), 320, 180, 4);
    const b = thumbnail(frame(320, 180, [60, 60, 40, 40]), 320, 180, 4);
    const r = changedRegion(a.data, b.data, a.w, a.h, 4)!;
    expect(r.x).toBeLessThanOrEqual(40);
    expect(r.y).toBeLessThanOrEqual(40);
    expect(r.x + r.w).toBeGreaterThanOrEqual(100);
    expect(r.y + r.h).toBeGreaterThanOrEqual(100);
    expect(r.x + r.w).toBeLessThanOrEqual(104);
  });

  it('sees nothing in a still scene', () => {
    const a = thumbnail(frame(320, 180, [40, 40, 40, 40]), 320, 180, 4);
    expect(changedRegion(a.data, a.data, a.w, a.h, 4)).toBeNull();
  });

  it('joins motion and tracked plates with a margin, clipped to the frame', () => {
    expect(lookRegion([{ x: 10, y: 10, w: 20, h: 20 }, [280, 150, 30, 20]], 320, 180, 0.05)).toEqual({ x: 0, y: 0, w: 320, h: 180 });
    expect(lookRegion([[100, 100, 20, 10]], 320, 180, 0.05)).toEqual({ x: 84, y: 84, w: 52, h: 42 });
    expect(lookRegion([], 320, 180)).toBeNull();
  });
});
