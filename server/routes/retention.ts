import { Hono } from 'hono';
import { z } from 'zod';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger, RetentionConfig } from '../../contracts/index.ts';
import { caseHolds, holdReads, releaseCaseHolds, retentionReport, runRetention } from '../../store/index.ts';
import { badRequest, problemsOf, valid } from '../validate.ts';

/** Looks a case up in the case registry: its key when it is open, null otherwise. */
export type ResolveOpenCase = (caseRef: string) => Promise<{ caseKey: string } | null>;

const holdBody = z.strictObject({
  caseRef: z.string().trim().min(2).max(80),
  readIds: z.array(z.uuid()).min(1).max(10_000),
});
const caseRef = z.string().trim().min(2).max(80);
const releaseBody = z.strictObject({ caseRef });
const holdsQuery = z.object({ caseRef: caseRef.optional() });

/** Who is acting, as the access guard established it ("system" when no guard runs). */
const actor = (c: { get(key: never): unknown }) => (c.get('principal' as never) as { username?: string } | undefined)?.username ?? 'system';

/**
 * Retention report and case holds (guidelines 6e): what was purged and when, and the holds
 * that keep reads of an open case past their tactical window (at most 3 anniversary years).
 */
export function retentionRoutes(opts: {
  client: ClickHouseClient;
  retention: RetentionConfig;
  logger: Logger;
  resolveOpenCase: ResolveOpenCase;
}) {
  const { client, retention, logger } = opts;
  return new Hono()
    .get('/retention', async (c) => c.json(await retentionReport(client, retention)))
    .post('/retention/run', async (c) => c.json({ runs: await runRetention(client, retention, logger) }))
    .post('/holds', valid('json', holdBody), async (c) => {
      const body = c.req.valid('json');
      const kase = await opts.resolveOpenCase(body.caseRef);
      if (!kase) return c.json({ error: `case "${body.caseRef}" is not an open case in the registry` }, 409);
      const result = await holdReads(client, { caseKey: kase.caseKey, readIds: body.readIds, by: actor(c as never), retention });
      return c.json(result, result.held.length ? 200 : 404);
    })
    .post('/holds/release', valid('json', releaseBody), async (c) => {
      const body = c.req.valid('json');
      const kase = await opts.resolveOpenCase(body.caseRef);
      const caseKey = kase?.caseKey ?? body.caseRef.toUpperCase();
      return c.json(await releaseCaseHolds(client, { caseKey, by: actor(c as never) }));
    })
    .get('/holds', valid('query', holdsQuery), async (c) => {
      // Behind the access guard the case gate names the case (access/rules.ts); caseRef may repeat it.
      const gated = (c.get('caseContext' as never) as { caseRef?: string } | undefined)?.caseRef;
      const ref = caseRef.safeParse(c.req.valid('query').caseRef ?? gated);
      if (!ref.success) return badRequest(c, problemsOf(ref.error));
      const kase = await opts.resolveOpenCase(ref.data);
      return c.json({ holds: await caseHolds(client, kase?.caseKey ?? ref.data.toUpperCase()) });
    });
}
