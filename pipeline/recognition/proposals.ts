import type { Image } from '../render/raster.ts';
import { boxIou, type DetectedPlate, type PlateDetector } from './platedet.ts';
import type { Region } from './ppocr-math.ts';

/**
 * Plate proposals from the detector at more than one scale, and their merge.
 *
 * platedet was trained on plates 14-130 px wide in its input (models/platedet/CARD.md). At the
 * standard scale (the frame's longer side at 512 px) a 1280x720 traffic frame is shrunk 2.5x, so
 * its plates of 55-140 px become 22-56 px: at the small end of that range, where the detector
 * misses some plates and draws the boxes of others loosely (plate frame and bumper included). A
 * second, finer pass at twice the standard resolution puts those plates in the middle of the
 * range. A close-up's plate is wider than the range in the standard input, where the detector
 * finds the plate's name or part of its serial instead; a coarser pass at half the standard side
 * sees it whole. That pass proposes only such large plates (`largerPlates`): its other boxes are
 * a car's rear around a plate the finer passes found more surely, which would only widen the
 * window read around that plate. (Stills that are themselves one plate are also read whole when
 * no plate is read in them; see hybrid.ts.)
 */

/**
 * Narrowest box worth reading, in image pixels: a plate this wide has characters about 4 px wide,
 * which no reader here reads (the smallest plates a traffic camera must read are 50-60 px). The
 * finer pass finds many such specks (lamps, badges, distant text), and each costs a window read.
 */
export const MIN_READABLE_WIDTH = 32;

/** One detector pass: the input's longer side, and what it found (boxes in image pixels). */
export interface ScalePass {
  inputSide: number;
  found: DetectedPlate[];
}

/**
 * Detector peaks a still takes: 0.2, below the detector's 0.3 for video. A plate passes a video
 * camera in many frames, and one clear look at it is enough, so a frame can skip weak peaks; a
 * still is the only look. Faint or cluttered plates (a plate behind a trailer's mesh, a worn
 * one) peak at 0.2-0.3. On the Open Images plates the detector was not trained on (valid and
 * test splits, 129 plates), recall at IoU 0.5 of the still passes goes from 0.667 to 0.705 for
 * about one box more an image, one window read more.
 */
export const STILL_THRESHOLD = 0.2;

/** The widest plate the detector learnt, in input pixels. */
export const TRAINED_MAX_WIDTH = 130;
/** Detector boxes run about a fifth wider than the plate (frames, bumper), so a box up to this
 * wide in an input still holds a plate of the trained range. */
const MAX_BOX_WIDTH = Math.round(TRAINED_MAX_WIDTH * 1.2);
/** Boxes of different passes overlapping more than this are one plate. */
const SAME_PLATE_IOU = 0.5;
/** The detector's own suppression within one pass (decodeDet). */
const DETECTOR_NMS_IOU = 0.4;

/**
 * Longer sides of the inputs to run for an image (or region) whose longer side is `side`
 * pixels, given the detector's standard input side `base` (512). The standard pass first; with
 * `fine`, a finer one at up to twice it (never above the image's own resolution) where the image
 * is at least 1.75x the standard side, so that the finer pass sees plates at least that much larger;
 * with `coarse`, one at half the standard side, for plates too large for it.
 */
export function scalePlan(side: number, base: number, opts: { fine?: boolean; coarse?: boolean } = {}): number[] {
  const sides = [base];
  if (opts.fine && side >= base * 1.75) sides.push(Math.min(side, 2 * base));
  if (opts.coarse) sides.push(Math.round(base / 2));
  return sides;
}

/**
 * Merges the passes of one image into one list of plates, best first. Boxes of different passes
 * that overlap by more than half are one plate, and its box is the finer pass's (a finer pass
 * draws a small plate's box tighter) unless that box is wider than the trained range in its
 * input. Boxes that overlap less are both kept: one pass may see a whole long plate where the
 * other sees a part of it, or a loose box around plate, frame and bumper where the other sees the
 * plate; the reader reads overlapping boxes in one window, so the pair costs no second read.
 * Each plate keeps the highest score any pass gave it.
 */
