import { normalizePlate } from '../../contracts/index.ts';
import { resizeRegion, type Image } from '../render/raster.ts';
import { BaselineReader, type SteppedResult } from './baseline.ts';
import { suppress } from './own.ts';
import { PlateDetector } from './platedet.ts';
import { PlateRecognizer, type PlateQuad, type PlateText } from './platerec.ts';
import { cutShort, secondOpinion } from './second-opinion.ts';
import { plateSyntax } from './syntax.ts';
import { isCut, type Region, type TextRect } from './ppocr-math.ts';
import { detectAtScales, MIN_READABLE_WIDTH, STILL_THRESHOLD } from './proposals.ts';
import {
  registerReader,
  type FollowedPlate,
  type KnownState,
  type PlacedLine,
  type PlateReader,
  type PlateResult,
  type ReadInput,
  type ReadOptions,
} from './reader.ts';

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

/** The window read around a detected plate: room for the state name above and below the
 * serial and for a lone character the detector left outside the box (baseline's widening). */
export function plateWindow(box: [number, number, number, number], width: number, height: number): Region {
  const [x, y, w, h] = box;
  const mx = Math.max(w * 0.4, h * 0.6),
    my = h * 0.6;
  const x0 = Math.max(0, Math.floor(x - mx)),
    y0 = Math.max(0, Math.floor(y - my));
  const x1 = Math.min(width, Math.ceil(x + w + mx)),
    y1 = Math.min(height, Math.ceil(y + h + my));
  return { x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
}

/** Copies a region of an image into an image of its own (grey or RGB, as the source). */
export function cropImage(img: Image, r: Region): Image {
  const ch = img.channels;
  const data = new Uint8Array(r.w * r.h * ch);
  for (let y = 0; y < r.h; y++) {
    const src = ((r.y + y) * img.width + r.x) * ch;
    data.set(img.data.subarray(src, src + r.w * ch), y * r.w * ch);
  }
  return { width: r.w, height: r.h, channels: ch, data };
}

/** A merged window may hold at most this much more area than the two windows it replaces. */
const MERGE_MAX_GROWTH = 1.3;

/** Windows that overlap are read as one: the detector sometimes splits a long plate in two,
 * and each half alone reads as a shorter serial; and passes at two scales box one plate twice.
 * Only windows one inside the other, or of like height side by side whose union adds little
 * area: windows of a sign's or a plate frame's words chained corner to corner, or a badge beside
 * the plate, grew into one window of most of a vehicle's back, where the plate, shrunk to the
 * window detector's input, was no longer found, or lines beside it on its row were joined to
 * its serial. */
export function mergeWindows(regions: Region[]): Region[] {
  const out = regions.map((r) => ({ ...r }));
  for (let merged = true; merged; ) {
    merged = false;
    for (let i = 0; i < out.length && !merged; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i]!,
          b = out[j]!;
        const iw = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x),
          ih = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
        if (iw > 0 && ih > 0) {
          const x = Math.min(a.x, b.x),
            y = Math.min(a.y, b.y);
          const union = { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
          const nested = iw * ih >= 0.8 * Math.min(a.w * a.h, b.w * b.h);
          const sameRow =
            Math.min(a.h, b.h) >= 0.6 * Math.max(a.h, b.h) && union.w * union.h <= MERGE_MAX_GROWTH * (a.w * a.h + b.w * b.h - iw * ih);
          if (!nested && !sameRow) continue;
          out[i] = union;
          out.splice(j, 1);
          merged = true;
          break;
        }
      }
    }
  }
  return out;
}

/**
 * Keeps the best of results whose centres fall inside one another's box (windows of plates
 * close together overlap, and both may read the same serial), most confident first. A read both
 * recognisers agreed on (`agreed`, by index) is the best before any they did not: two windows of
 * one plate frame its serial differently, and the tighter may cut a character's side off (U read
 * as L) while PP-OCR stays as sure as of the whole one; where platerec reads it otherwise too,
 * the other window's read is the better one.
 */
export function dedupeResults(results: PlateResult[], agreed: boolean[] = []): PlateResult[] {
  const boxed = results.map((r, i) => ({
    r,
    input: 0,
    // Confidences are at most 1: an agreed read ranks above every other.
    score: r.confidence + (agreed[i] ? 1 : 0),
    quad: { cx: r.box[0] + r.box[2] / 2, cy: r.box[1] + r.box[3] / 2, w: r.box[2], h: r.box[3], angle: 0 },
  }));
  return suppress(boxed)
    .map((b) => b.r)
    .sort((a, b) => b.confidence - a.confidence);
}

