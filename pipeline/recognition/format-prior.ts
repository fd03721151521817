import { editDistance, REGISTERED_VEHICLES_M, STATE_PLATES, serialTemplates, templateShares, type UsState } from '../../contracts/index.ts';
import { type PlateSteps, STEP_CLASSES } from './ppocr-math.ts';

/**
 * Serial formats as a prior on what a recogniser read. The recogniser gives, per time step, the
 * probability of every character (`PlateSteps`); its greedy reading takes the likeliest at each
 * step, whatever the plate's format. Where that reading is none of the formats, the likeliest
 * reading that is one (letters where the format has letters, digits where it has digits) is
 * found in the same probabilities by CTC Viterbi decoding, and taken when it costs the model
 * little: the look-alikes OCR swaps (1/I/L, O/0/D, 2/Z, 5/S, 8/B, 7/T, 6/G, 4/A) are each the
 * other's runner-up, so the format picks between them by the model's own second choice, not by
 * a table of swaps; a mark read between characters (a registration sticker, a bolt) is a step
 * the format path spends on "nothing" instead.
 *
 * Which reading is taken follows Bayes' rule: the model's path log-probability plus the log
 * prior of the string (`logPrior`). The prior rests on one stated assumption, `P_STANDARD`: the
 * share of plates in one of the listed standard formats; the rest (vanity, specialty, legacy
 * and commercial series, plates of elsewhere) are any string of 2-8 letters and digits. Within
 * the standard share, a plate is of the state read from it, or (none read) of each state by its
 * share of registered vehicles; each of a state's standard formats alike, its minor series
 * (commercial and new ones) a tenth between them (`MINOR_FORMAT_SHARE`); each string of a format alike.
 * So a known state's format is favoured by ~8-10 nats over a string in no format, and with no
 * state read a format of a small state by little (Delaware's numbers) and California's by ~7;
 * the prior counts at `PRIOR_WEIGHT` of that. Nothing here is fitted to a benchmark's plates.
 */
export const P_STANDARD = 0.75;
/**
 * How much the prior counts against the model: half. The prior's other plates, any string alike,
 * are a poor model of real ones (vanity, legacy and specialty series are letters and digits in
 * runs too), and the listed formats miss series still on the road (Alabama's county plates
 * ending in a letter, Maine's NNNLLL), so in full it overstates a format's advantage and forces
 * such plates into a listed format where the state is read (us-crops: docs/benchmarks.md).
 */
export const PRIOR_WEIGHT = 0.5;
/** What each character the format leaves out of the greedy reading, or adds to it, costs besides
 * its steps: one character's share of the prior (a string one shorter is 36 times likelier a
 * priori, which would otherwise favour dropping characters), and one nat more, since a real
 * character the model is sure of still leaves some probability to "nothing" at its steps. */
export const DROP_COST = Math.log(36) + 1;
/**
 * Characters the prior may change where no state was read: one. Every state's formats together
 * cover most strings of letters and digits within two look-alikes, other countries' plates
 * among them (a Slovak "BA302OZ" is Illinois's LLNNNNN as "BA30202"); one look-alike, or one mark
 * between characters, is what a reader's slip on a US plate usually is.
 */
export const MAX_CHANGES_ANY_STATE = 1;
/** Lengths a plate outside the standard formats may have (2 to 8 characters), each alike. */
const OTHER_LENGTHS = 7;

/** Each state's templates with their shares of its plates, and its share of the country's plates. */
const STATES_WITH_FORMATS = (() => {
  const total = Object.values(REGISTERED_VEHICLES_M).reduce((a, b) => a + b, 0);
  return STATE_PLATES.map((d) => ({
    state: d.state,
    share: REGISTERED_VEHICLES_M[d.state] / total,
    templates: templateShares(d),
  }));
})();
const TEMPLATES_OF = new Map(STATES_WITH_FORMATS.map((s) => [s.state, s.templates]));

/** Strings a template allows. */
const templateSize = (f: string) => [...f].reduce((c, k) => c * (k === 'L' ? 26 : 10), 1);

/** Probability of a normalised serial among a state's standard plates (each format by its share, each string of one alike). */
function stateLikelihood(text: string, templates: readonly { template: string; share: number }[]): number {
  let p = 0;
  for (const { template, share } of templates) if (fitsTemplate(text, [template])) p += share / templateSize(template);
  return p;
}

/** A recogniser's guesses at the state of a plate whose name was not read: its likeliest states
 * with their probabilities (platerec's state head). */
export type StateGuess = readonly { state: UsState; p: number }[];

/**
 * Each state's share of a plate whose name was not read, given the guess: the states it names get
 * the probabilities it gives them, the rest of the plates are of each state by its share of
 * registered vehicles. Bayes' rule with the head's own estimate, taken in full: on a small,
 * blurred plate it is spread thin (its best guess often under 0.4) and so moves the prior little.
 */
