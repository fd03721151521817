/** Exponential backoff with a ceiling and ±20 % jitter (so cameras behind one failed switch do
 * not all retry in the same instant). `random` is injectable for tests. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt));
  return Math.round(Math.min(maxMs, base * (0.8 + 0.4 * random())));
}

/** Frames per second over a sliding window of recent frame times. */
export class FpsMeter {
  private readonly times: number[] = [];
  constructor(private readonly windowMs = 2000) {}

  tick(now: number): void {
    this.times.push(now);
    this.trim(now);
  }

  fps(now: number): number {
    this.trim(now);
    if (this.times.length < 2) return 0;
    const span = Math.max(now - this.times[0]!, 1);
    return Math.round(((this.times.length - 1) * 1000) / span * 10) / 10;
  }

  private trim(now: number): void {
    while (this.times.length && now - this.times[0]! > this.windowMs) this.times.shift();
  }
}
