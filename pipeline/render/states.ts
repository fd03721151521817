import { STATE_PLATES, type StatePlate, type UsState } from '../../contracts/index.ts';
import type { Rgb } from './raster.ts';

/**
 * Plate designs for the 50 states and DC: the state plates of contracts/ (name, slogan, serial
 * formats) with their colours. Simplified from the current standard issues (no graphics), enough
 * for the simulator to show every jurisdiction and for the models issue to generate varied,
 * labelled training plates.
 */
export interface PlateDesign extends StatePlate {
  background: Rgb;
  text: Rgb;
  /** Colour of the state name and slogan. */
  accent: Rgb;
  /** Where the state name is printed. */
  namePosition: 'top' | 'bottom';
}

const W: Rgb = [240, 240, 236];
const BLK: Rgb = [20, 20, 24];
const BLUE: Rgb = [22, 44, 120];
const RED: Rgb = [160, 24, 30];
const GREEN: Rgb = [20, 90, 50];

/** Per state: text colour, accent, background, where the name is printed (defaults: black, blue, white, top). */
const LOOKS: Record<UsState, [text?: Rgb, accent?: Rgb, background?: Rgb, namePosition?: 'top' | 'bottom']> = {
  AL: [BLUE, RED],
  AK: [BLUE, BLUE, [244, 226, 120]],
  AZ: [
    [120, 40, 30],
    [120, 40, 30],
    [236, 214, 180],
  ],
  AR: [BLUE, RED],
  CA: [BLUE, RED],
  CO: [W, W, GREEN],
  CT: [BLUE, BLUE, [220, 232, 245]],
  DE: [
    [230, 190, 60],
    [230, 190, 60],
    [30, 50, 110],
  ],
  DC: [RED, BLUE],
  FL: [GREEN, GREEN, W],
  GA: [BLK, BLK],
  HI: [BLK, [200, 60, 120]],
  ID: [BLUE, RED],
  IL: [RED, BLUE],
  IN: [BLUE, BLUE],
  IA: [BLK, BLUE],
  KS: [BLUE, BLUE],
  KY: [BLUE, BLUE],
  LA: [BLUE, RED],
  ME: [BLK, GREEN],
  MD: [BLK, RED],
  MA: [RED, BLUE],
  MI: [W, W, BLUE],
  MN: [BLUE, BLUE],
  MS: [BLUE, BLUE],
  MO: [BLUE, RED],
  MT: [W, W, BLUE],
  NE: [BLUE, BLUE],
  NV: [BLUE, BLUE],
  NH: [GREEN, GREEN],
  NJ: [BLK, BLK, [242, 222, 150]],
  NM: [RED, RED, [246, 220, 90]],
  NY: [BLUE, BLUE, [236, 236, 230]],
  NC: [BLUE, RED],
  ND: [BLUE, BLUE],
  OH: [BLUE, RED],
  OK: [GREEN, BLUE],
  OR: [BLUE, BLUE],
  PA: [BLUE, BLUE],
  RI: [BLUE, BLUE],
  SC: [BLUE, BLUE],
  SD: [BLUE, RED],
  TN: [BLUE, BLUE],
  TX: [BLK, BLK],
  UT: [BLUE, RED],
  VT: [W, W, GREEN],
  VA: [BLUE, BLUE, W, 'bottom'],
  WA: [BLUE, BLUE],
  WV: [BLUE, BLUE, W, 'bottom'],
  WI: [BLK, RED],
  WY: [BLK, BLK, [236, 228, 210]],
};

export const PLATE_DESIGNS: readonly PlateDesign[] = STATE_PLATES.map(({ state, name, slogan, formats }) => {
  const [text = BLK, accent = BLUE, background = W, namePosition = 'top'] = LOOKS[state];
  return { state, name, slogan, formats, text, accent, background, namePosition };
});

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
