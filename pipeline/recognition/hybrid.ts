import { normalizePlate } from '../../contracts/index.ts';
import { resizeRegion, type Image } from '../render/raster.ts';
import { BaselineReader, type SteppedResult } from './baseline.ts';
import { PlateDetector } from './platedet.ts';
import { PlateRecognizer, type PlateQuad, type PlateText } from './platerec.ts';
import { cutShort, secondOpinion } from './second-opinion.ts';
import { plateSyntax } from './syntax.ts';
import { isCut, type Region, type TextRect } from './ppocr-math.ts';
import { detectAtScales, MIN_READABLE_WIDTH, STILL_THRESHOLD } from './proposals.ts';
import { registerReader, type KnownState, type PlateReader, type PlateResult, type ReadInput, type ReadOptions } from './reader.ts';
import {
  assignFollowed,
  assignPlaced,
  besidePlate,
  cropImage,
  CUT_MARGIN,
  dedupeResults,
  mergeWindows,
  nearestBox,
  PLACED_MIN_CONFIDENCE,
  placeLine,
  plateWindow,
  recogniserView,
  regionInputWidth,
  STILL_WINDOW_DET_SIDE,
  WINDOW_DET_SIDE,
  windowScale,
} from './windows.ts';

/**
 * `platedet-ppocr-v1`: the project's own plate detector finds plates (10 ms on a 1080p frame),
 * and the PP-OCRv4 baseline reads each one inside a window around it at full resolution.
 *
 * Why: the baseline's text detector runs over the whole frame (or the moving part of it) at up
 * to 960 px, ~100 ms per frame on one core, and it is most of a camera's recognition time.
 * platedet's boxes are good (it finds nearly every plate of eu-frames), and PP-OCR's recogniser is
 * the best single reader the project has (in a window, ahead of platerec alone). Reading a window of a plate
 * costs the text detector a few thousand pixels instead of half a million.
 *
 * `platedet-ppocr-platerec-v1` (the default) adds platerec's second opinion on each plate read
 * in a window (second-opinion.ts): the two miss different plates, and the pair reads more of them
 * than either (figures with their commands: docs/benchmarks.md, Readers: accuracy, and models/platerec/CARD.md).
 */

/**
 * The own recognisers asked for the second opinion, the first of them also for the state: the
 * committed platerec and platerec-b, the same network trained on with crops framed as loosely as
 * the detector frames real plates. Their errors differ, and their probabilities averaged read
 * more plates than either (models/platerec/CARD.md).
 */
const SECOND_OPINION_MODELS = ['platerec', 'platerec-b'];

/** Windows smaller than this are not plates anyone can read. */
const MIN_WINDOW = 12;
/** Stills up to this size are read whole when the detector finds no plate in them. */
const WHOLE_STILL_MAX_SIDE = 800;

export class DetectThenOcrReader implements PlateReader {
  private constructor(
    readonly name: string,
    private readonly det: PlateDetector,
    private readonly ocr: BaselineReader,
    /** The own recognisers' second opinion on each plate PP-OCR reads (second-opinion.ts): platerec
     * and platerec-b; none without a second opinion. */
    private readonly seconds: PlateRecognizer[],
  ) {}

  static async create(opts: { threads?: number; secondOpinion?: boolean } = {}): Promise<DetectThenOcrReader> {
    const threads = opts.threads ?? 2;
    const [det, ocr, seconds] = await Promise.all([
      PlateDetector.load({ threads }),
      BaselineReader.create({ threads }),
      Promise.all(opts.secondOpinion ? SECOND_OPINION_MODELS.map((name) => PlateRecognizer.load({ threads, name })) : []),
    ]);
    return new DetectThenOcrReader(opts.secondOpinion ? 'platedet-ppocr-platerec-v1' : 'platedet-ppocr-v1', det, ocr, seconds);
  }

