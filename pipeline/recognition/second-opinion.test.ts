import { describe, expect, it } from 'vitest';
import { STEP_CLASSES } from './ppocr-math.ts';
import { cutShort, mixes, secondOpinion, type Read, unsureDrops } from './second-opinion.ts';

const read = (text: string, state: Read['state'] = null, confidence = 0.9, stateConfidence = state ? 0.9 : 0): Read => ({
  text,
  confidence,
  state,
  stateConfidence,
});

/** Steps with one row per character (the rest of each row "nothing") and a "nothing" row after each. */
function stepsOf(rows: Record<string, number>[]) {
  const K = STEP_CLASSES.length;
  const probs = new Float32Array(rows.length * 2 * K);
  rows.forEach((row, i) => {
    let rest = 1;
    for (const [c, p] of Object.entries(row)) {
      probs[2 * i * K + STEP_CLASSES.indexOf(c)] = p;
      rest -= p;
    }
    probs[2 * i * K] = rest;
    probs[(2 * i + 1) * K] = 1;
  });
  return { T: rows.length * 2, probs };
}

describe('second opinion on a plate read', () => {
  it('keeps a serial both readers agree on', () => {
    const r = secondOpinion(read('7ABC123', 'CA'), read('7abc-123', null, 0.5));
    expect(r).toMatchObject({ text: '7ABC123', confidence: 0.9, state: 'CA', opinion: 'agree' });
  });
  it("takes the second read when the primary's cannot be a serial", () => {
    expect(secondOpinion(read('CALIFORNIA', 'CA'), read('7ABC123', null, 0.6))).toMatchObject({
      text: '7ABC123',
      confidence: 0.6,
      opinion: 'second',
    });
    // An all-letter read is a serial with a lower prior, as the primary's would be.
    expect(secondOpinion(read('', null, 0), read('GOBEARS', null, 0.5))).toMatchObject({ text: 'GOBEARS', confidence: 0.3 });
    expect(secondOpinion(read('', null, 0), read('ABC1234', null, 0.7))).toMatchObject({ text: 'ABC1234', opinion: 'second' });
  });
  it("takes the second read when only it is one of the printed state's formats", () => {
    // California is NLLLNNN: PP-OCR's 8 for B leaves the format, platerec's read fits it.
    expect(secondOpinion(read('7A8C123', 'CA'), read('7ABC123', 'TX', 0.8))).toMatchObject({
      text: '7ABC123',
      state: 'CA',
      opinion: 'second',
    });
  });
  it("takes the second read when only it is one of any state's formats, where no state is read", () => {
    // NLNLNNN is no state's format; NLLLNNN is California's (and the state head's guess plays no part).
    expect(secondOpinion(read('7A8C123'), read('7ABC123', 'TX', 0.8, 0.3))).toMatchObject({ text: '7ABC123', opinion: 'second' });
  });
  it("reads the second's probabilities under the formats before judging it", () => {
    // platerec's I at the fifth place, 1 nearly as likely: Missouri's LLNLNL (no state read: every state's formats).
    const K = STEP_CLASSES.length;
    const chars: [string, number, string?, number?][] = [
      ['D', 0.97],
      ['L', 0.97],
      ['9', 0.97],
      ['E', 0.97],
      ['I', 0.5, '1', 0.45],
      ['U', 0.97],
    ];
    const probs = new Float32Array(chars.length * 2 * K);
    chars.forEach(([c, p, alt, q = 0], i) => {
      probs[2 * i * K + STEP_CLASSES.indexOf(c)] = p;
      if (alt) probs[2 * i * K + STEP_CLASSES.indexOf(alt)] = q;
      probs[2 * i * K] = 1 - p - q;
      probs[(2 * i + 1) * K] = 1;
    });
    const second = { ...read('DL9EIU', null, 0.7), steps: { T: chars.length * 2, probs } };
    expect(secondOpinion(read('DL9EIU'), second)).toMatchObject({ text: 'DL9E1U', opinion: 'second' });
    // Two characters apart with no state read: the better reader's own read stands (a Slovak plate fits a US format two look-alikes away).
    expect(secondOpinion(read('BA302OZ'), read('BA30202', null, 0.9))).toMatchObject({ text: 'BA302OZ', opinion: 'primary' });
    // Nor one short of an end character: the second reader missed a Slovak plate's first letter, and the rest is Utah's LNNNLL.
    expect(secondOpinion(read('RK867AD'), read('K867AD', null, 0.9))).toMatchObject({ text: 'RK867AD', opinion: 'primary' });
    // A mark between characters the primary read (a sticker in Missouri's LLN LNL), which the second left out: the second.
    expect(secondOpinion(read('DH5DX9P'), read('DH5X9P', null, 0.9))).toMatchObject({ text: 'DH5X9P', opinion: 'second' });
  });
  it('weighs each reading by both readers where both give their probabilities', () => {
    // PP-OCR read a dash as L between a round glyph and R (Missouri's LLN LNL), itself unsure of it;
    // platerec, sure, read no character there.
    const primary = {
      ...read('SHOLR7X'),
      steps: stepsOf(
        [...'SHO']
          .map((c) => ({ [c]: 0.95 }))
          .concat(
            [{ L: 0.5 }],
            [...'R7X'].map((c) => ({ [c]: 0.95 })),
          ),
      ),
    };
    const second = { ...read('SH0R7X', null, 0.8), steps: stepsOf([...'SH0R7X'].map((c) => ({ [c]: 0.97 }))) };
    expect(secondOpinion(primary, second)).toMatchObject({ text: 'SH0R7X', opinion: 'second' });
    // A view wider than the plates platerec learnt (a European plate, 4.7:1): its probabilities are not
    // weighed, and no format rule takes its read either.
    expect(secondOpinion(primary, second, { aspect: 4.7 })).toMatchObject({ text: 'SHOLR7X', opinion: 'primary' });
    // Where PP-OCR is sure of a character platerec doubts, PP-OCR's read stands.
    const sure = { ...read('SHOLR7X'), steps: stepsOf([...'SHOLR7X'].map((c) => ({ [c]: 0.999 }))) };
    const doubt = {
      ...read('SH0R7X', null, 0.8),
      steps: stepsOf(
        [...'SH0']
          .map((c) => ({ [c]: 0.97 }))
          .concat(
            [{ L: 0.3 }],
            [...'R7X'].map((c) => ({ [c]: 0.97 })),
          ),
      ),
    };
    expect(secondOpinion(sure, doubt)).toMatchObject({ text: 'SHOLR7X', opinion: 'primary' });
  });
  it('weighs each read without a character its reader was unsure of, where the others read none there', () => {
    // A plate's graphic left of the serial: PP-OCR read it as X, platerec as 7, neither sure; each
    // read the other's character as nothing.
    const rest = [...'ABC123'].map((c) => ({ [c]: 0.95 }));
    const primary = { ...read('XABC123'), steps: stepsOf([{ X: 0.45, Y: 0.15 }, ...rest]) };
    const second = { ...read('7ABC123', null, 0.4), steps: stepsOf([{ '7': 0.4, '2': 0.25 }, ...rest]) };
    expect(secondOpinion(primary, second)).toMatchObject({ text: 'ABC123', opinion: 'second' });
    // A first character its reader was sure of stays where the other, unsure, took it for another.
    const sure = { ...read('XABC123'), steps: stepsOf([{ X: 0.9 }, ...rest]) };
    const unsure = { ...read('7ABC123', null, 0.4), steps: stepsOf([{ '7': 0.4, X: 0.2 }, ...rest]) };
    expect(secondOpinion(sure, unsure)).toMatchObject({ text: 'XABC123', opinion: 'primary' });
    // Or where the other saw no X there at all: with no state read, its reading short of the primary's
    // sure first character is the second's usual slip, read so or left by a drop.
    expect(secondOpinion(sure, second)).toMatchObject({ text: 'XABC123', opinion: 'primary' });
  });
  it("does not weigh the second's read short of the primary's first character where no state is read", () => {
    // PP-OCR sure of a first K; platerec, its view cut short, reads the rest: six digits, Delaware's format.
    const primary = { ...read('K562093'), steps: stepsOf([...'K562093'].map((c) => ({ [c]: 0.9 }))) };
    const second = { ...read('562093', null, 0.9), steps: stepsOf([...'562093'].map((c) => ({ [c]: 0.99 }))) };
    expect(secondOpinion(primary, second)).toMatchObject({ text: 'K562093', opinion: 'primary' });
    // With the state read, its formats decide among both reads.
    expect(secondOpinion({ ...primary, state: 'DE', stateConfidence: 0.9 }, second)).toMatchObject({ text: '562093', opinion: 'second' });
  });
  it('weighs the mixtures of both reads that are a format, each reader right where the other slipped', () => {
    // PP-OCR sure of the J, unsure of a last 7 it nearly took for 1; platerec sure of the 1, unsure of an I it nearly took for J.
    const row = (text: string, unsure: number, mid: Record<string, number>) =>
      [...text].map((ch, i) => (i === unsure ? mid : { [ch]: 0.97 }));
    const primary = { ...read('AJK7557'), steps: stepsOf(row('AJK7557', 6, { 7: 0.5, 1: 0.45 })) };
    const second = { ...read('AIK7551', null, 0.8), steps: stepsOf(row('AIK7551', 1, { I: 0.5, J: 0.45 })) };
    expect(secondOpinion(primary, second)).toMatchObject({ text: 'AJK7551', opinion: 'second' });
    expect(mixes('AJK7557', 'AIK7551')).toEqual(['AJK7551', 'AIK7557']);
    // Insertions and deletions mix too; reads one edit apart, or more than three, have none.
    expect(mixes('KCSIM', '7KCS1M')).toEqual(['KCS1M', '7KCSIM']);
    expect(mixes('GHP995', '6HP995')).toEqual([]);
    expect(mixes('ABCDEF', '123456')).toEqual([]);
  });
  it("averages the probabilities of the second's recognisers and weighs each one's read", () => {
    // PP-OCR reads an 8 it nearly takes for B; the lead platerec an R it half takes for B; the other platerec a sure B.
    const row = (c: string, mid: Record<string, number>) => [...c].map((ch, i) => (i === 2 ? mid : { [ch]: 0.97 }));
    const primary = { ...read('7A8C123'), steps: stepsOf(row('7A8C123', { 8: 0.5, B: 0.45 })) };
    const lead = { ...read('7ARC123', null, 0.6), steps: stepsOf(row('7ARC123', { R: 0.6, B: 0.3 })) };
    const other = { ...read('7ABC123', null, 0.9), steps: stepsOf(row('7ABC123', { B: 0.95 })) };
    expect(secondOpinion(primary, lead, { alike: [other] })).toMatchObject({ text: '7ABC123', opinion: 'second' });
    // The lead alone: PP-OCR's read stands.
    expect(secondOpinion(primary, lead)).toMatchObject({ text: '7A8C123', opinion: 'primary' });
  });
  it("weighs each reader's reading in the printed state's formats too", () => {
    // A Florida LNN NLL plate: PP-OCR reads a character too many (a 2 it doubts), platerec reads
    // 8 as B (its 8 far behind). Neither reading is Florida's; PP-OCR's reading in the format is.
    const primary = {
      ...read('K4828TM', 'FL'),
      steps: stepsOf([{ K: 0.95 }, { 4: 0.95 }, { 8: 0.6, B: 0.3 }, { 2: 0.4 }, { 8: 0.6, B: 0.3 }, { T: 0.95 }, { M: 0.95 }]),
    };
    const second = {
      ...read('K4BBTM', null, 0.8),
      steps: stepsOf([{ K: 0.97 }, { 4: 0.97 }, { B: 0.9, 8: 0.05 }, { B: 0.9, 8: 0.05 }, { T: 0.97 }, { M: 0.97 }]),
    };
    expect(secondOpinion(primary, second)).toMatchObject({ text: 'K488TM', state: 'FL', confidence: 0.8, opinion: 'second' });
    // With no state read the formats' readings are not weighed: the likelier of the two readings stands.
    expect(secondOpinion({ ...primary, state: null, stateConfidence: 0 }, second).text).not.toBe('K488TM');
  });
  it('keeps the primary when both or neither fit, or the state is not read', () => {
    // Both fit California's format: the better reader decides.
    expect(secondOpinion(read('7ABC123', 'CA'), read('7ABC128', 'CA'))).toMatchObject({ text: '7ABC123', opinion: 'primary' });
    // A vanity plate: neither fits.
    expect(secondOpinion(read('GDBEARS', 'CA'), read('GOBEARS', 'CA'))).toMatchObject({ text: 'GDBEARS', opinion: 'primary' });
    // O and 0 are one round glyph outside the formats: the two reads agree, spelt with zero on a US plate.
    expect(secondOpinion(read('GOBEARS', 'CA'), read('G0BEARS', 'CA'))).toMatchObject({ text: 'G0BEARS', opinion: 'agree' });
    expect(secondOpinion(read('GOBEARS'), read('G0BEARS'), { fillState: false })).toMatchObject({ text: 'GOBEARS', opinion: 'agree' });
    // No printed state: the state head's guess does not judge formats; every state's formats do.
    expect(secondOpinion(read('7A8C123', null), read('7ABC1234', 'CA', 0.9, 0.95))).toMatchObject({ text: '7A8C123', opinion: 'primary' });
    // The second read cannot be a serial.
    expect(secondOpinion(read('7A8C123', 'CA'), read('7A', 'CA'))).toMatchObject({ text: '7A8C123', opinion: 'primary' });
  });
  it("fills a state the primary did not read from the second's state head, with its confidence", () => {
    expect(secondOpinion(read('ABC1234'), read('ABC1234', 'TX', 0.8, 0.4))).toMatchObject({ state: 'TX', stateConfidence: 0.4 });
    expect(secondOpinion(read('ABC1234', 'NY', 0.9, 0.7), read('ABC1234', 'TX', 0.8, 0.99))).toMatchObject({
      state: 'NY',
      stateConfidence: 0.7,
    });
    // Filling turned off (video): the primary's missing state stays missing.
    expect(secondOpinion(read('ABC1234'), read('ABC1234', 'TX', 0.8, 0.4), { fillState: false })).toMatchObject({
      state: null,
      stateConfidence: 0,
    });
  });
});

