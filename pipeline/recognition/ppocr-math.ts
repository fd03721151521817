import type { Image } from '../render/raster.ts';

/**
 * PP-OCRv4 pre- and post-processing on typed arrays: fused resize + normalise into the input
 * tensor, DB box extraction by connected components, rotated crops for recognition, and CTC
 * decoding restricted to the characters plates use. Pure functions, no ONNX here.
 */

export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A text box as a rotated rectangle in image pixels. */
export interface TextRect {
  cx: number;
  cy: number;
  /** Along the text line. */
  w: number;
  h: number;
  /** Radians; 0 = horizontal text. */
  angle: number;
  score: number;
}

const DET_MEAN = [0.485, 0.456, 0.406];
const DET_STD = [0.229, 0.224, 0.225];

/**
 * Detection input size for a region: scaled as the whole image would be to fit `maxSide`
 * (so a region costs its share of the frame, at the same scale), both multiples of 32.
 */
export function detSize(w: number, h: number, maxSide: number, imageMax = Math.max(w, h)): { w: number; h: number } {
  const s = Math.min(1, maxSide / imageMax);
  return { w: Math.max(32, Math.round((w * s) / 32) * 32), h: Math.max(32, Math.round((h * s) / 32) * 32) };
}

/**
 * Writes `region` of `img`, resized to dw×dh, into `out` (CHW float, BGR order as Paddle
 * trained it) at `offset`. Grey frames are sampled once and spread over the three channels.
 */
