import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import type { Image } from '../render/raster.ts';
import { loadOwnModel } from './onnx-model.ts';
import type { Region } from './ppocr-math.ts';

/**
 * The project's own plate detector (models/platedet: one class, CenterNet-style, stride 8,
 * trained by models/train/train_det.py). Frames are scaled to `inputWidth` (512: a 1080p frame
 * becomes 512x288) in grey, plates come back as boxes in image pixels.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where the model lives; ALPR_PLATEDET_DIR points readers at another export (a candidate under evaluation). */
export const PLATEDET_DIR = process.env.ALPR_PLATEDET_DIR ?? path.resolve(here, '../../models/platedet');

interface Meta {
  stride: number;
  inputWidth: number;
  threshold: number;
}

export interface DetectedPlate {
  box: [number, number, number, number];
  score: number;
}

/**
 * Writes `region` of `img` scaled to dw x dh grey 0..1 into `out`, averaging a 2x2 grid of
 * source pixels spread over each output pixel's footprint (frames shrink 2-4x, and point
 * sampling would alias; a full box filter costs more than the network).
 */
export function detInput(img: Image, region: Region, dw: number, dh: number, out: Float32Array, offset = 0): void {
  const { width: W, height: H, channels: ch, data } = img;
  const fx = region.w / dw,
    fy = region.h / dh;
  const kx = fx >= 1.5 ? 2 : 1,
    ky = fy >= 1.5 ? 2 : 1;
  const xs = new Int32Array(dw * kx);
  for (let x = 0; x < dw; x++)
    for (let i = 0; i < kx; i++) xs[x * kx + i] = Math.min(W - 1, Math.max(0, Math.floor(region.x + (x + (i + 0.5) / kx) * fx)));
  const norm = 1 / (255 * kx * ky);
  for (let y = 0; y < dh; y++) {
    const o = offset + y * dw;
    for (let j = 0; j < ky; j++) {
      const r = Math.min(H - 1, Math.max(0, Math.floor(region.y + (y + (j + 0.5) / ky) * fy))) * W;
      if (ch === 1) {
        if (kx === 2) for (let x = 0; x < dw; x++) out[o + x] = (j ? out[o + x]! : 0) + data[r + xs[2 * x]!]! + data[r + xs[2 * x + 1]!]!;
        else for (let x = 0; x < dw; x++) out[o + x] = (j ? out[o + x]! : 0) + data[r + xs[x]!]!;
      } else {
        for (let x = 0; x < dw; x++) {
          let acc = j ? out[o + x]! : 0;
          for (let i = 0; i < kx; i++) {
            const p = (r + xs[x * kx + i]!) * 3;
            acc += (data[p]! * 299 + data[p + 1]! * 587 + data[p + 2]! * 114) / 1000;
          }
          out[o + x] = acc;
        }
      }
    }
    for (let x = 0; x < dw; x++) out[o + x]! *= norm;
  }
}

export function boxIou(a: [number, number, number, number], b: [number, number, number, number]): number {
  const x0 = Math.max(a[0], b[0]),
    y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[0] + a[2], b[0] + b[2]),
    y1 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a[2] * a[3] + b[2] * b[3] - inter || 1);
}

/** Peaks of the centre heatmap (3x3 local maxima above `threshold`) turned into boxes. */
export function decodeDet(
  heat: Float32Array,
  reg: Float32Array,
  n: number,
  gh: number,
  gw: number,
  stride: number,
  threshold: number,
): DetectedPlate[] {
  const plane = gh * gw;
  const hb = n * plane,
    rb = n * 4 * plane;
  const out: DetectedPlate[] = [];
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      const v = heat[hb + y * gw + x]!;
      if (v < threshold) continue;
      let peak = true;
      for (let dy = -1; dy <= 1 && peak; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy,
            xx = x + dx;
          if ((dy || dx) && yy >= 0 && yy < gh && xx >= 0 && xx < gw && heat[hb + yy * gw + xx]! > v) {
            peak = false;
            break;
          }
        }
      }
      if (!peak) continue;
      const i = y * gw + x;
      const cx = (x + reg[rb + i]!) * stride,
        cy = (y + reg[rb + plane + i]!) * stride;
      const w = Math.exp(reg[rb + 2 * plane + i]!) * stride,
        h = Math.exp(reg[rb + 3 * plane + i]!) * stride;
      out.push({ box: [cx - w / 2, cy - h / 2, w, h], score: v });
    }
  }
  out.sort((a, b) => b.score - a.score);
  const kept: DetectedPlate[] = [];
  for (const d of out) if (!kept.some((k) => boxIou(k.box, d.box) > 0.4)) kept.push(d);
  return kept;
}

export class PlateDetector {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly meta: Meta,
  ) {}

  static async load(opts: { threads?: number; dir?: string } = {}): Promise<PlateDetector> {
    const { session, meta } = await loadOwnModel<Meta>(opts.dir ?? PLATEDET_DIR, 'platedet', opts.threads ?? 1);
    return new PlateDetector(session, meta);
  }

  /** Input size for a region: `inputWidth` across the longer side, multiples of 32. */
  size(region: Region, inputWidth = this.meta.inputWidth): { w: number; h: number; scale: number } {
    const scale = inputWidth / Math.max(region.w, region.h);
    return { w: Math.max(32, Math.round((region.w * scale) / 32) * 32), h: Math.max(32, Math.round((region.h * scale) / 32) * 32), scale };
  }

  /** Plates in each image (or region of it), in image pixels, best first. One run per image size.
   * `inputWidths` (per image) overrides `inputWidth`, the input's longer side. */
  async detect(
    images: Image[],
    opts: { regions?: (Region | undefined)[]; inputWidth?: number; inputWidths?: (number | undefined)[]; threshold?: number } = {},
  ): Promise<DetectedPlate[][]> {
    const out: DetectedPlate[][] = images.map(() => []);
    const stride = this.meta.stride;
    const groups = new Map<string, number[]>();
    const plans = images.map((img, i) => {
      const region = opts.regions?.[i] ?? { x: 0, y: 0, w: img.width, h: img.height };
      const s = this.size(region, opts.inputWidths?.[i] ?? opts.inputWidth);
      const key = `${s.w}x${s.h}`;
      groups.set(key, [...(groups.get(key) ?? []), i]);
      return { region, ...s };
    });
    for (const idx of groups.values()) {
      const { w, h } = plans[idx[0]!]!;
      const input = new Float32Array(idx.length * w * h);
      idx.forEach((i, b) => detInput(images[i]!, plans[i]!.region, w, h, input, b * w * h));
      const res = await this.session.run({ image: new ort.Tensor('float32', input, [idx.length, 1, h, w]) });
      const heat = res.heat!.data as Float32Array,
        reg = res.box!.data as Float32Array;
      const [, , gh, gw] = res.heat!.dims as number[];
      idx.forEach((i, b) => {
        const p = plans[i]!;
        const sx = p.region.w / w,
          sy = p.region.h / h;
        out[i] = decodeDet(heat, reg, b, gh!, gw!, stride, opts.threshold ?? this.meta.threshold).map((d) => ({
          score: Math.round(d.score * 1000) / 1000,
          box: [p.region.x + d.box[0] * sx, p.region.y + d.box[1] * sy, d.box[2] * sx, d.box[3] * sy].map((v) => Math.round(v)) as [
            number,
            number,
            number,
            number,
          ],
        }));
      });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
