import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertSchema, plateReadSchema, type Alert } from '../../contracts/index.ts';
import { appendEvent, evidenceRefusal, INITIAL_STATE, storeAlerts } from '../../alerts/index.ts';
import { getVehicleImage, insertReads } from '../../store/index.ts';
import { jpegBase64, makeRead, smallJpegBase64 } from '../helpers/reads.ts';
import { addCase, caseHeaders, type Signed, type TestApp } from '../access/helpers.ts';
import { startAlertBench, type AlertBench } from './alert-bench.ts';

/**
 * Issue 31, point 3: an operator verifies a live alert with its evidence, without a registered
 * case (the alert is the purpose, audited as such), and cannot confirm the characters before the
 * plate image was served enlarged. Real store, real NATS, the real guard and alert service.
 */
let bench: AlertBench;
let store: AlertBench['store'];
let t: TestApp;
let operator: Signed;
let other: Signed;
let investigator: Signed;
const HOUR = 3_600_000;
let vehicleJpeg = '';

async function liveAlert(hoursAgo: number, over: { historical?: boolean; vehicle?: boolean } = {}): Promise<Alert> {
  const at = new Date(Date.now() - hoursAgo * HOUR).toISOString();
  const read = plateReadSchema.parse(makeRead({ capturedAt: at, cropJpeg: smallJpegBase64(), ...(over.vehicle ? { vehicleJpeg } : {}) }));
  await insertReads(store.client, [read]);
  const { cropJpeg: _c, vehicleJpeg: _v, ...bare } = read;
  const alert = alertSchema.parse({
    id: randomUUID(),
    raisedAt: at,
    read: bare,
    record: {
      source: 'ncic',
      recordId: `R-${randomUUID().slice(0, 8)}`,
      plate: read.plate,
      state: 'FL',
      category: 'stolen_vehicle',
      extractVersion: 'v1',
      vehicle: { make: 'HOND', model: 'CIV', style: '4D', colour: 'BLU', year: '2019' },
    },
    matchKind: 'exact',
    score: 1,
    historical: over.historical ?? false,
  });
  await storeAlerts(store.client, [alert]);
  return alert;
}

beforeAll(async () => {
  vehicleJpeg = await jpegBase64(96, 64);
  bench = await startAlertBench({ users: { op: ['operator'], op2: ['operator'], det: ['investigator'] } });
  ({ store, t } = bench);
  [operator, other, investigator] = [bench.users.op!, bench.users.op2!, bench.users.det!];
  const now = t.clock.now();
  await addCase(store.client, now, 'CASE-E1');
}, 60_000);

afterAll(() => bench?.stop());

const get = (s: Signed, path: string, extra: Record<string, string> = {}) => t.app.request(path, { headers: s.headers(extra) });
const act = (s: Signed, id: string, body: unknown) =>
  t.app.request(`/api/alerts/${id}/actions`, { method: 'POST', headers: s.headers(), body: JSON.stringify(body) });