function stateShares(guess: StateGuess | undefined): Map<UsState, number> | null {
  if (!guess?.length) return null;
  const rest = 1 - guess.reduce((a, g) => a + g.p, 0);
  const shares = new Map(STATES_WITH_FORMATS.map((s) => [s.state, rest * s.share]));
  for (const g of guess) shares.set(g.state, (shares.get(g.state) ?? 0) + g.p);
  return shares;
}

/**
 * Log prior probability of a normalised serial: in the standard formats of `state` (of any
 * state, alike, when null; by `guess` where given) with probability `P_STANDARD`, else any
 * string of its length.
 */
export function logPrior(text: string, state: UsState | null, guess?: StateGuess): number {
  const n = text.length;
  const other = (1 - P_STANDARD) / OTHER_LENGTHS / 36 ** n;
  const shares = state ? null : stateShares(guess);
  const standard = state
    ? stateLikelihood(text, TEMPLATES_OF.get(state) ?? [])
    : STATES_WITH_FORMATS.reduce((a, s) => a + (shares?.get(s.state) ?? s.share) * stateLikelihood(text, s.templates), 0);
  return Math.log(P_STANDARD * standard + other);
}

const K = STEP_CLASSES.length;
const FLOOR = 1e-6;
const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c) => STEP_CLASSES.indexOf(c));
const DIGITS = [...'0123456789'].map((c) => STEP_CLASSES.indexOf(c));

/** Log-probability of the likeliest path (the greedy reading's), one step at a time. */
export function bestPathLogP(steps: PlateSteps): number {
  let s = 0;
  for (let t = 0; t < steps.T; t++) {
    let m = 0;
    for (let j = 0; j < K; j++) m = Math.max(m, steps.probs[t * K + j]!);
    s += Math.log(Math.max(m, FLOOR));
  }
  return s;
}

/**
 * The likeliest reading of the steps that is `template` (L a letter, N a digit, one character a
 * position), with its path log-probability; null when the steps are too few. CTC rules: a
 * character may last several steps, "nothing" may come between any two, and two equal
 * characters in a row need "nothing" between them.
 */
export function templateDecode(steps: PlateSteps, template: string, logs = logProbs(steps)): { text: string; logP: number } | null {
  return classDecode(
    steps,
    [...template].map((f) => (f === 'L' ? LETTERS : DIGITS)),
    logs,
  );
}

/** The likeliest reading of the steps with one character of `classes[i]` at position i (CTC Viterbi). */
function classDecode(steps: PlateSteps, classes: number[][], logs: Float64Array): { text: string; logP: number } | null {
  const { T } = steps;
  const n = classes.length;
  if (n === 0 || T < n) return null;
  const S = (n + 1) * K; // state (k, c): k characters read, c = 0 "nothing" after them, else the k-th character
  let cur = new Float64Array(S).fill(-Infinity),
    next = new Float64Array(S);
  const back = new Int16Array(T * S);
  cur[0] = logs[0]!;
  for (const c of classes[0]!) cur[K + c] = logs[c]!;
  for (let t = 1; t < T; t++) {
    next.fill(-Infinity);
    const bt = t * S,
      lt = t * K;
    for (let k = 0; k <= n; k++) {
      // "Nothing" after k characters: from itself or from the k-th character.
      let best = cur[k * K]!,
        from = k * K;
      if (k > 0) {
        const cls = classes[k - 1]!;
        for (let i = 0; i < cls.length; i++) {
          const v = cur[k * K + cls[i]!]!;
          if (v > best) {
            best = v;
            from = k * K + cls[i]!;
          }
        }
      }
      if (best > -Infinity) {
        next[k * K] = best + logs[lt]!;
        back[bt + k * K] = from;
      }
      if (k === 0) continue;
      // The k-th character c: it goes on, or follows "nothing" after k-1, or a different (k-1)-th character.
      let p1 = -Infinity,
        p1c = -1,
        p2 = -Infinity,
        p2c = -1;
      if (k > 1) {
        const prev = classes[k - 2]!;
        for (let i = 0; i < prev.length; i++) {
          const c = prev[i]!;
          const v = cur[(k - 1) * K + c]!;
          if (v > p1) {
            p2 = p1;
            p2c = p1c;
            p1 = v;
            p1c = c;
          } else if (v > p2) {
            p2 = v;
            p2c = c;
          }
        }
      }
      const blank = cur[(k - 1) * K]!;
      const cls = classes[k - 1]!;
      for (let i = 0; i < cls.length; i++) {
        const c = cls[i]!;
        let b = cur[k * K + c]!,
          f = k * K + c;
        if (blank > b) {
          b = blank;
          f = (k - 1) * K;
        }
        const pv = p1c === c ? p2 : p1,
          pc = p1c === c ? p2c : p1c;
        if (pv > b) {
          b = pv;
          f = (k - 1) * K + pc;
        }
        if (b > -Infinity) {
          next[k * K + c] = b + logs[lt + c]!;
          back[bt + k * K + c] = f;
        }
      }
    }
    const swap = cur;
    cur = next;
    next = swap;
  }
  let end = n * K,
    logP = cur[n * K]!;
  for (const c of classes[n - 1]!)
    if (cur[n * K + c]! > logP) {
      logP = cur[n * K + c]!;
      end = n * K + c;
    }
  if (logP === -Infinity) return null;
  const chars: string[] = new Array(n).fill('');
  for (let t = T - 1, s = end; t >= 0; t--) {
    const k = Math.floor(s / K),
      c = s % K;
    if (c > 0) chars[k - 1] = STEP_CLASSES[c]!;
    if (t > 0) s = back[t * S + s]!;
  }
  return { text: chars.join(''), logP };
}

