import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { alertSchema, configSchema, plateReadSchema, publishAlert, type Alert } from '../../contracts/index.ts';
import { ingestHits, type AlertService } from '../../alerts/index.ts';
import { alertId } from '../../matcher/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { until } from '../helpers/wait.ts';
import type { Signed, TestApp } from '../access/helpers.ts';
import { startAlertBench, type AlertBench } from './alert-bench.ts';

/**
 * Issue 31, points 1 and 2, through the API against the real store and bus: repeated hits of one
 * plate and record are one alert with its sightings, the queue pages with its totals, a
 * supervisor closes duplicates in bulk, and hits on past reads stay out of the live queue.
 */
const config = configSchema.parse({});
let bench: AlertBench;
let nc: NatsConnection;
let store: AlertBench['store'];
let alerts: AlertService;
let t: TestApp;
let operator: Signed;
let supervisor: Signed;
let investigator: Signed;
const MIN = 60_000;

type Page = {
  alerts: {
    alert: Alert;
    state: { status: string; disposition: string | null };
    events: { action: string; actor: string; data: Record<string, unknown> }[];
    encounter: { hits: number; lastCameraId: string; lastSeenAt: string; firstSeenAt: string };
    sightings: { readId: string; cameraId: string; seenAt: string }[];
  }[];
  total: number;
  waiting: number;
};

/** A hit as the matcher raises it: read `ago` ms before it is raised, on `recordId`. */
function hitOf(plate: string, recordId: string, opts: { ago?: number; camera?: string; priority?: number; at?: number } = {}): Alert {
  const raised = opts.at ?? Date.now();
  const capturedAt = new Date(raised - (opts.ago ?? 1000)).toISOString();
  const { cropJpeg: _crop, ...read } = plateReadSchema.parse(makeRead({ plate, cameraId: opts.camera ?? 'cam-1', capturedAt }));
  return alertSchema.parse({
    id: alertId(read.id, 'ncic', recordId),
    raisedAt: new Date(raised).toISOString(),
    read,
    record: {
      source: 'ncic',
      recordId,
      plate,
      state: 'FL',
      category: 'stolen_vehicle',
      extractVersion: 'v1',
      priority: opts.priority ?? 5,
    },
    matchKind: 'exact',
    score: 1,
  });
}

const get = async (s: Signed, path: string) => t.app.request(path, { headers: s.headers() });
const page = async (s: Signed, path: string) => (await (await get(s, path)).json()) as Page;

beforeAll(async () => {
  bench = await startAlertBench({ users: { op: ['operator'], sup: ['supervisor'], det: ['investigator'] } });
  ({ nc, store, alerts, t } = bench);
  [operator, supervisor, investigator] = [bench.users.op!, bench.users.sup!, bench.users.det!];
});

afterAll(() => bench?.stop());

describe('one alert per vehicle encounter', () => {
  it('makes repeated passes of a plate one alert with a count, the last camera and a sighting trail', async () => {
    const js = jetstream(nc);
    const base = Date.now();
    const passes = [
      hitOf('REP1234', 'R1', { at: base - 4 * MIN, camera: 'cam-1' }),
      hitOf('REP1234', 'R1', { at: base - 2 * MIN, camera: 'cam-2' }),
      hitOf('REP1234', 'R1', { at: base, camera: 'cam-3' }),
    ];
    const notices: string[] = [];
    const off = alerts.hub.subscribe((n) => notices.push(n.type));
    for (const p of passes) {
      await publishAlert(js, p);
      // One at a time, as passes come: each after the previous one is stored.
      await until(async () => notices.length > passes.indexOf(p), { what: 'the pass stored' });
    }
    off();
    expect(notices).toEqual(['alert.raised', 'alert.sighting', 'alert.sighting']);
    const list = await page(operator, '/api/alerts');
    const mine = list.alerts.filter((a) => a.alert.record.plate === 'REP1234');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.alert.id).toBe(passes[0]!.id);
    expect(mine[0]!.encounter).toMatchObject({ hits: 3, lastCameraId: 'cam-3', lastSeenAt: passes[2]!.read.capturedAt });
    expect(mine[0]!.sightings.map((s) => s.cameraId)).toEqual(['cam-3', 'cam-2', 'cam-1']);
    // A redelivered pass changes nothing.
    expect(await ingestHits(store.client, [passes[1]!], config.hotlists)).toEqual({ raised: [], sighted: [] });
    const one = (await (await get(operator, `/api/alerts/${passes[0]!.id}`)).json()) as Page['alerts'][number];
    expect(one.encounter.hits).toBe(3);
  });

  it('raises a new alert once the window has passed, or the first one is closed', async () => {
    const base = Date.now();
    const first = hitOf('GAP1', 'R2', { at: base - 40 * MIN, ago: 1000 });
    const later = hitOf('GAP1', 'R2', { at: base, ago: 1000 });
    // Raised 40 minutes ago on a fresh read: live then.
    const r = await ingestHits(store.client, [first], config.hotlists, base - 40 * MIN);
    expect(r.raised).toHaveLength(1);
    expect((await ingestHits(store.client, [later], config.hotlists)).raised).toHaveLength(1);
  });
});

