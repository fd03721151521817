import { describe, expect, it } from 'vitest';
import { hotlistSourceSchema } from '../contracts/index.ts';
import { toRecord } from '../hotlist/index.ts';
import { ListBuilder } from './list.ts';
import { alertId, matchRead, type ActiveList } from './match.ts';
import { confKey, exactKey, decodeExactKey, forEachKeyWithinOneEdit, confDigits } from './keys.ts';
import { confusionKey } from '../contracts/index.ts';
import { keysWithinOneEdit } from '../store/index.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

function list(
  rows: Record<string, string>[],
  policy: Partial<ReturnType<typeof hotlistSourceSchema.parse>> = {},
  extractedAt = NOW - 3600_000,
): ActiveList {
  const b = new ListBuilder({ source: 'ncic', versionId: 'v1', extractedAt });
  for (const r of rows) b.add(toRecord({ category: 'stolen_vehicle', ...r }));
  return { list: b.build(), policy: hotlistSourceSchema.parse({ name: 'ncic', ...policy }) };
}

const read = (plate: string, state: string | null = 'FL', candidates: { text: string; confidence: number }[] = []) =>
  ({ plate, state, candidates }) as never;

describe('plate keys', () => {
  it('round-trips exact keys and folds confusion classes', () => {
    expect(decodeExactKey(exactKey('ABC1234'))).toBe('ABC1234');
    expect(confKey('ABC1234')).toBe(confKey('A8C1Z34'));
    expect(confKey('O0DQ')).toBe(confKey('0000'));
    expect(confKey('ABC1234')).not.toBe(confKey('ABC1235'));
  });

  it('enumerates exactly the keys store/plate-patterns keysWithinOneEdit names', () => {
    for (const plate of ['AB12', 'XYZ9876', 'Q', 'AABB', '12345678']) {
      const d = new Uint8Array(10);
      const k = confDigits(plate, d);
      const got = new Set<number>();
      forEachKeyWithinOneEdit(d, plate.length, k, (v) => got.add(v));
      got.add(k);
      const want = new Set(
        keysWithinOneEdit(confusionKey(plate))
          .filter((s) => s.length <= 10)
          .map((s) => confKey(s)),
      );
      expect(got).toEqual(want);
    }
  });
});

describe('fuzzyEntries against brute force', () => {
  // Sized up front, the gap filter fills as entries arrive; under-sized, it is rebuilt from the keys.
  it.each([
    ['sized', 3000],
    ['rebuilt', undefined],
  ])('finds every entry within one edit in confusion space, and no other, over random lists (%s)', (_how, sizeHint) => {
    let seed = 42;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    // A small alphabet makes neighbours common, so the filters are exercised on real hits.
    const plate = (min: number, max: number) =>
      Array.from({ length: min + Math.floor(rand() * (max - min + 1)) }, () => 'AB8C0O1'[Math.floor(rand() * 7)]).join('');
    const b = new ListBuilder({ source: 's', versionId: 'v', extractedAt: NOW }, sizeHint);
    const plates = Array.from({ length: 3000 }, () => plate(1, 10));
    // States vary so that chains of one key mix them: each hit carries its own entry's state.
    plates.forEach((p, i) =>
      b.add(toRecord({ plate: p, recordId: `R${i}`, category: 'stolen_vehicle', state: ['FL', 'GA', undefined][i % 3] })),
    );
    const compiled = b.build();
    const byKey = new Map<number, number[]>();
    plates.forEach((p, i) => byKey.set(confKey(p), [...(byKey.get(confKey(p)) ?? []), i]));
    for (let q = 0; q < 400; q++) {
      const text = q % 2 ? plates[q]!.slice(0, -1) + 'C' : plate(1, 10);
      const d = new Uint8Array(10);
      const k = confDigits(text, d);
      const want = new Set<number>(byKey.get(k) ?? []);
      forEachKeyWithinOneEdit(d, text.length, k, (v) => (byKey.get(v) ?? []).forEach((e) => want.add(e)));
      const got: { entry: number; state: number }[] = [];
      compiled.fuzzyEntries(text, 1, true, got as never);
      expect(new Set(got.map((h) => h.entry)), text).toEqual(want);
      for (const h of got) expect(compiled.stateName(h.state)).toBe(compiled.stateOf(h.entry));
    }
  });
});

