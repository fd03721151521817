import { describe, expect, it } from 'vitest';
import { ALL_SERIAL_TEMPLATES, MINOR_FORMAT_SHARE, serialTemplates } from '../../contracts/index.ts';
import { bestPathLogP, ctcLogLikelihood, fitsTemplate, formatPrior, logPrior, P_STANDARD, templateDecode } from './format-prior.ts';
import { type PlateSteps, STEP_CLASSES } from './ppocr-math.ts';

/** Steps from a list of per-step probabilities ('' is "nothing"); what is left over goes to "nothing". */
function steps(rows: Record<string, number>[]): PlateSteps {
  const K = STEP_CLASSES.length;
  const probs = new Float32Array(rows.length * K);
  rows.forEach((row, t) => {
    let rest = 1;
    for (const [ch, p] of Object.entries(row)) {
      const j = t * K + (ch ? STEP_CLASSES.indexOf(ch) : 0);
      probs[j] = probs[j]! + p;
      rest -= p;
    }
    probs[t * K] = probs[t * K]! + Math.max(0, rest);
  });
  return { T: rows.length, probs };
}

/** A clean reading of `text`: each character one confident step, "nothing" between. */
const clean = (text: string, p = 0.95) => [...text].flatMap((c) => [{ [c]: p }, { '': 0.95 }]);

describe('templates', () => {
  it("are the states' formats as letters and digits, each once", () => {
    // California's standard series first, then its minor ones (commercial 1A23456 and 12345A1, the new 123ABC1).
    expect(serialTemplates('CA')).toEqual(['NLLLNNN', 'NLNNNNN', 'NNNNNLN', 'NNNLLLN']);
    expect(serialTemplates('MO')).toEqual(['LLNLNL']);
    expect(ALL_SERIAL_TEMPLATES).toContain('LLLNNNN');
    expect(new Set(ALL_SERIAL_TEMPLATES).size).toBe(ALL_SERIAL_TEMPLATES.length);
    expect(serialTemplates(null)).toBe(ALL_SERIAL_TEMPLATES);
  });
  it('fit by letter or digit per position', () => {
    expect(fitsTemplate('7ABC123', ['NLLLNNN'])).toBe(true);
    expect(fitsTemplate('TABC123', ['NLLLNNN'])).toBe(false);
    expect(fitsTemplate('7ABC12', ['NLLLNNN'])).toBe(false);
  });
});

describe('logPrior', () => {
  it('favours a string in a format, the more the fewer formats are possible', () => {
    const other = logPrior('7A8C123', null);
    expect(other).toBeCloseTo(Math.log((1 - P_STANDARD) / 7 / 36 ** 7), 6);
    // California's standard series holds all but its minor series' share of its standard plates.
    const ca = (1 - MINOR_FORMAT_SHARE) / (10 * 26 ** 3 * 1000);
    expect(logPrior('7ABC123', 'CA')).toBeCloseTo(Math.log(P_STANDARD * ca + (1 - P_STANDARD) / 7 / 36 ** 7), 6);
    // A commercial 1A23456: a third of that share, over its 2.6e7 strings.
    const commercial = MINOR_FORMAT_SHARE / 3 / (10 * 26 * 1e5);
    expect(logPrior('8D79882', 'CA')).toBeCloseTo(Math.log(P_STANDARD * commercial + (1 - P_STANDARD) / 7 / 36 ** 7), 6);
    // Missouri lists no minor series: its one format holds all of its standard plates.
    expect(logPrior('DL9E1U', 'MO')).toBeCloseTo(Math.log(P_STANDARD / (26 ** 4 * 100) + (1 - P_STANDARD) / 7 / 36 ** 6), 6);
    expect(logPrior('7ABC123', null)).toBeGreaterThan(other);
    expect(logPrior('7ABC123', 'CA')).toBeGreaterThan(logPrior('7ABC123', null));
    // California's format, read as Texas's: no more than any string.
    expect(logPrior('7ABC123', 'TX')).toBeCloseTo(other, 6);
  });
});

