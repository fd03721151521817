import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plateReadSchema } from '../../contracts/index.ts';
import { insertReads } from '../../store/index.ts';
import { startTestStore } from '../helpers/store.ts';
import { makeRead } from '../helpers/reads.ts';
import { addCase, addUser, buildApp, caseHeaders, signIn, type Signed, type TestApp } from './helpers.ts';

let store: Awaited<ReturnType<typeof startTestStore>>;
let t: TestApp;
let inv: Signed;
let op: Signed;
let auditor: Signed;
const readId = '11111111-1111-4111-8111-111111111111';

beforeAll(async () => {
  store = await startTestStore();
  t = buildApp(store.client);
  const now = t.clock.now();
  await addCase(store.client, now, '24-0031 Robbery');
  await addCase(store.client, now, 'OLD-7', { status: 'closed' });
  await insertReads(store.client, [
    plateReadSchema.parse(makeRead({ id: readId, plate: 'GATE123', capturedAt: new Date(Date.now() - 3_600_000).toISOString() })),
  ]);
  inv = await signIn(t, await addUser(store.client, now, { username: 'inv', roles: ['investigator'] }));
  op = await signIn(t, await addUser(store.client, now, { username: 'op', roles: ['operator'] }));
  auditor = await signIn(t, await addUser(store.client, now, { username: 'aud', roles: ['auditor'] }));
});
afterAll(() => store.stop());

const search = (s: Signed, query: string, headers: Record<string, string> = {}) =>
  t.app.request(`/api/reads?${query}`, { headers: s.headers(headers) });
const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

describe('case gate', () => {
  it('refuses a search without a case, with an unknown or closed case, or without a purpose', async () => {
    expect(await errorOf(await search(inv, 'plate=GATE123'))).toMatch(/case number or case name .* and a purpose/);
    expect(await errorOf(await search(inv, 'plate=GATE123', caseHeaders('NOPE-1')))).toMatch(/not in the case registry/);
    expect(await errorOf(await search(inv, 'plate=GATE123', caseHeaders('OLD-7')))).toMatch(/is closed/);
    expect(await errorOf(await search(inv, 'plate=GATE123', { 'x-alpr-case': '24-0031 Robbery', 'x-alpr-purpose': 'x' }))).toMatch(
      /purpose/,
    );
    const hostile = await search(inv, 'plate=GATE123', caseHeaders("x'; DROP TABLE reads; --"));
    expect(hostile.status).toBe(403);
    expect(await errorOf(hostile)).toMatch(/x-alpr-case/);
  });

  it('admits a search under an open case (matched regardless of letter case) and audits who, what, why and the outcome', async () => {
    const res = await search(inv, 'plate=GATE123', caseHeaders('24-0031 robbery', 'locate suspect vehicle'));
    expect(res.status).toBe(200);
    const { reads } = (await res.json()) as { reads: { id: string }[] };
    expect(reads.map((r) => r.id)).toEqual([readId]);
    const entry = (await t.access.audit.list({ actor: 'inv', action: 'reads.search', outcome: 'ok' })).at(-1)!;
    expect(entry.caseRef).toBe('24-0031 Robbery');
    expect(entry.purpose).toBe('locate suspect vehicle');
    expect(JSON.parse(entry.query)).toMatchObject({ method: 'GET', path: '/api/reads', params: { plate: 'GATE123' } });
    const refused = await t.access.audit.list({ actor: 'inv', action: 'reads.search', outcome: 'denied' });
    expect(refused.map((e) => e.detail)).toEqual(expect.arrayContaining([expect.stringMatching(/is closed/)]));
  });

  it('keeps operators to the tactical window', async () => {
    expect(await errorOf(await search(op, 'plate=GATE123', caseHeaders('24-0031 Robbery')))).toMatch(/last 30 days/);
    const old = new Date(t.clock.now().getTime() - 40 * 86_400_000).toISOString();
    expect((await search(op, `plate=GATE123&from=${encodeURIComponent(old)}`, caseHeaders('24-0031 Robbery'))).status).toBe(403);
    const recent = new Date(t.clock.now().getTime() - 2 * 86_400_000).toISOString();
    const ok = await search(op, `plate=GATE123&from=${encodeURIComponent(recent)}`, caseHeaders('24-0031 Robbery'));
    expect(ok.status).toBe(200);
  });

  it('audits image views under their case', async () => {
    const res = await t.app.request(`/api/reads/${readId}/image`, { headers: inv.headers(caseHeaders('24-0031 Robbery')) });
    expect(res.status).toBe(404); // the read has no crop; the view is still recorded
    expect((await t.access.audit.list({ actor: 'inv', action: 'image.view' })).at(-1)).toMatchObject({
      caseRef: '24-0031 Robbery',
      target: `/api/reads/${readId}/image`,
    });
  });
});

