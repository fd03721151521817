import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../access/passwords.ts';
import { getUser, putUser } from '../../access/users.ts';
import { startTestStore } from '../helpers/store.ts';
import { addUser, buildApp, codeFor, fromAddress, PASSWORD, signIn, type TestApp } from './helpers.ts';

/**
 * Issue 30, points 8 and 9: credential routes are rate-limited by address and by account (429
 * with Retry-After, before any hash is computed); an address is throttled before its guesses
 * can lock someone's account; an account that exists answers exactly like one that does not,
 * locked or not; refusals without identity do not each write a permanent audit entry.
 */
let store: Awaited<ReturnType<typeof startTestStore>>;
let t: TestApp;

/** A clock that stands still unless moved, so that two lock times computed in turn are equal. */
function frozenClock() {
  let at = Date.now();
  return { now: () => new Date(at), advance: (ms: number) => void (at += ms) };
}

beforeAll(async () => {
  store = await startTestStore();
  t = buildApp(store.client, {}, frozenClock());
});
afterAll(() => store.stop());

const post = (app: TestApp, path: string, body: unknown, ip: string, headers: Record<string, string> = {}) =>
  app.app.request(
    path,
    { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) },
    fromAddress(ip),
  );
const login = (username: string, password: string, ip: string, code = '000000', app = t) =>
  post(app, '/api/auth/login', { username, password, code, bannerAccepted: true }, ip);

describe('rate limits of the credential routes', () => {
  it('throttles an address that keeps failing (429, Retry-After) before it can lock the account it guesses', async () => {
    const u = await addUser(store.client, t.clock.now(), { username: 'chief-admin', roles: ['admin'] });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await login(u.username, `guess-${i}`, '203.0.113.7')).status);
    expect(statuses).toEqual([401, 401, 401, 401, ...Array(8).fill(429)]);
    const refused = await login(u.username, 'guess', '203.0.113.7');
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    expect(await refused.json()).toEqual({ error: `too many attempts; try again in ${wait} s` });
    // The 429s were refused before the check: four failures counted, the account is not locked.
    const admin = await signIn(t, u);
    const detail = (await (await t.app.request('/api/users/chief-admin', { headers: admin.headers() })).json()) as {
      locked: boolean;
      failedAttempts: number;
    };
    expect(detail).toMatchObject({ locked: false, failedAttempts: 0 });
    expect((await t.access.audit.list({ actor: 'chief-admin' })).filter((e) => e.action === 'login.failure')).toHaveLength(4);
    // Once the window has passed, the address may try again.
    t.clock.advance(wait * 1000);
    expect((await login(u.username, 'guess again', '203.0.113.7')).status).toBe(401);
  });

  it('limits attempts naming one account, from any address', async () => {
    const u = await addUser(store.client, t.clock.now(), { username: 'popular', roles: ['operator'] });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await login(u.username, 'x', `198.51.100.${i}`)).status);
    expect(statuses.slice(-1)).toEqual([429]);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
  });

  it('never throttles a user for their own successful sign-ins', async () => {
    const u = await addUser(store.client, t.clock.now(), { username: 'shift-officer', roles: ['operator'] });
    // More sign-ins than the account budget within one window, each with the next unused code.
    for (let i = 0; i < 14; i++) {
      t.clock.advance(30_000);
      expect((await login(u.username, PASSWORD, `192.0.2.${100 + (i % 3)}`, codeFor(u.secret, t.clock.now()))).status).toBe(200);
    }
  });

  it('throttles the enrolment and setup links and the unlock by address as well', async () => {
    const ip = '203.0.113.20';
    const tries = [
      () => post(t, '/api/enrol/begin', { token: randomBytes(24).toString('base64url') }, ip),
      () => post(t, '/api/enrol/complete', { token: randomBytes(24).toString('base64url'), password: PASSWORD, code: '123456' }, ip),
      () => post(t, '/api/setup/begin', { token: randomBytes(24).toString('base64url') }, ip),
      () =>
        post(
          t,
          '/api/setup/complete',
          { token: randomBytes(24).toString('base64url'), username: 'x-admin', displayName: 'X', password: PASSWORD, code: '123456' },
          ip,
        ),
    ];
    const statuses = [];
    for (const attempt of tries) statuses.push((await attempt()).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
    for (const attempt of tries) {
      const res = await attempt();
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const u = await addUser(store.client, t.clock.now(), { username: 'unlocker', roles: ['operator'] });
    const s = await signIn(t, u);
    t.clock.advance(31 * 60_000);
    for (let i = 0; i < 4; i++)
      expect((await post(t, '/api/auth/unlock', { password: 'wrong', code: '000000' }, '203.0.113.21', s.headers())).status).toBe(401);
    expect(
      (await post(t, '/api/auth/unlock', { password: PASSWORD, code: codeFor(u.secret, t.clock.now()) }, '203.0.113.21', s.headers()))
        .status,
    ).toBe(429);
  });
});

