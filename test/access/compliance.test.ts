import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plateReadSchema, silentLogger } from '../../contracts/index.ts';
import { createDeploymentGate } from '../../access/index.ts';
import { insertReads } from '../../store/index.ts';
import { startTestStore } from '../helpers/store.ts';
import { makeRead } from '../helpers/reads.ts';
import { addCase, addUser, buildApp, caseHeaders, signIn, type Signed, type TestApp } from './helpers.ts';

let store: Awaited<ReturnType<typeof startTestStore>>;
let t: TestApp;
let admin: Signed;
let inv: Signed;
let auditor: Signed;

beforeAll(async () => {
  store = await startTestStore();
  t = buildApp(store.client);
  const now = t.clock.now();
  admin = await signIn(t, await addUser(store.client, now, { username: 'chief', roles: ['admin'] }));
  inv = await signIn(t, await addUser(store.client, now, { username: 'det', roles: ['investigator'] }));
  auditor = await signIn(t, await addUser(store.client, now, { username: 'aud', roles: ['auditor'] }));
});
afterAll(() => store.stop());

const post = (s: Signed, path: string, body: unknown, extra: Record<string, string> = {}) =>
  t.app.request(path, { method: 'POST', headers: s.headers(extra), body: JSON.stringify(body) });
const get = (s: Signed, path: string, extra: Record<string, string> = {}) => t.app.request(path, { headers: s.headers(extra) });

const deployment = {
  id: 'DEP-2025-001',
  cameraId: 'cam-1',
  mode: 'fixed',
  location: { lat: 30.44, lon: -84.28, description: 'US-27 at Capital Circle' },
  publicViewAttested: true,
  purpose: 'stolen vehicle recovery on a state highway',
};

describe('deployment authorisations', () => {
  it('needs the public-view attestation and keeps changes and the rescission as history', async () => {
    const noAttest = await post(admin, '/api/deployments', { ...deployment, publicViewAttested: false });
    expect(noAttest.status).toBe(400);
    expect(await noAttest.text()).toMatch(/public view/);
    expect((await post(admin, '/api/deployments', deployment)).status).toBe(201);
    expect((await post(admin, '/api/deployments', deployment)).status).toBe(409);
    expect(
      (await post(admin, `/api/deployments/${deployment.id}/change`, { purpose: 'stolen vehicles and AMBER alerts', reason: 'AMBER plan' }))
        .status,
    ).toBe(200);
    expect(
      (await post(inv, `/api/deployments/${deployment.id}/events`, { kind: 'exception', note: 'camera dark 02:00-03:10, power' })).status,
    ).toBe(201);
    expect((await post(inv, `/api/deployments/${deployment.id}/rescind`, { reason: 'x' })).status).toBe(403);

    const gate = createDeploymentGate({ client: store.client, cameras: [], logger: silentLogger, enforce: true, clock: t.clock.now });
    const at = t.clock.now().toISOString();
    expect(await gate.admit({ cameraId: 'cam-1', capturedAt: at })).toBeNull();
    expect(await gate.admit({ cameraId: 'cam-9', capturedAt: at })).toMatch(/no active deployment authorisation/);

    expect((await post(admin, `/api/deployments/${deployment.id}/rescind`, { reason: 'camera moved' })).status).toBe(200);
    await gate.invalidate();
    expect(await gate.admit({ cameraId: 'cam-1', capturedAt: at })).toMatch(/no active deployment authorisation/);
    expect((await gate.status()).find((s) => s.cameraId === 'cam-1')).toMatchObject({ authorised: false, refused: 1 });

    const detail = (await (await get(auditor, `/api/deployments/${deployment.id}`)).json()) as {
      history: { status: string; change: string; authorizedBy: string }[];
      events: { kind: string }[];
    };
    expect(detail.history.map((h) => h.change)).toEqual(['authorised', 'changed: AMBER plan', 'rescinded: camera moved']);
    expect(detail.history.every((h) => h.authorizedBy === 'chief')).toBe(true);
    expect(detail.events.map((e) => e.kind)).toEqual(['exception']);
  });

  it('holds a configured camera to its configured reference', async () => {
    expect((await post(admin, '/api/deployments', { ...deployment, id: 'DEP-2025-002', cameraId: 'cam-2' })).status).toBe(201);
    const gate = createDeploymentGate({
      client: store.client,
      cameras: [{ id: 'cam-2', deploymentRef: 'DEP-OTHER' } as never],
      logger: silentLogger,
      enforce: true,
      clock: t.clock.now,
    });
    expect(await gate.admit({ cameraId: 'cam-2', capturedAt: t.clock.now().toISOString() })).toMatch(/configured reference DEP-OTHER/);
  });
});

