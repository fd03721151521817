import { conformToState, type UsState } from '../../contracts/index.ts';
import type { Image } from '../render/raster.ts';
import { PpOcr } from './ppocr.ts';
import { rectBox, type TextRect } from './ppocr-math.ts';
import { PlateDetector } from './platedet.ts';
import { PlateRecognizer, type PlateQuad, type PlateText } from './platerec.ts';
import { registerReader, type PlateReader, type PlateResult, type ReadInput, type ReadOptions } from './reader.ts';
import { plateSyntax, roundGlyphsAsZero, stateFromText } from './syntax.ts';

/**
 * Readers built on the project's own recogniser (models/platerec). `PlateRecReader` finds
 * plates with the baseline's PP-OCRv4 text detector (the serial's text line, widened to the
 * plate around it) and reads each candidate plate with platerec in one batch: serial and state
 * from one small model. The state of issue: the name printed at the top or bottom of the plate,
 * read by PP-OCR's recogniser (the two bands in one batch) when it spells a state; otherwise
 * platerec's state head, which sees the name at only 5-8 px and knows the plates' look from
 * synthetic designs alone.
 */

/** The plate around a serial's text line: characters take about 85% of the plate's width and
 * half its height; plates are twice as wide as high. */
export function plateAroundLine(r: TextRect): PlateQuad {
  const w = Math.max(r.w * 1.15, r.h * 3.6);
  return { cx: r.cx, cy: r.cy, w, h: w / 2, angle: r.angle };
}

/** The bands of a plate where the state name is printed: the top and bottom quarter, full width. */
export function nameBands(q: PlateQuad): TextRect[] {
  const ux = Math.cos(q.angle),
    uy = Math.sin(q.angle);
  return [-0.36, 0.38].map((f) => ({
    cx: q.cx - f * q.h * uy,
    cy: q.cy + f * q.h * ux,
    w: q.w * 0.92,
    h: q.h * 0.24,
    angle: q.angle,
    score: 0,
  }));
}

/** A plate's text with look-alike characters resolved by its state's formats, when the state is sure
 * enough, and O written as 0 outside the formats (`roundGlyphsAsZero`). */
function finishedText(text: string, state: UsState | null, stateConfidence: number): string {
  return roundGlyphsAsZero(state && stateConfidence >= 0.5 ? conformToState(text, state) : text, state);
}

function conformed(r: PlateText): PlateText {
  return { ...r, text: finishedText(r.text, r.state as UsState | null, r.stateConfidence) };
}

interface Candidate {
  input: number;
  quad: PlateQuad;
  read: PlateText;
  text: string;
  score: number;
}

export function toResult(c: { quad: PlateQuad; read: PlateText; text: string; score: number }): PlateResult {
  const { quad, read } = c;
  const rect: TextRect = { ...quad, score: c.score };
  const state = read.state as UsState | null;
  return {
    text: finishedText(c.text, state, read.stateConfidence),
    confidence: Math.round(c.score * 1000) / 1000,
    box: rectBox(rect),
    rect,
    state,
    stateConfidence: read.stateConfidence,
  };
}

/** Keeps the best candidate among those whose centres fall inside one another's plate. */
export function suppress<T extends { input: number; quad: PlateQuad; score: number }>(cands: T[]): T[] {
  const kept: T[] = [];
  for (const c of [...cands].sort((a, b) => b.score - a.score)) {
    const inside = kept.some(
      (k) => k.input === c.input && Math.abs(k.quad.cx - c.quad.cx) < k.quad.w / 2 && Math.abs(k.quad.cy - c.quad.cy) < k.quad.h / 2,
    );
    if (!inside) kept.push(c);
  }
  return kept;
}

export class PlateRecReader implements PlateReader {
  readonly name = 'platerec-v1';
  private constructor(
    private readonly det: PpOcr,
    readonly rec: PlateRecognizer,
  ) {}

  static async create(opts: { threads?: number } = {}): Promise<PlateRecReader> {
    const [det, rec] = await Promise.all([
      PpOcr.load({ threads: opts.threads ?? 2 }),
      PlateRecognizer.load({ threads: opts.threads ?? 2 }),
    ]);
    return new PlateRecReader(det, rec);
  }

  /** Reads images that are each one plate (crops from a detector or another system). */
  async readPlates(images: Image[]): Promise<PlateText[]> {
    const crops = images.map((image) => ({
      image,
      quad: { cx: image.width / 2, cy: image.height / 2, w: image.width, h: image.height, angle: 0 },
    }));
    const reads = await this.rec.read(crops);
    await this.stateFromNames(crops, reads);
    return reads.map(conformed);
  }

