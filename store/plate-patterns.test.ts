import { describe, expect, it } from 'vitest';
import { confusionKey, editDistance, PatternError, wildcardToLike } from '../contracts/index.ts';
import { keysWithinOneEdit } from './plate-patterns.ts';

describe('plate search forms', () => {
  it('folds OCR confusions into one key', () => {
    expect(confusionKey('B0ZO1')).toBe(confusionKey('8O2D1'));
    expect(confusionKey('ABC-1234')).toBe('A8C1234');
    expect(confusionKey('SG')).toBe('56');
    expect(confusionKey('ABC')).not.toBe(confusionKey('ABE'));
  });

  it('lists every key one edit away, and nothing further', () => {
    const keys = keysWithinOneEdit('A8C1');
    expect(keys).toContain('A8C1'); // itself
    expect(keys).toContain('A8C'); // deletion
    expect(keys).toContain('A8CX1'); // insertion
    expect(keys).toContain('A8E1'); // substitution
    expect(keys).not.toContain('A8EX1'); // two edits
    for (const k of keys) expect(editDistance(k, 'A8C1')).toBeLessThanOrEqual(1);
  });

  it('measures edit distance', () => {
    expect(editDistance('ABC1234', 'ABC1234')).toBe(0);
    expect(editDistance('ABC1234', 'ABC124')).toBe(1);
    expect(editDistance('ABC1234', 'XBC1235')).toBe(2);
  });

  it('turns wildcards into LIKE patterns and refuses unsafe or empty ones', () => {
    expect(wildcardToLike('ab?12*')).toBe('AB_12%');
    expect(wildcardToLike('*1234*')).toBe('%1234%');
    expect(wildcardToLike('A?C1234')).toBe('A_C1234');
    for (const bad of ['*', '?*?', 'A*', "AB%'--", 'AB_1', 'x'.repeat(17)]) expect(() => wildcardToLike(bad)).toThrow(PatternError);
  });
});
