import { readdirSync } from 'node:fs';
import os from 'node:os';

/**
 * Decoding yields the cores to recognition. GStreamer decodes each camera in threads of the
 * worker's own process; on a box where decoders take most of the cores, recognition on the
 * main thread would wait for them, and a plate frame's work would take several times its CPU
 * time in wall time (frame → read latency). Decoders run to a steady frame rate with slack, recognition comes in
 * bursts when plates pass, so the decoder threads get a higher nice value than the main thread.
 *
 * Linux keeps a nice value per thread, and raising one needs no privilege. Threads are found in
 * /proc/self/task; GStreamer creates them when a stream starts, so this runs on each (re)connect.
 * Returns how many threads were changed; 0 where /proc is missing (not Linux).
 */
export function lowerOtherThreads(by: number, mainTid = process.pid): number {
  let tids: number[];
  try {
    tids = readdirSync('/proc/self/task')
      .map(Number)
      .filter((t) => Number.isInteger(t) && t !== mainTid);
  } catch {
    return 0;
  }
  const target = Math.min(19, os.getPriority(mainTid) + by);
  let changed = 0;
  for (const tid of tids) {
    try {
      if (os.getPriority(tid) < target) {
        os.setPriority(tid, target);
        changed++;
      }
    } catch {
      // A thread that ended in between.
    }
  }
  return changed;
}
