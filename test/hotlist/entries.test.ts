import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { configSchema, ensureStreams, silentLogger } from '../../contracts/index.ts';
import { insertReads } from '../../store/index.ts';
import { raiseHistoricalHits, startAlertService, type AlertService } from '../../alerts/index.ts';
import { startHotlistCore } from '../../hotlist/index.ts';
import type { AccessEnv } from '../../access/index.ts';
import { startNats, type TestNats } from '../helpers/nats.ts';
import { makeRead } from '../helpers/reads.ts';
import { startTestStore } from '../helpers/store.ts';
import { until } from '../helpers/wait.ts';

/**
 * Hotlist management over the API (issue 31, point 5), with the real store, NATS and alert
 * service wired as the core wires them: entries listed by page and searched by plate, added and
 * removed with who, when and why; duplicates and unknown states refused with the reason; and a
 * hand edit that raises historical hits only for reads never alerted on that list.
 */
let nats: TestNats;
let nc: NatsConnection;
let store: Awaited<ReturnType<typeof startTestStore>>;
let core: Awaited<ReturnType<typeof startHotlistCore>>;
let alerts: AlertService;
let app: Hono<AccessEnv>;
/** What each activated version raised (raiseHistoricalHits' answer), in order. */
const historical: { source: string; plates: number; alerts: number }[] = [];

const send = (method: string, path: string, body?: unknown) =>
  app.request(
    path,
    body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
  );
const add = (plate: string, state: string | null, reason = 'BOLO for case 26-0031') =>
  send('POST', '/api/hotlists/agency/entries', { plate, state, reason, expiresAt: '2099-01-01' });
interface Entry {
  recordId: string;
  plate: string;
  state: string | null;
  createdBy: string;
  addedAt: string;
  reason: string;
}
const entries = async (q = '') =>
  (await (await send('GET', `/api/hotlists/agency/entries${q}`)).json()) as {
    total: number;
    entries: Entry[];
    version: { detail: string };
  };
