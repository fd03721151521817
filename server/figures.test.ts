import { describe, expect, it } from 'vitest';
import { bucketGrid, hitFigures, perMinute, share, uptime } from './figures.ts';
import { OnceCounter } from './metrics.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

describe('figures', () => {
  it('keeps a share between 0 and 1, and has none where nothing was counted', () => {
    expect(share(1, 4)).toBe(0.25);
    expect(share(3, 1)).toBe(1);
    expect(share(-1, 4)).toBe(0);
    expect(share(0, 0)).toBeNull();
    expect(share(Number.NaN, 3)).toBeNull();
  });

  it('gives both hit figures as shares of what was read: reads that raised an alert, distinct plates hit', () => {
    // 120 reads of 40 plates; 9 reads of 3 plates hit (several lists per read count once upstream).
    expect(hitFigures({ reads: 120, hitReads: 9, plates: 40, hitPlates: 3 })).toEqual({
      alertsPerRead: 0.075,
      platesHitPerPlateRead: 0.075,
    });
    expect(hitFigures({ reads: 0, hitReads: 0, plates: 0, hitPlates: 0 })).toEqual({ alertsPerRead: null, platesHitPerPlateRead: null });
    // Counts that disagree (an alert whose read is gone) cannot push a figure past 100 %.
    expect(hitFigures({ reads: 1, hitReads: 3, plates: 1, hitPlates: 3 }).alertsPerRead).toBe(1);
  });

  it('marks the last bucket as partial and says how much of it has passed', () => {
    const g = bucketGrid(T0 + 2 * 60_000, 3600, 900);
    expect(g.t).toHaveLength(4);
    expect(g.end - g.from).toBe(3600);
    expect(g.partial).toEqual({ index: 3, since: T0 / 1000, elapsedShare: 120 / 900 });
    expect(g.t[3]).toBe(T0 / 1000);
  });

  it('gives the partial bucket its rate over the minutes it covered, not a dip', () => {
    const g = bucketGrid(T0 + 2 * 60_000, 3600, 900);
    // 30 reads a minute: 450 in a full bucket, 60 in the two minutes of the last one.
    expect(perMinute(g, 0, 450)).toBe(30);
    expect(perMinute(g, 3, 60)).toBe(30);
    expect(perMinute(bucketGrid(T0, 3600, 900), 3, 0)).toBeNull(); // not a second of it has passed
  });

  it('judges uptime on the time the camera was there, and has none for a camera never seen', () => {
    const year = { fromMs: T0 - 365 * 86_400_000, toMs: T0, nowMs: T0 };
    // Installed an hour ago, up 54 of its 60 minutes: 90 %, not 0.0 % of a year.
    expect(uptime({ ...year, minutesUp: 54, firstSeenMs: T0 - 3_600_000 })).toEqual({
      share: 0.9,
      observedMinutes: 60,
      sinceMs: T0 - 3_600_000,
    });
    expect(uptime({ ...year, minutesUp: 0, firstSeenMs: null }).share).toBeNull();
    // A period ending in the future is judged up to now.
    expect(uptime({ fromMs: T0 - 600_000, toMs: T0 + 3_600_000, nowMs: T0, minutesUp: 10, firstSeenMs: T0 - 900_000 }).share).toBe(1);
  });

  it('counts a refused read once however often it is asked about', () => {
    const c = new OnceCounter(3);
    expect(c.add('cam-a', 'r1')).toBe(true);
    expect(c.add('cam-a', 'r1')).toBe(false);
    c.add('cam-a', 'r2');
    c.add('cam-b', 'r1');
    expect([c.count('cam-a'), c.count('cam-b'), c.count('cam-x')]).toEqual([2, 1, 0]);
    expect(c.groups()).toEqual(['cam-a', 'cam-b']);
    // Beyond its capacity it forgets the oldest key.
    c.add('cam-a', 'r3');
    expect(c.add('cam-a', 'r1')).toBe(true);
  });
});
