import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertHub } from '../../alerts/index.ts';
import { alertRoutes, alertRules } from '../../alerts/index.ts';
import type { AlertService } from '../../alerts/index.ts';
import { silentLogger } from '../../contracts/index.ts';
import { stepOf, totpAt } from '../../access/totp.ts';
import { getUser, putUser } from '../../access/users.ts';
import { startTestStore } from '../helpers/store.ts';
import {
  addUser,
  buildApp,
  codeFor,
  fromAddress,
  PASSWORD,
  signIn,
  testClock,
  workstation,
  type Signed,
  type TestApp,
  type TestUser,
} from './helpers.ts';

/**
 * Issue 30, points 3-5: a session ends everywhere (the live alert stream included), a password
 * change is a credential check like sign-in, and an authenticator code is spent once per user
 * whichever route it was used on, across a restart too.
 */
let store: Awaited<ReturnType<typeof startTestStore>>;
let t: TestApp;
// The alert stream reads its notices from the hub; the rest of the alert service (NATS, the
// store writer) plays no part in whether a session may still receive them.
const hub = new AlertHub();
const build = (clock = testClock()) =>
  buildApp(store.client, {}, clock, {
    rules: alertRules,
    dataRoutes: [alertRoutes({ client: store.client, alerts: { hub } as unknown as AlertService, logger: silentLogger })],
  });

beforeAll(async () => {
  store = await startTestStore();
  t = build();
});
afterAll(() => store.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = {}, ip = '10.200.0.1') =>
  t.app.request(
    path,
    { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) },
    fromAddress(ip),
  );

function raise(): string {
  const id = randomUUID();
  hub.raised({ id, plate: 'ABC1234' } as never);
  return id;
}

/** An open alert stream of a session: what it has delivered so far, and whether it has ended. */
async function openStream(s: Signed) {
  const res = await t.app.request('/api/alerts/stream', { headers: { cookie: s.cookie } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  const st = { text: '', done: false };
  const pump = (async () => {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      st.text += dec.decode(r.value);
    }
    st.done = true;
  })();
  const until = async (what: () => boolean, ms = 3000) => {
    const end = Date.now() + ms;
    while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    return what();
  };
  expect(await until(() => st.text.includes('event: ready'))).toBe(true);
  return {
    state: st,
    until,
    /** Waits for the stream to end; true when it did. */
    ended: () => until(() => st.done),
    close: async () => {
      await reader.cancel().catch(() => {});
      await pump.catch(() => {});
    },
  };
}

async function signedStream(name: string, roles: TestUser['roles'] = ['operator']) {
  const u = await addUser(store.client, t.clock.now(), { username: name, roles });
  const s = await signIn(t, u);
  const stream = await openStream(s);
  const first = raise();
  expect(await stream.until(() => stream.state.text.includes(first))).toBe(true);
  return { u, s, stream };
}

describe('the live alert stream ends with its session', () => {
  it('on sign-out: the stream closes and delivers nothing after it', async () => {
    const { s, stream } = await signedStream('sse-logout');
    expect((await post('/api/auth/logout', {}, s.headers())).status).toBe(200);
    expect(await stream.ended()).toBe(true);
    expect(stream.state.text).toMatch(/event: end\ndata: \{"reason":"session ended"\}/);
    const after = raise();
    await new Promise((r) => setTimeout(r, 50));
    expect(stream.state.text).not.toContain(after);
  });

  it('on the idle lock: the next alert is not delivered, and the stream ends', async () => {
    const { stream } = await signedStream('sse-idle');
    t.clock.advance(31 * 60_000);
    const after = raise();
    expect(await stream.ended()).toBe(true);
    expect(stream.state.text).toMatch(/"reason":"session locked after inactivity"/);
    expect(stream.state.text).not.toContain(after);
  });

  it('on suspension and on a change of roles by an administrator', async () => {
    const admin = await signIn(t, await addUser(store.client, t.clock.now(), { username: 'sse-admin', roles: ['admin'] }));
    const suspended = await signedStream('sse-suspended');
    const regraded = await signedStream('sse-regraded', ['investigator']);
    expect((await post('/api/users/sse-suspended/suspend', { reason: 'under review for misuse' }, admin.headers())).status).toBe(200);
    expect(
      (await post('/api/users/sse-regraded/roles', { roles: ['operator'], reason: 'moved to the watch desk' }, admin.headers())).status,
    ).toBe(200);
    expect(await suspended.stream.ended()).toBe(true);
    expect(await regraded.stream.ended()).toBe(true);
    const after = raise();
    await new Promise((r) => setTimeout(r, 50));
    for (const x of [suspended, regraded]) expect(x.stream.state.text).not.toContain(after);
  });

  it('on a suspension written to the store by another process (the CLI): the next alert is refused', async () => {
    const { stream } = await signedStream('sse-offline');
    const u = (await getUser(store.client, 'sse-offline'))!;
    await putUser(store.client, { ...u, status: 'suspended', changedBy: 'cli', change: 'suspended from the command line' }, t.clock.now());
    const after = raise();
    expect(await stream.ended()).toBe(true);
    expect(stream.state.text).toMatch(/"reason":"account suspended or changed"/);
    expect(stream.state.text).not.toContain(after);
  });

  it('keeps delivering to a live session', async () => {
    const { stream } = await signedStream('sse-live');
    t.clock.advance(10 * 60_000);
    const next = raise();
    expect(await stream.until(() => stream.state.text.includes(next))).toBe(true);
    expect(stream.state.done).toBe(false);
    await stream.close();
  });
});

describe('password change', () => {
  const change = (s: Signed, body: Record<string, unknown>, ip: string) => post('/api/auth/password', body, s.headers(), ip);

  it('needs a fresh authenticator code; success ends the other sessions, keeps this one, and is audited', async () => {
    const u = await addUser(store.client, t.clock.now(), { username: 'pw-user', roles: ['investigator'] });
    const other = await signIn(t, u);
    const here = await signIn(t, u);
    const ip = workstation(u.username);
    const usedAtSignIn = codeFor(u.secret, t.clock.now());
    const body = { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' };
    expect((await change(here, { ...body }, ip)).status).toBe(400);
    expect((await change(here, { ...body, code: '' }, ip)).status).toBe(401);
    // The code that signed in this session is spent.
    expect((await change(here, { ...body, code: usedAtSignIn }, ip)).status).toBe(401);
    t.clock.advance(31_000);
    const ok = await change(here, { ...body, code: codeFor(u.secret, t.clock.now()) }, ip);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, endedSessions: 1 });
    expect((await t.app.request('/api/auth/session', { headers: { cookie: here.cookie } })).status).toBe(200);
    expect((await t.app.request('/api/auth/session', { headers: { cookie: other.cookie } })).status).toBe(401);

    const entries = await t.access.audit.list({ actor: 'pw-user' });
    expect(entries.filter((e) => e.action === 'password.change').map((e) => [e.outcome, e.detail])).toEqual([
      ['denied', 'HTTP 400'],
      ['denied', 'HTTP 401'],
      ['denied', 'HTTP 401'],
      ['ok', 'password changed; 1 other session(s) ended'],
    ]);
    expect(entries.filter((e) => e.action === 'password.failure').map((e) => e.detail)).toEqual([
      'wrong or replayed code; 1 consecutive failure(s)',
      'wrong or replayed code; 2 consecutive failure(s)',
    ]);
    await expect(signIn(t, u)).rejects.toThrow(/401/);
    await signIn(t, u, body.newPassword);
  });

  it('counts a wrong current password toward the lockout of sign-in; the lock ends every session', async () => {
    const u = await addUser(store.client, t.clock.now(), { username: 'pw-guess', roles: ['operator'] });
    const s = await signIn(t, u);
    const ip = workstation(u.username);
    const wrong = (n: number) => ({
      currentPassword: `guess ${n}`,
      newPassword: 'whatever passphrase here',
      code: codeFor(u.secret, t.clock.now()),
    });
    for (let i = 0; i < 3; i++) expect((await change(s, wrong(i), ip)).status).toBe(401);
    // A failed sign-in from elsewhere is the 4th consecutive failure of the same account...
    expect(
      (await post('/api/auth/login', { username: u.username, password: 'nope', code: '000000', bannerAccepted: true }, {}, '10.201.0.1'))
        .status,
    ).toBe(401);
    // ...so the 5th, a password change again, locks it, and the session that guessed ends.
    const fifth = await change(s, wrong(4), ip);
    expect(fifth.status).toBe(423);
    expect((await t.app.request('/api/auth/session', { headers: { cookie: s.cookie } })).status).toBe(401);
    t.clock.advance(31_000);
    const right = { username: u.username, password: PASSWORD, code: codeFor(u.secret, t.clock.now()), bannerAccepted: true };
    // Its workstation has spent its failures (429); from elsewhere the account answers locked.
    expect((await post('/api/auth/login', right, {}, ip)).status).toBe(429);
    expect((await post('/api/auth/login', right, {}, '10.201.0.2')).status).toBe(423);
  });
});

