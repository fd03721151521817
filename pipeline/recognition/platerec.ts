import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { US_STATES, type UsState } from '../../contracts/index.ts';
import type { Image } from '../render/raster.ts';
import { loadOwnModel } from './onnx-model.ts';
import { type PlateSteps, STEP_CLASSES, type TextRect } from './ppocr-math.ts';
import { roundScore as round } from './reader.ts';

/**
 * The project's own plate recogniser (models/platerec: a small CNN with CTC for the serial and
 * a state-of-issue head, trained on synthetic plates by models/train/). It reads whole plates:
 * each crop is a plate framed as a detector would frame it, sampled to 96x48 grey here.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where the model lives; ALPR_PLATEREC_DIR points readers at another export (a candidate under evaluation). */
export const PLATEREC_DIR = process.env.ALPR_PLATEREC_DIR ?? path.resolve(here, '../../models/platerec');

interface Meta {
  input: [number, number, number];
  chars: string;
  blank: number;
  states: string[];
}

export interface PlateText {
  /** Serial, A-Z and 0-9. */
  text: string;
  /** 0..1: the least certain character's probability (0 when nothing was read). */
  confidence: number;
  /** Per character probability, in reading order. */
  charConfidence: number[];
  state: UsState | null;
  stateConfidence: number;
  /** Next most likely states with their probabilities, best first. */
  states: { state: UsState; p: number }[];
  /** Per-step probabilities (the model's classes are `STEP_CLASSES`), for the serial-format prior. */
  steps?: PlateSteps;
}

/** A plate region: a rotated rectangle in image pixels (cx, cy, w, h, angle in radians). */
export type PlateQuad = Pick<TextRect, 'cx' | 'cy' | 'w' | 'h' | 'angle'>;

/**
 * Samples a rotated rectangle of `img` into `out` (grey 0..1, row-major ow x oh) at `offset`,
 * bilinear, with edge pixels repeated outside the image. The rectangle's bounding region is
 * turned grey once, then sampled with a small grid per output pixel when it shrinks a lot.
 */
export function sampleQuad(img: Image, q: PlateQuad, ow: number, oh: number, out: Float32Array, offset = 0): void {
  const { width: W, height: H, channels: ch, data } = img;
  const cos = Math.cos(q.angle),
    sin = Math.sin(q.angle);
  const ex = Math.abs((q.w / 2) * cos) + Math.abs((q.h / 2) * sin),
    ey = Math.abs((q.w / 2) * sin) + Math.abs((q.h / 2) * cos);
  const x0 = Math.min(W - 1, Math.max(0, Math.floor(q.cx - ex) - 1)),
    x1 = Math.min(W - 1, Math.max(0, Math.ceil(q.cx + ex) + 1));
  const y0 = Math.min(H - 1, Math.max(0, Math.floor(q.cy - ey) - 1)),
    y1 = Math.min(H - 1, Math.max(0, Math.ceil(q.cy + ey) + 1));
  const rw = x1 - x0 + 1,
    rh = y1 - y0 + 1;
  const g = new Float32Array(rw * rh);
  for (let y = 0; y < rh; y++) {
    const row = (y0 + y) * W + x0;
    if (ch === 1) for (let x = 0; x < rw; x++) g[y * rw + x] = data[row + x]!;
    else for (let x = 0, i = row * 3; x < rw; x++, i += 3) g[y * rw + x] = data[i]! * 0.299 + data[i + 1]! * 0.587 + data[i + 2]! * 0.114;
  }
  const fx = q.w / ow,
    fy = q.h / oh;
  const sub = Math.max(1, Math.min(3, Math.round(Math.max(fx, fy) / 1.5)));
  const k = 1 / (255 * sub * sub);
  const mx = rw - 1,
    my = rh - 1;
  const bx = q.cx - 0.5 - x0,
    by = q.cy - 0.5 - y0;
  if (sin === 0 && cos === 1) {
    sampleAxisAligned(g, rw, mx, my, bx, by, q, ow, oh, sub, k, out, offset);
    return;
  }
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      for (let sy = 0; sy < sub; sy++) {
        const v = ((y + (sy + 0.5) / sub) / oh - 0.5) * q.h;
        for (let sx = 0; sx < sub; sx++) {
          const u = ((x + (sx + 0.5) / sub) / ow - 0.5) * q.w;
          let px = bx + u * cos - v * sin,
            py = by + u * sin + v * cos;
          px = px < 0 ? 0 : px > mx ? mx : px;
          py = py < 0 ? 0 : py > my ? my : py;
          const ix = px | 0,
            iy = py | 0;
          const jx = ix < mx ? ix + 1 : ix,
            jy = iy < my ? iy + 1 : iy;
          const wx = px - ix,
            wy = py - iy;
          const a = g[iy * rw + ix]!,
            b2 = g[iy * rw + jx]!,
            c = g[jy * rw + ix]!,
            d = g[jy * rw + jx]!;
          acc += (a + (b2 - a) * wx) * (1 - wy) + (c + (d - c) * wx) * wy;
        }
      }
      out[offset + y * ow + x] = acc * k;
    }
  }
}