  /** Reads images that are each one plate (crops from another system): the detector, trained
   * on scenes, is not asked; each crop is a window, and (with a second opinion) a plate. */
  async readPlates(images: Image[]): Promise<{ text: string; state: string | null; confidence: number }[]> {
    const reads = await this.ocr.read(
      images.map((image) => ({ image })),
      { detMaxSide: WINDOW_DET_SIDE, plateWindows: true, withSteps: this.seconds.length > 0 },
    );
    const firsts = reads.map(([best]) => ({
      text: best?.text ?? '',
      state: best?.state ?? null,
      stateConfidence: best?.stateConfidence ?? 0,
      confidence: best?.confidence ?? 0,
      ...(best?.steps ? { steps: best.steps } : {}),
    }));
    if (!this.seconds.length) return firsts;
    const [lead = [], ...alike] = await Promise.all(this.seconds.map((m) => m.read(images.map((image) => ({ image })))));
    return firsts.map((f, i) =>
      secondOpinion(f, lead[i]!, { aspect: images[i]!.width / images[i]!.height, alike: alike.map((r) => r[i]!) }),
    );
  }

  async read(inputs: ReadInput[], opts: ReadOptions = {}): Promise<PlateResult[][]> {
    // Stills (no followAt) are searched at more than one scale (proposals.ts): the standard one
    // leaves small plates of a 720p frame at the bottom of the detector's range and a close-up's
    // plate above its top; boxes too narrow to read are dropped, and weaker peaks are taken
    // (STILL_THRESHOLD). Video keeps the one standard pass, as it was: its cost is per frame and
    // camera, and a plate passes through many frames.
    const still = !opts.followAt;
    const found = await detectAtScales(
      this.det,
      inputs.map((i) => i.image),
      {
        regions: inputs.map((i) => i.region),
        inputWidths: inputs.map((i) => regionInputWidth(this.det.meta.inputWidth, i)),
        fine: still,
        coarse: still,
        ...(still ? { threshold: STILL_THRESHOLD } : {}),
        ...(still ? { minWidth: MIN_READABLE_WIDTH } : {}),
      },
    );
    const windows: { input: number; region: Region; image: Image; scale: number; plateBoxes: [number, number, number, number][] }[] = [];
    // Plates that need no window read: followed ones (text carried) and confirmed placed serials.
    const unwindowed: PlateResult[][] = inputs.map(() => []);
    const placed: {
      input: number;
      image: Image;
      box: [number, number, number, number];
      rect: TextRect;
      state: KnownState['state'];
      expect: string;
    }[] = [];
    found.forEach((list, input) => {
      const { image } = inputs[input]!;
      // Plates whose reads are out are only followed: their text is known, reading it again
      // would cost ~60 ms a frame for nothing. The serial's box keeps its size, at the new place.
      const assigned = assignFollowed(
        list.map((d) => d.box),
        opts.followAt?.[input] ?? [],
      );
      const toRead = list.filter((d, k) => {
        const f = assigned[k];
        if (!f) return !(opts.skipCutPlates && isCut(d.box, image.width, image.height, CUT_MARGIN));
        const [, , w, h] = f.box;
        const box: [number, number, number, number] = [
          Math.round(d.box[0] + d.box[2] / 2 - w / 2),
          Math.round(d.box[1] + d.box[3] / 2 - h / 2),
          w,
          h,
        ];
        unwindowed[input]!.push({
          text: f.text,
          confidence: d.score,
          box,
          rect: { cx: box[0] + w / 2, cy: box[1] + h / 2, w, h, angle: 0, score: d.score },
          state: null,
          stateConfidence: 0,
        });
        return false;
      });
      // Plates tracked with a known state and a serial placed before: read the serial where it
      // must be, without searching the window for text.
      const places = assignPlaced(
        toRead.map((d) => d.box),
        opts.stateKnownAt?.[input] ?? [],
      );
      toRead.forEach((d, k) => {
        const p = places[k];
        if (p) placed.push({ input, image, box: d.box, rect: placeLine(d.box, p.line), state: p.state, expect: p.line.text });
      });
      windows.push(
        ...this.windowsOf(
          input,
          image,
          toRead.filter((_, k) => !places[k]).map((d) => d.box),
          still,
        ),
      );
    });
    const placedReads = placed.length ? await this.ocr.readPlacedSerials(placed, PLACED_MIN_CONFIDENCE) : [];
    placedReads.forEach((r, k) => {
      const p = placed[k]!;
      if (r) unwindowed[p.input]!.push({ ...r, plateBox: p.box });
      // Not read well where it was placed: the full way after all.
      else windows.push(...this.windowsOf(p.input, p.image, [p.box]));
    });
    const out = (await this.readWindows(inputs.length, windows, opts)).map((list, i) => [...list, ...unwindowed[i]!]);
    // The detector learnt plates in scenes; in a still that is itself a plate (a crop from
    // another system, `alpr read` on it) it finds the name or slogan at best, so a small still
    // with nothing read is read again whole. Video frames (they come with followAt) are not.
    const stills = inputs.flatMap((inp, input) =>
      !out[input]!.length && !inp.region && !opts.followAt && Math.max(inp.image.width, inp.image.height) <= WHOLE_STILL_MAX_SIDE
        ? [{ input, region: { x: 0, y: 0, w: inp.image.width, h: inp.image.height }, image: inp.image }]
        : [],
    );
    if (stills.length) (await this.readWindows(inputs.length, stills, opts)).forEach((list, i) => list.length && (out[i] = list));
    return out;
  }

