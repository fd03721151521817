import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStore } from '../helpers/store.ts';
import { addUser, buildApp, codeFor, fromAddress, PASSWORD, signIn, workstation, type TestApp } from './helpers.ts';
import { totpAt, stepOf } from '../../access/totp.ts';

let store: Awaited<ReturnType<typeof startTestStore>>;
let t: TestApp;

beforeAll(async () => {
  store = await startTestStore();
  t = buildApp(store.client);
});
afterAll(() => store.stop());

const login = (body: Record<string, unknown>, ip = workstation(String(body.username))) =>
  t.app.request(
    '/api/auth/login',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    fromAddress(ip),
  );

async function auditActions(actor: string) {
  return (await t.access.audit.list({ actor })).map((e) => `${e.action}:${e.outcome}`);
}

describe('sign-in', () => {
  it('shows the system-use banner and refuses a sign-in that does not accept it', async () => {
    const banner = (await (await t.app.request('/api/auth/banner')).json()) as { banner: string };
    expect(banner.banner).toMatch(/logged and audited/);
    const u = await addUser(store.client, t.clock.now(), { username: 'banner-user', roles: ['operator'] });
    t.clock.advance(31_000);
    const res = await login({ username: u.username, password: PASSWORD, code: codeFor(u.secret, t.clock.now()) });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/system-use notice/);
  });

  it('sets a Secure, HttpOnly, SameSite=Strict cookie and needs the password AND the TOTP code', async () => {
    const u = await addUser(store.client, t.clock.now(), { username: 'mfa-user', roles: ['investigator'] });
    t.clock.advance(31_000);
    const noCode = await login({ username: u.username, password: PASSWORD, code: '', bannerAccepted: true });
    expect(noCode.status).toBe(401);
    const wrongCode = await login({
      username: u.username,
      password: PASSWORD,
      code: codeFor(u.secret, new Date(t.clock.now().getTime() - 600_000)),
      bannerAccepted: true,
    });
    expect(wrongCode.status).toBe(401);
    expect(await wrongCode.json()).toEqual({ error: 'invalid user name, password or code' });
    const ok = await login({ username: u.username, password: PASSWORD, code: codeFor(u.secret, t.clock.now()), bannerAccepted: true });
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^alpr_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(await auditActions('mfa-user')).toEqual(['login.failure:denied', 'login.failure:denied', 'login.success:ok']);
  });

  it('refuses a TOTP code that was already used (replay)', async () => {
    const u = await addUser(store.client, t.clock.now(), { username: 'replay-user', roles: ['operator'] });
    t.clock.advance(31_000);
    const code = codeFor(u.secret, t.clock.now());
    expect((await login({ username: u.username, password: PASSWORD, code, bannerAccepted: true })).status).toBe(200);
    expect((await login({ username: u.username, password: PASSWORD, code, bannerAccepted: true })).status).toBe(401);
  });

  it('locks the account after 5 failed attempts, even against the right password, and an administrator unlocks it', async () => {
    const u = await addUser(store.client, t.clock.now(), { username: 'brute', roles: ['operator'] });
    const statuses: number[] = [];
    // From five addresses: one address alone is throttled before it can lock (abuse.test.ts).
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await login({ username: u.username, password: `guess-${i}`, code: '000000', bannerAccepted: true }, `10.1.0.${i}`)).status,
      );
    expect(statuses).toEqual([401, 401, 401, 401, 423]);
    t.clock.advance(31_000);
    const right = await login({ username: u.username, password: PASSWORD, code: codeFor(u.secret, t.clock.now()), bannerAccepted: true });
    expect(right.status).toBe(423);
    expect(((await right.json()) as { error: string }).error).toMatch(/locked/);
    expect((await auditActions('brute')).at(-1)).toBe('login.failure:denied');

    const admin = await addUser(store.client, t.clock.now(), { username: 'lock-admin', roles: ['admin'] });
    const s = await signIn(t, admin);
    expect((await t.app.request('/api/users/brute/unlock', { method: 'POST', headers: s.headers() })).status).toBe(200);
    t.clock.advance(31_000);
    expect(
      (await login({ username: u.username, password: PASSWORD, code: codeFor(u.secret, t.clock.now()), bannerAccepted: true })).status,
    ).toBe(200);
  });

  it('lets a lock expire after the configured minutes', async () => {
    const u = await addUser(store.client, t.clock.now(), { username: 'brute2', roles: ['operator'] });
    for (let i = 0; i < 5; i++)
      await login({ username: u.username, password: 'nope', code: '000000', bannerAccepted: true }, `10.2.0.${i}`);
    t.clock.advance(31 * 60_000);
    expect(
      (await login({ username: u.username, password: PASSWORD, code: codeFor(u.secret, t.clock.now()), bannerAccepted: true })).status,
    ).toBe(200);
  });

  it('answers an unknown user exactly like a wrong password, and records the attempt', async () => {
    const res = await login({ username: 'nobody-here', password: 'x', code: '123456', bannerAccepted: true });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'invalid user name, password or code' });
    expect(await auditActions('nobody-here')).toEqual(['login.failure:denied']);
  });

  it('refuses hostile sign-in bodies with a 400 and no stack trace', async () => {
    for (const body of [
      'not json',
      JSON.stringify([1, 2]),
      JSON.stringify({ username: { $ne: 1 }, password: 'x', code: '1' }),
      JSON.stringify({ username: 'a', password: 'x', code: '1', extra: 1 }),
    ]) {
      const res = await t.app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(400);
      expect(await res.text()).not.toMatch(/at .*\.ts|stack/i);
    }
    const big = await login({ username: 'a'.repeat(70_000), password: 'x', code: '1', bannerAccepted: true });
    expect(big.status).toBe(413);
  });
});

