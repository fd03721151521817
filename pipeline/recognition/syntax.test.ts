import { describe, expect, it } from 'vitest';
import { conformToState, editDistance } from '../../contracts/index.ts';
import { plateSyntax, roundGlyphsAsZero, stateFromText } from './syntax.ts';

describe('plateSyntax', () => {
  it.each(['ABC 1234', 'ABC-1234', '7FRB574', '654077M', 'XKE1484', '123-456', '123 4567', '2014-13', '1234-05'])(
    'accepts the serial %s',
    (t) => {
      expect(plateSyntax(t)).toMatchObject({ ok: true, prior: 1 });
    },
  );
  it.each([
    ['12:34:56', 'timestamp'],
    ['2024-05-01', 'date'],
    ['05/01/24', 'date'],
    ['2014-05', 'date'],
    ['FLORIDA', 'word printed on plates'],
    ['FL0RIDA', 'state name'],
    ['SUNSHINE', 'word printed on plates'],
    ['ANERICA', 'word printed on plates'],
    ['WWW.AUTOS.COM', 'dealer frame'],
    ['SMITH MOTORS', 'dealer frame'],
    ['555-0187', 'phone number'],
    ['212.555.0187', 'phone number'],
    ['(212) 555', 'phone number'],
    ['AB', 'too short'],
    ['ABCD123456', 'too long'],
  ])('refuses %s (%s)', (t, reason) => {
    expect(plateSyntax(t)).toMatchObject({ ok: false, reason });
  });
  it('lets all-letter vanity plates through with a lower prior', () => {
    expect(plateSyntax('GOFISH')).toMatchObject({ ok: true, prior: 0.6 });
  });
});

describe('stateFromText', () => {
  it('matches names with OCR slips, names with extra words, and unique slogans', () => {
    expect(stateFromText('FLORIDA')).toMatchObject({ state: 'FL', score: 1 });
    expect(stateFromText('Fl0rida')?.state).toBe('FL');
    expect(stateFromText('NEWHAMPSHIRE')?.state).toBe('NH');
    expect(stateFromText('VISIT FLORIDA')?.state).toBe('FL');
    expect(stateFromText('LIVE FREE OR DIE')?.state).toBe('NH');
    expect(stateFromText('IN GOD WE TRUST')).toBeNull(); // printed in several states
    expect(stateFromText('ABC1234')).toBeNull();
  });
  it('tells a name from a longer name that holds it, a slip in either part', () => {
    // DC plates print "Washington, DC": the DC is what tells them from Washington state's.
    expect(stateFromText('Washington, D.C.')?.state).toBe('DC');
    expect(stateFromText('WASHINGTONOC')?.state).toBe('DC');
    expect(stateFromText('Washington')?.state).toBe('WA');
    expect(stateFromText('WFST VIRGINIA')?.state).toBe('WV');
    expect(stateFromText('VIRGINIA')?.state).toBe('VA');
    expect(stateFromText('ARKANSAS')?.state).toBe('AR');
    expect(stateFromText('VISIT KANSAS')?.state).toBe('KS');
    // A state's own longer key (its slogan) does not hide its name.
    expect(stateFromText('VIRGINIA IS FOR LOVERS')).toMatchObject({ state: 'VA', score: 1 - 0.5 / 8 });
  });
});

describe('conformToState', () => {
  it('resolves look-alikes by the state formats and leaves misfits alone', () => {
    expect(conformToState('ALB744I', 'AZ')).toBe('ALB7441'); // AZ: LLLNNNN
    expect(conformToState('O1AB234', 'AL')).toBe('01AB234'); // AL: NNLLNNN
    expect(conformToState('0L07441', 'AZ')).toBe('0L07441'); // two changes: left as read
    expect(conformToState('JKT482', 'FL')).toBe('JKT482'); // 4 and A are not look-alikes
    expect(conformToState('ABCI234', 'GA')).toBe('ABC1234');
    expect(conformToState('ZZZZZZZZ', 'GA')).toBe('ZZZZZZZZ');
  });
});

describe('roundGlyphsAsZero', () => {
  it('writes O as 0 outside every standard format, and keeps an O where a format has a letter', () => {
    expect(roundGlyphsAsZero('CHICAGO', 'IL')).toBe('CHICAG0');
    expect(roundGlyphsAsZero('GO2BED', 'FL')).toBe('G02BED');
    expect(roundGlyphsAsZero('NOX218', 'AR')).toBe('NOX218'); // LLLNNN
    expect(roundGlyphsAsZero('7ABO123', 'CA')).toBe('7ABO123'); // California's NLLLNNN
    expect(roundGlyphsAsZero('ABC1234', 'FL')).toBe('ABC1234');
  });
  it('leaves a plate without a US state as read where its zeros make no state format: other countries tell O from 0', () => {
    expect(roundGlyphsAsZero('BO123XY', null)).toBe('BO123XY');
    expect(roundGlyphsAsZero('BO123XY', 'XX')).toBe('BO123XY');
    expect(roundGlyphsAsZero('SHOR7X', 'XX')).toBe('SHOR7X'); // read as another country's
  });
  it('writes O as 0 where no state was read only when that makes a format and the read is none', () => {
    expect(roundGlyphsAsZero('SHOR7X', null)).toBe('SH0R7X'); // Missouri's LLNLNL; LLLLNL is none
    expect(roundGlyphsAsZero('NOX218', null)).toBe('NOX218'); // LLLNNN as read
    expect(roundGlyphsAsZero('GOBEARS', null)).toBe('GOBEARS'); // a vanity plate either way
  });
});

describe('editDistance', () => {
  it('counts edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
