import { LOOKALIKE_DIGIT, LOOKALIKE_LETTER, type UsState } from './plate.ts';

/**
 * The plates of the 50 states and DC as issued today: the name and slogan printed on them and
 * their serial formats (L = letter, N = digit, anything else is printed as is). The reader tells
 * serials and states apart by them, and the simulator and the models' training plates print them.
 */
export interface StatePlate {
  state: UsState;
  name: string;
  slogan: string;
  formats: string[];
  /**
   * Series on the road beside the standard one but far fewer (commercial series, a new series
   * just begun): together `MINOR_FORMAT_SHARE` of the state's plates in the readers' prior, where
   * each counted alike with the standard one would take a share of the state's prior it does not
   * have. Not printed on the simulator's plates.
   */
  minorFormats?: string[];
}

/** The share of a state's standard plates its minor series hold together (`StatePlate.minorFormats`):
 * a stated assumption of the order of it (commercial plates are a minority of any state's), not a count. */
export const MINOR_FORMAT_SHARE = 0.1;

export const STATE_PLATES: readonly StatePlate[] = [
  { state: 'AL', name: 'ALABAMA', slogan: 'SWEET HOME', formats: ['NNLLNNN', 'NLNNNNN'] },
  { state: 'AK', name: 'ALASKA', slogan: 'THE LAST FRONTIER', formats: ['LLL NNN'] },
  { state: 'AZ', name: 'ARIZONA', slogan: 'GRAND CANYON STATE', formats: ['LLLNNNN'] },
  { state: 'AR', name: 'ARKANSAS', slogan: 'THE NATURAL STATE', formats: ['LLL NNL', 'NNN LLL'] },
  // California's commercial plates run 1A23456 and, since that series ran out, 12345A1; passenger
  // plates turn to 123ABC1 once 9ZZZ999 is issued (the DMV's reversal of the spent series).
  { state: 'CA', name: 'CALIFORNIA', slogan: 'DMV.CA.GOV', formats: ['NLLLNNN'], minorFormats: ['NLNNNNN', 'NNNNNLN', 'NNNLLLN'] },
  { state: 'CO', name: 'COLORADO', slogan: '', formats: ['LLL-LNN', 'NNN-LLL'] },
  { state: 'CT', name: 'CONNECTICUT', slogan: 'CONSTITUTION STATE', formats: ['LL NNNNN', 'NLLLLN'] },
  { state: 'DE', name: 'DELAWARE', slogan: 'THE FIRST STATE', formats: ['NNNNNN', 'NNNNNNN'] },
  // DC's plates print "Washington, DC" (never "District of Columbia"), and "Taxation without
  // representation", with "End" before it on the newer issue.
  { state: 'DC', name: 'WASHINGTON DC', slogan: 'TAXATION WITHOUT REPRESENTATION', formats: ['LL-NNNN'] },
  // Florida issues its six-character serials in several series at once (Wikipedia, "Vehicle
  // registration plates of Florida": ABC D12, A12 3BC, 12A BCD, 123 4AB, AB1 2CD, A12 34B, ABC 123)
  // and plates of the earlier 123 ABC series are still on the road.
  {
    state: 'FL',
    name: 'FLORIDA',
    slogan: 'SUNSHINE STATE',
    formats: ['LLL LNN', 'LNN NLL', 'NNL LLL', 'NNN NLL', 'LLN NLL', 'LNN NNL', 'LLL NNN', 'NNN LLL'],
  },
  { state: 'GA', name: 'GEORGIA', slogan: 'IN GOD WE TRUST', formats: ['LLL NNNN'] },
  { state: 'HI', name: 'HAWAII', slogan: 'ALOHA STATE', formats: ['LLL NNN'] },
  // Idaho's serials start with the county's code (1A Ada, 2C Canyon; a lone letter for a county
  // alone under its initial: K Kootenai), and a county's numbers run on into letters once its
  // digits are spent: 1A 12345, then 1A A1234, 1A AB123.
  {
    state: 'ID',
    name: 'IDAHO',
    slogan: 'FAMOUS POTATOES',
    formats: ['NL NNNNN', 'NL LNNNN', 'NL LLNNN', 'L NNNNNN', 'NLL NNN'],
  },
  { state: 'IL', name: 'ILLINOIS', slogan: 'LAND OF LINCOLN', formats: ['LL NNNNN'] },
  { state: 'IN', name: 'INDIANA', slogan: 'IN GOD WE TRUST', formats: ['NNNLL', 'NNNLLL'] },
  { state: 'IA', name: 'IOWA', slogan: '', formats: ['LLL NNN'] },
  { state: 'KS', name: 'KANSAS', slogan: '', formats: ['NNN LLL'] },
  { state: 'KY', name: 'KENTUCKY', slogan: 'UNBRIDLED SPIRIT', formats: ['NNN LLL'] },
  { state: 'LA', name: 'LOUISIANA', slogan: 'SPORTSMANS PARADISE', formats: ['NNN LLL'] },
  { state: 'ME', name: 'MAINE', slogan: 'VACATIONLAND', formats: ['NNNN LL'] },
  { state: 'MD', name: 'MARYLAND', slogan: '', formats: ['NLLNNNN', 'NLLNNNN'] },
  { state: 'MA', name: 'MASSACHUSETTS', slogan: 'THE SPIRIT OF AMERICA', formats: ['NLLL NN', 'NNL LNN'] },
  { state: 'MI', name: 'MICHIGAN', slogan: 'PURE MICHIGAN', formats: ['LLL NNNN'] },
  { state: 'MN', name: 'MINNESOTA', slogan: '10000 LAKES', formats: ['NNN LLL', 'LLL NNN'] },
  { state: 'MS', name: 'MISSISSIPPI', slogan: 'IN GOD WE TRUST', formats: ['LLL NNNN'] },
  { state: 'MO', name: 'MISSOURI', slogan: 'SHOW ME STATE', formats: ['LLN LNL'] },
  { state: 'MT', name: 'MONTANA', slogan: 'TREASURE STATE', formats: ['N-NNNNNL'] },
  { state: 'NE', name: 'NEBRASKA', slogan: 'THE GOOD LIFE', formats: ['LLL NNN'] },
  { state: 'NV', name: 'NEVADA', slogan: 'THE SILVER STATE', formats: ['NNL NNN', 'NLLNNN'] },
  { state: 'NH', name: 'NEW HAMPSHIRE', slogan: 'LIVE FREE OR DIE', formats: ['NNN NNNN', 'LLL NNNN'] },
  { state: 'NJ', name: 'NEW JERSEY', slogan: 'GARDEN STATE', formats: ['LNNLLL', 'LLL NNL'] },
  { state: 'NM', name: 'NEW MEXICO', slogan: 'LAND OF ENCHANTMENT', formats: ['LLLNNN', 'NNN LLL'] },
  { state: 'NY', name: 'NEW YORK', slogan: 'EMPIRE STATE', formats: ['LLL-NNNN'] },
  { state: 'NC', name: 'NORTH CAROLINA', slogan: 'FIRST IN FLIGHT', formats: ['LLL-NNNN'] },
  { state: 'ND', name: 'NORTH DAKOTA', slogan: 'LEGENDARY', formats: ['NNN LLL'] },
  { state: 'OH', name: 'OHIO', slogan: 'BIRTHPLACE OF AVIATION', formats: ['LLL NNNN'] },
  { state: 'OK', name: 'OKLAHOMA', slogan: 'NATIVE AMERICA', formats: ['LLL-NNN', 'NNN-LLL'] },
  { state: 'OR', name: 'OREGON', slogan: '', formats: ['NNN LLL', 'LLL NNN'] },
  { state: 'PA', name: 'PENNSYLVANIA', slogan: 'VISITPA.COM', formats: ['LLL-NNNN'] },
  { state: 'RI', name: 'RHODE ISLAND', slogan: 'OCEAN STATE', formats: ['LL-NNN', 'NNNNNN'] },
  { state: 'SC', name: 'SOUTH CAROLINA', slogan: 'WHILE I BREATHE I HOPE', formats: ['LLL NNN'] },
  { state: 'SD', name: 'SOUTH DAKOTA', slogan: 'GREAT FACES GREAT PLACES', formats: ['NLL NNN', 'NNL NNN'] },
  { state: 'TN', name: 'TENNESSEE', slogan: '', formats: ['LLL-NNN', 'NNNLLNN'] },
  { state: 'TX', name: 'TEXAS', slogan: 'THE LONE STAR STATE', formats: ['LLL-NNNN'] },
  { state: 'UT', name: 'UTAH', slogan: 'LIFE ELEVATED', formats: ['LNN NLL', 'NNN LNN'] },
  { state: 'VT', name: 'VERMONT', slogan: 'GREEN MOUNTAIN STATE', formats: ['LLL NNN'] },
  { state: 'VA', name: 'VIRGINIA', slogan: 'VIRGINIA IS FOR LOVERS', formats: ['LLL-NNNN'] },
  { state: 'WA', name: 'WASHINGTON', slogan: 'EVERGREEN STATE', formats: ['LLLNNNN', 'NNNLLLL'] },
  { state: 'WV', name: 'WEST VIRGINIA', slogan: 'WILD WONDERFUL', formats: ['NLL NNN', 'NNL NNN'] },
  { state: 'WI', name: 'WISCONSIN', slogan: 'AMERICAS DAIRYLAND', formats: ['LLL-NNNN', 'NNN-LLL'] },
  // Wyoming's serials start with the county's number (1-23, left of the bucking horse), then a
  // county's own series, its digits running on into letters: 22 12345, 4 434R, 2 99YX.
  { state: 'WY', name: 'WYOMING', slogan: '', formats: ['NN-NNNN', 'NN-NNNNN', 'N-NNNL', 'N-NNLL', 'N-NLLL'] },
];

