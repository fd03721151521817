import { describe, expect, it } from 'vitest';
import { BUILTIN_MAPPINGS, HotlistFormatError } from '../../hotlist/index.ts';
import { createHotlistParser, HotlistRefusedError, parseHotlist, type ParseSummary } from '../../hotlist/index.ts';
import { MAX_PLATE_LENGTH, type HotlistRecord } from '../../hotlist/index.ts';
import { FUZZ_SEED, fuzzIterations, mutate, Rng } from './prng.ts';

/**
 * Fuzzing the hotlist parser (an extract is a file from outside the box: the one input most
 * likely to be truncated, mis-encoded or hostile). Whatever the bytes, the parser either
 * returns canonical records with an honest summary, or refuses the file with its own error;
 * it never throws anything else, and how the bytes are cut into chunks changes nothing.
 */
const enc = (s: string) => new TextEncoder().encode(s);
const opts = (format: 'csv' | 'jsonl') => ({ format, mapping: BUILTIN_MAPPINGS.ncic, maxBadFraction: 0.3 });

const HEADER = 'LIC,LIS,LIT,NIC,FILE,ORI,DOE,EXP,priority,MIS\n';
function validCsv(rng: Rng, n: number): string {
  let s = HEADER;
  for (let i = 0; i < n; i++) {
    const plate = rng.pick(['ABC' + (1000 + i), `${i}XY${i % 7}`, 'QRS*', 'A?C12' + (i % 10), 'tag ' + i]);
    const notes = rng.pick(['', 'blue sedan', '"quoted, with comma"', '"two\nlines"', '"say ""hi"""']);
    s += `${plate},FL,PC,NIC${i},${rng.pick(['V', 'LP', 'W', 'amber', 'SD'])},FL0370000,2026-01-0${(i % 9) + 1},,${rng.pick(['', '2', '9'])},${notes}\n`;
  }
  return s;
}
function validJsonl(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    s +=
      JSON.stringify({
        LIC: `JS${i}${rng.int(0, 99)}`,
        LIS: 'GA',
        NIC: `J${i}`,
        FILE: 'V',
        DOE: '20260101',
        MIS: rng.chance(0.2) ? rng.nastyString() : 'ok',
      }) + '\n';
  }
  return s;
}

type Outcome = { ok: true; records: HotlistRecord[]; summary: ParseSummary } | { ok: false; error: string; message: string };

