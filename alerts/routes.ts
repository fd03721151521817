import type { ClickHouseClient } from '@clickhouse/client';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { Logger } from '../contracts/index.ts';
import { alertOutsideLiveWindow, LIVE_ALERT_HOURS, type AccessEnv, type AccessRule, type Principal } from '../access/index.ts';
import { valid } from '../server/index.ts';
import { alertEvidenceRoutes, alertEvidenceRules, NOT_SHOWN, plateImageShown } from './evidence.ts';
import { AlertNotFoundError, type AlertService } from './service.ts';
import type { AlertNotice } from './notify.ts';
import { getAlert, listAlerts, type AlertQuery } from './store.ts';
import { DISPOSITIONS, WorkflowError, type WorkflowAction } from './workflow.ts';

/** Access rules for these routes, for createAccessGuard({ extraRules }). */
export const alertRules: Record<string, AccessRule> = {
  'GET /api/alerts/stream': { anyOf: ['alerts.view'], action: 'alerts.stream' },
  // An alert raised before the live shift is history: the case gate, as for the list.
  'GET /api/alerts/:id': { anyOf: ['alerts.view'], action: 'alert.view', caseGate: alertOutsideLiveWindow },
  'POST /api/alerts/:id/actions': { anyOf: ['alerts.act'], action: 'alert.action', auditBody: true },
  // A supervisor closes duplicates in bulk, with a reason: audited with its body (ids and reason).
  'POST /api/alerts/close-duplicates': { anyOf: ['alerts.supervise'], action: 'alerts.close_duplicates', auditBody: true },
  ...alertEvidenceRules,
};

const note = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .regex(/^[^\u0000-\u0008\u000b-\u001f\u007f]*$/, 'no control characters other than line breaks');
const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('acknowledge'), note: note.optional() }),
  z.strictObject({ action: z.literal('verify_read'), correct: z.boolean(), note: note.optional() }),
  z.strictObject({ action: z.literal('verify_state'), correct: z.boolean(), note: note.optional() }),
  z.strictObject({
    action: z.literal('confirm_record'),
    active: z.boolean(),
    agency: z.string().trim().min(2).max(40).describe('Entering agency (ORI or name).'),
    contact: z.string().trim().min(2).max(120).describe('Who at the agency confirmed.'),
    method: z.enum(['teletype', 'phone', 'radio', 'ncic_query', 'in_person', 'other']),
    confirmedAt: z.iso.datetime({ offset: true }),
    note: note.optional(),
  }),
  z.strictObject({ action: z.literal('dispose'), disposition: z.enum(DISPOSITIONS), note }),
  z.strictObject({ action: z.literal('note'), note }),
]);

const listQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  status: z.enum(['new', 'acknowledged', 'closed', 'open']).optional().describe('open: new or acknowledged (the queue).'),
  camera: z.string().max(64).optional(),
  source: z.string().max(32).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(0)
    .describe('Alerts of the earlier pages to skip (the answer says how many there are in all).'),
});

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'an alert id (UUID)');
const closeDuplicatesSchema = z.strictObject({
  ids: z.array(uuid).min(1).max(500).describe('The alerts to close as duplicates.'),
  reason: note.describe('Why they are duplicates (recorded on each alert).'),
});

const alertId = z.object({ id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'an alert id (UUID)') });

const actor = (c: Context<AccessEnv>) => c.get('principal')?.username ?? 'local';

/** Without "from", the live shift's window; further back is history, behind the case gate (access/rules.ts). */
function pageQuery(q: z.infer<typeof listQuery>, view: AlertQuery['view']): AlertQuery {
  const { from, to, ...rest } = q;
  const since = from ? new Date(from) : new Date(Date.now() - LIVE_ALERT_HOURS * 3_600_000);
  return { ...rest, view, from: since, to: to ? new Date(to) : undefined };
}

const historicalNotice = (n: AlertNotice) =>
  (n.type === 'alert.raised' && n.alert.historical) || (n.type === 'alert.sighting' && n.historical);