describe('alert evidence without a case', () => {
  it('serves a live alert its plate image for the operator working it, audited under the alert as purpose', async () => {
    const a = await liveAlert(0.1);
    const res = await get(operator, `/api/alerts/${a.id}/image`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer()).toString('base64')).toBe(smallJpegBase64());
    // The read image route keeps its case gate.
    expect((await get(operator, `/api/reads/${a.read.id}/image`)).status).toBe(403);
    const [entry] = await t.access.audit.list({ actor: 'op', action: 'alert.image' });
    expect(entry).toMatchObject({ outcome: 'ok', target: a.id, caseRef: null, purpose: `alert verification ${a.id}` });
  });

  it('refuses roles that do not work alerts, historical hits, and alerts closed or raised beyond a day', async () => {
    const a = await liveAlert(0.1);
    const refused = await get(investigator, `/api/alerts/${a.id}/image`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/does not permit alert.image/);

    const historical = await liveAlert(2, { historical: true });
    const hist = await get(operator, `/api/alerts/${historical.id}/image`);
    expect(hist.status).toBe(403);
    expect(await hist.text()).toMatch(/historical hit .* under a case/);

    const stale = await liveAlert(30);
    const old = await get(operator, `/api/alerts/${stale.id}/image`);
    expect(old.status).toBe(403);
    expect(await old.text()).toMatch(/raised more than 24 h ago/);

    // Closed two days ago: history. The same alert closed an hour ago may still be looked at.
    const closed = await liveAlert(20);
    const dispose = (hoursAgo: number, seq: number) =>
      appendEvent(store.client, closed.id, {
        seq,
        at: new Date(Date.now() - hoursAgo * HOUR).toISOString(),
        actor: 'op',
        action: seq === 1 ? 'acknowledge' : 'dispose',
        data: seq === 1 ? {} : { disposition: 'no_action', note: 'gone' },
      });
    await dispose(19, 1);
    await dispose(1, 2);
    expect((await get(operator, `/api/alerts/${closed.id}/image`)).status).toBe(200);
    const closedLongAgo = await liveAlert(26);
    await appendEvent(store.client, closedLongAgo.id, {
      seq: 1,
      at: new Date(Date.now() - 25.5 * HOUR).toISOString(),
      actor: 'op',
      action: 'acknowledge',
      data: {},
    });
    await appendEvent(store.client, closedLongAgo.id, {
      seq: 2,
      at: new Date(Date.now() - 25 * HOUR).toISOString(),
      actor: 'op',
      action: 'dispose',
      data: { disposition: 'no_action', note: 'gone' },
    });
    const history = await get(operator, `/api/alerts/${closedLongAgo.id}/image`);
    expect(history.status).toBe(403);
    expect(await history.text()).toMatch(/closed more than 24 h ago/);
    expect(evidenceRefusal({ alert: closedLongAgo, state: { ...INITIAL_STATE }, events: [] }, new Date())).toMatch(/raised more than 24 h/);

    // Unknown alerts are a 404, and each refusal is in the audit log with its reason.
    expect((await get(operator, `/api/alerts/${randomUUID()}/image`)).status).toBe(404);
    const denied = await t.access.audit.list({ action: 'alert.image', outcome: 'denied' });
    expect(denied.map((e) => e.detail)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/does not permit/),
        expect.stringMatching(/historical hit/),
        expect.stringMatching(/raised more than 24 h/),
      ]),
    );
  });

  it('refuses "characters match" until the enlarged plate image was served to that operator', async () => {
    const a = await liveAlert(0.1);
    expect((await act(operator, a.id, { action: 'acknowledge' })).status).toBe(200);
    // The thumbnail is not enough.
    expect((await get(operator, `/api/alerts/${a.id}/image`)).status).toBe(200);
    const early = await act(operator, a.id, { action: 'verify_read', correct: true });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ reason: 'plate_image_not_shown' });
    // Another operator's zoom does not count for this one.
    expect((await get(other, `/api/alerts/${a.id}/image?view=zoom`)).status).toBe(200);
    expect((await act(operator, a.id, { action: 'verify_read', correct: true })).status).toBe(409);
    expect((await get(operator, `/api/alerts/${a.id}/image?view=bigger`)).status).toBe(400);
    expect((await get(operator, `/api/alerts/${a.id}/image?view=zoom`)).status).toBe(200);
    const ok = await act(operator, a.id, { action: 'verify_read', correct: true });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { state: { readVerified: boolean } }).state.readVerified).toBe(true);
    const zoomed = await t.access.audit.list({ actor: 'op', action: 'alert.image' });
    expect(zoomed.some((e) => e.detail === 'plate image enlarged' && e.purpose === `alert verification ${a.id}`)).toBe(true);
  });

  it("serves the vehicle image where one was stored, and carries the record's vehicle description", async () => {
    const a = await liveAlert(0.1, { vehicle: true });
    const res = await get(operator, `/api/alerts/${a.id}/vehicle-image`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString('base64')).toBe(vehicleJpeg);
    const none = await liveAlert(0.1);
    expect((await get(operator, `/api/alerts/${none.id}/vehicle-image`)).status).toBe(404);
    expect(await getVehicleImage(store.client, none.read.id, 30)).toBeNull();
    const shown = (await (await get(operator, `/api/alerts/${a.id}`)).json()) as { alert: Alert };
    expect(shown.alert.record.vehicle).toEqual({ make: 'HOND', model: 'CIV', style: '4D', colour: 'BLU', year: '2019' });
    // Search results point at the vehicle image (under the case gate, like the plate image).
    const search = await get(
      investigator,
      `/api/reads?plate=${a.read.plate}&from=${new Date(Date.now() - HOUR).toISOString()}`,
      caseHeaders('CASE-E1'),
    );
    expect(search.status).toBe(200);
    const reads = ((await search.json()) as { reads: { id: string; vehicleImageUrl: string | null }[] }).reads;
    expect(reads.find((r) => r.id === a.read.id)?.vehicleImageUrl).toBe(`/api/reads/${a.read.id}/vehicle-image`);
    expect(reads.find((r) => r.id === none.read.id)?.vehicleImageUrl).toBeNull();
    expect((await get(investigator, `/api/reads/${a.read.id}/vehicle-image`)).status).toBe(403);
    expect((await get(investigator, `/api/reads/${a.read.id}/vehicle-image`, caseHeaders('CASE-E1'))).status).toBe(200);
  });
});
