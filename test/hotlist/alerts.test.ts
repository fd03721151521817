import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  configSchema,
  ensureStreams,
  natsIdentities,
  OWNER_REMINDER,
  publishRead,
  signWebhook,
  silentLogger,
} from '../../contracts/index.ts';
import { insertReads } from '../../store/index.ts';
import { alertRoutes, raiseHistoricalHits, startAlertService, type AlertService } from '../../alerts/index.ts';
import { hotlistCommands, progressBar, startHotlistCore } from '../../hotlist/index.ts';
import { startMatcher, type Matcher } from '../../matcher/index.ts';
import { freePort, startNats, type TestNats } from '../helpers/nats.ts';
import { makeRead, smallJpegBase64 } from '../helpers/reads.ts';
import { startTestStore } from '../helpers/store.ts';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { tempDir } from '../helpers/nats.ts';

let nats: TestNats;
let nc: NatsConnection;
let store: Awaited<ReturnType<typeof startTestStore>>;
let core: Awaited<ReturnType<typeof startHotlistCore>>;
let alerts: AlertService;
let matcher: Matcher;
let app: Hono;
let hook: Server;
const received: { body: string; signature: string }[] = [];
let now = Date.now();

async function until<T>(fn: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const csv = (rows: string[]) => ['plate,state,record_id,category,ori', ...rows].join('\n') + '\n';

beforeAll(async () => {
  let calls = 0;
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      // The first delivery fails: the webhook must retry it.
      if (calls++ === 0) return res.writeHead(503).end();
      received.push({ body, signature: String(req.headers['x-alpr-signature']) });
      res.writeHead(204).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => hook.listen(port, '127.0.0.1', r));
  process.env.ALPR_TEST_HOOK_SECRET = 's3cret';
  const config = configSchema.parse({
    hotlists: { escalationMinutes: 5, webhook: { url: `http://127.0.0.1:${port}/hook`, secretEnv: 'ALPR_TEST_HOOK_SECRET' } },
  });
  nats = await startNats();
  nc = await nats.connect();
  await ensureStreams(nc, config.nats);
  store = await startTestStore();
  // A read stored before its plate is listed: the import must find it (historical hit).
  await insertReads(store.client, [
    makeRead({ plate: 'HIST123', state: 'FL', candidates: [], capturedAt: new Date(Date.now() - 3 * 86_400_000).toISOString() }) as never,
  ]);
  // Wired as the core wires them (appliance/core.ts): alerts first, then hotlists whose new versions raise historical hits.
  const clock = () => new Date(now);
  alerts = await startAlertService({ nc, client: store.client, config: config.hotlists, logger: silentLogger, clock });
  const js = jetstream(nc);
  core = await startHotlistCore({
    nc,
    client: store.client,
    config,
    logger: silentLogger,
    clock,
    onActivated: async (v, previous) => {
      await raiseHistoricalHits(
        {
          client: store.client,
          js,
          tacticalDays: config.retention.tacticalDays,
          maxPlates: config.hotlists.historicalMaxPlates,
          logger: silentLogger,
          clock,
        },
        v,
        previous,
      );
    },
  });
  matcher = await startMatcher({ nc: await nats.connectAs(natsIdentities.matcher), config, logger: silentLogger });
  app = new Hono();
  for (const r of [...core.dataRoutes, alertRoutes({ client: store.client, alerts, logger: silentLogger })]) app.route('/api', r);
});

afterAll(async () => {
  await matcher?.stop();
  core?.stop();
  await alerts?.stop();
  await nc?.close();
  await nats?.stop();
  await store?.stop();
  hook?.close();
});

