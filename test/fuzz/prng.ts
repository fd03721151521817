/**
 * Seeded randomness for the fuzz tests: every run of a file tries the same inputs, so a failure
 * names a seed and an iteration that reproduce it. FUZZ_SEED picks another sequence and
 * FUZZ_ITERATIONS scales the number of inputs (CI runs the defaults).
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 9);
export const fuzzIterations = (base: number) => Math.max(1, Math.round(base * Number(process.env.FUZZ_ITERATIONS_SCALE ?? 1)));

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  /** mulberry32: uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
  /** Strings that break parsers: quotes, separators, control and format characters, surrogates, long runs. */
  nastyString(): string {
    const atoms = [
      '',
      ' ',
      '"',
      '""',
      ',',
      '\n',
      '\r\n',
      '\r',
      '\t',
      '\0',
      '\u0007',
      '\u200b',
      '\u202e',
      '\ufeff',
      '\ud800',
      '\udfff',
      '😀',
      'é',
      '%',
      '%00',
      '%zz',
      '\\',
      "'",
      '`',
      '$',
      '{',
      '}',
      '[',
      ']',
      ':',
      '- ',
      '#',
      '&a',
      '*a',
      '!!binary',
      '---',
      '...',
      '*',
      '?',
      '**',
      'ABC123',
      'abc-123',
      'A'.repeat(300),
      '9'.repeat(30),
      '-1',
      '0',
      '1e309',
      'NaN',
      'Infinity',
      'null',
      'true',
      '2024-02-30',
      '99/99/9999',
      '1970-01-01T00:00:00Z',
      '<script>',
      "' OR 1=1 --",
      '{a:1}',
      '__proto__',
      'constructor',
    ];
    let s = '';
    const n = this.int(0, 6);
    for (let i = 0; i < n; i++) s += this.pick(atoms);
    return s;
  }
}

/** A few byte-level mutations of a valid input: flips, cuts, splices, duplicated and dropped spans. */
export function mutate(rng: Rng, input: Uint8Array, rounds = rng.int(1, 4)): Uint8Array {
  let b = Buffer.from(input);
  for (let r = 0; r < rounds; r++) {
    const at = b.length ? rng.int(0, b.length - 1) : 0;
    switch (rng.int(0, 6)) {
      case 0: // bit flip
        if (b.length) b[at] = b[at]! ^ (1 << rng.int(0, 7));
        break;
      case 1: // truncate
        b = b.subarray(0, at);
        break;
      case 2: // random bytes spliced in
        b = Buffer.concat([b.subarray(0, at), rng.bytes(rng.int(1, 16)), b.subarray(at)]);
        break;
      case 3: // a span dropped
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + rng.int(1, 40)))]);
        break;
      case 4: // a span repeated
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + rng.int(1, 60)), b.subarray(at)]);
        break;
      case 5: // a nasty string spliced in
        b = Buffer.concat([b.subarray(0, at), Buffer.from(rng.nastyString()), b.subarray(at)]);
        break;
      default: // a byte overwritten with a separator
        if (b.length) b[at] = rng.pick([0x22, 0x2c, 0x0a, 0x0d, 0x00, 0xff, 0xef]);
    }
  }
  return new Uint8Array(b);
}
