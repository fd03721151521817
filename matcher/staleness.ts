import type { HotlistSourceConfig } from '../contracts/index.ts';

/**
 * Whether an extract is too old to act on without a second look. The extract is a copy of
 * the hot files at one moment; a record cleared since (a recovered vehicle) stays in it until
 * the next extract. Past its source's limit a hit is marked stale or not raised at all.
 */
export type Staleness = 'fresh' | 'stale' | 'suppress';

export function staleness(
  extractedAtMs: number,
  policy: Pick<HotlistSourceConfig, 'staleAfterHours' | 'staleAction'>,
  nowMs: number,
): Staleness {
  if (nowMs - extractedAtMs <= policy.staleAfterHours * 3_600_000) return 'fresh';
  return policy.staleAction === 'suppress' ? 'suppress' : 'stale';
}
