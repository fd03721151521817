import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSchema, plateReadSchema, silentLogger, type Alert } from '../../contracts/index.ts';
import { createAccess } from '../../access/index.ts';
import { LIVE_ALERT_HOURS } from '../../access/index.ts';
import { alertRoutes, alertRules } from '../../alerts/index.ts';
import { storeAlerts } from '../../alerts/index.ts';
import type { HealthReport } from '../../server/index.ts';
import { createApp, MetricsRegistry } from '../../server/index.ts';
import { insertReads } from '../../store/index.ts';
import { startTestStore } from '../helpers/store.ts';
import { makeRead } from '../helpers/reads.ts';
import { addCase, addUser, caseHeaders, signIn, testAccessConfig, testClock, type Signed, type TestApp } from './helpers.ts';

/**
 * Issue 30, point 11, against the real store: history needs the case gate (alerts beyond the
 * live shift's window, a case's held reads), and anonymous callers learn the status only.
 */
let store: Awaited<ReturnType<typeof startTestStore>>;
let t: TestApp;
let operator: Signed;
let inv: Signed;
let auditor: Signed;
const HOUR = 3_600_000;
let live: Alert;
let old: Alert;

const report: HealthReport = {
  status: 'degraded',
  time: new Date().toISOString(),
  siteId: 'site-1',
  services: [{ name: 'core', state: 'running', pid: 4242, restarts: 0, since: new Date().toISOString() } as never],
  cameras: [{ cameraId: 'cam-9', state: 'reconnecting' } as never],
  store: { healthy: true, lastError: null },
  nats: { connected: true },
  authorisations: [{ cameraId: 'cam-9', deploymentRef: 'DEP-9', authorised: false, deploymentId: null, refused: 3 }],
};

function alertFor(plate: string, hoursAgo: number): Alert {
  const at = new Date(Date.now() - hoursAgo * HOUR).toISOString();
  const { cropJpeg: _crop, ...read } = plateReadSchema.parse(makeRead({ plate, capturedAt: at }));
  return alertSchema.parse({
    id: randomUUID(),
    raisedAt: at,
    read,
    record: { source: 'ncic', recordId: `R-${plate}`, plate, state: 'FL', category: 'stolen_vehicle', extractVersion: 'v1' },
    matchKind: 'exact',
    score: 1,
  });
}

beforeAll(async () => {
  store = await startTestStore();
  const clock = testClock();
  const metrics = new MetricsRegistry();
  metrics.set('alpr_camera_up', 'Camera stream live (1) or not (0).', 1, { camera: 'cam-9' });
  const access = createAccess({
    client: store.client,
    access: testAccessConfig(),
    retention: { tacticalDays: 30, holdMaxYears: 3 },
    logger: silentLogger,
    extraRules: alertRules,
    clock: clock.now,
  });
  const app = createApp({
    client: store.client,
    health: async () => report,
    metrics,
    logger: silentLogger,
    dataGuard: access.guard,
    publicRoutes: access.publicRoutes,
    // The listing reads the store only; the live service behind the stream is not needed here.
    dataRoutes: [...access.dataRoutes, alertRoutes({ client: store.client, alerts: {} as never, logger: silentLogger }) as never],
    resolveOpenCase: access.resolveOpenCase,
  });
  t = { app, access, clock };
  const now = clock.now();
  operator = await signIn(t, await addUser(store.client, now, { username: 'op', roles: ['operator'] }));
  inv = await signIn(t, await addUser(store.client, now, { username: 'det', roles: ['investigator'] }));
  auditor = await signIn(t, await addUser(store.client, now, { username: 'aud', roles: ['auditor'] }));
  await addCase(store.client, now, 'CASE-H1');
  await addCase(store.client, now, 'CASE-H2');
  [live, old] = [alertFor('LIVE1', 1), alertFor('OLD40', 24 * 20)];
  await storeAlerts(store.client, [live, old]);
});
afterAll(() => store.stop());

const get = (s: Signed, path: string, extra: Record<string, string> = {}) => t.app.request(path, { headers: s.headers(extra) });
const plates = async (res: Response) =>
  ((await res.json()) as { alerts: { alert: { record: { plate: string } } }[] }).alerts.map((a) => a.alert.record.plate);

