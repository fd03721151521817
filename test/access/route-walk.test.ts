import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../access/auth.ts';
import { accessRules, PUBLIC_ROUTES } from '../../access/index.ts';
import { permissionsOf, ROLES, type Role } from '../../access/index.ts';
import { startTestStore } from '../helpers/store.ts';
import { addCase, addUser, buildApp, caseHeaders, signIn, type Signed, type TestApp } from './helpers.ts';

/**
 * Walks EVERY route the app serves, with no session and with each role: no route under /api
 * may answer without a session unless it is on the public list, every other one must have an
 * access rule, and a role lacking the rule's permission must be refused.
 */
let store: Awaited<ReturnType<typeof startTestStore>>;
let t: TestApp;
const signed = new Map<Role, Signed | { headers: (extra?: Record<string, string>) => Record<string, string> }>();
const SERVICE_TOKEN = `alpr_${'s'.repeat(43)}`;

beforeAll(async () => {
  store = await startTestStore();
  t = buildApp(store.client);
  const now = t.clock.now();
  await addCase(store.client, now, 'WALK-1');
  // The target of the user-administration routes, so that the walk does not reset a walker.
  await addUser(store.client, now, { username: 'walk-target', roles: ['operator'] });
  for (const role of ROLES) {
    if (role === 'service') {
      await addUser(store.client, now, {
        username: 'walk-service',
        roles: ['service'],
        kind: 'service',
        tokenHash: hashToken(SERVICE_TOKEN),
      });
      signed.set(role, {
        headers: (extra = {}) => ({ authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json', ...extra }),
      });
    } else {
      signed.set(role, await signIn(t, await addUser(store.client, now, { username: `walk-${role}`, roles: [role] })));
    }
  }
});
afterAll(() => store.stop());

const routes = () => {
  const seen = new Set<string>();
  for (const r of t.app.routes) if (r.method !== 'ALL') seen.add(`${r.method} ${r.path}`);
  return [...seen].sort();
};
const apiRoutes = () => routes().filter((k) => k.split(' ')[1]!.startsWith('/api/'));
const concrete = (path: string) => path.replace(':id', '00000000-0000-4000-8000-000000000000').replace(':username', 'walk-target');

async function call(key: string, headers: Record<string, string>) {
  const [method, path] = key.split(' ') as [string, string];
  return t.app.request(concrete(path), { method, headers, ...(method === 'GET' ? {} : { body: '{}' }) });
}

describe('every route of the app', () => {
  it('is either public (on the list) or has an access rule', () => {
    const api = apiRoutes();
    expect(api.length).toBeGreaterThan(30);
    const unruled = api.filter((k) => !PUBLIC_ROUTES.has(k) && !accessRules[k]);
    expect(unruled).toEqual([]);
    // Every public route exists, and none of them is a data route.
    for (const k of PUBLIC_ROUTES) expect(api).toContain(k);
    for (const k of PUBLIC_ROUTES) expect(accessRules[k]).toBeUndefined();
    // Outside /api only the dashboard's static files, read-only.
    for (const k of routes().filter((x) => !api.includes(x))) expect(k).toMatch(/^GET /);
  });

  it('describes every route it serves to anyone, in its OpenAPI document', async () => {
    expect(PUBLIC_ROUTES.has('GET /api/openapi.json')).toBe(true);
    const res = await t.app.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    const described = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(described.sort()).toEqual(apiRoutes());
  });

  it('refuses every guarded route without a session, and with a forged one', async () => {
    for (const key of apiRoutes().filter((k) => !PUBLIC_ROUTES.has(k))) {
      const none = await call(key, { 'content-type': 'application/json', ...caseHeaders('WALK-1') });
      expect(none.status, key).toBe(401);
      const forged = await call(key, { cookie: `alpr_session=${'Q'.repeat(43)}`, 'content-type': 'application/json' });
      expect(forged.status, key).toBe(401);
      const badToken = await call(key, { authorization: `Bearer alpr_${'x'.repeat(43)}` });
      expect(badToken.status, key).toBe(401);
    }
  });

  it('refuses each role the routes its permissions do not cover, and admits it to the rest', async () => {
    const summary: Record<string, string[]> = {};
    for (const role of ROLES) {
      const perms = permissionsOf([role]);
      const s = signed.get(role)!;
      for (const key of apiRoutes().filter((k) => !PUBLIC_ROUTES.has(k))) {
        const rule = accessRules[key]!;
        const res = await call(key, s.headers(caseHeaders('WALK-1')));
        const text = await res.text();
        let error = '';
        try {
          error = String((JSON.parse(text) as { error?: unknown }).error ?? '');
        } catch {
          /* CSV, image or HTML: not a refusal */
        }
        expect(error, key).not.toMatch(/\bat .*\.ts:\d+|Error:/);
        if (rule.anyOf.some((p) => perms.has(p))) {
          expect(res.status, `${role} ${key}: ${error}`).not.toBe(401);
          expect(error, `${role} ${key}`).not.toMatch(/does not permit/);
          (summary[role] ??= []).push(key);
        } else {
          expect(res.status, `${role} ${key}`).toBe(403);
          expect(error, `${role} ${key}`).toMatch(/does not permit/);
        }
      }
    }
    // Sanity: the walk reached data routes with the roles meant to reach them, and only those.
    expect(summary.investigator).toContain('GET /api/reads');
    expect(summary.operator).toContain('GET /api/reads');
    expect(summary.auditor ?? []).not.toContain('GET /api/reads');
    expect(summary.admin ?? []).not.toContain('GET /api/reads');
    expect(summary.service ?? []).not.toContain('GET /api/reads/:id/image');
    expect(summary.auditor).toContain('GET /api/audit');
  });

  it('holds every case-gated route shut without a case, whatever the role', async () => {
    const gated = apiRoutes().filter((k) => accessRules[k]?.caseGate);
    expect(gated).toEqual(expect.arrayContaining(['GET /api/reads', 'GET /api/reads/:id/image', 'POST /api/disseminations']));
    for (const key of gated) {
      const res = await call(key, signed.get('investigator')!.headers());
      expect(res.status, key).toBe(403);
      expect(await res.text(), key).toMatch(/case number or case name/);
    }
  });

  it('records every refusal and every admitted access in the audit log', async () => {
    // Refusals without identity are summarised per address: the first in full, the rest counted
    // into one entry when the window ends (or at shutdown, as here).
    await t.access.noise.flush(true);
    const entries = await t.access.audit.list({ limit: 10_000 });
    const anonymous = entries.filter((e) => e.actor === 'anonymous' && e.outcome === 'denied');
    const refusals = anonymous.reduce(
      (n, e) => n + (e.action === 'anonymous.refused.summary' ? (JSON.parse(e.query) as { count: number }).count : 1),
      0,
    );
    expect(refusals).toBeGreaterThan(20);
    expect(anonymous.length).toBeLessThan(4);
    expect(
      entries.some((e) => e.actor === 'walk-investigator' && e.action === 'reads.search' && e.caseRef === 'WALK-1' && e.purpose !== null),
    ).toBe(true);
    expect((await t.access.audit.verify()).ok).toBe(true);
  });
});