describe('logPrior with a state guess', () => {
  it("weighs the guessed states' formats by the guess where no name was read", () => {
    // Missouri's LLNLNL: a small state's format a priori, a likely one where the head guesses Missouri.
    const guess = [{ state: 'MO' as const, p: 0.6 }];
    expect(logPrior('DL9E1U', null, guess)).toBeGreaterThan(logPrior('DL9E1U', null) + 2);
    // A read state decides alone; a format the guess does not name loses a little.
    expect(logPrior('DL9E1U', 'MO', guess)).toBe(logPrior('DL9E1U', 'MO'));
    expect(logPrior('7ABC123', null, guess)).toBeLessThan(logPrior('7ABC123', null));
    expect(logPrior('7ABC123', null, [])).toBe(logPrior('7ABC123', null));
  });
});

describe('templateDecode', () => {
  it("finds the greedy reading when it is the template, at the greedy path's probability", () => {
    const s = steps(clean('ABC123'));
    const r = templateDecode(s, 'LLLNNN')!;
    expect(r.text).toBe('ABC123');
    expect(r.logP).toBeCloseTo(bestPathLogP(s), 6);
  });
  it('takes the runner-up where the template asks for the other class', () => {
    const rows = clean('ABC123');
    rows[6] = { '1': 0.3, I: 0.65 }; // "1" read as I, the digit second
    const r = templateDecode(steps(rows), 'LLLNNN')!;
    expect(r.text).toBe('ABC123');
    expect(bestPathLogP(steps(rows)) - r.logP).toBeCloseTo(Math.log(0.65 / 0.3), 5);
  });
  it('needs "nothing" between two equal characters', () => {
    // A over two steps with no gap is one A: "AA1" cannot come out of it.
    const s = steps([{ A: 0.9 }, { A: 0.9 }, { '1': 0.9 }]);
    expect(templateDecode(s, 'LLN')!.text).not.toBe('AA1');
    expect(templateDecode(steps([{ A: 0.9 }, { '': 0.9 }, { A: 0.9 }, { '1': 0.9 }]), 'LLN')!.text).toBe('AA1');
  });
  it('is null when there are fewer steps than characters', () => {
    expect(templateDecode(steps([{ A: 1 }]), 'LL')).toBeNull();
  });
});

describe('formatPrior', () => {
  it('leaves a reading that fits the formats alone', () => {
    expect(formatPrior('7ABC123', steps(clean('7ABC123')), 'CA')).toEqual({ text: '7ABC123', fits: true, cost: 0 });
  });
  it("resolves look-alikes by the state's formats and the model's runner-up (1/I, O/0, 8/B, 2/Z, 7/T, 5/S)", () => {
    const cases: [string, Record<string, number>, number, string, 'CA' | null][] = [
      ['TABC123', { T: 0.6, '7': 0.35 }, 0, '7ABC123', 'CA'],
      ['SABC123', { S: 0.55, '5': 0.4 }, 0, '5ABC123', null],
      ['HB6LOZ', { O: 0.6, '0': 0.38 }, 4, 'HB6L0Z', null],
      ['7A8C123', { '8': 0.6, B: 0.3 }, 2, '7ABC123', 'CA'],
      ['7ABCZ23', { Z: 0.7, '2': 0.25 }, 4, '7ABC223', 'CA'],
    ];
    for (const [read, at, pos, want, state] of cases) {
      const rows = clean(read);
      rows[2 * pos] = at;
      expect(formatPrior(read, steps(rows), state).text).toBe(want);
    }
  });
  it('drops a mark read between characters (a sticker) where the format has no room for it', () => {
    const rows = clean('SH0LR7X');
    rows[6] = { L: 0.55 };
    expect(formatPrior('SH0LR7X', steps(rows), 'MO')).toMatchObject({ text: 'SH0R7X', fits: true });
  });
  it('does not drop a confident character to make a shorter format fit', () => {
    expect(formatPrior('TABCI23', steps(clean('TABCI23', 0.97)), null).text).toBe('TABCI23');
  });
  it('keeps a confident reading that fits no format (vanity plates)', () => {
    expect(formatPrior('GOFISH', steps(clean('GOFISH')), null)).toEqual({ text: 'GOFISH', fits: false, cost: 0 });
    expect(formatPrior('KCSIM', steps(clean('KCSIM')), 'CA').text).toBe('KCSIM');
  });
  it("allows a known state more than every state's formats at once", () => {
    // One swap of ~4 nats: less than California's format gains with California read (half of ~9 nats), more than
    // with no state read (half of ~7).
    const rows = clean('TABC123');
    rows[0] = { T: 0.95, '7': 0.018 };
    expect(formatPrior('TABC123', steps(rows), 'CA').text).toBe('7ABC123');
    expect(formatPrior('TABC123', steps(rows), null).text).toBe('TABC123');
  });
  it("changes one character at most where no state was read (other countries' plates fit US formats two look-alikes away)", () => {
    const rows = clean('BA302OZ');
    rows[10] = { O: 0.6, '0': 0.35 };
    rows[12] = { Z: 0.6, '2': 0.35 };
    expect(formatPrior('BA302OZ', steps(rows), null).text).toBe('BA302OZ');
  });
  it('takes a round glyph read as O as the zero a format has there, not a zero as an O', () => {
    const rows = clean('HB6LOZ');
    rows[8] = { O: 0.9, '0': 0.05 };
    expect(formatPrior('HB6LOZ', steps(rows), null).text).toBe('HB6L0Z');
    // LLNNNNN (Illinois) would need the zero to be an O: it stays a zero.
    const zero = clean('W053011');
    zero[2] = { '0': 0.9, O: 0.005 };
    expect(formatPrior('W053011', steps(zero), null).text).toBe('W053011');
  });
  it('leaves the text as read without steps', () => {
    expect(formatPrior('TABC123', undefined, 'CA')).toEqual({ text: 'TABC123', fits: false, cost: 0 });
  });
});

