import { describe, expect, it } from 'vitest';
import { decideRestart } from './restart-policy.ts';

const policy = { restartInitialMs: 500, restartMaxMs: 4000, crashWindowMs: 60_000, maxCrashesInWindow: 5 };

describe('restart policy', () => {
  it('backs off exponentially up to the ceiling', () => {
    const now = 1_000_000;
    const delays = [1, 2, 3, 4].map((n) => {
      const d = decideRestart(
        Array.from({ length: n }, (_, i) => now - i * 10),
        now,
        { ...policy, maxCrashesInWindow: 10 },
      );
      return d.action === 'restart' ? d.delayMs : -1;
    });
    expect(delays).toEqual([500, 1000, 2000, 4000]);
    const d = decideRestart(
      Array.from({ length: 8 }, () => now),
      now,
      { ...policy, maxCrashesInWindow: 10 },
    );
    expect(d).toMatchObject({ action: 'restart', delayMs: 4000 });
  });

  it('gives up after too many crashes inside the window', () => {
    const now = 1_000_000;
    const d = decideRestart([now - 50_000, now - 40_000, now - 30_000, now - 20_000, now], now, policy);
    expect(d.action).toBe('give-up');
  });

  it('forgets crashes that fell out of the window', () => {
    const now = 1_000_000;
    const d = decideRestart([now - 600_000, now - 500_000, now - 400_000, now - 300_000, now], now, policy);
    expect(d).toMatchObject({ action: 'restart', delayMs: 500, recentCrashes: [now] });
  });
});
