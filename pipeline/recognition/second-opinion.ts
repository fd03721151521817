import { editDistance, isUsState, normalizePlate, serialTemplates, type UsState } from '../../contracts/index.ts';
import {
  ctcLogLikelihood,
  fitsTemplate,
  formatPrior,
  logPrior,
  logProbs,
  MAX_CHANGES_ANY_STATE,
  PRIOR_WEIGHT,
  type StateGuess,
} from './format-prior.ts';
import type { PlateSteps } from './ppocr-math.ts';
import { plateSyntax, roundGlyphsAsZero } from './syntax.ts';

/**
 * Two readers of one plate: PP-OCR (the primary: the better reader of the two on real plates)
 * and the project's own recogniser (platerec: a second opinion for about 1 ms a plate). They fail
 * on different plates: on us-crops each is right on many plates the other misreads, so either one
 * is right far more often than PP-OCR alone (docs/benchmarks.md, Readers: accuracy). The rule that
 * picks between them has no threshold fitted to a benchmark, so that it holds on other cameras too:
 *
 * 1. Both read the same serial: it.
 * 2. The primary's read cannot be a serial (plateSyntax) and the second's can: the second.
 * 3. Where both readers give their per-step probabilities and the second saw a plate of the
 *    shape it learnt (`SECOND_MAX_ASPECT`), each reading is weighed by both: its probability
 *    under the primary's steps, times the second's to the power `SECOND_WEIGHT`, times the
 *    serial formats' prior (format-prior.ts) at `PRIOR_WEIGHT`; the likelier reading is taken.
 *    Each reader then speaks for every character of either reading, so PP-OCR's extra character
 *    (a dash read as L, a bumper's digits beside the plate) or its look-alike (G for 6, 0 for D)
 *    loses to platerec's read where PP-OCR itself found it nearly as likely.
 * 4. Otherwise (no probabilities, or a view platerec never learnt): the second's read (under the
 *    format prior) where it is one of the serial formats and the primary's (which had the same
 *    prior) is not. The formats are those of the state read from the plate, or every state's
 *    where none was read (then only between reads one look-alike apart, or the second without a
 *    character between others of the primary's).
 * 5. Otherwise the primary: vanity and specialty plates follow no format, and there the better
 *    reader decides.
 *
 * (With the second's probabilities in full, platerec's, the more peaked, outvote PP-OCR where
 * PP-OCR was right, on European plates above all; hence the half.)
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
  /** The recogniser's per-step probabilities, where it gives them (the format prior rereads them). */
  steps?: PlateSteps;
  /** The likeliest states by the recogniser's state head, where it has one. */
  states?: StateGuess;
}

export type Opinion = 'agree' | 'primary' | 'second';

/** How much the second reader's probabilities count beside the primary's (an exponent on them):
 * half. platerec is trained to be sure (one synthetic plate font family, CTC on clean labels) and
 * its probabilities are far more peaked than PP-OCR's; in full it outvotes PP-OCR's right reads. */
export const SECOND_WEIGHT = 0.5;
/**
 * The widest view (width / height of the box it read) for which the second reader's
 * probabilities are weighed. platerec learnt 2:1 US plates framed as a detector frames them,
 * each side cut or padded by a few percent: views of 1.6:1 to 2.7:1 (2 x 1.14 / 0.86). A wider
 * box is a one-line plate of elsewhere (a European plate is 4.7:1) squeezed into its input,
 * where its read loses characters it is sure are not there.
 */
export const SECOND_MAX_ASPECT = 2.7;

export function secondOpinion<R extends Read>(
  primary: R,
  second: Read,
  /** `aspect`: width / height of the view the second reader read (default 2, a US plate's). */
  opts: { fillState?: boolean; aspect?: number } = {},
): Omit<R, 'steps'> & { opinion: Opinion } {
  // The steps are a reader's working, not part of a read.
  const { steps: _, ...first } = primary;
  const fill = (opts.fillState ?? true) && !first.state;
  const state = fill ? second.state : first.state;
  const stateConfidence = fill ? second.stateConfidence : first.stateConfidence;
  const withState = { ...first, text: roundGlyphsAsZero(first.text, state), state, stateConfidence };
  // The printed name's state alone decides the formats: the state head is right too rarely; where
  // no name was read, the head's guess only weighs every state's formats.
  const known = first.state && isUsState(first.state) ? first.state : null;
  const templates = serialTemplates(known);
  const guess = known ? undefined : second.states;
  const a = normalizePlate(first.text),
    b = formatPrior(normalizePlate(second.text), second.steps, known, guess).text;
  // O and 0 are one round glyph on most plates: reads that differ only there agree, in the
  // primary's spelling ("GOBEARS", "G0BEARS"; roundGlyphsAsZero decides it with the state).
  if (a.replaceAll('O', '0') === b.replaceAll('O', '0')) return { ...withState, opinion: 'agree' };
  const v = plateSyntax(b);
  if (b && v.ok) {
    // With no state read, every state's formats judge only reads one look-alike apart, or the
    // second without one character between others of the primary's (a sticker or bolt read as
    // one): two apart, or short of an end character (a reader's usual slip on the first one), a
    // US format fits many another country's plates (see MAX_CHANGES_ANY_STATE).
    const near = known !== null || (a.length === b.length ? editDistance(a, b) <= MAX_CHANGES_ANY_STATE : isInnerDrop(a, b));
    const score =
      primary.steps && second.steps && (opts.aspect ?? 2) <= SECOND_MAX_ASPECT
        ? bothReaders(primary.steps, second.steps, known, guess)
        : null;
    const takeSecond =
      !plateSyntax(a).ok || (score ? score(b) > score(a) : near && fitsTemplate(b, templates) && !fitsTemplate(a, templates));
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

/** Log-score of a reading by both readers' steps and the format prior (rule 3). A round glyph is
 * scored as the zero most plates print (the steps count an O read there as that zero). */
function bothReaders(first: PlateSteps, second: PlateSteps, state: UsState | null, guess?: StateGuess): (text: string) => number {
  const firstLogs = logProbs(first),
    secondLogs = logProbs(second);
  return (text) => {
    const t = text.replaceAll('O', '0');
    return (
      ctcLogLikelihood(first, t, firstLogs) +
      SECOND_WEIGHT * ctcLogLikelihood(second, t, secondLogs) +
      PRIOR_WEIGHT * logPrior(t, state, guess)
    );
  };
}

/** Whether `shorter` is `longer` without one of its characters other than the first and the last. */
export function isInnerDrop(longer: string, shorter: string): boolean {
  if (longer.length !== shorter.length + 1) return false;
  for (let i = 1; i < longer.length - 1; i++) if (longer.slice(0, i) + longer.slice(i + 1) === shorter) return true;
  return false;
}