export function detTensor(img: Image, region: Region, dw: number, dh: number, out: Float32Array, offset = 0): void {
  const { width: W, height: H, channels: ch, data } = img;
  const fx = region.w / dw;
  const fy = region.h / dh;
  const plane = dw * dh;
  const x0s = new Int32Array(dw),
    x1s = new Int32Array(dw),
    wxs = new Float32Array(dw);
  for (let x = 0; x < dw; x++) {
    const sx = Math.min(W - 1, Math.max(0, region.x + (x + 0.5) * fx - 0.5));
    x0s[x] = Math.floor(sx);
    x1s[x] = Math.min(W - 1, x0s[x]! + 1);
    wxs[x] = sx - x0s[x]!;
  }
  const k0 = 1 / (255 * DET_STD[0]!),
    k1 = 1 / (255 * DET_STD[1]!),
    k2 = 1 / (255 * DET_STD[2]!);
  const m0 = DET_MEAN[0]! / DET_STD[0]!,
    m1 = DET_MEAN[1]! / DET_STD[1]!,
    m2 = DET_MEAN[2]! / DET_STD[2]!;
  for (let y = 0; y < dh; y++) {
    const sy = Math.min(H - 1, Math.max(0, region.y + (y + 0.5) * fy - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(H - 1, y0 + 1);
    const wy = sy - y0;
    const r0 = y0 * W,
      r1 = y1 * W;
    for (let x = 0; x < dw; x++) {
      const a = x0s[x]!,
        b = x1s[x]!,
        wx = wxs[x]!;
      const o = offset + y * dw + x;
      if (ch === 1) {
        const top = data[r0 + a]! + (data[r0 + b]! - data[r0 + a]!) * wx;
        const bot = data[r1 + a]! + (data[r1 + b]! - data[r1 + a]!) * wx;
        const v = top + (bot - top) * wy;
        out[o] = v * k0 - m0;
        out[o + plane] = v * k1 - m1;
        out[o + 2 * plane] = v * k2 - m2;
      } else {
        for (let c = 0; c < 3; c++) {
          const top = data[(r0 + a) * 3 + c]! + (data[(r0 + b) * 3 + c]! - data[(r0 + a) * 3 + c]!) * wx;
          const bot = data[(r1 + a) * 3 + c]! + (data[(r1 + b) * 3 + c]! - data[(r1 + a) * 3 + c]!) * wx;
          const v = top + (bot - top) * wy;
          const bgr = 2 - c;
          out[o + bgr * plane] = bgr === 0 ? v * k0 - m0 : bgr === 1 ? v * k1 - m1 : v * k2 - m2;
        }
      }
    }
  }
}

export interface DbOptions {
  threshold?: number;
  boxThreshold?: number;
  unclipRatio?: number;
  minSize?: number;
}

/**
 * DB post-processing: threshold the probability map, take 8-connected components, and fit
 * each a rotated rectangle by its principal axes (text lines are long and thin, so the first
 * axis is the line direction), expanded by Paddle's unclip distance. Boxes come back in the
 * coordinates of `region` of the original image.
 */
export function dbBoxes(prob: Float32Array, pw: number, ph: number, region: Region, opts: DbOptions = {}): TextRect[] {
  const { threshold = 0.3, boxThreshold = 0.6, unclipRatio = 1.6, minSize = 3 } = opts;
  const labels = new Int32Array(pw * ph);
  const stack = new Int32Array(pw * ph);
  const out: TextRect[] = [];
  const sx = region.w / pw;
  const sy = region.h / ph;
  let next = 0;
  for (let start = 0; start < pw * ph; start++) {
    if (labels[start] !== 0 || prob[start]! <= threshold) continue;
    next++;
    let top = 0;
    stack[top++] = start;
    labels[start] = next;
    let n = 0,
      sum = 0,
      mx = 0,
      my = 0,
      mxx = 0,
      myy = 0,
      mxy = 0;
    const members: number[] = [];
    while (top > 0) {
      const i = stack[--top]!;
      members.push(i);
      const x = i % pw,
        y = (i - x) / pw;
      // Work in image-pixel units so that the fitted angle survives anisotropic scaling.
      const X = x * sx,
        Y = y * sy;
      n++;
      sum += prob[i]!;
      mx += X;
      my += Y;
      mxx += X * X;
      myy += Y * Y;
      mxy += X * Y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= ph) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= pw) continue;
          const j = yy * pw + xx;
          if (labels[j] === 0 && prob[j]! > threshold) {
            labels[j] = next;
            stack[top++] = j;
          }
        }
      }
    }
    if (n < minSize * minSize || sum / n < boxThreshold) continue;
    mx /= n;
    my /= n;
    const cxx = mxx / n - mx * mx,
      cyy = myy / n - my * my,
      cxy = mxy / n - mx * my;
    let angle = 0.5 * Math.atan2(2 * cxy, cxx - cyy);
    if (angle > Math.PI / 4) angle -= Math.PI / 2;
    else if (angle < -Math.PI / 4) angle += Math.PI / 2;
    const ux = Math.cos(angle),
      uy = Math.sin(angle);
    let u0 = Infinity,
      u1 = -Infinity,
      v0 = Infinity,
      v1 = -Infinity;
    for (const i of members) {
      const x = i % pw,
        y = (i - x) / pw;
      const dx = x * sx - mx,
        dy = y * sy - my;
      const u = dx * ux + dy * uy;
      const v = -dx * uy + dy * ux;
      if (u < u0) u0 = u;
      if (u > u1) u1 = u;
      if (v < v0) v0 = v;
      if (v > v1) v1 = v;
    }
    let w = u1 - u0 + sx,
      h = v1 - v0 + sy;
    if (Math.min(w, h) < minSize * Math.min(sx, sy)) continue;
    const dist = (w * h * unclipRatio) / (2 * (w + h));
    w += 2 * dist;
    h += 2 * dist;
    const cu = (u0 + u1) / 2,
      cv = (v0 + v1) / 2;
    out.push({
      cx: region.x + mx + cu * ux - cv * uy + sx / 2,
      cy: region.y + my + cu * uy + cv * ux + sy / 2,
      w,
      h,
      angle,
      score: sum / n,
    });
  }
  return out.sort((a, b) => b.score - a.score);
}