/**
 * How far from where a followed plate was expected a detection may be and still be it, in the
 * plate's widths and heights. A wider reach (0.8 and 2.5) saves re-reads when looks are far apart
 * and the expected place is off by a few plate widths, but under load it brings duplicate reads: a
 * nearby plate taken for a followed one goes unseen and is read again later. This reach does not.
 */
const FOLLOW_REACH: Reach = { w: 0.6, h: 1.2 };

/**
 * How far a placed serial's plate may be from where it was last read, both ways in the plate's
 * widths: as far as the tracker matches a sighting to a track. Wider than following because a
 * placed serial is read, and taken only when it reads as the track's text: a wrong pairing costs
 * one placed read (~10 ms), not a wrong plate. With the reach of following, a plate's second
 * sighting is never placed once looks come more than ~250 ms apart (the track has no velocity
 * yet, and a passing plate moves 2-7 of its heights between such looks), and an unplaced read
 * costs several times a placed one.
 */
export const PLACED_REACH: Reach = { w: 2.5, h: 2.5, inWidths: true };

/** A box around a plate's expected centre, in its widths and heights (or only its widths: then
 * distances inside it are measured in widths both ways too). */
export interface Reach {
  w: number;
  h: number;
  inWidths?: boolean;
}

/** Distance of a detection from a followed plate's expected place, in plate sizes, or null when
 * out of reach. */
function followDistance(box: [number, number, number, number], f: { box: [number, number, number, number] }, reach: Reach): number | null {
  const [x, y, w, h] = f.box;
  const dx = box[0] + box[2] / 2 - (x + w / 2),
    dy = box[1] + box[3] / 2 - (y + h / 2);
  const sy = reach.inWidths ? w : h;
  if (Math.abs(dx) >= reach.w * w || Math.abs(dy) >= reach.h * sy) return null;
  return Math.hypot(dx / w, dy / sy);
}

/**
 * Matches detections to followed plates, nearest pairs first: each followed plate is one
 * detection at most. Per detection: the followed plate it is, or `undefined`: a plate to read
 * (a second box near a followed plate is read too; dropping it could hide a plate beside it).
 */
export function assignFollowed<F extends { box: [number, number, number, number] } = FollowedPlate>(
  boxes: [number, number, number, number][],
  follows: F[],
  reach: Reach = FOLLOW_REACH,
): (F | undefined)[] {
  const pairs: { d: number; det: number; f: number }[] = [];
  boxes.forEach((b, det) =>
    follows.forEach((f, fi) => {
      const d = followDistance(b, f, reach);
      if (d !== null) pairs.push({ d, det, f: fi });
    }),
  );
  pairs.sort((a, b) => a.d - b.d);
  const out: (F | undefined)[] = boxes.map(() => undefined);
  const taken = new Set<number>();
  for (const p of pairs) {
    if (out[p.det] !== undefined) continue;
    if (!taken.has(p.f)) {
      taken.add(p.f);
      out[p.det] = follows[p.f]!;
    }
  }
  return out;
}

/**
 * Where a tracked plate's serial is on the plate's new box: the same place and size relative to
 * the box as when it was last read (a plate seen from a fixed camera changes scale and place
 * between frames, hardly its layout).
 */
export function placeLine(box: [number, number, number, number], line: PlacedLine): TextRect {
  const [px, py, pw, ph] = line.plateBox;
  const sx = box[2] / Math.max(pw, 1),
    sy = box[3] / Math.max(ph, 1);
  return {
    cx: box[0] + box[2] / 2 + (line.rect.cx - (px + pw / 2)) * sx,
    cy: box[1] + box[3] / 2 + (line.rect.cy - (py + ph / 2)) * sy,
    w: line.rect.w * sx,
    h: line.rect.h * sy,
    angle: line.rect.angle,
    score: line.rect.score,
  };
}

/** The box whose centre is nearest a point (the detection a serial read in a window came from). */
function nearestBox(boxes: [number, number, number, number][], x: number, y: number): [number, number, number, number] | undefined {
  let best: [number, number, number, number] | undefined,
    bestD = Infinity;
  for (const b of boxes) {
    const d = Math.hypot(b[0] + b[2] / 2 - x, b[1] + b[3] / 2 - y);
    if (d < bestD) [best, bestD] = [b, d];
  }
  return best;
}

