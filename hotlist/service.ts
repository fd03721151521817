import { createHash, randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { AuditSink, HotlistSourceConfig, HotlistsConfig, Logger } from '../contracts/index.ts';
import { createCompiledWriter, putActiveVersion, type HotlistBuckets } from '../contracts/index.ts';
import { HotlistFormatError, mappingFor } from './mappings.ts';
import { createHotlistParser, HotlistRefusedError, type ParseSummary } from './parse.ts';
import type { HotlistRecord } from './record.ts';
import { getVersion, insertRecords, listVersions, purgeRecords, putVersion, type HotlistVersion, type StoredRecord } from './versions.ts';

/**
 * Imports in the core: parse (streaming), store the records, compile, publish the compiled
 * object, point the matcher at it, supersede and purge the old version. The pointer is the
 * last step, so until it is written the matcher keeps the old version whole; an import that
 * fails anywhere before leaves the old version active and records why. One import per source
 * at a time (a queue per source), so two uploads cannot race to the pointer.
 */
export class UnknownSourceError extends Error {
  override readonly name = 'UnknownSourceError';
}
export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
}

export type ImportState = 'parsing' | 'publishing' | 'done' | 'unchanged' | 'refused' | 'failed';

export interface ImportJob {
  importId: string;
  versionId: string;
  source: string;
  state: ImportState;
  percent: number;
  bytesRead: number;
  totalBytes: number | null;
  records: number;
  badLines: number;
  summary: ParseSummary | null;
  error: string | null;
}

export interface ImportRequest {
  source: string;
  filename: string;
  origin: HotlistVersion['origin'];
  actor: string;
  data: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  totalBytes?: number | null;
  /** When the extract was produced (file time); defaults to now. */
  extractedAt?: Date;
  importId?: string;
  /** For agency lists edited by hand: who added each record, when (ms) and why. */
  annotate?: (r: HotlistRecord) => { createdBy: string; createdAt: number | null; reason: string };
  /** What the version changes and why (a hand edit: the entry added or removed, and the reason). */
  detail?: string;
}

export interface HotlistServiceOptions {
  client: ClickHouseClient;
  buckets: HotlistBuckets;
  config: HotlistsConfig;
  logger: Logger;
  audit?: AuditSink;
  /** Called once a version is active, with the one it replaced (historical hits start here). */
  onActivated?: (v: HotlistVersion, previous: HotlistVersion | null) => Promise<void> | void;
  clock?: () => Date;
}

const BATCH = 20_000;