/**
 * Joins text boxes that continue one line: detection splits serials at their space or dash
 * ("ABC 1234") and sometimes cuts a lone character off, which then reads as a shorter serial.
 * Boxes join when they are near-level, of similar height, share the row and nearly touch.
 */
export function mergeLines(rects: TextRect[]): TextRect[] {
  const out = [...rects];
  for (let changed = true; changed; ) {
    changed = false;
    outer: for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i]!,
          b = out[j]!;
        if (Math.abs(a.angle) > 0.15 || Math.abs(b.angle) > 0.15) continue;
        const [ax, ay, aw, ah] = rectBox(a),
          [bx, by, bw, bh] = rectBox(b);
        const hmin = Math.min(ah, bh);
        if (Math.max(ah, bh) > 1.6 * hmin) continue;
        const iy = Math.min(ay + ah, by + bh) - Math.max(ay, by);
        const gap = Math.max(ax, bx) - Math.min(ax + aw, bx + bw);
        if (iy < 0.6 * hmin || gap > 0.8 * hmin) continue;
        out[i] = joinRects(a, b);
        out.splice(j, 1);
        changed = true;
        break outer;
      }
    }
  }
  return out;
}

/** One line of text from two parts of it: the box around both, the angle weighted by width. */
export function joinRects(a: TextRect, b: TextRect): TextRect {
  const [ax, ay, aw, ah] = rectBox(a),
    [bx, by, bw, bh] = rectBox(b);
  const x0 = Math.min(ax, bx),
    y0 = Math.min(ay, by),
    x1 = Math.max(ax + aw, bx + bw),
    y1 = Math.max(ay + ah, by + bh);
  return {
    cx: (x0 + x1) / 2,
    cy: (y0 + y1) / 2,
    w: x1 - x0,
    h: y1 - y0,
    angle: (a.angle * aw + b.angle * bw) / (aw + bw),
    score: Math.max(a.score, b.score),
  };
}

/** Axis-aligned [x, y, w, h] around a rotated rectangle. */
export function rectBox(r: TextRect): [number, number, number, number] {
  const c = Math.abs(Math.cos(r.angle)),
    s = Math.abs(Math.sin(r.angle));
  const bw = r.w * c + r.h * s,
    bh = r.w * s + r.h * c;
  return [Math.round(r.cx - bw / 2), Math.round(r.cy - bh / 2), Math.round(bw), Math.round(bh)];
}

export const REC_HEIGHT = 48;

/** Recognition crop width for a rectangle: its aspect at height 48, within [16, maxW]. */
export function recWidth(r: TextRect, maxW = 320): number {
  return Math.max(16, Math.min(maxW, Math.round((REC_HEIGHT * r.w) / Math.max(1, r.h))));
}

/**
 * Samples the rotated rectangle `r` of `img` upright into the recognition tensor: slot `n` of
 * a [N, 3, 48, batchW] batch, `cw` columns wide, the rest left at 0 (Paddle pads with 0 after
 * normalising). This is the crop-and-rectify step: tilted text comes out level.
 */
