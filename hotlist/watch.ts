import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../contracts/index.ts';
import type { HotlistService } from './service.ts';

/**
 * Scheduled reload from a watched folder: <dir>/<source>/<file>. A file is taken once it has
 * stopped changing (same size and time over two scans, so a copy in progress is left alone),
 * imported, and moved to done/ or refused/ beside a .report.json with the line problems.
 * Names starting with "." or ending in .part/.tmp are never taken.
 */
export function startHotlistWatch(opts: { dir: string; hotlists: HotlistService; intervalMs: number; logger: Logger }) {
  const { dir, hotlists, logger } = opts;
  const seen = new Map<string, string>();
  let running = false;

  async function scan(): Promise<number> {
    if (running) return 0;
    running = true;
    let imported = 0;
    try {
      for (const src of hotlists.sources.values()) {
        if (!src.watch) continue;
        const folder = path.join(dir, src.name);
        await mkdir(folder, { recursive: true });
        for (const name of await readdir(folder)) {
          if (name.startsWith('.') || /\.(part|tmp)$/i.test(name)) continue;
          const file = path.join(folder, name);
          const st = await stat(file).catch(() => null);
          if (!st?.isFile()) continue;
          const sig = `${st.size}:${st.mtimeMs}`;
          if (seen.get(file) !== sig) {
            seen.set(file, sig);
            continue; // settle for one more scan
          }
          seen.delete(file);
          const job = await hotlists.import({
            source: src.name,
            filename: name,
            origin: 'watch',
            actor: 'system:watch',
            totalBytes: st.size,
            extractedAt: st.mtime,
            data: createReadStream(file, { highWaterMark: 1 << 20 }),
          });
          const outcome = job.state === 'done' || job.state === 'unchanged' ? 'done' : 'refused';
          await mkdir(path.join(folder, outcome), { recursive: true });
          const stamp = new Date().toISOString().replace(/[:.]/g, '-');
          await rename(file, path.join(folder, outcome, `${stamp}-${name}`));
          await writeFile(path.join(folder, outcome, `${stamp}-${name}.report.json`), JSON.stringify(job, null, 2));
          (outcome === 'done' ? logger.info : logger.error).call(logger, 'watched hotlist file processed', {
            source: src.name,
            file: name,
            state: job.state,
            records: job.records,
            badLines: job.badLines,
            error: job.error,
          });
          imported++;
        }
      }
    } catch (err) {
      logger.error('hotlist folder scan failed', { err: err as Error, dir });
    } finally {
      running = false;
    }
    return imported;
  }

  const timer = setInterval(() => void scan(), opts.intervalMs);
  timer.unref();
  return { scan, stop: () => clearInterval(timer) };
}
