import { strokeSegment } from './raster.ts';

/**
 * A stroke font for plate characters: each glyph is polylines in a unit box (x right, y down).
 * US plates use stroke-like, evenly weighted faces, and strokes scale to any size and weight
 * without a font file or a text-layout library on the box.
 */
type Pt = [number, number];
type Glyph = Pt[][];

/** Points along an elliptic arc; angles in degrees, y down (0 = right, 90 = bottom). */
function arc(cx: number, cy: number, rx: number, ry: number, a0: number, a1: number, steps = 18): Pt[] {
  const pts: Pt[] = [];
  for (let i = 0; i <= steps; i++) {
    const a = ((a0 + ((a1 - a0) * i) / steps) * Math.PI) / 180;
    pts.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
  }
  return pts;
}

const O = arc(0.5, 0.5, 0.47, 0.5, 0, 360, 32);
// biome-ignore format: an outline reads as a drawing, one path a line
const P = [[0.1, 1], [0.1, 0], [0.58, 0], ...arc(0.58, 0.27, 0.34, 0.27, 270, 450), [0.1, 0.54]] as Pt[];

// biome-ignore format: outlines read as drawings, one glyph a line
const GLYPHS: Record<string, Glyph> = {
  // Narrower than O, as on most plate faces, so the two stay distinguishable.
  '0': [arc(0.5, 0.5, 0.36, 0.5, 0, 360, 32)],
  '1': [[[0.2, 0.22], [0.55, 0], [0.55, 1]], [[0.22, 1], [0.88, 1]]],
  '2': [[...arc(0.5, 0.28, 0.44, 0.28, 195, 400), [0.05, 1], [0.97, 1]]],
  '3': [arc(0.5, 0.25, 0.42, 0.25, 200, 450), arc(0.5, 0.74, 0.46, 0.26, 270, 520)],
  '4': [[[0.75, 1], [0.75, 0], [0.02, 0.7], [0.98, 0.7]]],
  '5': [[[0.9, 0], [0.17, 0], [0.12, 0.46]], arc(0.5, 0.68, 0.45, 0.32, 218, 510)],
  '6': [arc(0.5, 0.7, 0.43, 0.3, 0, 360, 28), arc(0.64, 0.55, 0.56, 0.55, 180, 285)],
  '7': [[[0.02, 0], [0.98, 0], [0.35, 1]]],
  '8': [arc(0.5, 0.25, 0.38, 0.25, 0, 360, 28), arc(0.5, 0.74, 0.45, 0.26, 0, 360, 28)],
  '9': [arc(0.5, 0.3, 0.43, 0.3, 0, 360, 28), arc(0.36, 0.45, 0.57, 0.55, 0, 105)],
  A: [[[0, 1], [0.5, 0], [1, 1]], [[0.2, 0.64], [0.8, 0.64]]],
  B: [
    [[0.1, 1], [0.1, 0], [0.58, 0], ...arc(0.58, 0.24, 0.3, 0.24, 270, 450), [0.1, 0.48]],
    [[0.1, 0.48], [0.6, 0.48], ...arc(0.6, 0.74, 0.34, 0.26, 270, 450), [0.1, 1]],
  ],
  C: [arc(0.55, 0.5, 0.47, 0.5, 320, 40, 26)],
  D: [[[0.1, 1], [0.1, 0], [0.42, 0], ...arc(0.42, 0.5, 0.5, 0.5, 270, 450), [0.1, 1]]],
  E: [[[0.9, 0], [0.1, 0], [0.1, 1], [0.9, 1]], [[0.1, 0.5], [0.72, 0.5]]],
  F: [[[0.9, 0], [0.1, 0], [0.1, 1]], [[0.1, 0.5], [0.72, 0.5]]],
  G: [[...arc(0.53, 0.5, 0.47, 0.5, 320, 20, 26), [0.97, 0.55], [0.6, 0.55]]],
  H: [[[0.1, 0], [0.1, 1]], [[0.9, 0], [0.9, 1]], [[0.1, 0.5], [0.9, 0.5]]],
  I: [[[0.5, 0], [0.5, 1]], [[0.2, 0], [0.8, 0]], [[0.2, 1], [0.8, 1]]],
  J: [[[0.85, 0], [0.85, 0.68], ...arc(0.5, 0.68, 0.35, 0.32, 0, 180)]],
  K: [[[0.1, 0], [0.1, 1]], [[0.9, 0], [0.1, 0.62]], [[0.38, 0.42], [0.92, 1]]],
  L: [[[0.1, 0], [0.1, 1], [0.9, 1]]],
  M: [[[0.05, 1], [0.08, 0], [0.5, 0.68], [0.92, 0], [0.95, 1]]],
  N: [[[0.1, 1], [0.1, 0], [0.9, 1], [0.9, 0]]],
  O: [O],
  P: [P],
  Q: [O, [[0.6, 0.7], [0.98, 1.04]]],
  R: [P, [[0.48, 0.54], [0.92, 1]]],
  S: [arc(0.5, 0.26, 0.42, 0.26, 335, 90), arc(0.5, 0.75, 0.45, 0.25, 270, 515)],
  T: [[[0, 0], [1, 0]], [[0.5, 0], [0.5, 1]]],
  U: [[[0.1, 0], [0.1, 0.64], ...arc(0.5, 0.64, 0.4, 0.36, 180, 0), [0.9, 0]]],
  V: [[[0, 0], [0.5, 1], [1, 0]]],
  W: [[[0, 0], [0.24, 1], [0.5, 0.36], [0.76, 1], [1, 0]]],
  X: [[[0.05, 0], [0.95, 1]], [[0.95, 0], [0.05, 1]]],
  Y: [[[0, 0], [0.5, 0.52], [1, 0]], [[0.5, 0.52], [0.5, 1]]],
  Z: [[[0.05, 0], [0.95, 0], [0.05, 1], [0.95, 1]]],
  '-': [[[0.2, 0.5], [0.8, 0.5]]],
  '.': [[[0.45, 0.95], [0.55, 0.95]]],
  "'": [[[0.5, 0], [0.5, 0.2]]],
  ' ': [],
};

