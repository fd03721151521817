import { isCut } from '../recognition/ppocr-math.ts';
import type { Box, Observation } from './tracker.ts';

/**
 * Frame-level clean-up before tracking. A plate cut by the frame edge reads as a shorter
 * serial ("54077M" for "654077M") that would win the vote early; a serial split in two by
 * detection gives a fragment beside the whole. Both are dropped here.
 */
export function usableObservations<R>(obs: Observation<R>[], frameW: number, frameH: number, marginPx = 2): Observation<R>[] {
  const inside = obs.filter(({ box }) => !isCut(box, frameW, frameH, marginPx));
  const keep: Observation<R>[] = [];
  const weight = (o: Observation<R>) => o.text.length * o.confidence;
  for (const o of [...inside].sort((a, b) => weight(b) - weight(a))) {
    if (!keep.some((k) => overlaps(k.box, o.box))) keep.push(o);
  }
  return keep;
}

/** Same line of text: rows overlap by half the smaller height and the boxes touch or nearly so. */
function overlaps(a: Box, b: Box): boolean {
  const iy = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  const gapX = Math.max(a[0], b[0]) - Math.min(a[0] + a[2], b[0] + b[2]);
  return iy > 0.5 * Math.min(a[3], b[3]) && gapX < 0.5 * Math.min(a[3], b[3]);
}