describe('sessions', () => {
  it('refuses forged, replayed-after-logout and CSRF-less requests', async () => {
    const u = await addUser(store.client, t.clock.now(), { username: 'sess-user', roles: ['investigator'] });
    const s = await signIn(t, u);
    expect((await t.app.request('/api/auth/session', { headers: { cookie: s.cookie } })).status).toBe(200);
    expect((await t.app.request('/api/auth/session', { headers: { cookie: 'alpr_session=' + 'A'.repeat(43) } })).status).toBe(401);
    expect((await t.app.request('/api/auth/session', { headers: { cookie: 'alpr_session=' + 'x'.repeat(5000) } })).status).toBe(401);

    // A state-changing request needs the CSRF token, not just the cookie.
    const body = JSON.stringify({ currentPassword: PASSWORD, newPassword: 'another long passphrase' });
    const noCsrf = await t.app.request('/api/auth/password', {
      method: 'POST',
      headers: { cookie: s.cookie, 'content-type': 'application/json' },
      body,
    });
    expect(noCsrf.status).toBe(403);
    const wrongCsrf = await t.app.request('/api/auth/password', {
      method: 'POST',
      headers: { ...s.headers(), 'x-csrf-token': 'forged' },
      body,
    });
    expect(wrongCsrf.status).toBe(403);

    const out = await t.app.request('/api/auth/logout', { method: 'POST', headers: s.headers() });
    expect(out.status).toBe(200);
    expect((await t.app.request('/api/auth/session', { headers: { cookie: s.cookie } })).status).toBe(401);
  });

  it('locks a session after 30 idle minutes; password and code unlock it', async () => {
    const u = await addUser(store.client, t.clock.now(), { username: 'idle-user', roles: ['operator'] });
    const s = await signIn(t, u);
    t.clock.advance(20 * 60_000);
    // A page polling its session is not activity: the lock still comes 30 minutes after the last real request.
    expect((await t.app.request('/api/auth/session', { headers: { cookie: s.cookie } })).status).toBe(200);
    t.clock.advance(9 * 60_000);
    expect((await t.app.request('/api/cases', { headers: { cookie: s.cookie } })).status).toBe(200);
    t.clock.advance(29 * 60_000);
    expect((await t.app.request('/api/auth/session', { headers: { cookie: s.cookie } })).status).toBe(200);
    t.clock.advance(2 * 60_000);
    const locked = await t.app.request('/api/auth/session', { headers: { cookie: s.cookie } });
    expect(locked.status).toBe(401);
    expect(await locked.json()).toMatchObject({ locked: true });
    const bad = await t.app.request('/api/auth/unlock', {
      method: 'POST',
      headers: s.headers(),
      body: JSON.stringify({ password: 'wrong', code: '000000' }),
    });
    expect(bad.status).toBe(401);
    t.clock.advance(31_000);
    const good = await t.app.request('/api/auth/unlock', {
      method: 'POST',
      headers: s.headers(),
      body: JSON.stringify({ password: PASSWORD, code: codeFor(u.secret, t.clock.now()) }),
    });
    expect(good.status).toBe(200);
    expect((await t.app.request('/api/auth/session', { headers: { cookie: s.cookie } })).status).toBe(200);
  });

  it('ends the sessions of a suspended user at once', async () => {
    const admin = await addUser(store.client, t.clock.now(), { username: 'susp-admin', roles: ['admin'] });
    const u = await addUser(store.client, t.clock.now(), { username: 'to-suspend', roles: ['investigator'] });
    const su = await signIn(t, u);
    const sa = await signIn(t, admin);
    const res = await t.app.request('/api/users/to-suspend/suspend', {
      method: 'POST',
      headers: sa.headers(),
      body: JSON.stringify({ reason: 'searches without a case under review' }),
    });
    expect(res.status).toBe(200);
    expect((await t.app.request('/api/auth/session', { headers: { cookie: su.cookie } })).status).toBe(401);
    t.clock.advance(31_000);
    const again = await login({ username: u.username, password: PASSWORD, code: codeFor(u.secret, t.clock.now()), bannerAccepted: true });
    expect(again.status).toBe(403);
    expect(await again.text()).toMatch(/suspended/);
  });
});