describe('a read without its unsure characters', () => {
  it('drops each character read at under even odds, and none of a sure read', () => {
    const steps = stepsOf([{ K: 0.9 }, { C: 0.95 }, { S: 0.4, '5': 0.3 }, { '1': 0.9 }, { M: 0.45, N: 0.2 }]);
    expect(unsureDrops('KCS1M', steps)).toEqual(['KC1M', 'KCS1']);
    expect(unsureDrops('KCS1M', stepsOf([...'KCS1M'].map((c) => ({ [c]: 0.9 }))))).toEqual([]);
    // Steps that are not the text (a format's reading of them) and reads too short to lose a character.
    expect(unsureDrops('KC51M', steps)).toEqual([]);
    expect(unsureDrops('KC1', stepsOf([{ K: 0.9 }, { C: 0.4, G: 0.3 }, { '1': 0.9 }]))).toEqual([]);
    expect(unsureDrops('KCS1M')).toEqual([]);
  });
});

describe("PP-OCR's line cut short", () => {
  it('is told by another read running past it at an end, a look-alike apart at most', () => {
    // PP-OCR's tight box lost the first C and last V of CJ8P4V and read the 8 as B; platerec saw them.
    expect(cutShort('JBP4', 'CJ8P4V')).toBe(true);
    expect(cutShort('J8P4', 'CJ8P4')).toBe(true);
    expect(cutShort('ABC123', 'ABC1234')).toBe(true);
    // Not where the other read is no longer, differs in more than one place, or runs past by three.
    expect(cutShort('ABC123', 'ABC128')).toBe(false);
    expect(cutShort('JBP4', 'CJ8R4V')).toBe(false);
    expect(cutShort('P4', 'CJ8P4')).toBe(false);
  });
});