/** Where each output column's (or row's) samples fall along one axis: the two source
 * indices and the weight of the second, per sample, with the same arithmetic as the rotated path. */
function axisTaps(n: number, size: number, base: number, max: number, sub: number): { i0: Int32Array; i1: Int32Array; w: Float64Array } {
  const i0 = new Int32Array(n * sub),
    i1 = new Int32Array(n * sub),
    w = new Float64Array(n * sub);
  for (let o = 0; o < n; o++) {
    for (let s = 0; s < sub; s++) {
      let p = base + ((o + (s + 0.5) / sub) / n - 0.5) * size;
      p = p < 0 ? 0 : p > max ? max : p;
      const i = p | 0;
      i0[o * sub + s] = i;
      i1[o * sub + s] = i < max ? i + 1 : i;
      w[o * sub + s] = p - i;
    }
  }
  return { i0, i1, w };
}

/**
 * The unrotated case (every box a detector gives): the sample positions separate into columns
 * and rows, computed once per crop instead of once per sample. Sampled per sample, a crop takes
 * about as long as the network takes to read it; this path gives the same values.
 */
function sampleAxisAligned(
  g: Float32Array,
  rw: number,
  mx: number,
  my: number,
  bx: number,
  by: number,
  q: PlateQuad,
  ow: number,
  oh: number,
  sub: number,
  k: number,
  out: Float32Array,
  offset: number,
): void {
  const xs = axisTaps(ow, q.w, bx, mx, sub),
    ys = axisTaps(oh, q.h, by, my, sub);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let acc = 0;
      for (let sy = 0; sy < sub; sy++) {
        const t = y * sub + sy;
        const r0 = ys.i0[t]! * rw,
          r1 = ys.i1[t]! * rw,
          wy = ys.w[t]!;
        for (let sx = 0; sx < sub; sx++) {
          const e = x * sub + sx;
          const ix = xs.i0[e]!,
            jx = xs.i1[e]!,
            wx = xs.w[e]!;
          const a = g[r0 + ix]!,
            b2 = g[r0 + jx]!,
            c = g[r1 + ix]!,
            d = g[r1 + jx]!;
          acc += (a + (b2 - a) * wx) * (1 - wy) + (c + (d - c) * wx) * wy;
        }
      }
      out[offset + y * ow + x] = acc * k;
    }
  }
}

