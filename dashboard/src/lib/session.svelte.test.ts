import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fake-api.ts';
import { MetricsState } from './metrics.svelte.ts';
import { SessionState } from './session.svelte.ts';

const admin = { username: 'ada', displayName: 'Ada', roles: ['admin'], permissions: ['users.manage', 'reads.search'], csrfToken: 'csrf-1' };
const banner = { json: { banner: 'Authorised use only' } };

afterEach(() => vi.unstubAllGlobals());

describe('SessionState', () => {
  it('loads who is signed in and the banner, and sends the session CSRF token on changes', async () => {
    const api = fakeApi({
      'GET /api/auth/session': { json: admin },
      'GET /api/auth/banner': banner,
      'POST /api/auth/logout': { json: {} },
    });
    const s = new SessionState();
    await s.start();
    s.stop();
    expect(s.ready).toBe(true);
    expect(s.user?.username).toBe('ada');
    expect(s.banner).toBe('Authorised use only');
    expect(s.can('users.manage')).toBe(true);
    expect(s.can('audit.read')).toBe(false);
    await s.logout();
    expect(api.last('/api/auth/logout')!.headers.get('x-csrf-token')).toBe('csrf-1');
    expect(s.user).toBeNull();
  });

  it("shows no one signed in before a sign-in, and the refusal of a wrong one in the API's words", async () => {
    let signedIn = false;
    const api = fakeApi({
      'GET /api/auth/session': () => (signedIn ? { json: admin } : { status: 401, json: { error: 'not signed in' } }),
      'GET /api/auth/banner': banner,
      'POST /api/auth/login': (c) => {
        if ((c.body as { password: string }).password !== 'right')
          return { status: 401, json: { error: 'wrong username, password or code' } };
        signedIn = true;
        return { json: { csrfToken: 'csrf-2' } };
      },
    });
    const s = new SessionState();
    await s.start();
    s.stop();
    expect([s.ready, s.user, s.error]).toEqual([true, null, null]);
    const form = { username: 'ada', password: 'wrong', code: '123456', bannerAccepted: true };
    expect(await s.login(form)).toBe(false);
    // A wrong password is not a lost session: the page stays as it was, with the reason.
    expect(s.error).toBe('wrong username, password or code');
    expect(s.user).toBeNull();
    expect(api.last('/api/auth/login')!.body).toEqual(form);
    expect(await s.login({ ...form, password: 'right' })).toBe(true);
    expect([s.user?.username, s.error, s.busy]).toEqual(['ada', null, false]);
  });

  it('locks when any call says the session is locked, and unlocks with password and code', async () => {
    let locked = false;
    fakeApi({
      'GET /api/auth/session': { json: admin },
      'GET /api/auth/banner': banner,
      'GET /api/metrics/series': () =>
        locked
          ? { status: 401, json: { error: 'session locked', locked: true } }
          : { json: { t: [], reads: {}, pipeline: {}, hitRate: null } },
      'POST /api/auth/unlock': (c) => {
        locked = false;
        return (c.body as { code: string }).code === '654321'
          ? { json: { csrfToken: 'csrf-3' } }
          : { status: 401, json: { error: 'wrong code', locked: true } };
      },
    });
    const s = new SessionState();
    await s.start();
    s.stop();
    locked = true;
    // A page's poll is answered "locked": the session shows the lock screen, and keeps the user.
    await new MetricsState().refresh();
    expect(s.locked).toBe(true);
    expect(s.user?.username).toBe('ada');
    expect(await s.unlock({ password: 'pw', code: '654321' })).toBe(true);
    expect(s.locked).toBe(false);
  });

  it('signs out, with a message, when a call says the session is gone', async () => {
    fakeApi({
      'GET /api/auth/session': { json: admin },
      'GET /api/auth/banner': banner,
      'GET /api/metrics/series': { status: 401, json: { error: 'not signed in' } },
    });
    const s = new SessionState();
    await s.start();
    s.stop();
    await new MetricsState().refresh();
    expect(s.user).toBeNull();
    expect(s.error).toBe('Your session ended; sign in again.');
  });

  it('is reactive: a page drawn from it sees busy while a sign-in is under way', async () => {
    let answer!: () => void;
    fakeApi({
      'GET /api/auth/session': { json: admin },
      'POST /api/auth/login': () => new Promise((r) => (answer = () => r({ json: { csrfToken: 'c' } }))),
    });
    const s = new SessionState();
    const seen: boolean[] = [];
    const cleanup = $effect.root(() => {
      $effect(() => {
        seen.push(s.busy);
      });
    });
    flushSync();
    const done = s.login({ username: 'ada', password: 'pw', code: '1', bannerAccepted: true });
    flushSync();
    await vi.waitFor(() => expect(answer).toBeTypeOf('function'));
    answer();
    await done;
    flushSync();
    cleanup();
    // The effect re-ran on each change: busy while the answer was awaited, then not.
    expect(seen.slice(-2)).toEqual([true, false]);
  });
});
