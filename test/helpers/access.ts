import { stepOf, TOTP_STEP_SECONDS, totpAt } from '../../access/totp.ts';

/**
 * Brings a freshly started appliance (no users) to the point where an investigator can search,
 * through the real first-start flow over HTTP: the one-time setup link from the log, an
 * administrator, a designated and trained investigator, an open case, and deployment
 * authorisations for the cameras the test publishes from.
 */
export const ACCESS_CASE = 'IT-0001';
const PASSWORD = 'integration test passphrase';

/** The one-time setup token from the core's JSON log lines, or null while it has not logged it. */
export function setupTokenFrom(logs: string): string | null {
  const m = /"setupUrl":"[^"#]*#([A-Za-z0-9_-]+)"/.exec(logs);
  return m ? m[1]! : null;
}

/** The setup token from a spawned appliance's parsed log entries (test/helpers/appliance-process.ts). */
export function setupTokenFromEntries(entries: readonly Record<string, unknown>[]): string | null {
  const e = entries.find((x) => typeof x.setupUrl === 'string');
  return e ? setupTokenFrom(JSON.stringify({ setupUrl: e.setupUrl })) : null;
}

interface Account {
  username: string;
  secret: string;
  lastStep: number;
}

/**
 * The TOTP step a test client may use next, or null while every step in the window is spent
 * (TOTP codes are single-use per user across setup, enrolment and sign-in; ±1 step of drift is
 * accepted). The step before is used only early in the current one: made late, a step boundary
 * can pass before the server checks it, and it is refused (401 at sign-in, 400 at enrolment).
 */
function nextTotpStep(at: Date, lastStep: number): number | null {
  const now = stepOf(at);
  const intoStep = at.getTime() - now * TOTP_STEP_SECONDS * 1000;
  const early = intoStep < (TOTP_STEP_SECONDS - 10) * 1000;
  return [...(early ? [now - 1] : []), now, now + 1].find((s) => s > lastStep) ?? null;
}

/** Milliseconds from `at` to just past the start of the next TOTP step. */
const untilNextStep = (at: Date) => (stepOf(at) + 1) * TOTP_STEP_SECONDS * 1000 - at.getTime() + 50;

/** A code for a step not used yet, waiting for the next step when every one in the window is spent (a sign-in again soon after the last). */
export async function freshCode(a: Pick<Account, 'secret' | 'lastStep'>): Promise<string> {
  for (;;) {
    const at = new Date();
    const step = nextTotpStep(at, a.lastStep);
    if (step !== null) {
      a.lastStep = step;
      return totpAt(a.secret, step);
    }
    await new Promise((r) => setTimeout(r, untilNextStep(at)));
  }
}

async function json(res: Response, what: string): Promise<Record<string, unknown>> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

export interface SignedIn {
  /** Session cookie, CSRF token and the case and purpose every search needs. */
  headers(extra?: Record<string, string>): Record<string, string>;
}