describe('dissemination', () => {
  beforeAll(async () => {
    const now = t.clock.now();
    await addCase(store.client, now, 'CASE-SHARE', { activeIntel: false });
    await addCase(store.client, now, 'INTEL-1', { activeIntel: true, plates: ['SECRET1'] });
    await insertReads(store.client, [
      plateReadSchema.parse(makeRead({ plate: 'SHARE1', capturedAt: new Date(Date.now() - 7_200_000).toISOString() })),
      plateReadSchema.parse(makeRead({ plate: 'SECRET1', capturedAt: new Date(Date.now() - 7_200_000).toISOString() })),
    ]);
  });

  it('exports to another agency with the statutory notice and records the release', async () => {
    const body = {
      recipientAgency: 'Leon County Sheriff',
      recipientPerson: 'Det. R. Vance',
      authority: 'standing order 2025-04',
      plate: 'SHARE1',
    };
    expect((await post(inv, '/api/disseminations', body)).status).toBe(403); // no case
    const res = await post(inv, '/api/disseminations', body, caseHeaders('CASE-SHARE', 'joint burglary investigation'));
    expect(res.status).toBe(201);
    const pkg = (await res.json()) as { notice: string; reads: { plate: string }[]; dissemination: { id: string } };
    expect(pkg.notice).toMatch(/316\.0777/);
    expect(pkg.notice).toMatch(/316\.0778/);
    expect(pkg.reads.map((r) => r.plate)).toEqual(['SHARE1']);
    const log = (await (await get(auditor, '/api/disseminations')).json()) as { disseminations: Record<string, unknown>[] };
    expect(log.disseminations).toEqual([
      expect.objectContaining({
        id: pkg.dissemination.id,
        kind: 'agency',
        outcome: 'sent',
        recipientAgency: 'Leon County Sheriff',
        recipientPerson: 'Det. R. Vance',
        caseRef: 'CASE-SHARE',
        purpose: 'joint burglary investigation',
        plate: 'SHARE1',
        sentBy: 'det',
        readIds: [expect.any(String)],
      }),
    ]);
  });

  it('refuses (and records) a registered owner request while the plate is active intelligence', async () => {
    const refused = await post(
      inv,
      '/api/disseminations/owner-request',
      { requestRef: 'PRR 2025-0118', ownershipVerifiedBy: 'registration shown at front desk', plate: 'SECRET1' },
      caseHeaders('CASE-SHARE', 'public records request 25-118'),
    );
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/active criminal intelligence/);
    const sent = await post(
      inv,
      '/api/disseminations/owner-request',
      { requestRef: 'PRR 2025-0118', ownershipVerifiedBy: 'registration shown at front desk', plate: 'SHARE1' },
      caseHeaders('CASE-SHARE', 'public records request 25-119'),
    );
    expect(sent.status).toBe(201);
    // Closing the intelligence case releases the data to its owner.
    expect(
      (await post(inv, '/api/cases/update', { caseRef: 'INTEL-1', activeIntel: false, reason: 'investigation concluded' })).status,
    ).toBe(200);
    expect(
      (
        await post(
          inv,
          '/api/disseminations/owner-request',
          { requestRef: 'PRR 2025-0118', ownershipVerifiedBy: 'registration shown', plate: 'SECRET1' },
          caseHeaders('CASE-SHARE', 'public records request 25-120'),
        )
      ).status,
    ).toBe(201);
    const log = (await (await get(auditor, '/api/disseminations')).json()) as { disseminations: { kind: string; outcome: string }[] };
    expect(log.disseminations.filter((d) => d.kind === 'owner').map((d) => d.outcome)).toEqual(['refused', 'sent', 'sent']);
  });
});

