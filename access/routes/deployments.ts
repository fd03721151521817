import type { ClickHouseClient } from '@clickhouse/client';
import { Hono } from 'hono';
import { z } from 'zod';
import { locationSchema, type Logger } from '../../contracts/index.ts';
import {
  addDeploymentEvent,
  deploymentHistory,
  deploymentIdSchema,
  getDeployment,
  listDeploymentEvents,
  listDeployments,
  putDeployment,
  type Deployment,
} from '../deployments.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { AccessEnv } from '../principal.ts';
import { accessErrorHandler, smallBodyOn } from './util.ts';
import { textField, valid } from '../../server/index.ts';

const cameraId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a camera id');
const time = z.iso.datetime({ offset: true });

const authoriseBody = z
  .strictObject({
    id: deploymentIdSchema,
    cameraId,
    mode: z.enum(['fixed', 'mobile']),
    location: locationSchema,
    // The attestation must be given explicitly: guidelines 2c allow only plates in public view.
    publicViewAttested: z.literal(true, { message: 'attest that the camera scans only plates exposed to public view (guidelines 2c)' }),
    purpose: textField(500),
    validFrom: time.optional(),
    validUntil: time.nullable().optional(),
  })
  .refine((b) => !b.validFrom || !b.validUntil || Date.parse(b.validFrom) < Date.parse(b.validUntil), {
    message: 'validUntil must be after validFrom',
    path: ['validUntil'],
  });
const changeBody = z.strictObject({
  mode: z.enum(['fixed', 'mobile']).optional(),
  location: locationSchema.optional(),
  purpose: textField(500).optional(),
  validUntil: time.nullable().optional(),
  reason: textField(500),
});
const reasonBody = z.strictObject({ reason: textField(500) });
const eventBody = z.strictObject({ kind: z.enum(['result', 'exception']), note: textField(2000) });

/** Deployment authorisation records; `onChange` lets the ingest gate re-read at once. */
export function deploymentRoutes(opts: {
  client: ClickHouseClient;
  logger: Logger;
  onChange?: () => Promise<void> | void;
  clock?: () => Date;
}) {
  const { client } = opts;
  const clock = opts.clock ?? (() => new Date());
  const changed = async () => {
    await opts.onChange?.();
  };
  async function mustGet(id: string): Promise<Deployment> {
    const d = deploymentIdSchema.safeParse(id).success ? await getDeployment(client, id) : null;
    if (!d) throw new NotFoundError('no such deployment');
    return d;
  }

  const app = new Hono<AccessEnv>()
    .use('*', smallBodyOn('/deployments'))
    .get('/deployments', async (c) => {
      const [deployments, events] = await Promise.all([listDeployments(client), listDeploymentEvents(client)]);
      return c.json({
        deployments: deployments.map((d) => ({
          ...d,
          results: events.filter((e) => e.deploymentId === d.id && e.kind === 'result').length,
          exceptions: events.filter((e) => e.deploymentId === d.id && e.kind === 'exception').length,
        })),
      });
    })
    .get('/deployments/:id', async (c) => {
      const d = await mustGet(c.req.param('id'));
      c.set('auditTarget', d.id);
      return c.json({ deployment: d, history: await deploymentHistory(client, d.id), events: await listDeploymentEvents(client, d.id) });
    })
    .post('/deployments', valid('json', authoriseBody), async (c) => {
      const body = c.req.valid('json');
      c.set('auditTarget', body.id);
      c.set('auditBody', body);
      if (await getDeployment(client, body.id)) throw new ConflictError(`deployment "${body.id}" exists; change or rescind it`);
      const by = c.get('principal').username;
      const now = clock();
      const d = await putDeployment(
        client,
        {
          id: body.id,
          cameraId: body.cameraId,
          status: 'active',
          mode: body.mode,
          location: body.location,
          publicView: true,
          purpose: body.purpose,
          authorizedBy: by,
          authorizedAt: now.toISOString(),
          validFrom: body.validFrom ?? now.toISOString(),
          validUntil: body.validUntil ?? null,
          changedBy: by,
          change: 'authorised',
        },
        now,
      );
      await changed();
      return c.json({ deployment: d }, 201);
    })
    .post('/deployments/:id/change', valid('json', changeBody), async (c) => {
      const d = await mustGet(c.req.param('id'));
      const body = c.req.valid('json');
      c.set('auditTarget', d.id);
      c.set('auditBody', body);
      if (d.status !== 'active') throw new ConflictError('a rescinded deployment cannot change; authorise a new one');
      const by = c.get('principal').username;
      const next = await putDeployment(
        client,
        {
          ...d,
          mode: body.mode ?? d.mode,
          location: body.location ?? d.location,
          purpose: body.purpose ?? d.purpose,
          validUntil: body.validUntil === undefined ? d.validUntil : body.validUntil,
          // A change is a new authorisation by whoever made it.
          authorizedBy: by,
          authorizedAt: clock().toISOString(),
          changedBy: by,
          change: `changed: ${body.reason}`,
        },
        clock(),
      );
      await changed();
      return c.json({ deployment: next });
    })
    .post('/deployments/:id/rescind', valid('json', reasonBody), async (c) => {
      const d = await mustGet(c.req.param('id'));
      const { reason } = c.req.valid('json');
      c.set('auditTarget', d.id);
      c.set('auditBody', { reason });
      if (d.status === 'rescinded') throw new ConflictError('already rescinded');
      const next = await putDeployment(
        client,
        { ...d, status: 'rescinded', changedBy: c.get('principal').username, change: `rescinded: ${reason}` },
        clock(),
      );
      await changed();
      return c.json({ deployment: next });
    })
    .post('/deployments/:id/events', valid('json', eventBody), async (c) => {
      const d = await mustGet(c.req.param('id'));
      const body = c.req.valid('json');
      c.set('auditTarget', d.id);
      c.set('auditBody', body);
      return c.json(
        {
          event: await addDeploymentEvent(
            client,
            { deploymentId: d.id, kind: body.kind, note: body.note, recordedBy: c.get('principal').username },
            clock(),
          ),
        },
        201,
      );
    });
  app.onError(accessErrorHandler(opts.logger));
  return app;
}