/**
 * The closest of the state's serial formats the text fits with at most `maxChanges` look-alike
 * substitutions (a letter that looks like a digit where the format says digit, and the other way
 * round), with the text so conformed; null when none does.
 */
export function fitStateFormat(text: string, state: UsState, maxChanges: number): { text: string; changes: number } | null {
  const plate = STATE_PLATES.find((d) => d.state === state);
  if (!plate) return null;
  let best: { text: string; changes: number } | null = null;
  for (const fmt of allFormats(plate)) {
    const f = fmt.replace(/[^LN]/g, '');
    if (f.length !== text.length) continue;
    let out = '';
    let changes = 0;
    for (let i = 0; i < f.length; i++) {
      const c = text[i]!;
      const isDigit = c >= '0' && c <= '9';
      if (f[i] === 'N' && !isDigit) {
        const d = LOOKALIKE_DIGIT[c];
        if (!d) {
          changes = Infinity;
          break;
        }
        out += d;
        changes++;
      } else if (f[i] === 'L' && isDigit) {
        const l = LOOKALIKE_LETTER[c];
        if (!l) {
          changes = Infinity;
          break;
        }
        out += l;
        changes++;
      } else out += c;
    }
    if (changes <= maxChanges && (!best || changes < best.changes)) best = { text: out, changes };
  }
  return best;
}