  /** The windows to read around these detector boxes of one input (overlapping ones as one),
   * enlarged for a still (`windowScale`; video keeps its cost per frame). */
  private windowsOf(input: number, image: Image, boxes: [number, number, number, number][], enlarge = false) {
    const out: { input: number; region: Region; image: Image; scale: number; plateBoxes: [number, number, number, number][] }[] = [];
    for (const region of mergeWindows(boxes.map((b) => plateWindow(b, image.width, image.height)))) {
      if (region.w < MIN_WINDOW || region.h < MIN_WINDOW) continue;
      const inside = boxes.filter(
        (b) =>
          b[0] + b[2] / 2 >= region.x &&
          b[0] + b[2] / 2 <= region.x + region.w &&
          b[1] + b[3] / 2 >= region.y &&
          b[1] + b[3] / 2 <= region.y + region.h,
      );
      const scale = enlarge ? windowScale(region) : 1;
      const crop =
        scale > 1
          ? resizeRegion(image, region.x, region.y, region.w, region.h, Math.round(region.w * scale), Math.round(region.h * scale))
          : cropImage(image, region);
      out.push({ input, region, image: crop, scale, plateBoxes: inside });
    }
    return out;
  }

  /** Reads each window and maps its plates back to its input's pixels. */
  private async readWindows(
    n: number,
    windows: { input: number; region: Region; image: Image; scale?: number; plateBoxes?: [number, number, number, number][] }[],
    opts: ReadOptions,
  ): Promise<PlateResult[][]> {
    const out: SteppedResult[][] = Array.from({ length: n }, () => []);
    if (!windows.length) return out;
    const stateKnownAt =
      opts.stateKnownAt &&
      windows.map((w) =>
        (opts.stateKnownAt![w.input] ?? []).map((k) => {
          const f = w.scale ?? 1;
          return {
            ...k,
            box: [(k.box[0] - w.region.x) * f, (k.box[1] - w.region.y) * f, k.box[2] * f, k.box[3] * f] as [number, number, number, number],
          };
        }),
      );
    const reads = await this.ocr.read(
      windows.map((w) => ({ image: w.image })),
      {
        detMaxSide: opts.followAt ? WINDOW_DET_SIDE : STILL_WINDOW_DET_SIDE,
        state: opts.state,
        stateKnownAt,
        plateWindows: true,
        withSteps: this.seconds.length > 0,
      },
    );
    // Plates read in a window with a detector box, for the second opinion: where in `out`, and the plate in the window.
    const plates: { input: number; at: number; image: Image; quad: PlateQuad; line: TextRect }[] = [];
    reads.forEach((list, k) => {
      const { input, region, image, scale: f = 1, plateBoxes = [] } = windows[k]!;
      for (const p of list) {
        const rect = { ...p.rect, cx: p.rect.cx / f + region.x, cy: p.rect.cy / f + region.y, w: p.rect.w / f, h: p.rect.h / f };
        const plateBox = nearestBox(plateBoxes, rect.cx, rect.cy);
        if (plateBox && besidePlate(plateBox, rect.cx, rect.cy)) continue;
        out[input]!.push({
          ...p,
          box: [p.box[0] / f + region.x, p.box[1] / f + region.y, p.box[2] / f, p.box[3] / f].map((v) => Math.round(v)) as [
            number,
            number,
            number,
            number,
          ],
          rect,
          ...(plateBox ? { plateBox } : {}),
        });
        if (plateBox) {
          const [x, y, w, h] = plateBox;
          plates.push({
            input,
            at: out[input]!.length - 1,
            image,
            quad: recogniserView([(x - region.x) * f, (y - region.y) * f, w * f, h * f], p.rect),
            line: p.rect,
          });
        }
      }
    });
    const agreed = new Set<SteppedResult>();
    if (this.seconds.length && plates.length) {
      const [lead = [], ...alike] = await Promise.all(this.seconds.map((m) => m.read(plates)));
      await this.widenCutLines(out, plates, [lead, ...alike]);
      plates.forEach((p, k) => {
        // In video the state head's guesses would be votes in the tracker every frame, against
        // names PP-OCR read (or a state the tracker settled and stopped asking for): the serial only.
        const { opinion, ...fused } = secondOpinion(out[p.input]![p.at]!, lead[k]!, {
          fillState: false,
          aspect: p.quad.w / p.quad.h,
          alike: alike.map((r) => r[k]!),
        });
        out[p.input]![p.at] = fused;
        if (opinion === 'agree') agreed.add(fused);
      });
    }
    // Per-step probabilities are the readers' working, not part of a read.
    return out.map((list) =>
      dedupeResults(
        list.map(({ steps: _, ...r }: SteppedResult) => r),
        list.map((r) => agreed.has(r)),
      ),
    );
  }

