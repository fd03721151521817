import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSchema, plateReadSchema, silentLogger, type Alert, type PlateRead } from '../../contracts/index.ts';
import { appendEvent, getAlert, storeAlerts } from '../../alerts/index.ts';
import {
  applyRetentionSettings,
  caseHolds,
  getPlateImage,
  holdCeiling,
  holdReads,
  insertReads,
  mutateAndWait,
  readRow,
  releaseCaseHolds,
  retentionReport,
  runRetention,
  searchReads,
} from '../../store/index.ts';
import { makeRead, smallJpegBase64 } from '../helpers/reads.ts';
import { startTestStore } from '../helpers/store.ts';

/**
 * Retention moves rows through time by back-dating them: a read captured 40 days ago is past
 * its 30-day tactical window now. Each test inserts its own plates.
 */
let store: Awaited<ReturnType<typeof startTestStore>>;
const DAY = 86_400_000;
const retention = { tacticalDays: 30, holdMaxYears: 3 };
const read = (plate: string, ageDays: number): PlateRead =>
  plateReadSchema.parse(makeRead({ plate, capturedAt: new Date(Date.now() - ageDays * DAY).toISOString(), cropJpeg: smallJpegBase64() }));

/** Rows physically present, whatever their retention: what a purge must remove. */
async function physical(table: 'reads' | 'plate_images', ids: string[]): Promise<string[]> {
  const col = table === 'reads' ? 'id' : 'read_id';
  const rs = await store.client.query({
    query: `SELECT DISTINCT ${col} AS id FROM ${table} WHERE ${col} IN {ids:Array(UUID)}`,
    query_params: { ids },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ id: string }>()).map((r) => r.id).sort();
}

/**
 * Inserts a back-dated read as it would stand had it been stored while young and then held
 * until `untilMs`. (insertReads cannot: ClickHouse applies the TTL as it writes, so a read
 * already past its window is never stored at all.)
 */
async function insertHeldUntil(r: PlateRead, untilMs: number): Promise<void> {
  const held_until = Math.floor(untilMs / 1000);
  await store.client.insert({
    table: 'plate_images',
    values: [{ read_id: r.id, captured_at: Date.parse(r.capturedAt), held_until, jpeg: r.cropJpeg }],
    format: 'JSONEachRow',
  });
  await store.client.insert({ table: 'reads', values: [{ ...readRow(r), held_until }], format: 'JSONEachRow' });
}
/** Entries of the plate index (which carries no read id): capture times of a plate's reads. */
async function indexed(plate: string): Promise<number[]> {
  const rs = await store.client.query({
    query: 'SELECT DISTINCT toUnixTimestamp64Milli(captured_at) AS t FROM reads_by_plate WHERE plate_norm = {p:String} ORDER BY t',
    query_params: { p: plate },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ t: string }>()).map((r) => Number(r.t));
}
const at = (...rs: PlateRead[]) => rs.map((r) => Date.parse(r.capturedAt)).sort((a, b) => a - b);
const ceilingOf = (r: PlateRead) => holdCeiling(new Date(r.capturedAt), retention).getTime();

beforeAll(async () => {
  store = await startTestStore();
  await applyRetentionSettings(store.client, retention, silentLogger);
});
afterAll(async () => store?.stop());

