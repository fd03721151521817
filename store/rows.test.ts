import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { plateReadSchema } from '../contracts/index.ts';
import { makeRead } from '../test/helpers/reads.ts';
import { locationId, READ_COLUMNS, readRow } from './rows.ts';

describe('reads rows', () => {
  const read = plateReadSchema.parse(makeRead({ plate: 'AB-C 123', candidates: [{ text: 'abc124', confidence: 0.123 }] }));

  it('lists the columns in the order readRow writes them (inserts send values by position)', () => {
    expect(Object.keys(readRow(read))).toEqual(READ_COLUMNS);
    const row = readRow(read);
    expect(row.plate_norm).toBe('ABC123');
    expect(row.plate_text).toBe('AB-C 123');
    expect(row.candidate_texts).toEqual(['ABC124']);
    expect(row.candidate_confidences).toEqual([0.12]);
  });

  it('keeps location ids of stored rows: a hash of the location content, whatever the cache key', () => {
    const { lat, lon, description } = read.location;
    const content = JSON.stringify([read.cameraId, lat, lon, description, read.direction]);
    const expected = createHash('sha256').update(content).digest().readBigUInt64BE(0).toString();
    expect(locationId(read)).toBe(expected);
    expect(locationId(read)).toBe(expected); // cached
    expect(locationId({ ...read, direction: 'S' })).not.toBe(expected);
    expect(locationId(read)).toBe(expected); // the camera back where it was
    expect(locationId({ ...read, location: { ...read.location, lat: read.location.lat + 1e-6 } })).not.toBe(expected);
  });
});
