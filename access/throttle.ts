import type { ThrottleConfig } from '../contracts/index.ts';
import { RateLimitedError } from './errors.ts';

/**
 * Sliding-window counters: at most `limit` events per key within `windowMs`. Pure apart from
 * the injected clock, so tests move time instead of waiting. Memory is bounded: past `maxKeys`
 * the keys with nothing left in their window go first, then the oldest; losing a key only
 * forgets a count, and the per-account lockout in the store still stands behind it.
 */
export class SlidingWindowLimiter {
  readonly #events = new Map<string, number[]>();

  constructor(
    private readonly opts: { limit: number; windowMs: number; maxKeys?: number },
    private readonly clock: () => number = Date.now,
  ) {}

  /** Milliseconds until the key may act once more; 0 when it may now. */
  waitMs(key: string): number {
    const now = this.clock();
    const live = this.#live(key, now);
    if (live.length < this.opts.limit) return 0;
    // The (limit)th newest event must leave the window before another fits.
    return live[live.length - this.opts.limit]! + this.opts.windowMs - now;
  }

  hit(key: string): void {
    const now = this.clock();
    const live = this.#live(key, now);
    live.push(now);
    // Only the newest `limit` matter for the answer; older ones are dropped to keep memory flat.
    if (live.length > this.opts.limit) live.splice(0, live.length - this.opts.limit);
    this.#events.delete(key);
    this.#events.set(key, live);
    this.#bound(now);
  }

  /** Takes back the key's newest event (an attempt that turned out to be legitimate). */
  refund(key: string): void {
    this.#events.get(key)?.pop();
  }

  get size(): number {
    return this.#events.size;
  }

  #live(key: string, now: number): number[] {
    const all = this.#events.get(key) ?? [];
    const from = now - this.opts.windowMs;
    return all.filter((t) => t > from);
  }

  #bound(now: number): void {
    const max = this.opts.maxKeys ?? 10_000;
    if (this.#events.size <= max) return;
    for (const [k, times] of this.#events) if (times.every((t) => t <= now - this.opts.windowMs)) this.#events.delete(k);
    // Map order is last-hit order (hit re-inserts), so the first keys are the stalest.
    for (const k of this.#events.keys()) {
      if (this.#events.size <= max) break;
      this.#events.delete(k);
    }
  }
}

/** One address per client: an IPv4-mapped IPv6 address counts as its IPv4 one. */
export function addressKey(ip: string | null): string {
  if (!ip) return 'unknown';
  return ip.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1').toLowerCase();
}

/** Account names are compared as typed, but case and surrounding space cannot multiply a budget. */
export const accountKey = (name: string) => name.trim().toLowerCase().slice(0, 64);

/**
 * The limits in front of every credential check (sign-in, unlock, password change, enrolment,
 * first-start setup): attempts per address, failures per address, attempts per account name.
 * The failure budget of an address is below the lockout count, so one address is throttled
 * before its guesses can lock someone else's account; a name that does not exist has the same
 * budget as one that does, so the limits reveal nothing about which accounts exist.
 */
export class CredentialThrottle {
  readonly #addressAttempts: SlidingWindowLimiter;
  readonly #addressFailures: SlidingWindowLimiter;
  readonly #accountAttempts: SlidingWindowLimiter;

  constructor(cfg: ThrottleConfig, clock: () => number = Date.now) {
    const windowMs = cfg.windowMinutes * 60_000;
    this.#addressAttempts = new SlidingWindowLimiter({ limit: cfg.addressAttempts, windowMs }, clock);
    this.#addressFailures = new SlidingWindowLimiter({ limit: cfg.addressFailures, windowMs }, clock);
    this.#accountAttempts = new SlidingWindowLimiter({ limit: cfg.accountAttempts, windowMs }, clock);
  }

  /**
   * Admits one attempt from `ip` (naming `account` when known yet) or throws RateLimitedError
   * with the seconds to wait. A refused attempt is not counted, so Retry-After stays true.
   */
  admit(ip: string | null, account?: string): void {
    const addr = addressKey(ip);
    const acct = account === undefined ? null : accountKey(account);
    const wait = Math.max(
      this.#addressAttempts.waitMs(addr),
      this.#addressFailures.waitMs(addr),
      acct === null ? 0 : this.#accountAttempts.waitMs(acct),
    );
    if (wait > 0) throw new RateLimitedError(Math.max(1, Math.ceil(wait / 1000)));
    this.#addressAttempts.hit(addr);
    if (acct !== null) this.#accountAttempts.hit(acct);
  }

  /** Admits the account name of an attempt whose address was admitted already. */
  admitAccount(account: string): void {
    const acct = accountKey(account);
    const wait = this.#accountAttempts.waitMs(acct);
    if (wait > 0) throw new RateLimitedError(Math.max(1, Math.ceil(wait / 1000)));
    this.#accountAttempts.hit(acct);
  }

  /**
   * A successful sign-in (or unlock, password change) gives its account attempt back: the
   * account budget is there to slow guessing, and a user who signs in often, or unlocks a
   * locked screen through a shift, must not be kept out by their own successes.
   */
  succeeded(account: string): void {
    this.#accountAttempts.refund(accountKey(account));
  }

  /** Counts a failed attempt (wrong credentials, unknown token) against its address. */
  failed(ip: string | null): void {
    this.#addressFailures.hit(addressKey(ip));
  }
}
