import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { DEFAULT_TIME_ZONE, zoneStamp, type Logger } from '../../contracts/index.ts';
import type { AuditFilter, AuditLog } from '../audit-log.ts';
import type { ChainEntry } from '../chain.ts';
import type { AccessEnv } from '../principal.ts';
import { accessErrorHandler } from './util.ts';
import { csvLine, valid } from '../../server/index.ts';

const filterFields = {
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional().describe('An action, or a prefix ending in * (reads.*).'),
  caseRef: z.string().max(80).optional(),
  outcome: z.enum(['ok', 'denied', 'error']).optional(),
};
const beforeTo = (q: { from?: string; to?: string }) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to);

const listQuery = z
  .strictObject({
    ...filterFields,
    afterSeq: z.coerce.number().int().min(0).optional(),
    beforeSeq: z.coerce.number().int().min(0).optional(),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(5000).default(500),
    order: z.enum(['asc', 'desc']).default('asc'),
  })
  .refine(beforeTo, { message: 'from must be before to', path: ['from'] });

/** An export is the filtered log, newest last like the chain, up to max entries. */
const exportQuery = z
  .strictObject({ ...filterFields, max: z.coerce.number().int().min(1).max(200_000).default(100_000) })
  .refine(beforeTo, { message: 'from must be before to', path: ['from'] });

/** Stored queries are JSON, unless clipped for length: then the text as stored. */
function parseQuery(q: string): unknown {
  if (!q) return null;
  try {
    return JSON.parse(q);
  } catch {
    return q;
  }
}

const toFilter = (q: z.infer<typeof exportQuery> | z.infer<typeof listQuery>): AuditFilter => ({
  ...q,
  from: q.from ? new Date(q.from) : undefined,
  to: q.to ? new Date(q.to) : undefined,
});

const CSV_COLUMNS = [
  'seq',
  'at_utc',
  'at_local',
  'actor',
  'action',
  'outcome',
  'case_ref',
  'purpose',
  'target',
  'detail',
  'ip',
  'query',
  'hash',
];

/**
 * The audit log for auditors: a filtered, paged listing (newest first for the dashboard), a CSV
 * export of the same filter and chain verification. The guard audits each, the export as an
 * export of its own (audit.export) with the filter it was given.
 */
export function auditRoutes(opts: { audit: AuditLog; logger: Logger; timeZone?: string }) {
  const zone = opts.timeZone ?? DEFAULT_TIME_ZONE;
  // The local time of an entry in the appliance's zone, with the zone's abbreviation: what the dashboard shows.
  const local = (ms: number) => zoneStamp(ms, zone);
  const csvRow = (e: ChainEntry) =>
    csvLine(
      [
        e.seq,
        new Date(e.atMs).toISOString(),
        local(e.atMs),
        e.actor,
        e.action,
        e.outcome,
        e.caseRef,
        e.purpose,
        e.target,
        e.detail,
        e.ip,
        e.query,
        e.hash,
      ],
      { numberText: 'defuse' },
    );
  const app = new Hono<AccessEnv>()
    .get('/audit', valid('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      const filter = toFilter(q);
      const [entries, total] = await Promise.all([
        opts.audit.list(filter),
        opts.audit.count({ ...filter, afterSeq: undefined, beforeSeq: undefined }),
      ]);
      return c.json({
        entries: entries.map((e) => ({ ...e, at: new Date(e.atMs).toISOString(), query: parseQuery(e.query) })),
        total,
        offset: q.offset,
        limit: q.limit,
      });
    })
    .get('/audit/export.csv', valid('query', exportQuery), async (c) => {
      const q = c.req.valid('query');
      const filter = toFilter(q);
      c.header('content-type', 'text/csv; charset=utf-8');
      c.header('content-disposition', `attachment; filename="alpr-audit-${new Date().toISOString().slice(0, 10)}.csv"`);
      c.header('cache-control', 'no-store');
      const PAGE = 5000;
      return stream(c, async (out) => {
        await out.write(`${CSV_COLUMNS.join(',')}\n`);
        let sent = 0;
        let afterSeq: number | undefined;
        // Keyset pages on seq: memory stays flat however long the log.
        for (;;) {
          const page = await opts.audit.list({ ...filter, afterSeq, limit: Math.min(PAGE, q.max - sent) });
          if (page.length) await out.write(`${page.map(csvRow).join('\n')}\n`);
          sent += page.length;
          if (page.length < PAGE || sent >= q.max) break;
          afterSeq = page[page.length - 1]!.seq;
        }
      });
    })
    .get('/audit/verify', async (c) => c.json(await opts.audit.verify()));
  app.onError(accessErrorHandler(opts.logger));
  return app;
}
