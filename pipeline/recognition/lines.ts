import type { UsState } from '../../contracts/index.ts';
import type { Image } from '../render/raster.ts';
import { joinRects, type PlateSteps, rectBox, type TextRect } from './ppocr-math.ts';
import { plateSyntax, stateFromText, type SyntaxVerdict } from './syntax.ts';

/**
 * The text lines of a plate's window and how they relate: which lines are one serial split by a
 * gap, which are a camera's timestamp overlay, and where a serial's state name is printed. Pure
 * geometry on PP-OCR's line boxes; the baseline reader (baseline.ts) reads them.
 */

/** A read text line of one input. */
export interface Line {
  input: number;
  rect: TextRect;
  text: string;
  confidence: number;
  /** The recogniser's per-step probabilities, for the serial-format prior. */
  steps?: PlateSteps;
}

/** The bands above and below a serial where plates print the state name. */
export function stateBands(r: TextRect, image: Image): TextRect[] {
  const ux = Math.cos(r.angle),
    uy = Math.sin(r.angle);
  const bands: TextRect[] = [];
  for (const side of [-1, 1]) {
    const off = side * r.h * 0.62;
    const cx = r.cx - off * uy,
      cy = r.cy + off * ux;
    const b = { cx, cy, w: r.w * 1.35, h: r.h * 0.5, angle: r.angle, score: 0 };
    if (cy - b.h / 2 >= -b.h * 0.25 && cy + b.h / 2 <= image.height + b.h * 0.25) bands.push(b);
  }
  return bands;
}

/** Whether a line is close enough to a serial's line to be its plate's state name. */
export function nearEnough(r: TextRect, plate: { rect: TextRect; input: number }): boolean {
  return Math.abs(r.cy - plate.rect.cy) <= plate.rect.h * 2.2 && Math.abs(r.cx - plate.rect.cx) <= plate.rect.w;
}

/** The state named by the likeliest state line near a serial's line, with its score. */
export function stateNear(plate: Line, lines: Line[]): { state: UsState; score: number } | null {
  let best: { state: UsState; score: number } | null = null;
  for (const l of lines) {
    if (l.input !== plate.input || l === plate) continue;
    if (!nearEnough(l.rect, plate)) continue;
    const m = stateFromText(l.text);
    if (m && (!best || m.score * l.confidence > best.score)) best = { state: m.state, score: m.score * l.confidence };
  }
  return best;
}

/**
 * The lines of a camera's timestamp overlay: each line that is a date or a time, and the lines of
 * its input stacked on it (overlays print the date over the time) or running on from it. A window
 * cut there, or a slip that lost the time's colons ("09:54:05" read "03854"), leaves the rest
 * looking like a serial of digits; no plate prints its serial beside a date of its size.
 */
export function timestampOverlay<T extends { input: number; rect: TextRect; text: string }>(
  lines: T[],
  verdicts: SyntaxVerdict[] = lines.map((l) => plateSyntax(l.text)),
): Set<T> {
  const stamps = lines.filter((_, i) => {
    const v = verdicts[i]!;
    return !v.ok && (v.reason === 'date' || v.reason === 'timestamp');
  });
  return new Set(lines.filter((l) => stamps.some((s) => l === s || besideStamp(l, s))));
}

function besideStamp(line: { input: number; rect: TextRect }, stamp: { input: number; rect: TextRect }): boolean {
  if (line.input !== stamp.input) return false;
  const [ax, ay, aw, ah] = rectBox(line.rect),
    [sx, sy, sw, sh] = rectBox(stamp.rect);
  const h = Math.max(ah, sh),
    dy = Math.abs(ay + ah / 2 - (sy + sh / 2));
  const overlapX = Math.min(ax + aw, sx + sw) - Math.max(ax, sx);
  return (overlapX > 0 && dy <= 1.6 * h) || (overlapX > -h && dy <= 0.5 * h);
}

/** The widest gap in a serial, in its line's heights: an emblem or a bucking horse is about one. */
const JOIN_MAX_GAP = 2;

/**
 * Serial lines side by side in one plate's window are one serial split by a gap (an emblem, a
 * wide dash): read alone, the right part passes as a shorter serial ("98943" of "7F98943").
 * Lines whose rows overlap by most of the lower one are joined where the gap between them is no
 * wider than `JOIN_MAX_GAP` of their height: a window can hold another plate's or a vehicle's
 * number on the same row (a bus's fleet number beside its plate), and that one joined to the
 * serial spoilt both.
 */
export function joinRows<T extends { rect: TextRect; input: number }>(lines: T[]): T[] {
  const out = [...lines];
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      const a = out[i]!,
        b = out[j]!;
      if (a.input !== b.input) continue;
      const [, ay, , ah] = rectBox(a.rect),
        [, by, , bh] = rectBox(b.rect);
      const iy = Math.min(ay + ah, by + bh) - Math.max(ay, by);
      if (iy < 0.6 * Math.min(ah, bh)) continue;
      const [ax, , aw] = rectBox(a.rect),
        [bx, , bw] = rectBox(b.rect);
      const gap = Math.max(ax, bx) - Math.min(ax + aw, bx + bw);
      if (gap > JOIN_MAX_GAP * Math.max(ah, bh)) continue;
      out[i] = { ...a, rect: joinRects(a.rect, b.rect) };
      out.splice(j, 1);
      j = i;
    }
  }
  return out;
}