describe('hotlist import API', () => {
  it('imports over HTTP, reports progress, and raises historical hits for newly listed plates', async () => {
    const res = await app.request('/api/hotlists?source=ncic&filename=hot.csv&importId=5b0c7f9e-3c1e-4c55-9a57-1b1d2b0c0a11', {
      method: 'POST',
      body: csv(['ABC1234,FL,V1,stolen,FL0370000', 'HIST123,FL,V2,wanted,FL0370000']),
    });
    expect(res.status).toBe(200);
    const job = (await res.json()) as { state: string; versionId: string; records: number };
    expect(job).toMatchObject({ state: 'done', records: 2 });
    const progress = await (await app.request('/api/hotlists/imports/5b0c7f9e-3c1e-4c55-9a57-1b1d2b0c0a11')).json();
    expect(progress).toMatchObject({ percent: 100, state: 'done' });
    const hist = await until(async () => {
      // A hit on a stored read is history: the historical view, never the live queue.
      const list = (await (await app.request('/api/alerts/historical')).json()) as {
        alerts: { alert: { historical: boolean; record: { plate: string } } }[];
      };
      return list.alerts.find((a) => a.alert.historical);
    }, 'the historical alert');
    expect(hist.alert.record.plate).toBe('HIST123');
    const recs = (await (await app.request(`/api/hotlists/versions/${job.versionId}/records?plate=ABC1234`)).json()) as {
      records: unknown[];
    };
    expect(recs.records).toEqual([expect.objectContaining({ recordId: 'V1', category: 'stolen_vehicle' })]);
  });

  it('refuses a garbage upload with line numbers and an unknown source', async () => {
    const res = await app.request('/api/hotlists?source=ncic', {
      method: 'POST',
      body: 'plate,state,record_id,category\n' + '\u0007,,,\n'.repeat(20),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { summary: { problems: { line: number }[] } }).summary.problems[0]?.line).toBe(2);
    expect((await app.request('/api/hotlists?source=nope', { method: 'POST', body: 'x' })).status).toBe(404);
    expect((await app.request('/api/hotlists?source=ncic&evil=1', { method: 'POST', body: 'x' })).status).toBe(400);
  });

  it('adds an agency entry by hand as a new version, and matches it', async () => {
    const res = await app.request(
      '/api/hotlists/agency/entries',
      json({ plate: 'AGY 777', state: 'FL', reason: 'BOLO case 26-1234', expiresAt: '2099-01-01' }),
    );
    expect(res.status).toBe(200);
    const v = (await res.json()) as { versionId: string };
    await matcher.waitForVersion('agency', v.versionId);
    const read = makeRead({ plate: 'AGY777', candidates: [] });
    await publishRead(jetstream(nc), read);
    await until(
      async () => ((await (await app.request('/api/alerts?source=agency')).json()) as { alerts: unknown[] }).alerts.length,
      'the agency alert',
    );
    expect((await app.request('/api/hotlists/ncic/entries', json({ plate: 'X1', reason: 'r', expiresAt: '2099-01-01' }))).status).toBe(409);
    // Notes and reasons keep no personal identifiers: refused with the kind named, no version made.
    for (const body of [
      { plate: 'PII 1', reason: 'BOLO', notes: 'driver DOB 04/05/1990', expiresAt: '2099-01-01' },
      { plate: 'PII 2', reason: 'owner at 123 Main St', expiresAt: '2099-01-01' },
    ]) {
      const refused = await app.request('/api/hotlists/agency/entries', json(body));
      expect(refused.status).toBe(400);
      expect(await refused.text()).toMatch(/personal identifying information \((a date of birth|a street address)\)/);
    }
  });
});

describe('alpr hotlist import', () => {
  it('uploads a file to the API and exits 0, or 1 with the line problems when refused', async () => {
    const port = await freePort();
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
    const dir = tempDir('cli');
    const good = path.join(dir, 'fcic.csv');
    writeFileSync(good, csv(['CLI1234,FL,F1,stolen,FL0370000']));
    const junk = path.join(dir, 'junk.csv');
    writeFileSync(junk, 'plate,state,record_id,category\n' + 'x\n'.repeat(10));
    const cmd = hotlistCommands['hotlist import']!;
    const config = configSchema.parse({});
    const out: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void out.push(a.join(' '));
    try {
      expect(await cmd.run({ source: 'fcic', url: `http://127.0.0.1:${port}` }, [good], config)).toBe(0);
      expect(await cmd.run({ source: 'fcic', url: `http://127.0.0.1:${port}` }, [junk], config)).toBe(1);
      expect(await cmd.run({ url: `http://127.0.0.1:${port}` }, [good], config)).toBe(2);
    } finally {
      console.log = log;
      server.close();
    }
    expect(out[0]).toMatch(/^done: version fcic-.*, 1 records, 0 malformed lines$/);
    expect(out).toContain('  line 2: 1 fields where the header has 4 (truncated line?)');
    expect(progressBar(0.5, 10, 'x')).toBe('[#####-----]  50% x');
  });
});