export function recTensor(img: Image, r: TextRect, cw: number, batchW: number, out: Float32Array, n: number): void {
  const { width: W, height: H, channels: ch, data } = img;
  const plane = REC_HEIGHT * batchW;
  const base = n * 3 * plane;
  const ux = Math.cos(r.angle),
    uy = Math.sin(r.angle);
  // Indices and weights computed inline, no closure per sample: this runs for every column of
  // every line read (~15 k samples a line), and a helper closure made it ~11 ms a line, half
  // of recognition's time. The arithmetic is the same, sample for sample.
  for (let y = 0; y < REC_HEIGHT; y++) {
    const v = ((y + 0.5) / REC_HEIGHT - 0.5) * r.h;
    for (let x = 0; x < cw; x++) {
      const u = ((x + 0.5) / cw - 0.5) * r.w;
      const sx = Math.min(W - 1, Math.max(0, r.cx + u * ux - v * uy - 0.5));
      const sy = Math.min(H - 1, Math.max(0, r.cy + u * uy + v * ux - 0.5));
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy);
      const x1 = Math.min(W - 1, x0 + 1),
        y1 = Math.min(H - 1, y0 + 1);
      const wx = sx - x0,
        wy = sy - y0;
      const o = base + y * batchW + x;
      const i00 = (y0 * W + x0) * ch,
        i01 = (y0 * W + x1) * ch,
        i10 = (y1 * W + x0) * ch,
        i11 = (y1 * W + x1) * ch;
      for (let c = 0; c < (ch === 1 ? 1 : 3); c++) {
        const a = data[i00 + c]!,
          b = data[i01 + c]!,
          d = data[i10 + c]!,
          e = data[i11 + c]!;
        const top = a + (b - a) * wx;
        const bot = d + (e - d) * wx;
        const val = ((top + (bot - top) * wy) / 255 - 0.5) / 0.5;
        if (ch === 1) {
          out[o + 2 * plane] = val;
          out[o + plane] = val;
          out[o] = val;
        } else out[o + (2 - c) * plane] = val;
      }
    }
  }
}

export interface CtcResult {
  text: string;
  /** Mean probability of the emitted characters. */
  confidence: number;
  charConfidences: number[];
  /** Per time step, the probabilities of the plate alphabet (`STEP_CLASSES`: nothing, 0-9, A-Z;
   * a letter's two cases summed, separators counted as nothing): what a format prior rescores. */
  steps: PlateSteps;
}

/** The classes of `PlateSteps`: index 0 is "no character" (blank or a separator), then 0-9 and A-Z. */
export const STEP_CLASSES = ' 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** One recognised line's per-step probabilities, T rows of `STEP_CLASSES.length`. */
export interface PlateSteps {
  T: number;
  probs: Float32Array;
}

/**
 * Greedy CTC decoding of one sequence of an [N, T, C] softmax output, looking only at the
 * classes in `allowed` (index 0, the blank, always included): plates hold Latin letters and
 * digits, and letting the 6,600 Chinese classes compete only adds look-alike errors.
 */
export function ctcDecode(probs: Float32Array, n: number, T: number, C: number, allowed: Int32Array, charset: string[]): CtcResult {
  let text = '';
  const confs: number[] = [];
  let last = -1;
  const K = STEP_CLASSES.length;
  const steps = new Float32Array(T * K);
  for (let t = 0; t < T; t++) {
    const o = (n * T + t) * C;
    let best = 0,
      bp = probs[o]!;
    steps[t * K] = bp;
    for (let i = 0; i < allowed.length; i++) {
      const c = allowed[i]!;
      const p = probs[o + c]!;
      const j = t * K + stepClass(charset[c] ?? '');
      steps[j] = steps[j]! + p;
      if (p > bp) {
        bp = p;
        best = c;
      }
    }
    if (best !== 0 && best !== last) {
      text += charset[best] ?? '';
      confs.push(bp);
    }
    last = best;
  }
  const confidence = confs.length ? confs.reduce((a, b) => a + b, 0) / confs.length : 0;
  return { text: text.trim(), confidence, charConfidences: confs, steps: { T, probs: steps } };
}

/** A character's class in `STEP_CLASSES` (0 for anything that is not a letter or digit). */
function stepClass(ch: string): number {
  const i = STEP_CLASSES.indexOf(ch.toUpperCase());
  return i > 0 && ch.length === 1 ? i : 0;
}

/** Whether a box [x, y, w, h] runs into the edge of a width×height frame (within `marginPx`):
 * a plate partly out of view. The tracker drops such reads; readers may skip reading them. */
export function isCut(box: [number, number, number, number], width: number, height: number, marginPx: number): boolean {
  const [x, y, w, h] = box;
  return x <= marginPx || y <= marginPx || x + w >= width - marginPx || y + h >= height - marginPx;
}
