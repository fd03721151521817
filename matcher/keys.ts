import { confusionClass } from '../contracts/index.ts';

/**
 * Plates as numbers. A normalised plate of up to 10 characters is a base-37 number (digits
 * 1-36, so that length is part of the value) and its OCR-confusion key a base-28 number over
 * the 27 symbols that survive folding. Numbers make the index a flat Float64Array hash table
 * (no string per entry: 10 million entries fit in well under 2 GB), and make the ~400 keys
 * within one edit of a plate a few arithmetic operations each instead of ~400 new strings.
 * Every value stays below 2^53 (37^10 and 28^11), so doubles hold them exactly.
 */
export const EXACT_BASE = 37;
export const CONF_BASE = 28;
export const MAX_KEY_LENGTH = 10;

/** Exact digit of a char code (0-9, A-Z), 0 for anything else. */
const EXACT_DIGIT = new Uint8Array(128);
/** Confusion-class digit of a char code, 1..27, 0 for anything else. */
const CONF_DIGIT = new Uint8Array(128);
const EXACT_CHAR: string[] = [''];
{
  const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (let i = 0; i < chars.length; i++) {
    EXACT_DIGIT[chars.charCodeAt(i)] = i + 1;
    EXACT_CHAR.push(chars[i]!);
  }
  const symbols = [...new Set([...chars].map(confusionClass))];
  for (const c of chars) CONF_DIGIT[c.charCodeAt(0)] = symbols.indexOf(confusionClass(c)) + 1;
  if (symbols.length !== CONF_BASE - 1) throw new Error(`confusion alphabet has ${symbols.length} symbols, expected ${CONF_BASE - 1}`);
}

/** Powers of the confusion base, P[i] = 28^i. */
export const CONF_POW = Float64Array.from({ length: MAX_KEY_LENGTH + 2 }, (_, i) => CONF_BASE ** i);

/** Exact key of a normalised plate (A-Z0-9 only), or -1 when too long. */
export function exactKey(plate: string): number {
  const n = plate.length;
  if (n === 0 || n > MAX_KEY_LENGTH) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) v = v * EXACT_BASE + EXACT_DIGIT[plate.charCodeAt(i)]!;
  return v;
}

export function decodeExactKey(key: number): string {
  let out = '';
  while (key > 0) {
    const d = key % EXACT_BASE;
    out = EXACT_CHAR[d]! + out;
    key = (key - d) / EXACT_BASE;
  }
  return out;
}

/** Writes the confusion digits of a normalised plate into `out` and returns its key (-1: too long). */
export function confDigits(plate: string, out: Uint8Array): number {
  const n = plate.length;
  if (n === 0 || n > MAX_KEY_LENGTH) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = CONF_DIGIT[plate.charCodeAt(i)]!;
    out[i] = d;
    v = v * CONF_BASE + d;
  }
  return v;
}

export function confKey(plate: string): number {
  return confDigits(plate, new Uint8Array(MAX_KEY_LENGTH));
}

/** Mixes a key below 2^53 into 32 bits for the hash table. */
export function hashKey(key: number): number {
  const lo = key >>> 0;
  const hi = (key / 4294967296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 13)) >>> 0;
}

/**
 * Calls `visit(key)` for every confusion key within one insertion, deletion or substitution
 * of the key whose digits are d[0..n-1] (the key itself excluded). Some keys come twice
 * (deleting either of two equal neighbours); callers deduplicate hits, not keys.
 */
export function forEachKeyWithinOneEdit(d: Uint8Array, n: number, key: number, visit: (k: number) => void): void {
  // prefix[i] = value of d[0..i-1]; suffix[i] = value of d[i..n-1].
  const prefix = new Float64Array(n + 1);
  const suffix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! * CONF_BASE + d[i]!;
  for (let i = n - 1; i >= 0; i--) suffix[i] = d[i]! * CONF_POW[n - 1 - i]! + suffix[i + 1]!;
  for (let i = 0; i < n; i++) {
    const p = CONF_POW[n - 1 - i]!;
    const base = key - d[i]! * p;
    for (let s = 1; s < CONF_BASE; s++) if (s !== d[i]) visit(base + s * p); // substitution
    if (n > 1) visit(prefix[i]! * CONF_POW[n - 1 - i]! + suffix[i + 1]!); // deletion
  }
  if (n < MAX_KEY_LENGTH) {
    for (let i = 0; i <= n; i++) {
      const head = prefix[i]! * CONF_POW[n - i + 1]! + suffix[i]!;
      const p = CONF_POW[n - i]!;
      for (let s = 1; s < CONF_BASE; s++) visit(head + s * p); // insertion
    }
  }
}