describe('alerts: storage, workflow, notifications', () => {
  let id = '';

  it('stores the live alert once, with the reminder, and notifies the webhook (retried, signed)', async () => {
    const read = makeRead({ plate: 'ABC1234', state: 'FL', candidates: [], cropJpeg: smallJpegBase64() });
    // Stored as the core's writer would (its plate image is the evidence the operator verifies with).
    await insertReads(store.client, [read as never]);
    await publishRead(jetstream(nc), read);
    const one = await until(async () => {
      const list = (await (await app.request('/api/alerts?status=new')).json()) as {
        alerts: { alert: { id: string; read: { id: string } }; reminder: string }[];
      };
      return list.alerts.find((a) => a.alert.read.id === read.id);
    }, 'the live alert');
    id = one.alert.id;
    expect(one.reminder).toBe(OWNER_REMINDER);
    const delivered = await until(async () => received.find((r) => r.body.includes(id)), 'the webhook delivery');
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(delivered.signature)!;
    expect(signWebhook('s3cret', delivered.body, Number(t))).toBe(`t=${t},v1=${v1}`);
    expect(JSON.parse(delivered.body)).toMatchObject({ type: 'alert.raised', reminder: OWNER_REMINDER });
  });

  it('runs the verification workflow and refuses steps out of order', async () => {
    const act = (body: unknown) => app.request(`/api/alerts/${id}/actions`, json(body));
    expect((await act({ action: 'verify_read', correct: true })).status).toBe(409);
    expect((await act({ action: 'acknowledge', extra: 1 })).status).toBe(400);
    expect((await act({ action: 'acknowledge' })).status).toBe(200);
    // "Characters match" needs the plate image served enlarged first (alerts/evidence.ts).
    expect((await act({ action: 'verify_read', correct: true })).status).toBe(409);
    expect((await app.request(`/api/alerts/${id}/image?view=zoom`)).status).toBe(200);
    expect((await act({ action: 'verify_read', correct: true })).status).toBe(200);
    expect((await act({ action: 'verify_state', correct: true })).status).toBe(200);
    expect((await act({ action: 'dispose', disposition: 'confirmed_hit', note: 'x' })).status).toBe(409);
    expect(
      (
        await act({
          action: 'confirm_record',
          active: true,
          agency: 'FL0370000',
          contact: 'Records clerk Diaz',
          method: 'teletype',
          confirmedAt: new Date().toISOString(),
        })
      ).status,
    ).toBe(200);
    const done = await act({ action: 'dispose', disposition: 'confirmed_hit', note: 'vehicle stopped' });
    expect(done.status).toBe(200);
    const body = (await done.json()) as { state: { status: string; disposition: string }; events: { action: string }[] };
    expect(body.state).toMatchObject({ status: 'closed', disposition: 'confirmed_hit' });
    expect(body.events.map((e) => e.action)).toEqual(['acknowledge', 'verify_read', 'verify_state', 'confirm_record', 'dispose']);
    expect((await app.request('/api/alerts/not-a-uuid')).status).toBe(400);
    expect((await app.request('/api/alerts/00000000-0000-4000-8000-000000000000/actions', json({ action: 'acknowledge' }))).status).toBe(
      404,
    );
  });

  it('escalates an alert nobody acknowledged in time, once', async () => {
    now += 6 * 60_000;
    const escalated = await alerts.escalateOverdue();
    expect(escalated).toBeGreaterThanOrEqual(1);
    expect(await alerts.escalateOverdue()).toBe(0);
    const list = (await (await app.request('/api/alerts?status=new')).json()) as {
      alerts: { alert: { historical: boolean }; state: { escalated: boolean } }[];
    };
    // Live alerts escalate; a historical hit (a past read) is reviewed, not chased.
    expect(list.alerts.filter((a) => !a.alert.historical && !a.state.escalated)).toEqual([]);
    expect(list.alerts.filter((a) => a.alert.historical && a.state.escalated)).toEqual([]);
  });

  it('streams new alerts live over SSE', async () => {
    const res = await app.request('/api/alerts/stream');
    const reader = res.body!.getReader();
    const read = makeRead({ plate: 'ABC1234', state: 'FL', candidates: [] });
    let text = '';
    const dec = new TextDecoder();
    while (!text.includes('event: ready')) text += dec.decode((await reader.read()).value);
    await publishRead(jetstream(nc), read);
    while (!text.includes(read.id)) text += dec.decode((await reader.read()).value);
    expect(text).toMatch(/event: alert\ndata: \{"type":"alert.raised"/);
    await reader.cancel();
  });
});