  /** Replaces each read's state by the one its printed name spells, where a name is read. */
  private async stateFromNames(crops: { image: Image; quad: PlateQuad }[], reads: PlateText[]): Promise<void> {
    const bands = crops.flatMap((c, i) => nameBands(c.quad).map((rect) => ({ image: c.image, rect, i })));
    const texts = await this.det.recognize(bands);
    const best: ({ state: UsState; score: number } | null)[] = reads.map(() => null);
    bands.forEach((b, k) => {
      const m = stateFromText(texts[k]!.text);
      if (!m) return;
      const score = m.score * texts[k]!.confidence;
      if (!best[b.i] || score > best[b.i]!.score) best[b.i] = { state: m.state, score };
    });
    best.forEach((b, i) => {
      if (!b || b.score < 0.5) return;
      const r = reads[i]!;
      r.state = b.state;
      r.stateConfidence = Math.round(b.score * 1000) / 1000;
    });
  }

  async read(inputs: ReadInput[], opts: ReadOptions = {}): Promise<PlateResult[][]> {
    const { detMaxSide = 960 } = opts;
    const rects = await this.det.detect(inputs, detMaxSide);
    const crops: { image: Image; quad: PlateQuad; input: number }[] = [];
    rects.forEach((rs, input) => {
      for (const r of rs) {
        if (r.w < r.h * 1.2 || r.h < 6) continue;
        crops.push({ image: inputs[input]!.image, quad: plateAroundLine(r), input });
      }
    });
    const reads = await this.rec.read(crops);
    const cands: Candidate[] = [];
    reads.forEach((read, i) => {
      const v = plateSyntax(read.text);
      if (!v.ok || read.confidence < 0.2) return;
      cands.push({ input: crops[i]!.input, quad: crops[i]!.quad, read, text: v.text, score: read.confidence * v.prior });
    });
    const plates = suppress(cands);
    if (opts.state !== false)
      await this.stateFromNames(
        plates.map((c) => ({ image: inputs[c.input]!.image, quad: c.quad })),
        plates.map((c) => c.read),
      );
    const out: PlateResult[][] = inputs.map(() => []);
    for (const c of plates) out[c.input]!.push(toResult(c));
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([this.det.close(), this.rec.close()]);
  }
}

/**
 * `own-v1`: the project's own detector (models/platedet) and recogniser (models/platerec), no
 * PP-OCR at all. Every detected plate is read in one batch; reads that cannot be serials
 * (plateSyntax) are dropped.
 */
export class OwnReader implements PlateReader {
  readonly name = 'own-v1';
  private constructor(
    private readonly det: PlateDetector,
    readonly rec: PlateRecognizer,
  ) {}

  static async create(opts: { threads?: number } = {}): Promise<OwnReader> {
    const [det, rec] = await Promise.all([
      PlateDetector.load({ threads: opts.threads ?? 2 }),
      PlateRecognizer.load({ threads: opts.threads ?? 2 }),
    ]);
    return new OwnReader(det, rec);
  }

  async readPlates(images: Image[]): Promise<PlateText[]> {
    return (await this.rec.read(images.map((image) => ({ image })))).map(conformed);
  }

  async read(inputs: ReadInput[]): Promise<PlateResult[][]> {
    const found = await this.det.detect(
      inputs.map((i) => i.image),
      { regions: inputs.map((i) => i.region) },
    );
    const crops: { image: Image; quad: PlateQuad; input: number; score: number }[] = [];
    found.forEach((list, input) => {
      for (const d of list) {
        const [x, y, w, h] = d.box;
        crops.push({ image: inputs[input]!.image, quad: { cx: x + w / 2, cy: y + h / 2, w, h, angle: 0 }, input, score: d.score });
      }
    });
    const reads = await this.rec.read(crops);
    const out: PlateResult[][] = inputs.map(() => []);
    reads.forEach((read, i) => {
      const v = plateSyntax(read.text);
      if (!v.ok) return;
      const c = crops[i]!;
      out[c.input]!.push(toResult({ quad: c.quad, read, text: v.text, score: Math.sqrt(c.score * read.confidence) * v.prior }));
    });
    for (const list of out) list.sort((a, b) => b.confidence - a.confidence);
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([this.det.close(), this.rec.close()]);
  }
}

registerReader('platerec-v1', (opts) => PlateRecReader.create({ threads: opts.threads ?? 2 }));
registerReader('own-v1', (opts) => OwnReader.create({ threads: opts.threads ?? 2 }));
