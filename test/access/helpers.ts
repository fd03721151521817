import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { accessSchema, silentLogger, type AccessConfig } from '../../contracts/index.ts';
import { createAccess, type Access, type AccessOptions, type AccessRule } from '../../access/index.ts';
import { hashPassword } from '../../access/passwords.ts';
import type { Role } from '../../access/index.ts';
import { newTotpSecret, stepOf, totpAt } from '../../access/totp.ts';
import { putTraining } from '../../access/training.ts';
import { putUser } from '../../access/users.ts';
import { putCase } from '../../access/cases.ts';
import { createApp, MetricsRegistry, type AnyRouter, type AppOptions } from '../../server/index.ts';

/** scrypt at a cost the shared two-core test machine can afford; the format is the production one. */
export const testAccessConfig = (over: Partial<AccessConfig> = {}): AccessConfig => ({
  ...accessSchema.parse({ scrypt: { cost: 1024, blockSize: 8, parallelization: 1 } }),
  ...over,
});

/** A clock that tests move forward: TOTP codes are single-use per 30 s step, idle locks need time. */
export function testClock() {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms: number) {
      offset += ms;
    },
  };
}

export const PASSWORD = 'correct horse battery staple';

export interface TestUser {
  username: string;
  secret: string;
  roles: Role[];
}

/** Writes an active, enrolled user with current training (unless told otherwise). */
export async function addUser(
  client: ClickHouseClient,
  now: Date,
  u: {
    username: string;
    roles: Role[];
    trained?: boolean;
    trainingExpires?: string;
    status?: 'active' | 'suspended' | 'pending';
    kind?: 'person' | 'service';
    tokenHash?: string;
  },
): Promise<TestUser> {
  const secret = newTotpSecret();
  await putUser(
    client,
    {
      username: u.username,
      kind: u.kind ?? 'person',
      displayName: u.username,
      roles: u.roles,
      status: u.status ?? 'active',
      designatedBy: 'test',
      designatedAt: now,
      passwordHash: u.kind === 'service' ? '' : await hashPassword(PASSWORD, testAccessConfig().scrypt),
      totpSecret: u.kind === 'service' ? '' : secret,
      totpEnabled: u.kind !== 'service',
      tokenHash: u.tokenHash ?? '',
      enrolTokenHash: '',
      enrolExpires: null,
      changedBy: 'test',
      change: 'test fixture',
    },
    now,
  );
  if (u.trained !== false && u.kind !== 'service') {
    const expires = u.trainingExpires ?? new Date(now.getTime() + 365 * 86_400_000).toISOString().slice(0, 10);
    await putTraining(
      client,
      {
        username: u.username,
        course: 'ALPR data use and privacy',
        completedOn: '2020-01-01',
        expiresOn: expires,
        recordedBy: 'test',
        revoked: false,
        note: '',
      },
      now,
    );
  }
  return { username: u.username, secret, roles: u.roles };
}

export async function addCase(
  client: ClickHouseClient,
  now: Date,
  ref: string,
  over: { status?: 'open' | 'closed'; activeIntel?: boolean; plates?: string[] } = {},
) {
  return putCase(
    client,
    {
      caseRef: ref,
      title: `case ${ref}`,
      status: over.status ?? 'open',
      activeIntel: over.activeIntel ?? false,
      plates: over.plates ?? [],
      openedBy: 'test',
      openedAt: now.toISOString(),
      changedBy: 'test',
      change: 'test fixture',
    },
    now,
  );
}

/** The Node adapter's env for app.request() as if from `ip` (clientIp reads the socket's address). */
export const fromAddress = (ip: string) => ({ incoming: { socket: { remoteAddress: ip } } });

/**
 * Each test user signs in from a workstation of its own, as people do: sign-ins are throttled
 * per client address, and one shared address would let one test's failures throttle the next.
 */
export function workstation(username: string): string {
  const h = createHash('sha256').update(username).digest();
  return `10.${h[0]! % 200}.${h[1]}.${1 + (h[2]! % 250)}`;
}

export function codeFor(secret: string, now: Date): string {
  return totpAt(secret, stepOf(now));
}

export interface TestApp {
  app: ReturnType<typeof createApp>;
  access: Access;
  clock: ReturnType<typeof testClock>;
}

/** `extra`: routes of other parts (e.g. the alert stream) behind the same guard, with their rules; audit anchoring. */
export function buildApp(
  client: ClickHouseClient,
  over: Partial<AccessConfig> = {},
  clock = testClock(),
  extra: {
    rules?: Record<string, AccessRule>;
    dataRoutes?: AnyRouter[];
    anchor?: AccessOptions['anchor'];
    map?: AppOptions['map'];
    timeZone?: string;
  } = {},
): TestApp {
  const access = createAccess({
    client,
    access: testAccessConfig(over),
    retention: { tacticalDays: 30, holdMaxYears: 3 },
    logger: silentLogger,
    clock: clock.now,
    anchor: extra.anchor,
    extraRules: extra.rules,
    timeZone: extra.timeZone,
  });
  const app = createApp({
    client,
    health: async () => ({
      status: 'ok',
      time: new Date().toISOString(),
      siteId: 'site-1',
      services: null,
      cameras: [],
      store: { healthy: true, lastError: null },
      nats: { connected: true },
    }),
    metrics: new MetricsRegistry(),
    logger: silentLogger,
    dataGuard: access.guard,
    publicRoutes: access.publicRoutes,
    dataRoutes: [...access.dataRoutes, ...(extra.dataRoutes ?? [])],
    map: extra.map,
  });
  return { app, access, clock };
}

export interface Signed {
  cookie: string;
  csrf: string;
  /** Headers for a request in this session, with the CSRF token and, optionally, a case. */
  headers(extra?: Record<string, string>): Record<string, string>;
}

/** Signs a user in (moving the clock one TOTP step so the code is never a replay). */
export async function signIn(t: TestApp, user: TestUser, password = PASSWORD): Promise<Signed> {
  t.clock.advance(31_000);
  const res = await t.app.request(
    '/api/auth/login',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user.username, password, code: codeFor(user.secret, t.clock.now()), bannerAccepted: true }),
    },
    fromAddress(workstation(user.username)),
  );
  if (res.status !== 200) throw new Error(`sign-in of ${user.username} failed: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return {
    cookie,
    csrf: csrfToken,
    headers: (extra = {}) => ({ cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json', ...extra }),
  };
}

export const caseHeaders = (caseRef: string, purpose = 'locate vehicle in robbery investigation') => ({
  'x-alpr-case': caseRef,
  'x-alpr-purpose': purpose,
});