describe('alerts beyond the live shift', () => {
  it('lists the live window without a case, and nothing older', async () => {
    expect(LIVE_ALERT_HOURS).toBe(12);
    const res = await get(operator, '/api/alerts');
    expect(res.status).toBe(200);
    expect(await plates(res)).toEqual(['LIVE1']);
    const within = await get(operator, `/api/alerts?from=${new Date(Date.now() - 11 * HOUR).toISOString()}`);
    expect(await plates(within)).toEqual(['LIVE1']);
  });

  it('needs the case gate to reach further back, and records the case it was reached under', async () => {
    const from = new Date(Date.now() - 40 * 24 * HOUR).toISOString();
    const refused = await get(operator, `/api/alerts?from=${from}`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/case number or case name/);
    const closedCase = await get(operator, `/api/alerts?from=${from}`, caseHeaders('NO-SUCH-CASE'));
    expect(closedCase.status).toBe(403);
    const ok = await get(operator, `/api/alerts?from=${from}`, caseHeaders('CASE-H1', 'stolen vehicle pattern review'));
    expect(ok.status).toBe(200);
    expect((await plates(ok)).sort()).toEqual(['LIVE1', 'OLD40']);
    const audit = await t.access.audit.list({ actor: 'op', action: 'alerts.view' });
    expect(audit.map((e) => [e.outcome, e.caseRef])).toEqual([
      ['ok', null],
      ['ok', null],
      ['denied', null],
      ['denied', 'NO-SUCH-CASE'],
      ['ok', 'CASE-H1'],
    ]);
  });

  it('opens one alert of the live shift without a case, and an older one only under the case gate', async () => {
    expect((await get(operator, `/api/alerts/${live.id}`)).status).toBe(200);
    const refused = await get(operator, `/api/alerts/${old.id}`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/case number or case name/);
    const ok = await get(operator, `/api/alerts/${old.id}`, caseHeaders('CASE-H1', 'stolen vehicle pattern review'));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { alert: { record: { plate: string } } }).alert.record.plate).toBe('OLD40');
  });
});

describe('case holds', () => {
  it("lists a case's held reads only under the case gate, for that very case", async () => {
    const read = plateReadSchema.parse(makeRead({ plate: 'HELD1', capturedAt: new Date(Date.now() - 2 * HOUR).toISOString() }));
    await insertReads(store.client, [read]);
    const held = await t.app.request('/api/holds', {
      method: 'POST',
      headers: inv.headers(),
      body: JSON.stringify({ caseRef: 'CASE-H1', readIds: [read.id] }),
    });
    expect(held.status).toBe(200);

    const bare = await get(inv, '/api/holds?caseRef=CASE-H1');
    expect(bare.status).toBe(403);
    expect(await bare.text()).toMatch(/case number or case name/);
    const other = await get(inv, '/api/holds?caseRef=CASE-H1', caseHeaders('CASE-H2'));
    expect(other.status).toBe(403);
    expect(await other.text()).toMatch(/holds of the case you give in x-alpr-case \(CASE-H2\)/);
    for (const [s, path] of [
      [inv, '/api/holds?caseRef=case-h1'],
      [auditor, '/api/holds'],
    ] as const) {
      const res = await get(s, path, caseHeaders('CASE-H1', 'hold review'));
      expect(res.status, path).toBe(200);
      expect(((await res.json()) as { holds: { read_id: string }[] }).holds.map((h) => h.read_id)).toEqual([read.id]);
    }
    expect((await t.access.audit.list({ action: 'holds.list', outcome: 'ok' })).map((e) => e.caseRef)).toEqual(['CASE-H1', 'CASE-H1']);
  });
});

describe('health', () => {
  it('tells an anonymous caller the status only, and a signed-in one the full report', async () => {
    const anonymous = await t.app.request('/api/health');
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ status: 'degraded', time: report.time });
    expect((await t.app.request('/api/health/report')).status).toBe(401);
    const full = await get(operator, '/api/health/report');
    expect(full.status).toBe(200);
    expect(await full.json()).toEqual(report);
  });

  it('serves the Prometheus metrics (camera ids, states, read rates) to signed-in principals only', async () => {
    expect((await t.app.request('/api/metrics')).status).toBe(401);
    const scraped = await get(operator, '/api/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    expect(await scraped.text()).toContain('alpr_camera_up{camera="cam-9"} 1');
  });
});