describe('accounts cannot be told apart', () => {
  it('answers an unknown name exactly like a real one, through the lock and the account limit', async () => {
    const real = await addUser(store.client, t.clock.now(), { username: 'real-person', roles: ['operator'] });
    const answers = async (name: string, subnet: string) => {
      const out: string[] = [];
      for (let i = 0; i < 11; i++) {
        const res = await login(name, `guess-${i}`, `${subnet}.${i}`);
        out.push(`${res.status} ${await res.text()} ${res.headers.get('retry-after') ?? ''}`);
      }
      return out;
    };
    const forReal = await answers(real.username, '192.0.2');
    const forNobody = await answers('no-such-person', '198.18.0');
    expect(forNobody).toEqual(forReal);
    expect(forReal.map((a) => a.slice(0, 3))).toEqual(['401', '401', '401', '401', '423', '423', '423', '423', '423', '423', '429']);
    expect(forReal[4]).toMatch(/account locked after repeated failed sign-ins until/);
    // The real account, locked, refuses even its right password, in the same words.
    t.clock.advance(15 * 60_000);
    const right = await login(real.username, PASSWORD, '192.0.2.200', codeFor(real.secret, t.clock.now()));
    const wrong = await login('no-such-person', PASSWORD, '198.18.0.200', codeFor(real.secret, t.clock.now()));
    expect(right.status).toBe(423);
    expect(await right.text()).toEqual(await wrong.text());
  });

  it('spends a password hash on every answer: unknown, wrong password or locked', async () => {
    // A production-like cost, so that the hash dominates the time of an answer.
    const scrypt = { cost: 2 ** 14, blockSize: 8, parallelization: 1 };
    const slow = buildApp(store.client, { scrypt }, frozenClock());
    await addUser(store.client, slow.clock.now(), { username: 'timed-real', roles: ['operator'] });
    await addUser(store.client, slow.clock.now(), { username: 'timed-locked', roles: ['operator'] });
    const stored = await hashPassword(PASSWORD, scrypt);
    for (const name of ['timed-real', 'timed-locked'])
      await putUser(store.client, { ...(await getUser(store.client, name))!, passwordHash: stored }, slow.clock.now());
    for (let i = 0; i < 5; i++) await login('timed-locked', 'wrong', `100.64.0.${i}`, '000000', slow);

    const time = async (fn: () => unknown) => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await fn();
        best = Math.min(best, performance.now() - t0);
      }
      return best;
    };
    const hash = await time(() => verifyPassword('wrong', stored));
    let n = 0;
    const ip = () => `100.65.${n}.${n++}`;
    const unknown = await time(() => login('timed-nobody', 'wrong', ip(), '000000', slow));
    const wrong = await time(() => login('timed-real', 'wrong', ip(), '000000', slow));
    const locked = await time(() => login('timed-locked', 'wrong', ip(), '000000', slow));
    // Lower bounds only: load can slow an answer down, never speed it up.
    for (const ms of [unknown, wrong, locked]) expect(ms).toBeGreaterThan(hash * 0.7);
  });
});

describe('audit of refused requests without identity', () => {
  it('summarises sixty anonymous refusals from one address, and still records each access of a principal', async () => {
    const ip = '192.0.2.77';
    for (let i = 0; i < 60; i++) expect((await t.app.request('/api/cases', {}, fromAddress(ip))).status).toBe(401);
    const fromIp = async () => (await t.access.audit.list({ limit: 10_000 })).filter((e) => e.ip === ip);
    expect((await fromIp()).map((e) => `${e.actor} ${e.action} ${e.outcome}`)).toEqual(['anonymous cases.list denied']);
    // The next refusal after the window writes the summary, then opens a new window.
    t.clock.advance(15 * 60_000);
    expect((await t.app.request('/api/cases', {}, fromAddress(ip))).status).toBe(401);
    const rows = await fromIp();
    expect(rows.map((e) => e.action)).toEqual(['cases.list', 'anonymous.refused.summary', 'cases.list']);
    expect(JSON.parse(rows[1]!.query)).toMatchObject({ count: 59, actions: { 'cases.list': 59 } });

    const op = await signIn(t, await addUser(store.client, t.clock.now(), { username: 'nosy-operator', roles: ['operator'] }));
    for (let i = 0; i < 3; i++) expect((await t.app.request('/api/users', { headers: op.headers() })).status).toBe(403);
    expect((await t.access.audit.list({ actor: 'nosy-operator' })).filter((e) => e.outcome === 'denied')).toHaveLength(3);
  });

  it('records each failed sign-in, and summarises the throttled ones', async () => {
    const ip = '192.0.2.78';
    for (let i = 0; i < 14; i++) await login(`sprayed-${i}`, 'x', ip);
    await t.access.noise.flush(true);
    const rows = (await t.access.audit.list({ limit: 10_000 })).filter((e) => e.ip === ip);
    expect(rows.filter((e) => e.action === 'login.failure')).toHaveLength(4);
    expect(rows.filter((e) => e.action === 'login.throttled')).toHaveLength(1);
    const summary = rows.find((e) => e.action === 'anonymous.refused.summary');
    expect(JSON.parse(summary!.query)).toMatchObject({ count: 9, actions: { 'login.throttled': 9 } });
  });
});