describe('retention on the real ClickHouse engine', () => {
  it('purges reads and their images when the 30-day window ends, and records the purge', async () => {
    const fresh = read('RET0001', 29);
    const old = read('RET0001', 31);
    const ancient = read('RET0001', 400);
    await insertReads(store.client, [fresh]);
    // Stored while a hold kept them, which ends two seconds from now.
    const holdEnds = Date.now() + 2000;
    await insertHeldUntil(old, holdEnds);
    await insertHeldUntil(ancient, holdEnds);
    await new Promise((r) => setTimeout(r, holdEnds + 1000 - Date.now()));
    // Expired reads are out of reach at once, before any purge has run.
    expect((await searchReads(store.client, { plate: 'RET0001', limit: 10, offset: 0 }, 30)).map((r) => r.id)).toEqual([fresh.id]);
    expect(await getPlateImage(store.client, old.id, 30)).toBeNull();

    const runs = await runRetention(store.client, retention, silentLogger);
    const all = [fresh.id, old.id, ancient.id];
    expect(await physical('reads', all)).toEqual([fresh.id]);
    expect(await physical('plate_images', all)).toEqual([fresh.id]);
    expect(await indexed('RET0001')).toEqual(at(fresh));
    expect(runs.find((r) => r.table === 'reads')!.remainingExpired).toBe(0);
    const report = await retentionReport(store.client, retention, 1000);
    expect(report.runs.find((r) => r.table === 'reads')).toMatchObject({ remainingExpired: 0, tacticalDays: 30 });
    const day = (r: PlateRead) => report.days.find((d) => d.captureDay === r.capturedAt.slice(0, 10));
    expect(day(old)).toMatchObject({ ingested: 1, held: 0, purged: 1 });
    expect(day(ancient)).toMatchObject({ ingested: 1, held: 0, purged: 1 });
    expect(day(fresh)).toBeUndefined(); // its window has not ended
  });

  it('never stores a read that arrives already past its window', async () => {
    const late = read('RET0002', 31);
    await insertReads(store.client, [late]);
    expect(await physical('reads', [late.id])).toEqual([]);
    expect(await physical('plate_images', [late.id])).toEqual([]);
  });

  it('places a case hold only on live reads, with the 3-anniversary-year ceiling', async () => {
    const live = read('HLD0001', 10);
    const expired = read('HLD0001', 45);
    await insertReads(store.client, [live, expired]);
    const res = await holdReads(store.client, { caseKey: 'CASE-1', readIds: [live.id, expired.id], by: 'det.smith', retention });
    expect(res).toEqual({ held: [live.id], notFound: [expired.id] });
    const [found] = await searchReads(store.client, { plate: 'HLD0001', limit: 10, offset: 0 }, 30);
    const ceiling = holdCeiling(new Date(live.capturedAt), retention);
    expect(Math.abs(Date.parse(found!.heldUntil!) - ceiling.getTime())).toBeLessThan(1000);
    expect(found!.expiresAt).toBe(found!.heldUntil);
    // The plate index carries the same hold, so it outlives the tactical window with the read.
    const rs = await store.client.query({
      query: "SELECT toUnixTimestamp(held_until) AS h FROM reads_by_plate WHERE plate_norm = 'HLD0001'",
      format: 'JSONEachRow',
    });
    expect((await rs.json<{ h: string }>()).map((x) => Number(x.h) * 1000)).toEqual([Date.parse(found!.heldUntil!)]);
    expect(await caseHolds(store.client, 'CASE-1')).toMatchObject([{ read_id: live.id, held_by: 'det.smith', released: false }]);
  });

  it('keeps held reads past 30 days, purges them at the ceiling, and after the case closes', async () => {
    const held = read('HLD0002', 200); // held while young, now past its tactical window
    const beyond = read('HLD0002', 3 * 366 + 5); // held, but older than 3 years: the ceiling has passed
    const unheld = read('HLD0002', 200);
    await insertHeldUntil(held, ceilingOf(held));
    await insertHeldUntil(beyond, Date.now() + 2000); // its ceiling passes in two seconds
    await insertHeldUntil(unheld, Date.now() + 2000); // its hold ends in two seconds
    await new Promise((r) => setTimeout(r, 2500));
    await store.client.insert({
      table: 'read_holds',
      values: [
        {
          case_key: 'CASE-2',
          read_id: held.id,
          version: 1,
          captured_at: Date.parse(held.capturedAt),
          held_until: 0,
          held_by: 'x',
          held_at: Date.now(),
          released: false,
        },
      ],
      format: 'JSONEachRow',
    });
    await runRetention(store.client, retention, silentLogger);
    expect(await physical('reads', [held.id, beyond.id, unheld.id])).toEqual([held.id]);
    expect(await physical('plate_images', [held.id, beyond.id, unheld.id])).toEqual([held.id]);
    expect(await indexed('HLD0002')).toEqual(at(held));

    expect(await releaseCaseHolds(store.client, { caseKey: 'CASE-2', by: 'admin' })).toEqual({ released: 1 });
    await runRetention(store.client, retention, silentLogger);
    expect(await physical('reads', [held.id])).toEqual([]);
    expect(await physical('plate_images', [held.id])).toEqual([]);
    expect(await indexed('HLD0002')).toEqual([]);
    expect(await caseHolds(store.client, 'CASE-2')).toMatchObject([{ read_id: held.id, released: true, released_by: 'admin' }]);
  });

  it('keeps a read held by another open case when one case closes', async () => {
    const r = read('HLD0003', 5);
    await insertReads(store.client, [r]);
    await holdReads(store.client, { caseKey: 'CASE-A', readIds: [r.id], by: 'a', retention });
    await holdReads(store.client, { caseKey: 'CASE-B', readIds: [r.id], by: 'b', retention });
    await releaseCaseHolds(store.client, { caseKey: 'CASE-A', by: 'a' });
    const [found] = await searchReads(store.client, { plate: 'HLD0003', limit: 1, offset: 0 }, 30);
    expect(found!.heldUntil).not.toBeNull();
    await releaseCaseHolds(store.client, { caseKey: 'CASE-B', by: 'b' });
    const [after] = await searchReads(store.client, { plate: 'HLD0003', limit: 1, offset: 0 }, 30);
    expect(after!.heldUntil).toBeNull();
  });

  it('keeps an alert and its timeline exactly as long as the read it quotes', async () => {
    const alertOf = (r: PlateRead, n: number): Alert => {
      const { cropJpeg: _crop, ...bare } = r;
      return alertSchema.parse({
        id: `00000000-0000-5000-8000-00000000000${n}`,
        raisedAt: r.capturedAt,
        read: bare,
        matchKind: 'exact',
        score: 1,
        stale: false,
        historical: false,
        record: {
          source: 'ncic',
          recordId: `R${n}`,
          plate: r.plate,
          state: 'FL',
          category: 'stolen_vehicle',
          extractVersion: 'v1',
          plateType: null,
          ori: null,
          priority: 3,
          expiresAt: null,
        },
        match: { text: r.plate, distance: 0, confusion: false, stateMatch: 'same' },
      });
    };
    const held = read('ALR0001', 20);
    const unheld = read('ALR0001', 20);
    await insertReads(store.client, [held, unheld]);
    const [a1, a2] = [alertOf(held, 1), alertOf(unheld, 2)];
    await storeAlerts(store.client, [a1, a2]);
    const ack = { seq: 1, at: new Date().toISOString(), actor: 'op', action: 'acknowledge' as const, data: {} };
    await appendEvent(store.client, a1.id, ack);
    await appendEvent(store.client, a2.id, ack);
    await holdReads(store.client, { caseKey: 'CASE-ALR', readIds: [held.id], by: 'det', retention });
    // Twelve days later the tactical window of both has ended; only the held read's alert stays.
    const later = { tacticalDays: 8, holdMaxYears: 3 };
    await applyRetentionSettings(store.client, later, silentLogger);
    await runRetention(store.client, later, silentLogger);
    await applyRetentionSettings(store.client, retention, silentLogger);
    expect(await getAlert(store.client, a2.id)).toBeNull();
    const kept = await getAlert(store.client, a1.id);
    expect(kept?.events.map((e) => e.action)).toEqual(['acknowledge']);
    const events = await store.client.query({
      query: 'SELECT count() AS n FROM alert_events WHERE alert_id = {id:UUID}',
      query_params: { id: a2.id },
      format: 'JSONEachRow',
    });
    expect(Number((await events.json<{ n: string }>())[0]!.n)).toBe(0);
  });

  it('applies a shorter tactical period to reads already stored', async () => {
    const young = read('RET0007', 5);
    const older = read('RET0007', 10);
    await insertReads(store.client, [young, older]);
    const weekly = { tacticalDays: 7, holdMaxYears: 3 };
    await applyRetentionSettings(store.client, weekly, silentLogger);
    await runRetention(store.client, weekly, silentLogger);
    expect(await physical('reads', [young.id, older.id])).toEqual([young.id]);
    await applyRetentionSettings(store.client, retention, silentLogger);
  });

  it('reports a mutation that keeps failing instead of waiting on it for ever', async () => {
    // Holds and retention wait for their mutations by polling, so that the store's one connection
    // stays free for searches and inserts meanwhile; a mutation ClickHouse cannot apply must still
    // come back to the caller as an error.
    await store.client.command({ query: 'CREATE TABLE mutation_probe (x UInt8) ENGINE = MergeTree ORDER BY tuple()' });
    await store.client.insert({ table: 'mutation_probe', values: [{ x: 1 }], format: 'JSONEachRow' });
    try {
      await expect(
        mutateAndWait(
          store.client,
          'mutation_probe',
          "ALTER TABLE mutation_probe UPDATE x = throwIf(x = 1, 'probe refuses') WHERE 1",
          {},
          { pollMs: 50, timeoutMs: 30_000 },
        ),
      ).rejects.toThrow(/mutation of mutation_probe is failing: .*probe refuses/);
    } finally {
      await store.client.command({ query: "KILL MUTATION WHERE database = currentDatabase() AND table = 'mutation_probe'" });
      await store.client.command({ query: 'DROP TABLE mutation_probe' });
    }
  });
});