/** Greedy CTC decoding of one row of log-probabilities (T x C, class 0 = blank). */
export function ctcGreedy(logp: Float32Array, n: number, T: number, C: number, chars: string): { text: string; probs: number[] } {
  let text = '';
  const probs: number[] = [];
  let prev = 0;
  let run = 0; // best probability within the current character's run
  for (let t = 0; t < T; t++) {
    const o = (n * T + t) * C;
    let best = 0,
      bv = logp[o]!;
    for (let c = 1; c < C; c++)
      if (logp[o + c]! > bv) {
        bv = logp[o + c]!;
        best = c;
      }
    if (best !== 0 && best !== prev) {
      text += chars[best - 1]!;
      probs.push(Math.exp(bv));
      run = probs.length - 1;
    } else if (best !== 0 && best === prev) {
      probs[run] = Math.max(probs[run]!, Math.exp(bv));
    }
    prev = best;
  }
  return { text, probs };
}

function softmax(v: Float32Array, offset: number, n: number): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < n; i++) m = Math.max(m, v[offset + i]!);
  const out = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) s += out[i] = Math.exp(v[offset + i]! - m);
  for (let i = 0; i < n; i++) out[i]! /= s;
  return out;
}

export class PlateRecognizer {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly meta: Meta,
  ) {}

  /** `name`: the model's files in `dir`, `NAME.onnx` and `NAME.json` (default platerec; platerec-b the second one). */
  static async load(opts: { threads?: number; dir?: string; name?: string } = {}): Promise<PlateRecognizer> {
    const { session, meta } = await loadOwnModel<Meta>(opts.dir ?? PLATEREC_DIR, opts.name ?? 'platerec', opts.threads ?? 1);
    return new PlateRecognizer(session, meta);
  }

  get inputSize(): { width: number; height: number } {
    return { width: this.meta.input[2], height: this.meta.input[1] };
  }

  /** Reads each plate region (whole image when `quad` is absent), all in one batched run. */
  async read(crops: { image: Image; quad?: PlateQuad }[]): Promise<PlateText[]> {
    if (crops.length === 0) return [];
    const [, h, w] = this.meta.input;
    const input = new Float32Array(crops.length * h * w);
    crops.forEach((c, i) => {
      const q = c.quad ?? { cx: c.image.width / 2, cy: c.image.height / 2, w: c.image.width, h: c.image.height, angle: 0 };
      sampleQuad(c.image, q, w, h, input, i * h * w);
    });
    return this.run(input, crops.length);
  }

  /** Runs prepared input (N x H x W grey 0..1). */
  async run(input: Float32Array, n: number): Promise<PlateText[]> {
    const [, h, w] = this.meta.input;
    const res = await this.session.run({ image: new ort.Tensor('float32', input, [n, 1, h, w]) });
    const logits = res.logits!,
      st = res.state!;
    const [, T, C] = logits.dims as number[];
    const S = this.meta.states.length;
    const lp = logits.data as Float32Array,
      sp = st.data as Float32Array;
    const out: PlateText[] = [];
    for (let i = 0; i < n; i++) {
      const { text, probs } = ctcGreedy(lp, i, T!, C!, this.meta.chars);
      // The model's classes are the format prior's (blank, 0-9, A-Z): its steps are its own probabilities.
      const steps = C === STEP_CLASSES.length && this.meta.chars === STEP_CLASSES.slice(1) ? stepsOf(lp, i, T!, C!) : undefined;
      const p = softmax(sp, i * S, S);
      const order = [...p.keys()].sort((a, b) => p[b]! - p[a]!).slice(0, 3);
      const states = order
        .map((k) => ({ state: this.meta.states[k] as UsState, p: round(p[k]!) }))
        .filter((s) => (US_STATES as readonly string[]).includes(s.state));
      out.push({
        text,
        confidence: round(probs.length ? Math.min(...probs) : 0),
        charConfidence: probs.map(round),
        state: states[0]?.state ?? null,
        stateConfidence: states[0]?.p ?? 0,
        states,
        ...(steps ? { steps } : {}),
      });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/** Row n of T x C log-probabilities as probabilities. */
function stepsOf(logp: Float32Array, n: number, T: number, C: number): PlateSteps {
  const probs = new Float32Array(T * C);
  for (let j = 0; j < T * C; j++) probs[j] = Math.exp(logp[n * T * C + j]!);
  return { T, probs };
}
