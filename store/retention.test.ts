import { describe, expect, it } from 'vitest';
import { EXPIRES_AT_SQL, holdCeiling, ttlExpression } from './retention.ts';

const r = { tacticalDays: 30, holdMaxYears: 3 };

describe('retention rules', () => {
  it('writes the tactical period into the TTL, and nothing but a valid period', () => {
    expect(ttlExpression(30)).toBe('greatest(toDateTime(captured_at) + toIntervalDay(30), held_until)');
    expect(EXPIRES_AT_SQL).toContain('{days:UInt16}');
    for (const bad of [0, 1.5, 2000, Number.NaN]) expect(() => ttlExpression(bad)).toThrow(/bad tactical period/);
  });

  it('caps a hold at 3 anniversary years', () => {
    expect(holdCeiling(new Date('2026-03-15T08:30:00Z'), r).toISOString()).toBe('2029-03-15T08:30:00.000Z');
    expect(holdCeiling(new Date('2026-03-15T08:30:00Z'), { ...r, holdMaxYears: 1 }).toISOString()).toBe('2027-03-15T08:30:00.000Z');
  });

  it('ends a 29 February hold on 28 February, never after the ceiling', () => {
    expect(holdCeiling(new Date('2028-02-29T10:00:00Z'), r).toISOString()).toBe('2031-02-28T10:00:00.000Z');
  });
});