export function mergePasses(passes: ScalePass[], imageSide: number): DetectedPlate[] {
  const all = passes.flatMap((p) => p.found.map((d) => ({ d, inputSide: p.inputSide })));
  all.sort((a, b) => b.d.score - a.d.score);
  const kept: { d: DetectedPlate; inputSide: number; score: number }[] = [];
  for (const c of all) {
    const same = kept.find((k) => boxIou(k.d.box, c.d.box) > (k.inputSide === c.inputSide ? DETECTOR_NMS_IOU : SAME_PLATE_IOU));
    if (!same) {
      kept.push({ ...c, score: c.d.score });
      continue;
    }
    if (same.inputSide === c.inputSide) continue;
    const fine = same.inputSide > c.inputSide ? same : c;
    const winner = (fine.d.box[2] * fine.inputSide) / imageSide <= MAX_BOX_WIDTH ? fine : same.inputSide > c.inputSide ? c : same;
    same.d = winner.d;
    same.inputSide = winner.inputSide;
  }
  return kept.map((k) => ({ box: k.d.box, score: k.score })).sort((a, b) => b.score - a.score);
}

/**
 * What a coarser pass adds: plates too wide for the standard pass (wider in its input than the
 * detector learnt), and not the surroundings of a plate a finer pass found more surely (a
 * coarse pass sees a car's rear, plate and all, as a loose plate).
 */
function largerPlates(found: DetectedPlate[], passes: ScalePass[], base: number, side: number): DetectedPlate[] {
  const finer = passes.filter((p) => p.inputSide >= base).flatMap((p) => p.found);
  return found.filter(
    (d) =>
      (d.box[2] * base) / side > TRAINED_MAX_WIDTH &&
      !finer.some((f) => f.score >= d.score && contains(d.box, f.box[0] + f.box[2] / 2, f.box[1] + f.box[3] / 2)),
  );
}

const contains = (b: [number, number, number, number], x: number, y: number) =>
  x >= b[0] && x <= b[0] + b[2] && y >= b[1] && y <= b[1] + b[3];

/**
 * Plates in each image (or region of it) from the passes `scalePlan` gives it, merged; one
 * detector call for all passes of all images (passes of one input size run as one batch).
 * `inputWidths` is each image's standard input side (default: the detector's own); `minWidth`
 * drops narrower boxes (image pixels).
 */
export async function detectAtScales(
  det: PlateDetector,
  images: Image[],
  opts: {
    regions?: (Region | undefined)[];
    inputWidths?: (number | undefined)[];
    fine?: boolean;
    coarse?: boolean;
    minWidth?: number;
    /** Heat peaks taken (default: the detector's own threshold). */
    threshold?: number;
  } = {},
): Promise<DetectedPlate[][]> {
  const runs: { image: number; inputSide: number; region?: Region }[] = [];
  images.forEach((img, i) => {
    const region = opts.regions?.[i];
    const side = region ? Math.max(region.w, region.h) : Math.max(img.width, img.height);
    const base = opts.inputWidths?.[i] ?? det.meta.inputWidth;
    for (const inputSide of scalePlan(side, base, opts)) runs.push({ image: i, inputSide, ...(region ? { region } : {}) });
  });
  const found = await det.detect(
    runs.map((r) => images[r.image]!),
    {
      regions: runs.map((r) => r.region),
      inputWidths: runs.map((r) => r.inputSide),
      ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}),
    },
  );
  return images.map((img, i) => {
    const region = opts.regions?.[i];
    const side = region ? Math.max(region.w, region.h) : Math.max(img.width, img.height);
    const base = opts.inputWidths?.[i] ?? det.meta.inputWidth;
    const own = runs.flatMap((r, k) => (r.image === i ? [{ inputSide: r.inputSide, found: found[k]! }] : []));
    const passes = own.map((p) => (p.inputSide < base ? { ...p, found: largerPlates(p.found, own, base, side) } : p));
    const merged = passes.length === 1 ? passes[0]!.found : mergePasses(passes, side);
    return opts.minWidth ? merged.filter((d) => d.box[2] >= opts.minWidth!) : merged;
  });
}
