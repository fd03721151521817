import { Hono } from 'hono';
import { z } from 'zod';
import type { Logger } from '../../contracts/index.ts';
import type { AuditLog } from '../audit-log.ts';
import type { AccessEnv } from '../principal.ts';
import { accessErrorHandler } from './util.ts';
import { valid } from '../../server/index.ts';

const listQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  caseRef: z.string().max(80).optional(),
  outcome: z.enum(['ok', 'denied', 'error']).optional(),
  afterSeq: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

/** Stored queries are JSON, unless clipped for length: then the text as stored. */
function parseQuery(q: string): unknown {
  if (!q) return null;
  try {
    return JSON.parse(q);
  } catch {
    return q;
  }
}

/** The audit log for auditors: filtered listing and chain verification (both audited by the guard). */
export function auditRoutes(opts: { audit: AuditLog; logger: Logger }) {
  const app = new Hono<AccessEnv>()
    .get('/audit', valid('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      const entries = await opts.audit.list({ ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined });
      return c.json({ entries: entries.map((e) => ({ ...e, at: new Date(e.atMs).toISOString(), query: parseQuery(e.query) })) });
    })
    .get('/audit/verify', async (c) => c.json(await opts.audit.verify()));
  app.onError(accessErrorHandler(opts.logger));
  return app;
}
