import * as keys from './keys.ts';

// Module-local copies: tsx turns imported bindings into getter calls, which cost more than the
// arithmetic in the loops below (as in list.ts).
const CONF_BASE = keys.CONF_BASE;
const CONF_POW = keys.CONF_POW;
const MAX_KEY_LENGTH = keys.MAX_KEY_LENGTH;
const hashKey = keys.hashKey;

/**
 * The gap filter: a blocked Bloom filter of every entry's confusion key with one symbol blanked
 * (a 0 digit, plus a length tag). All 26 substitutions of a read at position i share one gap
 * key, and so do all 27 insertions before position i; testing that one key first skips the
 * whole family when no entry has that shape, which is nearly always: ~23 tests per text
 * instead of ~580.
 *
 * The block a gap key goes to is chosen by the end of the key the gap leaves alone: its first
 * SPAN symbols when the gap is further right, its last SPAN when further left (a hash of the
 * whole key only for short keys, where neither end is whole). So the gap keys of one entry land
 * in two blocks, not seven, and the gap keys a read tests do too: on a filter of ~100 MB that
 * is two cache and TLB misses per text instead of ~23, at build time and at match time alike.
 */
export const SPAN = 4;
/** Symbols of the end that selects a block of the list's end filters (list.ts FILTER_K). */
export const END_K = 3;
export const IN_END_FILTER = -2;
const BLOCK_BITS = 1024;
const BLOCK_WORDS = BLOCK_BITS / 32;
const BITS_PER_KEY = 14;
const SALT_PREFIX = 1e15;
const SALT_SUFFIX = 2e15;

/** A second 32-bit mix of a key, independent of hashKey, for the bit positions inside a block. */
function hash2(key: number): number {
  const lo = key >>> 0;
  const hi = (key / 4294967296) | 0;
  let h = Math.imul(hi ^ Math.imul(lo, 0xcc9e2d51), 0x1b873593) ^ 0x27d4eb2f;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const PROBES = 4;

/** The k-th bit (0..1023) a key with second hash h sets in its block. */
function probe(h: number, k: number): number {
  return k < 3 ? (h >>> (10 * k)) & 1023 : Math.imul(h, 0x9e3779b1) >>> 22;
}

/** Value of the first SPAN digits of d[0..n-1] (0 when n < SPAN). */
export function headOf(d: ArrayLike<number>, n: number): number {
  return n < SPAN ? 0 : ((d[0]! * CONF_BASE + d[1]!) * CONF_BASE + d[2]!) * CONF_BASE + d[3]!;
}

/** Value of the last SPAN digits of d[0..n-1] (0 when n < SPAN). */
export function tailOf(d: ArrayLike<number>, n: number): number {
  return n < SPAN ? 0 : ((d[n - 4]! * CONF_BASE + d[n - 3]!) * CONF_BASE + d[n - 2]!) * CONF_BASE + d[n - 1]!;
}

export class GapFilter {
  readonly words: Int32Array;
  readonly blocks: number;

  /** `capacity`: gap keys it is sized for (the sum of the entries' lengths). */
  constructor(readonly capacity: number) {
    this.blocks = Math.max(1, Math.ceil((capacity * BITS_PER_KEY) / BLOCK_BITS));
    this.words = new Int32Array(this.blocks * BLOCK_WORDS);
  }

  /** Word offset of the block a hash selects. */
  private blockAt(h: number): number {
    return Math.floor((h / 4294967296) * this.blocks) * BLOCK_WORDS;
  }

  /** Block of the gap keys that keep the first SPAN symbols, `head`. */
  headBlock(head: number): number {
    return this.blockAt(hashKey(head + SALT_PREFIX));
  }

  /** Block of the gap keys that keep the last SPAN symbols, `tail`. */
  tailBlock(tail: number): number {
    return this.blockAt(hashKey(tail + SALT_SUFFIX));
  }

  /** Block of a gap key of a short key, where neither end is whole. */
  keyBlock(g: number): number {
    return this.blockAt(hashKey(g));
  }

  /**
   * Block for the gap at position j of a key of length m, given the head and tail blocks
   * (computed once per key, as the two shared ends): the rule add and may must agree on.
   * IN_END_FILTER: a gap that leaves neither SPAN-symbol end whole but one END_K-symbol end
   * (the middle of a 6- or 7-symbol plate) is kept by the list's end filters instead, in the
   * block of that end, which the entry's own key already writes and a read's variants already
   * test: one random block fewer per entry at build time and per text at match time.
   * -1: the key's own block (short keys only).
   */
  static pick(j: number, m: number, headBlock: number, tailBlock: number): number {
    return j >= SPAN ? headBlock : j < m - SPAN ? tailBlock : j >= END_K || j < m - END_K ? IN_END_FILTER : -1;
  }

  private set(b: number, g: number): void {
    const w = this.words;
    const h = hash2(g);
    for (let k = 0; k < PROBES; k++) {
      const x = probe(h, k);
      w[b + (x >>> 5)]! |= 1 << (x & 31);
    }
  }

  /** Whether some entry may have gap key `g`, whose block is `b` (-1: the key's own block). */
  may(b: number, g: number): boolean {
    if (b < 0) b = this.keyBlock(g);
    const w = this.words;
    const h = hash2(g);
    for (let k = 0; k < PROBES; k++) {
      const x = probe(h, k);
      if ((w[b + (x >>> 5)]! & (1 << (x & 31))) === 0) return false;
    }
    return true;
  }

  /** Adds every gap key of the entry whose digits are d[0..m-1] and key `key`. */
  addEntry(d: ArrayLike<number>, m: number, key: number): void {
    const hb = m > SPAN ? this.headBlock(headOf(d, m)) : 0;
    const tb = m > SPAN ? this.tailBlock(tailOf(d, m)) : 0;
    const tag = CONF_POW[m]!;
    for (let j = 0; j < m; j++) {
      const g = key - d[j]! * CONF_POW[m - 1 - j]! + tag;
      const b = GapFilter.pick(j, m, hb, tb);
      if (b === IN_END_FILTER) continue;
      this.set(b < 0 ? this.keyBlock(g) : b, g);
    }
  }

  /** A filter of all the keys in conf[0..n-1] (negative: not a plain key), taken apart again. */
  static fromKeys(conf: Float64Array, n: number, keys: number): GapFilter {
    const f = new GapFilter(keys);
    const d = new Uint8Array(MAX_KEY_LENGTH);
    for (let i = 0; i < n; i++) {
      const key = conf[i]!;
      if (key <= 0) continue;
      let m = 1;
      while (m < MAX_KEY_LENGTH && key >= CONF_POW[m]!) m++;
      let rest = key;
      for (let j = m - 1; j >= 0; j--) {
        d[j] = rest % CONF_BASE;
        rest = (rest - d[j]!) / CONF_BASE;
      }
      f.addEntry(d, m, key);
    }
    return f;
  }
}
