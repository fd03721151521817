/**
 * The plate rules every part shares: the states of issue, the canonical plate text, the classes
 * of characters OCR confuses and the edit distance. The reader, the store's searches and the
 * matcher must agree on each of them, or a plate found one way is missed another.
 */

/** US postal codes of the 50 states and DC: the states of issue a read may carry. */
export const US_STATES = [
  'AL',
  'AK',
  'AZ',
  'AR',
  'CA',
  'CO',
  'CT',
  'DE',
  'DC',
  'FL',
  'GA',
  'HI',
  'ID',
  'IL',
  'IN',
  'IA',
  'KS',
  'KY',
  'LA',
  'ME',
  'MD',
  'MA',
  'MI',
  'MN',
  'MS',
  'MO',
  'MT',
  'NE',
  'NV',
  'NH',
  'NJ',
  'NM',
  'NY',
  'NC',
  'ND',
  'OH',
  'OK',
  'OR',
  'PA',
  'RI',
  'SC',
  'SD',
  'TN',
  'TX',
  'UT',
  'VT',
  'VA',
  'WA',
  'WV',
  'WI',
  'WY',
] as const;
export type UsState = (typeof US_STATES)[number];

export function isUsState(s: string): s is UsState {
  return (US_STATES as readonly string[]).includes(s);
}

/**
 * The canonical form of plate text used for matching and searching: upper case, letters
 * and digits only. Plates are printed with spaces, dashes and symbols that OCR reads
 * inconsistently ("ABC-123", "ABC 123"), and none of them distinguish one plate from another.
 */
export function normalizePlate(text: string): string {
  // Reads arrive normalised nearly always; the matcher calls this per read and per candidate.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || (c > 57 && c < 65) || c > 90) return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
  }
  return text;
}

/**
 * Characters OCR confuses, folded to one representative each: the store's search keys (the
 * same table as plate_terms_mv) and the matcher's hotlist keys. Two plates whose keys are equal
 * may be one plate read two ways.
 */
export const CONFUSION_FROM = 'OQDILZSBG';
export const CONFUSION_TO = '000112586';
const FOLD = new Map([...CONFUSION_FROM].map((c, i) => [c, CONFUSION_TO[i]!]));

/** One character's confusion class (its representative); characters outside any class are themselves. */
export function confusionClass(ch: string): string {
  return FOLD.get(ch) ?? ch;
}

/** The OCR-confusion key of a plate: its normalised text with each character folded to its class. */
export function confusionKey(plate: string): string {
  let out = '';
  for (const ch of normalizePlate(plate)) out += FOLD.get(ch) ?? ch;
  return out;
}

/** The alphabet of confusion keys: digits and the letters that survive folding. */
export const CONFUSION_ALPHABET: readonly string[] = [...new Set([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'].map(confusionClass))];

/**
 * The look-alikes a reader may swap when a state's serial format says letter or digit. Only the
 * pairs OCR truly confuses on plate faces; a wider map turns real serials of specialty formats
 * into wrong ones ("JKT482" is not "JKTA82").
 */
export const LOOKALIKE_LETTER: Readonly<Record<string, string>> = { '0': 'O', '1': 'I', '2': 'Z', '5': 'S', '8': 'B' };
export const LOOKALIKE_DIGIT: Readonly<Record<string, string>> = { O: '0', Q: '0', D: '0', I: '1', Z: '2', S: '5', B: '8' };

/** Levenshtein distance: insertions, deletions and substitutions, each costing one. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
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

/** Similarity 0..1 (1 = identical) of two normalised plate texts: one minus the edit distance per character. */
export function textSimilarity(a: string, b: string): number {
  const n = Math.max(a.length, b.length);
  return n === 0 ? 1 : 1 - editDistance(a, b) / n;
}

export class PatternError extends Error {
  override readonly name = 'PatternError';
}

/**
 * A plate wildcard pattern (`?` one character, `*` any run) as a LIKE pattern: the store's
 * searches and a hotlist's wildcard entries. Refused: other characters, and patterns with fewer
 * than two known characters, which would match most of the plates on file and are no longer a
 * search for a vehicle.
 */
export function wildcardToLike(pattern: string): string {
  const p = pattern.toUpperCase().replace(/[\s-]/g, '');
  if (!/^[A-Z0-9?*]{1,16}$/.test(p))
    throw new PatternError('a pattern has letters, digits, ? (one character) and * (any characters) only, at most 16');
  if (p.replace(/[?*]/g, '').length < 2) throw new PatternError('a pattern needs at least two known characters');
  return p.replace(/\*+/g, '%').replace(/\?/g, '_');
}
