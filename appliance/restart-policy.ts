/**
 * When to restart a crashed service, as a pure function of its crash history. Backoff
 * doubles with each crash in the window so that a service failing on a dead dependency does
 * not spin; too many crashes in the window mean something is wrong that a restart will not
 * fix, and the supervisor stops and says so.
 */
export interface RestartPolicy {
  restartInitialMs: number;
  restartMaxMs: number;
  crashWindowMs: number;
  maxCrashesInWindow: number;
}

export type RestartDecision =
  | { action: 'restart'; delayMs: number; recentCrashes: number[] }
  | { action: 'give-up'; recentCrashes: number[]; reason: string };

export function decideRestart(crashTimes: readonly number[], now: number, p: RestartPolicy): RestartDecision {
  const recentCrashes = crashTimes.filter((t) => now - t <= p.crashWindowMs);
  if (recentCrashes.length >= p.maxCrashesInWindow) {
    return {
      action: 'give-up',
      recentCrashes,
      reason: `crashed ${recentCrashes.length} times within ${Math.round(p.crashWindowMs / 1000)} s; not restarting`,
    };
  }
  const exponent = Math.max(0, recentCrashes.length - 1);
  const delayMs = Math.min(p.restartMaxMs, p.restartInitialMs * 2 ** exponent);
  return { action: 'restart', delayMs, recentCrashes };
}
