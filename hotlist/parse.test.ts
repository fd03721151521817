import { describe, expect, it } from 'vitest';
import { BUILTIN_MAPPINGS, HotlistFormatError } from './mappings.ts';
import { HotlistRefusedError, parseHotlist, splitCsv } from './parse.ts';
import { toRecord, parseDate, RecordError } from './record.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const opts = { format: 'csv' as const, mapping: BUILTIN_MAPPINGS.standard, maxBadFraction: 0.2 };
const HEADER = 'plate,state,record_id,category,ori,entered_at,expires_at,priority,notes\n';
const good = (n: number) =>
  Array.from({ length: n }, (_, i) => `ABC${1000 + i},FL,R${i},stolen vehicle,FL0370000,2026-01-0${(i % 9) + 1},,,\n`).join('');

describe('CSV records', () => {
  it('splits quoted fields with commas, doubled quotes and reports an open quote', () => {
    expect(splitCsv('a,"b,c","say ""hi""",')).toEqual(['a', 'b,c', 'say "hi"', '']);
    expect(splitCsv('a,"open')).toBeNull();
  });

  it('parses a documented file into canonical records', () => {
    const { records, summary } = parseHotlist(
      enc(HEADER + 'abc-123,fl,NIC/V123,SV,fl0370000,20260105,01/31/2027,2,"blue sedan, tinted"\nQRS*,,W1,amber,,,,,\n'),
      opts,
    );
    expect(summary).toMatchObject({ lines: 2, records: 2, bad: 0 });
    expect(records[0]).toMatchObject({
      plate: 'ABC123',
      state: 'FL',
      recordId: 'NIC/V123',
      category: 'stolen_vehicle',
      ori: 'FL0370000',
      priority: 2,
      notes: 'blue sedan, tinted',
      expiresAt: Date.UTC(2027, 0, 31),
    });
    expect(records[1]).toMatchObject({ plate: 'QRS*', wildcard: true, category: 'amber', priority: 1 });
  });

  it('keeps a quoted note with a line break and numbers lines as the file does', () => {
    const { records, summary } = parseHotlist(
      enc(HEADER + 'AAA111,FL,R1,SV,,,,,"line one\nline two"\nBBB222,FL,R2,SV,,,,,\n,FL,R3,SV,,,,,\n'),
      { ...opts, maxBadFraction: 0.5 },
    );
    expect(records.map((r) => r.recordId)).toEqual(['R1', 'R2']);
    expect(summary.problems).toEqual([{ line: 5, reason: 'plate: missing' }]);
  });

  it('reports each malformed line with its number and reason, and imports the rest', () => {
    const body =
      good(20) +
      'ABC1,FL,R90,SV,,2026-02-31,,,\nABC2,Florida,R91,SV,,,,,\nABC3,FL,R92,SV,,,,12,\nABC4,FL\nTOOLONGPLATE123,FL,R93,SV,,,,,\n';
    const { records, summary } = parseHotlist(enc(HEADER + body), { ...opts, maxBadFraction: 0.5 });
    expect(records).toHaveLength(20);
    expect(summary.problems).toEqual([
      { line: 22, reason: expect.stringContaining('enteredAt') },
      { line: 23, reason: expect.stringContaining('state') },
      { line: 24, reason: expect.stringContaining('priority') },
      { line: 25, reason: expect.stringContaining('truncated line') },
      { line: 26, reason: expect.stringContaining('more than 10') },
    ]);
  });

  it('refuses a file that is mostly garbage, whole, with the problems listed', () => {
    const body = good(3) + Array.from({ length: 10 }, () => 'garbage without commas\n').join('');
    expect(() => parseHotlist(enc(HEADER + body), opts)).toThrow(HotlistRefusedError);
    try {
      parseHotlist(enc(HEADER + body), opts);
    } catch (err) {
      expect((err as HotlistRefusedError).summary).toMatchObject({ records: 3, bad: 10 });
      expect((err as HotlistRefusedError).summary.problems[0]?.line).toBe(5);
    }
  });

  it('refuses a file with a header and no record, unless a hand edit emptied an agency list', () => {
    expect(() => parseHotlist(enc(HEADER), opts)).toThrow(/no valid record in 0 data lines/);
    expect(parseHotlist(enc(HEADER), { ...opts, allowEmpty: true }).summary).toMatchObject({ records: 0, lines: 0, bad: 0 });
    // Lines that are all bad are still a refusal: nothing in them was meant to be empty.
    expect(() => parseHotlist(enc(HEADER + ',FL,R1,stolen,,,,,\n'), { ...opts, allowEmpty: true })).toThrow(HotlistRefusedError);
  });

  it('refuses a binary file early and a header that fits no mapping', () => {
    const binary = Buffer.alloc(300_000);
    for (let i = 0; i < binary.length; i++) binary[i] = (i * 7919) % 256;
    expect(() => parseHotlist(Buffer.concat([Buffer.from(HEADER), binary]), opts)).toThrow(HotlistRefusedError);
    expect(() => parseHotlist(enc('a,b,c\n1,2,3\n'), opts)).toThrow(HotlistFormatError);
    expect(() => parseHotlist(enc(''), opts)).toThrow(/empty/);
  });

  it('refuses UTF-16, strips a UTF-8 BOM, reports Latin-1 lines as not UTF-8', () => {
    expect(() => parseHotlist(Buffer.from('\ufeff' + HEADER + good(2), 'utf16le'), opts)).toThrow(/UTF-16/);
    expect(parseHotlist(enc('\ufeff' + HEADER + good(2)), opts).records).toHaveLength(2);
    const latin1 = Buffer.concat([Buffer.from(HEADER + good(9)), Buffer.from('ABC9,FL,R99,SV,,,,,caf\xe9\n', 'latin1')]);
    const { summary } = parseHotlist(latin1, opts);
    expect(summary.problems).toEqual([{ line: 11, reason: expect.stringContaining('UTF-8') }]);
  });

  it('reports a truncated file (open quote at the end) and an endless line without buffering it', () => {
    const { summary } = parseHotlist(enc(HEADER + good(9) + 'ABC9,FL,R99,SV,,,,,"cut off'), opts);
    expect(summary.problems).toEqual([{ line: 11, reason: expect.stringContaining('truncated') }]);
    const huge = HEADER + good(9) + 'X'.repeat(200_000) + '\n' + good(1);
    const r = parseHotlist(enc(huge), opts);
    expect(r.summary.problems).toEqual([{ line: 11, reason: expect.stringContaining('longer than') }]);
    expect(r.records).toHaveLength(10);
  });

  it('refuses control characters and hostile text in fields', () => {
    const { summary } = parseHotlist(enc(HEADER + good(9) + 'ABC9,FL,R\u0000,SV,,,,,\n'), opts);
    expect(summary.problems[0]?.reason).toMatch(/control characters/);
  });
});

