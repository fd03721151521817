import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { isUsState, normalizePlate, refusePii, type Logger } from '../contracts/index.ts';
import type { AccessEnv, AccessRule } from '../access/index.ts';
import { textField, valid } from '../server/index.ts';
import { RecordError, toRecord, type HotlistRecord } from './record.ts';
import { UnknownSourceError, type HotlistService } from './service.ts';
import { activeVersions, countRecords, listRecords, listVersions, type StoredRecord } from './versions.ts';

/** Access rules for these routes (the extract is CJI: admins and extract-feed service accounts only). */
export const hotlistRules: Record<string, AccessRule> = {
  'GET /api/hotlists/imports/:importId': { anyOf: ['hotlist.import'], action: 'hotlist.import.progress', audit: false },
  'GET /api/hotlists/versions/:versionId/records': { anyOf: ['hotlist.import'], action: 'hotlist.view' },
  'GET /api/hotlists/:source/entries': { anyOf: ['hotlist.import'], action: 'hotlist.view' },
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
/** A state of issue as the reads carry it (contracts' US_STATES): anything else is refused with the reason, never changed. */
const stateCode = z
  .string()
  .trim()
  .toUpperCase()
  .refine((s) => s === '' || isUsState(s), { error: (i) => `"${String(i.input)}" is not a US state code (two letters: FL, GA, DC…)` })
  .transform((s) => s || null);
const entryBody = z.strictObject({
  plate: textField(16),
  state: stateCode.nullable().default(null),
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
const entriesQuery = z.strictObject({
  plate: z.string().max(16).optional().describe('Part of a plate (spaces and dashes ignored).'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});

const actor = (c: Context<AccessEnv>) => c.get('principal')?.username ?? 'local';
const describeEntry = (r: Pick<StoredRecord, 'plate' | 'state' | 'recordId'>) =>
  `${r.plate} (${r.state ?? 'any state'}, record ${r.recordId})`;

/** Refused before any version is made: the reason goes back to the caller as a 400 or 404. */
class EditRefused extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409,
  ) {
    super(message);
  }
}

export function hotlistRoutes(opts: { client: ClickHouseClient; hotlists: HotlistService; logger: Logger }) {
  const { client, hotlists } = opts;
  // One hand edit of a list at a time: each reads the active records, checks against them and
  // writes the next version, so two adds of the same plate cannot both pass the duplicate check.
  const editing = new Map<string, Promise<unknown>>();

  function agencySource(source: string) {
    const src = hotlists.sources.get(source);
    if (!src) throw new EditRefused(`unknown hotlist source "${source}"`, 404);
    if (src.kind !== 'agency') throw new EditRefused(`"${source}" is an extract; only agency lists are edited by hand`, 409);
    return src;
  }

  /**
   * A new version of an agency list: its active records changed by `edit`, each kept record
   * with who added it, when and why; `detail` (what changed and why) goes on the version.
   */
  async function editAgencyList(
    c: Context<AccessEnv>,
    source: string,
    edit: (current: StoredRecord[]) => { next: StoredRecord[]; detail: string },
  ) {
    agencySource(source);
    const prior = editing.get(source) ?? Promise.resolve();
    const run = prior
      .catch(() => {})
      .then(async () => {
        const active = (await activeVersions(client)).find((v) => v.source === source);
        const current = active ? await listRecords(client, active.versionId, { limit: 100_000, offset: 0 }) : [];
        // Records kept before added-at was (migration 150) were added no later than their version.
        const since = active ? Date.parse(active.importedAt) : null;
        const { next, detail } = edit(current.map((r) => ({ ...r, createdAt: r.createdAt ?? since })));
        const header = 'plate,state,record_id,category,ori,entered_at,expires_at,priority,notes,created_by,reason';
        const meta = new Map(next.map((r) => [r.recordId, { createdBy: r.createdBy, createdAt: r.createdAt, reason: r.reason }]));
        return hotlists.import({
          source,
          filename: 'manual edit',
          origin: 'manual',
          actor: actor(c),
          detail,
          data: [new TextEncoder().encode([header, ...next.map((r) => compiledLineCsv(r, r.createdBy, r.reason))].join('\n') + '\n')],
          annotate: (r) => meta.get(r.recordId) ?? { createdBy: actor(c), createdAt: Date.now(), reason: '' },
        });
      });
    editing.set(source, run);
    try {
      return await run;
    } finally {
      if (editing.get(source) === run) editing.delete(source);
    }
  }

  const refused = (c: Context, err: unknown) => {
    if (err instanceof EditRefused) return c.json({ error: err.message }, err.status);
    throw err;
  };

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
    .get('/hotlists/:source/entries', valid('query', entriesQuery), async (c) => {
      const q = c.req.valid('query');
      const source = c.req.param('source');
      if (!hotlists.sources.has(source)) return c.json({ error: `unknown hotlist source "${source}"` }, 404);
      c.set('auditTarget', `hotlist:${source}`);
      const version = (await activeVersions(client)).find((v) => v.source === source) ?? null;
      const contains = q.plate ? normalizePlate(q.plate) : undefined;
      const filter = { contains: contains || undefined };
      const [entries, total] = version
        ? await Promise.all([
            listRecords(client, version.versionId, { ...filter, limit: q.limit, offset: q.offset }),
            countRecords(client, version.versionId, filter),
          ])
        : [[], 0];
      const since = version ? Date.parse(version.importedAt) : null;
      return c.json({
        source,
        version,
        total,
        limit: q.limit,
        offset: q.offset,
        entries: entries.map((r) => ({
          ...r,
          // Records stored before added-at was kept: added no later than their version's import.
          addedAt: new Date(r.createdAt ?? since ?? 0).toISOString(),
        })),
      });
    })
    .post('/hotlists/:source/entries', valid('json', entryBody), async (c) => {
      const e = c.req.valid('json');
      let rec: HotlistRecord;
      try {
        rec = toRecord({
          plate: e.plate,
          state: e.state ?? undefined,
          category: e.category,
          recordId: e.recordId ?? `AG-${Date.now().toString(36).toUpperCase()}${randomBytes(2).toString('hex').toUpperCase()}`,
          expiresAt: e.expiresAt,
          priority: e.priority?.toString(),
          notes: e.notes,
          enteredAt: new Date().toISOString(),
        });
      } catch (err) {
        if (err instanceof RecordError) return c.json({ error: err.message }, 400);
        throw err;
      }
      const source = c.req.param('source');
      c.set('auditTarget', `hotlist:${source}`);
      try {
        const job = await editAgencyList(c, source, (current) => {
          const same = current.find((r) => r.plate === rec.plate && (r.state ?? null) === (rec.state ?? null));
          if (same)
            throw new EditRefused(
              `${rec.plate} (${rec.state ?? 'any state'}) is already on "${source}": record ${same.recordId}, added by ${same.createdBy || 'an import'}` +
                (same.createdAt ? ` on ${new Date(same.createdAt).toISOString().slice(0, 10)}` : ''),
              400,
            );
          if (current.some((r) => r.recordId === rec.recordId))
            throw new EditRefused(`record id ${rec.recordId} is already used on "${source}"`, 400);
          const added: StoredRecord = { ...rec, line: 0, createdBy: actor(c), createdAt: Date.now(), reason: e.reason };
          return { next: [...current, added], detail: `added ${describeEntry(added)}: ${e.reason}` };
        });
        c.set('auditDetail', `${job.state}: added ${describeEntry(rec)} in ${job.versionId}`);
        return c.json({ ...job, entry: { recordId: rec.recordId, plate: rec.plate, state: rec.state } }, job.state === 'done' ? 200 : 422);
      } catch (err) {
        return refused(c, err);
      }
    })
    .post('/hotlists/:source/entries/remove', valid('json', removeBody), async (c) => {
      const body = c.req.valid('json');
      const source = c.req.param('source');
      c.set('auditTarget', `hotlist:${source}`);
      try {
        const job = await editAgencyList(c, source, (current) => {
          const gone = current.find((r) => r.recordId === body.recordId);
          if (!gone) throw new EditRefused(`no record "${body.recordId}" in the list`, 404);
          return { next: current.filter((r) => r !== gone), detail: `removed ${describeEntry(gone)}: ${body.reason}` };
        });
        c.set('auditDetail', `${job.state}: removed ${body.recordId} in ${job.versionId}`);
        return c.json(job, job.state === 'done' ? 200 : 422);
      } catch (err) {
        return refused(c, err);
      }
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
