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
}

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
  const idleMs = opts.idleMinutes * 60_000;
  const maxMs = opts.maxHours * 3_600_000;

  function sweep(now: number) {
    for (const [k, s] of sessions) if (now - s.createdAt > maxMs) sessions.delete(k);
  }

  return {
    create(username: string, ip: string | null): { token: string; session: Session } {
      const now = clock().getTime();
      sweep(now);
      const token = randomBytes(32).toString('base64url');
      const session: Session = { key: hashToken(token), username, createdAt: now, lastSeenAt: now, locked: false, csrf: randomBytes(24).toString('base64url'), ip };
      sessions.set(session.key, session);
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
        sessions.delete(s.key);
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

    unlock(s: Session): void {
      s.locked = false;
      s.lastSeenAt = clock().getTime();
    },

    checkCsrf(s: Session, header: string | undefined): void {
      const a = Buffer.from(header ?? '');
      const b = Buffer.from(s.csrf);
      if (a.length !== b.length || !timingSafeEqual(a, b)) throw new CsrfError();
    },

    destroy(s: Session): void {
      sessions.delete(s.key);
    },

    /** Ends every session of a user: on suspension, role change or credential reset. */
    destroyUser(username: string): number {
      let n = 0;
      for (const [k, s] of sessions) if (s.username === username) (sessions.delete(k), n++);
      return n;
    },

    get size() {
      return sessions.size;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
