import { fitsStateFormat, isUsState, normalizePlate, type UsState } from '../../contracts/index.ts';
import { plateSyntax, roundGlyphsAsZero } from './syntax.ts';

/**
 * Two readers of one plate: PP-OCR (the primary: the better reader of the two on real plates)
 * and the project's own recogniser (platerec: a second opinion for about 1 ms a plate). They fail
 * on different plates: on us-crops each is right on many plates the other misreads, so either one
 * is right far more often than PP-OCR alone (docs/benchmarks.md, Readers: accuracy). The rule that picks between them was fixed
 * before it was measured and has no tuned threshold, so that it holds on other cameras too:
 *
 * 1. Both read the same serial: it.
 * 2. The primary's read cannot be a serial (plateSyntax) and the second's can: the second.
 * 3. The state of issue is read from the plate, the second's read is one of that state's serial formats
 *    exactly and the primary's is not: the second (PP-OCR's usual miss is a look-alike
 *    character, 8/B, 0/D, 1/I, which lands outside the format; platerec's is a different one).
 * 4. Otherwise the primary: vanity and specialty plates follow no format, and there the better
 *    reader decides.
 *
 * The state: the primary's (PP-OCR reads the printed name) or, where it read none and
 * `fillState` is on, the second's state head, with that head's own confidence. A video reader
 * turns it off: every frame's guess would be a vote in the tracker. The chosen text is spelt with
 * the chosen state (`roundGlyphsAsZero`): the second's read, or a state filled in here, come
 * after the primary reader spelt its own.
 */

export interface Read {
  text: string;
  confidence: number;
  state: UsState | null;
  stateConfidence: number;
}

export type Opinion = 'agree' | 'primary' | 'second';

export function secondOpinion<R extends Read>(primary: R, second: Read, opts: { fillState?: boolean } = {}): R & { opinion: Opinion } {
  const fill = (opts.fillState ?? true) && !primary.state;
  const state = fill ? second.state : primary.state;
  const stateConfidence = fill ? second.stateConfidence : primary.stateConfidence;
  const withState = { ...primary, text: roundGlyphsAsZero(primary.text, state), state, stateConfidence };
  // Formats are judged by the printed name's state only: the state head is right too rarely.
  const known = primary.state && isUsState(primary.state) ? primary.state : null;
  const a = normalizePlate(primary.text),
    b = normalizePlate(second.text);
  // O and 0 are one round glyph on most plates: reads that differ only there agree, in the
  // primary's spelling ("GOBEARS", "G0BEARS"; roundGlyphsAsZero decides it with the state).
  if (a.replaceAll('O', '0') === b.replaceAll('O', '0')) return { ...withState, opinion: 'agree' };
  const v = plateSyntax(b);
  if (b && v.ok) {
    const takeSecond = !plateSyntax(a).ok || (known !== null && fitsStateFormat(b, known, 0) && !fitsStateFormat(a, known, 0));
    if (takeSecond)
      return {
        ...withState,
        text: roundGlyphsAsZero(v.text, state),
        confidence: Math.round(second.confidence * v.prior * 1000) / 1000,
        opinion: 'second',
      };
  }
  return { ...withState, opinion: 'primary' };
}
