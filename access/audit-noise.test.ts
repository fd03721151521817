import { describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../contracts/index.ts';
import { silentLogger } from '../contracts/index.ts';
import { createAuditNoise, NoiseCounter, summaryEvent } from './audit-noise.ts';

function clock(start = Date.parse('2026-03-01T12:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('NoiseCounter', () => {
  it('lets the first refusal of an address through and counts the rest of its window', () => {
    const c = clock();
    const n = new NoiseCounter(60_000, c.now);
    expect(n.note('192.0.2.1', 'reads.search')).toBe(true);
    expect(n.note('192.0.2.2', 'reads.search')).toBe(true);
    for (let i = 0; i < 59; i++) expect(n.note('192.0.2.1', i % 2 ? 'reads.search' : 'token.failure')).toBe(false);
    expect(n.drain()).toEqual([]);
    c.advance(60_000);
    const [s, ...rest] = n.drain();
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ address: '192.0.2.1', ip: '192.0.2.1', count: 59, actions: { 'token.failure': 30, 'reads.search': 29 } });
    // A window with nothing after its first request needs no summary; the next request opens a new one.
    expect(n.note('192.0.2.1', 'reads.search')).toBe(true);
  });

  it('summarises a window that ended when its address comes back, and everything on a full drain', () => {
    const c = clock();
    const n = new NoiseCounter(60_000, c.now);
    n.note('198.51.100.1', 'a');
    n.note('198.51.100.1', 'a');
    c.advance(61_000);
    expect(n.note('198.51.100.1', 'a')).toBe(true);
    n.note('198.51.100.1', 'b');
    expect(n.drain(true).map((s) => [s.count, s.actions])).toEqual([
      [1, { a: 1 }],
      [1, { b: 1 }],
    ]);
  });

  it('pools addresses beyond the tracked number, so memory stays bounded', () => {
    const n = new NoiseCounter(60_000, clock().now, 2);
    expect(n.note('10.0.0.1', 'x')).toBe(true);
    expect(n.note('10.0.0.2', 'x')).toBe(true);
    expect(n.note('10.0.0.3', 'x')).toBe(true);
    expect(n.note('10.0.0.4', 'x')).toBe(false);
    const pooled = n.drain(true).find((s) => s.address === '*');
    expect(pooled).toMatchObject({ ip: null, count: 1 });
    expect(summaryEvent(pooled!).detail).toMatch(
      /^1 further refused request\(s\) without identity from addresses beyond the tracked number/,
    );
  });
});

describe('createAuditNoise', () => {
  it('writes one entry in full and one summary for sixty refusals from one address', async () => {
    const c = clock();
    const written: AuditEventInput[] = [];
    const noise = createAuditNoise({
      audit: { append: async (e) => void written.push(e) },
      windowMs: 5 * 60_000,
      logger: silentLogger,
      clock: () => new Date(c.now()),
    });
    for (let i = 0; i < 60; i++) {
      await noise.record({
        actor: 'anonymous',
        action: 'access',
        outcome: 'denied',
        detail: 'sign in first',
        ip: '192.0.2.9',
        target: `/api/reads/${i}`,
      });
      c.advance(1000);
    }
    expect(written.map((e) => e.target ?? e.action)).toEqual(['/api/reads/0']);
    c.advance(5 * 60_000);
    await noise.flush();
    noise.stop();
    expect(written).toHaveLength(2);
    expect(written[1]).toMatchObject({
      actor: 'anonymous',
      action: 'anonymous.refused.summary',
      outcome: 'denied',
      ip: '192.0.2.9',
      query: { count: 59, actions: { access: 59 } },
    });
    expect(written[1]!.detail).toMatch(
      /^59 further refused request\(s\) without identity from this address between 2026-03-01T12:00:00\.000Z and 2026-03-01T12:00:59\.000Z: 59 x access$/,
    );
  });

  it('never throws when the audit log fails: the refusal stands either way', async () => {
    const noise = createAuditNoise({
      audit: { append: async () => Promise.reject(new Error('store down')) },
      windowMs: 60_000,
      logger: silentLogger,
    });
    await expect(noise.record({ actor: 'anonymous', action: 'access', outcome: 'denied', ip: null })).resolves.toBeUndefined();
    noise.stop();
  });
});
