/**
 * The arithmetic behind the figures the dashboard and the annual evaluation show, kept pure so
 * that each figure's definition is stated once and tested: shares that cannot leave [0, 1],
 * rates over the time a bucket actually covered, and uptime over the time a camera was there
 * to be up. The queries gather counts; these functions decide what the counts mean.
 */

/** part / whole as a share in [0, 1]; null where there is no whole to share (nothing read). */
export function share(part: number, whole: number): number | null {
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole <= 0) return null;
  return Math.min(1, Math.max(0, part / whole));
}

/** Time buckets of a chart: aligned to the step, the last one holding now and still filling. */
export interface BucketGrid {
  /** Start of the first bucket and end of the last one, in seconds. */
  from: number;
  end: number;
  step: number;
  /** Bucket starts, in seconds. */
  t: number[];
  /** The last bucket, when now falls inside it: its index and the share of its span that has passed. */
  partial: { index: number; since: number; elapsedShare: number } | null;
}

export function bucketGrid(nowMs: number, rangeSeconds: number, step: number): BucketGrid {
  const nowSec = nowMs / 1000;
  const lastStart = Math.floor(nowSec / step) * step;
  const end = lastStart + step;
  const n = Math.ceil(rangeSeconds / step);
  const from = end - n * step;
  const elapsed = nowSec - lastStart;
  return {
    from,
    end,
    step,
    t: Array.from({ length: n }, (_, i) => from + i * step),
    partial: elapsed < step ? { index: n - 1, since: lastStart, elapsedShare: elapsed / step } : null,
  };
}

/** Seconds of bucket i that have passed: the whole step, except in the bucket still filling. */
export function coveredSeconds(grid: BucketGrid, i: number): number {
  return grid.partial && grid.partial.index === i ? grid.partial.elapsedShare * grid.step : grid.step;
}

/**
 * Events per minute in bucket i, over the time the bucket covered so far: a bucket two minutes
 * into fifteen is not a dip to a seventh of the rate. Under a second covered tells nothing: null.
 */
export function perMinute(grid: BucketGrid, i: number, count: number): number | null {
  const s = coveredSeconds(grid, i);
  return s < 1 ? null : count / (s / 60);
}

/**
 * The two hit figures per bucket, both shares of what was read in the bucket (by capture time,
 * so that a hit raised later for an old read counts where the read was made, not where the
 * alert was raised):
 * - alerts per read: reads that raised at least one alert, over all reads;
 * - plates hit per plate read: distinct plates that matched a list entry (raised an alert, or
 *   joined one as a further sighting of the same vehicle), over distinct plates read.
 */
export interface HitCounts {
  reads: number;
  hitReads: number;
  plates: number;
  hitPlates: number;
}

export function hitFigures(c: HitCounts): { alertsPerRead: number | null; platesHitPerPlateRead: number | null } {
  return { alertsPerRead: share(c.hitReads, c.reads), platesHitPerPlateRead: share(c.hitPlates, c.plates) };
}

/**
 * A camera's uptime over a period: minutes in which it delivered frames, over the minutes it
 * could have (from the later of the period's start and its first report, to the earlier of the
 * period's end and the last whole minute). A camera installed last week is judged on last week, not on the year;
 * one that never reported has no uptime to show (null), which is not 0 %.
 */
export function uptime(o: { minutesUp: number; fromMs: number; toMs: number; firstSeenMs: number | null; nowMs: number }): {
  share: number | null;
  observedMinutes: number;
  sinceMs: number | null;
} {
  if (o.firstSeenMs === null) return { share: null, observedMinutes: 0, sinceMs: null };
  const since = Math.max(o.fromMs, Math.floor(o.firstSeenMs / 60_000) * 60_000);
  // Up to the last whole minute: the minute under way has no row yet, and is no downtime.
  const until = Math.floor(Math.min(o.toMs, o.nowMs) / 60_000) * 60_000;
  const observedMinutes = Math.max(0, Math.round((until - since) / 60_000));
  return { share: share(o.minutesUp, observedMinutes), observedMinutes, sinceMs: since };
}
