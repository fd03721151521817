import { describe, expect, it } from 'vitest';
import { conformToState, fitsStateFormat, STATE_PLATES } from './plate-formats.ts';
import {
  CONFUSION_ALPHABET,
  confusionKey,
  editDistance,
  isUsState,
  normalizePlate,
  textSimilarity,
  US_STATES,
  wildcardToLike,
} from './plate.ts';

describe('plate rules', () => {
  it('normalises plate text to letters and digits, upper case', () => {
    expect(normalizePlate('abc-12 3')).toBe('ABC123');
    expect(normalizePlate('ABC123')).toBe('ABC123');
    expect(isUsState('FL')).toBe(true);
    expect(isUsState('XX')).toBe(false);
  });

  it('folds the characters OCR confuses into one class each', () => {
    expect(confusionKey('O0QD')).toBe('0000');
    expect(confusionKey('B8-S5 G6 Z2 I1 L')).toBe('88556622111');
    expect(confusionKey('ABC 123')).toBe(confusionKey('A8C1Z3'));
    // 36 characters, 9 folded away: the matcher's confusion base counts on 27 symbols.
    expect(CONFUSION_ALPHABET).toHaveLength(27);
  });

  it('has one edit distance: insertions, deletions and substitutions', () => {
    expect(editDistance('ABC123', 'ABC123')).toBe(0);
    expect(editDistance('ABC123', 'ABC124')).toBe(1);
    expect(editDistance('ABC123', 'AB123')).toBe(1);
    expect(editDistance('', 'ABC')).toBe(3);
    expect(editDistance('KITTEN', 'SITTING')).toBe(3);
    expect(textSimilarity('ABC123', 'ABC124')).toBeCloseTo(5 / 6);
  });

  it('knows every state’s serial formats and fits look-alikes to them', () => {
    expect(STATE_PLATES.map((p) => p.state)).toEqual([...US_STATES]);
    expect(conformToState('ABCI234', 'FL')).toBe('ABCI234'); // no Florida format is seven characters
    // Florida's series side by side: A12 3BC, 123 4AB and the older 123 ABC.
    expect(['P315WX', '8306KD', '274JRN'].every((t) => fitsStateFormat(t, 'FL', 0))).toBe(true);
    expect(conformToState('K4B2TM', 'FL')).toBe('K482TM');
    expect(conformToState('ABCI234', 'GA')).toBe('ABC1234'); // LLL NNNN: an I where a digit goes
    expect(fitsStateFormat('1234ABC', 'GA')).toBe(false);
  });

  it('turns a wildcard pattern into LIKE, refusing patterns that match nearly everything', () => {
    expect(wildcardToLike('ab?12*')).toBe('AB_12%');
    expect(() => wildcardToLike('A*')).toThrow(/two known characters/);
  });
});