export function createHotlistService(opts: HotlistServiceOptions) {
  const { client, buckets, logger } = opts;
  const clock = opts.clock ?? (() => new Date());
  const sources = new Map(opts.config.sources.map((s) => [s.name, s]));
  const jobs = new Map<string, ImportJob>();
  const queues = new Map<string, Promise<unknown>>();

  function source(name: string): HotlistSourceConfig {
    const s = sources.get(name);
    if (!s) throw new UnknownSourceError(`unknown hotlist source "${name}"; configured: ${[...sources.keys()].join(', ')}`);
    return s;
  }

  async function currentActive(name: string): Promise<HotlistVersion | null> {
    return (await listVersions(client, name, 50)).find((v) => v.status === 'active') ?? null;
  }

  async function run(req: ImportRequest, job: ImportJob): Promise<ImportJob> {
    const src = source(req.source);
    const now = clock();
    const base: HotlistVersion = {
      versionId: job.versionId,
      source: src.name,
      status: 'importing',
      origin: req.origin,
      filename: req.filename.slice(0, 200),
      checksum: '',
      bytes: 0,
      recordCount: 0,
      lines: 0,
      badLines: 0,
      problems: [],
      importedBy: req.actor,
      importedAt: now.toISOString(),
      extractedAt: (req.extractedAt ?? now).toISOString(),
      changedAt: now.toISOString(),
      detail: req.detail?.slice(0, 1000) ?? '',
    };
    await putVersion(client, base);
    const compiled = createCompiledWriter();
    let batch: StoredRecord[] = [];
    const parser = createHotlistParser({
      format: src.format,
      mapping: mappingFor(src),
      maxBadFraction: opts.config.maxBadLineFraction,
      // A hand edit may remove an agency list's last entry; an upload of no records is refused.
      allowEmpty: req.origin === 'manual',
      onRecord: (r, line) => {
        batch.push({ ...r, line, ...(req.annotate?.(r) ?? { createdBy: req.actor, createdAt: now.getTime(), reason: '' }) });
        compiled.add(r);
      },
    });
    let summary: ParseSummary;
    try {
      for await (const chunk of req.data) {
        job.bytesRead += chunk.length;
        if (job.bytesRead > opts.config.maxFileBytes) throw new FileTooLargeError(`file larger than ${opts.config.maxFileBytes} bytes`);
        parser.push(chunk);
        if (batch.length >= BATCH) {
          const b = batch;
          batch = [];
          await insertRecords(client, job.versionId, src.name, b);
        }
        if (job.totalBytes) job.percent = Math.min(90, Math.floor((job.bytesRead / job.totalBytes) * 90));
      }
      summary = parser.end();
      await insertRecords(client, job.versionId, src.name, batch);
    } catch (err) {
      const refused = err instanceof HotlistRefusedError || err instanceof HotlistFormatError || err instanceof FileTooLargeError;
      const s = err instanceof HotlistRefusedError ? err.summary : null;
      job.state = refused ? 'refused' : 'failed';
      job.summary = s;
      job.error = (err as Error).message;
      await putVersion(client, {
        ...base,
        status: job.state,
        lines: s?.lines ?? 0,
        badLines: s?.bad ?? 0,
        problems: s?.problems ?? [],
        bytes: job.bytesRead,
        checksum: s?.checksum ?? '',
        changedAt: clock().toISOString(),
        detail: job.error,
      });
      await purgeRecords(client, job.versionId);
      return job;
    }
    job.summary = summary;
    job.records = summary.records;
    job.badLines = summary.bad;
    job.state = 'publishing';
    job.percent = 92;

    const previous = await currentActive(src.name);
    const done: HotlistVersion = {
      ...base,
      checksum: summary.checksum,
      bytes: summary.bytes,
      recordCount: summary.records,
      lines: summary.lines,
      badLines: summary.bad,
      problems: summary.problems,
    };
    if (previous && previous.checksum === summary.checksum && req.origin !== 'manual') {
      // The same extract again (a watched folder re-delivering a file): keep the active one.
      await putVersion(client, {
        ...done,
        status: 'superseded',
        changedAt: clock().toISOString(),
        detail: `unchanged: same checksum as ${previous.versionId}`,
      });
      await purgeRecords(client, job.versionId);
      job.state = 'unchanged';
      job.percent = 100;
      return job;
    }
    const blob = await compiled.finish();
    const object = `${src.name}/${job.versionId}`;
    await buckets.os.putBlob({ name: object }, blob);
    const activatedAt = clock();
    await putActiveVersion(buckets.kv, {
      source: src.name,
      versionId: job.versionId,
      object,
      sha256: createHash('sha256').update(blob).digest('hex'),
      recordCount: summary.records,
      extractedAt: done.extractedAt,
      activatedAt: activatedAt.toISOString(),
    });
    const active: HotlistVersion = { ...done, status: 'active', changedAt: activatedAt.toISOString() };
    await putVersion(client, active);
    if (previous) {
      await putVersion(client, {
        ...previous,
        status: 'superseded',
        changedAt: clock().toISOString(),
        detail: `superseded by ${job.versionId}; records purged`,
      });
    }
    logger.info('hotlist version active', { source: src.name, version: job.versionId, records: summary.records, badLines: summary.bad });
    // Before the previous version's records are purged: the historical hits are those of the
    // plates it did not list, and with its records gone every plate of the list would look new
    // (a hand edit of one entry searched, and raised, the whole list again).
    try {
      await opts.onActivated?.(active, previous);
    } catch (err) {
      logger.error('after-activation step failed', { err: err as Error, version: job.versionId });
    }
    if (previous) {
      await purgeRecords(client, previous.versionId);
      await buckets.os
        .delete(`${src.name}/${previous.versionId}`)
        .catch((err: Error) => logger.warn('could not delete superseded object', { err, version: previous.versionId }));
    }
    job.state = 'done';
    job.percent = 100;
    return job;
  }

  return {
    sources,
    source,
    job: (importId: string) => jobs.get(importId),
    /** Starts an import (queued behind any running one for the source) and resolves when it ends. */
    async import(req: ImportRequest): Promise<ImportJob> {
      source(req.source);
      const importId = req.importId ?? randomUUID();
      const job: ImportJob = {
        importId,
        versionId: `${req.source}-${clock().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`,
        source: req.source,
        state: 'parsing',
        percent: 0,
        bytesRead: 0,
        totalBytes: req.totalBytes ?? null,
        records: 0,
        badLines: 0,
        summary: null,
        error: null,
      };
      jobs.set(importId, job);
      if (jobs.size > 200) jobs.delete(jobs.keys().next().value!);
      const prior = queues.get(req.source) ?? Promise.resolve();
      const next = prior.catch(() => {}).then(() => run(req, job));
      queues.set(req.source, next);
      try {
        return await next;
      } catch (err) {
        job.state = 'failed';
        job.error = (err as Error).message;
        logger.error('hotlist import failed', { err: err as Error, source: req.source });
        return job;
      } finally {
        await opts.audit
          ?.append({
            actor: req.actor,
            action: 'hotlist.import',
            target: job.versionId,
            query: { source: req.source, filename: req.filename, origin: req.origin },
            outcome: job.state === 'failed' ? 'error' : job.state === 'refused' ? 'denied' : 'ok',
            detail: job.error ?? `${job.state}: ${job.records} records, ${job.badLines} bad lines`,
          })
          .catch((err: Error) => logger.error('audit append failed for hotlist import', { err }));
      }
    },
    getVersion: (id: string) => getVersion(client, id),
  };
}

export type HotlistService = ReturnType<typeof createHotlistService>;