/**
 * Resolves look-alike characters (O/0, I/1, S/5, B/8…) by the serial formats of the state of
 * issue: where the format says digit, a letter that looks like a digit becomes that digit.
 * Applied only when one format fits with at most `maxChanges` substitutions; otherwise the
 * text is returned as read, since vanity and specialty plates follow no format.
 */
export function conformToState(text: string, state: UsState, maxChanges = 1): string {
  return fitStateFormat(text, state, maxChanges)?.text ?? text;
}

/** Whether the text is one of the state's serial formats (look-alikes allowed, as above). */
export function fitsStateFormat(text: string, state: UsState, maxChanges = 2): boolean {
  return fitStateFormat(text, state, maxChanges) !== null;
}

/** A serial format as letter (L) and digit (N) classes only: "LLL-NNNN" is "LLLNNNN". */
export const serialTemplate = (format: string): string => format.replace(/[^LN]/g, '');

/** A state's standard and minor serial formats. */
const allFormats = (d: StatePlate): string[] => [...d.formats, ...(d.minorFormats ?? [])];

/** Every state's serial formats as templates, each once: the prior for a US plate whose state is unknown. */
export const ALL_SERIAL_TEMPLATES: readonly string[] = [...new Set(STATE_PLATES.flatMap((d) => allFormats(d).map(serialTemplate)))];

/**
 * Each of a state's serial templates with its share of the state's plates in standard formats:
 * the standard formats alike, the minor ones alike within `MINOR_FORMAT_SHARE`. A template that is
 * both (a series printed with and without a dash) sums its shares.
 */
export function templateShares(d: StatePlate): { template: string; share: number }[] {
  const minor = d.minorFormats?.length ? MINOR_FORMAT_SHARE : 0;
  const out = new Map<string, number>();
  const add = (formats: string[], share: number) => {
    for (const f of formats) out.set(serialTemplate(f), (out.get(serialTemplate(f)) ?? 0) + share / formats.length);
  };
  add(d.formats, 1 - minor);
  if (d.minorFormats?.length) add(d.minorFormats, minor);
  return [...out].map(([template, share]) => ({ template, share }));
}

/** The serial templates of one state, or of every state when it is unknown (null). */
export function serialTemplates(state: UsState | null): readonly string[] {
  if (!state) return ALL_SERIAL_TEMPLATES;
  const plate = STATE_PLATES.find((d) => d.state === state);
  return plate ? [...new Set(allFormats(plate).map(serialTemplate))] : [];
}

/**
 * Vehicles registered in each state, in millions, rounded (FHWA Highway Statistics, table MV-1,
 * about 2020): how likely a plate on a US road is of each state where nothing else says, for the
 * readers' serial-format prior. Approximate on purpose (a prior needs the proportions, not the counts), and not yet
 * checked row by row against the table.
 */
export const REGISTERED_VEHICLES_M: Readonly<Record<UsState, number>> = {
  AL: 5.3,
  AK: 0.8,
  AZ: 6,
  AR: 2.8,
  CA: 31,
  CO: 5.2,
  CT: 2.9,
  DE: 1,
  DC: 0.3,
  FL: 18,
  GA: 8.6,
  HI: 1.2,
  ID: 1.9,
  IL: 10.4,
  IN: 6.2,
  IA: 3.6,
  KS: 2.6,
  KY: 4.3,
  LA: 4,
  ME: 1.1,
  MD: 4.2,
  MA: 5.2,
  MI: 8.5,
  MN: 5.5,
  MS: 2,
  MO: 5.5,
  MT: 2,
  NE: 2.1,
  NV: 2.5,
  NH: 1.3,
  NJ: 6,
  NM: 1.8,
  NY: 11,
  NC: 8.7,
  ND: 0.9,
  OH: 11,
  OK: 3.8,
  OR: 4,
  PA: 11,
  RI: 0.9,
  SC: 4.5,
  SD: 1.2,
  TN: 6,
  TX: 23,
  UT: 2.4,
  VT: 0.6,
  VA: 8,
  WA: 7,
  WV: 1.5,
  WI: 5.5,
  WY: 0.9,
};
