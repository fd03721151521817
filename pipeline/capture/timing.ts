/** Exponential backoff with a ceiling and ±20 % jitter (so cameras behind one failed switch do
 * not all retry in the same instant). `random` is injectable for tests. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt));
  return Math.round(Math.min(maxMs, base * (0.8 + 0.4 * random())));
}

/** Frames per second over a sliding window of recent (time, frames) samples. Counts may come in
 * batches: a rate-limited capture learns how many frames were decoded from its limiter's counter. */
export class FpsMeter {
  private readonly samples: { t: number; n: number }[] = [];
  constructor(private readonly windowMs = 2000) {}

  tick(now: number, frames = 1): void {
    this.samples.push({ t: now, n: frames });
    this.trim(now);
  }

  fps(now: number): number {
    this.trim(now);
    if (this.samples.length < 2) return 0;
    const span = Math.max(now - this.samples[0]!.t, 1);
    // The first sample's frames were decoded before the window opened.
    let frames = 0;
    for (let i = 1; i < this.samples.length; i++) frames += this.samples[i]!.n;
    return Math.round(((frames * 1000) / span) * 10) / 10;
  }

  private trim(now: number): void {
    while (this.samples.length && now - this.samples[0]!.t > this.windowMs) this.samples.shift();
  }
}