export const FONT_CHARS = Object.keys(GLYPHS).join('');

export interface TextStyle {
  /** Cap height in pixels. */
  height: number;
  /** Glyph width as a fraction of the height (plates use condensed faces). */
  aspect?: number;
  /** Stroke width as a fraction of the height. */
  weight?: number;
  /** Gap between glyphs as a fraction of the height. */
  spacing?: number;
}

/** Width in pixels that `text` takes in `style`. */
export function measureText(text: string, style: TextStyle): number {
  const { height, aspect = 0.5, spacing = 0.12 } = style;
  let w = 0;
  for (const ch of text) w += (ch === ' ' ? 0.5 : aspect) * height + spacing * height;
  return Math.max(0, w - spacing * height);
}

/**
 * Draws `text` into a fresh coverage mask sized to fit it (plus stroke margin); returns the
 * mask and where its origin sits relative to the text's top-left corner.
 */
export function textMask(text: string, style: TextStyle): { mask: Float32Array; width: number; height: number; offset: number } {
  const { height, aspect = 0.5, weight = 0.13, spacing = 0.12 } = style;
  const stroke = Math.max(1, weight * height);
  const margin = Math.ceil(stroke);
  const width = Math.ceil(measureText(text, style)) + margin * 2;
  const mh = Math.ceil(height) + margin * 2;
  const mask = new Float32Array(width * mh);
  let x = margin;
  const inset = stroke / 2;
  for (const raw of text.toUpperCase()) {
    const glyph = GLYPHS[raw];
    if (!glyph) throw new Error(`no glyph for "${raw}"`);
    const gw = (raw === ' ' ? 0.5 : aspect) * height;
    const sx = gw - inset * 2;
    const sy = height - inset * 2;
    for (const line of glyph) {
      for (let i = 1; i < line.length; i++) {
        const [ax, ay] = line[i - 1]!;
        const [bx, by] = line[i]!;
        strokeSegment(
          mask,
          width,
          mh,
          x + inset + ax * sx,
          margin + inset + ay * sy,
          x + inset + bx * sx,
          margin + inset + by * sy,
          stroke,
        );
      }
    }
    x += gw + spacing * height;
  }
  return { mask, width, height: mh, offset: margin };
}
