/**
 * Recognition's pace under load, as a pure rule. Decoder threads yield to recognition (see
 * capture/priority.ts), which keeps frame-to-read latency low while the cores have room; when
 * they do not, decoders fall behind their stream, frames arrive late and then lost, and every
 * read after is late or missing, until most passes go unread. So when a
 * camera loses frames, its recognition slows (multiplicatively, fast), and it speeds up again
 * more slowly while nothing is lost (from the bound to full pace in ~12 s at one look per 2 s): the cores go to decoding first.
 */

export interface Pace {
  /** Multiplier of the camera's recognition interval (1 = recognitionFps). */
  slowdown: number;
}

/** At most a quarter of the configured rate: 2 frames a second at the default 8 still reads a pass. */
export const MAX_SLOWDOWN = 4;

/** The next pace from the frames lost and the frames expected since the last look. */
export function nextPace(pace: Pace, lost: number, expected: number): Pace {
  if (expected <= 0) return pace;
  // A hiccup of a frame or two is noise (the stream, the network); 5 % lost is the decoder behind.
  if (lost > Math.max(2, 0.05 * expected)) return { slowdown: Math.min(MAX_SLOWDOWN, pace.slowdown * 1.5) };
  return { slowdown: Math.max(1, pace.slowdown * 0.8) };
}
