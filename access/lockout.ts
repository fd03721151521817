import type { AuthState } from './users.ts';

/**
 * Lockout after repeated failed sign-ins (CJIS 5.5.3: at most 5 consecutive attempts), as pure
 * state transitions. A lock of 0 minutes lasts until an administrator unlocks the account,
 * stored as a far-future time so that one column answers "locked until when".
 */
export const UNTIL_ADMIN = new Date('2299-01-01T00:00:00Z');

export interface LockoutPolicy {
  attempts: number;
  minutes: number;
}

export function isLocked(s: AuthState, now: Date): boolean {
  return s.lockedUntil !== null && s.lockedUntil.getTime() > now.getTime();
}

/** null when the lock waits for an administrator. */
export function lockedUntilForDisplay(s: AuthState): Date | null {
  return s.lockedUntil && s.lockedUntil.getTime() >= UNTIL_ADMIN.getTime() ? null : s.lockedUntil;
}

export function afterFailure(s: AuthState, now: Date, p: LockoutPolicy): AuthState {
  // A lock that ran out starts a fresh count, so one more miss does not relock at once.
  const base = s.lockedUntil && !isLocked(s, now) ? 0 : s.failedAttempts;
  const failedAttempts = base + 1;
  const lock = failedAttempts >= p.attempts;
  return {
    ...s,
    failedAttempts,
    lockedUntil: lock
      ? p.minutes === 0
        ? UNTIL_ADMIN
        : new Date(now.getTime() + p.minutes * 60_000)
      : s.lockedUntil && isLocked(s, now)
        ? s.lockedUntil
        : null,
  };
}

export function afterSuccess(s: AuthState, totpStep: number, now: Date): AuthState {
  return { failedAttempts: 0, lockedUntil: null, totpLastStep: Math.max(s.totpLastStep, totpStep), lastLoginAt: now };
}

export function unlocked(s: AuthState): AuthState {
  return { ...s, failedAttempts: 0, lockedUntil: null };
}
