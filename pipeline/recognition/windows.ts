import type { Image } from '../render/raster.ts';
import { suppress } from './own.ts';
import type { Region, TextRect } from './ppocr-math.ts';
import type { PlateQuad } from './platerec.ts';
import { SECOND_MAX_ASPECT } from './second-opinion.ts';
import type { FollowedPlate, KnownState, PlacedLine, PlateResult, ReadInput } from './reader.ts';

/**
 * The geometry of reading plates in windows (hybrid.ts): the window around a detector box, windows
 * merged, reads of one plate deduplicated, followed and placed plates told from new ones, and the
 * scale a window is read at. Pure functions of boxes and regions.
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
export function nearestBox(boxes: [number, number, number, number][], x: number, y: number): [number, number, number, number] | undefined {
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
export const PLACED_MIN_CONFIDENCE = 0.8;

/**
 * Per detection: the tracked plate with a known state and a placed serial it is (nearest pairs
 * first, within `PLACED_REACH` of where the plate is expected), or undefined.
 */
export function assignPlaced(
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
export const CUT_MARGIN = 0;

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
export const WINDOW_DET_SIDE = 320;
/**
 * Longer side the text detector sees a still's window at. Larger than video's: the window is
 * enlarged to it (`windowScale`), so a plate's serial is ~50 px high there, where PP-OCR's
 * detector finds it whole more often than at 320 (its first character, a serial beside a frame's
 * print); it costs ~40% more detection per window, once per still rather than every frame.
 */
export const STILL_WINDOW_DET_SIDE = 416;
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

/** A serial spans about this share of a US plate's width. */
const SERIAL_SHARE_OF_PLATE = 0.8;
/** A serial line narrower than this share of a wide detector box: the box holds more than the plate. */
const NARROW_IN_BOX = 0.6;

/**
 * The view of a plate the own recognisers read (in the window's pixels): the detector's box, or,
 * where that box is wider than the plates they learnt (`SECOND_MAX_ASPECT`) and PP-OCR's serial
 * line fills little of it, a 2:1 plate around the line. Such a box holds a plate frame or the
 * bumper beside the plate; squeezed into the recogniser's input, its serial was unreadable, and
 * its read was not weighed at all. A wide box that the line fills is a one-line plate of
 * elsewhere (a European one): it keeps its box, and the recognisers' read stays unweighed.
 */
export function recogniserView(box: [number, number, number, number], line: TextRect): PlateQuad {
  const [x, y, w, h] = box;
  if (w / h <= SECOND_MAX_ASPECT || line.w >= NARROW_IN_BOX * w) return { cx: x + w / 2, cy: y + h / 2, w, h, angle: 0 };
  const pw = line.w / SERIAL_SHARE_OF_PLATE;
  return { cx: line.cx, cy: line.cy, w: pw, h: pw / 2, angle: line.angle };
}