  /**
   * PP-OCR's serial lines that platerec saw past at an end (`cutShort`) where no state was read,
   * read again wider (a known state's misfits already were, in the baseline reader): the wider
   * reading replaces PP-OCR's, steps and all, where it can be a serial and is longer, so that the
   * second opinion weighs characters PP-OCR's view held.
   */
  private async widenCutLines(
    out: SteppedResult[][],
    plates: { input: number; at: number; image: Image; line: TextRect }[],
    seconds: PlateText[][],
  ): Promise<void> {
    const cut = plates.flatMap((p, k) => {
      const r = out[p.input]![p.at]!;
      const a = normalizePlate(r.text);
      return !r.state && a.length >= 3 && seconds.some((reads) => cutShort(a, normalizePlate(reads[k]!.text))) ? [{ p, r, a }] : [];
    });
    const wide = await this.ocr.readWider(cut.map(({ p }) => ({ image: p.image, rect: p.line })));
    cut.forEach(({ p, r, a }, i) => {
      const v = plateSyntax(wide[i]!.text);
      if (!v.ok || v.text.length <= a.length) return;
      out[p.input]![p.at] = {
        ...r,
        text: v.text,
        confidence: Math.min(r.confidence, wide[i]!.confidence * v.prior),
        steps: wide[i]!.steps,
      };
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.det.close(), this.ocr.close(), ...this.seconds.map((m) => m.close())]);
  }
}

registerReader('platedet-ppocr-v1', (opts) => DetectThenOcrReader.create({ threads: opts.threads ?? 2 }));
registerReader('platedet-ppocr-platerec-v1', (opts) => DetectThenOcrReader.create({ threads: opts.threads ?? 2, secondOpinion: true }));