describe('ctcLogLikelihood', () => {
  it('sums the probability of every alignment of the text (checked against all paths of three steps)', () => {
    const K = STEP_CLASSES.length;
    // Random steps over every class (none under the floor), O never likelier than 0 (the steps count O as that zero).
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const T = 3;
    const probs = new Float32Array(T * K);
    for (let t = 0; t < T; t++) {
      let sum = 0;
      for (let j = 0; j < K; j++) sum += probs[t * K + j] = 0.05 + rnd() * (j === 0 || '0AB'.includes(STEP_CLASSES[j]!) ? 5 : 1);
      for (let j = 0; j < K; j++) probs[t * K + j] = probs[t * K + j]! / sum;
      const o = STEP_CLASSES.indexOf('O'),
        z = STEP_CLASSES.indexOf('0');
      if (probs[t * K + o]! > probs[t * K + z]!) [probs[t * K + o], probs[t * K + z]] = [probs[t * K + z]!, probs[t * K + o]!];
    }
    const brute = new Map<string, number>();
    for (let a = 0; a < K; a++)
      for (let b = 0; b < K; b++)
        for (let c = 0; c < K; c++) {
          const path = [a, b, c];
          const text = path
            .filter((k, i) => i === 0 || k !== path[i - 1])
            .filter((k) => k !== 0)
            .map((k) => STEP_CLASSES[k])
            .join('');
          brute.set(text, (brute.get(text) ?? 0) + probs[a]! * probs[K + b]! * probs[2 * K + c]!);
        }
    const s = { T, probs };
    for (const text of ['A', 'AB', 'BA', 'AA', 'A0B', '0']) expect(ctcLogLikelihood(s, text)).toBeCloseTo(Math.log(brute.get(text)!), 5);
  });
  it("is at least the likeliest path's and -Infinity for a text the steps are too few for", () => {
    const s = steps([...clean('AB1'), { A: 0.3, '': 0.6 }]);
    expect(ctcLogLikelihood(s, 'AB1')).toBeGreaterThanOrEqual(bestPathLogP(s) - 1e-9);
    expect(ctcLogLikelihood(s, 'AB1')).toBeGreaterThan(ctcLogLikelihood(s, 'AB1A'));
    expect(ctcLogLikelihood(steps(clean('AA').slice(0, 2)), 'AA')).toBe(-Infinity);
  });
});