/**
 * Whether a serial read in a plate's window stands beside the plate rather than on it: its centre
 * more than half the plate box's width or height outside the box. The window's margin is there for
 * the state name and a character the box left out; a line whose middle lies that far out is other
 * text (a phone number painted on a van, a dealer's name), and the detector found no plate there.
 */
export function besidePlate(box: [number, number, number, number], cx: number, cy: number): boolean {
  const [x, y, w, h] = box;
  return Math.max(x - cx, cx - (x + w)) > w / 2 || Math.max(y - cy, cy - (y + h)) > h / 2;
}

/** Least confidence a placed serial must read at to be taken without the full read. */
const PLACED_MIN_CONFIDENCE = 0.8;

/**
 * Per detection: the tracked plate with a known state and a placed serial it is (nearest pairs
 * first, within `PLACED_REACH` of where the plate is expected), or undefined.
 */
function assignPlaced(
  boxes: [number, number, number, number][],
  known: KnownState[],
): ({ box: [number, number, number, number]; state: KnownState['state']; line: PlacedLine } | undefined)[] {
  return assignFollowed(
    boxes,
    known.flatMap((k) => (k.line ? [{ box: k.line.plateBox, state: k.state, line: k.line }] : [])),
    PLACED_REACH,
  );
}

/** A detector box that reaches the frame's edge is a plate cut by it. Read then, it reads as a
 * partial serial ("GNZ310" for "GNZ7316", as the plate enters at the top), which the
 * tracker drops anyway: ~100 ms of a core for nothing. 0, not a few pixels: detector boxes are
 * looser than the serial's, and with 3 a parked plate near the frame's edge is hardly ever read,
 * its track never lasts, and it is read twice. */
const CUT_MARGIN = 0;

/**
 * The detector's input for a region, at the scale it sees the whole frame at: its input width
 * across the frame's longer side, the setting it was trained and evaluated at (eu-frames recall
 * 0.99). Scaled to the region's own longer side instead, a region half the frame's width was
 * searched at twice the resolution, for four times the pixels: most of a camera's recognition
 * time between reads went there (the moving vehicle's region is ~1100 px of a 1920 px frame).
 */
export function regionInputWidth(inputWidth: number, input: ReadInput): number {
  const { image, region } = input;
  if (!region) return inputWidth;
  return Math.max(32, Math.round((inputWidth * Math.max(region.w, region.h)) / Math.max(image.width, image.height)));
}

/** Longer side the text detector sees a video frame's window at: a plate's serial stays 20-40 px high. */
const WINDOW_DET_SIDE = 320;
/**
 * Longer side the text detector sees a still's window at. Larger than video's: the window is
 * enlarged to it (`windowScale`), so a plate's serial is ~50 px high there, where PP-OCR's
 * detector finds it whole more often than at 320 (its first character, a serial beside a frame's
 * print); it costs ~40% more detection per window, once per still rather than every frame.
 */
const STILL_WINDOW_DET_SIDE = 416;
/** A still's window is enlarged up to this many times to reach STILL_WINDOW_DET_SIDE. */
const WINDOW_MAX_UPSCALE = 3;

/**
 * How much to enlarge a still's window before reading it: to STILL_WINDOW_DET_SIDE across its
 * longer side, at most WINDOW_MAX_UPSCALE times, never shrunk here (the text detector shrinks
 * larger ones). The text detector does not upscale, and a 60-90 px plate of a 720p frame has a
 * serial 12-20 px high: too small for it to find, or found without its first character.
 * Enlarged, every plate is read at about the same size, whatever its distance.
 */
export function windowScale(region: Region): number {
  return Math.min(WINDOW_MAX_UPSCALE, Math.max(1, STILL_WINDOW_DET_SIDE / Math.max(region.w, region.h, 1)));
}

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
            quad: { cx: (x - region.x + w / 2) * f, cy: (y - region.y + h / 2) * f, w: w * f, h: h * f, angle: 0 },
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
    const cut = plates.filter((p, k) => {
      const r = out[p.input]![p.at]!;
      const a = normalizePlate(r.text);
      return !r.state && a.length >= 3 && seconds.some((reads) => cutShort(a, normalizePlate(reads[k]!.text)));
    });
    const wide = await this.ocr.readWider(cut.map((p) => ({ image: p.image, rect: p.line })));
    cut.forEach((p, i) => {
      const r = out[p.input]![p.at]!;
      const v = plateSyntax(wide[i]!.text);
      if (!v.ok || v.text.length <= normalizePlate(r.text).length) return;
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