describe('matchRead: what must and must not match', () => {
  const l = list([
    { plate: 'ABC1234', state: 'FL', recordId: 'R1' },
    { plate: 'XYZ987', state: 'GA', recordId: 'R2' },
    { plate: 'QRS*', recordId: 'W1' },
  ]);

  it('exact, with the state agreeing, scores 1', () => {
    const [h] = matchRead(read('abc-1234'), [l], NOW);
    expect(h).toMatchObject({ kind: 'exact', distance: 0, confusion: false, stateMatch: 'same', score: 1 });
  });

  it('confusion classes (8/B, 0/O, 1/I, 2/Z, 5/S, 6/G) match with distance 0', () => {
    for (const text of ['A8C1234', 'ABCI234', 'ABC1Z34', '4BC1234'.replace('4', 'A')]) {
      const hits = matchRead(read(text), [l], NOW);
      expect(hits[0]?.distance, text).toBe(0);
    }
    expect(matchRead(read('A8CI234'), [l], NOW)[0]).toMatchObject({ kind: 'fuzzy', confusion: true, distance: 0, score: 0.9 });
  });

  it('one edit matches (substitution, insertion, deletion); two do not', () => {
    expect(matchRead(read('ABC1235'), [l], NOW)[0]).toMatchObject({ kind: 'fuzzy', distance: 1 });
    expect(matchRead(read('ABC12345'), [l], NOW)[0]).toMatchObject({ distance: 1 });
    expect(matchRead(read('ABC123'), [l], NOW)[0]).toMatchObject({ distance: 1 });
    expect(matchRead(read('ABC1256'), [l], NOW)).toEqual([]);
    expect(matchRead(read('KLM1234'), [l], NOW)).toEqual([]);
  });

  it('maxEdits 0 keeps confusion but refuses edits; confusion off refuses 8-for-B', () => {
    const strict = list([{ plate: 'ABC1234', state: 'FL', recordId: 'R1' }], { maxEdits: 0 });
    expect(matchRead(read('ABC1235'), [strict], NOW)).toEqual([]);
    expect(matchRead(read('A8C1234'), [strict], NOW)).toHaveLength(1);
    const literal = list([{ plate: 'ABC1234', state: 'FL', recordId: 'R1' }], { maxEdits: 0, confusion: false });
    expect(matchRead(read('A8C1234'), [literal], NOW)).toEqual([]);
    expect(matchRead(read('ABC1234'), [literal], NOW)).toHaveLength(1);
    const literalEdit = list([{ plate: 'ABC1234', state: 'FL', recordId: 'R1' }], { maxEdits: 1, confusion: false });
    expect(matchRead(read('ABC1235'), [literalEdit], NOW)).toHaveLength(1);
    expect(matchRead(read('A8C1Z34'), [literalEdit], NOW)).toEqual([]);
  });

  it('runner-up candidates hit, ranked below the best text', () => {
    const [h] = matchRead(read('ZZZ0000', 'FL', [{ text: 'ABC1234', confidence: 0.4 }]), [l], NOW);
    expect(h).toMatchObject({ kind: 'candidate', text: 'ABC1234' });
    expect(h!.score).toBeLessThan(1);
    // A candidate matches through the confusion classes, but an edit on top of a second guess does not.
    expect(matchRead(read('ZZZ0000', 'FL', [{ text: 'A8C1234', confidence: 0.4 }]), [l], NOW)[0]).toMatchObject({ kind: 'candidate' });
    expect(matchRead(read('ZZZ0000', 'FL', [{ text: 'ABC1235', confidence: 0.4 }]), [l], NOW)).toEqual([]);
    const off = list([{ plate: 'ABC1234', state: 'FL', recordId: 'R1' }], { candidates: false });
    expect(matchRead(read('ZZZ0000', 'FL', [{ text: 'ABC1234', confidence: 0.4 }]), [off], NOW)).toEqual([]);
  });

  it('wildcard entries match partial plates, and are off when the policy says so', () => {
    expect(matchRead(read('QRS77'), [l], NOW)[0]).toMatchObject({ kind: 'wildcard' });
    const q = list([{ plate: 'A?C123', recordId: 'W2' }]);
    expect(matchRead(read('AXC123'), [q], NOW)[0]).toMatchObject({ kind: 'wildcard' });
    expect(matchRead(read('AXC1234'), [q], NOW)).toEqual([]);
    const off = list([{ plate: 'QRS*', recordId: 'W1' }], { wildcards: false });
    expect(matchRead(read('QRS77'), [off], NOW)).toEqual([]);
  });

  it('a hit on another state ranks lower; below minScore raises nothing', () => {
    const same = matchRead(read('XYZ987', 'GA'), [l], NOW)[0]!;
    const other = matchRead(read('XYZ987', 'AL'), [l], NOW)[0]!;
    expect(other.stateMatch).toBe('different');
    expect(other.score).toBeLessThan(same.score);
    const picky = list([{ plate: 'XYZ987', state: 'GA', recordId: 'R2' }], { minScore: 0.7 });
    expect(matchRead(read('XYZ987', 'AL'), [picky], NOW)).toEqual([]);
  });

  it('expired records and suppressed stale extracts raise nothing; stale ones are marked', () => {
    const exp = list([{ plate: 'ABC1234', recordId: 'R1', expiresAt: '2026-02-01' }]);
    expect(matchRead(read('ABC1234'), [exp], NOW)).toEqual([]);
    const old = NOW - 72 * 3600_000;
    expect(matchRead(read('ABC1234'), [list([{ plate: 'ABC1234', recordId: 'R1' }], { staleAfterHours: 24 }, old)], NOW)[0]?.stale).toBe(
      true,
    );
    expect(
      matchRead(
        read('ABC1234'),
        [list([{ plate: 'ABC1234', recordId: 'R1' }], { staleAfterHours: 24, staleAction: 'suppress' }, old)],
        NOW,
      ),
    ).toEqual([]);
  });

  it('two records on one plate both hit; one record hit twice counts once', () => {
    const dup = list([
      { plate: 'ABC1234', recordId: 'R1' },
      { plate: 'ABC1234', recordId: 'R9', category: 'wanted' },
    ]);
    expect(matchRead(read('ABC1234', 'FL', [{ text: 'ABC1234', confidence: 0.2 }]), [dup], NOW).map((h) => h.kind)).toEqual([
      'exact',
      'exact',
    ]);
  });

  it('alert ids are stable per read and record', () => {
    expect(alertId('r', 'ncic', 'R1')).toBe(alertId('r', 'ncic', 'R1'));
    expect(alertId('r', 'ncic', 'R1')).not.toBe(alertId('r', 'fcic', 'R1'));
    expect(alertId('r', 'ncic', 'R1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
