import { describe, expect, it } from 'vitest';
import { holdCeiling, tacticalExpiry, toEpochSeconds } from './retention.ts';

const r = { tacticalDays: 30, holdMaxYears: 3 };

describe('retention rules', () => {
  it('keeps a read 30 days for tactical use', () => {
    expect(tacticalExpiry(new Date('2026-01-01T12:00:00Z'), r).toISOString()).toBe('2026-01-31T12:00:00.000Z');
    expect(tacticalExpiry(new Date('2026-01-01T12:00:00Z'), { ...r, tacticalDays: 7 }).toISOString()).toBe('2026-01-08T12:00:00.000Z');
  });

  it('caps a hold at 3 anniversary years', () => {
    expect(holdCeiling(new Date('2026-03-15T08:30:00Z'), r).toISOString()).toBe('2029-03-15T08:30:00.000Z');
    expect(holdCeiling(new Date('2026-03-15T08:30:00Z'), { ...r, holdMaxYears: 1 }).toISOString()).toBe('2027-03-15T08:30:00.000Z');
  });

  it('ends a 29 February hold on 28 February, never after the ceiling', () => {
    expect(holdCeiling(new Date('2028-02-29T10:00:00Z'), r).toISOString()).toBe('2031-02-28T10:00:00.000Z');
  });

  it('rounds expiry up to whole seconds so nothing is purged early', () => {
    expect(toEpochSeconds(new Date(1_000_001))).toBe(1001);
    expect(toEpochSeconds(new Date(1_000_000))).toBe(1000);
  });
});
