import type { RetentionConfig } from '../contracts/index.ts';

/**
 * Retention rules as pure functions (guidelines 6e, F.S. 316.0778). The store stamps
 * each row with the instant it must be gone; ClickHouse's TTL does the purging.
 */

const DAY_MS = 86_400_000;

/** End of the tactical window: capture time plus the agency's tactical days. */
export function tacticalExpiry(capturedAt: Date, r: RetentionConfig): Date {
  return new Date(capturedAt.getTime() + r.tacticalDays * DAY_MS);
}

/**
 * The latest a held read may live: `years` anniversary years after capture. A read
 * captured on 29 February reaches its anniversary on 28 February of a common year: the
 * earlier day, because the statute sets a ceiling, never a floor.
 */
export function holdCeiling(capturedAt: Date, r: RetentionConfig): Date {
  const d = new Date(capturedAt.getTime());
  const month = d.getUTCMonth();
  d.setUTCFullYear(d.getUTCFullYear() + r.holdMaxYears);
  if (d.getUTCMonth() !== month) d.setUTCDate(0); // rolled into March: back to the last day of February
  return d;
}

/** Whole seconds, rounded up, as ClickHouse DateTime stores them: never purge early by a fraction. */
export function toEpochSeconds(d: Date): number {
  return Math.ceil(d.getTime() / 1000);
}