describe('one use per authenticator code', () => {
  it('refuses at sign-in the code that finished enrolment, also after a restart', async () => {
    const admin = await signIn(t, await addUser(store.client, t.clock.now(), { username: 'otp-admin', roles: ['admin'] }));
    const created = await post('/api/users', { username: 'otp-new', displayName: 'New Operator', roles: ['operator'] }, admin.headers());
    const { enrolment } = (await created.json()) as { enrolment: { token: string } };
    const begin = (await (await post('/api/enrol/begin', { token: enrolment.token })).json()) as { secret: string };
    const code = totpAt(begin.secret, stepOf(t.clock.now()));
    expect((await post('/api/enrol/complete', { token: enrolment.token, password: PASSWORD, code })).status).toBe(200);
    const login = (app: TestApp, c: string) =>
      app.app.request(
        '/api/auth/login',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'otp-new', password: PASSWORD, code: c, bannerAccepted: true }),
        },
        fromAddress('10.202.0.1'),
      );
    expect((await login(t, code)).status).toBe(401);
    // A restart: new sessions, throttle and service over the same store, at the same moment.
    const restarted = build(t.clock);
    expect((await login(restarted, code)).status).toBe(401);
    t.clock.advance(31_000);
    expect((await login(restarted, totpAt(begin.secret, stepOf(t.clock.now())))).status).toBe(200);
  });

  it('spends the code of an unlock for a password change in the same step', async () => {
    const u = await addUser(store.client, t.clock.now(), { username: 'otp-unlock', roles: ['operator'] });
    const s = await signIn(t, u);
    const ip = workstation(u.username);
    t.clock.advance(31 * 60_000);
    expect((await t.app.request('/api/auth/session', { headers: { cookie: s.cookie } })).status).toBe(401);
    const code = codeFor(u.secret, t.clock.now());
    expect((await post('/api/auth/unlock', { password: PASSWORD, code }, s.headers(), ip)).status).toBe(200);
    const body = { currentPassword: PASSWORD, newPassword: 'yet another passphrase', code };
    expect((await post('/api/auth/password', body, s.headers(), ip)).status).toBe(401);
    t.clock.advance(31_000);
    expect((await post('/api/auth/password', { ...body, code: codeFor(u.secret, t.clock.now()) }, s.headers(), ip)).status).toBe(200);
  });
});
