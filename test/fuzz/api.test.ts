import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_ROUTES } from '../../access/index.ts';
import type { Role } from '../../access/index.ts';
import { startTestStore } from '../helpers/store.ts';
import { addCase, addUser, buildApp, caseHeaders, signIn, type Signed, type TestApp } from '../access/helpers.ts';
import { FUZZ_SEED, fuzzIterations, Rng } from './prng.ts';

/**
 * Fuzzing every API route's parameters: path ids, query strings, JSON bodies, headers. A hostile
 * or broken request is answered with a 4xx (a 400 that lists its problems, a 401/403/404), never
 * a 500 and never a stack trace, for each role that can reach the route; and the store still
 * answers afterwards with its audit chain intact. Every value is bound as a query parameter, so
 * the SQL-looking values must come back as plain "no match" or a validation problem.
 */
let store: Awaited<ReturnType<typeof startTestStore>>;
let t: TestApp;
const sessions = new Map<Role | 'anonymous', Signed | null>();
const ROLES_TRIED: Role[] = ['admin', 'investigator', 'auditor', 'operator'];

beforeAll(async () => {
  store = await startTestStore();
  t = buildApp(store.client);
  const now = t.clock.now();
  await addCase(store.client, now, 'FUZZ-1');
  await addUser(store.client, now, { username: 'fuzz-target', roles: ['operator'] });
  sessions.set('anonymous', null);
  for (const role of ROLES_TRIED)
    sessions.set(role, await signIn(t, await addUser(store.client, now, { username: `fuzz-${role}`, roles: [role] })));
});
afterAll(() => store?.stop());

const PARAMS = [
  'plate',
  'pattern',
  'fuzzy',
  'maxEdits',
  'candidates',
  'from',
  'to',
  'camera',
  'state',
  'bbox',
  'near',
  'order',
  'limit',
  'offset',
  'caseRef',
  'range',
  'cursor',
  'username',
  'action',
  'outcome',
  'year',
  'source',
  'status',
  'id',
  'q',
];
const SQLISH = ["' OR 1=1 --", "'); DROP TABLE reads; --", '{id:UUID}', '\\', '%', '_', 'ABC*', '*', '?', '1 UNION SELECT 1'];

function value(rng: Rng): string {
  return rng.pick<() => string>([
    () => rng.nastyString(),
    () => rng.pick(SQLISH),
    () => String(rng.pick([-1, 0, 1, 2 ** 31, 2 ** 63, 1e21, -1e-7, NaN, Infinity])),
    () => rng.pick(['2026-01-01T00:00:00Z', '2026-13-45T99:99:99Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-01-01']),
    () => rng.pick(['1,2,3,4', '-91,0,91,0', '30.4,-84.3,50', 'NaN,NaN,NaN', ',,,', '1,2,3,4,5']),
    () => 'A'.repeat(rng.int(0, 5000)),
    () => rng.pick(['true', 'false', 'asc', 'desc', '1h', '1y', '0', '1']),
  ])();
}

/** encodeURIComponent refuses lone surrogates; a client could not send one either. */
const enc = (v: string) => encodeURIComponent(v.replace(/\p{Cs}/gu, '\ufffd'));

function query(rng: Rng): string {
  const parts: string[] = [];
  for (let k = rng.int(0, 5); k > 0; k--) {
    const name = rng.chance(0.9) ? rng.pick(PARAMS) : rng.nastyString();
    parts.push(`${enc(name)}=${rng.chance(0.9) ? enc(value(rng)) : rng.pick(['%', '%zz', '%00', '%ff'])}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function body(rng: Rng): string {
  const json = (): unknown => {
    const obj: Record<string, unknown> = {};
    for (let k = rng.int(0, 6); k > 0; k--) {
      const key = rng.pick([
        ...PARAMS,
        'readIds',
        'roles',
        'password',
        'code',
        'token',
        'cameraId',
        'validFrom',
        'location',
        'course',
        'expiresOn',
        '__proto__',
        'constructor',
      ]);
      obj[key] = rng.pick<unknown>([
        value(rng),
        Number(value(rng)),
        null,
        true,
        [],
        [value(rng)],
        { x: value(rng) },
        ['00000000-0000-4000-8000-000000000000'],
        Array(50).fill('x'),
      ]);
    }
    return obj;
  };
  return rng.pick<() => string>([
    () => JSON.stringify(json()),
    () => JSON.stringify(rng.pick<unknown>([null, 1, 'x', [], [json()]])),
    () => JSON.stringify(json()).slice(0, rng.int(0, 20)), // truncated
    () => rng.nastyString(),
    () => '{"a":' + '['.repeat(rng.int(100, 5000)), // deep nesting
    () => '',
  ])();
}

function concrete(rng: Rng, path: string): string {
  return path
    .replace(':id', () => enc(rng.pick(['00000000-0000-4000-8000-000000000000', 'not-a-uuid', value(rng), 'FUZZ-1'])))
    .replace(':username', () => enc(rng.pick(['fuzz-target', 'nobody', value(rng)])));
}

describe(`API parameters under fuzzing (seed ${FUZZ_SEED})`, () => {
  it('answers every route, for every role, with a 4xx or a success: never a 500 or a stack trace', async () => {
    const routes = [
      ...new Set(t.app.routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`)),
    ].sort();
    expect(routes.length).toBeGreaterThan(30);
    const rng = new Rng(FUZZ_SEED * 977);
    const statuses = new Map<number, number>();
    // Routes that change the walkers themselves would sign them out of the walk.
    const skip = new Set(['POST /api/auth/logout', 'POST /api/auth/password']);
    for (let round = 0; round < fuzzIterations(4); round++) {
      for (const key of routes) {
        if (skip.has(key)) continue;
        const [method, path] = key.split(' ') as [string, string];
        for (const [who, s] of sessions) {
          if (who === 'anonymous' && !PUBLIC_ROUTES.has(key)) continue;
          const url = concrete(rng, path) + query(rng);
          const headers: Record<string, string> = {
            ...(s ? s.headers(caseHeaders('FUZZ-1')) : {}),
            'content-type': rng.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']),
          };
          if (rng.chance(0.2)) headers['x-alpr-case'] = value(rng).replace(/[^\x20-\x7e]/g, '');
          if (rng.chance(0.1)) headers['x-alpr-purpose'] = value(rng).replace(/[^\x20-\x7e]/g, '');
          const sent = method === 'GET' ? undefined : body(rng);
          const res = await t.app.request(url, { method, headers, ...(sent === undefined ? {} : { body: sent }) });
          const text = await res.text();
          const what = `${who} ${method} ${url} [${headers['content-type']}] ${JSON.stringify(sent?.slice(0, 300))} -> ${res.status}: ${text.slice(0, 300)}`;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status, what).toBeLessThan(500);
          expect(text, what).not.toMatch(/\bat [^\n]*\.ts:\d+|\n\s+at /);
          if (res.status === 400) expect(text, what).toMatch(/"error"/);
        }
      }
    }
    // Both kinds of answer came: the fuzzer reached route logic, not only the guard.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(50);
    expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
  });

  it('leaves the store answering and the audit chain intact', async () => {
    const rs = await store.client.query({ query: 'SELECT count() AS n FROM reads', format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: string | number }>())[0]!.n)).toBe(0);
    expect((await t.access.audit.verify()).ok).toBe(true);
  });
});
