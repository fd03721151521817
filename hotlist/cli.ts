import { createReadStream, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { AlprConfig } from '../contracts/index.ts';

/**
 * `alpr hotlist import FILE --source S`: uploads an extract to the running appliance's API
 * (the core owns the store), with a progress bar: upload, then the core's own progress.
 * It authenticates with a service account's API token (ALPR_API_TOKEN), so the import is
 * audited under that account like any other.
 */
export interface HotlistCliCommand {
  usage: string;
  summary: string;
  help: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  run(values: Record<string, unknown>, positionals: string[], config: AlprConfig): Promise<number>;
}

export function progressBar(fraction: number, width = 30, label = ''): string {
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${String(Math.floor(f * 100)).padStart(3)}% ${label}`;
}

const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;

export const hotlistCommands: Record<string, HotlistCliCommand> = {
  'hotlist import': {
    usage: 'alpr hotlist import FILE --source NAME [--url URL] [--extracted-at ISO]',
    summary: 'import a hotlist (extract) file into the running appliance, with progress',
    help: `Uploads FILE (CSV or JSON lines, as the source's format and field mapping say; see hotlist/README.md)
to the running appliance, which parses it, stores it as a new version and switches matching to it
at once, or keeps the old version if the file is refused. Malformed lines are listed with their
line numbers; a file that is mostly malformed is refused whole.
Options:
  --source NAME        hotlist source (hotlists.sources in the configuration: ncic, fcic, dhsmv, agency …)
  --url URL            API base (default: the configured server, e.g. http://127.0.0.1:8080)
  --extracted-at ISO   when the extract was produced (default: the file's modification time)
  --config FILE        appliance configuration
Environment: ALPR_API_TOKEN, the API token of a service account allowed to import hotlists.
Exit status: 0 imported (or unchanged), 1 refused or failed, 2 usage.`,
    options: { source: { type: 'string' }, url: { type: 'string' }, 'extracted-at': { type: 'string' } },
    async run(values, positionals, config) {
      const file = positionals[0];
      const source = values.source as string | undefined;
      if (!file || !source || positionals.length > 1) {
        console.error('usage: alpr hotlist import FILE --source NAME');
        return 2;
      }
      let size: number;
      let mtime: Date;
      try {
        const st = statSync(file);
        if (!st.isFile()) throw new Error('not a regular file');
        size = st.size;
        mtime = st.mtime;
      } catch (err) {
        console.error(`cannot read ${file}: ${(err as Error).message}`);
        return 1;
      }
      const base =
        (values.url as string | undefined) ?? `${config.server.tls ? 'https' : 'http'}://${config.server.host}:${config.server.port}`;
      const token = process.env.ALPR_API_TOKEN;
      const importId = randomUUID();
      const extractedAt = (values['extracted-at'] as string | undefined) ?? mtime.toISOString();
      const qs = new URLSearchParams({ source, filename: path.basename(file).slice(0, 200), importId, extractedAt });
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-length': String(size) };
      if (token) headers.authorization = `Bearer ${token}`;

      let sent = 0;
      let serverPercent = 0;
      const tty = process.stderr.isTTY;
      const draw = () => {
        const line = progressBar(Math.max(sent / Math.max(1, size), serverPercent / 100), 30, `${mb(sent)} / ${mb(size)}`);
        if (tty) process.stderr.write(`\r${line}`);
      };
      const stream = createReadStream(file, { highWaterMark: 1 << 20 });
      stream.on('data', (c) => {
        sent += c.length;
        draw();
      });
      const poll = setInterval(async () => {
        try {
          const r = await fetch(`${base}/api/hotlists/imports/${importId}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
          if (r.ok) serverPercent = ((await r.json()) as { percent: number }).percent;
          draw();
        } catch {
          // progress is a nicety; the upload's answer is what counts
        }
      }, 500);
      let res: Response;
      try {
        res = await fetch(`${base}/api/hotlists?${qs}`, {
          method: 'POST',
          headers,
          body: Readable.toWeb(stream) as never,
          duplex: 'half',
        } as RequestInit);
      } catch (err) {
        clearInterval(poll);
        console.error(`\ncannot reach the appliance at ${base}: ${(err as Error).message}`);
        return 1;
      }
      clearInterval(poll);
      const body = (await res.json().catch(() => ({}))) as {
        state?: string;
        versionId?: string;
        records?: number;
        badLines?: number;
        error?: string | null;
        summary?: { problems: { line: number; reason: string }[] } | null;
      };
      if (tty) process.stderr.write(`\r${progressBar(1, 30, `${mb(size)} / ${mb(size)}`)}\n`);
      if (!res.ok && !body.state) {
        console.error(`import refused (HTTP ${res.status}): ${body.error ?? 'no reason given'}`);
        return 1;
      }
      console.log(`${body.state}: version ${body.versionId}, ${body.records ?? 0} records, ${body.badLines ?? 0} malformed lines`);
      for (const p of body.summary?.problems.slice(0, 20) ?? []) console.log(`  line ${p.line}: ${p.reason}`);
      if ((body.summary?.problems.length ?? 0) > 20) console.log(`  … ${body.summary!.problems.length - 20} more`);
      if (body.error) console.error(body.error);
      return body.state === 'done' || body.state === 'unchanged' ? 0 : 1;
    },
  },
};
