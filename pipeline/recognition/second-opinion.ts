import { editDistance, isUsState, normalizePlate, serialTemplates, type UsState } from '../../contracts/index.ts';
import {
  ctcLogLikelihood,
  fitsTemplate,
  formatPrior,
  logPrior,
  logProbs,
  templateDecode,
  DROP_COST,
  MAX_CHANGES_ANY_STATE,
  PRIOR_WEIGHT,
  type StateGuess,
} from './format-prior.ts';
import { type PlateSteps, STEP_CLASSES } from './ppocr-math.ts';
import { roundScore as round } from './reader.ts';
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
 *    serial formats' prior (format-prior.ts) at `PRIOR_WEIGHT`; the likeliest reading is taken.
 *    Where the state is read, each reader's likeliest reading in each of its formats is weighed
 *    too (`formatReadings`): the right reading is often neither reader's first. So are the
 *    mixtures of the two reads that are a format (`mixes`): each reader may slip where the other
 *    does not.
 *    So are the readings without a character its own reader was less sure of than not
 *    (`unsureDrops`: an emblem, a plate's graphic or a sticker read as one), each at `DROP_COST`,
 *    the price a reading one character short pays under the formats; the second's none short
 *    of the primary's first or last character where no state is read (below).
 *    Each reader then speaks for every character of either reading, so PP-OCR's extra character
 *    (a dash read as L, a bumper's digits beside the plate) or its look-alike (G for 6, 0 for D)
 *    loses to platerec's read where PP-OCR itself found it nearly as likely. With no state
 *    read, the second's read short of the primary's first or last character is not weighed.
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
  /** `aspect`: width / height of the view the second reader read (default 2, a US plate's).
   * `alike`: reads of the same view by other recognisers of the second's kind (a second platerec,
   * trained otherwise): their probabilities are averaged with the second's, their reads weighed too. */
  opts: { fillState?: boolean; aspect?: number; alike?: Read[] } = {},
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
    if (primary.steps && second.steps && (opts.aspect ?? 2) <= SECOND_MAX_ASPECT) {
      // Each recogniser's log-probabilities once per plate: the weighing and the formats' readings both read them.
      const firstLogged = logged(primary.steps);
      const seconds = [second, ...(opts.alike ?? [])].flatMap((r) => (r.steps ? [logged(r.steps)] : []));
      const score = bothReaders(firstLogged, seconds, known, guess);
      // A second's read short of the primary's first or last character, no state read: that is
      // the second's usual slip (a view cut short), and every state's formats together always
      // hold some shorter serial, so it is not weighed.
      const endSlip = (x: string) => !known && a.length === x.length + 1 && (a.slice(1) === x || a.slice(0, -1) === x);
      const alike = (opts.alike ?? []).map((r) => formatPrior(normalizePlate(r.text), r.steps, known, guess).text);
      const readings = [
        a,
        ...[b, ...alike].filter((x) => x && !endSlip(x)),
        // Each reader right where the other slipped: such a mixture is neither's read, so only one the formats hold.
        ...mixes(a, b).filter((x) => !endSlip(x) && fitsTemplate(x.replaceAll('O', '0'), templates)),
        ...(known ? formatReadings(firstLogged, seconds[0]!, a, b, known) : []),
      ];
      const drops = new Set(
        [
          ...unsureDrops(a, primary.steps),
          ...[second, ...(opts.alike ?? [])].flatMap((r) => unsureDrops(normalizePlate(r.text), r.steps)).filter((x) => !endSlip(x)),
        ].filter((x) => !readings.includes(x)),
      );
      const best = likeliest([...readings, ...drops], (t) => score(t) - (drops.has(t) ? DROP_COST : 0));
      if (!best || best.text === a) return { ...withState, opinion: 'primary' };
      // A reading the lead second did not give (a format's, or another recogniser's) is as sure
      // as the less sure of the two readers.
      const sure = best.text === b ? second.confidence : Math.min(first.confidence, second.confidence);
      return { ...withState, text: roundGlyphsAsZero(best.text, state), confidence: round(sure * best.prior), opinion: 'second' };
    }
    // With no state read, every state's formats judge only reads one look-alike apart, or the
    // second without one character between others of the primary's (a sticker or bolt read as
    // one): two apart, or short of an end character (a reader's usual slip on the first one), a
    // US format fits many another country's plates (see MAX_CHANGES_ANY_STATE).
    const near = known !== null || (a.length === b.length ? editDistance(a, b) <= MAX_CHANGES_ANY_STATE : isInnerDrop(a, b));
    const takeSecond = !plateSyntax(a).ok || (near && fitsTemplate(b, templates) && !fitsTemplate(a, templates));
    if (takeSecond)
      return { ...withState, text: roundGlyphsAsZero(v.text, state), confidence: round(second.confidence * v.prior), opinion: 'second' };
  }
  return { ...withState, opinion: 'primary' };
}

