import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import type { ClickHouseClient } from '@clickhouse/client';
import { US_STATES, type RetentionConfig } from '../../contracts/index.ts';
import {
  getPlateImage,
  getVehicleImage,
  PatternError,
  searchReads,
  SearchTooBroadError,
  withVehicleImage,
  type ReadSearch,
  type StoredRead,
} from '../../store/index.ts';
import { badRequest, valid } from '../validate.ts';
import { READ_CSV_COLUMNS, readCsvRow } from '../csv.ts';
import { buildCaseFile } from '../case-file.ts';

const MAX_RANGE_MS = 3 * 366 * 86_400_000;
const cameraList = /^[a-z0-9][a-z0-9_-]{0,62}(,[a-z0-9][a-z0-9_-]{0,62}){0,99}$/;
const plateText = z
  .string()
  .trim()
  .min(1)
  .max(16)
  .regex(/^[A-Za-z0-9 -]+$/, 'letters, digits, spaces and dashes only');
const numbers = (n: number, what: string) =>
  z
    .string()
    .transform((s) => s.split(',').map(Number))
    .refine((a) => a.length === n && a.every(Number.isFinite), `${n} comma-separated numbers: ${what}`);

/** Search filters, shared by the paged search and the CSV export. */
const filters = z.strictObject({
  plate: plateText.optional().describe('Exact plate.'),
  pattern: z.string().max(32).optional().describe('Partial plate: ? one character, * any run.'),
  fuzzy: plateText.optional().describe('Plate as remembered or misread: OCR confusions and one edit.'),
  maxEdits: z.enum(['0', '1']).transform(Number).optional(),
  candidates: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe("Also match the pipeline's runner-up readings."),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  camera: z.string().regex(cameraList, 'comma-separated camera ids').optional(),
  state: z.enum(US_STATES).optional(),
  bbox: numbers(4, 'south,west,north,east')
    .refine(
      (b) =>
        b[0]! <= b[2]! &&
        b[1]! <= b[3]! &&
        Math.abs(b[0]!) <= 90 &&
        Math.abs(b[2]!) <= 90 &&
        Math.abs(b[1]!) <= 180 &&
        Math.abs(b[3]!) <= 180,
      'a box inside -90..90, -180..180 with south ≤ north and west ≤ east',
    )
    .optional(),
  near: numbers(3, 'lat,lon,radius in metres')
    .refine(
      (n) => Math.abs(n[0]!) <= 90 && Math.abs(n[1]!) <= 180 && n[2]! > 0 && n[2]! <= 100_000,
      'lat -90..90, lon -180..180, radius 1..100000 m',
    )
    .optional(),
  order: z.enum(['newest', 'oldest']).default('newest'),
});

function checkFilters<T extends z.infer<typeof filters>>(q: T, ctx: z.RefinementCtx) {
  if ([q.plate, q.pattern, q.fuzzy].filter((v) => v !== undefined).length > 1) {
    ctx.addIssue({ code: 'custom', path: ['plate'], message: 'give one of plate, pattern or fuzzy' });
  }
  if (q.from && q.to && Date.parse(q.from) > Date.parse(q.to))
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must not be after to' });
  if (q.from && q.to && Date.parse(q.to) - Date.parse(q.from) > MAX_RANGE_MS) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'time range longer than the 3-year retention ceiling' });
  }
}

