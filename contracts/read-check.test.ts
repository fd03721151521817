import { describe, expect, it } from 'vitest';
import { makeRead } from '../test/helpers/reads.ts';
import { checkReadFast } from './read-check.ts';
import { plateReadSchema } from './read.ts';

/** A read as it arrives on the bus: JSON, as the publisher wrote it. */
const wire = (over = {}) => JSON.parse(JSON.stringify(plateReadSchema.parse(makeRead(over)))) as Record<string, unknown>;

/** Values a field may be replaced with: the plausible, the hostile and the nearly right. */
const VALUES: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'x'.repeat(16),
  'x'.repeat(17),
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(201),
  0,
  -0.01,
  0.5,
  1,
  1.01,
  -91,
  91,
  181,
  1.5,
  100_000,
  100_001,
  true,
  [],
  {},
  [1, 2, 3],
  [1, 2, 3, 4],
  [1, 2, 3, 'x'],
  'NaN',
  '---',
  'ab-12',
  'ABC1234',
  'FL',
  'fl',
  'XX',
  'N',
  'unknown',
  'north',
  'cam-1',
  'Cam-1',
  '-cam',
  'c'.repeat(63),
  'c'.repeat(64),
  '2026-11-29T17:21:14.113Z',
  '2026-02-30T00:00:00.000Z',
  '2024-02-29T00:00:00.000Z',
  '1900-02-29T00:00:00.000Z',
  '2100-02-29T00:00:00.000Z',
  '2000-02-29T00:00:00.000Z',
  '2026-13-01T00:00:00.000Z',
  '2026-00-10T00:00:00.000Z',
  '2026-11-31T00:00:00.000Z',
  '2026-11-00T00:00:00.000Z',
  '2026-11-29T24:00:00.000Z',
  '2026-11-29T23:60:00.000Z',
  '2026-11-29T23:59:60.000Z',
  '2026-11-29t23:59:59.000Z',
  '2026-11-29T23:59:59.000z',
  '2026-1x-29T00:00:00.000Z',
  '2026-11-29T23:59:59,000Z',
  '2026-11-29T17:21:14Z',
  '2026-11-29T17:21:14.113+00:00',
  '+275760-09-13T00:00:00.000Z',
  '0000-01-01T00:00:00.000Z',
  '00000000-0000-0000-0000-000000000000',
  '0190b3a2-7c1e-7abc-9def-0123456789ab',
  '0190B3A2-7C1E-7ABC-9DEF-0123456789AB',
  '0190b3a2-7c1e-0abc-9def-0123456789ab',
  '0190b3a2-7c1e-7abc-cdef-0123456789ab',
  [{ text: 'ABC1234', confidence: 0.1 }],
  [{ text: 'ABC1234', confidence: 0.1, extra: 1 }],
  [{ text: '', confidence: 0.1 }],
  Array.from({ length: 11 }, () => ({ text: 'A1', confidence: 0.1 })),
  { lat: 1, lon: 2, description: 'x' },
  { lat: 1, lon: 2 },
  { lat: 1, lon: 2, description: 'x', z: 1 },
  'aGVsbG8=',
  'not base64!',
];
const FIELDS = [
  'id',
  'siteId',
  'cameraId',
  'capturedAt',
  'firstSeenAt',
  'lastSeenAt',
  'plate',
  'confidence',
  'candidates',
  'state',
  'stateConfidence',
  'location',
  'location.lat',
  'location.lon',
  'location.description',
  'direction',
  'framesSeen',
  'box',
  'cropJpeg',
  'extra',
  '__proto__',
  'candidates.0.text',
  'candidates.0.confidence',
];

function mutate(read: Record<string, unknown>, field: string, value: unknown): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(read)) as Record<string, unknown>;
  const path = field.split('.');
  let target: Record<string, unknown> = copy;
  for (const p of path.slice(0, -1)) target = target[p] as Record<string, unknown>;
  const last = path.at(-1)!;
  if (value === undefined) delete target[last];
  else if (last === '__proto__') Object.defineProperty(target, last, { value, enumerable: true, configurable: true, writable: true });
  else target[last] = value;
  return copy;
}

describe('fast read check', () => {
  it('accepts a read as the pipeline publishes it, giving what the schema gives', () => {
    for (const over of [{}, { candidates: [] }, { state: null }, { box: [1, 2, 3, 4] as [number, number, number, number] }]) {
      const read = wire(over);
      expect(checkReadFast(JSON.parse(JSON.stringify(read)))).toEqual(plateReadSchema.parse(read));
    }
    const bare = wire();
    delete bare.candidates;
    delete bare.stateConfidence;
    expect(checkReadFast(JSON.parse(JSON.stringify(bare)))).toEqual(plateReadSchema.parse(bare)); // defaults filled in
  });

  it('never accepts what the schema refuses (every field, hostile and nearly right values)', () => {
    let accepted = 0;
    let checked = 0;
    for (const base of [wire(), wire({ candidates: [], state: null, box: [0, 0, 10, 5] })]) {
      for (const field of FIELDS) {
        for (const value of VALUES) {
          if (field.startsWith('candidates.') && !(base.candidates as unknown[]).length) continue;
          const candidate = mutate(base, field, value);
          const fast = checkReadFast(JSON.parse(JSON.stringify(candidate)));
          const schema = plateReadSchema.safeParse(JSON.parse(JSON.stringify(candidate)));
          checked++;
          if (fast) {
            accepted++;
            expect(schema.success, `${field} = ${JSON.stringify(value)}`).toBe(true);
            expect(fast).toEqual(schema.data);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(2000);
    expect(accepted).toBeGreaterThan(100); // and it does accept plenty: it is not a check that refuses everything
  });

  it('leaves crops and times with an offset to the schema', () => {
    expect(checkReadFast(wire({ cropJpeg: 'aGVsbG8=' }))).toBeNull();
    expect(checkReadFast({ ...wire(), capturedAt: '2026-11-29T17:21:14.113+00:00' })).toBeNull();
    expect(plateReadSchema.safeParse({ ...wire(), capturedAt: '2026-11-29T17:21:14.113+00:00' }).success).toBe(true);
  });
});
