import { parseVehicle, vehicleField, wildcardToLike, type HotlistRecord } from '../contracts/index.ts';
import { END_K, GapFilter, headOf, IN_END_FILTER, SPAN, tailOf } from './gap-filter.ts';
import * as keys from './keys.ts';

// Module-local copies: tsx turns imported bindings into getter calls, which cost more than the
// arithmetic in the hot loops below.
const CONF_BASE = keys.CONF_BASE;
const CONF_POW = keys.CONF_POW;
const MAX_KEY_LENGTH = keys.MAX_KEY_LENGTH;
const confDigits = keys.confDigits;
const decodeExactKey = keys.decodeExactKey;
const exactKey = keys.exactKey;
const hashKey = keys.hashKey;

/**
 * One source's active hotlist version as compact columns: typed arrays indexed by entry,
 * small lookup tables for the low-cardinality texts, record ids packed in one buffer, and an
 * open-addressing hash table from confusion key to the chain of entries sharing it. About
 * 70 bytes per entry, so 10 million entries take ~700 MB and build in seconds. Immutable once
 * built: the matcher swaps whole lists, never edits one, so a read sees one version or the other.
 */
export interface ListMeta {
  source: string;
  versionId: string;
  /** When the extract was produced (staleness is measured from here). */
  extractedAt: number;
  recordCount: number;
}

/** What the matcher keeps of a record: the fields an alert carries, not the notes or dates of entry. */
export type EntryView = Pick<
  HotlistRecord,
  'recordId' | 'plate' | 'wildcard' | 'state' | 'plateType' | 'category' | 'ori' | 'priority' | 'expiresAt' | 'vehicle'
>;

const NONE = 0xffffffff;
/**
 * A table slot's value packs the chain's first entry with what a lookup needs next: whether
 * more entries share the key, and the entry's state id. On a list of millions every array read
 * at a random entry is a cache and TLB miss; most keys hold one entry, and most fuzzy hits are
 * on another state's plate and scored out, so neither `next` nor `state` is read for them.
 */
const CHAINED = 2 ** 32;
const STATE_UNIT = 2 ** 33;
const DAY = 86_400_000;

const scratch = new Uint8Array(MAX_KEY_LENGTH);

class Interner {
  readonly values: (string | null)[] = [null];
  private readonly index = new Map<string, number>();
  id(v: string | null): number {
    if (v === null) return 0;
    let i = this.index.get(v);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(v);
      this.index.set(v, i);
    }
    return i;
  }
}

