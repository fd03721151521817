import { createHash, randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { AccessConfig, AuditSink } from '../contracts/index.ts';
import type { AuditNoise } from './audit-noise.ts';
import {
  AccountLockedError,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidInputError,
  NotAuthenticatedError,
  RateLimitedError,
} from './errors.ts';
import { afterFailure, afterSuccess, isLocked, lockedUntilForDisplay } from './lockout.ts';
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import type { Session, SessionStore } from './sessions.ts';
import type { CredentialThrottle } from './throttle.ts';
import { verifyTotp } from './totp.ts';
import { findUserBy, FRESH_AUTH_STATE, getAuthState, getUser, putAuthState, putUser, type AuthState, type User } from './users.ts';
import { keyedMutex } from './versions.ts';

/** API tokens of service accounts: 256 random bits, stored as SHA-256 (they carry full entropy, no KDF needed). */
export function newApiToken(): { token: string; hash: string } {
  const token = `alpr_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface Credentials {
  username: string;
  password: string;
  code: string;
}

export interface AuthServiceOptions {
  client: ClickHouseClient;
  access: AccessConfig;
  audit: AuditSink;
  sessions: SessionStore;
  throttle: CredentialThrottle;
  noise: AuditNoise;
  clock?: () => Date;
}

/**
 * Admits one credential attempt through the throttle, or refuses it (429) before any hash is
 * computed. A refusal of an attempt without identity goes to the summarised audit noise.
 */
export async function admitAttempt(
  throttle: CredentialThrottle,
  noise: AuditNoise | null,
  action: string,
  ip: string | null,
  account?: string,
): Promise<void> {
  try {
    throttle.admit(ip, account);
  } catch (err) {
    if (err instanceof RateLimitedError && noise)
      await noise.record({ actor: 'anonymous', action: `${action}.throttled`, outcome: 'denied', detail: err.message, ip });
    throw err;
  }
}

/** Unknown names whose failures are counted in memory, like real accounts' in the store. */
const PHANTOMS_MAX = 10_000;

/**
 * Sign-in: password (scrypt) AND a TOTP code for every person, lockout after repeated
 * failures, replayed codes refused. Checks for one user run one at a time (keyed mutex), so
 * concurrent guesses cannot race past the failed-attempt count.
 *
 * A name that does not exist is answered exactly like one that does: the same hash is computed,
 * its failures are counted (in memory) and lock it after the same number, with the same words.
 * Otherwise "locked" after five tries would tell anyone which accounts exist.
 */
export function createAuthService(opts: AuthServiceOptions) {
  const { client, access, audit, sessions, throttle, noise } = opts;
  const clock = opts.clock ?? (() => new Date());
  const lock = keyedMutex();
  const policy = { attempts: access.lockoutAttempts, minutes: access.lockoutMinutes };
  const phantoms = new Map<string, AuthState>();
  let decoy: Promise<string> | null = null;

  function remember(name: string, state: AuthState) {
    phantoms.delete(name);
    phantoms.set(name, state);
    if (phantoms.size > PHANTOMS_MAX) phantoms.delete(phantoms.keys().next().value!);
  }

  /** Verifies credentials, counting failures; returns the user on success. */
  async function check(cred: Credentials, ip: string | null, action: 'login' | 'unlock' | 'password'): Promise<User> {
    const username = typeof cred.username === 'string' ? cred.username.slice(0, 64) : '';
    await admitAttempt(throttle, action === 'password' ? null : noise, action, ip, username);
    return lock(username, async () => {
      const now = clock();
      const found = username ? await getUser(client, username) : null;
      const user = found && found.kind === 'person' && found.passwordHash ? found : null;
      // Read for every name, so that an unknown one costs the same queries.
      const stored = await getAuthState(client, username);
      const state = user ? stored : (phantoms.get(username) ?? { ...FRESH_AUTH_STATE });
      // The hash runs in every case, locked or not, known or not: time says nothing either.
      const passwordOk =
        (await verifyPassword(String(cred.password ?? ''), user?.passwordHash ?? (await (decoy ??= decoyHash(access.scrypt))))) &&
        user !== null;
      const why = user ? '' : 'unknown user or no password set; ';
      if (isLocked(state, now)) {
        throttle.failed(ip);
        await audit.append({
          actor: username || 'anonymous',
          action: `${action}.failure`,
          outcome: 'denied',
          detail: `${why}account locked`,
          ip,
        });
        throw new AccountLockedError(lockedUntilForDisplay(state));
      }
      const step = user?.totpEnabled ? verifyTotp(user.totpSecret, String(cred.code ?? ''), now, state.totpLastStep) : null;
      if (!user || !passwordOk || step === null) {
        const next = afterFailure(state, now, policy);
        if (user) await putAuthState(client, username, next, now);
        else if (username) remember(username, next);
        throttle.failed(ip);
        const what = !user
          ? why.slice(0, -2)
          : !passwordOk
            ? 'wrong password'
            : user.totpEnabled
              ? 'wrong or replayed code'
              : 'no MFA enrolled';
        const locked = isLocked(next, now);
        await audit.append({
          actor: username || 'anonymous',
          action: `${action}.failure`,
          outcome: 'denied',
          detail: `${what}; ${next.failedAttempts} consecutive failure(s)${locked ? '; account locked' : ''}`,
          ip,
        });
        if (locked) throw new AccountLockedError(lockedUntilForDisplay(next));
        throw new InvalidCredentialsError();
      }
      // Checked after the password, so that a guesser learns nothing about the account.
      if (user.status !== 'active') {
        await putAuthState(client, username, { ...state, totpLastStep: step }, now);
        await audit.append({ actor: username, action: `${action}.failure`, outcome: 'denied', detail: `account ${user.status}`, ip });
        throw new ForbiddenError(
          user.status === 'suspended' ? 'account suspended; contact the ALPR administrator' : 'enrolment not completed',
        );
      }
      await putAuthState(client, username, afterSuccess(state, step, now), now);
      throttle.succeeded(username);
      return user;
    });
  }

  return {
    async login(body: Credentials & { bannerAccepted?: unknown }, ip: string | null) {
      if (body.bannerAccepted !== true)
        throw new InvalidInputError('accept the system-use notice to sign in', [{ param: 'bannerAccepted', message: 'must be true' }]);
      const user = await check(body, ip, 'login');
      const { token, session } = sessions.create(user.username, ip);
      await audit.append({
        actor: user.username,
        action: 'login.success',
        outcome: 'ok',
        detail: 'password and TOTP; system-use notice accepted',
        ip,
      });
      return { token, session, user };
    },

    /** Unlocks an idle-locked session: the same credentials, for the session's own user. */
    async unlock(token: string | undefined, cred: Omit<Credentials, 'username'>, ip: string | null) {
      const session = sessions.peek(token);
      await check({ ...cred, username: session.username }, ip, 'unlock');
      sessions.unlock(session);
      await audit.append({ actor: session.username, action: 'unlock.success', outcome: 'ok', ip });
      return session;
    },

    /**
     * A signed-in person changes their password: the current one and a fresh authenticator code,
     * counted toward lockout like a sign-in (a lock ends every session of the account, since
     * whoever holds this one is guessing). Success ends the user's other sessions; this one stays.
     * Returns how many sessions it ended, for the audit entry.
     */
    async changePassword(
      principal: { username: string; kind: 'person' | 'service'; session: Session | null },
      body: { currentPassword: string; newPassword: string; code: string },
      ip: string | null,
    ): Promise<{ endedSessions: number }> {
      if (principal.kind !== 'person') throw new ForbiddenError('service accounts have no password; rotate the API token instead');
      const problem = passwordProblem(body.newPassword, { minLength: access.passwordMinLength, username: principal.username });
      if (problem) throw new InvalidInputError('password refused', [{ param: 'newPassword', message: problem }]);
      if (body.newPassword === body.currentPassword)
        throw new InvalidInputError('password refused', [{ param: 'newPassword', message: 'must differ from the current password' }]);
      let user: User;
      try {
        user = await check({ username: principal.username, password: body.currentPassword, code: body.code }, ip, 'password');
      } catch (err) {
        if (err instanceof AccountLockedError) sessions.destroyUser(principal.username, undefined, 'account locked');
        throw err;
      }
      const now = clock();
      const fresh = (await getUser(client, user.username)) ?? user;
      await putUser(
        client,
        {
          ...fresh,
          passwordHash: await hashPassword(body.newPassword, access.scrypt),
          changedBy: user.username,
          change: 'password changed by its user',
        },
        now,
      );
      return { endedSessions: sessions.destroyUser(user.username, principal.session ?? undefined, 'password changed') };
    },

    /** The service account behind a bearer token, or an error. */
    async authenticateToken(token: string, ip: string | null): Promise<User> {
      const user = /^alpr_[A-Za-z0-9_-]{43}$/.test(token) ? await findUserBy(client, 'token_hash', hashToken(token)) : null;
      if (!user || user.kind !== 'service') {
        await noise.record({ actor: 'anonymous', action: 'token.failure', outcome: 'denied', detail: 'unknown API token', ip });
        throw new NotAuthenticatedError('unknown API token');
      }
      return user;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
