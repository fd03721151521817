import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi } from '../../test/fake-api.ts';
import { fmtTime, setTimeZone, timeZone } from './format.ts';
import { SessionState } from './session.svelte.ts';

afterEach(() => {
  vi.unstubAllGlobals();
  setTimeZone('America/New_York');
});

describe("the appliance's time zone reaches every date the dashboard shows", () => {
  it('takes the zone from the banner before sign-in and from the session after it', async () => {
    let signedIn = false;
    fakeApi({
      'GET /api/auth/banner': { json: { banner: 'Authorised use only', timeZone: 'America/Chicago' } },
      'GET /api/auth/session': () =>
        signedIn
          ? { json: { username: 'ada', roles: ['auditor'], permissions: ['audit.read'], csrfToken: 'c', timeZone: 'America/Denver' } }
          : { status: 401, json: { error: 'not signed in' } },
    });
    const s = new SessionState();
    await s.start();
    s.stop();
    expect(timeZone()).toBe('America/Chicago');
    expect(fmtTime('2026-07-04T16:05:09Z')).toBe('2026-07-04 11:05:09 CDT');
    signedIn = true;
    await s.load();
    expect(timeZone()).toBe('America/Denver');
    expect(fmtTime('2026-07-04T16:05:09Z')).toBe('2026-07-04 10:05:09 MDT');
  });
});
