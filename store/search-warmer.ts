import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../contracts/index.ts';
import { lastSearchAt, searchReads } from './search.ts';

export interface SearchWarmerOptions {
  client: ClickHouseClient;
  logger: Logger;
  /** The agency's tactical period (searches filter on it). */
  tacticalDays: number;
  /** A warm-up search runs when no search has run for this long. */
  idleMs?: number;
}

export interface SearchWarmer {
  /** The first warm-up search done (or failed). */
  readonly ready: Promise<void>;
  stats(): { runs: number; lastMs: number | null };
  stop(): Promise<void>;
}

/**
 * Keeps the engine's search path warm while nobody searches. Why: a process's first exact search,
 * and the first after a minute without searches, is several times slower than the ones after it:
 * it pays thousands of page faults re-touching the engine's code and memory that the allocator has
 * handed back or the kernel has reclaimed meanwhile (docs/benchmarks.md, Store). One exact search
 * at start-up and one after every `idleMs` without a search pays that instead of the investigator,
 * for one search's work (tens of ms of one core) every 5 s.
 * Its results are discarded unread; it is the engine's own upkeep, not an access to anyone's
 * reads, so it is not audited as a search.
 */
export function startSearchWarmer(opts: SearchWarmerOptions): SearchWarmer {
  const idleMs = opts.idleMs ?? 5000;
  const stats = { runs: 0, lastMs: null as number | null };
  let plate: string | null = null;
  let failed = false;
  let running: Promise<void> = Promise.resolve();

  const warm = async () => {
    // A plate that is stored, so that the search reads both the plate index and the reads: the
    // first in the index's order, looked up again now and then as retention purges.
    if (plate === null || stats.runs % 100 === 0) {
      const rs = await opts.client.query({ query: 'SELECT plate_norm FROM reads_by_plate LIMIT 1', format: 'JSONEachRow' });
      plate = (await rs.json<{ plate_norm: string }>())[0]?.plate_norm ?? null;
    }
    if (plate === null) return; // nothing stored yet
    const t = performance.now();
    await searchReads(opts.client, { plate, limit: 10, offset: 0 }, opts.tacticalDays);
    stats.lastMs = performance.now() - t;
    stats.runs++;
  };
  const run = () =>
    (running = running.then(warm).then(
      () => {
        failed = false;
      },
      (err: Error) => {
        if (!failed) opts.logger.warn('search warm-up failed; the next search may be slow', { err: err.message });
        failed = true;
      },
    ));

  const ready = run();
  const timer = setInterval(() => {
    if (Date.now() - (lastSearchAt(opts.client) ?? 0) >= idleMs) void run();
  }, idleMs);
  timer.unref();
  return {
    ready,
    stats: () => ({ ...stats }),
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
