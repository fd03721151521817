import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from './csv.ts';

describe('csvCell', () => {
  it('writes numbers as numbers: no apostrophe on a negative longitude, as a number or as its text', () => {
    expect(csvCell(-84.2807)).toBe('-84.2807');
    expect(csvCell('-84.2807')).toBe('-84.2807');
    expect(csvCell(30.4383)).toBe('30.4383');
    expect(csvCell('+1.5e3')).toBe('+1.5e3');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvLine([30.4383, -84.2807, 7])).toBe('30.4383,-84.2807,7');
  });

  it('defuses text that a spreadsheet would run as a formula, and quotes it', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+cmd|calc')).toBe(`"'+cmd|calc"`);
    expect(csvCell('-2+3+cmd|calc')).toBe(`"'-2+3+cmd|calc"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\tx')).toBe(`"'\tx"`);
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell('-')).toBe(`"'-"`);
  });

  it('quotes text with commas, quotes or line breaks, and leaves plain text and empty cells alone', () => {
    expect(csvCell('US-27 at Capital Circle, northbound')).toBe('"US-27 at Capital Circle, northbound"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell('ABC1234')).toBe('ABC1234');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell({ plate: 'ABC' })).toBe('"{""plate"":""ABC""}"');
    expect(csvLine([1, 'x', null, '-1+1'])).toBe(`1,x,,"'-1+1"`);
  });

  it("defuses text that reads as a number too, where asked (the audit log's free text)", () => {
    const defuse = { numberText: 'defuse' } as const;
    expect(csvCell('-84.2807', defuse)).toBe(`"'-84.2807"`);
    expect(csvCell('+1', defuse)).toBe(`"'+1"`);
    expect(csvCell(-84.2807, defuse)).toBe('-84.2807');
    expect(csvLine([1, 'x', null, '-1'], defuse)).toBe(`1,x,,"'-1"`);
  });
});
