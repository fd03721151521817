import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plateReadSchema, silentLogger } from '../../contracts/index.ts';
import { insertReads, startPartPinner, type PartPinner } from '../../store/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { lockedKiB, startTestStore } from '../helpers/store.ts';
import { until } from '../helpers/wait.ts';

/**
 * The pinner against the real engine: the files it locks are the active parts chDB lists, it
 * follows a merge, and locks are real (the helper's VmLck). Runs as the CI user: root may
 * lock without limit; anyone else only within RLIMIT_MEMLOCK, which these small parts fit.
 */
let store: Awaited<ReturnType<typeof startTestStore>>;
let pinner: PartPinner | undefined;

async function activeParts(): Promise<{ path: string; bytes: number }[]> {
  const rs = await store.client.query({
    query: `SELECT path, bytes_on_disk AS bytes FROM system.parts WHERE active AND database = currentDatabase() AND table = 'reads'`,
    format: 'JSONEachRow',
  });
  return (await rs.json<{ path: string; bytes: string }>()).map((p) => ({ path: p.path, bytes: Number(p.bytes) }));
}

beforeAll(async () => {
  store = await startTestStore();
  await store.client.command({ query: 'SYSTEM STOP MERGES reads' });
  for (let i = 0; i < 3; i++) {
    const reads = Array.from({ length: 50 }, (_, j) => plateReadSchema.parse(makeRead({ plate: `PIN${i}${String(j).padStart(3, '0')}` })));
    await insertReads(store.client, reads);
  }
});
afterAll(async () => {
  await pinner?.stop();
  await store.stop();
});

describe('part pinner', () => {
  it('locks the active parts of the search tables and follows a merge', async () => {
    const before = await activeParts();
    expect(before.length).toBe(3);
    pinner = startPartPinner({
      client: store.client,
      logger: silentLogger,
      maxBytes: 64 * 1024 ** 2,
      tables: ['reads'],
      intervalMs: 3_600_000,
    });
    await pinner.ready;
    const s = pinner.stats();
    expect(s.lastError).toBeNull();
    expect(s.pinnedParts).toBe(3);
    // Every file of the part, a little more than bytes_on_disk (which leaves out its metadata files).
    expect(s.pinnedBytes).toBeGreaterThanOrEqual(before.reduce((t, p) => t + p.bytes, 0));
    const pid = pinner.helperPid()!;
    expect(lockedKiB(pid)).toBeGreaterThan(0);

    await store.client.command({ query: 'SYSTEM START MERGES reads' });
    await store.client.command({ query: 'OPTIMIZE TABLE reads FINAL' });
    const after = await activeParts();
    expect(after.length).toBeLessThan(3);
    await pinner.sync();
    expect(pinner.stats().pinnedParts).toBe(after.length);
    expect(pinner.stats().pinnedBytes).toBeGreaterThanOrEqual(after.reduce((t, p) => t + p.bytes, 0));
    // The merged-away parts' mappings are gone from the helper; only the new part's files are mapped.
    const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
    for (const p of before) expect(maps).not.toContain(p.path.replace(/\/$/, ''));
    for (const p of after) expect(maps).toContain(p.path.replace(/\/$/, ''));
  });

  it('pins again through a new helper after its helper was killed', async () => {
    const pid = pinner!.helperPid()!;
    process.kill(pid, 'SIGKILL');
    await until(async () => pinner!.helperPid() === undefined, { what: 'the helper to be reported gone' });
    expect(pinner!.stats()).toMatchObject({ pinnedParts: 0, lastError: 'pin helper exited (SIGKILL)' });
    await pinner!.sync();
    const again = pinner!.helperPid()!;
    expect(again).not.toBe(pid);
    expect(pinner!.stats().pinnedParts).toBe((await activeParts()).length);
    expect(lockedKiB(again)).toBeGreaterThan(0);
  });

  it('releases every lock when stopped', async () => {
    const pid = pinner!.helperPid()!;
    await pinner!.stop();
    expect(() => readFileSync(`/proc/${pid}/status`)).toThrow();
    expect(pinner!.stats().pinnedParts).toBe(0);
  });

  it('reports a budget too small for any part, and pins nothing', async () => {
    const small = startPartPinner({ client: store.client, logger: silentLogger, maxBytes: 1, tables: ['reads'], intervalMs: 3_600_000 });
    await small.ready;
    expect(small.stats()).toMatchObject({ pinnedParts: 0, pinnedBytes: 0 });
    expect(small.stats().wantedBytes).toBeGreaterThan(1);
    await small.stop();
  });

  it('reports a helper that cannot start, and the store keeps working', async () => {
    const broken = startPartPinner({
      client: store.client,
      logger: silentLogger,
      maxBytes: 64 * 1024 ** 2,
      tables: ['reads'],
      intervalMs: 3_600_000,
      python: '/nonexistent/python3',
    });
    await broken.ready;
    expect(broken.stats().pinnedParts).toBe(0);
    expect(broken.stats().lastError).toMatch(/pin helper/);
    await broken.stop();
    expect((await activeParts()).length).toBeGreaterThan(0);
  });
});