async function signIn(base: string, a: Account): Promise<SignedIn> {
  const res = await post(base, '/api/auth/login', {
    username: a.username,
    password: PASSWORD,
    code: await freshCode(a),
    bannerAccepted: true,
  });
  const body = await json(res, `sign-in of ${a.username}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = String(body.csrfToken);
  return {
    headers: (extra = {}) => ({
      cookie,
      'x-csrf-token': csrf,
      'x-alpr-case': ACCESS_CASE,
      'x-alpr-purpose': 'integration test of the read path',
      ...extra,
    }),
  };
}

export interface AccessFixture {
  investigator: SignedIn;
  admin: SignedIn;
  /** Signs both in again (sessions live in the core's memory and end when it restarts). */
  signInAgain(base: string): Promise<void>;
  /** fetch with the investigator's session and case. */
  fetch(base: string, path: string, init?: RequestInit): Promise<Response>;
  /**
   * The full health report (services, cameras, deployments), read with a monitoring service
   * account's token: anonymous callers get the status only, and a token outlives restarts of
   * the core, where sessions do not.
   */
  health(base: string): Promise<Response>;
  /** GET /api/metrics (Prometheus text) with the same monitoring token. */
  metrics(base: string): Promise<string>;
}

/** A service account for monitoring, designated by the administrator; its API token. */
export async function monitorToken(base: string, admin: SignedIn, username = 'it-monitor'): Promise<string> {
  const made = await json(
    await post(base, '/api/users', { username, displayName: 'IT monitor', kind: 'service', roles: ['service'] }, admin.headers()),
    'monitor account',
  );
  return String(made.apiToken);
}

/** GET /api/health/report with a monitoring token. */
export const healthReport = (base: string, token: string) =>
  fetch(`${base}/api/health/report`, { headers: { authorization: `Bearer ${token}` } });

/**
 * Designates a person with roles, enrols them (password and TOTP) and records their training,
 * as an administrator does for a new user; returns their signed-in session.
 */
export async function designate(
  base: string,
  admin: SignedIn,
  username: string,
  roles: string[],
): Promise<{ session: SignedIn; account: Account }> {
  const created = await json(
    await post(base, '/api/users', { username, displayName: `IT ${username.replace(/^it-/, '')}`, roles }, admin.headers()),
    `designate ${username}`,
  );
  const token = (created.enrolment as { token: string }).token;
  const enrol = await json(await post(base, '/api/enrol/begin', { token }), 'enrol begin');
  const account: Account = { username, secret: String(enrol.secret), lastStep: -1 };
  await json(await post(base, '/api/enrol/complete', { token, password: PASSWORD, code: await freshCode(account) }), 'enrol complete');
  const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
  await json(
    await post(
      base,
      `/api/users/${username}/training`,
      { course: 'ALPR data use and privacy', completedOn: day(-1), expiresOn: day(365) },
      admin.headers(),
    ),
    'training',
  );
  return { session: await signIn(base, account), account };
}

export async function bootstrapAccess(base: string, setupToken: string, cameras: string[]): Promise<AccessFixture> {
  const begin = await json(await post(base, '/api/setup/begin', { token: setupToken }), 'setup begin');
  const admin: Account = { username: 'it-admin', secret: String(begin.secret), lastStep: -1 };
  await json(
    await post(base, '/api/setup/complete', {
      token: setupToken,
      username: admin.username,
      displayName: 'IT Admin',
      password: PASSWORD,
      code: await freshCode(admin),
    }),
    'setup complete',
  );
  const a = await signIn(base, admin);

  const inv = await designate(base, a, 'it-investigator', ['investigator']);
  await json(await post(base, '/api/cases', { caseRef: ACCESS_CASE, title: 'integration tests', activeIntel: false }, a.headers()), 'case');
  for (const cameraId of cameras) {
    await json(
      await post(
        base,
        '/api/deployments',
        {
          id: `DEP-${cameraId}`,
          cameraId,
          mode: 'fixed',
          location: { lat: 30.44, lon: -84.28, description: 'test bench' },
          publicViewAttested: true,
          purpose: 'integration tests',
          validFrom: new Date(Date.now() - 86_400_000).toISOString(),
        },
        a.headers(),
      ),
      `deployment of ${cameraId}`,
    );
  }
  const monitor = await monitorToken(base, a);
  const fixture: AccessFixture = {
    admin: a,
    health: (b) => healthReport(b, monitor),
    metrics: async (b) => (await fetch(`${b}/api/metrics`, { headers: { authorization: `Bearer ${monitor}` } })).text(),
    investigator: inv.session,
    async signInAgain(b) {
      fixture.admin = await signIn(b, admin);
      fixture.investigator = await signIn(b, inv.account);
    },
    fetch: (b, path, init = {}) =>
      fetch(`${b}${path}`, {
        ...init,
        headers: { ...fixture.investigator.headers(), ...(init.headers as Record<string, string> | undefined) },
      }),
  };
  return fixture;
}
