import { describe, expect, it } from 'vitest';
import { plateReadSchema } from './read.ts';
import { newReadId, readIdTime } from './read-id.ts';

describe('newReadId', () => {
  it('is a valid UUIDv7 carrying the capture millisecond', () => {
    const at = Date.parse('2026-11-29T13:45:01.234Z');
    const id = newReadId('cam-north', at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(readIdTime(id)).toBe(at);
    expect(plateReadSchema.shape.id.safeParse(id).success).toBe(true);
  });

  it('never repeats for one camera and millisecond, and differs between cameras', () => {
    const at = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => newReadId('cam-a', at)));
    expect(ids.size).toBe(10_000);
    const a = newReadId('cam-a', at);
    const b = newReadId('cam-b', at);
    expect(a.slice(19, 28)).not.toBe(b.slice(19, 28));
  });

  it('sorts by capture time, so reads of one camera keep their order', () => {
    const ids = [3, 1, 2].map((s) => newReadId('cam-a', 1_700_000_000_000 + s * 1000));
    expect([...ids].sort().map(readIdTime)).toEqual([1_700_000_001_000, 1_700_000_002_000, 1_700_000_003_000]);
  });
});
