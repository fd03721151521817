import type { RetentionConfig } from '../contracts/index.ts';

/**
 * Retention rules (guidelines 6e, F.S. 316.0778): the expiry expression the store's TTL and
 * queries share, and the hold ceiling as a pure function.
 */

/**
 * The instant a stored row's retention ends, in SQL over its own columns: the later of the
 * tactical window and the case hold. It is the TTL of reads and plate_images, and every query
 * that must not reach an expired row (searches, images, holds) filters on it too, so the law
 * applies from the moment a window ends, not from when the purge runs. `{days:UInt16}` is bound.
 */
export const EXPIRES_AT_SQL = 'greatest(toDateTime(captured_at) + toIntervalDay({days:UInt16}), held_until)';

/** The same expression with the period written in, as a TTL needs it (a validated integer, never user text). */
export function ttlExpression(days: number): string {
  if (!Number.isInteger(days) || days < 1 || days > 1098) throw new Error(`bad tactical period ${days}`);
  return EXPIRES_AT_SQL.replace('{days:UInt16}', String(days));
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
