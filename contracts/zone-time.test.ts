import { describe, expect, it } from 'vitest';
import { zoneParts, zoneStamp } from './zone-time.ts';

describe('zoneStamp', () => {
  it('writes a moment as it reads in the named zone, daylight time and standard time named', () => {
    expect(zoneStamp('2026-07-04T16:05:09Z', 'America/New_York')).toBe('2026-07-04 12:05:09 EDT');
    expect(zoneStamp(Date.UTC(2026, 0, 1, 5, 0, 0), 'America/New_York')).toBe('2026-01-01 00:00:00 EST');
    expect(zoneStamp(new Date('2026-01-01T05:00:00Z'), 'America/Chicago')).toBe('2025-12-31 23:00:00 CST');
  });

  it('gives the parts the dashboard builds its shorter forms from, hours 00 to 23', () => {
    expect(zoneParts('2026-03-14T04:30:00Z', 'America/New_York')).toMatchObject({
      year: '2026',
      month: '03',
      day: '14',
      hour: '00',
      minute: '30',
    });
  });
});
