import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CsrfError, NotAuthenticatedError, SessionLockedError } from './errors.ts';

/**
 * Browser sessions, held in the core's memory only. The cookie carries 256 random bits; the
 * map is keyed by their SHA-256, so not even a heap dump yields a usable cookie. A restart
 * ends every session, which is the safe failure. Sessions lock after the idle limit (CJIS
 * 5.5.5): the session survives but reveals nothing until password and code are given again.
 */
export interface Session {
  readonly key: string;
  readonly username: string;
  readonly createdAt: number;
  lastSeenAt: number;
  locked: boolean;
  /** Double-submit token for state-changing requests; not a cookie, so another site cannot send it. */
  readonly csrf: string;
  readonly ip: string | null;
  /**
   * Aborted when the session ends (sign-out, expiry, suspension, role change, credential reset
   * or password change), so that a long-lived response such as the live alert stream stops at once.
   */
  readonly ended: AbortSignal;
}

export type SessionState = 'live' | 'locked' | 'ended';

export interface SessionStoreOptions {
  idleMinutes: number;
  maxHours: number;
  clock?: () => Date;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const SESSION_COOKIE = 'alpr_session';

export function createSessionStore(opts: SessionStoreOptions) {
  const clock = opts.clock ?? (() => new Date());
  const sessions = new Map<string, Session>();
  const enders = new Map<string, AbortController>();
  const idleMs = opts.idleMinutes * 60_000;
  const maxMs = opts.maxHours * 3_600_000;

  function end(s: Session, why: string) {
    sessions.delete(s.key);
    enders.get(s.key)?.abort(why);
    enders.delete(s.key);
  }

  function sweep(now: number) {
    for (const s of sessions.values()) if (now - s.createdAt > maxMs) end(s, 'expired');
  }

  return {
    create(username: string, ip: string | null): { token: string; session: Session } {
      const now = clock().getTime();
      sweep(now);
      const token = randomBytes(32).toString('base64url');
      const ender = new AbortController();
      const session: Session = {
        key: hashToken(token),
        username,
        createdAt: now,
        lastSeenAt: now,
        locked: false,
        csrf: randomBytes(24).toString('base64url'),
        ip,
        ended: ender.signal,
      };
      sessions.set(session.key, session);
      enders.set(session.key, ender);
      return { token, session };
    },

    /**
     * The live session for a cookie value, or an error: unknown (forged, ended, from before a
     * restart), past its lifetime, or locked by inactivity. `touch` marks activity.
     */
    resolve(token: string | undefined, touch = true): Session {
      if (!token || token.length > 100) throw new NotAuthenticatedError('sign in first');
      const s = sessions.get(hashToken(token));
      if (!s) throw new NotAuthenticatedError('session unknown or ended; sign in again');
      const now = clock().getTime();
      if (now - s.createdAt > maxMs) {
        end(s, 'expired');
        throw new NotAuthenticatedError('session expired; sign in again');
      }
      if (!s.locked && now - s.lastSeenAt > idleMs) s.locked = true;
      if (s.locked) throw new SessionLockedError();
      if (touch) s.lastSeenAt = now;
      return s;
    },

    /** A locked session's record, for unlocking it; unknown and expired ones still fail. */
    peek(token: string | undefined): Session {
      if (!token || token.length > 100) throw new NotAuthenticatedError('sign in first');
      const s = sessions.get(hashToken(token));
      if (!s || clock().getTime() - s.createdAt > maxMs) throw new NotAuthenticatedError('session unknown or ended; sign in again');
      return s;
    },

    /** Whether a session may still be served, without counting as activity (the live stream asks before each event). */
    state(s: Session): SessionState {
      const now = clock().getTime();
      if (sessions.get(s.key) !== s || now - s.createdAt > maxMs) return 'ended';
      if (!s.locked && now - s.lastSeenAt > idleMs) s.locked = true;
      return s.locked ? 'locked' : 'live';
    },

    unlock(s: Session): void {
      s.locked = false;
      s.lastSeenAt = clock().getTime();
    },

    checkCsrf(s: Session, header: string | undefined): void {
      const a = Buffer.from(header ?? '');
      const b = Buffer.from(s.csrf);
      if (a.length !== b.length || !timingSafeEqual(a, b)) throw new CsrfError();
    },

    destroy(s: Session, why = 'signed out'): void {
      end(s, why);
    },

    /**
     * Ends every session of a user (on suspension, role change, credential reset), or every one
     * but `keep` (a password change keeps the session it was made in).
     */
    destroyUser(username: string, keep?: Session, why = 'account changed'): number {
      let n = 0;
      for (const s of [...sessions.values()]) if (s.username === username && s !== keep) end(s, why), n++;
      return n;
    },

    get size() {
      return sessions.size;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
