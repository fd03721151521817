import { Hono } from 'hono';
import { z } from 'zod';
import type { ClickHouseClient } from '@clickhouse/client';
import { getPlateImage, searchReads } from '../../store/index.ts';
import { badRequest } from '../validate.ts';

const MAX_RANGE_MS = 3 * 366 * 86_400_000;

export const readSearchParams = z
  .strictObject({
    plate: z.string().trim().min(1).max(16).regex(/^[A-Za-z0-9 -]+$/, 'letters, digits, spaces and dashes only').optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    camera: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}(,[a-z0-9][a-z0-9_-]{0,62})*$/, 'comma-separated camera ids')
      .optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: 'from must not be after to', path: ['from'] })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= MAX_RANGE_MS, {
    message: 'time range longer than the 3-year retention ceiling',
    path: ['to'],
  });

/** Read search and plate images: data routes, mounted behind the data-access guard. */
export function readsRoutes(opts: { client: ClickHouseClient }) {
  return new Hono()
    .get('/reads', async (c) => {
      const parsed = readSearchParams.safeParse(c.req.query());
      if (!parsed.success) return badRequest(c, parsed.error);
      const q = parsed.data;
      const reads = await searchReads(opts.client, {
        plate: q.plate,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        cameras: q.camera?.split(','),
        limit: q.limit,
        offset: q.offset,
      });
      return c.json({
        reads: reads.map((r) => ({ ...r, imageUrl: r.hasImage ? `/api/reads/${r.id}/image` : null })),
        limit: q.limit,
        offset: q.offset,
      });
    })
    .get('/reads/:id/image', async (c) => {
      const id = z.uuid().safeParse(c.req.param('id'));
      if (!id.success) return badRequest(c, id.error);
      const jpeg = await getPlateImage(opts.client, id.data);
      if (!jpeg) return c.json({ error: 'no image for this read (none taken, or purged)' }, 404);
      return c.body(new Uint8Array(jpeg), 200, { 'content-type': 'image/jpeg', 'cache-control': 'private, no-store' });
    });
}
