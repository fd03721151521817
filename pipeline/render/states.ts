import type { UsState } from '../../contracts/index.ts';
import type { Rgb } from './raster.ts';

/**
 * Plate designs for the 50 states and DC: name as printed, slogan, colours and serial formats.
 * Simplified from the current standard issues (no graphics), enough for the simulator to show
 * every jurisdiction and for the models issue to generate varied, labelled training plates.
 * Format letters: L = letter, N = digit, anything else is printed as is.
 */
export interface PlateDesign {
  state: UsState;
  name: string;
  slogan: string;
  background: Rgb;
  text: Rgb;
  /** Colour of the state name and slogan. */
  accent: Rgb;
  formats: string[];
  /** Where the state name is printed. */
  namePosition: 'top' | 'bottom';
}

const W: Rgb = [240, 240, 236];
const BLK: Rgb = [20, 20, 24];
const BLUE: Rgb = [22, 44, 120];
const RED: Rgb = [160, 24, 30];
const GREEN: Rgb = [20, 90, 50];

function d(state: UsState, name: string, slogan: string, formats: string[], text: Rgb = BLK, accent: Rgb = BLUE, background: Rgb = W, namePosition: 'top' | 'bottom' = 'top'): PlateDesign {
  return { state, name, slogan, formats, text, accent, background, namePosition };
}