/** The steps' probabilities as logarithms (floored: a path through an impossible step stays finite and comparable). */
export function logProbs(steps: PlateSteps): Float64Array {
  const out = new Float64Array(steps.T * K);
  for (let j = 0; j < out.length; j++) out[j] = Math.log(Math.max(steps.probs[j]!, FLOOR));
  // Most US plates print the letter O and the digit 0 as one round glyph (syntax.ts,
  // roundGlyphsAsZero), spelt zero: where a format has a digit, a round glyph read as O is that
  // zero at no cost. Not the other way: a zero read where a format has a letter stays a cost, or
  // plates of series the list lacks (Illinois's all-digit ones) would turn into listed formats.
  for (let t = 0; t < steps.T; t++) out[t * K + ZERO] = Math.max(out[t * K + ZERO]!, out[t * K + LETTER_O]!);
  return out;
}

const ZERO = STEP_CLASSES.indexOf('0'),
  LETTER_O = STEP_CLASSES.indexOf('O');

/** Whether a normalised serial is one of the templates as read (letters and digits where they say). */
export function fitsTemplate(text: string, templates: readonly string[]): boolean {
  return templates.some((f) => f.length === text.length && [...f].every((k, i) => (k === 'N') === /[0-9]/.test(text[i]!)));
}

export interface PriorRead {
  /** The reading taken: the greedy one, or the likeliest one in a format. */
  text: string;
  /** Whether the text is one of the formats considered. */
  fits: boolean;
  /** What the format cost the model (0 when the greedy reading was taken). */
  cost: number;
}

/**
 * The reading of a recognised line under the serial formats of `state` (every state's when
 * null, weighted by `guess` where given): the greedy `text` when it fits one of them, else the
 * likeliest reading, model and prior together: a format's reading, or the greedy text as read.
 */
export function formatPrior(text: string, steps: PlateSteps | undefined, state: UsState | null, guess?: StateGuess): PriorRead {
  const templates = serialTemplates(state);
  if (fitsTemplate(text, templates)) return { text, fits: true, cost: 0 };
  if (!steps || !templates.length) return { text, fits: false, cost: 0 };
  const best = bestPathLogP(steps);
  const logs = logProbs(steps);
  let out: PriorRead = { text, fits: false, cost: 0 };
  let bestScore = PRIOR_WEIGHT * logPrior(text, state, guess);
  for (const f of templates) {
    // A format two characters longer or shorter than the reading is never the likelier one.
    if (Math.abs(f.length - text.length) > 1) continue;
    const r = templateDecode(steps, f, logs);
    if (!r || (!state && editDistance(r.text, text) > MAX_CHANGES_ANY_STATE)) continue;
    const cost = best - r.logP + DROP_COST * Math.abs(text.length - f.length);
    const score = PRIOR_WEIGHT * logPrior(r.text, state, guess) - cost;
    if (score > bestScore) {
      bestScore = score;
      out = { text: r.text, fits: true, cost: Math.round(cost * 1000) / 1000 };
    }
  }
  return out;
}

/**
 * Log-probability that the steps read `text` (normalised: A-Z, 0-9), summed over every CTC
 * alignment (the forward algorithm), not only the likeliest one: what a reader says of a
 * reading it did not itself produce. -Infinity when the steps are too few for it.
 */
export function ctcLogLikelihood(steps: PlateSteps, text: string, logs = logProbs(steps)): number {
  const labels = [...text].map((c) => STEP_CLASSES.indexOf(c));
  if (labels.some((c) => c <= 0)) return -Infinity;
  const S = 2 * labels.length + 1;
  const sym = (s: number) => (s % 2 === 0 ? 0 : labels[(s - 1) / 2]!);
  let prev = new Float64Array(S).fill(-Infinity),
    cur = new Float64Array(S);
  prev[0] = logs[0]!;
  if (S > 1) prev[1] = logs[sym(1)]!;
  for (let t = 1; t < steps.T; t++) {
    for (let s = 0; s < S; s++) {
      let a = prev[s]!;
      if (s > 0) a = logAdd(a, prev[s - 1]!);
      if (s > 1 && sym(s) !== 0 && sym(s) !== sym(s - 2)) a = logAdd(a, prev[s - 2]!);
      cur[s] = a + logs[t * K + sym(s)]!;
    }
    const swap = prev;
    prev = cur;
    cur = swap;
  }
  return S > 1 ? logAdd(prev[S - 1]!, prev[S - 2]!) : prev[0]!;
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
}
