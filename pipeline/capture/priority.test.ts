import os from 'node:os';
import { readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { lowerOtherThreads } from './priority.ts';

describe.skipIf(process.platform !== 'linux')('lowerOtherThreads', () => {
  it('raises the nice value of every thread but the main one, once', async () => {
    // A thread of our own to be lowered, beside the ones Node and vitest started.
    const w = new Worker('setInterval(() => {}, 1000)', { eval: true });
    await new Promise((r) => w.once('online', r));
    try {
      const main = os.getPriority(process.pid);
      expect(lowerOtherThreads(3)).toBeGreaterThan(0);
      const others = readdirSync('/proc/self/task')
        .map(Number)
        .filter((t) => t !== process.pid);
      for (const tid of others) {
        try {
          expect(os.getPriority(tid)).toBeGreaterThanOrEqual(Math.min(19, main + 3));
        } catch (err) {
          if (!/ESRCH/.test(String(err))) throw err; // a thread that ended meanwhile
        }
      }
      expect(os.getPriority(process.pid)).toBe(main);
      // Already lowered: nothing left to change.
      expect(lowerOtherThreads(3)).toBe(0);
    } finally {
      await w.terminate();
    }
  });
});