describe('the live queue', () => {
  it('sorts by priority then recency, counts what waits, and pages past 100', async () => {
    const base = Date.now();
    const many = Array.from({ length: 130 }, (_, i) => hitOf(`PG${String(i).padStart(4, '0')}`, `P${i}`, { at: base - i * 1000 }));
    const urgent = hitOf('URGENT1', 'U1', { at: base - 3 * MIN, priority: 1 });
    await ingestHits(store.client, [...many, urgent], config.hotlists);
    const first = await page(operator, '/api/alerts?status=open&limit=100');
    expect(first.alerts).toHaveLength(100);
    expect(first.total).toBeGreaterThanOrEqual(133);
    expect(first.waiting).toBe(first.total);
    expect(first.alerts[0]!.alert.record.plate).toBe('URGENT1');
    // Then the most recently seen first.
    const seen = first.alerts.slice(1).map((a) => Date.parse(a.encounter.lastSeenAt));
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    const rest = await page(operator, `/api/alerts?status=open&limit=100&offset=100`);
    expect(rest.alerts.length).toBe(first.total - 100);
    const ids = new Set([...first.alerts, ...rest.alerts].map((a) => a.alert.id));
    expect(ids.size).toBe(first.total);
    expect((await get(operator, '/api/alerts?offset=-1')).status).toBe(400);
  });

  it('lets a supervisor close duplicates in bulk with a reason, audited, and refuses an operator', async () => {
    const before = await page(supervisor, '/api/alerts?status=open&limit=500');
    const dupes = before.alerts.filter((a) => a.alert.record.plate.startsWith('PG')).map((a) => a.alert.id);
    expect(dupes).toHaveLength(130);
    const body = { ids: dupes, reason: 'test plates from the camera commissioning' };
    const refused = await t.app.request('/api/alerts/close-duplicates', {
      method: 'POST',
      headers: operator.headers(),
      body: JSON.stringify(body),
    });
    expect(refused.status).toBe(403);
    const bad = await t.app.request('/api/alerts/close-duplicates', {
      method: 'POST',
      headers: supervisor.headers(),
      body: JSON.stringify({ ids: dupes, reason: '' }),
    });
    expect(bad.status).toBe(400);
    const res = await t.app.request('/api/alerts/close-duplicates', {
      method: 'POST',
      headers: supervisor.headers(),
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const out = (await res.json()) as { closed: string[]; skipped: unknown[] };
    expect(out.closed).toHaveLength(130);
    expect(out.skipped).toEqual([]);
    const after = await page(supervisor, '/api/alerts?status=open&limit=500');
    expect(after.waiting).toBe(before.waiting - 130);
    const closed = await page(supervisor, '/api/alerts?status=closed&limit=500');
    const one = closed.alerts.find((a) => a.alert.id === dupes[0])!;
    expect(one.state).toMatchObject({ status: 'closed', disposition: 'duplicate' });
    expect(one.events).toEqual([
      expect.objectContaining({ action: 'dispose', actor: 'sup', data: { disposition: 'duplicate', note: body.reason, bulk: true } }),
    ]);
    // Closing them again skips each, by name.
    const again = (await (
      await t.app.request('/api/alerts/close-duplicates', {
        method: 'POST',
        headers: supervisor.headers(),
        body: JSON.stringify({ ids: dupes.slice(0, 2), reason: 'again' }),
      })
    ).json()) as { skipped: { reason: string }[] };
    expect(again.skipped.map((s) => s.reason)).toEqual(['the alert is closed', 'the alert is closed']);
    const audit = await t.access.audit.list({ actor: 'sup', action: 'alerts.close_duplicates' });
    expect(audit.map((e) => e.outcome)).toContain('ok');
    expect(JSON.stringify(audit)).toContain('test plates from the camera commissioning');
    expect((await t.access.audit.list({ actor: 'op', action: 'alerts.close_duplicates' })).map((e) => e.outcome)).toEqual(['denied']);
  });
});

describe('live is live', () => {
  it('keeps hits on reads older than the live limit out of the live queue and stream, in the historical view', async () => {
    const js = jetstream(nc);
    const notices: { type: string; historical?: boolean }[] = [];
    const stream = await get(operator, '/api/alerts/stream');
    const reader = stream.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    while (!text.includes('event: ready')) text += dec.decode((await reader.read()).value);
    const off = alerts.hub.subscribe((n) => notices.push(n.type === 'alert.raised' ? { type: n.type, historical: n.alert.historical } : n));
    const late = hitOf('LATE123', 'L1', { ago: 12 * MIN });
    const live = hitOf('LIVE123', 'L2', { ago: 2000 });
    await publishAlert(js, late);
    await publishAlert(js, live);
    while (!text.includes(live.id)) text += dec.decode((await reader.read()).value);
    await reader.cancel();
    off();
    expect(text).not.toContain(late.id);
    expect(notices).toContainEqual({ type: 'alert.raised', historical: true });
    const queue = await page(operator, '/api/alerts?limit=500');
    expect(queue.alerts.map((a) => a.alert.record.plate)).toContain('LIVE123');
    expect(queue.alerts.map((a) => a.alert.record.plate)).not.toContain('LATE123');
    for (const who of [supervisor, investigator]) {
      const hist = await page(who, '/api/alerts/historical');
      expect(hist.alerts.map((a) => [a.alert.record.plate, a.alert.historical])).toEqual([['LATE123', true]]);
      expect(hist.alerts[0]!.encounter.lastSeenAt).toBe(late.read.capturedAt);
    }
    expect((await get(operator, '/api/alerts/historical')).status).toBe(403);
  });
});
