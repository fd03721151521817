import { describe, expect, it } from 'vitest';
import { plateReadSchema } from '../contracts/index.ts';
import { makeRead } from '../test/helpers/reads.ts';
import { ReadsEncoder } from './reads.ts';
import { locationId, readRow } from './rows.ts';

const read = (over: Parameters<typeof makeRead>[0]) => plateReadSchema.parse(makeRead(over));
const lines = (body: Buffer) =>
  body
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown[]);

describe('ReadsEncoder', () => {
  it('writes one row line per read in column order, growing its buffer past the expected size', () => {
    const reads = Array.from({ length: 50 }, (_, i) => read({ plate: `ÅB${i}`, cameraId: `cam-${i % 3}` }));
    const encoder = new ReadsEncoder({ expectedReads: 1 });
    for (const r of reads) encoder.add(r);
    const out = encoder.finish();
    expect(out.count).toBe(50);
    expect(lines(out.body)).toEqual(reads.map((r) => Object.values(readRow(r))));
    expect([...out.locations.keys()].sort()).toEqual([...new Set(reads.map((r) => locationId(r)))].sort());
  });

  it('leaves out the reads refused after encoding, with their crops and the locations only they brought', () => {
    const known = read({ cameraId: 'cam-known' });
    const kept = read({ cameraId: 'cam-a', cropJpeg: Buffer.from('a').toString('base64') });
    const refused = read({ cameraId: 'cam-rogue', cropJpeg: Buffer.from('r').toString('base64') });
    const keptToo = read({ cameraId: 'cam-a' });
    const encoder = new ReadsEncoder({ knownLocations: new Set([locationId(known)]) });
    for (const r of [known, kept, refused, keptToo]) encoder.add(r);
    const out = encoder.finish((i) => i !== 2);
    expect(out.count).toBe(3);
    expect(lines(out.body).map((l) => l[0])).toEqual([known.id, kept.id, keptToo.id]);
    expect(out.images.map((i) => i.read_id)).toEqual([kept.id]);
    expect([...out.locations.keys()]).toEqual([locationId(kept)]); // not the known one, not the refused camera's
  });
});
