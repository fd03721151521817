import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createCompiledWriter, hotlistSourceSchema, plateReadSchema, readCompiled, type CompiledRecord } from '../../contracts/index.ts';
import { BUILTIN_MAPPINGS, listRecords, parseHotlist } from '../../hotlist/index.ts';
import { insertRecords } from '../../hotlist/versions.ts';
import { ListBuilder, matchRead, toAlert } from '../../matcher/index.ts';
import { makeRead } from '../helpers/reads.ts';
import { startTestStore } from '../helpers/store.ts';

/**
 * Issue 31, point 3: the extract record's vehicle description (NCIC VMA, VMO, VST, VCO, VYR)
 * travels from the file through the compiled version and the matcher into the alert, so the
 * operator sees the "stolen 2019 Honda Civic" the record describes.
 */
const ncic = (lines: string[]) =>
  parseHotlist(Buffer.from(['LIC,LIS,NIC,MKE,ORI,VMA,VMO,VST,VCO,VYR', ...lines].join('\n') + '\n'), {
    format: 'csv',
    mapping: BUILTIN_MAPPINGS.ncic,
    maxBadFraction: 0.05,
  });

async function compiled(records: Parameters<ReturnType<typeof createCompiledWriter>['add']>[0][]): Promise<CompiledRecord[]> {
  const w = createCompiledWriter();
  for (const r of records) w.add(r);
  const out: CompiledRecord[] = [];
  await readCompiled([await w.finish()], (r) => out.push(r));
  return out;
}

describe('vehicle description of a record', () => {
  it('is parsed from NCIC extract fields, and null where the record gives none', () => {
    const { records } = ncic(['ABC1234,FL,V123456789,SV,FL0370000,hond,civ,4d,blu,2019', 'XYZ987,GA,V2,SV,GA0600000,,,,,']);
    expect(records[0]!.vehicle).toEqual({ make: 'HOND', model: 'CIV', style: '4D', colour: 'BLU', year: '2019' });
    expect(records[1]!.vehicle).toBeNull();
    const json = parseHotlist(Buffer.from('{"plate":"QRS12","record_id":"A1","category":"stolen","color":"Red/Whi","year":"2015"}\n'), {
      format: 'jsonl',
      mapping: BUILTIN_MAPPINGS.standard,
      maxBadFraction: 0,
    });
    expect(json.records[0]!.vehicle).toEqual({ make: null, model: null, style: null, colour: 'RED/WHI', year: '2015' });
  });

  it('survives the compiled version, and versions compiled before it are still read', async () => {
    const { records } = ncic(['ABC1234,FL,V1,SV,FL0370000,HOND,CIV,,BLU,2019', 'XYZ987,GA,V2,SV,GA0600000,,,,,']);
    const back = await compiled(records);
    expect(back.map((r) => r.vehicle)).toEqual([{ make: 'HOND', model: 'CIV', style: null, colour: 'BLU', year: '2019' }, null]);
    const v1 = gzipSync(
      'alpr-hotlist-v1\trecordId\tplate\twildcard\tstate\tplateType\tcategory\tori\tpriority\texpiresAt\nR1\tABC1234\t0\tFL\t\tstolen_vehicle\t\t3\t\n',
    );
    const old: CompiledRecord[] = [];
    expect(await readCompiled([v1], (r) => old.push(r))).toBe(1);
    expect(old[0]).toMatchObject({ recordId: 'R1', plate: 'ABC1234', vehicle: null });
  });

  it('reaches the alert the matcher raises', async () => {
    const b = new ListBuilder({ source: 'ncic', versionId: 'v1', extractedAt: Date.now() });
    for (const r of await compiled(ncic(['ABC1234,FL,V1,SV,FL0370000,HOND,CIV,4D,BLU,2019', 'XYZ987,GA,V2,SV,GA0600000,,,,,']).records))
      b.add(r);
    const list = { list: b.build(), policy: hotlistSourceSchema.parse({ name: 'ncic' }) };
    const hit = (plate: string, state: string) => {
      const read = plateReadSchema.parse(makeRead({ plate, state: state as 'FL' }));
      const [h] = matchRead(read, [list], Date.now());
      return toAlert(read, h!, list.list, new Date());
    };
    expect(hit('ABC1234', 'FL').record.vehicle).toEqual({ make: 'HOND', model: 'CIV', style: '4D', colour: 'BLU', year: '2019' });
    expect(hit('XYZ987', 'GA').record.vehicle).toBeNull();
  });

  it('is kept with the stored records, which historical hits are raised from', async () => {
    const store = await startTestStore();
    try {
      const { records } = ncic(['ABC1234,FL,V1,SV,FL0370000,HOND,CIV,4D,BLU,2019', 'XYZ987,GA,V2,SV,GA0600000,,,,,']);
      await insertRecords(
        store.client,
        'v1',
        'ncic',
        records.map((r, i) => ({ ...r, line: i + 2, createdBy: 'import', createdAt: null, reason: '' })),
      );
      const back = await listRecords(store.client, 'v1', { limit: 10, offset: 0 });
      expect(back.map((r) => [r.plate, r.vehicle])).toEqual([
        ['ABC1234', { make: 'HOND', model: 'CIV', style: '4D', colour: 'BLU', year: '2019' }],
        ['XYZ987', null],
      ]);
    } finally {
      await store.stop();
    }
  });
});
