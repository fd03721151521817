import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plateReadSchema, type Logger } from '../../contracts/index.ts';
import { insertReads, lastSearchAt, searchReads, startSearchWarmer } from '../../store/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { startTestStore } from '../helpers/store.ts';
import { until } from '../helpers/wait.ts';

/** The search warmer against the real engine: it searches while nobody does, and only then. */
let store: Awaited<ReturnType<typeof startTestStore>>;
const warnings: string[] = [];
const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (msg) => void warnings.push(msg),
  error: (msg) => void warnings.push(msg),
  child: () => logger,
};

beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => {
  await store.stop();
});

describe('search warmer', () => {
  it('does nothing on an empty store, then warms with a stored plate once reads arrive', async () => {
    const warmer = startSearchWarmer({ client: store.client, logger, tacticalDays: 30, idleMs: 200 });
    try {
      await warmer.ready;
      expect(warmer.stats().runs).toBe(0);
      await insertReads(store.client, [plateReadSchema.parse(makeRead({ plate: 'WRM1234' }))]);
      await until(async () => warmer.stats().runs >= 2, { ms: 10_000, what: 'warm-up searches' });
      expect(warmer.stats().lastMs).toBeGreaterThan(0);
      expect(lastSearchAt(store.client)).toBeGreaterThan(Date.now() - 10_000);
      expect(warnings).toEqual([]);
    } finally {
      await warmer.stop();
    }
  });

  it('stays out of the way while searches run', async () => {
    const warmer = startSearchWarmer({ client: store.client, logger, tacticalDays: 30, idleMs: 1000 });
    try {
      await warmer.ready;
      const afterStart = warmer.stats().runs;
      expect(afterStart).toBe(1);
      const end = Date.now() + 2500;
      while (Date.now() < end) {
        await searchReads(store.client, { plate: 'WRM1234', limit: 10, offset: 0 }, 30);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(warmer.stats().runs).toBe(afterStart);
      // Left alone, it searches again.
      await until(async () => warmer.stats().runs > afterStart, { ms: 10_000, what: 'a warm-up search after the searches stopped' });
    } finally {
      await warmer.stop();
    }
    const runs = warmer.stats().runs;
    await new Promise((r) => setTimeout(r, 1500));
    expect(warmer.stats().runs).toBe(runs); // stopped
  });

  it('reports a failing warm-up once and keeps the store usable', async () => {
    warnings.length = 0;
    await store.client.command({ query: 'RENAME TABLE reads_by_plate TO reads_by_plate_away' });
    const warmer = startSearchWarmer({ client: store.client, logger, tacticalDays: 30, idleMs: 100 });
    try {
      await warmer.ready;
      await new Promise((r) => setTimeout(r, 500));
      expect(warnings).toEqual(['search warm-up failed; the next search may be slow']);
    } finally {
      await warmer.stop();
      await store.client.command({ query: 'RENAME TABLE reads_by_plate_away TO reads_by_plate' });
    }
    expect((await searchReads(store.client, { plate: 'WRM1234', limit: 10, offset: 0 }, 30)).length).toBe(1);
  });
});