describe('training', () => {
  it('blocks data access with a clear message once training has lapsed, but not the session itself', async () => {
    const yesterday = new Date(t.clock.now().getTime() - 86_400_000).toISOString().slice(0, 10);
    const lapsed = await signIn(
      t,
      await addUser(store.client, t.clock.now(), { username: 'lapsed', roles: ['investigator'], trainingExpires: yesterday }),
    );
    const res = await search(lapsed, 'plate=GATE123', caseHeaders('24-0031 Robbery'));
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toBe(
      `data access blocked: training expired on ${yesterday}; see the ALPR administrator to record current training`,
    );
    const session = (await (await t.app.request('/api/auth/session', { headers: lapsed.headers() })).json()) as {
      training: { current: boolean };
    };
    expect(session.training.current).toBe(false);
    const untrained = await signIn(
      t,
      await addUser(store.client, t.clock.now(), { username: 'untrained', roles: ['auditor'], trained: false }),
    );
    expect(await errorOf(await t.app.request('/api/audit', { headers: untrained.headers() }))).toMatch(/no training on record/);
  });
});

describe('audit log', () => {
  it('records views of the audit log itself', async () => {
    expect((await t.app.request('/api/audit?actor=inv', { headers: auditor.headers() })).status).toBe(200);
    expect((await t.access.audit.list({ actor: 'aud', action: 'audit.view' })).length).toBe(1);
  });

  it('refuses data access when the audit log cannot be written, and reveals nothing', async () => {
    await store.client.command({ query: 'RENAME TABLE audit_log TO audit_log_away' });
    try {
      const res = await search(inv, 'plate=GATE123', caseHeaders('24-0031 Robbery'));
      expect(res.status).toBe(503);
      expect(await res.text()).not.toMatch(/GATE123/);
    } finally {
      await store.client.command({ query: 'RENAME TABLE audit_log_away TO audit_log' });
    }
  });

  it('escapes hostile text in the printable report', async () => {
    await t.app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: '<img src=x onerror=alert(1)>', password: 'x', code: '1', bannerAccepted: true }),
    });
    const res = await t.app.request('/api/reports/audit?format=html', { headers: auditor.headers() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await res.text();
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).not.toContain('<img');
  });

  it('verifies intact, and names the first entry removed or altered', async () => {
    const ok = await t.access.audit.verify();
    expect(ok).toMatchObject({ ok: true, firstBreak: null });
    expect(ok.entries).toBeGreaterThan(10);

    const [five] = await t.access.audit.list({ afterSeq: 4, limit: 1 });
    await store.client.command({ query: 'DELETE FROM audit_log WHERE seq = 5' });
    expect((await t.access.audit.verify()).firstBreak).toEqual({ seq: 5, reason: 'entries 5..5 are missing' });
    // Put it back as it was: the chain is whole again.
    await store.client.insert({
      table: 'audit_log',
      format: 'JSONEachRow',
      values: [
        {
          seq: five!.seq,
          at: five!.atMs,
          actor: five!.actor,
          action: five!.action,
          target: five!.target,
          query: five!.query,
          case_ref: five!.caseRef,
          purpose: five!.purpose,
          outcome: five!.outcome,
          detail: five!.detail,
          ip: five!.ip,
          prev_hash: five!.prevHash,
          hash: five!.hash,
        },
      ],
    });
    expect((await t.access.audit.verify()).ok).toBe(true);

    await store.client.command({ query: "ALTER TABLE audit_log UPDATE actor = 'someone-else' WHERE seq = 3 SETTINGS mutations_sync = 1" });
    const broken = await t.access.audit.verify();
    expect(broken.ok).toBe(false);
    expect(broken.firstBreak).toMatchObject({ seq: 3, reason: expect.stringMatching(/altered/) });
    const viaApi = (await (await t.app.request('/api/audit/verify', { headers: auditor.headers() })).json()) as {
      firstBreak: { seq: number };
    };
    expect(viaApi.firstBreak.seq).toBe(3);
  });
});
