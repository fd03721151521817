import { readdirSync, readFileSync } from 'node:fs';

/** User + system clock ticks of a /proc stat line (fields 14 and 15, after the command name). */
function statTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU seconds (user + system) and resident MiB of one process, from /proc. */
export function procSample(pid: number): { cpuS: number; rssMiB: number } | null {
  try {
    const ticks = statTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuS: ticks / 100, rssMiB: rss ? Number(rss[1]) / 1024 : 0 };
  } catch {
    return null;
  }
}

/**
 * CPU seconds of this process's threads, summed by thread name (digits dropped, the main
 * thread as `main`). In-process engines name their threads (chDB: `MergeMutate` for merges,
 * `ThreadPool` for query pipelines; queries called from Node run on libuv's threads, `node`),
 * so a bench can say which side of the process its CPU went to.
 */
export function threadCpuByName(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = tid === String(process.pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[0-9]+$/, '');
      out.set(name, (out.get(name) ?? 0) + statTicks(stat) / 100);
    } catch {
      // the thread ended while being read
    }
  }
  return out;
}
