import { describe, expect, it } from 'vitest';
import { accessSchema } from '../contracts/index.ts';
import { RateLimitedError } from './errors.ts';
import { addressKey, CredentialThrottle, SlidingWindowLimiter } from './throttle.ts';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function refusal(fn: () => void): RateLimitedError | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (err instanceof RateLimitedError) return err;
    throw err;
  }
}

describe('SlidingWindowLimiter', () => {
  it('admits `limit` events per window and says how long until the oldest leaves it', () => {
    const c = clock();
    const l = new SlidingWindowLimiter({ limit: 3, windowMs: 60_000 }, c.now);
    for (let i = 0; i < 3; i++) {
      expect(l.waitMs('a')).toBe(0);
      l.hit('a');
      c.advance(10_000);
    }
    // Hits at 0, 10 and 20 s; now 30 s: the first leaves the window at 60 s.
    expect(l.waitMs('a')).toBe(30_000);
    expect(l.waitMs('b')).toBe(0);
    c.advance(29_999);
    expect(l.waitMs('a')).toBe(1);
    c.advance(1);
    expect(l.waitMs('a')).toBe(0);
    l.hit('a');
    // Now 10, 20 and 60 s are in the window: the next slot opens when 10 s leaves it, at 70 s.
    expect(l.waitMs('a')).toBe(10_000);
  });

  it('keeps memory bounded, dropping keys with nothing in their window first', () => {
    const c = clock();
    const l = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, maxKeys: 3 }, c.now);
    l.hit('old');
    c.advance(2000);
    l.hit('x');
    l.hit('y');
    l.hit('z');
    expect(l.size).toBe(3);
    expect(l.waitMs('x')).toBeGreaterThan(0);
    expect(l.waitMs('old')).toBe(0);
  });
});

describe('CredentialThrottle', () => {
  const cfg = { windowMinutes: 15, addressFailures: 4, addressAttempts: 30, accountAttempts: 10 };

  it('refuses an address after its failure budget, with the seconds until one leaves the window', () => {
    const c = clock();
    const t = new CredentialThrottle(cfg, c.now);
    for (let i = 0; i < 4; i++) {
      expect(refusal(() => t.admit('192.0.2.1', `user-${i}`))).toBeNull();
      t.failed('192.0.2.1');
      c.advance(1000);
    }
    const r = refusal(() => t.admit('192.0.2.1', 'user-9'));
    expect(r?.status).toBe(429);
    expect(r?.retryAfterSeconds).toBe(15 * 60 - 4);
    // Another address is not affected, nor is the same one once the window has moved on.
    expect(refusal(() => t.admit('192.0.2.2', 'user-9'))).toBeNull();
    c.advance(15 * 60_000);
    expect(refusal(() => t.admit('192.0.2.1', 'user-9'))).toBeNull();
  });

  it('limits attempts naming one account from any address, known or not alike', () => {
    const c = clock();
    const t = new CredentialThrottle(cfg, c.now);
    for (let i = 0; i < 10; i++) expect(refusal(() => t.admit(`198.51.100.${i}`, 'Chief '))).toBeNull();
    expect(refusal(() => t.admit('198.51.100.99', 'chief'))?.retryAfterSeconds).toBe(15 * 60);
    expect(refusal(() => t.admit('198.51.100.99', 'someone-else'))).toBeNull();
  });

  it("gives a successful attempt back to its account: a user's own sign-ins never throttle them", () => {
    const c = clock();
    const t = new CredentialThrottle(cfg, c.now);
    for (let i = 0; i < 25; i++) {
      expect(refusal(() => t.admit(`198.51.100.${i}`, 'officer'))).toBeNull();
      t.succeeded('Officer');
    }
    // Failures still count: ten from anywhere and the account waits.
    for (let i = 0; i < 10; i++) expect(refusal(() => t.admit(`203.0.113.${i}`, 'officer'))).toBeNull();
    expect(refusal(() => t.admit('203.0.113.99', 'officer'))?.retryAfterSeconds).toBe(15 * 60);
  });

  it('does not count a refused attempt, so that Retry-After stays true', () => {
    const c = clock();
    const t = new CredentialThrottle({ ...cfg, addressAttempts: 2 }, c.now);
    t.admit('203.0.113.5');
    t.admit('203.0.113.5');
    for (let i = 0; i < 5; i++) expect(refusal(() => t.admit('203.0.113.5'))?.retryAfterSeconds).toBe(15 * 60);
    c.advance(15 * 60_000);
    expect(refusal(() => t.admit('203.0.113.5'))).toBeNull();
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 one, and no address as one client', () => {
    expect(addressKey('::ffff:10.0.0.7')).toBe('10.0.0.7');
    expect(addressKey('2001:DB8::1')).toBe('2001:db8::1');
    expect(addressKey(null)).toBe('unknown');
    const t = new CredentialThrottle({ ...cfg, addressFailures: 1 }, clock().now);
    t.failed('::ffff:10.0.0.7');
    expect(refusal(() => t.admit('10.0.0.7'))).not.toBeNull();
  });
});

describe('access.throttle settings', () => {
  it('refuse an address failure budget that would let one address lock an account', () => {
    expect(accessSchema.parse({}).throttle).toEqual({ windowMinutes: 15, addressFailures: 4, addressAttempts: 30, accountAttempts: 10 });
    const r = accessSchema.safeParse({ lockoutAttempts: 3, throttle: { addressFailures: 3 } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({
      path: ['throttle', 'addressFailures'],
      message: 'must be below lockoutAttempts (3): one address could otherwise lock any account by guessing',
    });
    expect(accessSchema.safeParse({ lockoutAttempts: 3, throttle: { addressFailures: 2 } }).success).toBe(true);
  });
});
