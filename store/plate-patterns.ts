import { CONFUSION_ALPHABET, confusionClass } from '../contracts/index.ts';

/**
 * Plate search forms as pure functions: wildcard patterns over confusion keys and the set of
 * keys within one edit (wildcards, confusion classes and the edit distance are in contracts/plate.ts).
 * The store runs none of this text through SQL: patterns become bound LIKE parameters and key
 * sets become bound arrays.
 */

/**
 * A LIKE pattern over plates (from wildcardToLike) as the same pattern over confusion keys: a
 * plate can only match if its key matches this, and the key's leading known characters are a
 * primary-key range in the tables sorted by key.
 */
export function confusionKeyLike(like: string): string {
  let out = '';
  for (const ch of like) out += confusionClass(ch);
  return out;
}

/** Every key within one insertion, deletion or substitution of `key` (key included). */
export function keysWithinOneEdit(key: string): string[] {
  const out = new Set<string>([key]);
  for (let i = 0; i <= key.length; i++) {
    for (const c of CONFUSION_ALPHABET) {
      out.add(key.slice(0, i) + c + key.slice(i)); // insertion
      if (i < key.length) out.add(key.slice(0, i) + c + key.slice(i + 1)); // substitution
    }
    if (i < key.length) out.add(key.slice(0, i) + key.slice(i + 1)); // deletion
  }
  out.delete('');
  return [...out];
}
