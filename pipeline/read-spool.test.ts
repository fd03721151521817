import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRead } from '../test/helpers/reads.ts';
import { ReadSpool } from './read-spool.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'alpr-spool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('read spool', () => {
  it('keeps unconfirmed reads across a reopen (a crash) and forgets confirmed ones', () => {
    const file = path.join(dir, 'a', 'cam.jsonl');
    const s = ReadSpool.open(file);
    const reads = [makeRead({ plate: 'AAA111' }), makeRead({ plate: 'BBB222' }), makeRead({ plate: 'CCC333' })];
    for (const r of reads) s.add(r);
    s.done([reads[1]!.id, 'not-in-the-spool']);
    expect(s.size).toBe(2);
    // No close: the process died.
    const again = ReadSpool.open(file);
    expect(
      again
        .due(Date.now())
        .map((r) => r.plate)
        .sort(),
    ).toEqual(['AAA111', 'CCC333']);
    // Reopening compacts the file to what is pending.
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    again.close();
    again.close();
  });

  it('skips a torn last line (power lost mid-append)', () => {
    const file = path.join(dir, 'torn.jsonl');
    const s = ReadSpool.open(file);
    s.add(makeRead({ plate: 'DDD444' }));
    s.close();
    appendFileSync(file, '{"a":{"id":"12345678-1234-4123-8123-1234567');
    const again = ReadSpool.open(file);
    expect(again.due(Date.now()).map((r) => r.plate)).toEqual(['DDD444']);
    again.close();
  });

  it('asks about a read once it is old enough, then waits its turn again', () => {
    const s = ReadSpool.open(path.join(dir, 'due.jsonl'));
    const r = makeRead();
    s.add(r);
    expect(s.due(Date.now() - 10_000)).toEqual([]);
    expect(s.due(Date.now() + 1).map((x) => x.id)).toEqual([r.id]);
    s.checked([r.id]);
    expect(s.due(Date.now() - 10_000)).toEqual([]);
    expect(() => (s.close(), s.add(makeRead()))).toThrow(/closed/);
  });

  it('compacts itself when confirmed reads pile up', () => {
    const file = path.join(dir, 'big.jsonl');
    const s = ReadSpool.open(file);
    const big = 'x'.repeat(40_000);
    for (let i = 0; i < 40; i++) {
      const r = makeRead({ cropJpeg: big });
      s.add(r);
      s.done([r.id]);
    }
    expect(s.size).toBe(0);
    s.close();
    expect(readFileSync(file).length).toBeLessThan(1024 * 1024);
  });
});
