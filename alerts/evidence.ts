import type { ClickHouseClient } from '@clickhouse/client';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AccessEnv, AccessRule, Principal, RuleContext } from '../access/index.ts';
import { getPlateImage, getVehicleImage } from '../store/index.ts';
import { valid } from '../server/index.ts';
import { getAlert, type StoredAlert } from './store.ts';

/**
 * The evidence of a live alert for the operator who works it (issue 31, point 3): its plate image
 * and, where the agency stores one, its vehicle image, without a registered case. The alert is the
 * purpose, and each view is audited as "alert verification <id>". It reaches only what an operator
 * needs to verify a hit now: alerts raised (or closed) within the last day, never a historical hit,
 * which is a search of stored reads and keeps the case gate of the read image route.
 */
export const ALERT_EVIDENCE_HOURS = 24;
const HOUR_MS = 3_600_000;

/** The purpose an alert's evidence is audited under, in place of a case's. */
export const alertPurpose = (alertId: string) => `alert verification ${alertId}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why this alert's evidence may not be served without a case now, or null when it may. Pure. */
export function evidenceRefusal(a: Pick<StoredAlert, 'alert' | 'state' | 'events'>, now: Date): string | null {
  if (a.alert.historical)
    return 'a historical hit (a read found when its plate was listed) is investigated under a case: open the read image with a case number and purpose';
  const floor = now.getTime() - ALERT_EVIDENCE_HOURS * HOUR_MS;
  if (a.state.status === 'closed') {
    const closedAt = Date.parse(a.events.findLast((e) => e.action === 'dispose')?.at ?? '');
    if (!(closedAt >= floor))
      return `this alert was closed more than ${ALERT_EVIDENCE_HOURS} h ago: its images are history, reached under a case (the read image route)`;
    return null;
  }
  if (Date.parse(a.alert.raisedAt) < floor)
    return `this alert was raised more than ${ALERT_EVIDENCE_HOURS} h ago: its images are history, reached under a case (the read image route)`;
  return null;
}

async function workableAlert(c: Context, _p: Principal, ctx: RuleContext): Promise<string | null> {
  const id = c.req.path.split('/')[3] ?? '';
  if (!UUID.test(id)) return null; // the route answers 400
  const a = await getAlert(ctx.client, id);
  return a ? evidenceRefusal(a, ctx.now) : null; // no such alert: the route's 404
}

/** Access rules: a role that works alerts (alerts.act), the alert itself as the gate. */
export const alertEvidenceRules: Record<string, AccessRule> = {
  'GET /api/alerts/:id/image': { anyOf: ['alerts.act'], action: 'alert.image', check: workableAlert },
  'GET /api/alerts/:id/vehicle-image': { anyOf: ['alerts.act'], action: 'alert.vehicle_image', check: workableAlert },
};

/** Records that `view` of an alert's evidence was served to `username`. */
export async function recordEvidenceView(client: ClickHouseClient, alertId: string, username: string, view: 'plate_zoom', at: Date) {
  await client.insert({
    table: 'alert_evidence_views',
    values: [{ alert_id: alertId, username, view, at: at.getTime() }],
    format: 'JSONEachRow',
  });
}

/** Whether `username` was served the enlarged plate image of this alert. */
export async function plateImageShown(client: ClickHouseClient, alertId: string, username: string): Promise<boolean> {
  const rs = await client.query({
    query: `SELECT count() AS n FROM alert_evidence_views
            WHERE alert_id = {id:UUID} AND username = {u:String} AND view = 'plate_zoom'`,
    query_params: { id: alertId, u: username },
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string | number }>())[0]?.n ?? 0) > 0;
}

/** The refusal of "characters match" before the enlarged plate image was served (a 409's body). */
export const NOT_SHOWN = {
  error: 'open the plate image enlarged (zoom) before confirming that the characters match',
  reason: 'plate_image_not_shown',
} as const;

const alertId = z.object({ id: z.string().regex(UUID, 'an alert id (UUID)') });
const imageQuery = z.strictObject({
  view: z
    .enum(['thumb', 'zoom'])
    .default('thumb')
    .describe('zoom: the image shown enlarged for verification; serving it records that it was shown to you.'),
});

export function alertEvidenceRoutes(opts: { client: ClickHouseClient; tacticalDays: number; clock?: () => Date }) {
  const { client, tacticalDays } = opts;
  const clock = opts.clock ?? (() => new Date());
  const jpeg = (c: Context, bytes: Buffer) =>
    c.body(new Uint8Array(bytes), 200, { 'content-type': 'image/jpeg', 'cache-control': 'private, no-store' });
  /** The alert, audited under its purpose, or a 404 answer. */
  const alertOf = async (c: Context<AccessEnv>, id: string) => {
    c.set('auditTarget', id);
    c.set('auditPurpose', alertPurpose(id));
    return getAlert(client, id);
  };
  return new Hono<AccessEnv>()
    .get('/alerts/:id/image', valid('param', alertId), valid('query', imageQuery), async (c) => {
      const { id } = c.req.valid('param');
      const a = await alertOf(c, id);
      if (!a) return c.json({ error: 'no such alert' }, 404);
      const image = await getPlateImage(client, a.alert.read.id, tacticalDays);
      if (!image) return c.json({ error: 'no plate image for this alert (none taken, not stored yet, or purged)' }, 404);
      if (c.req.valid('query').view === 'zoom') {
        await recordEvidenceView(client, id, c.get('principal')?.username ?? 'local', 'plate_zoom', clock());
        c.set('auditDetail', 'plate image enlarged');
      }
      return jpeg(c, image);
    })
    .get('/alerts/:id/vehicle-image', valid('param', alertId), async (c) => {
      const { id } = c.req.valid('param');
      const a = await alertOf(c, id);
      if (!a) return c.json({ error: 'no such alert' }, 404);
      const image = await getVehicleImage(client, a.alert.read.id, tacticalDays);
      if (!image) return c.json({ error: 'no vehicle image for this alert (not stored by this agency, or purged)' }, 404);
      return jpeg(c, image);
    });
}