function grow<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(a: T, n: number): T {
  if (n <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

export class ListBuilder {
  private n = 0;
  private conf: Float64Array;
  private exact: Float64Array;
  private state: Uint8Array;
  private category: Uint16Array;
  private plateType: Uint16Array;
  private ori: Uint32Array;
  private priority: Uint8Array;
  private expiresDay: Uint32Array;
  /** Vehicle descriptions interned: a stolen-vehicle file repeats a few make/model/colour/year combinations. */
  private vehicle: Uint32Array;
  private idOffsets: Uint32Array;
  private ids: Buffer;
  private idBytes = 0;
  private readonly states = new Interner();
  private readonly categories = new Interner();
  private readonly plateTypes = new Interner();
  private readonly oris = new Interner();
  private readonly vehicles = new Interner();
  private readonly wildcards: { re: RegExp; entry: number; pattern: string }[] = [];
  // Filled as entries arrive, while their digits are at hand (taking a key apart again costs
  // floating-point divisions); rebuilt at the end only when the size hint was far too small.
  private gap: GapFilter;
  private gapKeys = 0;

  constructor(
    readonly meta: Omit<ListMeta, 'recordCount'>,
    sizeHint = 1024,
  ) {
    this.gap = new GapFilter(sizeHint * 8);
    this.conf = new Float64Array(sizeHint);
    this.exact = new Float64Array(sizeHint);
    this.state = new Uint8Array(sizeHint);
    this.category = new Uint16Array(sizeHint);
    this.plateType = new Uint16Array(sizeHint);
    this.ori = new Uint32Array(sizeHint);
    this.priority = new Uint8Array(sizeHint);
    this.expiresDay = new Uint32Array(sizeHint);
    this.vehicle = new Uint32Array(sizeHint);
    this.idOffsets = new Uint32Array(sizeHint + 1);
    this.ids = Buffer.allocUnsafe(sizeHint * 12);
  }

  add(r: EntryView): void {
    const i = this.n++;
    if (i >= this.conf.length) {
      const m = i + 1;
      this.conf = grow(this.conf, m);
      this.exact = grow(this.exact, m);
      this.state = grow(this.state, m);
      this.category = grow(this.category, m);
      this.plateType = grow(this.plateType, m);
      this.ori = grow(this.ori, m);
      this.priority = grow(this.priority, m);
      this.expiresDay = grow(this.expiresDay, m);
      this.vehicle = grow(this.vehicle, m);
      this.idOffsets = grow(this.idOffsets, m + 1);
    }
    if (r.wildcard) {
      const re = new RegExp(`^${wildcardToLike(r.plate).replace(/%/g, '.*').replace(/_/g, '.')}$`);
      this.wildcards.push({ re, entry: i, pattern: r.plate });
      this.conf[i] = -1;
      this.exact[i] = -1;
    } else {
      const key = confDigits(r.plate, scratch);
      this.conf[i] = key;
      this.gap.addEntry(scratch, r.plate.length, key);
      this.gapKeys += r.plate.length;
      this.exact[i] = exactKey(r.plate);
    }
    this.state[i] = this.states.id(r.state);
    this.category[i] = this.categories.id(r.category);
    this.plateType[i] = this.plateTypes.id(r.plateType);
    this.ori[i] = this.oris.id(r.ori);
    this.priority[i] = r.priority;
    this.expiresDay[i] = r.expiresAt === null ? 0 : Math.ceil(r.expiresAt / DAY) + 1;
    this.vehicle[i] = this.vehicles.id(r.vehicle ? vehicleField(r.vehicle) : null);
    const need = this.idBytes + Buffer.byteLength(r.recordId);
    if (need > this.ids.length) {
      const b = Buffer.allocUnsafe(Math.max(need, this.ids.length * 2));
      this.ids.copy(b, 0, 0, this.idBytes);
      this.ids = b;
    }
    this.idBytes += this.ids.write(r.recordId, this.idBytes);
    this.idOffsets[i + 1] = this.idBytes;
  }

  get size(): number {
    return this.n;
  }

  build(): CompiledList {
    const n = this.n;
    let cap = 1024;
    while (cap < n / 0.65) cap *= 2;
    const table = new Float64Array(cap * 2);
    const next = new Uint32Array(n).fill(NONE);
    const mask = cap - 1;
    for (let i = n - 1; i >= 0; i--) {
      const key = this.conf[i]!;
      if (key < 0) continue;
      let slot = hashKey(key) & mask;
      for (;;) {
        const k = table[slot * 2]!;
        if (k === 0) {
          table[slot * 2] = key;
          table[slot * 2 + 1] = i + this.state[i]! * STATE_UNIT;
          break;
        }
        if (k === key) {
          next[i] = table[slot * 2 + 1]! % CHAINED;
          table[slot * 2 + 1] = i + CHAINED + this.state[i]! * STATE_UNIT;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    const filters = buildFilters(this.conf, n);
    const gap = this.gapKeys > this.gap.capacity * 1.25 ? GapFilter.fromKeys(this.conf, n, this.gapKeys) : this.gap;
    return new CompiledList(
      { ...this.meta, recordCount: n },
      {
        conf: this.conf.slice(0, n),
        exact: this.exact.slice(0, n),
        next,
        table,
        mask,
        ...filters,
        gap,
        state: this.state.slice(0, n),
        category: this.category.slice(0, n),
        plateType: this.plateType.slice(0, n),
        ori: this.ori.slice(0, n),
        priority: this.priority.slice(0, n),
        expiresDay: this.expiresDay.slice(0, n),
        vehicle: this.vehicle.slice(0, n),
        idOffsets: this.idOffsets.slice(0, n + 1),
        ids: this.ids.subarray(0, this.idBytes),
        states: this.states.values,
        categories: this.categories.values,
        plateTypes: this.plateTypes.values,
        oris: this.oris.values,
        vehicles: this.vehicles.values,
        wildcards: this.wildcards,
      },
    );
  }
}

/**
 * Two small filters in front of the hash table. The ~400 keys within one edit of a plate are
 * nearly all absent, and each absent key probed in a table of hundreds of megabytes is a cache
 * miss. Any key within one edit of a plate keeps either its first FILTER_K symbols (the edit
 * is further right) or its last FILTER_K (the edit is further left). So each entry sets two
 * bits in a block chosen by its first three symbols (filter P) and in one chosen by its last
 * three (filter S); a query tests all its variants in just two blocks, which stay in cache.
 */
export const FILTER_K = END_K;
const BLOCKS = 27 ** FILTER_K;

function blockOf(d: ArrayLike<number>, from: number): number {
  return (d[from]! - 1) * 729 + (d[from + 1]! - 1) * 27 + (d[from + 2]! - 1);
}

/** Block of a base-28 three-symbol value (symbols 1..27), -1 for values with a 0 digit. */
const BLOCK_OF = (() => {
  const t = new Int32Array(28 ** 3).fill(-1);
  for (let a = 1; a < 28; a++)
    for (let b = 1; b < 28; b++) for (let c = 1; c < 28; c++) t[a * 784 + b * 28 + c] = (a - 1) * 729 + (b - 1) * 27 + (c - 1);
  return t;
})();

/** Filter layout: a block per three-symbol end, made of 512-bit lines; both bits of a key in one line. */
interface FilterShape {
  blockWords: number;
  lineWords: number;
  /** Lines per block, less one (a power of two). */
  lineSel: number;
  /** Bits per line, less one. */
  bitMask: number;
}

/** Word of the line a key hash selects inside the block at word `base`. */
function lineAt(s: FilterShape, base: number, h: number): number {
  return base + ((h >>> 23) & s.lineSel) * s.lineWords;
}

const FILTER_BITS_PER_KEY = 32;

function buildFilters(conf: Float64Array, n: number): { filterP: Uint32Array; filterS: Uint32Array } & FilterShape {
  let bits = 64;
  while (bits < (FILTER_BITS_PER_KEY * n) / BLOCKS) bits *= 2;
  const lineBits = Math.min(bits, 512);
  const shape: FilterShape = { blockWords: bits / 32, lineWords: lineBits / 32, lineSel: bits / lineBits - 1, bitMask: lineBits - 1 };
  const filterP = new Uint32Array(BLOCKS * shape.blockWords);
  const filterS = new Uint32Array(BLOCKS * shape.blockWords);
  for (let i = 0; i < n; i++) {
    const key = conf[i]!;
    if (key < CONF_POW[FILTER_K - 1]! * 1) continue; // wildcard (-1) or shorter than K symbols
    let m = FILTER_K;
    while (m < MAX_KEY_LENGTH && key >= CONF_POW[m]!) m++;
    const h = hashKey(key);
    const pBase = BLOCK_OF[Math.floor(key / CONF_POW[m - FILTER_K]!)]! * shape.blockWords;
    const sBase = BLOCK_OF[key % CONF_POW[FILTER_K]!]! * shape.blockWords;
    setBits(filterP, lineAt(shape, pBase, h), h, shape.bitMask);
    setBits(filterS, lineAt(shape, sBase, h), h, shape.bitMask);
    // The gap keys the gap filter leaves to these blocks (gap-filter.ts pick): with the first
    // FILTER_K symbols whole in P, else with the last FILTER_K whole in S.
    for (let j = Math.max(0, m - SPAN); j < Math.min(SPAN, m); j++) {
      if (GapFilter.pick(j, m, 0, 0) !== IN_END_FILTER) continue;
      const p = CONF_POW[m - 1 - j]!;
      const g = key - (Math.floor(key / p) % CONF_BASE) * p + CONF_POW[m]!;
      const hg = hashKey(g);
      if (j >= FILTER_K) setBits(filterP, lineAt(shape, pBase, hg), hg, shape.bitMask);
      else setBits(filterS, lineAt(shape, sBase, hg), hg, shape.bitMask);
    }
  }
  return { filterP, filterS, ...shape };
}

function setBits(f: Uint32Array, line: number, h: number, mask: number): void {
  const a = h & mask;
  const b = (h >>> 9) & mask;
  f[line + (a >>> 5)]! |= 1 << (a & 31);
  f[line + (b >>> 5)]! |= 1 << (b & 31);
}

interface Columns {
  filterP: Uint32Array;
  filterS: Uint32Array;
  blockWords: number;
  lineWords: number;
  lineSel: number;
  bitMask: number;
  gap: GapFilter;
  conf: Float64Array;
  exact: Float64Array;
  next: Uint32Array;
  table: Float64Array;
  mask: number;
  state: Uint8Array;
  category: Uint16Array;
  plateType: Uint16Array;
  ori: Uint32Array;
  priority: Uint8Array;
  expiresDay: Uint32Array;
  vehicle: Uint32Array;
  idOffsets: Uint32Array;
  ids: Buffer;
  states: (string | null)[];
  categories: (string | null)[];
  plateTypes: (string | null)[];
  oris: (string | null)[];
  vehicles: (string | null)[];
  wildcards: { re: RegExp; entry: number; pattern: string }[];
}

/** A raw hit of one text on one entry, before scoring. `distance` counts edits in confusion space. */
export interface RawHit {
  entry: number;
  /** The entry's state id (CompiledList.stateName). */
  state: number;
  distance: number;
  wildcard: boolean;
}

export class CompiledList {
  constructor(
    readonly meta: ListMeta,
    private readonly c: Columns,
  ) {}

  /** The slot value (entry, chain flag, state) of the first entry whose confusion key is `key`, or -1. */
  private head(key: number): number {
    const { table, mask } = this.c;
    let slot = hashKey(key) & mask;
    for (;;) {
      const k = table[slot * 2]!;
      if (k === 0) return -1;
      if (k === key) return table[slot * 2 + 1]!;
      slot = (slot + 1) & mask;
    }
  }

  /** Pushes every entry of the chain whose head slot value is `v` (from head, not -1). */
  private pushChain(v: number, distance: number, out: RawHit[]): void {
    let e = v % CHAINED;
    out.push({ entry: e, state: Math.floor(v / STATE_UNIT), distance, wildcard: false });
    if (v % STATE_UNIT < CHAINED) return;
    const { next, state } = this.c;
    for (e = next[e]!; e !== NONE; e = next[e]!) out.push({ entry: e, state: state[e]!, distance, wildcard: false });
  }

  /** Whether filter `f` (block starting at word `base`) may hold key hash `h`; base < 0: no filter applies. */
  private may(f: Uint32Array, base: number, h: number): boolean {
    if (base < 0) return true;
    const c = this.c;
    const line = base + ((h >>> 23) & c.lineSel) * c.lineWords;
    const a = h & c.bitMask;
    const b = (h >>> 9) & c.bitMask;
    return (f[line + (a >>> 5)]! & (1 << (a & 31))) !== 0 && (f[line + (b >>> 5)]! & (1 << (b & 31))) !== 0;
  }

  /**
   * Whether some entry may have gap key `g`, tested where pick `b` put it: the gap filter, or
   * the end filter block of the text (P when the gap leaves the first FILTER_K symbols whole).
   */
  private mayGap(b: number, g: number, headWhole: boolean, pBase: number, sBase: number): boolean {
    if (b !== IN_END_FILTER) return this.c.gap.may(b, g);
    return headWhole ? this.may(this.c.filterP, pBase, hashKey(g)) : this.may(this.c.filterS, sBase, hashKey(g));
  }

  /** Entries with exactly this normalised plate. */
  exactEntries(plate: string, out: RawHit[]): void {
    const d = this.digits;
    const key = confDigits(plate, d);
    if (key < 0) return;
    const n = plate.length;
    if (n >= FILTER_K && !this.may(this.c.filterP, blockOf(d, 0) * this.c.blockWords, hashKey(key))) return;
    const v = this.head(key);
    if (v < 0) return;
    const ek = exactKey(plate);
    const { exact, next, state } = this.c;
    let e = v % CHAINED;
    if (exact[e] === ek) out.push({ entry: e, state: Math.floor(v / STATE_UNIT), distance: 0, wildcard: false });
    if (v % STATE_UNIT < CHAINED) return;
    for (e = next[e]!; e !== NONE; e = next[e]!)
      if (exact[e] === ek) out.push({ entry: e, state: state[e]!, distance: 0, wildcard: false });
  }

  private readonly digits = new Uint8Array(MAX_KEY_LENGTH + 1);
  private readonly prefix = new Float64Array(MAX_KEY_LENGTH + 2);
  private readonly suffix = new Float64Array(MAX_KEY_LENGTH + 2);

  private collect(key: number, base: number, filter: Uint32Array, distance: number, out: RawHit[]): void {
    if (!this.may(filter, base, hashKey(key))) return;
    const v = this.head(key);
    if (v >= 0) this.pushChain(v, distance, out);
  }

  /**
   * Entries within `maxEdits` (0 or 1) edits of the plate in confusion space; with
   * `confusion` false only those whose true text is within maxEdits too. The variants are
   * those of keys.ts forEachKeyWithinOneEdit, written out here so each is tested against the
   * filter block its unchanged end selects.
   */
  fuzzyEntries(plate: string, maxEdits: 0 | 1, confusion: boolean, out: RawHit[]): void {
    const d = this.digits;
    const key = confDigits(plate, d);
    if (key < 0) return;
    const n = plate.length;
    const { next, exact, filterP, filterS, blockWords } = this.c;
    const K = FILTER_K;
    const start = out.length;
    const pBase = n >= K ? blockOf(d, 0) * blockWords : -1;
    const sBase = n >= K ? blockOf(d, n - K) * blockWords : -1;
    this.collect(key, pBase, filterP, 0, out);
    if (maxEdits === 1) {
      const gap = this.c.gap;
      // Both ends' blocks once per text: every gap test below lands in one of them.
      const hb = n >= SPAN ? gap.headBlock(headOf(d, n)) : 0;
      const tb = n >= SPAN ? gap.tailBlock(tailOf(d, n)) : 0;
      const prefix = this.prefix;
      const suffix = this.suffix;
      prefix[0] = 0;
      suffix[n] = 0;
      for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! * CONF_BASE + d[i]!;
      for (let i = n - 1; i >= 0; i--) suffix[i] = d[i]! * CONF_POW[n - 1 - i]! + suffix[i + 1]!;
      for (let i = 0; i < n; i++) {
        const p = CONF_POW[n - 1 - i]!;
        const di = d[i]!;
        const base = key - di * p;
        // Substitution at i keeps the first K symbols when i >= K, the last K when i < n - K.
        const usesP = i >= K;
        const f = usesP ? filterP : filterS;
        const b = usesP ? pBase : i < n - K ? sBase : -1;
        if (this.mayGap(GapFilter.pick(i, n, hb, tb), base + CONF_POW[n]!, i >= K, pBase, sBase))
          for (let s = 1; s < CONF_BASE; s++) if (s !== di) this.collect(base + s * p, b, f, 1, out);
        if (n > 1) {
          const bd = n - 1 < K ? -1 : b;
          this.collect(prefix[i]! * CONF_POW[n - 1 - i]! + suffix[i + 1]!, bd, f, 1, out);
        }
      }
      if (n < MAX_KEY_LENGTH) {
        for (let i = 0; i <= n; i++) {
          // The key with a 0 digit inserted before position i.
          const at = prefix[i]! * CONF_POW[n - i + 1]! + suffix[i]!;
          const p = CONF_POW[n - i]!;
          // Insertion before position i keeps the first K when i >= K, the last K when i <= n - K.
          const usesP = i >= K;
          const f = usesP ? filterP : filterS;
          const b = n < K ? -1 : usesP ? pBase : i <= n - K ? sBase : -1;
          if (this.mayGap(GapFilter.pick(i, n + 1, hb, tb), at + CONF_POW[n + 1]!, i >= K, pBase, sBase))
            for (let s = 1; s < CONF_BASE; s++) this.collect(at + s * p, b, f, 1, out);
        }
      }
    }
    if (!confusion) {
      // Keep only true neighbours: confusion space found a superset.
      const ek = exactKey(plate);
      let w = start;
      for (let r = start; r < out.length; r++) {
        const h = out[r]!;
        if (h.distance === 0 ? exact[h.entry] === ek : withinOneEdit(plate, decodeExactKey(exact[h.entry]!))) out[w++] = h;
      }
      out.length = w;
    }
    void next;
  }

  wildcardEntries(plate: string, out: RawHit[]): void {
    for (const w of this.c.wildcards)
      if (w.re.test(plate)) out.push({ entry: w.entry, state: this.c.state[w.entry]!, distance: 0, wildcard: true });
  }

  get wildcardCount(): number {
    return this.c.wildcards.length;
  }

  /** Whether the record is past its expiry at `nowMs`. */
  expired(entry: number, nowMs: number): boolean {
    const d = this.c.expiresDay[entry]!;
    return d !== 0 && (d - 1) * DAY <= nowMs;
  }

  /** The entry's plate (or wildcard pattern) without building the whole view. */
  plateOf(e: number): string {
    const k = this.c.exact[e]!;
    return k < 0 ? this.c.wildcards.find((w) => w.entry === e)!.pattern : decodeExactKey(k);
  }

  /**
   * A key equal for equal record ids and only for them: the id's bytes as latin1, which is
   * cheaper than decoding UTF-8 and needs no view of the entry. For comparing, not showing.
   */
  recordKeyOf(e: number): string {
    return this.c.ids.toString('latin1', this.c.idOffsets[e]!, this.c.idOffsets[e + 1]!);
  }

  stateOf(entry: number): string | null {
    return this.c.states[this.c.state[entry]!] ?? null;
  }

  /** The state a state id (RawHit.state) stands for. */
  stateName(id: number): string | null {
    return this.c.states[id] ?? null;
  }

  entry(e: number): EntryView {
    const c = this.c;
    const wild = c.conf[e]! < 0;
    const d = c.expiresDay[e]!;
    return {
      recordId: c.ids.toString('utf8', c.idOffsets[e]!, c.idOffsets[e + 1]!),
      plate: wild ? c.wildcards.find((w) => w.entry === e)!.pattern : decodeExactKey(c.exact[e]!),
      wildcard: wild,
      state: c.states[c.state[e]!] ?? null,
      plateType: c.plateTypes[c.plateType[e]!] ?? null,
      category: c.categories[c.category[e]!]!,
      ori: c.oris[c.ori[e]!] ?? null,
      priority: c.priority[e]!,
      expiresAt: d === 0 ? null : (d - 1) * DAY,
      vehicle: parseVehicle(c.vehicles[c.vehicle[e]!] ?? undefined),
    };
  }

  /** Bytes held by the columns (for metrics and the bench). */
  get bytes(): number {
    const c = this.c;
    return [
      c.gap.words,
      c.filterP,
      c.filterS,
      c.conf,
      c.exact,
      c.next,
      c.table,
      c.state,
      c.category,
      c.plateType,
      c.ori,
      c.priority,
      c.expiresDay,
      c.vehicle,
      c.idOffsets,
      c.ids,
    ].reduce((s, a) => s + a.byteLength, 0);
  }
}

function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
