import type { ClickHouseClient } from '@clickhouse/client';
import { Hono } from 'hono';
import { z } from 'zod';
import { normalizePlate, piiProblem, refusePii, type Logger } from '../../contracts/index.ts';
import { searchReads, type StoredRead } from '../../store/index.ts';
import { activeIntelCasesForPlate } from '../cases.ts';
import { listDisseminations, recordDissemination, STATUTORY_NOTICE } from '../disseminations.ts';
import { ForbiddenError, InvalidInputError } from '../errors.ts';
import type { AccessEnv } from '../principal.ts';
import { accessErrorHandler, smallBodyOn } from './util.ts';
import { valid } from '../../server/index.ts';

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'no control characters')
    .superRefine(refusePii());
const plate = z
  .string()
  .trim()
  .min(1)
  .max(16)
  .regex(/^[A-Za-z0-9 -]+$/, 'letters, digits, spaces and dashes');
const time = z.iso.datetime({ offset: true });
const MAX_READS = 10_000;

const selection = {
  plate,
  from: time.optional(),
  to: time.optional(),
};
const agencyBody = z.strictObject({
  recipientAgency: text(200),
  recipientPerson: text(200),
  /** The standing order or the designee who authorised the sharing (guidelines 6c). */
  authority: text(300),
  ...selection,
});
/**
 * The owner's request names the agency's own record of it (a public-records request number),
 * never the person: the log keeps who released what, not who asked (no PII).
 */
const requestRef = z
  .string()
  .trim()
  .min(2)
  .max(80)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._/#:-]*$/u, "the agency's record number of the request: letters, digits, spaces and . _ / # : -")
  .regex(/\d/, "the agency's record number of the request (it has a digit), not the requester's name")
  .superRefine(refusePii());
const ownerBody = z.strictObject({
  requestRef,
  /** How ownership of the plate was established (registration document seen, DHSMV record…). */
  ownershipVerifiedBy: text(300),
  ...selection,
});
const listQuery = z.strictObject({ from: time.optional(), to: time.optional(), caseRef: z.string().max(80).optional() });

/**
 * Exports to another agency and answers to registered owners. Both pass the case gate (the
 * guard), both are recorded whether sent or refused, and both carry the statutory notice.
 */
export function disseminationRoutes(opts: { client: ClickHouseClient; tacticalDays: number; logger: Logger; clock?: () => Date }) {
  const { client } = opts;
  const clock = opts.clock ?? (() => new Date());

  async function select(body: { plate: string; from?: string; to?: string }): Promise<StoredRead[]> {
    return searchReads(
      client,
      {
        plate: body.plate,
        from: body.from ? new Date(body.from) : undefined,
        to: body.to ? new Date(body.to) : undefined,
        limit: MAX_READS,
        offset: 0,
      },
      opts.tacticalDays,
    );
  }

  /** The purpose travels into the record too; the case gate checked its shape, this its content. */
  function purposeOf(c: { get(k: 'caseContext'): { purpose: string } | undefined }): string {
    const purpose = c.get('caseContext')!.purpose;
    const problem = piiProblem(purpose);
    if (problem) throw new InvalidInputError('invalid request', [{ param: 'x-alpr-purpose', message: problem }]);
    return purpose;
  }

  const app = new Hono<AccessEnv>()
    .use('*', smallBodyOn('/disseminations'))
    .get('/disseminations', valid('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      return c.json({
        disseminations: await listDisseminations(client, {
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
          caseRef: q.caseRef,
        }),
      });
    })
    .post('/disseminations', valid('json', agencyBody), async (c) => {
      const body = c.req.valid('json');
      c.set('auditBody', body);
      const cc = c.get('caseContext')!;
      const purpose = purposeOf(c);
      const reads = await select(body);
      const rec = await recordDissemination(
        client,
        {
          kind: 'agency',
          outcome: 'sent',
          refusal: '',
          recipientAgency: body.recipientAgency,
          recipientPerson: body.recipientPerson,
          requestRef: '',
          caseRef: cc.caseRef,
          purpose,
          authority: body.authority,
          plate: normalizePlate(body.plate),
          query: JSON.stringify({ plate: body.plate, from: body.from, to: body.to }),
          readIds: reads.map((r) => r.id),
          sentBy: c.get('principal').username,
        },
        clock(),
      );
      c.set('auditTarget', `dissemination ${rec.id}`);
      c.set('auditDetail', `${reads.length} read(s) to ${body.recipientAgency}`);
      return c.json({ notice: STATUTORY_NOTICE, dissemination: rec, reads }, 201);
    })
    .post('/disseminations/owner-request', valid('json', ownerBody), async (c) => {
      const body = c.req.valid('json');
      c.set('auditBody', body);
      const cc = c.get('caseContext')!;
      const by = c.get('principal').username;
      const base = {
        kind: 'owner' as const,
        recipientAgency: '',
        recipientPerson: '',
        requestRef: body.requestRef,
        caseRef: cc.caseRef,
        purpose: purposeOf(c),
        authority: body.ownershipVerifiedBy,
        plate: normalizePlate(body.plate),
        query: JSON.stringify({ plate: body.plate, from: body.from, to: body.to }),
        sentBy: by,
      };
      // Guidelines 2g: never while the data is active criminal intelligence or investigative information.
      const blocking = await activeIntelCasesForPlate(client, body.plate);
      if (blocking.length > 0) {
        const refusal = 'the data on this plate is active criminal intelligence or investigative information';
        const rec = await recordDissemination(client, { ...base, outcome: 'refused', refusal, readIds: [] }, clock());
        c.set('auditTarget', `dissemination ${rec.id}`);
        throw new ForbiddenError(`request refused and recorded (${rec.id}): ${refusal}`);
      }
      const reads = await select(body);
      const rec = await recordDissemination(client, { ...base, outcome: 'sent', refusal: '', readIds: reads.map((r) => r.id) }, clock());
      c.set('auditTarget', `dissemination ${rec.id}`);
      c.set('auditDetail', `${reads.length} read(s) to the registered owner`);
      return c.json({ notice: STATUTORY_NOTICE, dissemination: rec, reads }, 201);
    });
  app.onError(accessErrorHandler(opts.logger));
  return app;
}
