import { describe, expect, it } from 'vitest';
import { assessMaintenance, recordRead, RecentSamples, type MinuteBucket } from './metrics.ts';
import { backoffMs, FpsMeter } from '../capture/timing.ts';
import { lumaPlane } from '../capture/gst.ts';

const history = (minutes: number, perMinute: (m: number) => number, conf = 0.9): MinuteBucket[] =>
  Array.from({ length: minutes }, (_, m) => ({ minute: m, reads: perMinute(m), confidenceSum: perMinute(m) * conf }));

describe('assessMaintenance', () => {
  it('learns nothing before enough history', () => {
    expect(
      assessMaintenance(
        history(30, () => 4),
        29,
      ),
    ).toMatchObject({ baselineReadsPerMinute: null, maintenance: { flagged: false } });
  });
  it('flags a camera whose read rate falls well below its own baseline', () => {
    const h = history(300, (m) => (m >= 285 ? 0 : 4));
    const a = assessMaintenance(h, 299);
    expect(a.baselineReadsPerMinute).toBe(4);
    expect(a.maintenance.flagged).toBe(true);
    expect(a.maintenance.reason).toMatch(/read rate/);
  });
  it('flags falling confidence, and leaves a steady camera alone', () => {
    const h = history(300, () => 4).map((b) => (b.minute >= 285 ? { ...b, confidenceSum: b.reads * 0.6 } : b));
    expect(assessMaintenance(h, 299).maintenance.reason).toMatch(/confidence/);
    expect(
      assessMaintenance(
        history(300, () => 4),
        299,
      ).maintenance.flagged,
    ).toBe(false);
  });
  it('does not flag a quiet road', () => {
    expect(
      assessMaintenance(
        history(300, (m) => (m % 20 === 0 && m < 285 ? 1 : 0)),
        299,
      ).maintenance.flagged,
    ).toBe(false);
  });
});

describe('recordRead and RecentSamples', () => {
  it('buckets reads by minute and drops old ones', () => {
    let b: MinuteBucket[] = [];
    b = recordRead(b, 60_000, 0.9);
    b = recordRead(b, 61_000, 0.7);
    b = recordRead(b, 10 * 60_000, 0.8, 5);
    expect(b).toEqual([{ minute: 10, reads: 1, confidenceSum: 0.8 }]);
  });
  it('gives percentiles of the recent samples', () => {
    const s = new RecentSamples(100);
    for (let i = 1; i <= 200; i++) s.add(i);
    expect(s.percentile(50)).toBe(150);
    expect(s.percentile(99)).toBe(199);
  });
});

describe('capture timing and chain', () => {
  it('backs off exponentially up to a ceiling', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 10].map((a) => backoffMs(a, 500, 30_000, mid))).toEqual([500, 1000, 2000, 30_000]);
  });
  it('measures fps over a window', () => {
    const m = new FpsMeter(2000);
    for (let t = 0; t <= 1000; t += 40) m.tick(t);
    expect(m.fps(1000)).toBeCloseTo(25, 0);
    expect(m.fps(5000)).toBe(0);
  });
  it('measures fps from counts that come in batches', () => {
    // A rate-limited capture learns of decoded frames in batches, from its limiter's counter.
    const m = new FpsMeter(2000);
    for (let t = 0; t <= 1000; t += 125) m.tick(t, t === 0 ? 40 : 3);
    expect(m.fps(1000)).toBeCloseTo(24, 0);
  });
  it('takes the luma plane of a frame, padded rows or not', () => {
    // 6x2 in GStreamer's layout: rows padded to 8 bytes, then chroma planes (here 0xee).
    const padded = Uint8Array.from([1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0, 0xee, 0xee, 0xee, 0xee]);
    expect([...lumaPlane(padded, 6, 2)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const even = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 0xee, 0xee]);
    const plane = lumaPlane(even, 4, 2);
    expect([...plane]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(plane.buffer).toBe(even.buffer); // a view, no copy
    expect(() => lumaPlane(even, 8, 2)).toThrow(/too small/);
  });
});