/** The likeliest of the readings that can be serials, by `score`, with its syntax prior; null when none can. */
function likeliest(readings: string[], score: (text: string) => number): { text: string; prior: number } | null {
  let best: { text: string; prior: number } | null = null,
    bestScore = -Infinity;
  for (const r of readings) {
    const v = plateSyntax(r);
    if (!v.ok) continue;
    const s = score(r);
    if (s > bestScore) [best, bestScore] = [{ text: v.text, prior: v.prior }, s];
  }
  return best;
}

/** Below this probability a reader is less sure of a character it read than not. */
const UNSURE = 0.5;

/**
 * `text` without each character its reader was less sure of than not (`UNSURE`, at the step
 * where its greedy path read it), for a reading of at least four characters: a mark read as a
 * character (a plate's graphic, an emblem between the groups, a sticker at an end) is one the
 * reader hesitates over, and the other readers, which see nothing there, then outweigh it.
 * None where the greedy path is not `text` (a format's reading, respelt by the prior).
 */
export function unsureDrops(text: string, steps?: PlateSteps): string[] {
  if (!steps || text.length < 4) return [];
  const K = STEP_CLASSES.length;
  const chars: { c: string; p: number }[] = [];
  let prev = 0;
  for (let t = 0; t < steps.T; t++) {
    let best = 0;
    for (let j = 1; j < K; j++) if (steps.probs[t * K + j]! > steps.probs[t * K + best]!) best = j;
    const p = steps.probs[t * K + best]!;
    if (best !== 0 && best === prev) chars[chars.length - 1]!.p = Math.max(chars[chars.length - 1]!.p, p);
    else if (best !== 0) chars.push({ c: STEP_CLASSES[best]!, p });
    prev = best;
  }
  // O and 0 are one glyph to the readers' spelling (roundGlyphsAsZero may have respelt it).
  const zero = (x: string) => x.replaceAll('O', '0');
  if (zero(chars.map((x) => x.c).join('')) !== zero(text)) return [];
  return chars.flatMap((x, i) => (x.p < UNSURE ? [text.slice(0, i) + text.slice(i + 1)] : []));
}

/** Look-alikes or marks a format's reading may differ from a reader's by, where the state is
 * read: one state's few formats fit few strings, so two (a mark read as a character and a
 * look-alike) stay a US reading, where every state's formats together (MAX_CHANGES_ANY_STATE) do not. */
const MAX_FORMAT_CHANGES = 2;

/**
 * Where the plate's state is read: each reader's likeliest reading in each of the state's
 * formats (a length within one of its own reading), where no more than `MAX_FORMAT_CHANGES`
 * from either reader's own. Each reader alone may miss the format's reading: of a Florida LNN
 * NLL "K488TM", PP-OCR may read "K4828TM" (a character too many) and platerec "K4BBTM" (8 as B,
 * its 8 far behind); weighed by both, the format's reading of PP-OCR's steps wins.
 */