export const PLATE_DESIGNS: readonly PlateDesign[] = [
  d('AL', 'ALABAMA', 'SWEET HOME', ['NNLLNNN', 'NLNNNNN'], BLUE, RED),
  d('AK', 'ALASKA', 'THE LAST FRONTIER', ['LLL NNN'], BLUE, BLUE, [244, 226, 120]),
  d('AZ', 'ARIZONA', 'GRAND CANYON STATE', ['LLLNNNN'], [120, 40, 30], [120, 40, 30], [236, 214, 180]),
  d('AR', 'ARKANSAS', 'THE NATURAL STATE', ['LLL NNL', 'NNN LLL'], BLUE, RED),
  d('CA', 'CALIFORNIA', 'DMV.CA.GOV', ['NLLLNNN'], BLUE, RED),
  d('CO', 'COLORADO', '', ['LLL-LNN', 'NNN-LLL'], W, W, GREEN),
  d('CT', 'CONNECTICUT', 'CONSTITUTION STATE', ['LL NNNNN', 'NLLLLN'], BLUE, BLUE, [220, 232, 245]),
  d('DE', 'DELAWARE', 'THE FIRST STATE', ['NNNNNN', 'NNNNNNN'], [230, 190, 60], [230, 190, 60], [30, 50, 110]),
  d('DC', 'DISTRICT OF COLUMBIA', 'END TAXATION WITHOUT REPRESENTATION', ['LL-NNNN'], RED, BLUE),
  d('FL', 'FLORIDA', 'SUNSHINE STATE', ['LLL LNN', 'NNN LLL', 'LLLL NN'], GREEN, GREEN, W),
  d('GA', 'GEORGIA', 'IN GOD WE TRUST', ['LLL NNNN'], BLK, BLK),
  d('HI', 'HAWAII', 'ALOHA STATE', ['LLL NNN'], BLK, [200, 60, 120]),
  d('ID', 'IDAHO', 'FAMOUS POTATOES', ['NL NNNNN', 'NLL NNN'], BLUE, RED),
  d('IL', 'ILLINOIS', 'LAND OF LINCOLN', ['LL NNNNN'], RED, BLUE),
  d('IN', 'INDIANA', 'IN GOD WE TRUST', ['NNNLL', 'NNNLLL'], BLUE, BLUE),
  d('IA', 'IOWA', '', ['LLL NNN'], BLK, BLUE),
  d('KS', 'KANSAS', '', ['NNN LLL'], BLUE, BLUE),
  d('KY', 'KENTUCKY', 'UNBRIDLED SPIRIT', ['NNN LLL'], BLUE, BLUE),
  d('LA', 'LOUISIANA', 'SPORTSMANS PARADISE', ['NNN LLL'], BLUE, RED),
  d('ME', 'MAINE', 'VACATIONLAND', ['NNNN LL'], BLK, GREEN),
  d('MD', 'MARYLAND', '', ['NLLNNNN', 'NLLNNNN'], BLK, RED),
  d('MA', 'MASSACHUSETTS', 'THE SPIRIT OF AMERICA', ['NLLL NN', 'NNL LNN'], RED, BLUE),
  d('MI', 'MICHIGAN', 'PURE MICHIGAN', ['LLL NNNN'], W, W, BLUE),
  d('MN', 'MINNESOTA', '10000 LAKES', ['NNN LLL', 'LLL NNN'], BLUE, BLUE),
  d('MS', 'MISSISSIPPI', 'IN GOD WE TRUST', ['LLL NNNN'], BLUE, BLUE),
  d('MO', 'MISSOURI', 'SHOW ME STATE', ['LLN LNL'], BLUE, RED),
  d('MT', 'MONTANA', 'TREASURE STATE', ['N-NNNNNL'], W, W, BLUE),
  d('NE', 'NEBRASKA', 'THE GOOD LIFE', ['LLL NNN'], BLUE, BLUE),
  d('NV', 'NEVADA', 'THE SILVER STATE', ['NNL NNN', 'NLLNNN'], BLUE, BLUE),
  d('NH', 'NEW HAMPSHIRE', 'LIVE FREE OR DIE', ['NNN NNNN', 'LLL NNNN'], GREEN, GREEN),
  d('NJ', 'NEW JERSEY', 'GARDEN STATE', ['LNNLLL', 'LLL NNL'], BLK, BLK, [242, 222, 150]),
  d('NM', 'NEW MEXICO', 'LAND OF ENCHANTMENT', ['LLLNNN', 'NNN LLL'], RED, RED, [246, 220, 90]),
  d('NY', 'NEW YORK', 'EMPIRE STATE', ['LLL-NNNN'], BLUE, BLUE, [236, 236, 230]),
  d('NC', 'NORTH CAROLINA', 'FIRST IN FLIGHT', ['LLL-NNNN'], BLUE, RED),
  d('ND', 'NORTH DAKOTA', 'LEGENDARY', ['NNN LLL'], BLUE, BLUE),
  d('OH', 'OHIO', 'BIRTHPLACE OF AVIATION', ['LLL NNNN'], BLUE, RED),
  d('OK', 'OKLAHOMA', 'NATIVE AMERICA', ['LLL-NNN', 'NNN-LLL'], GREEN, BLUE),
  d('OR', 'OREGON', '', ['NNN LLL', 'LLL NNN'], BLUE, BLUE),
  d('PA', 'PENNSYLVANIA', 'VISITPA.COM', ['LLL-NNNN'], BLUE, BLUE),
  d('RI', 'RHODE ISLAND', 'OCEAN STATE', ['LL-NNN', 'NNNNNN'], BLUE, BLUE),
  d('SC', 'SOUTH CAROLINA', 'WHILE I BREATHE I HOPE', ['LLL NNN'], BLUE, BLUE),
  d('SD', 'SOUTH DAKOTA', 'GREAT FACES GREAT PLACES', ['NLL NNN', 'NNL NNN'], BLUE, RED),
  d('TN', 'TENNESSEE', '', ['LLL-NNN', 'NNNLLNN'], BLUE, BLUE),
  d('TX', 'TEXAS', 'THE LONE STAR STATE', ['LLL-NNNN'], BLK, BLK),
  d('UT', 'UTAH', 'LIFE ELEVATED', ['LNN NLL', 'NNN LNN'], BLUE, RED),
  d('VT', 'VERMONT', 'GREEN MOUNTAIN STATE', ['LLL NNN'], W, W, GREEN),
  d('VA', 'VIRGINIA', 'VIRGINIA IS FOR LOVERS', ['LLL-NNNN'], BLUE, BLUE, W, 'bottom'),
  d('WA', 'WASHINGTON', 'EVERGREEN STATE', ['LLLNNNN', 'NNNLLLL'], BLUE, BLUE),
  d('WV', 'WEST VIRGINIA', 'WILD WONDERFUL', ['NLL NNN', 'NNL NNN'], BLUE, BLUE, W, 'bottom'),
  d('WI', 'WISCONSIN', 'AMERICAS DAIRYLAND', ['LLL-NNNN', 'NNN-LLL'], BLK, RED),
  d('WY', 'WYOMING', '', ['NN-NNNNN', 'N-NNNNL'], BLK, BLK, [236, 228, 210]),
];

const byState = new Map(PLATE_DESIGNS.map((p) => [p.state, p]));

export function plateDesign(state: UsState): PlateDesign {
  const p = byState.get(state);
  if (!p) throw new Error(`no plate design for ${state}`);
  return p;
}

const LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ'; // I, O and Q are rarely issued: they read as 1 and 0.
const DIGITS = '0123456789';

/** A random serial in one of the state's formats, as printed (with its spaces and dashes). */
export function randomSerial(design: PlateDesign, random: () => number): string {
  const fmt = design.formats[Math.floor(random() * design.formats.length)]!;
  let out = '';
  for (const c of fmt) {
    if (c === 'L') out += LETTERS[Math.floor(random() * LETTERS.length)];
    else if (c === 'N') out += DIGITS[Math.floor(random() * DIGITS.length)];
    else out += c;
  }
  return out;
}
