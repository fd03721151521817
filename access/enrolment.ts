import { randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { AccessConfig, AuditSink } from '../contracts/index.ts';
import type { AuditNoise } from './audit-noise.ts';
import { admitAttempt, hashToken } from './auth.ts';
import { ConflictError, InvalidInputError, NotAuthenticatedError } from './errors.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import type { CredentialThrottle } from './throttle.ts';
import { newTotpSecret, otpauthUri, verifyTotp } from './totp.ts';
import {
  countUsers,
  findUserBy,
  getAuthState,
  getUser,
  putAuthState,
  putUser,
  usernameSchema,
  FRESH_AUTH_STATE,
  type User,
} from './users.ts';
import { ENROLMENT_RESET_CHANGE } from './users.ts';
import { keyedMutex } from './versions.ts';

/**
 * How people get credentials without anyone else ever knowing them: an administrator
 * designates a user and hands over a one-time enrolment link; the user sets a password and
 * enrols an authenticator on it. The very first administrator comes from the CLI or from a
 * one-time setup link the core prints on a first start with no users.
 */
export const ISSUER = 'ALPR appliance';

export interface EnrolmentOptions {
  client: ClickHouseClient;
  access: AccessConfig;
  audit: AuditSink;
  /** Limits the links' routes like sign-in; absent for the CLI, which has no client address. */
  throttle?: CredentialThrottle;
  noise?: AuditNoise;
  clock?: () => Date;
}

export function createEnrolment(opts: EnrolmentOptions) {
  const { client, access, audit } = opts;
  const clock = opts.clock ?? (() => new Date());
  const lock = keyedMutex();
  let setup: { hash: string; expires: number; secret: string } | null = null;

  function checkPassword(password: unknown, username: string): string {
    const problem = passwordProblem(String(password ?? ''), { minLength: access.passwordMinLength, username });
    if (problem) throw new InvalidInputError('password refused', [{ param: 'password', message: problem }]);
    return String(password);
  }

  /** Before the work of a link route: 429 when its address (or account) has spent its attempts. */
  async function admit(action: string, ip: string | null, account?: string): Promise<void> {
    if (opts.throttle) await admitAttempt(opts.throttle, opts.noise ?? null, action, ip, account);
  }

  /** A refused token or code counts against the address, as a failed sign-in does. */
  async function counted<T>(ip: string | null, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof NotAuthenticatedError || (err instanceof InvalidInputError && err.problems.some((p) => p.param === 'code')))
        opts.throttle?.failed(ip);
      throw err;
    }
  }

  /** The step of a code not used before by this user (codes are single-use across every route). */
  function checkCode(secret: string, code: unknown, lastUsedStep = -1): number {
    const step = verifyTotp(secret, String(code ?? ''), clock(), lastUsedStep);
    if (step === null)
      throw new InvalidInputError('the authenticator code does not match; check the device clock and try again', [
        { param: 'code', message: 'wrong code' },
      ]);
    return step;
  }

  /** Writes a new active administrator with password and enrolled TOTP (`step`: the code's step, spent). */
  async function writeAdmin(a: {
    username: string;
    displayName: string;
    password: string;
    secret: string;
    by: string;
    change: string;
    step?: number;
  }): Promise<User> {
    const now = clock();
    const user: Omit<User, 'version' | 'changedAt'> = {
      username: a.username,
      kind: 'person',
      displayName: a.displayName,
      roles: ['admin'],
      status: 'active',
      designatedBy: a.by,
      designatedAt: now,
      passwordHash: await hashPassword(a.password, access.scrypt),
      totpSecret: a.secret,
      totpEnabled: true,
      tokenHash: '',
      enrolTokenHash: '',
      enrolExpires: null,
      changedBy: a.by,
      change: a.change,
    };
    await putUser(client, user, now);
    await putAuthState(client, a.username, { ...FRESH_AUTH_STATE, totpLastStep: a.step ?? -1 }, now);
    return { ...user, version: '', changedAt: now };
  }

  return {
    /**
     * Creates the first administrator directly (the CLI path). Refused when users exist unless
     * `recovery` is set (every administrator locked out): that too is audited.
     */
    async createFirstAdmin(a: { username: string; displayName: string; password: string; recovery?: boolean }) {
      return lock('setup', async () => {
        const username = usernameSchema.parse(a.username);
        const existing = await countUsers(client);
        if (existing > 0 && !a.recovery)
          throw new ConflictError('users exist already; an administrator designates new ones (or use --recovery)');
        if (await getUser(client, username)) throw new ConflictError(`user "${username}" exists`);
        const password = checkPassword(a.password, username);
        const secret = newTotpSecret();
        await writeAdmin({
          username,
          displayName: a.displayName,
          password,
          secret,
          by: 'cli',
          change: existing ? 'recovery administrator created by the CLI' : 'first administrator created by the CLI',
        });
        await audit.append({
          actor: 'cli',
          action: existing ? 'user.create-admin.recovery' : 'user.create-admin',
          target: username,
          outcome: 'ok',
          detail: 'administrator designated from the command line',
        });
        return { username, secret, otpauthUri: otpauthUri({ secret, account: username, issuer: ISSUER }) };
      });
    },

    /** On a first start with no users: a one-time setup token (null when users exist). */
    async issueSetupToken(): Promise<string | null> {
      if ((await countUsers(client)) > 0) return null;
      const token = randomBytes(24).toString('base64url');
      setup = { hash: hashToken(token), expires: clock().getTime() + access.enrolmentHours * 3_600_000, secret: newTotpSecret() };
      return token;
    },

    async beginSetup(token: unknown, ip: string | null = null) {
      await admit('setup', ip);
      const s = await counted(ip, () => validSetup(token));
      return {
        secret: s.secret,
        otpauthUri: otpauthUri({ secret: s.secret, account: 'administrator', issuer: ISSUER }),
        banner: access.banner,
      };
    },

    async completeSetup(
      body: { token?: unknown; username?: unknown; displayName?: unknown; password?: unknown; code?: unknown },
      ip: string | null,
    ) {
      await admit('setup', ip);
      return lock('setup', async () => {
        const s = await counted(ip, () => validSetup(body.token));
        const username = parseField(usernameSchema, body.username, 'username');
        const displayName = parseDisplayName(body.displayName);
        const password = checkPassword(body.password, username);
        const step = await counted(ip, () => checkCode(s.secret, body.code));
        if ((await countUsers(client)) > 0) {
          setup = null;
          throw new NotAuthenticatedError('setup link no longer valid');
        }
        await writeAdmin({
          username,
          displayName,
          password,
          secret: s.secret,
          by: 'setup-link',
          change: 'first administrator created through the setup link',
          step,
        });
        setup = null;
        await audit.append({
          actor: username,
          action: 'user.create-admin',
          target: username,
          outcome: 'ok',
          detail: 'first administrator through the one-time setup link',
          ip,
        });
        return { username };
      });
    },

    /** Starts a user's enrolment: tells them who they are and which secret to enrol. */
    async beginEnrolment(token: unknown, ip: string | null = null) {
      await admit('enrol', ip);
      const user = await counted(ip, () => validEnrolment(token));
      // An administrator's reset shows here, to the one enrolling: who reset it and when.
      const reset = user.change === ENROLMENT_RESET_CHANGE ? { by: user.changedBy, at: user.changedAt.toISOString() } : null;
      return {
        username: user.username,
        displayName: user.displayName,
        reset,
        secret: user.totpSecret,
        otpauthUri: otpauthUri({ secret: user.totpSecret, account: user.username, issuer: ISSUER }),
        banner: access.banner,
      };
    },

    async completeEnrolment(body: { token?: unknown; password?: unknown; code?: unknown }, ip: string | null) {
      await admit('enrol', ip);
      const user = await counted(ip, () => validEnrolment(body.token));
      opts.throttle?.admitAccount(user.username);
      return lock(user.username, async () => {
        const password = checkPassword(body.password, user.username);
        const before = await getAuthState(client, user.username);
        const step = await counted(ip, () => checkCode(user.totpSecret, body.code, before.totpLastStep));
        const now = clock();
        await putUser(
          client,
          {
            ...user,
            status: 'active',
            passwordHash: await hashPassword(password, access.scrypt),
            totpEnabled: true,
            enrolTokenHash: '',
            enrolExpires: null,
            changedBy: user.username,
            change: 'enrolment completed: password set, authenticator enrolled',
          },
          now,
        );
        // The code that finished enrolment is spent: it cannot sign in as well.
        await putAuthState(client, user.username, { ...FRESH_AUTH_STATE, totpLastStep: Math.max(before.totpLastStep, step) }, now);
        await audit.append({ actor: user.username, action: 'user.enrol', target: user.username, outcome: 'ok', ip });
        return { username: user.username };
      });
    },

    /** A fresh enrolment token and TOTP secret for a pending user (issued by an administrator). */
    newEnrolment() {
      const token = randomBytes(24).toString('base64url');
      return {
        token,
        hash: hashToken(token),
        expires: new Date(clock().getTime() + access.enrolmentHours * 3_600_000),
        secret: newTotpSecret(),
      };
    },
  };

  function validSetup(token: unknown) {
    if (!setup || typeof token !== 'string' || hashToken(token) !== setup.hash || clock().getTime() > setup.expires) {
      throw new NotAuthenticatedError('setup link unknown, used or expired');
    }
    return setup;
  }

  async function validEnrolment(token: unknown): Promise<User> {
    const user = typeof token === 'string' && token.length < 100 ? await findUserBy(client, 'enrol_token_hash', hashToken(token)) : null;
    if (!user || user.status !== 'pending' || !user.enrolExpires || user.enrolExpires.getTime() < clock().getTime()) {
      throw new NotAuthenticatedError('enrolment link unknown, used or expired; ask the ALPR administrator for a new one');
    }
    return user;
  }
}

function parseField<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } },
  value: unknown,
  param: string,
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new InvalidInputError(`invalid ${param}`, [{ param, message: r.error.issues[0]?.message ?? 'invalid' }]);
  return r.data;
}

export function parseDisplayName(v: unknown): string {
  if (typeof v !== 'string' || !/^[^\p{Cc}<>]{1,120}$/u.test(v.trim()) || !v.trim()) {
    throw new InvalidInputError('invalid displayName', [
      { param: 'displayName', message: '1-120 characters, no control characters or angle brackets' },
    ]);
  }
  return v.trim();
}

export type Enrolment = ReturnType<typeof createEnrolment>;