function formatReadings(first: Logged, second: Logged, a: string, b: string, state: UsState): string[] {
  const out = new Set<string>();
  const round0 = (t: string) => t.replaceAll('O', '0');
  const near = (t: string) =>
    editDistance(round0(t), round0(a)) <= MAX_FORMAT_CHANGES || editDistance(round0(t), round0(b)) <= MAX_FORMAT_CHANGES;
  for (const [{ steps, logs }, own] of [
    [first, a],
    [second, b],
  ] as const) {
    for (const f of serialTemplates(state)) {
      if (Math.abs(f.length - own.length) > 1) continue;
      const r = templateDecode(steps, f, logs);
      if (r && near(r.text)) out.add(r.text);
    }
  }
  return [...out];
}

/** Log-score of a reading by both readers' steps and the format prior (rule 3); the second's
 * steps are those of each of its recognisers, their log-likelihoods averaged. A round glyph is
 * scored as the zero most plates print (the steps count an O read there as that zero). */
function bothReaders(first: Logged, seconds: Logged[], state: UsState | null, guess?: StateGuess): (text: string) => number {
  return (text) => {
    const t = text.replaceAll('O', '0');
    const second = seconds.reduce((sum, s) => sum + ctcLogLikelihood(s.steps, t, s.logs), 0) / seconds.length;
    return ctcLogLikelihood(first.steps, t, first.logs) + SECOND_WEIGHT * second + PRIOR_WEIGHT * logPrior(t, state, guess);
  };
}

/** A recogniser's per-step probabilities with their logarithms (`logProbs`), taken once. */
interface Logged {
  steps: PlateSteps;
  logs: Float64Array;
}
const logged = (steps: PlateSteps): Logged => ({ steps, logs: logProbs(steps) });

/** Whether `shorter` is `longer` without one of its characters other than the first and the last. */
export function isInnerDrop(longer: string, shorter: string): boolean {
  if (longer.length !== shorter.length + 1) return false;
  for (let i = 1; i < longer.length - 1; i++) if (longer.slice(0, i) + longer.slice(i + 1) === shorter) return true;
  return false;
}

/**
 * Readings that take each character where two readings differ from one or the other (the edits of
 * an alignment, each made or not), besides the two themselves; none where they are one edit apart
 * (nothing to mix) or more than `maxEdits`. Two readers each slip on a different look-alike of one
 * plate ("AJK7557" and "AIK7551" of AJK7551).
 */
export function mixes(a: string, b: string, maxEdits = 3): string[] {
  const n = a.length,
    m = b.length;
  const d = Array.from({ length: n + 1 }, (_, i) => Array.from({ length: m + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= n; i++)
    for (let j = 1; j <= m; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  if (d[n]![m]! < 2 || d[n]![m]! > maxEdits) return [];
  // The alignment as pieces: each either common to both or an edit (a's side, b's side).
  const pieces: [string, string][] = [];
  for (let i = n, j = m; i > 0 || j > 0; ) {
    if (i > 0 && j > 0 && d[i]![j] === d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)) {
      pieces.unshift([a[i - 1]!, b[j - 1]!]);
      i--;
      j--;
    } else if (i > 0 && d[i]![j] === d[i - 1]![j]! + 1) {
      pieces.unshift([a[i - 1]!, '']);
      i--;
    } else {
      pieces.unshift(['', b[j - 1]!]);
      j--;
    }
  }
  let out = [''];
  for (const [x, y] of pieces) out = x === y ? out.map((s) => s + x) : out.flatMap((s) => [s + x, s + y]);
  return out.filter((s) => s !== a && s !== b);
}

/**
 * Whether another recogniser's read `other` runs past the primary's `a` at an end (one or two
 * characters before or after a stretch that is `a` with at most one look-alike): the primary's
 * text line was cut short there, the first-character loss of a tight text box. Its steps cannot
 * speak for characters its view did not hold, so the line is read again wider first.
 */
export function cutShort(a: string, other: string): boolean {
  for (let pre = 0; pre <= 2; pre++)
    for (let post = 0; post <= 2; post++) {
      if (pre + post === 0 || other.length !== a.length + pre + post) continue;
      const mid = other.slice(pre, other.length - post);
      let diff = 0;
      for (let i = 0; i < a.length; i++) if (mid[i] !== a[i]) diff++;
      if (diff <= 1) return true;
    }
  return false;
}
