/**
 * How much a hit is worth, 0..1, as a pure function of how it matched. The order it encodes:
 * an exact read beats one that needed the OCR confusion classes, which beats an edit; the
 * pipeline's best text beats a runner-up candidate; a wildcard (partial plate) is weakest.
 * A hit on a plate of another state ranks lower (the same characters on another state's plate
 * are another vehicle), an unknown state a little lower (guidelines 5d: verify the state).
 */
export type StateMatch = 'same' | 'unknown' | 'different';

export interface HitShape {
  wildcard: boolean;
  /** Edits beyond the confusion classes (0 or 1). */
  distance: number;
  /** Whether the true characters differ within confusion classes (0 for O …). */
  confusion: boolean;
  /** The text was a runner-up candidate, with this confidence. */
  candidate: { confidence: number } | null;
  stateMatch: StateMatch;
}

export function scoreHit(h: HitShape): number {
  let s = h.wildcard ? 0.6 : h.distance === 0 ? (h.confusion ? 0.9 : 1) : h.confusion ? 0.7 : 0.75;
  if (h.candidate) s *= 0.75 + 0.2 * Math.min(1, Math.max(0, h.candidate.confidence));
  s *= h.stateMatch === 'same' ? 1 : h.stateMatch === 'unknown' ? 0.9 : 0.6;
  return Math.round(s * 1000) / 1000;
}

export function stateMatch(readState: string | null, recordState: string | null): StateMatch {
  if (!readState || !recordState) return 'unknown';
  return readState === recordState ? 'same' : 'different';
}