export const readSearchParams = filters
  .extend({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .superRefine(checkFilters);

const exportParams = filters.extend({ max: z.coerce.number().int().min(1).max(1_000_000).default(100_000) }).superRefine(checkFilters);
/** The case file with images is built whole (its SHA-256 goes in the audit entry), so it holds fewer reads than the CSV. */
const zipParams = filters.extend({ max: z.coerce.number().int().min(1).max(2000).default(500) }).superRefine(checkFilters);

function toSearch(q: z.infer<typeof filters>): Omit<ReadSearch, 'limit' | 'offset'> {
  return {
    plate: q.plate,
    pattern: q.pattern,
    fuzzy: q.fuzzy,
    maxEdits: q.maxEdits as 0 | 1 | undefined,
    candidates: q.candidates,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
    cameras: q.camera?.split(','),
    state: q.state,
    box: q.bbox ? { south: q.bbox[0]!, west: q.bbox[1]!, north: q.bbox[2]!, east: q.bbox[3]! } : undefined,
    near: q.near ? { lat: q.near[0]!, lon: q.near[1]!, radiusM: q.near[2]! } : undefined,
    order: q.order,
  };
}

const withImage = (r: StoredRead, vehicle: ReadonlySet<string>) => ({
  ...r,
  imageUrl: r.hasImage ? `/api/reads/${r.id}/image` : null,
  vehicleImageUrl: vehicle.has(r.id) ? `/api/reads/${r.id}/vehicle-image` : null,
});

/** Read search, CSV export and plate images: data routes, mounted behind the data-access guard. */
export function readsRoutes(opts: { client: ClickHouseClient; retention: RetentionConfig }) {
  const days = opts.retention.tacticalDays;
  const searchError = (err: unknown) => (err instanceof PatternError || err instanceof SearchTooBroadError ? err.message : null);
  return new Hono()
    .get('/reads', valid('query', readSearchParams), async (c) => {
      const q = c.req.valid('query');
      try {
        const reads = await searchReads(opts.client, { ...toSearch(q), limit: q.limit, offset: q.offset }, days);
        const vehicle = await withVehicleImage(
          opts.client,
          reads.map((r) => r.id),
        );
        return c.json({ reads: reads.map((r) => withImage(r, vehicle)), limit: q.limit, offset: q.offset });
      } catch (err) {
        const message = searchError(err);
        if (message) return badRequest(c, [{ param: q.pattern ? 'pattern' : 'plate', message }]);
        throw err;
      }
    })
    .get('/reads/export.csv', valid('query', exportParams), async (c) => {
      const q = c.req.valid('query');
      const search = toSearch(q);
      // The first page is fetched before the response starts, so a bad pattern is still a 400.
      const PAGE = 5000;
      let page: StoredRead[];
      try {
        page = await searchReads(opts.client, { ...search, limit: Math.min(PAGE, q.max), offset: 0 }, days);
      } catch (err) {
        const message = searchError(err);
        if (message) return badRequest(c, [{ param: 'pattern', message }]);
        throw err;
      }
      c.header('content-type', 'text/csv; charset=utf-8');
      c.header('content-disposition', `attachment; filename="alpr-reads-${new Date().toISOString().slice(0, 10)}.csv"`);
      c.header('cache-control', 'no-store');
      return stream(c, async (out) => {
        await out.write(READ_CSV_COLUMNS.join(',') + '\n');
        let sent = 0;
        // Keyset pagination: memory stays flat however large the export, on either store backend.
        while (page.length) {
          await out.write(page.map((r) => readCsvRow(r)).join('\n') + '\n');
          sent += page.length;
          const last = page[page.length - 1]!;
          if (page.length < PAGE || sent >= q.max) break;
          page = await searchReads(
            opts.client,
            {
              ...search,
              limit: Math.min(PAGE, q.max - sent),
              offset: 0,
              after: { capturedAtMs: Date.parse(last.capturedAt), id: last.id },
            },
            days,
          );
        }
      });
    })
    .get('/reads/export.zip', valid('query', zipParams), async (c) => {
      const q = c.req.valid('query');
      let reads: StoredRead[];
      try {
        reads = await searchReads(opts.client, { ...toSearch(q), limit: q.max + 1, offset: 0 }, days);
      } catch (err) {
        const message = searchError(err);
        if (message) return badRequest(c, [{ param: 'pattern', message }]);
        throw err;
      }
      // The guard admitted this request under a case (access/rules.ts) and audits it as an export.
      const gated = c.get('caseContext' as never) as { caseRef: string; purpose: string } | undefined;
      const exportedBy = (c.get('principal' as never) as { username: string } | undefined)?.username ?? 'local';
      const file = await buildCaseFile({
        caseRef: gated?.caseRef ?? '',
        purpose: gated?.purpose ?? '',
        exportedBy,
        exportedAt: new Date(),
        search: c.req.query(),
        reads: reads.slice(0, q.max),
        truncated: reads.length > q.max,
        image: async (id) => {
          const jpeg = await getPlateImage(opts.client, id, days);
          return jpeg ? new Uint8Array(jpeg) : null;
        },
        vehicleImages: {
          has: await withVehicleImage(
            opts.client,
            reads.map((r) => r.id),
          ),
          get: async (id) => {
            const jpeg = await getVehicleImage(opts.client, id, days);
            return jpeg ? new Uint8Array(jpeg) : null;
          },
        },
      });
      const images = file.manifest.files.length - 1;
      c.set(
        'auditDetail' as never,
        `case file: ${file.manifest.reads.length} reads, ${images} images, zip SHA-256 ${file.sha256}` as never,
      );
      const name = `alpr-case-${(gated?.caseRef ?? 'export').replace(/[^A-Za-z0-9_-]/g, '_')}-${new Date().toISOString().slice(0, 10)}.zip`;
      return c.body(file.zip as Uint8Array<ArrayBuffer>, 200, {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="${name}"`,
        'cache-control': 'no-store',
        'x-alpr-sha256': file.sha256,
      });
    })
    .get('/reads/:id/image', valid('param', z.object({ id: z.uuid() })), async (c) => {
      const jpeg = await getPlateImage(opts.client, c.req.valid('param').id, days);
      if (!jpeg) return c.json({ error: 'no image for this read (none taken, or purged)' }, 404);
      return c.body(new Uint8Array(jpeg), 200, { 'content-type': 'image/jpeg', 'cache-control': 'private, no-store' });
    })
    .get('/reads/:id/vehicle-image', valid('param', z.object({ id: z.uuid() })), async (c) => {
      const jpeg = await getVehicleImage(opts.client, c.req.valid('param').id, days);
      if (!jpeg) return c.json({ error: 'no vehicle image for this read (not stored by this agency, or purged)' }, 404);
      return c.body(new Uint8Array(jpeg), 200, { 'content-type': 'image/jpeg', 'cache-control': 'private, no-store' });
    });
}
