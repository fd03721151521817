import { normalizePlate } from '../contracts/index.ts';

/**
 * Plate search forms as pure functions: wildcard patterns, OCR-confusion keys and the set of
 * keys within one edit. The store runs none of this text through SQL: patterns become bound
 * LIKE parameters and key sets become bound arrays.
 */

/** Characters OCR confuses, folded to one representative each (same table as plate_terms_mv). */
export const CONFUSION_FROM = 'OQDILZSBG';
export const CONFUSION_TO = '000112586';
const FOLD = new Map([...CONFUSION_FROM].map((c, i) => [c, CONFUSION_TO[i]!]));

export function confusionKey(plate: string): string {
  let out = '';
  for (const ch of normalizePlate(plate)) out += FOLD.get(ch) ?? ch;
  return out;
}

/**
 * A LIKE pattern over plates (from wildcardToLike) as the same pattern over confusion keys: a
 * plate can only match if its key matches this, and the key's leading known characters are a
 * primary-key range in the tables sorted by key.
 */
export function confusionKeyLike(like: string): string {
  let out = '';
  for (const ch of like) out += FOLD.get(ch) ?? ch;
  return out;
}

/** The alphabet of confusion keys: digits and the letters that survive folding. */
const KEY_ALPHABET = [...new Set([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'].map((c) => FOLD.get(c) ?? c))];

/** Every key within one insertion, deletion or substitution of `key` (key included). */
export function keysWithinOneEdit(key: string): string[] {
  const out = new Set<string>([key]);
  for (let i = 0; i <= key.length; i++) {
    for (const c of KEY_ALPHABET) {
      out.add(key.slice(0, i) + c + key.slice(i)); // insertion
      if (i < key.length) out.add(key.slice(0, i) + c + key.slice(i + 1)); // substitution
    }
    if (i < key.length) out.add(key.slice(0, i) + key.slice(i + 1)); // deletion
  }
  out.delete('');
  return [...out];
}

/** Levenshtein distance, for ranking fuzzy hits. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

export class PatternError extends Error {
  override readonly name = 'PatternError';
}

/**
 * A plate wildcard pattern (`?` one character, `*` any run) as a LIKE pattern. Refused: other
 * characters, and patterns with fewer than two known characters, which would match most of
 * the plates on file and are no longer a search for a vehicle.
 */
export function wildcardToLike(pattern: string): string {
  const p = pattern.toUpperCase().replace(/[\s-]/g, '');
  if (!/^[A-Z0-9?*]{1,16}$/.test(p)) throw new PatternError('a pattern has letters, digits, ? (one character) and * (any characters) only, at most 16');
  if (p.replace(/[?*]/g, '').length < 2) throw new PatternError('a pattern needs at least two known characters');
  return p.replace(/\*+/g, '%').replace(/\?/g, '_');
}
