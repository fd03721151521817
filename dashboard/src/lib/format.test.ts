import { afterEach, describe, expect, it } from 'vitest';
import { fmtAgo, fmtClock, fmtDate, fmtTime, fromZoneInput, setTimeZone, timeZone, toZoneInput } from './format.ts';

afterEach(() => setTimeZone('America/New_York'));

describe('format helpers: one time zone, the appliance one', () => {
  it("formats in the appliance's zone whatever the browser's is, with the zone named", () => {
    const t = '2026-07-04T16:05:09.000Z';
    expect(fmtTime(t)).toBe('2026-07-04 12:05:09 EDT');
    expect(fmtDate(t)).toBe('2026-07-04');
    expect(fmtClock(t)).toBe('12:05:09');
    setTimeZone('America/Chicago');
    expect(fmtTime(Date.parse(t))).toBe('2026-07-04 11:05:09 CDT');
    // In winter the abbreviation follows standard time.
    expect(fmtTime('2026-01-10T03:00:00Z')).toBe('2026-01-09 21:00:00 CST');
  });

  it('keeps the zone when given an unknown or empty name, and shows a dash for no date', () => {
    setTimeZone('Mars/Olympus');
    setTimeZone(undefined);
    expect(timeZone()).toBe('America/New_York');
    expect(fmtTime('not a date')).toBe('–');
    expect(fmtAgo('')).toBe('–');
  });

  it('says how long ago, coarsely, both ways', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(fmtAgo(now - 3_000, now)).toBe('just now');
    expect(fmtAgo(now - 42_000, now)).toBe('42 s ago');
    expect(fmtAgo(now - 3 * 60_000 - 5_000, now)).toBe('3 min ago');
    expect(fmtAgo(now - 2 * 3_600_000, now)).toBe('2 h ago');
    expect(fmtAgo(now - 86_400_000, now)).toBe('1 day ago');
    expect(fmtAgo(now - 5 * 86_400_000, now)).toBe('5 days ago');
    expect(fmtAgo(now + 120_000, now)).toBe('in 2 min');
  });

  it('reads and writes datetime-local values in the zone, across a DST change', () => {
    expect(toZoneInput('2026-07-04T16:05:59Z')).toBe('2026-07-04T12:05');
    expect(fromZoneInput('2026-07-04T12:05')).toBe('2026-07-04T16:05:00.000Z');
    expect(fromZoneInput('2026-01-04T12:05')).toBe('2026-01-04T17:05:00.000Z');
    // The evening after the spring change (2026-03-08) is already on daylight time.
    expect(fromZoneInput('2026-03-08T20:00')).toBe('2026-03-09T00:00:00.000Z');
    expect(fromZoneInput('2026-03-07T20:00')).toBe('2026-03-08T01:00:00.000Z');
    expect(fromZoneInput('')).toBeUndefined();
    setTimeZone('Asia/Kolkata');
    expect(fromZoneInput(toZoneInput('2026-05-05T05:05:00Z'))).toBe('2026-05-05T05:05:00.000Z');
  });
});
