import type { ClickHouseClient } from '@clickhouse/client';
import { Hono } from 'hono';
import { z } from 'zod';
import { normalizePlate, refusePii, type Logger } from '../../contracts/index.ts';
import { caseHistory, caseRefSchema, getCase, listCases, putCase } from '../cases.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { AccessEnv } from '../principal.ts';
import { accessErrorHandler, smallBodyOn } from './util.ts';
import { valid } from '../../server/index.ts';

const plate = z
  .string()
  .trim()
  .min(1)
  .max(16)
  .regex(/^[A-Za-z0-9 -]+$/, 'letters, digits, spaces and dashes')
  .transform(normalizePlate);
/**
 * A title names the case, never a person: no identifiers, and no full date either (a date in a
 * title is as often a birth date as the offence's; the registry keeps when the case was opened).
 */
const title = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}]*$/u, 'no control characters')
  .superRefine(refusePii({ anyDate: true }));
const openBody = z.strictObject({
  caseRef: caseRefSchema.superRefine(refusePii()),
  title,
  activeIntel: z.boolean().default(true),
  plates: z.array(plate).max(100).default([]),
});
const updateBody = z.strictObject({
  caseRef: caseRefSchema,
  status: z.enum(['open', 'closed']).optional(),
  activeIntel: z.boolean().optional(),
  plates: z.array(plate).max(100).optional(),
  reason: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .regex(/^[^\p{Cc}]*$/u, 'no control characters')
    .superRefine(refusePii()),
});

/** The case registry: open, close, flag (active intelligence), list with history. */
export function caseRoutes(opts: { client: ClickHouseClient; logger: Logger; clock?: () => Date }) {
  const { client } = opts;
  const clock = opts.clock ?? (() => new Date());
  const app = new Hono<AccessEnv>()
    .use('*', smallBodyOn('/cases'))
    .get('/cases', valid('query', z.object({ caseRef: z.string().optional() })), async (c) => {
      const ref = c.req.valid('query').caseRef;
      if (ref !== undefined) {
        const parsed = caseRefSchema.safeParse(ref);
        const rec = parsed.success ? await getCase(client, parsed.data) : null;
        if (!rec) throw new NotFoundError('no such case');
        return c.json({ case: rec, history: await caseHistory(client, rec.caseRef) });
      }
      return c.json({ cases: await listCases(client) });
    })
    .post('/cases', valid('json', openBody), async (c) => {
      const body = c.req.valid('json');
      c.set('auditTarget', body.caseRef);
      c.set('auditBody', body);
      if (await getCase(client, body.caseRef)) throw new ConflictError(`case "${body.caseRef}" is already registered`);
      const by = c.get('principal').username;
      const now = clock();
      const rec = await putCase(
        client,
        {
          caseRef: body.caseRef,
          title: body.title,
          status: 'open',
          activeIntel: body.activeIntel,
          plates: body.plates,
          openedBy: by,
          openedAt: now.toISOString(),
          changedBy: by,
          change: 'opened',
        },
        now,
      );
      return c.json({ case: rec }, 201);
    })
    .post('/cases/update', valid('json', updateBody), async (c) => {
      const body = c.req.valid('json');
      c.set('auditTarget', body.caseRef);
      c.set('auditBody', body);
      const rec = await getCase(client, body.caseRef);
      if (!rec) throw new NotFoundError('no such case');
      const changes = [
        body.status && body.status !== rec.status ? (body.status === 'closed' ? 'closed' : 'reopened') : null,
        body.activeIntel !== undefined && body.activeIntel !== rec.activeIntel
          ? `active intelligence ${body.activeIntel ? 'set' : 'cleared'}`
          : null,
        body.plates ? 'plates updated' : null,
      ].filter(Boolean);
      if (changes.length === 0) throw new ConflictError('nothing to change');
      const next = await putCase(
        client,
        {
          ...rec,
          status: body.status ?? rec.status,
          activeIntel: body.activeIntel ?? rec.activeIntel,
          plates: body.plates ?? rec.plates,
          changedBy: c.get('principal').username,
          change: `${changes.join(', ')}: ${body.reason}`,
        },
        clock(),
      );
      return c.json({ case: next });
    });
  app.onError(accessErrorHandler(opts.logger));
  return app;
}
