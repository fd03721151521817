import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from './csv.ts';

describe('csvCell', () => {
  it('defuses formulas in text only: numbers stay numbers', () => {
    expect(csvCell(-84.2807)).toBe('-84.2807');
    expect(csvCell(42)).toBe('42');
    expect(csvCell('-84.2807')).toBe(`"'-84.2807"`);
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
  });

  it('quotes what would break a row and leaves plain text bare', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('reads.search')).toBe('reads.search');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell({ plate: 'ABC' })).toBe('"{""plate"":""ABC""}"');
    expect(csvLine([1, 'x', null, '-1'])).toBe(`1,x,,"'-1"`);
  });
});
