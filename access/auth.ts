import { createHash, randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { AccessConfig, AuditSink } from '../contracts/index.ts';
import { AccountLockedError, ForbiddenError, InvalidCredentialsError, InvalidInputError, NotAuthenticatedError } from './errors.ts';
import { afterFailure, afterSuccess, isLocked, lockedUntilForDisplay } from './lockout.ts';
import { decoyHash, verifyPassword } from './passwords.ts';
import type { SessionStore } from './sessions.ts';
import { verifyTotp } from './totp.ts';
import { findUserBy, getAuthState, getUser, putAuthState, type User } from './users.ts';
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
  clock?: () => Date;
}

/**
 * Sign-in: password (scrypt) AND a TOTP code for every person, lockout after repeated
 * failures, replayed codes refused. Checks for one user run one at a time (keyed mutex), so
 * concurrent guesses cannot race past the failed-attempt count.
 */
export function createAuthService(opts: AuthServiceOptions) {
  const { client, access, audit, sessions } = opts;
  const clock = opts.clock ?? (() => new Date());
  const lock = keyedMutex();
  let decoy: Promise<string> | null = null;

  /** Verifies credentials, counting failures; returns the user on success. */
  async function check(cred: Credentials, ip: string | null, action: 'login' | 'unlock'): Promise<User> {
    const username = typeof cred.username === 'string' ? cred.username.slice(0, 64) : '';
    return lock(username, async () => {
      const now = clock();
      const user = username ? await getUser(client, username) : null;
      if (!user || user.kind !== 'person' || !user.passwordHash) {
        await verifyPassword(String(cred.password ?? ''), await (decoy ??= decoyHash(access.scrypt)));
        await audit.append({ actor: username || 'anonymous', action: `${action}.failure`, outcome: 'denied', detail: 'unknown user or no password set', ip });
        throw new InvalidCredentialsError();
      }
      const state = await getAuthState(client, username);
      if (isLocked(state, now)) {
        await audit.append({ actor: username, action: `${action}.failure`, outcome: 'denied', detail: 'account locked', ip });
        throw new AccountLockedError(lockedUntilForDisplay(state));
      }
      const passwordOk = await verifyPassword(String(cred.password ?? ''), user.passwordHash);
      const step = user.totpEnabled ? verifyTotp(user.totpSecret, String(cred.code ?? ''), now, state.totpLastStep) : null;
      if (!passwordOk || step === null) {
        const next = afterFailure(state, now, { attempts: access.lockoutAttempts, minutes: access.lockoutMinutes });
        await putAuthState(client, username, next, now);
        const why = !passwordOk ? 'wrong password' : user.totpEnabled ? 'wrong or replayed code' : 'no MFA enrolled';
        const locked = isLocked(next, now);
        await audit.append({
          actor: username,
          action: `${action}.failure`,
          outcome: 'denied',
          detail: `${why}; ${next.failedAttempts} consecutive failure(s)${locked ? '; account locked' : ''}`,
          ip,
        });
        if (locked) throw new AccountLockedError(lockedUntilForDisplay(next));
        throw new InvalidCredentialsError();
      }
      // Checked after the password, so that a guesser learns nothing about the account.
      if (user.status !== 'active') {
        await putAuthState(client, username, { ...state, totpLastStep: step }, now);
        await audit.append({ actor: username, action: `${action}.failure`, outcome: 'denied', detail: `account ${user.status}`, ip });
        throw new ForbiddenError(user.status === 'suspended' ? 'account suspended; contact the ALPR administrator' : 'enrolment not completed');
      }
      await putAuthState(client, username, afterSuccess(state, step, now), now);
      return user;
    });
  }

  return {
    async login(body: Credentials & { bannerAccepted?: unknown }, ip: string | null) {
      if (body.bannerAccepted !== true) throw new InvalidInputError('accept the system-use notice to sign in', [{ param: 'bannerAccepted', message: 'must be true' }]);
      const user = await check(body, ip, 'login');
      const { token, session } = sessions.create(user.username, ip);
      await audit.append({ actor: user.username, action: 'login.success', outcome: 'ok', detail: 'password and TOTP; system-use notice accepted', ip });
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

    /** The service account behind a bearer token, or an error. */
    async authenticateToken(token: string, ip: string | null): Promise<User> {
      const user = /^alpr_[A-Za-z0-9_-]{43}$/.test(token) ? await findUserBy(client, 'token_hash', hashToken(token)) : null;
      if (!user || user.kind !== 'service') {
        await audit.append({ actor: 'anonymous', action: 'token.failure', outcome: 'denied', detail: 'unknown API token', ip });
        throw new NotAuthenticatedError('unknown API token');
      }
      return user;
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
