import { describe, expect, it } from 'vitest';
import { makeRead } from '../test/helpers/reads.ts';
import { normalizePlate } from './plate.ts';
import { plateReadSchema } from './read.ts';
import { subjects, subjectToken } from './subjects.ts';

describe('plate reads', () => {
  it('normalises plate text for matching', () => {
    expect(normalizePlate('abc-1234')).toBe('ABC1234');
    expect(normalizePlate(' AB C 12 ')).toBe('ABC12');
  });

  it('accepts a valid read and refuses malformed ones with reasons', () => {
    expect(plateReadSchema.safeParse(makeRead()).success).toBe(true);
    const bad = plateReadSchema.safeParse(makeRead({ plate: '---', confidence: 2, state: 'ZZ' as never, capturedAt: 'yesterday' }));
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['plate', 'confidence', 'state', 'capturedAt']));
  });

  it('builds subjects only from safe tokens', () => {
    expect(subjects.read('cam-1')).toBe('alpr.reads.cam-1');
    expect(() => subjectToken('cam.>')).toThrow();
    expect(() => subjects.read('a b')).toThrow();
  });
});