/** The hits stored for a record plate on the agency list: alerts and their sightings (one alert per encounter). */
const storedHits = async (plate: string) => {
  const rs = await store.client.query({
    query: `SELECT toString(id) AS hit, toString(read_id) AS rid FROM alerts WHERE source = 'agency' AND plate = {plate:String}
            UNION ALL
            SELECT toString(hit_id) AS hit, toString(read_id) AS rid FROM alert_sightings
            WHERE alert_id IN (SELECT id FROM alerts WHERE source = 'agency' AND plate = {plate:String})`,
    query_params: { plate },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ hit: string; rid: string }>();
  return { reads: new Set(rows.map((r) => r.rid)).size, hits: [...new Set(rows.map((r) => r.hit))].sort() };
};

beforeAll(async () => {
  const config = configSchema.parse({});
  nats = await startNats();
  nc = await nats.connect();
  await ensureStreams(nc, config.nats);
  store = await startTestStore();
  // Passes of two plates, stored before either is listed: each listing raises them as historical hits.
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  await insertReads(store.client, [
    ...[5, 20, 45].map((m) => makeRead({ plate: 'HIST 31', state: 'FL', candidates: [], capturedAt: minutesAgo(m) })),
    ...[10, 30].map((m) => makeRead({ plate: 'NEXT 31', state: 'GA', candidates: [], capturedAt: minutesAgo(m) })),
  ] as never);
  alerts = await startAlertService({ nc, client: store.client, config: config.hotlists, logger: silentLogger });
  const js = jetstream(nc);
  core = await startHotlistCore({
    nc,
    client: store.client,
    config,
    logger: silentLogger,
    onActivated: async (v, previous) => {
      const r = await raiseHistoricalHits(
        { client: store.client, js, tacticalDays: config.retention.tacticalDays, maxPlates: 100, logger: silentLogger },
        v,
        previous,
      );
      historical.push({ source: v.source, plates: r.plates, alerts: r.alerts });
    },
  });
  app = new Hono<AccessEnv>();
  // The guard's part, for these routes: who is asking (it audits the body of each edit, rules in hotlist/routes.ts).
  app.use('*', async (c, next) => {
    c.set('principal', { username: 'it-admin' } as never);
    await next();
  });
  for (const r of core.dataRoutes) app.route('/api', r);
});

afterAll(async () => {
  core?.stop();
  await alerts?.stop();
  await nc?.close();
  await nats?.stop();
  await store?.stop();
});

describe('hotlist entries over the API', () => {
  it('adds entries with who and when, lists them by page and finds them by part of a plate', async () => {
    for (const [plate, state] of [
      ['ABC 101', 'FL'],
      ['ABC-102', 'ga'],
      ['XYZ 900', null],
    ] as const) {
      const res = await add(plate, state);
      expect(res.status, plate).toBe(200);
    }
    const all = await entries();
    expect(all.total).toBe(3);
    expect(all.entries.map((e) => [e.plate, e.state])).toEqual([
      ['ABC101', 'FL'],
      ['ABC102', 'GA'], // a state in lower case is the same code, upper-cased
      ['XYZ900', null],
    ]);
    for (const e of all.entries) {
      expect(e.createdBy).toBe('it-admin');
      expect(e.reason).toBe('BOLO for case 26-0031');
      expect(Date.now() - Date.parse(e.addedAt)).toBeLessThan(60_000);
    }
    // Each edit is a version that says what it changed, and why.
    expect(all.version.detail).toMatch(/^added XYZ900 \(any state, record AG-\w+\): BOLO for case 26-0031$/);

    const found = await entries('?plate=abc-10');
    expect(found.total).toBe(2);
    expect(found.entries.map((e) => e.plate)).toEqual(['ABC101', 'ABC102']);
    const page2 = await entries('?limit=2&offset=2');
    expect([page2.total, page2.entries.map((e) => e.plate)]).toEqual([3, ['XYZ900']]);
    // Kept across the next versions: who added each entry and when is not rewritten by later edits.
    const before = all.entries[0]!;
    expect(await add('LATER 1', 'FL')).toHaveProperty('status', 200);
    const after = (await entries('?plate=ABC101')).entries[0]!;
    expect([after.createdBy, after.addedAt, after.recordId]).toEqual([before.createdBy, before.addedAt, before.recordId]);
  });

  it('refuses a duplicate (same plate and state on the list) and an unknown state, with the reason', async () => {
    const versions = (await entries()).total;
    const dup = await add('abc 101', 'FL');
    expect(dup.status).toBe(400);
    expect(((await dup.json()) as { error: string }).error).toMatch(
      /^ABC101 \(FL\) is already on "agency": record AG-\w+, added by it-admin on \d{4}-\d{2}-\d{2}$/,
    );
    const zz = await add('ZZ 1234', 'ZZ');
    expect(zz.status).toBe(400);
    expect(await zz.json()).toEqual({
      error: 'invalid request',
      problems: [{ param: 'state', message: '"ZZ" is not a US state code (two letters: FL, GA, DC…)' }],
    });
    // Nothing was made of either: the list is as it was, no ZZ entry under another state.
    const now = await entries();
    expect(now.total).toBe(versions);
    expect(now.entries.some((e) => e.plate === 'ZZ1234')).toBe(false);
    // The same plate under another state is another vehicle: allowed.
    expect((await add('ABC 101', 'AL')).status).toBe(200);
  });

  it('removes an entry with a reason, and says which record it cannot find', async () => {
    const target = (await entries('?plate=XYZ900')).entries[0]!;
    expect((await send('POST', '/api/hotlists/agency/entries/remove', { recordId: target.recordId })).status).toBe(400); // no reason
    const res = await send('POST', '/api/hotlists/agency/entries/remove', { recordId: target.recordId, reason: 'vehicle recovered' });
    expect(res.status).toBe(200);
    const after = await entries();
    expect(after.entries.some((e) => e.recordId === target.recordId)).toBe(false);
    expect(after.version.detail).toBe(`removed XYZ900 (any state, record ${target.recordId}): vehicle recovered`);
    const again = await send('POST', '/api/hotlists/agency/entries/remove', { recordId: target.recordId, reason: 'twice' });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: string }).error).toBe(`no record "${target.recordId}" in the list`);
    expect((await send('GET', '/api/hotlists/nope/entries')).status).toBe(404);
  });

  it('raises the historical hits of a newly listed plate once: later edits, and removing and adding it again, raise none of them again', async () => {
    historical.length = 0;
    expect((await add('HIST 31', 'FL')).status).toBe(200);
    expect(historical.at(-1)).toEqual({ source: 'agency', plates: 1, alerts: 3 });
    const first = await until(async () => {
      const h = await storedHits('HIST31');
      return h.reads === 3 ? h : undefined;
    });

    // Another plate: only its own reads are searched and raised, not every plate of the list again.
    expect((await add('NEXT 31', 'GA')).status).toBe(200);
    expect(historical.at(-1)).toEqual({ source: 'agency', plates: 1, alerts: 2 });
    await until(async () => (await storedHits('NEXT31')).reads === 2);

    // Removed and listed again (a new record id, so new alert ids): the reads already raised stay raised, once.
    const hist = (await entries('?plate=HIST31')).entries[0]!;
    expect(
      (await send('POST', '/api/hotlists/agency/entries/remove', { recordId: hist.recordId, reason: 'entered in error' })).status,
    ).toBe(200);
    expect((await add('HIST 31', 'FL', 'entered again')).status).toBe(200);
    expect(historical.at(-1)).toEqual({ source: 'agency', plates: 1, alerts: 0 });
    expect(await storedHits('HIST31')).toEqual(first);
    expect(historical.every((h) => h.plates <= 1)).toBe(true);
  });
});
