import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../contracts/index.ts';

/**
 * Tables whose parts are kept in memory, most valuable first: the plate dictionary the
 * wildcard and fuzzy searches scan, the read index by plate every plate search starts from,
 * the candidate terms, and the reads the results are fetched from.
 */
export const PINNED_SEARCH_TABLES: readonly string[] = ['plates', 'reads_by_plate', 'candidate_terms', 'reads'];

/** The helper that holds the locks (Node cannot mlock). */
export const PIN_HELPER = fileURLToPath(new URL('./pin-helper.py', import.meta.url));

export interface ActivePart {
  table: string;
  path: string;
  bytes: number;
}

/**
 * Which parts to pin and unpin so that the pinned set is the most valuable one within the
 * budget: tables in `tables` order, within a table the parts already pinned first (no churn
 * when the budget is tight), then the largest. Parts that failed to pin are left out.
 */
export function planPins(
  parts: readonly ActivePart[],
  pinned: ReadonlyMap<string, number>,
  opts: { tables: readonly string[]; maxBytes: number; failed?: ReadonlySet<string> },
): { pin: ActivePart[]; unpin: string[]; wantedBytes: number } {
  const rank = (p: ActivePart) => opts.tables.indexOf(p.table);
  const candidates = parts
    .filter((p) => rank(p) >= 0 && !opts.failed?.has(p.path))
    .sort((a, b) => rank(a) - rank(b) || Number(pinned.has(b.path)) - Number(pinned.has(a.path)) || b.bytes - a.bytes);
  const wanted = new Set<string>();
  let used = 0;
  for (const p of candidates) {
    if (used + p.bytes > opts.maxBytes) continue;
    wanted.add(p.path);
    used += p.bytes;
  }
  return {
    pin: candidates.filter((p) => wanted.has(p.path) && !pinned.has(p.path)),
    unpin: [...pinned.keys()].filter((path) => !wanted.has(path)),
    wantedBytes: parts.filter((p) => rank(p) >= 0).reduce((s, p) => s + p.bytes, 0),
  };
}

export interface PartPinnerOptions {
  client: ClickHouseClient;
  logger: Logger;
  /** Most bytes locked in memory. */
  maxBytes: number;
  tables?: readonly string[];
  /** How often the active parts are listed (merges replace them). */
  intervalMs?: number;
  /** The Python that runs the helper: Debian's, which has ctypes. */
  python?: string;
  /** After each listing of the parts (for metrics). */
  onSync?: (stats: PartPinnerStats) => void;
}

export interface PartPinnerStats {
  pinnedBytes: number;
  pinnedParts: number;
  /** Bytes of all active parts of the pinned tables: what a large enough budget would hold. */
  wantedBytes: number;
  failures: number;
  lastError: string | null;
}

export interface PartPinner {
  /**
   * The first listing and its pins done. Not awaited at start-up: from a cold disk, locking
   * gigabytes takes tens of seconds, which the core's boot need not wait for.
   */
  readonly ready: Promise<void>;
  stats(): PartPinnerStats;
  /** Lists the active parts and pins / unpins to match (also run every intervalMs). */
  sync(): Promise<void>;
  /** Releases every lock. */
  stop(): Promise<void>;
  /** The helper process holding the locks, while one runs. */
  helperPid(): number | undefined;
}

interface HelperReply {
  op: string;
  path: string;
  bytes?: number;
  error?: string;
}

/**
 * Keeps the search tables' part files locked in the page cache, following merges. Why: the
 * searches read a few hundred KiB scattered over gigabytes; when those pages have been evicted
 * each search waits on the disk. A host (a VM's especially) may reclaim idle page cache within
 * minutes even with most memory free; with the parts locked, exact searches read nothing from
 * disk and take about half as long (docs/benchmarks.md, Store).
 */