function parseWhole(data: Uint8Array, format: 'csv' | 'jsonl'): Outcome {
  try {
    return { ok: true, ...parseHotlist(data, opts(format)) };
  } catch (err) {
    if (err instanceof HotlistRefusedError || err instanceof HotlistFormatError)
      return { ok: false, error: err.name, message: err.message };
    throw new Error(`parser threw ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
}

function parseChunked(rng: Rng, data: Uint8Array, format: 'csv' | 'jsonl'): Outcome {
  const records: HotlistRecord[] = [];
  const p = createHotlistParser({ ...opts(format), onRecord: (r) => records.push(r) });
  try {
    for (let i = 0; i < data.length; ) {
      const n = rng.chance(0.3) ? rng.int(1, 3) : rng.int(1, 200);
      p.push(data.subarray(i, i + n));
      i += n;
    }
    return { ok: true, records, summary: p.end() };
  } catch (err) {
    if (err instanceof HotlistRefusedError || err instanceof HotlistFormatError)
      return { ok: false, error: err.name, message: err.message };
    throw err;
  }
}

function checkRecords(records: HotlistRecord[], summary: ParseSummary, what: string) {
  expect(summary.records, what).toBe(records.length);
  expect(summary.bad, what).toBeLessThanOrEqual(summary.lines);
  expect(summary.records + summary.bad, what).toBeLessThanOrEqual(summary.lines);
  for (const p of summary.problems) {
    expect(p.line, what).toBeGreaterThan(0);
    expect(p.reason.length, what).toBeGreaterThan(0);
  }
  for (const r of records) {
    expect(r.plate, what).toMatch(r.wildcard ? /^[A-Z0-9?*]+$/ : /^[A-Z0-9]+$/);
    expect(r.plate.replace(/\*/g, '').length, what).toBeLessThanOrEqual(MAX_PLATE_LENGTH);
    // A wildcard entry keeps at least two known characters, else it would match nearly every read.
    if (r.wildcard) expect(r.plate.replace(/[*?]/g, '').length, `${what}: ${r.plate}`).toBeGreaterThanOrEqual(2);
    expect(r.recordId.length, what).toBeGreaterThan(0);
    expect(r.priority, what).toBeGreaterThanOrEqual(1);
    expect(r.priority, what).toBeLessThanOrEqual(9);
    // Canonical text travels tab-separated in the compiled version: one printable, well-formed line.
    for (const v of [r.recordId, r.category, r.state, r.plateType, r.ori, r.notes]) {
      if (v === null) continue;
      expect(v, what).not.toMatch(/[\t\n\r\0]/);
      expect(v, `${what}: ill-formed text`).not.toMatch(/\p{Cs}/u);
    }
  }
}

describe(`hotlist parser under fuzzing (seed ${FUZZ_SEED})`, () => {
  for (const format of ['csv', 'jsonl'] as const) {
    it(`${format}: mutated extracts give records or a clear refusal, the same however the bytes are chunked`, () => {
      const rng = new Rng(FUZZ_SEED * 31 + (format === 'csv' ? 1 : 2));
      const n = fuzzIterations(400);
      let accepted = 0,
        refused = 0;
      for (let i = 0; i < n; i++) {
        const base = enc(format === 'csv' ? validCsv(rng, rng.int(1, 40)) : validJsonl(rng, rng.int(1, 40)));
        const data = rng.chance(0.1) ? rng.bytes(rng.int(0, 400)) : mutate(rng, base);
        const what = `${format} seed ${FUZZ_SEED} input ${i}: ${JSON.stringify(Buffer.from(data).toString('latin1').slice(0, 300))}`;
        const whole = parseWhole(data, format);
        if (whole.ok) {
          accepted++;
          checkRecords(whole.records, whole.summary, what);
        } else {
          refused++;
          expect(whole.message.length, what).toBeGreaterThan(10);
        }
        const chunked = parseChunked(rng, data, format);
        expect(chunked, what).toEqual(whole);
      }
      // The mutations are meant to leave many files importable and refuse others: both paths ran.
      expect(accepted).toBeGreaterThan(n / 10);
      expect(refused).toBeGreaterThan(n / 20);
    });
  }

  it('JSON lines with hostile values: objects, arrays, numbers, lone surrogates, prototype keys', () => {
    const rng = new Rng(FUZZ_SEED * 7);
    const values = [
      null,
      true,
      12,
      -1.5,
      Number.POSITIVE_INFINITY,
      [],
      ['A'],
      {},
      { a: 1 },
      '\ud800',
      'A\u0000B',
      'x'.repeat(600),
      '__proto__',
      'ABC123',
    ];
    for (let i = 0; i < fuzzIterations(300); i++) {
      const line: Record<string, unknown> = { LIC: 'ABC123', NIC: `R${i}`, FILE: 'V' };
      for (let k = rng.int(1, 3); k > 0; k--)
        line[rng.pick(['LIC', 'NIC', 'FILE', 'LIS', 'DOE', 'EXP', 'MIS', 'priority', '__proto__', 'constructor'])] = rng.pick(values);
      const text = JSON.stringify(line) + '\n' + JSON.stringify({ LIC: 'GOOD1', NIC: 'G', FILE: 'V' }) + '\n';
      const out = parseWhole(enc(text), 'jsonl');
      const what = `input ${i}: ${text}`;
      if (out.ok) checkRecords(out.records, out.summary, what);
      else expect(out.message, what).toMatch(/refused/);
    }
  });
});
