import type { Box } from './tracker.ts';

/**
 * Where to look: the part of the frame that changed since the last inferred frame, plus the
 * plates being tracked. Detection over that region instead of the whole frame is most of the
 * saving in recognition; a periodic full-frame look (decided by the caller) still finds
 * anything that arrived without moving. Pure functions over grey frames.
 */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Mean-pools a grey frame by `step` in both directions (cheap, and it averages out sensor noise). */
export function thumbnail(data: Uint8Array, width: number, height: number, step: number): { data: Uint8Array; w: number; h: number } {
  const w = Math.floor(width / step),
    h = Math.floor(height / step);
  const out = new Uint8Array(w * h);
  const n = step * step;
  for (let ty = 0; ty < h; ty++) {
    for (let tx = 0; tx < w; tx++) {
      let sum = 0;
      for (let y = ty * step; y < ty * step + step; y++) {
        const row = y * width + tx * step;
        for (let x = 0; x < step; x++) sum += data[row + x]!;
      }
      out[ty * w + tx] = sum / n;
    }
  }
  return { data: out, w, h };
}

/** Bounding box (in frame pixels) of thumbnail cells that changed by more than `threshold`, or null. */
export function changedRegion(
  prev: Uint8Array,
  cur: Uint8Array,
  w: number,
  h: number,
  step: number,
  threshold = 16,
  minCells = 4,
): Region | null {
  let x0 = w,
    y0 = h,
    x1 = -1,
    y1 = -1,
    n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (Math.abs(cur[i]! - prev[i]!) > threshold) {
        n++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (n < minCells) return null;
  return { x: x0 * step, y: y0 * step, w: (x1 - x0 + 1) * step, h: (y1 - y0 + 1) * step };
}

/** Union of regions and boxes, grown by `margin` (a fraction of the frame's longer side) and clipped to the frame. */
export function lookRegion(parts: (Region | Box)[], width: number, height: number, margin = 0.06): Region | null {
  if (parts.length === 0) return null;
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (const p of parts) {
    const [x, y, w, h] = Array.isArray(p) ? p : [p.x, p.y, p.w, p.h];
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x + w);
    y1 = Math.max(y1, y + h);
  }
  const m = margin * Math.max(width, height);
  const rx = Math.max(0, Math.floor(x0 - m)),
    ry = Math.max(0, Math.floor(y0 - m));
  return { x: rx, y: ry, w: Math.min(width, Math.ceil(x1 + m)) - rx, h: Math.min(height, Math.ceil(y1 + m)) - ry };
}
