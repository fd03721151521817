import { describe, expect, it } from 'vitest';
import { nextGrant, type GateRequest } from './schedule.ts';

const req = (owner: string, urgency: number, since: number): GateRequest => ({ owner, n: 1, urgency, since });

describe('nextGrant', () => {
  it('grants nothing from an empty queue', () => {
    expect(nextGrant([], 0, 100)).toBe(-1);
  });

  it('grants the most urgent request first', () => {
    const q = [req('idle', 0, 0), req('reading', 3, 10), req('following', 1, 5)];
    expect(nextGrant(q, 20, 100)).toBe(1);
  });

  it('grants the oldest of equally urgent requests', () => {
    const q = [req('b', 2, 30), req('a', 2, 10), req('c', 2, 20)];
    expect(nextGrant(q, 40, 100)).toBe(1);
  });

  it('lets a long wait outrank urgency, so no camera starves', () => {
    // An idle look that has waited 500 ms (5 levels at 100 ms) goes before a fresh read at 4.
    const q = [req('fresh-read', 4, 1000), req('old-idle', 0, 500)];
    expect(nextGrant(q, 1000, 100)).toBe(1);
    // Waiting 300 ms is not enough.
    expect(nextGrant([req('fresh-read', 4, 1000), req('idle', 0, 700)], 1000, 100)).toBe(0);
  });
});