describe('JSON lines', () => {
  const j = { ...opts, format: 'jsonl' as const, mapping: BUILTIN_MAPPINGS.ncic };
  it('maps keys, reports non-objects, nested values and bad JSON; ignores __proto__', () => {
    const lines = [
      '{"LIC":"ABC123","LIS":"FL","NIC":"V1","FILE":"SV","__proto__":{"polluted":1}}',
      '[1,2]',
      '{"LIC":{"x":1},"NIC":"V2","FILE":"SV"}',
      '{"LIC":"ABC',
      ...Array.from({ length: 20 }, (_, i) => JSON.stringify({ lic: `Z${i}AA`, nic: `N${i}`, file: 'W' })),
    ];
    const { records, summary } = parseHotlist(enc(lines.join('\n')), j);
    expect(records).toHaveLength(21);
    expect(records[0]).toMatchObject({ plate: 'ABC123', category: 'stolen_vehicle' });
    expect(records[1]).toMatchObject({ category: 'wanted_person' });
    expect(summary.problems.map((p) => p.line)).toEqual([2, 3, 4]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('records', () => {
  it('dates: calendar dates only', () => {
    expect(parseDate('d', '2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(() => parseDate('d', '2023-02-29')).toThrow(RecordError);
    expect(() => parseDate('d', 'yesterday')).toThrow(RecordError);
  });
  it("notes with a person's identifiers refuse the record, by line, and ordinary notes pass", () => {
    expect(() => toRecord({ plate: 'ABC123', recordId: 'x', category: 'sv', notes: 'owner DOB 01/02/1980' })).toThrow(
      /notes: .*a date of birth/,
    );
    expect(toRecord({ plate: 'ABC123', recordId: 'x', category: 'sv', notes: 'blue sedan, 2 doors, rear damage' }).notes).toBe(
      'blue sedan, 2 doors, rear damage',
    );
    const { records, summary } = parseHotlist(enc(HEADER + good(20) + 'PII1,FL,R99,SV,,,,,"registered to 123 Main St, (850) 555-0100"\n'), {
      ...opts,
      maxBadFraction: 0.5,
    });
    expect(records).toHaveLength(20);
    expect(summary.problems).toEqual([{ line: 22, reason: expect.stringMatching(/^notes: .*a street address and a phone number/) }]);
  });
  it('wildcards need two known characters', () => {
    expect(() => toRecord({ plate: 'A*', recordId: 'x', category: 'sv' })).toThrow(/wildcard/);
    expect(() => toRecord({ plate: '**', recordId: 'x', category: 'sv' })).toThrow(/wildcard/);
  });
});