export function alertRoutes(opts: { client: ClickHouseClient; alerts: AlertService; logger: Logger; tacticalDays?: number }) {
  const { client, alerts } = opts;
  return new Hono<AccessEnv>()
    .route('/', alertEvidenceRoutes({ client, tacticalDays: opts.tacticalDays ?? 30 }))
    .get('/alerts', valid('query', listQuery), async (c) => c.json(await listAlerts(client, pageQuery(c.req.valid('query'), 'live'))))
    .get('/alerts/historical', valid('query', listQuery), async (c) =>
      c.json(await listAlerts(client, pageQuery(c.req.valid('query'), 'historical'))),
    )
    .post('/alerts/close-duplicates', valid('json', closeDuplicatesSchema), async (c) => {
      const { ids, reason } = c.req.valid('json');
      return c.json(await alerts.closeDuplicates(ids, actor(c), reason));
    })
    .get('/alerts/stream', (c) =>
      streamSSE(c, async (stream) => {
        // The stream outlives the request the guard admitted: before each delivery it asks
        // again whether its principal may still be served (sign-out, idle lock, suspension,
        // role change all end it), and a session's end wakes it at once.
        const principal = c.get('principal') as Principal | undefined;
        const stillAllowed = async () => (principal?.recheck ? principal.recheck() : null);
        const queue: string[] = [];
        let wake: (() => void) | null = null;
        const unsubscribe = alerts.hub.subscribe((n) => {
          // Live is live: hits on past reads go to the historical view, not to the console.
          if (historicalNotice(n)) return;
          // A client that stops reading loses its own backlog, never blocks the others.
          if (queue.length < 1000) queue.push(JSON.stringify(n));
          wake?.();
        });
        const onEnded = () => wake?.();
        principal?.session?.ended.addEventListener('abort', onEnded);
        stream.onAbort(() => {
          unsubscribe();
          wake?.();
        });
        try {
          await stream.writeSSE({ event: 'ready', data: '{}' });
          while (!stream.aborted) {
            if (principal?.session?.ended.aborted || queue.length) {
              const refusal = await stillAllowed();
              if (refusal) {
                await stream.writeSSE({ event: 'end', data: JSON.stringify({ reason: refusal }) });
                return;
              }
            }
            if (queue.length) {
              // One check admits what had queued by then; later notices wait for the next check.
              for (const next of queue.splice(0)) await stream.writeSSE({ event: 'alert', data: next });
              continue;
            }
            await new Promise<void>((r) => {
              wake = r;
              setTimeout(r, 15_000).unref?.();
            });
            wake = null;
            if (queue.length || stream.aborted) continue;
            const refusal = await stillAllowed();
            if (refusal) {
              await stream.writeSSE({ event: 'end', data: JSON.stringify({ reason: refusal }) });
              return;
            }
            await stream.writeSSE({ event: 'ping', data: '{}' });
          }
        } finally {
          unsubscribe();
          principal?.session?.ended.removeEventListener('abort', onEnded);
        }
      }),
    )
    .get('/alerts/:id', valid('param', alertId), async (c) => {
      const a = await getAlert(client, c.req.valid('param').id);
      return a ? c.json(a) : c.json({ error: 'no such alert' }, 404);
    })
    .post('/alerts/:id/actions', valid('param', alertId), valid('json', actionSchema), async (c) => {
      const { id } = c.req.valid('param');
      c.set('auditTarget', id);
      const action = c.req.valid('json');
      // "Characters match" only after the plate image was served enlarged to this user (alerts/evidence.ts).
      if (action.action === 'verify_read' && action.correct && !(await plateImageShown(client, id, actor(c))))
        return c.json(NOT_SHOWN, 409);
      try {
        return c.json(await alerts.act(id, actor(c), action as WorkflowAction));
      } catch (err) {
        if (err instanceof AlertNotFoundError) return c.json({ error: err.message }, 404);
        if (err instanceof WorkflowError) return c.json({ error: err.message }, 409);
        throw err;
      }
    });
}