export function startPartPinner(opts: PartPinnerOptions): PartPinner {
  const tables = opts.tables ?? PINNED_SEARCH_TABLES;
  const log = opts.logger;
  const pinned = new Map<string, number>();
  const failed = new Set<string>();
  const stats = { wantedBytes: 0, failures: 0, lastError: null as string | null };
  const current = (): PartPinnerStats => ({
    ...stats,
    pinnedParts: pinned.size,
    pinnedBytes: [...pinned.values()].reduce((s, b) => s + b, 0),
  });
  let helper: ChildProcessWithoutNullStreams | null = null;
  let waiting: ((r: HelperReply) => void)[] = [];
  let stopped = false;

  const startHelper = () => {
    const child: ChildProcessWithoutNullStreams = spawn(opts.python ?? '/usr/bin/python3', [PIN_HELPER], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stderr.on('data', (d: Buffer) => log.warn('pin helper', { stderr: d.toString().trim() }));
    createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(JSON.parse(line) as HelperReply));
    // A helper that cannot start ('error', no 'exit') or that dies: the kernel released its
    // locks with it; the next sync starts another and pins again.
    const gone = (why: string) => {
      if (helper !== child) return;
      helper = null;
      pinned.clear();
      const pending = waiting;
      waiting = [];
      for (const resolve of pending) resolve({ op: 'exit', path: '', error: why });
      if (!stopped) fail(why);
    };
    child.on('error', (err) => gone(`pin helper: ${err.message}`));
    child.on('exit', (code, signal) => gone(`pin helper exited (${signal ?? code})`));
    child.stdin.on('error', () => {}); // a dead helper's pipe: reported by 'exit' or 'error'
    return child;
  };
  const fail = (msg: string) => {
    stats.failures++;
    if (stats.lastError !== msg) log.warn('search tables not (all) pinned in memory; searches may wait on the disk', { err: msg });
    stats.lastError = msg;
  };
  const send = (cmd: string, path: string) =>
    new Promise<HelperReply>((resolve) => {
      if (!helper) helper = startHelper();
      waiting.push(resolve);
      helper.stdin.write(`${cmd} ${path}\n`);
    });

  const sync = async () => {
    if (stopped) return;
    const rs = await opts.client.query({
      query: `SELECT table, path, bytes_on_disk AS bytes FROM system.parts
              WHERE active AND database = currentDatabase() AND table IN {tables:Array(String)}`,
      query_params: { tables },
      format: 'JSONEachRow',
    });
    const parts = (await rs.json<{ table: string; path: string; bytes: string }>()).map((p) => ({ ...p, bytes: Number(p.bytes) }));
    const plan = planPins(parts, pinned, { tables, maxBytes: opts.maxBytes, failed });
    stats.wantedBytes = plan.wantedBytes;
    for (const path of plan.unpin) {
      await send('unpin', path);
      pinned.delete(path);
    }
    for (const part of plan.pin) {
      if (stopped) break;
      const r = await send('pin', part.path);
      if (r.error === undefined) pinned.set(part.path, r.bytes ?? part.bytes);
      else if (r.op === 'exit')
        break; // reported by the helper's exit; the next sync starts another
      else {
        // Out of lockable memory, or the part was merged away meanwhile: not tried again while active.
        failed.add(part.path);
        fail(r.error);
      }
    }
    // Parts merged away are never listed again; forget their failures.
    const active = new Set(parts.map((p) => p.path));
    for (const path of failed) if (!active.has(path)) failed.delete(path);
    opts.onSync?.(current());
  };

  let running: Promise<void> = Promise.resolve();
  const runSync = () => (running = running.then(sync).catch((err: Error) => fail(`listing parts: ${err.message}`)));
  const ready = runSync().then(() => {
    log.info('search tables pinned in memory', {
      pinnedMiB: Math.round(current().pinnedBytes / 2 ** 20),
      ofMiB: Math.round(stats.wantedBytes / 2 ** 20),
      budgetMiB: Math.round(opts.maxBytes / 2 ** 20),
    });
  });
  const timer = setInterval(() => void runSync(), opts.intervalMs ?? 10_000);
  timer.unref();

  return {
    ready,
    stats: current,
    helperPid: () => helper?.pid,
    sync: () => runSync(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      const child = helper;
      helper = null;
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.stdin.end();
        await exited;
      }
      pinned.clear();
    },
  };
}