describe('enforcement', () => {
  it('records non-compliance, suspends when that is the action, and never removes the last administrator', async () => {
    await addUser(store.client, t.clock.now(), { username: 'rogue', roles: ['analyst'] });
    const res = await post(admin, '/api/users/rogue/noncompliance', {
      finding: 'searched an ex-partner plate under an unrelated case',
      action: 'suspension',
    });
    expect(res.status).toBe(201);
    const detail = (await (await get(admin, '/api/users/rogue')).json()) as {
      user: { status: string };
      noncompliance: { action: string; recordedBy: string }[];
      history: { change: string }[];
    };
    expect(detail.user.status).toBe('suspended');
    expect(detail.noncompliance).toEqual([expect.objectContaining({ action: 'suspension', recordedBy: 'chief' })]);
    expect(detail.history.at(-1)!.change).toMatch(/^suspended: non-compliance/);
    expect((await t.access.audit.list({ actor: 'chief', action: 'noncompliance.record' })).map((e) => e.outcome)).toEqual(['ok']);

    const self = await post(admin, '/api/users/chief/suspend', { reason: 'test' });
    expect(self.status).toBe(409);
    expect(await self.text()).toMatch(/no active administrator/);
  });

  it('refuses hostile fields in administration requests with a 400', async () => {
    const bad = [
      { username: '../etc/passwd', displayName: 'x', roles: ['operator'] },
      { username: 'ok-name', displayName: '<script>alert(1)</script>', roles: ['operator'] },
      { username: 'ok-name', displayName: 'x', roles: ['root'] },
      { username: 'ok-name', displayName: 'x', roles: ['auditor', 'admin'] },
      { username: 'ok-name', displayName: 'x', roles: ['operator'], __proto__x: 1 },
      { username: "o'; DROP TABLE users; --", displayName: 'x', roles: ['operator'] },
    ];
    for (const body of bad) {
      const res = await post(admin, '/api/users', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.text()).not.toMatch(/\.ts:\d+/);
    }
    expect((await post(admin, '/api/users/nobody-such/suspend', { reason: 'x' })).status).toBe(404);
  });
});

describe('reports', () => {
  it('produce the annual evaluation from hourly counts that outlive the purge', async () => {
    const res = await get(auditor, '/api/reports/evaluation');
    expect(res.status).toBe(200);
    const r = (await res.json()) as {
      reads: number;
      cameras: { cameraId: string; reads: number; hoursWithReads: number }[];
      deployments: { id: string; exceptions: number }[];
      disseminations: { sent: number; refused: number };
    };
    expect(r.reads).toBe(2);
    expect(r.cameras).toEqual([expect.objectContaining({ cameraId: 'cam-1', reads: 2, hoursWithReads: 1 })]);
    expect(r.deployments.find((d) => d.id === 'DEP-2025-001')).toMatchObject({ exceptions: 1 });
    expect(r.disseminations).toEqual({ sent: 3, refused: 1 });
    const html = await get(auditor, '/api/reports/evaluation?format=html');
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    const page = await html.text();
    expect(page).toMatch(/Annual evaluation of the automated license plate reader system/);
    expect(page).toContain('Unnamed agency');
    expect(page).not.toMatch(/hitRate|uptimeShare/);
  });

  it('produce the audit report by user and by case', async () => {
    const r = (await (await get(auditor, '/api/reports/audit')).json()) as {
      byUser: Record<string, { dataAccesses: number }>;
      byCase: Record<string, { users: string[] }>;
      chain: { ok: boolean };
    };
    expect(r.byUser.det!.dataAccesses).toBe(3);
    expect(r.byCase['CASE-SHARE']!.users).toEqual(['det']);
    expect(r.chain.ok).toBe(true);
  });
});