describe('first administrator and enrolment', () => {
  it('enrols a designated user through the one-time link: password plus authenticator', async () => {
    const admin = await addUser(store.client, t.clock.now(), { username: 'enrol-admin', roles: ['admin'] });
    const sa = await signIn(t, admin);
    const created = await t.app.request('/api/users', {
      method: 'POST',
      headers: sa.headers(),
      body: JSON.stringify({ username: 'newbie', displayName: 'New Investigator', roles: ['investigator'] }),
    });
    expect(created.status).toBe(201);
    const { enrolment } = (await created.json()) as { enrolment: { token: string } };
    // Pending: cannot sign in yet.
    expect((await login({ username: 'newbie', password: PASSWORD, code: '000000', bannerAccepted: true })).status).toBe(401);
    const begin = (await (
      await t.app.request('/api/enrol/begin', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: enrolment.token }),
      })
    ).json()) as { secret: string; otpauthUri: string };
    expect(begin.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const weak = await t.app.request('/api/enrol/complete', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: enrolment.token, password: 'short', code: totpAt(begin.secret, stepOf(t.clock.now())) }),
    });
    expect(weak.status).toBe(400);
    const done = await t.app.request('/api/enrol/complete', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: enrolment.token, password: PASSWORD, code: totpAt(begin.secret, stepOf(t.clock.now())) }),
    });
    expect(done.status).toBe(200);
    const reuse = await t.app.request('/api/enrol/begin', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: enrolment.token }),
    });
    expect(reuse.status).toBe(401);
    await signIn(t, { username: 'newbie', secret: begin.secret, roles: ['investigator'] });
  });
});
