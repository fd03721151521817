import { parseArgs } from 'node:util';
import os from 'node:os';

/** Parses `--name value` numeric flags with defaults; unknown flags are errors. */
export function numericFlags<T extends Record<string, number>>(argv: string[], defaults: T): T {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string' as const }])),
    strict: true,
  });
  const out = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${k} must be a non-negative number`);
    (out as Record<string, number>)[k] = n;
  }
  return out;
}

export function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

export const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Wall and CPU seconds of a synchronous piece of work. The development machine is shared, so
 * the benches report single-core throughput from the process's CPU time (what one core does)
 * beside the wall-clock figure (what it did while others ran).
 */
export function measure<T>(work: () => T): { value: T; wallS: number; cpuS: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = work();
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { value, wallS, cpuS: (c.user + c.system) / 1e6 };
}

/** The 1-minute load average and core count when a bench ran: how contended its figures are. */
export function machineLoad(): { loadAverage1m: number; cores: number } {
  return { loadAverage1m: round(os.loadavg()[0]!, 2), cores: os.availableParallelism() };
}
