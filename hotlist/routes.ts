import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { refusePii, type Logger } from '../contracts/index.ts';
import type { AccessEnv, AccessRule } from '../access/index.ts';
import { textField, valid } from '../server/index.ts';
import { RecordError, toRecord } from './record.ts';
import { UnknownSourceError, type HotlistService } from './service.ts';
import { activeVersions, listRecords, listVersions } from './versions.ts';

/** Access rules for these routes (the extract is CJI: admins and extract-feed service accounts only). */
export const hotlistRules: Record<string, AccessRule> = {
  'GET /api/hotlists/imports/:importId': { anyOf: ['hotlist.import'], action: 'hotlist.import.progress', audit: false },
  'GET /api/hotlists/versions/:versionId/records': { anyOf: ['hotlist.import'], action: 'hotlist.view' },
  'POST /api/hotlists/:source/entries': { anyOf: ['hotlist.import'], action: 'hotlist.entry.add', auditBody: true },
  'POST /api/hotlists/:source/entries/remove': { anyOf: ['hotlist.import'], action: 'hotlist.entry.remove', auditBody: true },
};

const importQuery = z.strictObject({
  source: z.string().min(1).max(32),
  filename: z
    .string()
    .max(200)
    .regex(/^[^\p{Cc}]*$/u)
    .default('upload'),
  extractedAt: z.iso.datetime({ offset: true }).optional(),
  importId: z.uuid().optional(),
});
const entryBody = z.strictObject({
  plate: textField(16),
  state: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .nullable()
    .default(null),
  category: textField(40).default('agency_list'),
  /** Why the entry is made: free text kept with the record, so no identifiers either. */
  reason: textField(500).superRefine(refusePii()),
  expiresAt: z.iso.date().describe('Agency entries always expire (YYYY-MM-DD).'),
  recordId: textField(40).optional(),
  priority: z.number().int().min(1).max(9).optional(),
  notes: textField(500).superRefine(refusePii()).optional(),
});
const removeBody = z.strictObject({ recordId: textField(40), reason: textField(500).superRefine(refusePii()) });
const recordsQuery = z.strictObject({
  plate: z.string().max(16).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const actor = (c: Context<AccessEnv>) => c.get('principal')?.username ?? 'local';

export function hotlistRoutes(opts: { client: ClickHouseClient; hotlists: HotlistService; logger: Logger }) {
  const { client, hotlists } = opts;

  /** A new version of an agency list: the active records with one added or removed. */
  async function editAgencyList(c: Context<AccessEnv>, source: string, reason: string, edit: (lines: string[]) => string[] | string) {
    const src = hotlists.sources.get(source);
    if (!src) return c.json({ error: `unknown hotlist source "${source}"` }, 404);
    if (src.kind !== 'agency') return c.json({ error: `"${source}" is an extract; only agency lists are edited by hand` }, 409);
    const active = (await activeVersions(client)).find((v) => v.source === source);
    const current = active ? await listRecords(client, active.versionId, { limit: 100_000, offset: 0 }) : [];
    const header = 'plate,state,record_id,category,ori,entered_at,expires_at,priority,notes,created_by,reason';
    const lines = current.map((r) => compiledLineCsv(r, r.createdBy, r.reason));
    const next = edit(lines);
    if (typeof next === 'string') return c.json({ error: next }, 404);
    const meta = new Map(current.map((r) => [r.recordId, { createdBy: r.createdBy, reason: r.reason }]));
    const job = await hotlists.import({
      source,
      filename: 'manual edit',
      origin: 'manual',
      actor: actor(c),
      data: [new TextEncoder().encode([header, ...next].join('\n') + '\n')],
      annotate: (r) => meta.get(r.recordId) ?? { createdBy: actor(c), reason },
    });
    return c.json(job, job.state === 'done' ? 200 : 422);
  }

  return new Hono<AccessEnv>()
    .get('/hotlists', async (c) =>
      c.json({
        sources: [...hotlists.sources.values()],
        versions: await listVersions(client, undefined, 200),
      }),
    )
    .post('/hotlists', valid('query', importQuery), async (c) => {
      const q = c.req.valid('query');
      if (!c.req.raw.body) return c.json({ error: 'send the file as the request body' }, 400);
      const length = Number(c.req.header('content-length') ?? NaN);
      c.set('auditTarget', `hotlist:${q.source}`);
      try {
        const job = await hotlists.import({
          source: q.source,
          filename: q.filename,
          origin: 'upload',
          actor: actor(c),
          importId: q.importId,
          extractedAt: q.extractedAt ? new Date(q.extractedAt) : undefined,
          totalBytes: Number.isFinite(length) ? length : null,
          data: Readable.fromWeb(c.req.raw.body as never) as AsyncIterable<Uint8Array>,
        });
        c.set('auditDetail', `${job.state}: ${job.versionId}, ${job.records} records, ${job.badLines} bad lines`);
        return c.json(job, job.state === 'done' || job.state === 'unchanged' ? 200 : job.state === 'refused' ? 422 : 500);
      } catch (err) {
        if (err instanceof UnknownSourceError) return c.json({ error: err.message }, 404);
        throw err;
      }
    })
    .get('/hotlists/imports/:importId', (c) => {
      const job = hotlists.job(c.req.param('importId'));
      return job ? c.json(job) : c.json({ error: 'no such import' }, 404);
    })
    .get('/hotlists/versions/:versionId/records', valid('query', recordsQuery), async (c) => {
      const q = c.req.valid('query');
      const versionId = c.req.param('versionId');
      c.set('auditTarget', versionId);
      const version = await hotlists.getVersion(versionId);
      if (!version) return c.json({ error: 'no such version' }, 404);
      return c.json({ version, records: await listRecords(client, versionId, q) });
    })
    .post('/hotlists/:source/entries', valid('json', entryBody), async (c) => {
      const e = c.req.valid('json');
      let rec;
      try {
        rec = toRecord({
          plate: e.plate,
          state: e.state ?? undefined,
          category: e.category,
          recordId: e.recordId ?? `AG-${Date.now().toString(36).toUpperCase()}`,
          expiresAt: e.expiresAt,
          priority: e.priority?.toString(),
          notes: e.notes,
          enteredAt: new Date().toISOString(),
        });
      } catch (err) {
        if (err instanceof RecordError) return c.json({ error: err.message }, 400);
        throw err;
      }
      return editAgencyList(c, c.req.param('source'), e.reason, (lines) => [...lines, compiledLineCsv(rec, actor(c), e.reason)]);
    })
    .post('/hotlists/:source/entries/remove', valid('json', removeBody), async (c) => {
      const body = c.req.valid('json');
      return editAgencyList(c, c.req.param('source'), body.reason, (lines) => {
        const kept = lines.filter((l) => !l.includes(`,"${body.recordId.replace(/"/g, '""')}",`));
        return kept.length === lines.length ? `no record "${body.recordId}" in the list` : kept;
      });
    });
}

/** One record as a line of the agency list's CSV (header in editAgencyList), with who added it and why. */
function compiledLineCsv(
  r: Pick<
    ReturnType<typeof toRecord>,
    'plate' | 'state' | 'recordId' | 'category' | 'ori' | 'enteredAt' | 'expiresAt' | 'priority' | 'notes'
  >,
  by: string,
  reason: string,
): string {
  const q = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;
  return [
    r.plate,
    r.state,
    r.recordId,
    r.category,
    r.ori,
    r.enteredAt ? new Date(r.enteredAt).toISOString() : '',
    r.expiresAt ? new Date(r.expiresAt).toISOString().slice(0, 10) : '',
    r.priority,
    r.notes,
    by,
    reason,
  ]
    .map(q)
    .join(',');
}
